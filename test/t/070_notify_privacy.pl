# Who learns what from change notifications (review findings F3 and F4).
#
# Every role that may connect may LISTEN workflow_persist.  A role with no
# grants listens while writers commit workflows whose ids hold a secret,
# with notify on: it receives one notification per committed workflow, but
# each payload is {"token": "<hex>"} of one fixed length, never the same
# twice, containing no id, version, status or event; it may neither open a
# token (wf_notification: 42501) nor read the key (wf_notify_key: 42501).
# A reader with grants opens every token to exactly what was written.
# With the row-level-security recipe of docs/reference.md, a tenant opens
# only its own workflows' tokens (no row for the other tenant's, deletes
# included).  A token altered in any byte is refused (22023).
# Notifications of transactions that commit as a role without grants
# (a SECURITY DEFINER wrapper, SET LOCAL ROLE) are sent and open too (F4).
use strict;
use warnings;

use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('notify_privacy');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION workflow_persist;
CREATE ROLE intern LOGIN;
CREATE ROLE reporting LOGIN;
CREATE ROLE tenant_a LOGIN;
CREATE ROLE tenant_b LOGIN;
SELECT workflow_persist.wf_grant_access('reporting', writable => false);
SELECT workflow_persist.wf_grant_access('tenant_a');
SELECT workflow_persist.wf_grant_access('tenant_b');
});

# Collects the notifications a background session has received.
my $sentinel = 0;

sub received
{
	my ($listener) = @_;
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
	my @got;
	while ($out =~
		/^Asynchronous notification "workflow_persist" with payload "(.*)" received from server process with PID \d+\.\r?$/mg
	  )
	{
		push @got, $1 unless $1 =~ /^sentinel \d+$/;
	}
	return @got;
}

# Opens a token as a role: the row as "id|version|status|event", '' when
# there is none; dies on an error unless asked for (then returns stderr).
sub open_as
{
	my ($role, $token, $want_error) = @_;
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET ROLE $role; SELECT concat_ws('|', id, coalesce(version::text, '-'), coalesce(status, '-'), event) FROM workflow_persist.wf_notification('$token')"
	);
	return $err if $want_error;
	die "open as $role: $err" if $ret != 0;
	return $out;
}

my $intern = $node->background_psql('postgres');
$intern->query_safe("SET ROLE intern; LISTEN workflow_persist");

my $secret = 'ssn-123-45-6789';
my $long = 'a:' . ('x' x 510);
$node->safe_psql('postgres', qq{
SET workflow_persist.notify = on;
SET ROLE tenant_a;
SET search_path = workflow_persist;
SELECT wf_save_step('a:$secret', 'k', '{"ok": true}');
SELECT wf_save_step('a:$secret', 'k2', '{"ok": true}');
SELECT wf_save_step('$long', 'k', '{"ok": true}');
SELECT wf_save_step('a:1', 'k', '{"ok": true}');
SELECT wf_cancel('a:1', 'no');
});
$node->safe_psql('postgres', qq{
SET workflow_persist.notify = on;
SET ROLE tenant_b;
SET search_path = workflow_persist;
SELECT wf_save_step('b:$secret', 'k', '{"ok": true}');
SELECT wf_save_step('b:gone', 'k', '{"ok": true}');
SELECT wf_delete('b:gone');
});

my @tokens;
for my $payload (received($intern))
{
	like($payload, qr/^\{"token": "[0-9a-f]+"\}$/, 'the payload is a token and nothing else');
	unlike($payload, qr/\Q$secret\E|a:|b:|running|cancelled|step|version|status|"id"/,
		'no id, status, version or event in it');
	push @tokens, $payload =~ /"token": "([0-9a-f]+)"/;
}
is(scalar(@tokens), 8, 'the listener without grants got one notification per committed write');
my %lengths = map { length($_) => 1 } @tokens;
is(scalar(keys %lengths), 1, 'every token has the same length, whatever the id (512 bytes or 3)');
my %distinct = map { $_ => 1 } @tokens;
is(scalar(keys %distinct), 8, 'no two tokens alike');
ok(length($tokens[0]) < 8000, 'a token fits a NOTIFY payload');

like(open_as('intern', $tokens[0], 1), qr/permission denied for function wf_notification/,
	'a role without grants cannot open a token');
my ($ret, $out, $err) = $node->psql('postgres',
	'SET ROLE intern; SELECT * FROM workflow_persist.wf_notify_key');
like($err, qr/permission denied for table wf_notify_key/, 'nor read the key');
($ret, $out, $err) = $node->psql('postgres',
	'SET ROLE reporting; SELECT * FROM workflow_persist.wf_notify_key');
like($err, qr/permission denied for table wf_notify_key/, 'nor can a reader with grants');

# the reader with grants sees every workflow: it opens every token
my @opened = sort map { open_as('reporting', $_) } @tokens;
is_deeply(
	\@opened,
	[
		sort("a:$secret|1|running|step", "a:$secret|2|running|step",
			"$long|1|running|step", 'a:1|1|running|step',
			'a:1|2|cancelled|cancel', "b:$secret|1|running|step",
			'b:gone|-|-|delete', '')
	],
	'a reader with grants opens each token to what was committed '
	  . '(but the write of a workflow deleted since to no row)');

# altered tokens are refused
my $t = $tokens[0];
for my $pos (0, 40, length($t) - 1)
{
	(my $bad = $t) =~ s/^(.{$pos})(.)/$1 . ($2 eq '0' ? '1' : '0')/e;
	like(open_as('reporting', $bad, 1), qr/invalid notification token/,
		"a token altered at digit $pos is refused");
}
like(open_as('reporting', substr($t, 2), 1), qr/invalid notification token/, 'a cut token too');
like(open_as('reporting', 'zz' . substr($t, 2), 1), qr/invalid hexadecimal digit/,
	'and one that is not hexadecimal');

# row-level security (the recipe of docs/reference.md): each tenant opens
# only its own workflows' tokens, deletes included
$node->safe_psql('postgres', q{
ALTER TABLE workflow_persist.wf_workflow ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_persist.wf_step ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_a ON workflow_persist.wf_workflow TO tenant_a USING (id LIKE 'a:%');
CREATE POLICY tenant_a ON workflow_persist.wf_step TO tenant_a USING (workflow_id LIKE 'a:%');
CREATE POLICY tenant_b ON workflow_persist.wf_workflow TO tenant_b USING (id LIKE 'b:%');
CREATE POLICY tenant_b ON workflow_persist.wf_step TO tenant_b USING (workflow_id LIKE 'b:%');
});
for my $role (qw(tenant_a tenant_b))
{
	my $mine = $role eq 'tenant_a' ? 'a:' : 'b:';
	my @seen = grep { $_ ne '' } map { open_as($role, $_) } @tokens;
	my @expected = grep { index($_, $mine) == 0 } @opened;
	is_deeply([ sort @seen ], \@expected, "$role opens exactly its own tokens");
}

# F4: commits as a role that cannot read wf_workflow notify too
$node->safe_psql('postgres', q{
CREATE FUNCTION public.definer_save(id text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
AS $$ SELECT workflow_persist.wf_save_step(id, 'k', '{"ok": true}') $$;
ALTER FUNCTION public.definer_save(text) OWNER TO tenant_a;
GRANT EXECUTE ON FUNCTION public.definer_save(text) TO intern;
});
($ret, $out, $err) = $node->psql('postgres', q{SET workflow_persist.notify = on; SET ROLE intern; SELECT public.definer_save('a:definer')});
is($err, '', 'a definer wrapper called by a role without grants commits');
($ret, $out, $err) = $node->psql('postgres', q{
SET workflow_persist.notify = on;
BEGIN;
SELECT workflow_persist.wf_save_step('a:local', 'k', '{"ok": true}');
SET LOCAL ROLE intern;
COMMIT;
});
is($err, '', 'a transaction committed after SET LOCAL ROLE to a role without grants commits');
@opened = sort map { open_as('tenant_a', $_) } map { /"token": "([0-9a-f]+)"/ } received($intern);
is_deeply(\@opened, [ 'a:definer|1|running|step', 'a:local|1|running|step' ],
	'and both notified');

# a commit that follows a DROP EXTENSION of the extension it wrote with
($ret, $out, $err) = $node->psql('postgres', q{
SET workflow_persist.notify = on;
BEGIN;
SELECT workflow_persist.wf_save_step('a:dropped', 'k', '{"ok": true}');
DROP EXTENSION workflow_persist;
COMMIT;
SELECT count(*) FROM pg_extension WHERE extname = 'workflow_persist';
});
is($out, "1\n0", 'a transaction that wrote, then dropped the extension, commits');
like($err, qr/WARNING:  workflow_persist sends no notifications for this transaction/,
	'with a warning instead of its notification');

$intern->quit;
$node->stop;
done_testing();
