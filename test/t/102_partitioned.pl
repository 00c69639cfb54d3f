# The store with hash-partitioned tables (docs/scale-out.md, "Ready for
# Citus").
#
# wf_workflow, wf_step and wf_event are replaced, right after CREATE
# EXTENSION, by tables declaratively partitioned by hash on the workflow id
# (four partitions each).  The same script of calls (every writer, reader,
# lifecycle function, listing and paging, cleanup, the checkpoint trigger)
# runs in that database and in one with the extension's own tables, and
# gives the same results: wf_load's direct read path falls back to SPI for
# a table that is not a plain local heap.  With pg_stat_statements, every
# statement the per-workflow functions run against those tables is shown
# to name one workflow (its id as a parameter): what a distributed table
# keyed by (namespace, id) needs.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('partitioned');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE plain');
$node->safe_psql('postgres', 'CREATE DATABASE part');
$node->safe_psql($_, 'CREATE EXTENSION workflow_persist') for qw(plain part);

# the three tables keyed by workflow, partitioned by hash of their id; the
# views that read them are re-pointed at the new tables
$node->safe_psql('part', <<'EOS');
SET search_path = '';
CREATE TEMP TABLE views AS
SELECT c.oid::regclass::text AS vname, pg_get_viewdef(c.oid) AS def
  FROM pg_class AS c
 WHERE c.relnamespace = 'workflow_persist'::regnamespace AND c.relkind = 'v';
DO $$
DECLARE
    t record;
    r record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('wf_workflow', 'id'), ('wf_step', 'workflow_id'),
                                   ('wf_event', 'workflow_id')) AS x(tbl, key) LOOP
        EXECUTE format('CREATE TABLE workflow_persist.%I (LIKE workflow_persist.%I INCLUDING ALL) PARTITION BY HASH (%I)',
                       t.tbl || '_p', t.tbl, t.key);
        FOR i IN 0 .. 3 LOOP
            EXECUTE format('CREATE TABLE workflow_persist.%I PARTITION OF workflow_persist.%I FOR VALUES WITH (MODULUS 4, REMAINDER %s)',
                           t.tbl || '_' || i, t.tbl || '_p', i);
        END LOOP;
        EXECUTE format('ALTER TABLE workflow_persist.%I RENAME TO %I', t.tbl, t.tbl || '_old');
        EXECUTE format('ALTER TABLE workflow_persist.%I RENAME TO %I', t.tbl || '_p', t.tbl);
    END LOOP;
    -- views first by dependency order (wf_live before those reading it)
    FOR r IN SELECT * FROM pg_temp.views AS w ORDER BY w.vname <> 'workflow_persist.wf_live', w.vname LOOP
        EXECUTE format('CREATE OR REPLACE VIEW %s WITH (security_invoker = true) AS %s', r.vname, r.def);
    END LOOP;
    FOR t IN SELECT unnest(ARRAY['wf_workflow', 'wf_step', 'wf_event']) AS tbl LOOP
        EXECUTE format('ALTER EXTENSION workflow_persist DROP TABLE workflow_persist.%I', t.tbl || '_old');
        IF t.tbl = 'wf_event' THEN
            EXECUTE 'ALTER EXTENSION workflow_persist DROP SEQUENCE workflow_persist.wf_event_seq_seq';
        END IF;
        EXECUTE format('DROP TABLE workflow_persist.%I', t.tbl || '_old');
    END LOOP;
END
$$;
EOS
is($node->safe_psql('part', q{
	SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class
	 WHERE relnamespace = 'workflow_persist'::regnamespace
	   AND relname IN ('wf_workflow', 'wf_step', 'wf_event')}),
	'wf_event:p,wf_step:p,wf_workflow:p', 'the three tables are partitioned');

my $approval = q{{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve", "reason": "over budget", "metadata": {"amount": 12}}, "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}, "meta": {"origin": "result"}}};
my $snap = q{{"formatVersion": 1, "steps": {"x": {"ok": true, "value": 1}, "y": {"ok": true, "value": [1, 2]}}, "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00Z"}, "metadata": {"who": "test"}}};
# documents without the save time; rows without timestamps
my @script = (
	q{SELECT count(wf_save_step('a' || i, 's1', ('{"ok": true, "value": ' || i || '}')::jsonb)) FROM generate_series(1, 40) AS i},
	qq{SELECT wf_save_step('a1', 'approve', '$approval')},
	qq{SELECT wf_save('b1', '$snap')},
	q{SELECT wf_merge('b1', '{"formatVersion": 1, "steps": {"z": {"ok": true, "value": 3}}, "execution": {"status": "running", "lastUpdated": "2024-01-02T00:00:00Z"}}')},
	q{SELECT wf_load('b1') #- '{execution,lastUpdated}'},
	q{SELECT wf_load('b1', 'all', NULL, 1) #- '{execution,lastUpdated}'},
	q{SELECT wf_load('b1', 'all', 'x', NULL) #- '{execution,lastUpdated}'},
	q{SELECT wf_load('a1') #- '{execution,lastUpdated}'},
	q{SELECT wf_load('nope') IS NULL},
	q{SELECT wf_exists('a2'), wf_exists('nope')},
	q{SELECT pos, step_key, ok, result FROM wf_steps('b1')},
	q{SELECT id, status, version, step_count, pending, size_bytes FROM wf_info('a1')},
	q{SELECT id, step_key, kind, reason, request FROM wf_pending()},
	q{SELECT wf_approve('a1', 'approve', '"yes"')},
	q{SELECT wf_suspend('a2', 'waiting', '{"for": "x"}')},
	q{SELECT id, step_key, kind, reason FROM wf_pending()},
	q{SELECT wf_resume('a2', '{"k": 1}')},
	q{SELECT wf_cancel('a3', 'not needed')},
	q{SELECT event, step_key, detail FROM wf_history('a1')},
	q{SELECT event, step_key FROM wf_history('a2')},
	q{SELECT wf_replay('a3', 'a3-again')},
	q{SELECT wf_fork('b1', 'b1-fork', 'x')},
	q{SELECT wf_load('b1-fork') #- '{execution,lastUpdated}' #- '{metadata,forkOf}'},
	q{SELECT wf_lease_acquire('a4', 'me', '1 minute') IS NOT NULL},
	q{SELECT wf_save_step('a4', 's2', '{"ok": true, "value": 2}', NULL, (SELECT lease_token FROM workflow_persist.wf_workflow WHERE id = 'a4'))},
	q{SELECT wf_lease_release('a4', (SELECT lease_token FROM workflow_persist.wf_workflow WHERE id = 'a4'))},
	q{SELECT wf_set_ttl('a5', '1 day') IS NOT NULL},
	q{SELECT wf_step_result('a6', 's1')},
	q{SELECT wf_resolve('b1-')},
	q{SELECT wf_resolve('a3-')},
	q{SELECT id, status, version, step_count FROM wf_list(max_rows => 100) ORDER BY id},
	q{SELECT id, status FROM wf_list(prefix => 'a1', status => 'running') ORDER BY id},
	q{SELECT status, workflows, steps, expired FROM wf_stats ORDER BY status},
	q{SELECT wf_delete('a6'), wf_delete('a6')},
	q{UPDATE workflow_persist.wf_workflow SET expires_at = now() - interval '1 day' WHERE id IN ('a7', 'a8')},
	q{SELECT wf_exists('a7'), wf_load('a7') IS NULL},
	q{SELECT wf_cleanup(), wf_cleanup()},
	q{SELECT count(*) FROM workflow_persist.wf_workflow},
	q{CREATE TABLE public.biz (wf text, k text, v jsonb)},
	q{SELECT wf_attach_checkpoint('public.biz', 'wf', 'k', 'v')},
	q{INSERT INTO public.biz VALUES ('t1', 'first', '{"ok": true, "value": 1}'), ('t1', 'second', '{"ok": true, "value": 2}')},
	q{SELECT wf_load('t1') #- '{execution,lastUpdated}'},
);
# keyset paging: every page, by 7, the ids in order
my $paging = q{
	WITH RECURSIVE pages(n, ids, last) AS (
	    SELECT 1, (SELECT string_agg(l.id, ',') FROM wf_list(NULL, NULL, 7, NULL) AS l),
	           (SELECT (array_agg(l.next))[7] FROM wf_list(NULL, NULL, 7, NULL) AS l)
	    UNION ALL
	    SELECT n + 1, (SELECT string_agg(l.id, ',') FROM wf_list(NULL, NULL, 7, p.last) AS l),
	           (SELECT (array_agg(l.next))[7] FROM wf_list(NULL, NULL, 7, p.last) AS l)
	      FROM pages AS p WHERE p.last IS NOT NULL)
	SELECT count(*), sum(array_length(string_to_array(ids, ','), 1)) FROM pages WHERE ids IS NOT NULL};
push @script, $paging;

for my $q (@script)
{
	my @a = $node->psql('plain', "SET search_path = workflow_persist; $q");
	my @b = $node->psql('part', "SET search_path = workflow_persist; $q");
	is($a[0], 0, "plain tables: $q") or diag($a[2]);
	is("$b[0]|$b[1]|$b[2]", "$a[0]|$a[1]|$a[2]", "partitioned tables give the same: $q");
}
is($node->safe_psql('part', q{SELECT count(DISTINCT tableoid) FROM workflow_persist.wf_workflow}), '4',
	'the workflows are spread over the four partitions');

# ---- every statement of the per-workflow functions names one workflow ----
# the script again, in a fresh database, without the calls over many
# workflows (listing, pending of all, stats, cleanup, resolve, paging); the
# test's own statements are top-level ones, which are not counted
$node->safe_psql('postgres', 'CREATE DATABASE audit');
$node->safe_psql('audit', 'CREATE EXTENSION workflow_persist; CREATE EXTENSION pg_stat_statements');
$node->safe_psql('audit', 'SELECT pg_stat_statements_reset()');
my @per_workflow = grep {
	!/wf_list|wf_pending\(\)|wf_stats|wf_cleanup|wf_resolve/
} @script;
$node->safe_psql('audit', "SET search_path = workflow_persist; $_") for @per_workflow;
my @statements = split /\n/, $node->safe_psql('audit', q{
	SELECT regexp_replace(query, '\s+', ' ', 'g') FROM pg_stat_statements
	 WHERE query ~ 'wf_(workflow|step|event|live)\M' AND toplevel = false
	 ORDER BY 1});
cmp_ok(scalar(@statements), '>', 10, 'the per-workflow functions ran statements on the tables');
my @wide = grep { !/\b(?:id|workflow_id)\s*=\s*(?:\$\d|wf_check_id\(\$\d\)|workflow_persist\.wf_check_id\(\$\d\)|[\w.]+\.wf_check_id\(\$\d\)|[\w.]+\$\d|wf_\w+\.id\b)|ON CONFLICT \((?:namespace, )?id\)|VALUES \((?:\$\d+, )?\$1\b|wf_check_id\(\$1\) AS wanted/ } @statements;
is(join("\n", @wide), '', 'each of them selects its rows by one workflow id');

$node->stop;
done_testing();
