# The cleanup worker deletes one batch of cleanup_batch_size per
# transaction (each batch a wf_cleanup call of its own, committed before
# the next), so a big backlog never becomes one long transaction holding
# every deleted row.
#
# A launcher's first round starts as soon as it starts; with
# cleanup_interval = 1h that round is the only one, so the counters of
# wf_cleanup_status tell exactly what it did: 55 expired workflows with
# cleanup_batch_size = 10 are 7 wf_cleanup calls (10, 10, 10, 10, 10, 5,
# and a last one that finds nothing: a short batch may only mean rows
# were skipped, so the worker stops when a batch deletes nothing).
#
# Between two batches the worker pauses cleanup_batch_delay (waiting on
# its latch, wait event "Extension"): with a 1 minute pause a round
# deletes exactly one batch and then waits, and SIGTERM ends it at once.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $LAUNCHER = 'workflow_persist cleanup launcher';

my $node = PostgreSQL::Test::Cluster->new('batches');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'workflow_persist'
workflow_persist.cleanup_interval = '1h'
workflow_persist.cleanup_databases = 'postgres'
workflow_persist.cleanup_batch_size = 10
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'"),
	'the launcher runs');
# its first round ran at start (before the extension existed, or on an
# empty store): wait until no worker is left
ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'workflow_persist cleanup'}),
	'no round is running');

my $doc = "jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('a', jsonb_build_object('ok', true)), "
  . "'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't'))";
$node->safe_psql('postgres', qq{
	SELECT count(workflow_persist.wf_save('gone' || i, $doc)) FROM generate_series(1, 55) AS i;
	UPDATE workflow_persist.wf_workflow SET expires_at = now() - '1 minute'::interval;
	UPDATE workflow_persist.wf_cleanup_state SET runs = 0, deleted = 0, last_deleted = NULL;
});
is($node->safe_psql('postgres', 'SELECT expired_waiting FROM workflow_persist.wf_cleanup_status'),
	'55', '55 expired workflows wait');

# a new launcher: one round now, the next in an hour
my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'");
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = '$LAUNCHER' AND pid <> $pid"),
	'a new launcher started');
ok( $node->poll_query_until(
		'postgres',
		'SELECT expired_waiting = 0 FROM workflow_persist.wf_cleanup_status'),
	'its first round deleted the backlog');
ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'workflow_persist cleanup'}),
	'the round is over');
is( $node->safe_psql(
		'postgres',
		'SELECT runs, deleted, last_deleted FROM workflow_persist.wf_cleanup_status'),
	'7|55|0',
	'one wf_cleanup call per batch of cleanup_batch_size: 10, 10, 10, 10, 10, 5, 0');

# the pause: one batch, then a wait that SIGTERM interrupts
$node->safe_psql('postgres', q{
	SELECT count(workflow_persist.wf_save('late' || i, jsonb_build_object('formatVersion', 1, 'steps', '{}'::jsonb,
		'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')))) FROM generate_series(1, 25) AS i;
	UPDATE workflow_persist.wf_workflow SET expires_at = now() - '1 minute'::interval;
	ALTER SYSTEM SET workflow_persist.cleanup_batch_delay = '1min';
	SELECT pg_reload_conf();
});
is($node->safe_psql('postgres', 'SHOW workflow_persist.cleanup_batch_delay'),
	'1min', 'the pause is a minute');
$pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'");
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity
		  WHERE backend_type = 'workflow_persist cleanup'
		    AND wait_event_type = 'Extension' AND wait_event = 'Extension'}),
	'the worker pauses after a batch');
is( $node->safe_psql(
		'postgres',
		'SELECT runs, deleted, last_deleted, expired_waiting FROM workflow_persist.wf_cleanup_status'),
	'8|65|10|15',
	'it deleted one batch of 10 and left 15 waiting');
$node->safe_psql('postgres',
	q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'workflow_persist cleanup'});
ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'workflow_persist cleanup'}),
	'SIGTERM ends the pause at once');
is($node->safe_psql('postgres', 'SELECT expired_waiting FROM workflow_persist.wf_cleanup_status'),
	'15', 'the rest waits for the next round');

$node->stop;
done_testing();
