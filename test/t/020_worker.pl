# The cleanup background worker.
#
# A node with workflow_persist preloaded and cleanup_interval = 1 runs a
# launcher (visible in pg_stat_activity) that cleans every listed database
# each round: expired workflows disappear with their steps, a database
# without the extension is skipped without an error, a quoted mixed-case
# name works.  Settings reload on SIGHUP (a long interval stops the rounds,
# 1 s resumes them); a terminated launcher is restarted; a failing round
# (the cleanup role lost a privilege) is logged and kept in
# wf_cleanup_status.last_error, and the round after the fix succeeds.  A
# streaming standby runs no launcher until it is promoted.  A node without
# preloading can create the extension and clean up by hand, with no
# launcher.
#
# Waits are polls (poll_query_until); the only fixed waits check that
# nothing happens while the rounds are off.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $LAUNCHER = 'workflow_persist cleanup launcher';

my $node = PostgreSQL::Test::Cluster->new('worker');
$node->init(allows_streaming => 1);
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'workflow_persist'
workflow_persist.cleanup_interval = 1
workflow_persist.cleanup_databases = ''
log_min_messages = log
});
$node->start;

# the worker's databases: postgres and "Mixed Db" with the extension,
# noext without it
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');
$node->safe_psql('postgres', 'CREATE DATABASE noext');
$node->safe_psql('postgres', 'CREATE DATABASE "Mixed Db"');
$node->safe_psql('Mixed Db', 'CREATE EXTENSION workflow_persist');

sub doc_sql
{
	return "jsonb_build_object('formatVersion', 1, 'steps', "
	  . "jsonb_build_object('a', jsonb_build_object('ok', true), 'b', jsonb_build_object('ok', true)), "
	  . "'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't'))";
}

# n expired workflows (with two steps each) named prefix1..prefixN
sub add_expired
{
	my ($node, $db, $prefix, $n) = @_;
	my $doc = doc_sql();
	$node->safe_psql($db, qq{
		SELECT count(workflow_persist.wf_save('$prefix' || i, $doc)) FROM generate_series(1, $n) AS i;
		UPDATE workflow_persist.wf_workflow SET expires_at = now() - '1 minute'::interval
		 WHERE id LIKE '$prefix%';
	});
}

sub launcher_pid
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'");
}

sub status_row
{
	my ($node, $db) = @_;
	return $node->safe_psql($db,
		'SELECT runs, deleted, expired_waiting, last_error IS NULL FROM workflow_persist.wf_cleanup_status');
}

# ---------------------------------------------------------------------------
# the launcher, and a first cleanup of three databases
# ---------------------------------------------------------------------------
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'"),
	'the launcher is in pg_stat_activity');
is( $node->safe_psql(
		'postgres',
		"SELECT datname IS NULL, application_name FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'"),
	"t|$LAUNCHER",
	'the launcher is connected to no database');

my $doc = doc_sql();
add_expired($node, 'postgres', 'gone', 30);
add_expired($node, 'Mixed Db', 'gone', 5);
$node->safe_psql('postgres', "SELECT workflow_persist.wf_save('live', $doc)");
$node->safe_psql('postgres',
	"SELECT workflow_persist.wf_save('live-ttl', $doc, ttl => '1 hour')");
is($node->safe_psql('postgres', 'SELECT expired_waiting FROM workflow_persist.wf_cleanup_status'),
	'30', '30 expired workflows wait');

# nothing happens while cleanup_databases is empty; list the databases
$node->safe_psql('postgres',
	qq{ALTER SYSTEM SET workflow_persist.cleanup_databases = 'postgres, noext, "Mixed Db"'});
$node->reload;

ok( $node->poll_query_until(
		'postgres',
		'SELECT expired_waiting = 0 FROM workflow_persist.wf_cleanup_status'),
	'the worker deleted the expired workflows of postgres');
ok( $node->poll_query_until(
		'Mixed Db',
		'SELECT expired_waiting = 0 FROM workflow_persist.wf_cleanup_status'),
	'... and of "Mixed Db", listed after a database without the extension');
is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(id, ',' ORDER BY id) FROM workflow_persist.wf_workflow}),
	'live,live-ttl',
	'live workflows stay');
is( $node->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) FROM workflow_persist.wf_step WHERE workflow_id LIKE 'gone%'),
		       deleted >= 30, runs >= 1, last_deleted IS NOT NULL, last_run_at IS NOT NULL,
		       last_error IS NULL
		  FROM workflow_persist.wf_cleanup_status}),
	'0|t|t|t|t|t',
	'steps went too; wf_cleanup_status counted the runs');
is($node->safe_psql('noext', q{SELECT count(*) FROM pg_extension WHERE extname = 'workflow_persist'}),
	'0', 'noext still has no extension');
my $log = slurp_file($node->logfile);
unlike($log, qr/(ERROR|FATAL|PANIC):/, 'no error in the log (noext was skipped quietly)');

# ---------------------------------------------------------------------------
# SIGHUP: a long interval stops the rounds, 1 s resumes them
# ---------------------------------------------------------------------------
$node->safe_psql('postgres', q{ALTER SYSTEM SET workflow_persist.cleanup_interval = '1h'});
$node->reload;
# let a round that had already started finish
ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'workflow_persist cleanup'}),
	'no cleanup worker is running');
sleep 2;
my ($runs_before, $deleted_before) = split /\|/, status_row($node, 'postgres');
add_expired($node, 'postgres', 'paused', 3);
# three of the old intervals: no round may run
sleep 3;
is(status_row($node, 'postgres'), "$runs_before|$deleted_before|3|t",
	'with cleanup_interval = 1h no round ran: the expired workflows wait');

$node->safe_psql('postgres', 'ALTER SYSTEM SET workflow_persist.cleanup_interval = 1');
$node->reload;
ok( $node->poll_query_until(
		'postgres',
		'SELECT expired_waiting = 0 FROM workflow_persist.wf_cleanup_status'),
	'back to 1 s: the next round deleted them');
cmp_ok((split /\|/, status_row($node, 'postgres'))[0], '>', $runs_before, 'rounds resumed');

# ---------------------------------------------------------------------------
# a terminated launcher is restarted (bgw_restart_time = 5 s)
# ---------------------------------------------------------------------------
my $pid = launcher_pid($node);
ok($pid =~ /^\d+$/, "launcher pid $pid");
is($node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)"), 't', 'launcher terminated');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = '$LAUNCHER' AND pid <> $pid"),
	'a new launcher started');
add_expired($node, 'postgres', 'after-restart', 3);
ok( $node->poll_query_until(
		'postgres',
		'SELECT expired_waiting = 0 FROM workflow_persist.wf_cleanup_status'),
	'the new launcher cleans up');

# ---------------------------------------------------------------------------
# cleanup_role, a failing round, and the round after the fix
# ---------------------------------------------------------------------------
$node->safe_psql('postgres', q{
	CREATE ROLE wf_cleaner LOGIN;
	SELECT workflow_persist.wf_grant_access('wf_cleaner');
	ALTER SYSTEM SET workflow_persist.cleanup_databases = 'postgres';
	ALTER SYSTEM SET workflow_persist.cleanup_role = 'wf_cleaner';
	SELECT pg_reload_conf();
});
add_expired($node, 'postgres', 'as-role', 3);
ok( $node->poll_query_until(
		'postgres',
		'SELECT expired_waiting = 0 FROM workflow_persist.wf_cleanup_status'),
	'the worker cleans up as cleanup_role');

my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', 'REVOKE DELETE ON workflow_persist.wf_step FROM wf_cleaner');
add_expired($node, 'postgres', 'denied', 3);
ok( $node->poll_query_until(
		'postgres',
		'SELECT last_error IS NOT NULL FROM workflow_persist.wf_cleanup_status'),
	'a failing round is recorded');
like(
	$node->safe_psql('postgres', 'SELECT last_error FROM workflow_persist.wf_cleanup_status'),
	qr/permission denied for table wf_step/,
	'last_error says why');
ok( $node->wait_for_log(
		qr/workflow_persist cleanup in database "postgres" failed: permission denied for table wf_step/,
		$log_offset),
	'the failure is logged');
is($node->safe_psql('postgres', 'SELECT expired_waiting FROM workflow_persist.wf_cleanup_status'),
	'3', 'nothing was deleted by the failing rounds');
is($node->safe_psql('postgres', "SELECT count(*) FROM workflow_persist.wf_step WHERE workflow_id LIKE 'denied%'"),
	'6', 'the steps are all there (the failed round rolled back)');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'"),
	't', 'the launcher survives failing rounds');

$node->safe_psql('postgres', 'GRANT DELETE ON workflow_persist.wf_step TO wf_cleaner');
ok( $node->poll_query_until(
		'postgres',
		'SELECT expired_waiting = 0 AND last_run_at > last_error_at FROM workflow_persist.wf_cleanup_status'),
	'after the fix the next round succeeds');

# back to the bootstrap superuser
$node->safe_psql('postgres', q{
	ALTER SYSTEM RESET workflow_persist.cleanup_role;
	SELECT pg_reload_conf();
});

# ---------------------------------------------------------------------------
# a streaming standby runs no launcher until it is promoted
# ---------------------------------------------------------------------------
$node->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($node, 'bk', has_streaming => 1);
$standby->start;
add_expired($node, 'postgres', 'on-standby', 2);
$node->safe_psql('postgres', "SELECT workflow_persist.wf_save('replicated', $doc)");
$node->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');
is( $standby->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'workflow_persist%'"),
	'0', 'no launcher on the standby');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'"),
	'1', 'while the primary runs one');
is( $standby->safe_psql(
		'postgres',
		"SELECT workflow_persist.wf_exists('replicated'), workflow_persist.wf_load('replicated') IS NOT NULL"),
	't|t', 'the standby reads live workflows');
ok( $node->poll_query_until(
		'postgres',
		'SELECT expired_waiting = 0 FROM workflow_persist.wf_cleanup_status'),
	'the primary cleans up');
$node->wait_for_catchup($standby);
is($standby->safe_psql('postgres', "SELECT count(*) FROM workflow_persist.wf_workflow WHERE id LIKE 'on-standby%'"),
	'0', 'the deletions replicate');

$standby->promote;
ok( $standby->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = '$LAUNCHER'"),
	'once promoted, the former standby runs a launcher');
$standby->stop;

# ---------------------------------------------------------------------------
# without preloading: everything works by hand, no launcher, no FATAL
# ---------------------------------------------------------------------------
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->append_conf('postgresql.conf', "workflow_persist.cleanup_interval = 1\n");
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');
add_expired($plain, 'postgres', 'gone', 4);
is($plain->safe_psql('postgres', 'SELECT workflow_persist.wf_cleanup()'), '4',
	'wf_cleanup works without preloading');
is($plain->safe_psql('postgres', "LOAD 'workflow_persist'; SHOW workflow_persist.cleanup_interval"), '1s',
	'the settings exist once the library is loaded');
is( $plain->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'workflow_persist%'"),
	'0', 'no launcher without preloading');
$plain->stop;

$node->stop;
$log = slurp_file($node->logfile);
unlike($log, qr/PANIC|server process .* terminated by signal/, 'no crash in the primary log');

done_testing();
