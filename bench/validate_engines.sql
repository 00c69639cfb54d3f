-- bench/validate_engines.sql: run by bench/validate_engines.sh (psql -f),
-- in one session, against a throwaway server with workflow_persist and
-- wfp_bench_engines installed.
--
-- psql variables: reps (repetitions, median taken), target_secs (every
-- measurement lasts at least this long), seed (setseed, for the documents),
-- clk_tck (getconf CLK_TCK, the unit of /proc/self/stat times).
--
-- 1. builds realistic awaitly snapshots and stores them in a table (so every
--    call fetches and detoasts the datum, as real use does);
-- 2. asserts that the two engines agree (verdict and messages) on every
--    benchmark document and on invalid ones covering all 16 templates;
-- 3. times each expression per document: one measurement = queries of N
--    calls (N calibrated per document and expression to ~0.25 s) repeated
--    until at least target_secs have passed; repetitions interleaved
--    across expressions, so that a slow phase of a shared machine hits all
--    of them alike;
-- 4. prints the tables.

\set ON_ERROR_STOP 1
\pset pager off
SET client_min_messages = notice;

CREATE EXTENSION workflow_persist;
CREATE EXTENSION wfp_bench_engines;
CREATE SCHEMA bench;
SELECT setseed(:seed);

------------------------------------------------------------------------------
-- 1. Documents
------------------------------------------------------------------------------

-- The value of a successful step: ids, hashes, money, a nested object, and
-- "pad" random md5 words of free text (an LLM answer, a fetched page).
-- Everything random, so nothing compresses much.
CREATE FUNCTION bench.step_value(pad int) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
SELECT jsonb_build_object(
    'id', md5(random()::text)::uuid,
    'hash', md5(random()::text),
    'amount', round((random() * 10000)::numeric, 2),
    'quantity', (random() * 1000)::int,
    'score', random(),
    'approved', random() < 0.5,
    'tags', jsonb_build_array(left(md5(random()::text), 8),
                              left(md5(random()::text), 8)),
    'customer', jsonb_build_object(
        'id', md5(random()::text)::uuid,
        'email', left(md5(random()::text), 12) || '@example.com'),
    'output', (SELECT coalesce(string_agg(md5(random()::text), ' '), '')
               FROM generate_series(1, pad)),
    'fetchedAt', to_char(timestamptz '2025-01-01 00:00:00+00'
                         + random() * interval '300 days',
                         'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
$$;

-- A failed step: a pending approval (error cause) or a thrown value.
CREATE FUNCTION bench.failed_step(i int) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
SELECT CASE WHEN i % 2 = 1 THEN
    jsonb_build_object(
        'ok', false,
        'error', jsonb_build_object(
            'type', 'PENDING_APPROVAL',
            'stepKey', 'approve:' || i,
            'reason', 'amount above the auto-approval limit',
            'metadata', jsonb_build_object(
                'requestedBy', md5(random()::text)::uuid,
                'amount', round((random() * 100000)::numeric, 2))),
        'cause', jsonb_build_object(
            'type', 'error',
            'name', 'ApprovalRequiredError',
            'message', 'approval ' || md5(random()::text) || ' is pending',
            'stack', 'ApprovalRequiredError: approval pending' || chr(10)
                || '    at requireApproval (file:///app/workflows/order.js:120:11)' || chr(10)
                || '    at async step (file:///app/node_modules/awaitly/dist/index.js:812:20)'),
        'meta', jsonb_build_object('origin', 'result'))
ELSE
    jsonb_build_object(
        'ok', false,
        'error', jsonb_build_object('type', 'FETCH_FAILED', 'status', 503,
                                    'requestId', md5(random()::text)::uuid),
        'cause', jsonb_build_object(
            'type', 'thrown',
            'originalType', 'object',
            'value', jsonb_build_object('code', 'ECONNRESET',
                                        'errno', -104,
                                        'host', left(md5(random()::text), 10) || '.internal'),
            'stringRepresentation', '[object Object]'),
        'meta', jsonb_build_object('origin', 'throw'))
END
$$;

-- n_ok successful steps with "pad" words of text each, n_failed failed
-- ones (failed_step(failed_from) onwards), execution, metadata, warnings.
CREATE FUNCTION bench.make_snapshot(n_ok int, n_failed int, pad int,
                                    failed_from int DEFAULT 1) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
SELECT jsonb_build_object(
    'formatVersion', 1,
    'workflowName', 'order-fulfilment',
    'steps', (SELECT jsonb_object_agg(k, v) FROM (
        SELECT format('%s:%s', (ARRAY['fetch-order', 'charge-card', 'reserve-stock',
                                      'llm-summarise', 'notify'])[1 + i % 5], i) AS k,
               jsonb_build_object('ok', true, 'value', bench.step_value(pad)) AS v
        FROM generate_series(1, n_ok) i
        UNION ALL
        SELECT 'approve:' || i, bench.failed_step(i)
        FROM generate_series(failed_from, failed_from + n_failed - 1) i) s),
    'execution', jsonb_build_object(
        'status', 'running',
        'lastUpdated', '2025-06-01T12:00:00.000Z',
        'currentStepId', 'approve:1'),
    'metadata', jsonb_build_object(
        'workflowId', md5(random()::text)::uuid,
        'definitionHash', md5(random()::text),
        'input', jsonb_build_object('orderId', md5(random()::text)::uuid,
                                    'total', round((random() * 1000)::numeric, 2)),
        'version', 1),
    'warnings', jsonb_build_array(jsonb_build_object(
        'type', 'lossy_value', 'stepId', 'fetch-order:5',
        'path', 'value.raw', 'reason', 'non-json')))
$$;

CREATE TABLE bench.docs (
    id      int PRIMARY KEY,
    label   text NOT NULL,
    doc     jsonb NOT NULL
);
INSERT INTO bench.docs VALUES
    (1, '1 KB',                bench.make_snapshot(1, 1, 0, 2)),
    (2, '16 KB',               bench.make_snapshot(38, 2, 0)),
    (3, '1 MB',                bench.make_snapshot(2560, 20, 0)),
    (4, '1 MB, 16 big steps',  bench.make_snapshot(16, 2, 1950));
VACUUM ANALYZE bench.docs;

\echo
\echo '== benchmark documents (stored in bench.docs; text = jsonb::text)'
SELECT id, label,
       octet_length(doc::text) AS text_bytes,
       pg_column_size(doc) AS stored_bytes,
       coalesce(pg_column_compression(doc), 'none') AS compression,
       CASE WHEN pg_column_size(doc) > 2000 THEN 'out of line (TOAST)'
            ELSE 'inline' END AS storage,
       (SELECT count(*) FROM jsonb_object_keys(doc -> 'steps')) AS steps,
       workflow_persist.wf_is_valid(doc) AS valid
FROM bench.docs ORDER BY id;

------------------------------------------------------------------------------
-- 2. The engines must agree before anything is timed
------------------------------------------------------------------------------

CREATE TABLE bench.cases (name text, doc jsonb);
INSERT INTO bench.cases
SELECT 'bench ' || label, doc FROM bench.docs
UNION ALL
-- benchmark documents broken in ways found late and early in the walk
SELECT 'bench ' || label || ' + bad last step',
       jsonb_set(doc, '{steps,zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz}', '{"ok":false}')
FROM bench.docs
UNION ALL
SELECT 'bench ' || label || ' + bad first step',
       jsonb_set(doc, '{steps,a}', '{"ok":"yes"}')
FROM bench.docs
UNION ALL
SELECT 'bench ' || label || ' - execution', doc - 'execution' FROM bench.docs
UNION ALL
SELECT 'bench ' || label || ' formatVersion 2', jsonb_set(doc, '{formatVersion}', '2')
FROM bench.docs
UNION ALL
SELECT name, doc::jsonb FROM (VALUES
    ('valid minimal',      '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"x"}}'),
    ('valid 1.0 / arrays', '{"formatVersion":1.0,"steps":[{"ok":true}],"execution":[]}'),
    ('null root',          'null'),
    ('number root',        '42'),
    ('string root',        '"snapshot"'),
    ('true root',          'true'),
    ('array root',         '[1,2]'),
    ('empty object',       '{}'),
    ('fv "1"',             '{"formatVersion":"1","steps":{},"execution":{"status":"running","lastUpdated":"x"}}'),
    ('fv 2.50',            '{"formatVersion":2.50,"steps":{},"execution":{"status":"running","lastUpdated":"x"}}'),
    ('fv 1e21',            '{"formatVersion":1e21,"steps":{}}'),
    ('fv 0.0000001',       '{"formatVersion":0.0000001}'),
    ('fv -0',              '{"formatVersion":-0}'),
    ('fv 10e-1',           '{"formatVersion":10e-1,"steps":{},"execution":{"status":"running","lastUpdated":"x"}}'),
    ('fv big int',         '{"formatVersion":123456789012345678901234567890}'),
    ('fv array',           '{"formatVersion":[1,null,[2,3],{"a":1}],"steps":null}'),
    ('fv object',          '{"formatVersion":{},"steps":1,"execution":null}'),
    ('fv null',            '{"formatVersion":null,"steps":"x","execution":"y"}'),
    ('fv false',           '{"formatVersion":false,"steps":true,"execution":3}'),
    ('steps entries',      '{"formatVersion":1,"steps":{"n":null,"s":"x","a":[1],"b":{},"c":{"ok":1},"d":{"ok":false},"e":{"ok":false,"error":null},"f":{"ok":false,"cause":{}},"a\"b":{"ok":null},"ü":7},"execution":{}}'),
    ('steps array',        '{"formatVersion":1,"steps":[null,{"ok":true},{"ok":false},3,[]],"execution":{"status":"done","lastUpdated":5}}'),
    ('exec status types',  '{"formatVersion":1,"steps":{},"execution":{"status":null,"lastUpdated":null}}'),
    ('exec missing both',  '{"formatVersion":1,"steps":{},"execution":{"currentStepId":"x"}}'),
    ('exec array',         '{"formatVersion":1,"steps":{},"execution":["running"]}'),
    ('status Running',     '{"formatVersion":1,"steps":{},"execution":{"status":"Running","lastUpdated":"x"}}')
) AS v(name, doc);

CREATE TEMP TABLE disagreements AS
SELECT name,
       workflow_persist.wf_is_valid(doc) AS native_ok,
       wfp_bench_jansson_is_valid(doc) AS jansson_ok,
       workflow_persist.wf_validate(doc) AS native_msgs,
       wfp_bench_jansson_validate(doc) AS jansson_msgs
FROM bench.cases;

\echo
\echo '== agreement check (verdicts and messages, both engines)'
SELECT count(*) AS cases,
       count(*) FILTER (WHERE native_ok) AS valid,
       count(*) FILTER (WHERE NOT native_ok) AS invalid,
       (SELECT count(DISTINCT regexp_replace(regexp_replace(m, 'steps\["[^]]*"\]', 'steps[ID]'),
                                             'got .*', 'got X'))
        FROM disagreements, unnest(native_msgs) m) AS distinct_templates_hit,
       count(*) FILTER (WHERE native_ok IS DISTINCT FROM jansson_ok
                           OR native_msgs IS DISTINCT FROM jansson_msgs) AS disagreements
FROM disagreements;

DO $$
DECLARE
    r record;
    bad int := 0;
BEGIN
    FOR r IN SELECT * FROM disagreements
             WHERE native_ok IS DISTINCT FROM jansson_ok
                OR native_msgs IS DISTINCT FROM jansson_msgs
    LOOP
        RAISE WARNING 'engines disagree on "%": native % %, jansson % %',
            r.name, r.native_ok, r.native_msgs, r.jansson_ok, r.jansson_msgs;
        bad := bad + 1;
    END LOOP;
    IF bad > 0 THEN
        RAISE EXCEPTION 'the engines disagree on % case(s); not timing anything', bad;
    END IF;
    IF (SELECT count(*) FROM disagreements WHERE name LIKE 'bench %' AND native_ok)
       <> (SELECT count(*) FROM bench.docs) THEN
        RAISE EXCEPTION 'a benchmark document is not valid';
    END IF;
END
$$;

------------------------------------------------------------------------------
-- 3. Timing
------------------------------------------------------------------------------

CREATE TABLE bench.engines (ord int, engine text, expr text, what text);
INSERT INTO bench.engines VALUES
    (1, 'loop',            'd.doc IS NOT NULL',
        'executor loop only: the datum is neither detoasted nor passed to a function'),
    (2, 'detoast',         'wfp_bench_detoast_only(d.doc)',
        'baseline: C function declared like wf_is_valid that only detoasts its argument'),
    (3, 'native',          'workflow_persist.wf_is_valid(d.doc)',
        'jsonb-native validator (src/wfp_validate.c), as shipped'),
    (4, 'jansson',         'wfp_bench_jansson_is_valid(d.doc)',
        'detoast, JsonbToCString, json_loadb, same checks, json_decref'),
    (5, 'to_text',         'wfp_bench_jsonb_to_text(d.doc)',
        'jansson path, stage 1 alone: detoast + JsonbToCString'),
    (6, 'parse',           'wfp_bench_jansson_parse(d.doc)',
        'jansson path, stages 1-2: + json_loadb + json_decref, no checks'),
    (7, 'native_noset',    'wfp_bench_native_is_valid_noset(d.doc, false)',
        'native validator declared without SET search_path'),
    (8, 'jansson_noset',   'wfp_bench_jansson_is_valid_noset(d.doc)',
        'jansson validator declared without SET search_path');

SET bench.clk_tck = :'clk_tck';

-- CPU time (user + system) this backend has used so far, in seconds, from
-- /proc/self/stat (fields 14 and 15 after the pid, in clock ticks).  Wall
-- clock is what we report first; CPU time is the cross-check that other
-- processes on a shared machine do not inflate.
CREATE FUNCTION bench.cpu_secs() RETURNS double precision
LANGUAGE sql VOLATILE AS $$
SELECT ((f[12])::bigint + (f[13])::bigint)::double precision
       / current_setting('bench.clk_tck')::int
FROM regexp_split_to_array(
    substr(pg_read_file('/proc/self/stat'),
           strpos(pg_read_file('/proc/self/stat'), ') ') + 2), ' ') AS f
$$;

-- One timed query: N calls of expr on the stored document doc_id; returns
-- (wall, cpu) seconds.
CREATE FUNCTION bench.time_expr(expr text, doc_id int, n bigint,
                                OUT wall double precision,
                                OUT cpu double precision)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    c0 double precision;
    c bigint;
BEGIN
    c0 := bench.cpu_secs();
    t0 := clock_timestamp();
    EXECUTE format('SELECT count(*) FILTER (WHERE %s) '
                   'FROM bench.docs d CROSS JOIN generate_series(1, $2) g '
                   'WHERE d.id = $1', expr)
        INTO c USING doc_id, n;
    wall := extract(epoch FROM clock_timestamp() - t0);
    cpu := bench.cpu_secs() - c0;
    IF c <> n THEN
        RAISE EXCEPTION '% was false % times out of %', expr, n - c, n;
    END IF;
END
$$;

-- N such that one query takes about 0.25 s (this also warms up).
CREATE FUNCTION bench.calibrate(expr text, doc_id int)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint := 1;
    t double precision;
BEGIN
    LOOP
        t := (bench.time_expr(expr, doc_id, n)).wall;
        EXIT WHEN t >= 0.1;
        n := greatest(n * 2, ceil(n * 0.15 / greatest(t, 1e-4))::bigint);
    END LOOP;
    RETURN greatest(1, ceil(n * 0.25 / t))::bigint;
END
$$;

-- One measurement: queries of n calls, repeated until at least target
-- seconds (wall clock) have passed; returns (calls, wall, cpu).
CREATE FUNCTION bench.measure(expr text, doc_id int, n bigint,
                              target double precision,
                              OUT calls bigint, OUT secs double precision,
                              OUT cpu double precision)
LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    calls := 0;
    secs := 0;
    cpu := 0;
    WHILE secs < target LOOP
        t := bench.time_expr(expr, doc_id, n);
        secs := secs + t.wall;
        cpu := cpu + t.cpu;
        calls := calls + n;
    END LOOP;
END
$$;

CREATE TABLE bench.results (
    doc_id  int,
    engine  text,
    rep     int,
    n       bigint,             -- calls timed
    secs    double precision,   -- wall clock for them
    cpu     double precision    -- backend CPU time for them
);

\echo
\echo '== plan of a timed query'
EXPLAIN (COSTS OFF)
SELECT count(*) FILTER (WHERE workflow_persist.wf_is_valid(d.doc))
FROM bench.docs d CROSS JOIN generate_series(1, 1000) g WHERE d.id = 1;

\echo
\echo '== timing (repetitions interleaved across engines)'
SET bench.reps = :'reps';
SET bench.target = :'target_secs';

DO $$
DECLARE
    d record;
    e record;
    n bigint;
    reps int := current_setting('bench.reps')::int;
    target double precision := current_setting('bench.target')::double precision;
    ns jsonb;
BEGIN
    FOR d IN SELECT id, label FROM bench.docs ORDER BY id LOOP
        ns := '{}';
        FOR e IN SELECT * FROM bench.engines ORDER BY ord LOOP
            n := bench.calibrate(e.expr, d.id);
            ns := ns || jsonb_build_object(e.engine, n);
        END LOOP;
        RAISE NOTICE 'timing %: calls per query = %', d.label, ns;
        FOR r IN 1..reps LOOP
            FOR e IN SELECT * FROM bench.engines ORDER BY ord LOOP
                INSERT INTO bench.results
                SELECT d.id, e.engine, r, m.calls, m.secs, m.cpu
                FROM bench.measure(e.expr, d.id, (ns ->> e.engine)::bigint, target) m;
            END LOOP;
        END LOOP;
    END LOOP;
END
$$;

------------------------------------------------------------------------------
-- 4. Tables (markdown)
------------------------------------------------------------------------------

-- median calls/s and median microseconds per call per (document, engine)
CREATE VIEW bench.medians AS
SELECT doc_id, engine,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY n / secs) AS calls_per_s,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY secs * 1e6 / n) AS us_per_call,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY cpu * 1e6 / n) AS cpu_us_per_call,
       min(secs * 1e6 / n) AS best_us_per_call,
       min(secs) AS min_secs,
       (max(n / secs) - min(n / secs)) / percentile_disc(0.5) WITHIN GROUP (ORDER BY n / secs)
           AS spread
FROM bench.results GROUP BY doc_id, engine;

CREATE FUNCTION bench.fmt(x double precision) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN x >= 100 THEN to_char(round(x), 'FM999,999,999,990')
            WHEN x >= 10 THEN to_char(x, 'FM990.0')
            ELSE to_char(x, 'FM990.00') END
$$;

\echo
\echo '== main table: medians of the repetitions (wall clock); ratio = jsonb-native calls/s /'
\echo '== jansson calls/s; paired = the same ratio within each repetition (engines timed'
\echo '== back to back); by CPU time = the ratio of median backend CPU time per call'
\pset format unaligned
\pset tuples_only on
SELECT '| snapshot | jsonb text | steps | detoast-only calls/s | jsonb-native calls/s | jansson calls/s | ratio | paired ratios (min–max) | ratio by CPU time |';
SELECT '|---|---:|---:|---:|---:|---:|---:|---:|---:|';
SELECT format('| %s | %s B | %s | %s | %s | %s | **%s×** | %s–%s× | %s× |',
              d.label, to_char(octet_length(d.doc::text), 'FM999,999,999'),
              (SELECT count(*) FROM jsonb_object_keys(d.doc -> 'steps')),
              bench.fmt(b.calls_per_s), bench.fmt(nat.calls_per_s), bench.fmt(jan.calls_per_s),
              bench.fmt(nat.calls_per_s / jan.calls_per_s),
              bench.fmt(pr.lo), bench.fmt(pr.hi),
              bench.fmt(jan.cpu_us_per_call / nat.cpu_us_per_call))
FROM bench.docs d
JOIN bench.medians b ON b.doc_id = d.id AND b.engine = 'detoast'
JOIN bench.medians nat ON nat.doc_id = d.id AND nat.engine = 'native'
JOIN bench.medians jan ON jan.doc_id = d.id AND jan.engine = 'jansson'
JOIN (SELECT rn.doc_id, min(ratio) AS lo, max(ratio) AS hi
      FROM (SELECT rn.doc_id, (rn.n / rn.secs) / (rj.n / rj.secs) AS ratio
            FROM bench.results rn
            JOIN bench.results rj ON rj.doc_id = rn.doc_id AND rj.rep = rn.rep
            WHERE rn.engine = 'native' AND rj.engine = 'jansson') rn
      GROUP BY rn.doc_id) pr ON pr.doc_id = d.id
ORDER BY d.id;

\echo
\echo '== median wall-clock µs per call; ± = (max-min)/median of calls/s over the repetitions'
SELECT '| snapshot | ' || string_agg(engine, ' | ' ORDER BY ord) || ' |'
FROM bench.engines;
SELECT '|---|' || string_agg('---:', '|') || '|' FROM bench.engines;
SELECT format('| %s | %s |', d.label,
              string_agg(format('%s ±%s%%', bench.fmt(m.us_per_call),
                                round(100 * m.spread)::int), ' | ' ORDER BY e.ord))
FROM bench.docs d
JOIN bench.medians m ON m.doc_id = d.id
JOIN bench.engines e ON e.engine = m.engine
GROUP BY d.id, d.label ORDER BY d.id;

\echo
\echo '== where the time goes: best repetition, µs per call (differences of medians are'
\echo '== too noisy on a shared machine; the best run is the least disturbed one)'
SELECT '| snapshot | detoast-only | jsonb-native | native − detoast | to_text | parse | jansson | jansson − detoast | ratio above detoast |';
SELECT '|---|---:|---:|---:|---:|---:|---:|---:|---:|';
SELECT format('| %s | %s | %s | %s | %s | %s | %s | %s | %s |', d.label,
              bench.fmt(b.best_us_per_call), bench.fmt(nat.best_us_per_call),
              bench.fmt(nat.best_us_per_call - b.best_us_per_call),
              bench.fmt(tt.best_us_per_call), bench.fmt(pa.best_us_per_call),
              bench.fmt(jan.best_us_per_call),
              bench.fmt(jan.best_us_per_call - b.best_us_per_call),
              CASE WHEN nat.best_us_per_call - b.best_us_per_call > 0.05 * b.best_us_per_call
                   THEN bench.fmt((jan.best_us_per_call - b.best_us_per_call)
                                  / (nat.best_us_per_call - b.best_us_per_call)) || '×'
                   ELSE 'n/a (native within 5% of detoast-only)' END)
FROM bench.docs d
JOIN bench.medians b ON b.doc_id = d.id AND b.engine = 'detoast'
JOIN bench.medians nat ON nat.doc_id = d.id AND nat.engine = 'native'
JOIN bench.medians jan ON jan.doc_id = d.id AND jan.engine = 'jansson'
JOIN bench.medians tt ON tt.doc_id = d.id AND tt.engine = 'to_text'
JOIN bench.medians pa ON pa.doc_id = d.id AND pa.engine = 'parse'
ORDER BY d.id;

\echo
\echo '== engines'
SELECT format('- `%s`: `%s` — %s', engine, expr, what) FROM bench.engines ORDER BY ord;
\echo
SELECT format('repetitions: %s; shortest measurement: %s s; total measured: %s s wall, %s s CPU',
              max(rep), round(min(secs)::numeric, 2), round(sum(secs)::numeric),
              round(sum(cpu)::numeric))
FROM bench.results;
