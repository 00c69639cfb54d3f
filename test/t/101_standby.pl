# Reads on a hot standby (docs/scale-out.md, "Primary and hot standbys").
#
#   - every read function (STABLE or IMMUTABLE in the schema, and the
#     views) gives on a streaming standby what it gives on the primary;
#     a new read function fails this test until it is listed below;
#   - every writing function (VOLATILE) fails on the standby with 25006,
#     leases and expected versions included: they go to the primary;
#   - a read on the standby lags: while replay is paused it returns the
#     last replayed version, then catches up;
#   - wfctl's read commands (list, inspect, pending, stats, export,
#     validate) work on the standby as on the primary; each write command
#     is refused with a message naming the standby, and a 25006 from the
#     server gets a hint naming the primary.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use WfctlTest;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

my $approval = q{{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve", "reason": "over budget", "metadata": {"amount": 12}}, "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}, "meta": {"origin": "result"}}};
$primary->safe_psql('postgres', <<"EOS");
SET search_path = workflow_persist;
SELECT wf_save_step('order-' || i, 's1', ('{"ok": true, "value": ' || i || '}')::jsonb) FROM generate_series(1, 20) AS i;
SELECT wf_save_step('order-3', 'approve', '$approval');
SELECT wf_suspend('order-4', 'waiting', '{"for": "a human"}');
SELECT wf_cancel('order-5', 'not needed');
SELECT wf_set_retention('completed', '30 days');
SELECT wf_set_ttl('order-6', '1 day');
SELECT * FROM wf_put_run('run-1', '{"status": "running", "steps": [{"key": "k", "index": 0, "status": "completed", "result": 1}]}');
CREATE TABLE public.biz (wf text, k text);
CREATE TABLE public.biz2 (wf text, k text);
SELECT wf_attach_checkpoint('public.biz', 'wf', 'k');
EOS

# a notification's token, to open on both
my (undef, $nout, $nerr) = $primary->psql('postgres',
	q{SET workflow_persist.notify = on; LISTEN workflow_persist; SELECT workflow_persist.wf_save_step('order-7', 's2', '{"ok": true, "value": 7}');});
my ($token) = ($nout . $nerr) =~ /"token": "([0-9a-f]+)"/ or die "no notification in: $nout $nerr";

$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');

# ---- every read function, on both ----
my $snap = q{'{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00Z"}}'::jsonb};
my %reads = (
	wf_validate => "SELECT wf_validate($snap)",
	wf_is_valid => "SELECT wf_is_valid($snap)",
	wf_looks_like_snapshot => "SELECT wf_looks_like_snapshot($snap)",
	wf_assert_valid => "SELECT wf_assert_valid($snap)",
	wf_merge_snapshots => "SELECT wf_merge_snapshots($snap, $snap)",
	wf_check_id => "SELECT wf_check_id('order-1')",
	wf_load => "SELECT wf_load('order-3'), wf_load('order-1', 'all', NULL, 1)",
	wf_exists => "SELECT wf_exists('order-1'), wf_exists('nope')",
	wf_steps => "SELECT * FROM wf_steps('order-3')",
	wf_prefix_upper_bound => "SELECT wf_prefix_upper_bound('order-')",
	wf_list_cursor => "SELECT wf_list_cursor('2024-01-01', 'x')",
	wf_list_page => "SELECT * FROM wf_list_page('order-1', NULL, 5, NULL)",
	wf_list => "SELECT * FROM wf_list(max_rows => 7)",
	wf_info => "SELECT * FROM wf_info('order-4')",
	wf_pending => "SELECT * FROM wf_pending()",
	wf_history => "SELECT * FROM wf_history('order-5')",
	wf_resolve => "SELECT wf_resolve('order-19')",
	wf_step_result => "SELECT wf_step_result('order-2', 's1')",
	wf_cleanup_lock_holder => "SELECT wf_cleanup_lock_holder()",
	wf_notification => "SELECT * FROM wf_notification('$token')",
	wf_shard_hash => "SELECT wf_shard_hash('default', 'order-1')",
	wf_namespace => "SELECT wf_namespace(), wf_namespace('billing')",
	wf_stats => "SELECT * FROM wf_stats('*') ORDER BY status",
	wf_get_run => "SELECT * FROM wf_get_run('run-1')",
	'view wf_live' => "SELECT id, status FROM wf_live ORDER BY id",
	'view wf_stats' => "SELECT * FROM wf_stats ORDER BY status",
	'view wf_retention' => "SELECT * FROM wf_retention",
	'view wf_cleanup_status' => "SELECT runs, deleted, expired_waiting FROM wf_cleanup_status",
);
my @catalog = split /\n/, $primary->safe_psql('postgres', q{
	SELECT p.proname FROM pg_proc AS p
	 WHERE p.pronamespace = 'workflow_persist'::regnamespace AND p.provolatile IN ('s', 'i')
	UNION
	SELECT 'view ' || c.relname FROM pg_class AS c
	 WHERE c.relnamespace = 'workflow_persist'::regnamespace AND c.relkind = 'v'
	 ORDER BY 1});
my @missing = grep { !exists $reads{$_} } @catalog;
is("@missing", '', 'every read function and view of the extension is called below');
for my $name (sort keys %reads)
{
	my $q = "SET search_path = workflow_persist; $reads{$name}";
	my @p = $primary->psql('postgres', $q);
	my @s = $standby->psql('postgres', $q);
	is($p[0], 0, "$name works on the primary") or diag($p[2]);
	is("$s[0]|$s[1]|$s[2]", "$p[0]|$p[1]|$p[2]", "$name: the standby answers as the primary");
}

# ---- every writing function fails on the standby: 25006 ----
my %writes = (
	wf_save => "SELECT wf_save('new', $snap)",
	wf_save_step => q{SELECT wf_save_step('order-1', 's9', '{"ok": true, "value": 1}')},
	wf_merge => "SELECT wf_merge('order-1', $snap)",
	wf_delete => "SELECT wf_delete('order-1')",
	wf_suspend => "SELECT wf_suspend('order-1', 'r')",
	wf_approve => "SELECT wf_approve('order-3', 'approve')",
	wf_reject => "SELECT wf_reject('order-3', 'approve', 'no')",
	wf_resume => "SELECT wf_resume('order-4')",
	wf_cancel => "SELECT wf_cancel('order-1')",
	wf_replay => "SELECT wf_replay('order-1')",
	wf_fork => "SELECT wf_fork('order-1', 'fork-1', 's1')",
	wf_lease_acquire => "SELECT wf_lease_acquire('order-1', 'me', '1 minute')",
	wf_lease_renew => "SELECT wf_lease_renew('order-1', 'token', '1 minute')",
	wf_lease_release => "SELECT wf_lease_release('order-1', 'token')",
	wf_set_ttl => "SELECT wf_set_ttl('order-1', '1 day')",
	wf_set_retention => "SELECT wf_set_retention('failed', '1 day')",
	wf_cleanup => "SELECT wf_cleanup()",
	wf_cleanup_all => "CALL wf_cleanup_all()",
	wf_attach_checkpoint => "SELECT wf_attach_checkpoint('public.biz2', 'wf', 'k')",
	wf_detach_checkpoint => "SELECT wf_detach_checkpoint('public.biz')",
	wf_grant_access => "SELECT wf_grant_access('pg_monitor')",
	wf_revoke_access => "SELECT wf_revoke_access('pg_monitor')",
	wf_shard_prune => "SELECT wf_shard_prune(0, 2)",
	wf_cleanup_try_lock => "SELECT wf_cleanup_try_lock()",
	wf_put_run => q{SELECT * FROM wf_put_run('run-2', '{"status": "running"}')},
	wf_put_run_step => q{SELECT wf_put_run_step('run-1', '{"key": "k2", "index": 1}')},
	wf_update_run => "SELECT wf_update_run('run-1', status => 'completed')",
	wf_forget_history => "SELECT wf_forget_history(ARRAY['gone'])",
	wf_verify => "SELECT * FROM wf_verify()",    # locks each header it checks
	wf_verify_workflow => "SELECT * FROM wf_verify_workflow('order-1')",
	wf_checkpoint_trigger => undef,    # runs only as a trigger, on the primary's tables
);
my @volatile = split /\n/, $primary->safe_psql('postgres', q{
	SELECT p.proname FROM pg_proc AS p
	 WHERE p.pronamespace = 'workflow_persist'::regnamespace AND p.provolatile = 'v'
	 ORDER BY 1});
@missing = grep { !exists $writes{$_} } @volatile;
is("@missing", '', 'every writing function of the extension is called below');
for my $name (sort keys %writes)
{
	next unless defined $writes{$name};
	my ($rc, $out, $err) = $standby->psql('postgres',
		"\\set VERBOSITY verbose\nSET search_path = workflow_persist; $writes{$name}");
	like($err, qr/ERROR:  25006: /, "$name on the standby: 25006 (read-only transaction)");
}
is($standby->safe_psql('postgres', "SELECT workflow_persist.wf_exists('order-1')"), 't',
	'the refused writes changed nothing');

# ---- a read on the standby lags behind the primary ----
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
$standby->poll_query_until('postgres', "SELECT pg_get_wal_replay_pause_state() = 'paused'")
  or die 'replay did not pause';
$primary->safe_psql('postgres', q{SELECT workflow_persist.wf_save_step('order-1', 'late', '{"ok": true, "value": 2}')});
is($primary->safe_psql('postgres', "SELECT version FROM workflow_persist.wf_info('order-1')"), '2',
	'the primary has version 2');
is($standby->safe_psql('postgres', "SELECT version FROM workflow_persist.wf_info('order-1')"), '1',
	'the standby, replay paused, still reads version 1 (reads may lag)');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', "SELECT version FROM workflow_persist.wf_info('order-1')"), '2',
	'once replayed, the standby reads version 2');

# ---- wfctl on the standby ----
my @p = ('-d', $primary->connstr('postgres'));
my @s = ('-d', $standby->connstr('postgres'));
sub wf
{
	my ($out, $err);
	IPC::Run::run(wfctl_cmd(@_), '>', \$out, '2>', \$err);
	# ages are relative to the moment each command ran (and so are the
	# widths of the columns that show them)
	for ($out, $err) { s/\b\d+[smhd] ago\b/N ago/g; s/\bin \d+[smhd]\b/in N/g; }
	$out =~ s/ {2,}/ /g;
	return ($? >> 8, $out, $err);
}
my $dir = PostgreSQL::Test::Utils::tempdir();
open my $fh, '>', "$dir/snap.json" or die;
print $fh '{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00Z"}}';
close $fh;
my @read_commands = (
	[ 'list' ], [ 'list', '--json' ], [ 'list', '--status', 'suspended', '--tsv' ],
	[ 'inspect', 'order-3' ], [ 'inspect', 'order-3', '--json', '--full' ], [ 'inspect', 'order-1' ],
	[ 'pending' ], [ 'pending', '--json' ],
	[ 'stats' ], [ 'stats', '--json' ],
	[ 'export', '--all' ], [ 'export', 'order-3' ],
	[ 'validate', "$dir/snap.json" ],
);
my @write_commands = (
	[ 'import', "$dir/snap.json", '--id', 'imported' ],
	[ 'approve', 'order-3', 'approve' ],
	[ 'reject', 'order-3', 'approve', '--reason', 'no' ],
	[ 'resume', 'order-4' ],
	[ 'cancel', 'order-2' ],
	[ 'replay', 'order-1' ],
	[ 'delete', 'order-1', '--yes' ],
	[ 'cleanup', '--yes' ],
	[ 'cleanup', '--dry-run' ],
	[ 'import', "$dir/snap.json", '--id', 'imported', '--dry-run' ],
);
{
	my ($rc, $out, $err) = wf('--help');
	my @listed = ($out . $err) =~ /^  (\w+)  +\S/mg;
	my %covered = map { $_->[0] => 1 } @read_commands, @write_commands;
	$covered{completion} = 1;    # prints a script, connects to nothing
	@missing = grep { !$covered{$_} } @listed;
	is("@missing", '', 'every wfctl command is run below, as a read or as a write');
}
for my $cmd (@read_commands)
{
	my @a = wf(@s, @$cmd);
	my @b = wf(@p, @$cmd);
	is($a[0], 0, "wfctl @$cmd on the standby: exit 0") or diag($a[2]);
	is("$a[1]|$a[2]", "$b[1]|$b[2]", "wfctl @$cmd: the standby's output is the primary's");
}
for my $cmd (@write_commands)
{
	my @a = wf(@s, @$cmd);
	is($a[0], 1, "wfctl @$cmd on the standby: exit 1");
	like($a[2], qr/the server is a hot standby \(read only\): "wfctl $cmd->[0]" writes\nHINT:  Point write commands at the primary/,
		"wfctl @$cmd on the standby: says so, and where to go");
}
is($standby->safe_psql('postgres', "SELECT workflow_persist.wf_exists('order-1')"), 't',
	'wfctl changed nothing on the standby');
{
	local $ENV{PGOPTIONS} = '-c default_transaction_read_only=on';
	my @a = wf(@p, 'cancel', 'order-2');
	is($a[0], 1, 'wfctl cancel in a read-only transaction: exit 1');
	like($a[2], qr/HINT:  The server \(or, through a router, a shard\) is read only, perhaps a hot standby: point write commands at the primary\./,
		'... with the hint naming the primary');
}

wfctl_valgrind_done();
$standby->stop;
$primary->stop;
done_testing();
