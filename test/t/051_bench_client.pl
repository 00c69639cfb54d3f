# The client benchmark's code (bench/client.sh, bench/node/) must not rot:
# a tiny run of every part on a throwaway cluster.  Nothing here depends on
# speed; what is checked is that each part measures something, that the
# stores hold what they were given, and that the report is written.
#
#   - npm ci from bench/node's committed lock file (needs the npm registry);
#   - main.mjs with 2 workflows of 3 steps per side (awaitly-postgres,
#     wf_save, wf_save_step), whole saves and loads, the pgbench and
#     trigger rows, one client, one round: issue 14's table is printed and
#     the raw results hold every measurement;
#   - report.mjs replaces the generated section of a copy of
#     docs/performance.md and nothing else;
#   - the adapter hook: a stand-in package awaitly-workflow-persist that
#     stores correctly is measured; one that loses a member of the snapshot
#     is caught by the read-back check (so the check can fail).
#
# DBOS and Absurd are left out (DBOS takes seconds to launch, Absurd needs
# its schema from outside); bench/client.sh runs them.
use strict;
use warnings;

use File::Copy qw(copy);
use File::Path qw(make_path);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

for my $tool (qw(node npm))
{
	plan skip_all => "$tool is not installed"
	  unless grep { -x "$_/$tool" } split /:/, $ENV{PATH};
}

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $dir = 'bench/node';
local $ENV{npm_config_cache} = "$tmp/npm-cache";
my ($out, $err);
my $ok = IPC::Run::run [ 'npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error' ],
  '<', \undef, '>', \$out, '2>', \$err, init => sub { chdir $dir or die "chdir $dir: $!" };
ok($ok, 'npm ci installs bench/node from its lock file') or diag($err);

my $node = PostgreSQL::Test::Cluster->new('bench');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

my $pid = slurp_file($node->data_dir . '/postmaster.pid');
$pid =~ s/\n.*//s;
my %env = (
	PGHOST => $node->host,
	PGPORT => $node->port,
	PGDATABASE => 'postgres',
	PG_BIN => $node->config_data('--bindir'),
	BENCH_DIR => $tmp,
	PG_POSTMASTER_PID => $pid,
	OUT => '',
	RAW => "$tmp/raw.json",
	RUNS => 1,
	NS => 3,
	CLIENTS => 1,
	MIN_STEPS => 6,
	SIDES => 'awaitly-postgres wf_save wf_save_step',
	SIZES => 1024,
	SAVE_CLIENTS => 1,
	SAVE_T => 0.2,
	PGBENCH_TX => 10);

# runs a node script with %env (and more), returns (ok, stdout, stderr)
sub run_node
{
	my ($more, @args) = @_;
	local %ENV = (%ENV, %env, %$more);
	my ($o, $e);
	my $r = IPC::Run::run [ 'node', '--no-deprecation', @args ], '<', \undef, '>', \$o, '2>', \$e;
	return ($r, $o, $e);
}

($ok, $out, $err) = run_node({}, "$dir/main.mjs");
ok($ok, 'main.mjs runs every part') or diag($err);
like($out, qr/^\| awaitly's `durable\.run` pattern .*\| \d+\.\d\dx \(1 client\) \|/m, 'the table has the durable.run row with a ratio');
like($out, qr/^\| whole save of a 1 KB snapshot, 1 client, .*\| \d+\.\d\dx \|/m, 'the whole-save row');
like($out, qr/^\| load of a 1 KB snapshot, 1 client, .*\| \d+\.\d\dx \|/m, 'the load row');
like($out, qr/^\| pgbench: `wf_save_step` of a 1 KB step .*\| \d+\.\d\d \(1\) \|/m, 'a pgbench row');
like($out, qr/^\| checkpoint trigger: .*\| (\d+\.\d\dx|n\/a) \(1/m, 'the trigger row');
like($out, qr/not measured: no adapter yet|shipped adapter \(clients\/awaitly\/\) was not measured/, 'the adapter is said to be missing');

my $raw = decode_json(slurp_file("$tmp/raw.json"));
my %count;
$count{ $_->{op} }++ for @{ $raw->{results} };
is_deeply(\%count, { workflow => 3, save => 2, load => 2, pgbench => 3, trigger => 1 },
	'one measurement per side and part');
my @bad = grep { ($_->{op} =~ /^(workflow|save|load)$/ && !($_->{ops} > 0 && $_->{seconds} > 0 && $_->{server_cpu} >= 0))
	  || ($_->{op} eq 'pgbench' && !($_->{wf} > 0 && $_->{base} > 0)) } @{ $raw->{results} };
is(scalar(@bad), 0, 'every measurement counted operations, time and server CPU') or diag(explain(\@bad));
is((grep { $_->{op} eq 'workflow' && $_->{ops} == 2 * 3 } @{ $raw->{results} }), 3, 'each workflow side ran its 2 workflows of 3 steps');

# the report replaces its own section of the page, nothing else
my $page = "$tmp/performance.md";
copy('docs/performance.md', $page) or die "copy: $!";
my $before = slurp_file($page);
($ok, $out, $err) = run_node({}, "$dir/report.mjs", "$tmp/raw.json", $page);
ok($ok, 'report.mjs writes a page from the raw results') or diag($err);
my $after = slurp_file($page);
my $strip = sub { my $t = shift; $t =~ s/(<!-- bench\/client\.sh: begin[^\n]*\n).*?(<!-- bench\/client\.sh: end -->)/$1$2/s; $t };
is($strip->($after), $strip->($before), 'outside its section the page is unchanged');
like($after, qr/<!-- bench\/client\.sh: begin[^\n]*\n## The client path \(issue 14\)\n.*### Workflows: steps per second.*<!-- bench\/client\.sh: end -->/s,
	'its section holds the new report');

# the adapter hook, with stand-ins for awaitly-workflow-persist
sub fake_adapter
{
	my ($save) = @_;
	my $pkg = "$dir/node_modules/awaitly-workflow-persist";
	make_path($pkg);
	open my $fh, '>', "$pkg/package.json" or die $!;
	print $fh '{"name": "awaitly-workflow-persist", "version": "0.0.0-test", "type": "module", "exports": "./index.js"}';
	close $fh;
	open $fh, '>', "$pkg/index.js" or die $!;
	print $fh <<"JS";
export function workflowPersist({ pool }) {
    return {
        async save(id, snap) { $save },
        async load(id) { return (await pool.query('SELECT workflow_persist.wf_load(\$1) AS d', [id])).rows[0]?.d ?? null; },
        async delete(id) { await pool.query('SELECT workflow_persist.wf_delete(\$1)', [id]); },
    };
}
JS
	close $fh;
}
my $cfg = '{"op": "workflow", "side": "adapter", "n": 3, "clients": 1, "workflows": 2, "seed": 1}';
fake_adapter(q{await pool.query('SELECT workflow_persist.wf_save($1, $2)', [id, JSON.stringify(snap)]);});
($ok, $out, $err) = run_node({}, "$dir/measure.mjs", $cfg);
ok($ok, 'a correct adapter is measured') or diag($err);
like($out, qr/"side":"adapter".*"ops":6/, 'its measurement counts 6 steps');
fake_adapter(q{const { workflowName, ...rest } = snap; await pool.query('SELECT workflow_persist.wf_save($1, $2)', [id, JSON.stringify(rest)]);});
($ok, $out, $err) = run_node({}, "$dir/measure.mjs", $cfg);
ok(!$ok, 'an adapter that loses a member fails the measurement');
like($err, qr/does not load as it was saved \(loaded vs saved at \$\.workflowName/, 'and the message names what differs');

$node->stop;
done_testing();
