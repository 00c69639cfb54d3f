# Tenant isolation across sessions: notifications, wfctl, pg_dump.
#
# Roles: a writer of tenant A (wa), a writer of tenant B (wb), a reader of
# tenant A (ra), with wf_enable_isolation() on.  (Every SQL function, the
# tables, the trigger and cleanup are covered by sql/tenant_isolation.sql.)
# - Notifications: the writers commit with notify on; every token a
#   listener receives opens (wf_notification, with the caller's rights) for
#   the roles of its workflow's tenant only: wa and ra open A's and none of
#   B's, wb the reverse.
# - wfctl connects as a role: list, export and stats show only its
#   tenant's workflows; a connection whose workflow_persist.tenant names a
#   tenant the role is not bound to gets 42501; import creates workflows
#   for the role's tenant and cannot write into another tenant's id.
# - pg_dump and restore keep the isolation (the wf_isolation row turns the
#   policies back on), the tenants, the bindings, the quotas, and counters
#   that agree with the restored rows.
use strict;
use warnings;

use File::Temp ();
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use WfctlTest;

my $node = PostgreSQL::Test::Cluster->new('tenants');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION workflow_persist;
CREATE ROLE wa LOGIN;
CREATE ROLE wb LOGIN;
CREATE ROLE ra LOGIN;
SELECT workflow_persist.wf_grant_access('wa');
SELECT workflow_persist.wf_grant_access('wb');
SELECT workflow_persist.wf_grant_access('ra', writable => false);
SELECT workflow_persist.wf_bind_tenant('wa', '{A}');
SELECT workflow_persist.wf_bind_tenant('wb', '{B}');
SELECT workflow_persist.wf_bind_tenant('ra', '{A}');
SELECT workflow_persist.wf_set_quota('A', 100, NULL);
SELECT workflow_persist.wf_enable_isolation();
ALTER ROLE wa SET workflow_persist.notify = on;
ALTER ROLE wb SET workflow_persist.notify = on;
});

# ---------------------------------------------------------------------------
# notifications
# ---------------------------------------------------------------------------
my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN workflow_persist');

my $sentinel = 0;

sub received
{
	$sentinel++;
	$node->safe_psql('postgres', "NOTIFY workflow_persist, 'sentinel $sentinel'");
	my $out = '';
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	until ($out =~ /payload "sentinel $sentinel" received/)
	{
		die "no sentinel $sentinel" if time() > $deadline;
		$out .= $listener->query_safe('SELECT 1');
		usleep(10_000);
	}
	return $out =~ /"token": "([0-9a-f]+)"/g;
}

sub as_role
{
	my ($role, $sql) = @_;
	return $node->safe_psql('postgres', $sql,
		connstr => $node->connstr('postgres') . " user=$role");
}

as_role('wa', q{
SELECT workflow_persist.wf_save_step('a:1', 'k', '{"ok": true}');
SELECT workflow_persist.wf_save_step('a:2', 'k', '{"ok": true}');
SELECT workflow_persist.wf_cancel('a:2', 'no');
});
as_role('wb', q{
SELECT workflow_persist.wf_save_step('b:1', 'k', '{"ok": true}');
SELECT workflow_persist.wf_save_step('b:gone', 'k', '{"ok": true}');
SELECT workflow_persist.wf_delete('b:gone');
});
my @tokens = received();
is(scalar(@tokens), 6, 'one notification per committed write of either tenant');

sub opened
{
	my ($role) = @_;
	return join(' ',
		sort grep { $_ ne '' } map {
			as_role($role,
				"SELECT concat_ws('|', id, status, event) FROM workflow_persist.wf_notification('$_')"
			)
		} @tokens);
}
is(opened('wa'), 'a:1|running|step a:2|cancelled|cancel a:2|running|step',
	"the writer of A opens A's tokens, none of B's");
is(opened('ra'), 'a:1|running|step a:2|cancelled|cancel a:2|running|step',
	"the reader of A opens A's tokens, none of B's");
is(opened('wb'), 'b:1|running|step b:gone|delete', "the writer of B opens B's tokens, its deletion too, none of A's");
is(opened($node->safe_psql('postgres', 'SELECT current_user')),
	'a:1|running|step a:2|cancelled|cancel a:2|running|step b:1|running|step b:gone|delete',
	'the superuser opens every token');
$listener->quit;

# ---------------------------------------------------------------------------
# wfctl
# ---------------------------------------------------------------------------
my $db = $node->connstr('postgres');
command_checks_all(wfctl_cmd('list', '-d', "$db user=wa", '--tsv', '--no-headers'),
	0, [qr/\A(a:[12]\t[^\n]*\n){2}\z/], [qr/^$/], 'wfctl list as the writer of A: its workflows only');
command_checks_all(wfctl_cmd('list', '-d', "$db user=wb", '--tsv', '--no-headers'),
	0, [qr/\Ab:1\t[^\n]*\n\z/], [qr/^$/], 'wfctl list as the writer of B: its workflow only');
command_checks_all(
	wfctl_cmd('list', '-d', "$db user=wa options='-c workflow_persist.tenant=B'"),
	1, [qr/^$/], [qr/not bound to tenant "B"/],
	'wfctl with a tenant the role is not bound to: refused');
command_checks_all(wfctl_cmd('export', '-d', "$db user=ra", '--all'),
	0, [qr/\A\{"id": "a:1", [^\n]*\n\{"id": "a:2", [^\n]*\n\z/], [qr/^$/],
	'wfctl export as the reader of A: only what it may see');
command_checks_all(wfctl_cmd('inspect', '-d', "$db user=wa", 'b:1'),
	3, [qr/^$/], [qr/b:1/], "wfctl inspect of B's workflow as the writer of A: not found");

my $dir = File::Temp::tempdir(CLEANUP => 1);
my $snap = '{"formatVersion": 1, "steps": {"x": {"ok": true}}, "execution": {"status": "running", "lastUpdated": "t"}}';
open(my $fh, '>', "$dir/in.jsonl") or die;
print $fh qq{{"id": "a:imported", "snapshot": $snap}\n};
close($fh);
command_checks_all(wfctl_cmd('import', '-d', "$db user=wa", "$dir/in.jsonl"),
	0, [qr/^$/], [qr/1 imported, 0 failed/], 'wfctl import as the writer of A');
is($node->safe_psql('postgres', "SELECT tenant FROM workflow_persist.wf_workflow WHERE id = 'a:imported'"),
	'A', 'the imported workflow belongs to A');
open($fh, '>', "$dir/evil.jsonl") or die;
print $fh qq{{"id": "b:1", "snapshot": $snap}\n};
close($fh);
command_checks_all(wfctl_cmd('import', '-d', "$db user=wa", "$dir/evil.jsonl"),
	1, [qr/.*/], [qr/belongs to a tenant this role may not use/],
	"wfctl import into B's id as the writer of A: refused");
is($node->safe_psql('postgres', "SELECT version || ' ' || tenant FROM workflow_persist.wf_workflow WHERE id = 'b:1'"),
	'1 B', "B's workflow is untouched");

# ---------------------------------------------------------------------------
# pg_dump and restore
# ---------------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE restored');
my $dump = "$dir/dump.sql";
$node->command_ok([ 'pg_dump', '-f', $dump, '-d', $db ], 'pg_dump');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', $dump, '-d', $node->connstr('restored') ],
	'restore into a fresh database');
is($node->safe_psql('restored', q{
SELECT string_agg(c.relname || ':' || c.relrowsecurity || ':' || c.relforcerowsecurity, ' ' ORDER BY c.relname)
  FROM pg_class AS c
 WHERE c.relnamespace = 'workflow_persist'::regnamespace
   AND c.relname IN ('wf_workflow', 'wf_step', 'wf_event')}),
	'wf_event:true:false wf_step:true:true wf_workflow:true:true',
	'isolation is on again after the restore');
is($node->safe_psql('restored', q{
SELECT string_agg(u.tenant || '=' || u.workflows || '/' || COALESCE(u.max_workflows::text, '-')
                  || (u.bytes = (SELECT sum(w.size_bytes) FROM workflow_persist.wf_workflow AS w
                                  WHERE w.tenant = u.tenant))::text, ' ' ORDER BY u.tenant)
  FROM workflow_persist.wf_tenant_usage AS u}),
	'A=3/100true B=1/-true', 'tenants, quotas and counters survive, each counted once');
is($node->safe_psql('restored', 'SELECT string_agg(id, \' \' ORDER BY id) FROM workflow_persist.wf_list()',
		connstr => $node->connstr('restored') . ' user=wb'),
	'b:1', 'the writer of B still sees only its workflow');

$node->stop;
wfctl_valgrind_done();
done_testing();
