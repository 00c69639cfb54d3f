# The PHP adapter (clients/php, Neuron AI's PersistenceInterface) against a
# throwaway server: clients/php/tests/run.php, run with Debian's php as an
# application role granted with wf_grant_access, over TCP through libpq's
# variables; each of its TAP lines is one test here.  Suite "php" of
# scripts/test.sh (make installcheck-php).
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = dirname(__FILE__) . '/..';
my $node = PostgreSQL::Test::Cluster->new('php_neuron');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION workflow_persist;
CREATE ROLE neuron_app LOGIN;
SELECT workflow_persist.wf_grant_access('neuron_app');
});

local $ENV{PGHOST} = $node->host;
local $ENV{PGPORT} = $node->port;
local $ENV{PGDATABASE} = 'postgres';
local $ENV{PGUSER} = 'neuron_app';
my ($wfctl) = grep { -x } map { "$_/wfctl" } split /:/, $ENV{PATH};
local $ENV{WFCTL} = $wfctl // '';
ok(defined $wfctl, 'wfctl is on PATH (the operator decides with it)');

my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'php', '-d', 'display_errors=stderr', "$dir/tests/run.php" ],
	'>', \$stdout, '2>', \$stderr);
my $plan;
for my $line (split /\n/, $stdout)
{
	if ($line =~ /^(not ok|ok) \d+ - (.*)$/)
	{
		ok($1 eq 'ok', "php: $2");
	}
	elsif ($line =~ /^1\.\.(\d+)$/)
	{
		$plan = $1;
	}
	else
	{
		note($line);
	}
}
ok($ok, 'tests/run.php exits with status 0');
is($stderr, '', 'and writes nothing to standard error');
ok(defined $plan && $plan >= 30, 'it ran to its end (' . ($plan // 'no plan') . ' checks)');

$node->stop;
done_testing();
