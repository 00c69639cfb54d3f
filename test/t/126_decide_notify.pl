# Notifications of decisions on a generic run (wf_decide, and wf_approve /
# wf_reject on a run): one per committed decision, named after it
# (approve, reject, edit), with the run's version and status; nothing for
# a refused decision.
use strict;
use warnings;

use JSON::PP;
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('decide_notify');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');
my $json = JSON::PP->new->utf8->canonical;

my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN workflow_persist');
my $writer = $node->background_psql('postgres', on_error_stop => 0);
$writer->query_safe('SET search_path = workflow_persist; SET workflow_persist.notify = on');

# the events (and version, status) the listener got since the last call
my $sentinel = 0;
sub events
{
	$sentinel++;
	$writer->query_safe("NOTIFY workflow_persist, 'sentinel $sentinel'");
	my $out = '';
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	until ($out =~ /payload "sentinel $sentinel" received/)
	{
		die "no sentinel $sentinel" if time() > $deadline;
		$out .= $listener->query_safe('SELECT 1');
		usleep(10_000);
	}
	my @got;
	while ($out =~ /with payload "(\{"token": "[0-9a-f]+"\})" received/g)
	{
		my $token = $json->decode($1)->{token};
		my $row = $node->safe_psql('postgres',
			"SELECT event || ' ' || version || ' ' || status FROM workflow_persist.wf_notification('$token')");
		push @got, $row;
	}
	return \@got;
}

$writer->query_safe(q{SELECT version FROM wf_put_run('n:run', '{"status": "interrupted", "request": {"actions": ["a", "b", "c"]}}', engine_data => '\x00')});
events();
$writer->query_safe(q{SELECT wf_decide('n:run', 'a', 'edit', '{"x": 1}', 'shorter')});
is_deeply(events(), ['edit 2 suspended'], 'an edit: event edit, the run still waits');
$writer->query_safe(q{SELECT wf_approve('n:run', 'b', note => 'ok')});
is_deeply(events(), ['approve 3 suspended'], 'wf_approve on a run: event approve');
$writer->query(q{SELECT wf_decide('n:run', 'b', 'reject')});
like($writer->{stderr}, qr/action "b" of run "n:run" is already decided/, 'a second decision of one action is refused');
$writer->{stderr} = '';
is_deeply(events(), [], 'a refused decision (already decided) sends nothing');
$writer->query_safe(q{SELECT wf_reject('n:run', 'c', 'no')});
is_deeply(events(), ['reject 4 running'], 'the last decision: event reject, the run running');

$writer->quit;
$listener->quit;
$node->stop;
done_testing();
