# Workflows are deleted whole or not at all under concurrent writers, TTLs,
# deletes, manual cleanups and the cleanup worker (F1 of the security
# review; the exact race is test/specs/retention_cleanup_whole.spec).
#
# pgbench runs mixed clients for about 30 seconds (WFP_STRESS_SECONDS) on
# a small set of ids, so that writers, TTLs that expire within
# milliseconds, deletes and cleanups keep meeting on the same rows, with
# a backlog of expired workflows that makes each cleanup statement take a
# while between its snapshot and its locks.  Expected errors (a workflow
# that expired or was deleted meanwhile: P0002; a finished or suspended
# one: 55000; a serialization failure: 40001) are absorbed by the
# scripts; any other error, such as the 23505 an orphan step row causes,
# aborts a client and fails the run.  Then, after a last cleanup:
# no step or event row without a header, every live workflow loads and
# validates, and its counters (step_count, pending) match its rows and its
# document.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $seconds = $ENV{WFP_STRESS_SECONDS} || 30;

my $node = PostgreSQL::Test::Cluster->new('stress');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'workflow_persist'
workflow_persist.cleanup_interval = '1s'
workflow_persist.cleanup_databases = 'postgres'
workflow_persist.cleanup_batch_size = 50
workflow_persist.cleanup_batch_delay = 0
max_connections = 30
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION workflow_persist;
-- run one operation, absorbing the errors a concurrent change explains
CREATE FUNCTION op(kind text, n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    id text := 's:' || n;
    k text := 'k' || (random() * 30)::int;
BEGIN
    CASE kind
    WHEN 'step' THEN
        PERFORM workflow_persist.wf_save_step(id, k, jsonb_build_object('ok', true, 'value', n));
    WHEN 'pending' THEN
        PERFORM workflow_persist.wf_save_step(id, k,
            jsonb_build_object('ok', false,
                'error', jsonb_build_object('type', 'PENDING_APPROVAL', 'stepKey', k),
                'cause', jsonb_build_object('type', 'thrown', 'stringRepresentation', 'wait')));
    WHEN 'ttl' THEN
        PERFORM workflow_persist.wf_set_ttl(id, make_interval(secs => random() * 0.03));
    WHEN 'save' THEN
        PERFORM workflow_persist.wf_save(id, jsonb_build_object('formatVersion', 1,
            'steps', jsonb_build_object(k, jsonb_build_object('ok', true)),
            'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')),
            ttl => make_interval(secs => random() * 0.05));
    WHEN 'finish' THEN
        PERFORM workflow_persist.wf_merge(id, jsonb_build_object('formatVersion', 1,
            'steps', jsonb_build_object(k, jsonb_build_object('ok', true)),
            'execution', jsonb_build_object('status', 'failed', 'lastUpdated', 't')));
    WHEN 'suspend' THEN
        PERFORM workflow_persist.wf_suspend(id, 'stress');
        PERFORM workflow_persist.wf_resume(id);
    WHEN 'cancel' THEN
        PERFORM workflow_persist.wf_cancel(id, 'stress');
    WHEN 'delete' THEN
        PERFORM workflow_persist.wf_delete(id);
    END CASE;
EXCEPTION
    WHEN no_data_found OR object_not_in_prerequisite_state OR serialization_failure THEN
        NULL;
END
$$;
-- retention: failed runs go after 20 ms, cancelled ones at once
SELECT workflow_persist.wf_set_retention('failed', '20 milliseconds');
SELECT workflow_persist.wf_set_retention('cancelled', '1 microsecond');
});

my %scripts = (
	# two checkpoints of one workflow in one transaction, with a pause
	# between them that the cleanup may fall into
	'checkpoints@8' => q{
\set n random(1, 40)
BEGIN;
SELECT op('step', :n);
SELECT pg_sleep(0.002);
SELECT op('step', :n);
SELECT op('pending', :n);
COMMIT;
},
	'ttl@3' => q{
\set n random(1, 40)
SELECT op('ttl', :n);
},
	'lifecycle@3' => q{
\set n random(1, 40)
BEGIN;
SELECT op('save', :n);
SELECT op('suspend', :n);
SELECT pg_sleep(0.001);
SELECT op('step', :n);
COMMIT;
},
	'finish@1' => q{
\set n random(1, 40)
SELECT op('finish', :n);
},
	'cancel@1' => q{
\set n random(1, 40)
SELECT op('cancel', :n);
},
	'delete@1' => q{
\set n random(1, 40)
SELECT op('delete', :n);
},
	# a backlog of expired workflows, so that a cleanup statement takes a
	# while between its snapshot and its locks
	'backlog@1' => q{
\set b random(1, 1000000000)
SELECT count(workflow_persist.wf_save('bulk:' || :b || ':' || g,
         '{"formatVersion": 1, "steps": {"a": {"ok": true}}, "execution": {"status": "running", "lastUpdated": "t"}}',
         ttl => '1 microsecond'))
  FROM generate_series(1, 200) AS g;
},
	'cleanup@3' => q{
SELECT workflow_persist.wf_cleanup(500);
},);

my $out = '';
my $err = '';
my @cmd = (
	'pgbench', '--no-vacuum', '--client=6', '--jobs=2', "--time=$seconds",
	'--failures-detailed');
while (my ($name, $body) = each %scripts)
{
	my ($base, $weight) = split /@/, $name;
	my $file = "$PostgreSQL::Test::Utils::tmp_check/$base.sql";
	PostgreSQL::Test::Utils::append_to_file($file, $body);
	push @cmd, "--file=$file\@$weight";
}
push @cmd, '--port=' . $node->port, '--host=' . $node->host, 'postgres';
my $ok;
{
	# the cleanups' NOTICE "another ... cleanup is running" is expected
	local $ENV{PGOPTIONS} = '-c client_min_messages=warning';
	$ok = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
}
my ($tx) = $out =~ /number of transactions actually processed: (\d+)/;
note("pgbench: " . ($tx // '?') . " transactions in $seconds s");
ok($ok, 'every client ran to the end (no unexpected error)')
  or diag("pgbench stdout:\n$out\nstderr:\n$err");
unlike($err, qr/ERROR/, 'no client saw an unexpected error');
cmp_ok($tx // 0, '>', 0, 'transactions ran');

# let the worker and a last manual cleanup finish the backlog
$node->safe_psql('postgres', 'CALL workflow_persist.wf_cleanup_all(1000)');

is( $node->safe_psql(
		'postgres', q{
SELECT (SELECT count(*) FROM workflow_persist.wf_step AS s
         WHERE NOT EXISTS (SELECT FROM workflow_persist.wf_workflow AS w WHERE w.id = s.workflow_id))
       || ' ' ||
       (SELECT count(*) FROM workflow_persist.wf_event AS e
         WHERE NOT EXISTS (SELECT FROM workflow_persist.wf_workflow AS w WHERE w.id = e.workflow_id))}),
	'0 0',
	'no step and no event row without its header');

my $live = $node->safe_psql('postgres',
	q{SELECT count(*) FROM workflow_persist.wf_live WHERE id LIKE 's:%'});
note("$live live workflows at the end");
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM workflow_persist.wf_live AS w
 WHERE workflow_persist.wf_load(w.id) IS NULL
    OR NOT workflow_persist.wf_is_valid(workflow_persist.wf_load(w.id))}),
	'0',
	'every live workflow loads and validates');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM workflow_persist.wf_live AS w
 WHERE w.step_count <> (SELECT count(*) FROM workflow_persist.wf_step AS s WHERE s.workflow_id = w.id)
    OR w.step_count <> (SELECT count(*) FROM jsonb_object_keys(workflow_persist.wf_load(w.id) -> 'steps'))
    OR w.pending <> (SELECT count(*) FROM workflow_persist.wf_step AS s
                      WHERE s.workflow_id = w.id AND s.pending IS NOT NULL)
    OR w.next_pos <= (SELECT coalesce(max(s.pos), 0) FROM workflow_persist.wf_step AS s
                       WHERE s.workflow_id = w.id)}),
	'0',
	'the counters of every live workflow match its rows and its document');
isnt($node->safe_psql('postgres', 'SELECT runs FROM workflow_persist.wf_cleanup_status'),
	'0', 'the cleanup ran');

$node->stop;
done_testing();
