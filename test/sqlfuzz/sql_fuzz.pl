# The SQL API under fuzz (make test, suite "sqlfuzz"; docs/security.md).
#
# SQLFUZZ_CALLS generated calls (default 100,000) of every function and
# procedure of the extension, read from the catalog (pg_depend), and of
# the checkpoint trigger (inserts into a table that has it), in batches of
# 1,000, one transaction each, each call in a subtransaction so its error
# is caught and its effects kept.  Eight batches in ten run as a writer
# (wf_grant_access), one as a reader, one as a role without grants.
# Arguments are drawn, by parameter type and name, from pools of NULLs,
# extremes (0, -1, 2^31-1, -2^63, intervals of 178 million years,
# infinity), hostile text (quotes, backslashes, format directives, control
# characters, SQL, 513 and 20,000 bytes, astral and surrogate-edge code
# points), and jsonb documents: valid snapshots and step results, pending
# approvals, scalars, deep (up to 3,000 levels) and wide (up to 3,000
# members) values, huge numbers.  Ids mostly come from a pool of 40, so
# calls meet each other's workflows.
#
# Checked: the server never crashes (its log has no "terminated by
# signal", PANIC or TRAP, and it answers after every batch); no call
# raises an internal error (SQLSTATE class XX); and 20 sentinel
# workflows that no call names (all statuses, steps, pending approvals,
# events, a lease) are byte for byte what they were (a checksum of their
# rows in wf_workflow, wf_step and wf_event).  SQLFUZZ_SEED picks the
# run (the default is fixed, so a failure can be replayed).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $calls = $ENV{SQLFUZZ_CALLS} // 100_000;
my $seed = $ENV{SQLFUZZ_SEED} // 20261206;
my $batch = 1000;

my $node = PostgreSQL::Test::Cluster->new('sqlfuzz');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'workflow_persist'
log_min_messages = warning
log_min_error_statement = panic
});
$node->start;
my $started = time();

$node->safe_psql('postgres', <<'SQL');
CREATE EXTENSION workflow_persist;
CREATE ROLE wfz_writer;
CREATE ROLE wfz_reader;
CREATE ROLE wfz_none;
SELECT workflow_persist.wf_grant_access('wfz_writer');
SELECT workflow_persist.wf_grant_access('wfz_reader', writable => false);
SET search_path = workflow_persist, public;

-- the sentinels: every status, steps, a waiting approval, events, a lease
SELECT count(wf_save_step('sentinel:' || i, 'a', jsonb_build_object('ok', true, 'value', i)))
  FROM generate_series(1, 20) AS i;
SELECT wf_save_step('sentinel:2', 'approve',
       '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve", "reason": "r"},
         "cause": {"type": "thrown", "stringRepresentation": "x"}}');
SELECT wf_suspend('sentinel:3', 'waiting', '{"form": 1}');
SELECT wf_cancel('sentinel:4', 'stop');
SELECT wf_save('sentinel:5', '{"formatVersion": 1, "steps": {"a": {"ok": true}},
                "execution": {"status": "completed", "lastUpdated": "t"}}');
SELECT wf_save('sentinel:6', '{"formatVersion": 1, "steps": {"a": {"ok": false, "error": "E",
                "cause": {"type": "error", "name": "Error", "message": "m"}}},
                "execution": {"status": "failed", "lastUpdated": "t"}}');
SELECT wf_lease_acquire('sentinel:7', 'owner', '1 day') IS NOT NULL;

CREATE SCHEMA fuzz;
GRANT USAGE ON SCHEMA fuzz TO PUBLIC;
CREATE TABLE fuzz.checkpointed (id text, k text, v jsonb);
SELECT wf_attach_checkpoint('fuzz.checkpointed', 'id', 'k', 'v');
GRANT ALL ON fuzz.checkpointed TO PUBLIC;

-- exactly these ids (the hostile ids 'sentinel:' and 'sentinel:1x' are
-- other workflows, which calls may create)
CREATE FUNCTION fuzz.sentinel_ids() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY(SELECT 'sentinel:' || i FROM generate_series(1, 20) AS i)
$$;
CREATE FUNCTION fuzz.sentinels() RETURNS text LANGUAGE sql AS $$
    SELECT md5(COALESCE((SELECT string_agg(to_jsonb(w)::text, ',' ORDER BY w.id)
                           FROM workflow_persist.wf_workflow AS w WHERE w.id = ANY (fuzz.sentinel_ids())), '')
            || COALESCE((SELECT string_agg(to_jsonb(s)::text, ',' ORDER BY s.workflow_id, s.step_key)
                           FROM workflow_persist.wf_step AS s WHERE s.workflow_id = ANY (fuzz.sentinel_ids())), '')
            || COALESCE((SELECT string_agg(to_jsonb(e)::text, ',' ORDER BY e.workflow_id, e.seq)
                           FROM workflow_persist.wf_event AS e WHERE e.workflow_id = ANY (fuzz.sentinel_ids())), ''))
$$;

-- pools of SQL literals, by kind
CREATE TABLE fuzz.pool (kind text, lit text);
CREATE FUNCTION fuzz.add(k text, VARIADIC lits text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO fuzz.pool SELECT k, l FROM unnest(lits) AS l
$$;
CREATE FUNCTION fuzz.deep(n int, leaf text) RETURNS text LANGUAGE sql AS $$
    SELECT repeat('{"a": [', n) || leaf || repeat(']}', n)
$$;
CREATE FUNCTION fuzz.wide(n int) RETURNS text LANGUAGE sql AS $$
    SELECT '{' || string_agg(format('"k%s": %s', i, i), ', ') || '}' FROM generate_series(1, n) AS i
$$;

-- hostile text, shared by every text parameter
CREATE FUNCTION fuzz.hostile() RETURNS SETOF text LANGUAGE sql AS $h$
    SELECT quote_literal(x) FROM unnest(ARRAY[
        '', ' ', 'x', '''', '"', '\', '\\', '%s%n%x%p', E'\x01\x1b[2J\x07', E'a\tb\nc\r',
        '''; DROP TABLE workflow_persist.wf_workflow; --', '$$', 'sentinel:', 'sentinel:1x',
        repeat('x', 512), repeat('x', 513), repeat('é', 256), repeat('y', 20000),
        U&'\+01F9FE\+10FFFF\FFFF\FEFF\202E', chr(55295), chr(57344), '%', '_', 'steps',
        '__proto__', 'execution', 'null', 'NaN', 'infinity', '-1', '2147483648'
    ]) AS x
$h$;
SELECT fuzz.add('text', VARIADIC ARRAY(SELECT fuzz.hostile()));
-- ids: mostly a pool of 40 (so calls meet), some hostile
SELECT fuzz.add('id', VARIADIC ARRAY(SELECT quote_literal('fz:' || i) FROM generate_series(1, 40) AS i));
SELECT fuzz.add('id', VARIADIC ARRAY(SELECT quote_literal('fz:' || i) FROM generate_series(1, 40) AS i));
SELECT fuzz.add('id', VARIADIC ARRAY(SELECT fuzz.hostile()));
SELECT fuzz.add('key', '''a''', '''b''', '''approve''', '''k''', '''''', quote_literal(repeat('k', 1024)),
                quote_literal(repeat('k', 1025)), '''steps''', quote_literal(E'\x01'));
SELECT fuzz.add('status', '''running''', '''suspended''', '''completed''', '''failed''',
                '''cancelled''', '''bogus''', '''''', '''RUNNING''', '''paused''', '''interrupted''');
-- namespaces: the default one, another, every one, bad ones
SELECT fuzz.add('namespace', 'NULL', '''default''', '''default''', '''fz.other''', '''*''', '''''',
                '''a/b''', quote_literal(repeat('n', 64)));
SELECT fuzz.add('bytea', 'NULL', '''\x''', '''\x00ff00''', quote_literal('\x' || repeat('00', 10000)));
SELECT fuzz.add('decision', '''approve''', '''reject''', '''edit''', '''approved''', '''APPROVE''',
                '''''', '''bogus''');
SELECT fuzz.add('include', '''all''', '''none''', '''completed''', '''pending''', '''bogus''', '''''');
SELECT fuzz.add('int4', '0', '1', '-1', '2', '10', '1000', '2147483647', '(-2147483647 - 1)', '1073741824');
SELECT fuzz.add('int8', '0', '1', '-1', '2', '10', '9223372036854775807', '(-9223372036854775807 - 1)',
                '2147483648');
SELECT fuzz.add('bool', 'true', 'false');
SELECT fuzz.add('interval', '''0''', '''-1 second''', '''1 microsecond''', '''1 millisecond''',
                '''1 hour''', '''30 days''', '''290000 years''', '''178000000 years''',
                '''2147483647 days''', '''1 mon -30 days''');
SELECT fuzz.add('timestamptz', '''infinity''', '''-infinity''', 'now()', '''4713-01-01 BC''',
                '''294276-12-31''', '''epoch''');
SELECT fuzz.add('regclass', '''fuzz.checkpointed''', '''pg_class''', '''workflow_persist.wf_workflow''',
                '''workflow_persist.wf_live''', '''fuzz.pool''');
SELECT fuzz.add('name', '''id''', '''k''', '''v''', '''''', '''ctid''', '''nonexistent''',
                quote_literal(repeat('n', 80)), quote_literal('x"); DROP TABLE fuzz.pool; --'));
SELECT fuzz.add('regrole', '''wfz_writer''', '''pg_monitor''', quote_literal(current_user));
SELECT fuzz.add('text[]', '''{}''', 'ARRAY[''fz:1'']', 'ARRAY[''fz:1'', ''fz:2'', NULL]',
                'ARRAY[NULL::text]', quote_literal('{' || repeat('x,', 1000) || 'x}'));
-- jsonb: snapshots, deltas, step results, waits, scalars, deep, wide, extremes
SELECT fuzz.add('jsonb', VARIADIC ARRAY(SELECT quote_literal(j) || '::jsonb' FROM unnest(ARRAY[
    '{"formatVersion": 1, "steps": {"a": {"ok": true}}, "execution": {"status": "running", "lastUpdated": "t"}}',
    '{"formatVersion": 1, "steps": {}, "execution": {"status": "completed", "lastUpdated": "t"}}',
    '{"formatVersion": 1, "steps": {"b": {"ok": false, "error": "E", "cause": {"type": "error", "name": "Error", "message": "m"}}}, "execution": {"status": "failed", "lastUpdated": "t"}}',
    '{"formatVersion": 2, "steps": []}', '{"steps": null}', '{"formatVersion": 1}',
    '{"ok": true}', '{"ok": true, "value": {"x": [1, 2, 3]}}', '{"ok": false}', '{"ok": "yes"}',
    '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve", "reason": "r"}, "cause": {"type": "thrown", "stringRepresentation": "x"}}',
    '{"ok": false, "error": {"type": "PENDING_HOOK", "hookId": "h", "stepKey": "k"}, "cause": {"type": "thrown", "stringRepresentation": "x"}}',
    '{"status": "interrupted", "request": {"actions": ["a", {"id": "k"}, {"id": 5}, null]}}',
    '{"status": "suspended", "request": {"actions": "k"}}', '{"status": "interrupted", "request": []}',
    '{}', '[]', 'null', 'true', '5', '"s"', '1e400', '-0', '123456789012345678901234567890.5',
    '{"ok": true, "value": "' || repeat('v', 100000) || '"}',
    '{"formatVersion": 1, "steps": {"a": {"ok": true}}, "execution": {"status": "running", "lastUpdated": "t"}, "metadata": {"resume": 1}}',
    '{"formatVersion": 1e400, "steps": {}}', '{"formatVersion": "1", "steps": {}}',
    '{"status": "running", "steps": [{"key": "a", "index": 0, "status": "completed"}, {"key": "b", "index": 1}]}',
    '{"status": "paused", "name": "n", "state": {"i": 1}, "metadata": {"m": 1}, "created_at": "2026-01-01T00:00:00Z"}',
    '{"status": "running", "steps": [{"key": "a", "index": 2147483646}]}',
    '{"key": "a", "index": 0, "status": "failed", "error": {"message": "m"}}',
    '{"kind": "ResumeState", "steps": [["a", {"ok": true}], ["b", {"ok": false, "error": "E", "cause": {"type": "error", "name": "Error", "message": "m"}}]]}',
    '{"kind": "ResumeState", "steps": [["a", 5], [1]]}',
    fuzz.deep(10, '1'), fuzz.deep(900, '{"ok": true}'), fuzz.deep(3000, 'null'),
    '{"ok": true, "value": ' || fuzz.deep(2000, '1') || '}',
    '{"formatVersion": 1, "steps": ' || fuzz.wide(3000) || '}',
    '{"ok": true, "value": ' || fuzz.wide(3000) || '}',
    fuzz.wide(40), '{"formatVersion": 1, "steps": {"' || repeat('k', 2000) || '": {"ok": true}}}',
    '{"formatVersion": 1, "steps": {"a": ' || fuzz.deep(1500, '{"ok": true}') || '}, "execution": {"status": "running", "lastUpdated": "t"}}'
]) AS j));

-- the argument pool of a parameter
CREATE FUNCTION fuzz.kind(param text, typ regtype) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN typ = 'text'::regtype AND param IN ('id', 'new_id', 'id_prefix', 'prefix') THEN 'id'
        WHEN typ = 'text'::regtype AND param IN ('step_key', 'up_to_step', 'since_step', 'action') THEN 'key'
        WHEN typ = 'text'::regtype AND param = 'decision' THEN 'decision'
        WHEN typ = 'text'::regtype AND param IN ('status', 'wanted_status') THEN 'status'
        WHEN typ = 'text'::regtype AND param = 'include' THEN 'include'
        WHEN typ = 'text'::regtype AND param IN ('namespace', 'wanted_namespace') THEN 'namespace'
        WHEN typ = 'text'::regtype THEN 'text'
        WHEN typ = 'integer'::regtype THEN 'int4'
        WHEN typ = 'bigint'::regtype THEN 'int8'
        WHEN typ = 'boolean'::regtype THEN 'bool'
        WHEN typ = 'timestamp with time zone'::regtype THEN 'timestamptz'
        ELSE typ::text END
$$;

-- the calls: every function and procedure of the extension
CREATE TABLE fuzz.target (n serial, name text, kind char, setof bool, rettype regtype,
                          kinds text[], names text[]);
INSERT INTO fuzz.target (name, kind, setof, rettype, kinds, names)
SELECT p.proname, p.prokind, p.proretset, p.prorettype,
       ARRAY(SELECT fuzz.kind(p.proargnames[a.ord], a.typ)
               FROM unnest(p.proargtypes::regtype[]) WITH ORDINALITY AS a(typ, ord) ORDER BY a.ord),
       p.proargnames
  FROM pg_depend AS d JOIN pg_proc AS p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'workflow_persist')
 ORDER BY p.proname;

CREATE TABLE fuzz.pool_idx AS
SELECT kind, array_agg(lit ORDER BY lit) AS lits FROM fuzz.pool GROUP BY kind;

-- one batch: n calls from seed; returns (function, sqlstate, calls)
CREATE FUNCTION fuzz.batch(seed float8, n int)
RETURNS TABLE (fn text, state text, calls int) LANGUAGE plpgsql AS $$
DECLARE
    targets fuzz.target[] := ARRAY(SELECT t FROM fuzz.target AS t ORDER BY t.n);
    pools jsonb := (SELECT jsonb_object_agg(p.kind, to_jsonb(p.lits)) FROM fuzz.pool_idx AS p);
    t fuzz.target;
    args text[];
    lits jsonb;
    q text;
    st text;
    counts jsonb := '{}';
    key text;
BEGIN
    PERFORM setseed(seed);
    FOR i IN 1 .. n LOOP
        t := targets[1 + floor(random() * cardinality(targets))::int];
        args := '{}';
        FOR a IN 1 .. COALESCE(cardinality(t.kinds), 0) LOOP
            lits := pools -> t.kinds[a];
            IF lits IS NULL THEN
                RAISE EXCEPTION 'no pool for parameter % of % (%)', t.names[a], t.name, t.kinds[a];
            END IF;
            args := args || CASE WHEN random() < 0.1 THEN 'NULL'
                                 ELSE lits ->> floor(random() * jsonb_array_length(lits))::int END;
        END LOOP;
        IF t.rettype = 'trigger'::regtype THEN
            q := format('INSERT INTO fuzz.checkpointed VALUES (%s, %s, %s)',
                        pools -> 'id' ->> floor(random() * jsonb_array_length(pools -> 'id'))::int,
                        pools -> 'key' ->> floor(random() * jsonb_array_length(pools -> 'key'))::int,
                        pools -> 'jsonb' ->> floor(random() * jsonb_array_length(pools -> 'jsonb'))::int);
        ELSIF t.kind = 'p' THEN
            q := format('CALL workflow_persist.%I(%s)', t.name, array_to_string(args, ', '));
        ELSIF t.setof THEN
            q := format('SELECT count(*) FROM workflow_persist.%I(%s)', t.name, array_to_string(args, ', '));
        ELSE
            q := format('SELECT workflow_persist.%I(%s)', t.name, array_to_string(args, ', '));
        END IF;
        BEGIN
            EXECUTE q;
            st := '00000';
        EXCEPTION WHEN OTHERS THEN
            st := SQLSTATE;
            IF st LIKE 'XX%' THEN
                RAISE WARNING 'sqlfuzz internal error % from: %: %', st, left(q, 2000), SQLERRM;
            END IF;
        END;
        key := t.name || ' ' || st;
        counts := jsonb_set(counts, ARRAY[key], to_jsonb(COALESCE((counts ->> key)::int, 0) + 1));
    END LOOP;
    RETURN QUERY SELECT split_part(k, ' ', 1), split_part(k, ' ', 2), (counts ->> k)::int
                   FROM jsonb_object_keys(counts) AS k;
END $$;
GRANT ALL ON ALL TABLES IN SCHEMA fuzz TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA fuzz TO PUBLIC;
SQL

my $before = $node->safe_psql('postgres', 'SELECT fuzz.sentinels()');
# overloads (wf_save's jsonb and text) share a name: calls are made and counted by name
my $functions = $node->safe_psql('postgres', 'SELECT count(DISTINCT name) FROM fuzz.target');
my %by_state;
my %by_fn;
my $done = 0;
my $alive = 1;
for (my $b = 0; $done < $calls; $b++)
{
	my $n = $calls - $done < $batch ? $calls - $done : $batch;
	my $s = ($seed % 1_000_003 + $b) / 2_000_011;    # setseed wants -1..1
	my $role = $b % 10 == 3 ? 'wfz_reader' : $b % 10 == 7 ? 'wfz_none' : 'wfz_writer';
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET ROLE $role; SET statement_timeout = '120s'; SET client_min_messages = error; "
		  . "SELECT fn || ' ' || state || ' ' || calls FROM fuzz.batch($s, $n)");
	if ($ret != 0)
	{
		diag("batch $b failed: $err");
		$alive = 0 unless $node->safe_psql('postgres', 'SELECT 1') eq '1';
		$by_state{'batch failed'}++;
		last unless $alive;
	}
	for my $line (split /\n/, $out)
	{
		my ($fn, $state, $c) = split / /, $line;
		$by_state{$state} += $c;
		$by_fn{$fn} += $c;
	}
	$done += $n;
}
my $elapsed = time() - $started;
my $after = $node->safe_psql('postgres', 'SELECT fuzz.sentinels()');

my $total = 0;
$total += $_ for values %by_fn;
diag(sprintf('%d calls of %d functions in %.0f s (seed %s)', $total, $functions, $elapsed, $seed));
diag(join(', ', map { "$_: $by_state{$_}" } sort keys %by_state));
cmp_ok($total, '>=', $calls, "at least $calls calls were made");
is(scalar(keys %by_fn), $functions, 'every function of the extension was called');
ok($alive, 'the server answered after every batch');
is($by_state{'batch failed'} // 0, 0, 'no batch failed');
my @internal = grep { /^XX/ } keys %by_state;
is(scalar(@internal), 0, 'no internal error (SQLSTATE class XX)')
  or diag(join(', ', map { "$_: $by_state{$_}" } @internal));
is($after, $before, 'the sentinel workflows are unchanged');
ok(($by_state{'00000'} // 0) > $calls / 20, 'and a good share of the calls succeeded');

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|PANIC|TRAP:|server process .* was terminated/,
	'no crash in the server log');
my @xx = $log =~ /WARNING:  (sqlfuzz internal error .*)/g;
diag($_) for @xx[ 0 .. ($#xx < 9 ? $#xx : 9) ];
done_testing();
