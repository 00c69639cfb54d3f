# Change notifications (workflow_persist.notify): what a listener receives.
#
# A listening session (LISTEN workflow_persist) and a writing session with
# notify on.  After each scenario the writer sends a plain NOTIFY with a
# sentinel payload; notifications reach a listener in commit order, so
# once the listener has the sentinel it has everything committed before
# it, and the notifications between two sentinels are compared exactly:
# Each payload is an opaque token ({"token": "..."}); the listener opens it
# with wf_notification() (test/t/070_notify_privacy.pl checks who may):
#   - every committed write is seen once, with its final version and status
#     and its event (save, step, merge, delete, suspend, approve, reject,
#     resume, cancel, replay, fork);
#   - nothing for ROLLBACK, ROLLBACK TO SAVEPOINT, failed transactions;
#   - one notification per workflow per transaction (coalesced);
#   - awkward 512-byte ids round-trip, in payloads under 8000 bytes;
#   - PREPARE TRANSACTION warns and sends nothing;
#   - ALTER SYSTEM turns it on for new sessions; off, nothing is sent.
use strict;
use warnings;
use utf8;

use Encode qw(encode);
use JSON::PP;
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('notify');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf', "max_prepared_transactions = 2\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

my $json = JSON::PP->new->utf8->canonical;

my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN workflow_persist');
my $writer = $node->background_psql('postgres', on_error_stop => 0);
$writer->query_safe(
	'SET search_path = workflow_persist, public; SET workflow_persist.notify = on');
my $writer_pid = $writer->query_safe('SELECT pg_backend_pid()');
chomp $writer_pid;
my $opener = $node->background_psql('postgres');

# What a payload's token says: {id, version, status, event}, or undef.
sub open_payload
{
	my ($payload) = @_;
	my $p = $json->decode($payload);
	die "not a token: $payload" unless ref $p eq 'HASH' && keys %$p == 1
	  && ($p->{token} // '') =~ /^[0-9a-f]+$/;
	my $row = $opener->query_safe(
		"SELECT row_to_json(n)::text FROM workflow_persist.wf_notification('$p->{token}') AS n");
	chomp $row;
	return $row eq '' ? undef : $json->decode($row);
}

# Runs SQL in the writer; returns its output and stderr (then cleared).
sub w
{
	my ($sql) = @_;
	my $out = $writer->query($sql);
	my $err = $writer->{stderr};
	$writer->{stderr} = '';
	return wantarray ? ($out, $err) : $out;
}

# Runs SQL in the writer and dies on any error.
sub ws
{
	my ($sql) = @_;
	my ($out, $err) = w($sql);
	die "writer: $sql\n$err" if $err ne '';
	return $out;
}

# Every notification the listener received since the last call: a list of
# [raw payload bytes, sender pid], in arrival order (sentinels removed).
my $sentinel = 0;

sub received
{
	$sentinel++;
	ws("NOTIFY workflow_persist, 'sentinel $sentinel'");
	my $out = '';
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	until ($out =~ /payload "sentinel $sentinel" received/)
	{
		die "the listener did not receive sentinel $sentinel" if time() > $deadline;
		$out .= $listener->query_safe('SELECT 1');
		usleep(10_000);
	}
	my @got;
	while ($out =~
		/^Asynchronous notification "workflow_persist" with payload "(.*)" received from server process with PID (\d+)\.\r?$/mg
	  )
	{
		push @got, [ $1, $2 ] unless $1 =~ /^sentinel \d+$/;
	}
	return @got;
}

# The decoded payloads since the last call (each checked to come from the
# writer, unless another sender is given, and to name the namespace, the
# default one unless another is given; the namespace is then dropped).
sub payloads
{
	my ($sender, $namespace) = @_;
	$sender //= $writer_pid;
	$namespace //= 'default';
	my @p;
	for my $n (received())
	{
		is($n->[1], $sender, 'sent by the writing session');
		my $d = open_payload($n->[0]);
		is(delete $d->{namespace}, $namespace, 'names its namespace');
		push @p, $d;
	}
	return \@p;
}

# What the store holds now: {id, version, status, event}.
sub stored
{
	my ($id, $event) = @_;
	(my $lit = $id) =~ s/'/''/g;
	my $row = ws("SELECT version || ' ' || status FROM wf_info('$lit')");
	chomp $row;
	my ($version, $status) = split / /, $row;
	return { id => $id, version => 0 + $version, status => $status, event => $event };
}

sub deleted
{
	my ($id) = @_;
	return { id => $id, version => undef, status => undef, event => 'delete' };
}

my $RUNNING =
  q('{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:00.000Z"}}');
my $PENDING = sub {
	my ($key) = @_;
	return qq('{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "$key", "reason": "r"}, "cause": {"type": "thrown", "stringRepresentation": "x"}}');
};

is_deeply(payloads(), [], 'nothing before any write');

# ---------------------------------------------------------------------------
# one notification per committed write, with each event
# ---------------------------------------------------------------------------
my @expected;
ws("SELECT wf_save('n:ev', $RUNNING)");
push @expected, stored('n:ev', 'save');
ws(q{SELECT wf_save_step('n:ev', 'b', '{"ok": true}')});
push @expected, stored('n:ev', 'step');
ws(q{SELECT wf_merge('n:ev', '{"formatVersion":1,"steps":{"c":{"ok":true}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:00.000Z"}}')});
push @expected, stored('n:ev', 'merge');
ws(q{SELECT wf_suspend('n:ev', 'waiting', '{"form": 1}')});
push @expected, stored('n:ev', 'suspend');
ws(q{SELECT wf_resume('n:ev')});
push @expected, stored('n:ev', 'resume');
ws("SELECT wf_save_step('n:ev', 'approve:mgr', " . $PENDING->('approve:mgr') . ')');
push @expected, stored('n:ev', 'step');
ws(q{SELECT wf_approve('n:ev', 'approve:mgr', '"yes"')});
push @expected, stored('n:ev', 'approve');
ws("SELECT wf_save_step('n:ev', 'approve:cfo', " . $PENDING->('approve:cfo') . ')');
push @expected, stored('n:ev', 'step');
ws(q{SELECT wf_reject('n:ev', 'approve:cfo', 'too much')});
push @expected, stored('n:ev', 'reject');
ws(q{SELECT wf_fork('n:ev', 'n:ev:fork', 'b')});
push @expected, stored('n:ev:fork', 'fork');
ws(q{SELECT wf_cancel('n:ev', 'stop')});
push @expected, stored('n:ev', 'cancel');
ws(q{SELECT wf_replay('n:ev', 'n:ev:replay')});
push @expected, stored('n:ev:replay', 'replay');
ws(q{SELECT wf_save('n:ev:done', '{"formatVersion":1,"steps":{},"execution":{"status":"completed","lastUpdated":"2026-01-01T00:00:00.000Z"}}')});
push @expected, stored('n:ev:done', 'save');
is_deeply(payloads(), \@expected, 'every committed write once, in commit order, with its event');
# (opened before the fork is deleted: the token of a write opens only while
# its workflow exists)
ws(q{SELECT wf_delete('n:ev:fork')});
is_deeply(payloads(), [ deleted('n:ev:fork') ], 'a delete');
push @expected, deleted('n:ev:fork');
is_deeply(
	[ map { $_->{version} } @expected[ 0 .. 8 ] ],
	[ 1 .. 9 ],
	'versions as written (1 to 9)');
is_deeply(
	[ map { $_->{status} } @expected[ 0, 3, 10, 12 ] ],
	[qw(running suspended cancelled completed)],
	'statuses as written');

# the payload's members, exactly
ws(q{SELECT wf_save_step('n:shape', 'a', '{"ok": true}')});
my @raw = received();
is(scalar(@raw), 1, 'one notification');
like($raw[0][0], qr/^\{"token": "[0-9a-f]{1312}"\}$/, 'payload text: a token');
my $opened = open_payload($raw[0][0]);
is(delete $opened->{namespace}, 'default', 'which names its namespace');
is_deeply($opened,
	{ id => 'n:shape', version => 1, status => 'running', event => 'step' },
	'and opens to the id, version, status and event');

# the same id in another namespace is another workflow, and says so
ws(q{SELECT wf_save_step('n:shape', 'a', '{"ok": true}', namespace => 'other.ns')});
is_deeply(payloads(undef, 'other.ns'),
	[ { id => 'n:shape', version => 1, status => 'running', event => 'step' } ],
	'a write in another namespace names it');

# a delete of nothing and a write that fails send nothing
w(q{SELECT wf_delete('n:never')});
my (undef, $err) = w(q{SELECT wf_save_step('n:ev', 'late', '{"ok": true}')});
like($err, qr/cancelled and accepts no more checkpoints/, 'a write refused by a cancelled run');
is_deeply(payloads(), [], 'nothing for a delete of nothing or a refused write');

# ---------------------------------------------------------------------------
# rolled back work sends nothing
# ---------------------------------------------------------------------------
ws(q{SELECT wf_save_step('n:rb', 'a', '{"ok": true}')});
is_deeply(payloads(), [ stored('n:rb', 'step') ], 'n:rb written');

ws(q{BEGIN; SELECT wf_save_step('n:rb', 'b', '{"ok": true}'); SELECT wf_save_step('n:rb:new', 'a', '{"ok": true}'); ROLLBACK;});
(undef, $err) = w(q{BEGIN; SELECT wf_save_step('n:rb', 'c', '{"ok": true}'); SELECT 1/0;});
like($err, qr/division by zero/, 'a transaction fails after a write');
w('COMMIT');
(undef, $err) = w(q{DO $$ BEGIN PERFORM workflow_persist.wf_save_step('n:rb', 'd', '{"ok": true}'); RAISE EXCEPTION 'boom'; END $$});
like($err, qr/boom/, 'a statement fails after a write');
ws(q{BEGIN; SAVEPOINT s; SELECT wf_save_step('n:rb', 'e', '{"ok": true}'); SELECT wf_delete('n:rb'); ROLLBACK TO SAVEPOINT s; COMMIT;});
ws(q{DO $$ BEGIN BEGIN PERFORM workflow_persist.wf_save_step('n:rb', 'f', '{"ok": true}'); RAISE EXCEPTION 'undo'; EXCEPTION WHEN raise_exception THEN NULL; END; END $$});
is_deeply(payloads(), [],
	'nothing for ROLLBACK, a failed transaction or statement, ROLLBACK TO SAVEPOINT, an exception block');
is(stored('n:rb', 'step')->{version}, 1, 'and indeed nothing was written');

# work kept around a rolled back savepoint: its own state, once
ws(q{BEGIN; SELECT wf_save_step('n:sp', 'a', '{"ok": true}'); SAVEPOINT s; SELECT wf_save_step('n:sp', 'b', '{"ok": true}'); SELECT wf_save_step('n:sp:gone', 'a', '{"ok": true}'); ROLLBACK TO SAVEPOINT s; COMMIT;});
is_deeply(payloads(), [ { id => 'n:sp', version => 1, status => 'running', event => 'step' } ],
	'ROLLBACK TO SAVEPOINT: the state before the savepoint, nothing for what it undid');

ws(q{BEGIN; SAVEPOINT s; SELECT wf_save_step('n:sp2', 'a', '{"ok": true}'); RELEASE SAVEPOINT s; COMMIT;});
is_deeply(payloads(), [ stored('n:sp2', 'step') ], 'a released savepoint is committed work');

# the event is the last one that was not rolled back
ws(q{BEGIN; SELECT wf_save_step('n:sp3', 'a', '{"ok": true}'); SAVEPOINT s; SELECT wf_cancel('n:sp3'); ROLLBACK TO SAVEPOINT s; COMMIT;});
is_deeply(payloads(), [ { id => 'n:sp3', version => 1, status => 'running', event => 'step' } ],
	'a cancel undone by ROLLBACK TO SAVEPOINT is not the event');
ws(q{BEGIN; SELECT wf_save_step('n:sp3', 'b', '{"ok": true}'); SAVEPOINT s; SELECT wf_delete('n:sp3'); ROLLBACK TO SAVEPOINT s; COMMIT;});
is_deeply(payloads(), [ { id => 'n:sp3', version => 2, status => 'running', event => 'step' } ],
	'a delete undone by ROLLBACK TO SAVEPOINT is not the event');

# a checkpoint undone by a savepoint, then a write that is not a checkpoint
# (a lease) to the same workflow: still nothing
ws(q{SELECT wf_save_step('n:sp4', 'a', '{"ok": true}')});
is_deeply(payloads(), [ stored('n:sp4', 'step') ], 'n:sp4 written');
ws(q{BEGIN; SAVEPOINT s; SELECT wf_save_step('n:sp4', 'b', '{"ok": true}'); ROLLBACK TO SAVEPOINT s; SELECT wf_lease_acquire('n:sp4', 'me', '1 minute') IS NOT NULL; COMMIT;});
is_deeply(payloads(), [], 'nothing for a checkpoint undone by a savepoint, even when the row was touched later');

# ---------------------------------------------------------------------------
# coalesced: one notification per workflow per transaction, final state
# ---------------------------------------------------------------------------
ws(q{BEGIN;
SELECT wf_save_step('n:co:1', 'a', '{"ok": true}');
SELECT wf_save_step('n:co:2', 'a', '{"ok": true}');
SELECT wf_save_step('n:co:1', 'b', '{"ok": true}');
SELECT wf_suspend('n:co:1', 'wait');
SELECT wf_save_step('n:co:2', 'b', '{"ok": true}');
SELECT wf_save_step('n:co:1', 'c', '{"ok": true}');
COMMIT;});
my $got = [ sort { $a->{id} cmp $b->{id} } @{ payloads() } ];
is_deeply(
	$got,
	[
		{ id => 'n:co:1', version => 4, status => 'suspended', event => 'step' },
		{ id => 'n:co:2', version => 2, status => 'running',   event => 'step' }
	],
	'six writes to two workflows in one transaction: two notifications, final versions');

ws(q{BEGIN; SELECT wf_delete('n:co:2'); SELECT wf_save_step('n:co:2', 'new', '{"ok": true}'); COMMIT;});
is_deeply(payloads(), [ { id => 'n:co:2', version => 1, status => 'running', event => 'step' } ],
	'deleted and written again: the new run');
# created and deleted in one transaction: no committed change to announce
ws(q{BEGIN; SELECT wf_save_step('n:co:3', 'a', '{"ok": true}'); SELECT wf_delete('n:co:3'); COMMIT;});
is_deeply(payloads(), [], 'created and deleted in one transaction: nothing');

# the trigger: a multi-row INSERT into two workflows
ws(q{CREATE TABLE public.n_lines (wid text, step text, v jsonb);
SELECT wf_attach_checkpoint('public.n_lines', 'wid', 'step', 'v');
INSERT INTO public.n_lines SELECT 'n:trg:' || i, 's' || j, to_jsonb(j)
  FROM generate_series(1, 2) AS i, generate_series(1, 3) AS j;});
$got = [ sort { $a->{id} cmp $b->{id} } @{ payloads() } ];
is_deeply($got,
	[ stored('n:trg:1', 'step'), stored('n:trg:2', 'step') ],
	'a multi-row INSERT with the checkpoint trigger: one notification per workflow');
is($got->[0]{version}, 3, 'with the version after the last row');

# a procedure that commits after each step: one per COMMIT
ws(q{CREATE PROCEDURE public.n_proc() LANGUAGE plpgsql AS $$
BEGIN
    PERFORM workflow_persist.wf_save_step('n:proc', 'a', '{"ok": true}');
    COMMIT;
    PERFORM workflow_persist.wf_save_step('n:proc', 'b', '{"ok": true}');
    PERFORM workflow_persist.wf_save_step('n:proc', 'c', '{"ok": true}');
    COMMIT;
END $$;
CALL public.n_proc();});
is_deeply(payloads(), [ map { { id => 'n:proc', version => $_, status => 'running', event => 'step' } } 1, 3 ],
	'a procedure: one notification per COMMIT');

# ---------------------------------------------------------------------------
# awkward ids: valid JSON, under NOTIFY's 8000-byte limit
# ---------------------------------------------------------------------------
my %awkward = (
	# 512 bytes that JSON escapes the most (\u0001: 6 bytes each)
	controls => q{repeat(chr(1), 512)},
	# quotes, backslashes, newlines, tabs, emoji, up to exactly 512 bytes
	mixed => q{repeat(E'"\\\\\n\t''🧾', 56) || repeat('"', 8)},
	emoji => q{repeat('🧾', 128)},
);
for my $name (sort keys %awkward)
{
	my $expr = $awkward{$name};
	my $info = ws("SELECT octet_length($expr) || ' ' || encode(convert_to($expr, 'UTF8'), 'hex')");
	chomp $info;
	my ($bytes, $hex) = split / /, $info;
	ws("SELECT wf_save_step($expr, 'k', '{\"ok\": true}')");
	my @n = received();
	is(scalar(@n), 1, "$name id ($bytes bytes): one notification");
	my $payload = $n[0][0];
	cmp_ok(length($payload), '<', 8000, "$name id: payload under 8000 bytes");
	my $decoded = eval { open_payload($payload) };
	ok(defined $decoded, "$name id: payload is a token that opens") or diag($@);
	is(unpack('H*', encode('UTF-8', $decoded->{id} // '')), $hex, "$name id: the id round-trips");
	is($decoded->{version}, 1, "$name id: version");
	ws("SELECT wf_delete($expr)");
	is_deeply(payloads(), [ { %{ deleted('') }, id => $decoded->{id} } ], "$name id: delete");
}
is(
	ws("SELECT octet_length($awkward{mixed})"),
	'512',
	'the mixed id is 512 bytes');

# ---------------------------------------------------------------------------
# two-phase commit: a warning, no notification
# ---------------------------------------------------------------------------
(undef, $err) = w(q{BEGIN; SELECT wf_save_step('n:2pc', 'a', '{"ok": true}'); PREPARE TRANSACTION 'n2pc';});
like($err, qr/WARNING:  workflow_persist does not send notifications for prepared transactions/,
	'PREPARE TRANSACTION warns');
ws(q{COMMIT PREPARED 'n2pc'});
is_deeply(payloads(), [], 'and nothing is sent, at PREPARE or at COMMIT PREPARED');
ws(q{SELECT wf_save_step('n:2pc', 'b', '{"ok": true}')});
is_deeply(payloads(), [ stored('n:2pc', 'step') ], 'the next transaction notifies again');

# ---------------------------------------------------------------------------
# off: nothing; ALTER SYSTEM: on for every new session
# ---------------------------------------------------------------------------
ws('SET workflow_persist.notify = off');
ws(q{SELECT wf_save_step('n:off', 'a', '{"ok": true}')});
$node->safe_psql('postgres', q{SELECT workflow_persist.wf_save_step('n:off', 'b', '{"ok": true}')});
is_deeply(payloads(), [], 'off (the default): nothing');

# (ALTER SYSTEM knows the setting only once the library is loaded: in a
# fresh session that has not used the extension yet, LOAD it first)
$node->safe_psql('postgres',
	"LOAD 'workflow_persist'; ALTER SYSTEM SET workflow_persist.notify = on");
$node->reload;
ok( $node->poll_query_until(
		'postgres', q{SELECT current_setting('workflow_persist.notify', true) = 'on'}),
	'ALTER SYSTEM and a reload turn it on');
my $other = $node->background_psql('postgres');
my $other_pid = $other->query_safe('SELECT pg_backend_pid()');
chomp $other_pid;
$other->query_safe(q{SELECT workflow_persist.wf_save_step('n:off', 'c', '{"ok": true}')});
$other->quit;
is_deeply(payloads($other_pid), [ stored('n:off', 'step') ], 'a new session notifies');
$node->safe_psql('postgres',
	"LOAD 'workflow_persist'; ALTER SYSTEM RESET workflow_persist.notify");
$node->reload;

$listener->quit;
$opener->quit;
$writer->quit;
$node->stop;
done_testing();
