# Nobody without write access can hold retention up (review finding F5).
#
# The cleanup lock is a row lock on wf_cleanup_lock, which only the owner
# may lock, taken through wf_cleanup_try_lock (EXECUTE for writers only).
# A role with no grants that holds the old advisory key, or tries to lock
# the row, or call the function, does not stop a writer's wf_cleanup; a
# reader cannot take the lock either.  A writer that holds it in an open
# transaction does stop cleanup, and wf_cleanup_status says so: the
# holder's pid, and blocked_runs / last_blocked_at counted by every
# blocked cleanup, the background worker's included.  After the holder
# ends, cleanup runs again.
#
# Waits are polls (poll_query_until), never fixed sleeps.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cleanup_lock');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'workflow_persist'
workflow_persist.cleanup_interval = 0
workflow_persist.cleanup_databases = 'postgres'
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION workflow_persist;
CREATE ROLE intern LOGIN;
CREATE ROLE app LOGIN;
CREATE ROLE reporting LOGIN;
SELECT workflow_persist.wf_grant_access('app');
SELECT workflow_persist.wf_grant_access('reporting', writable => false);
});

# expire n workflows named prefix1..prefixN
sub expire
{
	my ($prefix, $n) = @_;
	$node->safe_psql('postgres', qq{
SET ROLE app;
SELECT count(workflow_persist.wf_save_step('$prefix' || i, 'k', '{"ok": true}')) FROM generate_series(1, $n) AS i;
SELECT count(workflow_persist.wf_set_ttl('$prefix' || i, '1 millisecond')) FROM generate_series(1, $n) AS i;
SELECT pg_sleep(0.01);
});
}

sub cleanup_as
{
	my ($role) = @_;
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET ROLE $role; SELECT workflow_persist.wf_cleanup()");
	return ($out, $err);
}

sub status
{
	return $node->safe_psql('postgres',
		'SELECT blocked_runs, lock_holder_pid IS NOT NULL FROM workflow_persist.wf_cleanup_status');
}

# ---------------------------------------------------------------------------
# a role without grants holds everything it can
# ---------------------------------------------------------------------------
my $intern = $node->background_psql('postgres', on_error_stop => 0);
$intern->query_safe('SET ROLE intern');
$intern->query_safe('SELECT pg_advisory_lock(7793521046213870853)');
$intern->query('BEGIN');
$intern->query('SELECT pg_advisory_xact_lock(7793521046213870853)');
$intern->{stderr} = '';
$intern->query('SELECT FROM workflow_persist.wf_cleanup_lock FOR UPDATE');
like($intern->{stderr}, qr/permission denied for table wf_cleanup_lock/,
	'a role without grants cannot lock the cleanup row');
$intern->{stderr} = '';
$intern->query('ROLLBACK');
$intern->query('BEGIN');
$intern->query('SELECT workflow_persist.wf_cleanup_try_lock()');
like($intern->{stderr}, qr/permission denied for function wf_cleanup_try_lock/,
	'nor call wf_cleanup_try_lock');
$intern->{stderr} = '';

expire('exp:', 3);
my ($out, $err) = cleanup_as('app');
is($out, '3', 'with all that held, a writer\'s cleanup deletes the expired workflows');
is($err, '', 'without a notice');
is(status(), '0|f', 'nothing blocked, nobody holds the lock');

# a reader may look but not take the lock
my $reporting = $node->background_psql('postgres', on_error_stop => 0);
$reporting->query_safe('SET ROLE reporting');
$reporting->query('BEGIN');
$reporting->query('SELECT workflow_persist.wf_cleanup_try_lock()');
like($reporting->{stderr}, qr/permission denied for function wf_cleanup_try_lock/,
	'a reader cannot take the lock');
$reporting->{stderr} = '';
$reporting->query('ROLLBACK');
is($reporting->query_safe('SELECT workflow_persist.wf_cleanup(dry_run => true)'), '0',
	'but may count (dry_run takes no lock)');

# ---------------------------------------------------------------------------
# a writer that holds the lock blocks cleanup, and it shows
# ---------------------------------------------------------------------------
my $holder = $node->background_psql('postgres');
$holder->query_safe('SET ROLE app');
my $holder_pid = $holder->query_safe('SELECT pg_backend_pid()');
$holder->query_safe('BEGIN');
is($holder->query_safe('SELECT workflow_persist.wf_cleanup_try_lock()'), 't',
	'a writer takes the lock');
is($node->safe_psql('postgres', 'SELECT lock_holder_pid FROM workflow_persist.wf_cleanup_status'),
	$holder_pid, 'wf_cleanup_status names the holder');
expire('exp2:', 2);
($out, $err) = cleanup_as('app');
is($out, '0', 'another cleanup does nothing while it is held');
like($err, qr/another workflow_persist cleanup is running; nothing done/, 'with a notice');
is(status(), '1|t', 'and is counted as blocked');
ok( $node->safe_psql('postgres',
		'SELECT last_blocked_at > now() - interval \'1 hour\' FROM workflow_persist.wf_cleanup_status') eq 't',
	'with its time');

# the worker, blocked, reports it too
$node->append_conf('postgresql.conf', "workflow_persist.cleanup_interval = 1\n");
$node->reload;
ok( $node->poll_query_until(
		'postgres', 'SELECT blocked_runs >= 2 FROM workflow_persist.wf_cleanup_status'),
	'the background worker, blocked, is counted in blocked_runs');
is($node->safe_psql('postgres', "SELECT count(*) FROM workflow_persist.wf_workflow WHERE id LIKE 'exp2:%'"),
	'2', 'and deleted nothing');

# the holder ends: the worker cleans up
$holder->query_safe('COMMIT');
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 0 FROM workflow_persist.wf_workflow WHERE id LIKE 'exp2:%'"),
	'once the holder has ended, the worker deletes them');
is($node->safe_psql('postgres', 'SELECT lock_holder_pid FROM workflow_persist.wf_cleanup_status'),
	'', 'and nobody holds the lock');

$intern->quit;
$reporting->quit;
$holder->quit;
$node->stop;
done_testing();
