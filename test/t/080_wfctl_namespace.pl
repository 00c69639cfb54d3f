# wfctl -N/--namespace: every command works in the namespace it names
# (the session's workflow_persist.namespace), "*" lists, counts and cleans
# every namespace, and a bad namespace is the server's 22023 (exit 1).
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use WfctlTest;

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('wfctl_namespace');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

my @db = ('-d', $node->connstr('postgres'));

sub sql
{
	return $node->safe_psql('postgres', "SET search_path = workflow_persist; $_[0]");
}

sub out_of
{
	my ($stdout, $stderr) = run_command(wfctl_cmd(@_));
	return $stdout;
}

my $pending = q{{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve", "reason": "sign it"}, "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}, "meta": {"origin": "result"}}};

# the same id in two namespaces, and one only in "billing"
sql(q{SELECT wf_save_step('order:1', 'load', '{"ok": true, "value": "default"}')});
sql(q{SELECT wf_save_step('order:1', 'load', '{"ok": true, "value": "billing"}', namespace => 'billing')});
sql(q{SELECT wf_save_step('order:1', 'more', '{"ok": true}', namespace => 'billing')});
sql("SELECT wf_save_step('invoice:7', 'approve', '$pending', namespace => 'billing')");

# list
command_checks_all(wfctl_cmd('list', @db, '--tsv', '--no-headers'), 0,
	[qr/\Aorder:1\trunning\t1\t0\t/], [qr/\A\z/], 'list: the default namespace');
my $billing = out_of('list', @db, '-N', 'billing', '--tsv', '--no-headers');
is(join(',', sort map { (split /\t/)[0] } split /\n/, $billing), 'invoice:7,order:1',
	'list -N billing: its two workflows');
my @every = map { [ (split /\t/)[ 0, 1 ] ] } split /\n/,
  out_of('list', @db, '--namespace', '*', '--tsv', '--no-headers');
is_deeply([ sort { "@$a" cmp "@$b" } @every ],
	[ [ 'billing', 'invoice:7' ], [ 'billing', 'order:1' ], [ 'default', 'order:1' ] ],
	'list -N "*": every namespace, NAMESPACE first');
my @json = map { decode_json($_) } split /\n/, out_of('list', @db, '-N', '*', '--json');
is_deeply([ sort map { "$_->{namespace}/$_->{id}" } @json ],
	[ 'billing/invoice:7', 'billing/order:1', 'default/order:1' ],
	'list -N "*" --json: each object names its namespace');
my @json1 = map { decode_json($_) } split /\n/, out_of('list', @db, '--json');
ok(!exists $json1[0]{namespace}, 'list --json of one namespace: objects as before');

# inspect, steps of the right workflow
my $inspect = decode_json(out_of('inspect', @db, '-N', 'billing', 'order:1', '--json'));
is($inspect->{snapshot}{steps}{load}{value}, 'billing', 'inspect -N billing: the billing run');
is(scalar(keys %{ $inspect->{snapshot}{steps} }), 2, 'inspect -N billing: its two steps');
command_checks_all(wfctl_cmd('inspect', @db, 'invoice:7'), 3, [qr/\A\z/],
	[qr/invoice:7/], 'inspect: not in the default namespace (exit 3)');

# pending and stats
command_checks_all(wfctl_cmd('pending', @db, '--tsv', '--no-headers'), 0,
	[qr/\A\z/], [qr/\A\z/], 'pending: nothing waits in the default namespace');
command_checks_all(wfctl_cmd('pending', @db, '-N', 'billing', '--tsv', '--no-headers'), 0,
	[qr/\Ainvoice:7\tapprove\tapproval\tsign it\t/], [qr/\A\z/], 'pending -N billing');
my %stats = map { my @f = split /\t/; ($f[0] => $f[1]) } split /\n/,
  out_of('stats', @db, '-N', '*', '--tsv', '--no-headers');
is($stats{running} + $stats{suspended}, 3, 'stats -N "*": every namespace counted');

# a lifecycle command in a namespace
command_checks_all(
	wfctl_cmd('approve', @db, '-N', 'billing', 'invoice:7', 'approve', '--by', 'dana'),
	0, [qr/approved step "approve" of workflow "invoice:7"/], [qr/\A\z/],
	'approve -N billing');
is(sql(q{SELECT status FROM wf_info('invoice:7', 'billing')}), 'running',
	'the billing run was approved');

# export of every namespace names each record's namespace
my @records = map { decode_json($_) } split /\n/, out_of('export', @db, '-N', '*', '--all');
is_deeply([ sort map { "$_->{namespace}/$_->{id}" } @records ],
	[ 'billing/invoice:7', 'billing/order:1', 'default/order:1' ],
	'export -N "*": every workflow, with its namespace');

# delete in one namespace leaves the other
command_checks_all(wfctl_cmd('delete', @db, '-N', 'billing', 'order:1', '--yes'),
	0, [qr/order:1/], [qr/\A\z/], 'delete -N billing');
is(sql(q{SELECT wf_exists('order:1') || ' ' || wf_exists('order:1', 'billing')}),
	'true false', 'the default namespace kept its order:1');

# bad namespaces: the server's rule, exit 1
command_checks_all(wfctl_cmd('list', @db, '-N', 'no/slash'), 1, [qr/\A\z/],
	[qr/invalid namespace "no\/slash"/, qr/DETAIL:  Byte 3 of the namespace/],
	'list -N no/slash: 22023 with its DETAIL');
command_checks_all(wfctl_cmd('inspect', @db, '-N', '*', 'order:1'), 1, [qr/\A\z/],
	[qr/namespace "\*" is not valid here/], 'inspect -N "*": one workflow needs one namespace');

# --help names the option
command_checks_all(wfctl_cmd('list', '--help'), 0, [qr/-N, --namespace=NS/],
	[qr/\A\z/], 'list --help shows -N');

wfctl_valgrind_done();
done_testing();
