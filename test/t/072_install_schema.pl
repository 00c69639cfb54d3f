# CREATE EXTENSION refuses a pre-existing workflow_persist schema that is
# not safely its own (review finding F13): owned by another role (42501),
# one where another role or PUBLIC may create objects (42501), or one that
# holds objects already (55000).  Nothing is installed then.  An empty
# schema of the installing role's own, and no schema at all, work.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('install_schema');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE ROLE mallory LOGIN; CREATE ROLE app LOGIN');

sub try_install
{
	my ($setup) = @_;
	$node->safe_psql('postgres', "DROP SCHEMA IF EXISTS workflow_persist CASCADE; $setup");
	my ($ret, $out, $err) = $node->psql('postgres',
		'\set VERBOSITY verbose' . "\nCREATE EXTENSION workflow_persist");
	my $installed = $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_extension WHERE extname = 'workflow_persist'");
	$node->safe_psql('postgres', 'DROP EXTENSION IF EXISTS workflow_persist');
	return ($err, $installed);
}

my ($err, $installed) = try_install(
	'CREATE SCHEMA workflow_persist AUTHORIZATION mallory');
like($err, qr/ERROR:  42501: schema "workflow_persist" is owned by role "mallory", not by the role installing workflow_persist/,
	'a schema owned by another role: 42501');
is($installed, '0', 'and nothing is installed');

# mallory's overload, placed in advance, would capture an internal call
($err, $installed) = try_install(q{
CREATE SCHEMA workflow_persist AUTHORIZATION mallory;
SET ROLE mallory;
CREATE FUNCTION workflow_persist.wf_check_id(id varchar) RETURNS text LANGUAGE sql AS 'SELECT $1';
RESET ROLE;});
like($err, qr/42501: schema "workflow_persist" is owned by role "mallory"/,
	'the same with an overload planted in it');
is($installed, '0', 'nothing installed');

($err, $installed) = try_install(
	'CREATE SCHEMA workflow_persist; GRANT CREATE ON SCHEMA workflow_persist TO app');
like($err, qr/ERROR:  42501: role "app" may create objects in schema "workflow_persist"/,
	'a schema another role may create objects in: 42501');
is($installed, '0', 'nothing installed');

($err, $installed) = try_install(
	'CREATE SCHEMA workflow_persist; GRANT CREATE ON SCHEMA workflow_persist TO PUBLIC');
like($err, qr/42501: role "PUBLIC" may create objects in schema "workflow_persist"/,
	'or PUBLIC may');
is($installed, '0', 'nothing installed');

($err, $installed) = try_install(
	'CREATE SCHEMA workflow_persist; CREATE TABLE workflow_persist.wf_step (x int)');
like($err, qr/ERROR:  55000: schema "workflow_persist" is not empty/,
	'a schema that holds objects: 55000');
is($installed, '0', 'nothing installed');

($err, $installed) = try_install(
	'CREATE SCHEMA workflow_persist; CREATE FUNCTION workflow_persist.f() RETURNS int LANGUAGE sql AS $$SELECT 1$$');
like($err, qr/55000: schema "workflow_persist" is not empty/, 'a function is enough');

($err, $installed) = try_install('CREATE SCHEMA workflow_persist');
is($err, '', 'an empty schema of the installing role works');
is($installed, '1', 'installed');

($err, $installed) = try_install('');
is($err, '', 'no schema at all works (CREATE EXTENSION creates it)');
is($installed, '1', 'installed');

$node->stop;
done_testing();
