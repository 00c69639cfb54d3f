-- bench/setup.sql: documents and baselines shared by every benchmark.
-- Realistic awaitly snapshots: steps {"ok":true,"value":{...}} whose
-- values are random hex (LZ compressors find nothing to squeeze), a
-- failed step now and then, metadata with the input, execution.
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
SET search_path = bench, workflow_persist, public;

-- ~step_bytes of incompressible text
CREATE FUNCTION bench.noise(nbytes int, seed bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(md5(seed::text || ':' || g), '')
      FROM generate_series(1, greatest(1, nbytes / 32)) g
$$;

CREATE FUNCTION bench.step(i int, step_bytes int, seed bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN i % 50 = 49 THEN
        jsonb_build_object('ok', false, 'error', jsonb_build_object('type', 'TIMEOUT', 'detail', bench.noise(step_bytes - 200, seed * 100000 + i)),
                           'cause', jsonb_build_object('type', 'error', 'name', 'TimeoutError', 'message', 'step timed out'),
                           'meta', jsonb_build_object('origin', 'result'))
    ELSE
        jsonb_build_object('ok', true, 'value', jsonb_build_object('n', i, 'data', bench.noise(step_bytes - 60, seed * 100000 + i)))
    END
$$;

CREATE FUNCTION bench.step_key(i int) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT 'step-' || lpad(i::text, 5, '0') $$;

CREATE FUNCTION bench.snapshot(nsteps int, step_bytes int, seed bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'formatVersion', 1,
        'workflowName', 'bench-order',
        'steps', COALESCE((SELECT jsonb_object_agg(bench.step_key(i), bench.step(i, step_bytes, seed))
                             FROM generate_series(1, nsteps) i), '{}'::jsonb),
        'execution', jsonb_build_object('status', 'running', 'lastUpdated', '2026-11-22T10:00:00.000Z',
                                        'currentStepId', bench.step_key(nsteps)),
        'metadata', jsonb_build_object('workflowId', 'bench-' || seed, 'definitionHash', md5(seed::text),
                                       'input', jsonb_build_object('order', seed, 'lines', 3)))
$$;

-- B1 documents: 1 KB (1 step), 16 KB (16 steps), 256 KB (256 steps); 20 of each
CREATE TABLE bench.docs (kind text, i int, doc jsonb, PRIMARY KEY (kind, i));
INSERT INTO bench.docs
SELECT k.kind, s, bench.snapshot(k.n, k.b, s * 7 + k.n)
  FROM (VALUES ('1k', 1, 700), ('16k', 16, 1000), ('256k', 256, 1000)) k(kind, n, b),
       generate_series(1, 20) s;

-- the raw floor: one jsonb document per id, upserted
CREATE TABLE bench.raw (id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);
-- the raw per-step floor: one row per step, inserted
CREATE TABLE bench.raw_steps (id text COLLATE "C", key text COLLATE "C", v jsonb NOT NULL,
                              PRIMARY KEY (id, key));
-- a pool of 1 KB step results for checkpoints
CREATE TABLE bench.steps (i int PRIMARY KEY, v jsonb NOT NULL);
INSERT INTO bench.steps SELECT i, bench.step(i, 1000, 424242) FROM generate_series(1, 1000) i;

-- W workflows of N steps each, in the store (wf_save) and in bench.raw
CREATE PROCEDURE bench.populate(prefix text, w int, n int)
LANGUAGE plpgsql AS $$
DECLARE d jsonb;
BEGIN
    FOR i IN 1 .. w LOOP
        d := bench.snapshot(n, 1000, i);
        PERFORM workflow_persist.wf_save(prefix || i, d);
        INSERT INTO bench.raw VALUES (prefix || i, d) ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
        COMMIT;
    END LOOP;
END $$;

-- B6: awaitly's mergeSnapshots written in SQL (the same semantics as
-- wf_merge_snapshots, argument checks left out)
CREATE FUNCTION bench.merge_sql(base jsonb, delta jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT r - ARRAY(SELECT k FROM jsonb_each(r) AS e(k, v)
                      WHERE k IN ('metadata', 'warnings') AND v = 'null'::jsonb)
      FROM (SELECT jsonb_build_object(
        'formatVersion', 1,
        'steps', (base->'steps') || (delta->'steps'),
        'execution', COALESCE(CASE WHEN jsonb_typeof(delta->'execution') = 'object'
                                   THEN delta->'execution' END, '{}'::jsonb),
        'metadata', CASE WHEN jsonb_typeof(base->'metadata') = 'object'
                           OR jsonb_typeof(delta->'metadata') = 'object'
                         THEN COALESCE(CASE WHEN jsonb_typeof(base->'metadata') = 'object'
                                            THEN base->'metadata' END, '{}')
                              || COALESCE(CASE WHEN jsonb_typeof(delta->'metadata') = 'object'
                                               THEN delta->'metadata' END, '{}') END,
        'warnings', (SELECT jsonb_agg(w ORDER BY o, n) FROM (
                        SELECT 1 AS o, n, w
                          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(base->'warnings') = 'array'
                                                         THEN base->'warnings' ELSE '[]' END)
                               WITH ORDINALITY AS x(w, n)
                         WHERE NOT (delta->'steps') ? COALESCE(w->>'stepId', 'undefined')
                        UNION ALL
                        SELECT 2, n, w
                          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(delta->'warnings') = 'array'
                                                         THEN delta->'warnings' ELSE '[]' END)
                               WITH ORDINALITY AS y(w, n)) ws)) AS r) s
$$;

-- B6 inputs: 100-step base and delta (half the keys shared), with
-- metadata and warnings on both sides
CREATE TABLE bench.pairs (i int PRIMARY KEY, base jsonb, delta jsonb);
INSERT INTO bench.pairs
SELECT s,
       bench.snapshot(100, 300, s) || jsonb_build_object('warnings', jsonb_build_array(
           jsonb_build_object('type', 'lossy_value', 'stepId', 'step-00003', 'path', 'value', 'reason', 'circular'),
           jsonb_build_object('type', 'lossy_value', 'stepId', 'step-00090', 'path', 'value', 'reason', 'non-json'))),
       jsonb_set(bench.snapshot(100, 300, s + 1000), '{steps}',
                 (SELECT jsonb_object_agg(bench.step_key(i + 50), bench.step(i, 300, s + 2000))
                    FROM generate_series(1, 100) i))
         || jsonb_build_object('metadata', jsonb_build_object('attempt', 2, 'workflowId', null),
                               'warnings', jsonb_build_array(jsonb_build_object('type', 'lossy_value',
                                   'stepId', 'step-00120', 'path', 'value', 'reason', 'encode-failed')))
  FROM generate_series(1, 20) s;
