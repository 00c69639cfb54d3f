# The durable procedure of docs/durable-procedures.md, interrupted.
#
# The guide's SQL (the ```sql blocks before its "Running it": tables,
# procedure) is installed as it is written there.  CALL ship_order(n) runs
# in a background session; the test holds a lock on the order's row, so the
# procedure stops inside step 3 (ship), after that step's first side
# effect and before its checkpoint.  Then:
#
#  1. the backend is terminated (pg_terminate_backend): the steps that
#     committed are there, the interrupted step left neither its side
#     effect nor its checkpoint; a second CALL finishes, every side effect
#     exactly once; a third CALL changes nothing;
#  2. the server is stopped with "immediate" (a crash) instead: the same
#     after recovery;
#  3. two CALLs of one order run at once: each step still runs once (the
#     guide's advisory lock);
#  4. a step that fails (a refused payment) is recorded and not retried.
#
# Every wait is on a condition the test polls for (a lock wait seen in
# pg_stat_activity), never a sleep.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('durable');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

# ---------------------------------------------------------------------------
# the guide's SQL
# ---------------------------------------------------------------------------
my $guide = 'docs/durable-procedures.md';
open my $fh, '<', $guide or die "cannot read $guide: $!";
my $text = do { local $/; <$fh> };
close $fh;
my ($setup) = $text =~ /\A(.*?)^## Running it$/ms
  or die "$guide has no \"Running it\" section";
my @blocks = $setup =~ /^```sql\n(.*?)^```$/msg;
cmp_ok(scalar(@blocks), '>=', 2, "$guide has its sql blocks");
$node->safe_psql('postgres', $_) for @blocks;
ok( $node->safe_psql('postgres',
		"SELECT to_regprocedure('public.ship_order(int)') IS NOT NULL"),
	'ship_order(int) installed from the guide');

# more orders and stock for the scenarios below
$node->safe_psql(
	'postgres', q{
UPDATE public.stock SET on_hand = 100;
INSERT INTO public.orders VALUES
    (44, 'cy', 'SKU-7', 3, 15.00),
    (46, 'di', 'SKU-7', 5, 25.00),
    (47, 'ed', 'SKU-7', 1, 2500.00);
});

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

# Side effects and checkpoints of one order, as one line.
sub state_of
{
	my ($order) = @_;
	return $node->safe_psql(
		'postgres', qq{
SELECT concat_ws(' ',
    'reservations=' || (SELECT count(*) FROM public.reservations WHERE order_id = $order),
    'payments=' || (SELECT count(*) FROM public.payments WHERE order_id = $order),
    'shipments=' || (SELECT count(*) FROM public.shipments WHERE order_id = $order),
    'status=' || (SELECT status FROM public.orders WHERE id = $order),
    'steps=' || coalesce((SELECT string_agg(step_key || ':' || ok, ',' ORDER BY pos)
                            FROM workflow_persist.wf_steps('order:$order')), '-'))});
}

sub on_hand
{
	return $node->safe_psql('postgres',
		"SELECT on_hand FROM public.stock WHERE sku = 'SKU-7'");
}

# A session holding the order's row: step 3 (UPDATE orders) waits for it.
sub hold_order_row
{
	my ($order) = @_;
	my $holder = $node->background_psql('postgres');
	$holder->query_safe(
		"BEGIN; SELECT 1 FROM public.orders WHERE id = $order FOR UPDATE;");
	return $holder;
}

# CALL ship_order(order) in a background session; returns the session and
# its backend's pid.  "done" is printed when the CALL returns.
sub start_call
{
	my ($order) = @_;
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $s->query_safe('SELECT pg_backend_pid()');
	chomp $pid;
	$s->query_until(qr/calling/,
		"\\echo calling\nCALL public.ship_order($order);\n\\echo done\n");
	return ($s, $pid);
}

# Waits until backend $pid is blocked inside step 3: it waits for a lock
# and has already inserted its shipment (it holds a lock on shipments).
sub wait_in_step_3
{
	my ($pid) = @_;
	ok( $node->poll_query_until(
			'postgres', qq{
SELECT a.wait_event_type = 'Lock'
       AND EXISTS (SELECT FROM pg_locks AS l
                    WHERE l.pid = $pid AND l.relation = 'public.shipments'::regclass
                      AND l.mode = 'RowExclusiveLock' AND l.granted)
  FROM pg_stat_activity AS a WHERE a.pid = $pid}),
		"backend $pid waits inside step 3, after its shipment insert");
}

# A CALL session whose backend is gone (terminated, or the server
# crashed): psql reports the lost connection and exits.  Returns what it
# printed on stderr.
sub reap_lost
{
	my ($s) = @_;
	pump_until($s->{run}, $s->{timeout}, \$s->{stderr},
		qr/connection to server was lost/);
	eval { $s->{run}->finish; };
	return $s->{stderr};
}

# An idle session whose server crashed: psql waits for input; end it.
sub reap_idle
{
	my ($s) = @_;
	$s->{stdin} .= "\\q\n";
	eval { $s->{run}->finish; };
	return;
}

# ---------------------------------------------------------------------------
# 1. the backend is terminated in the middle of step 3
# ---------------------------------------------------------------------------
my $stock0 = on_hand();
my $holder = hold_order_row(42);
my ($caller, $pid) = start_call(42);
wait_in_step_3($pid);
is(state_of(42),
	'reservations=1 payments=1 shipments=0 status=new steps=reserve:true,charge:true',
	'steps 1 and 2 committed while step 3 waits');

$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid"),
	'the CALL is terminated');
like(reap_lost($caller), qr/terminating connection due to administrator command/,
	'the caller saw its connection terminated');
$holder->query_safe('ROLLBACK');
$holder->quit;

is(state_of(42),
	'reservations=1 payments=1 shipments=0 status=new steps=reserve:true,charge:true',
	'the interrupted step left neither its side effects nor its checkpoint');
is(on_hand(), $stock0 - 2, 'the stock was taken once');

$node->safe_psql('postgres', 'CALL public.ship_order(42)');
is(state_of(42),
	'reservations=1 payments=1 shipments=1 status=shipped steps=reserve:true,charge:true,ship:true',
	'a second CALL finishes: every step once, every side effect once');
is(on_hand(), $stock0 - 2, 'the stock is still taken once');
is( $node->safe_psql(
		'postgres', q{
SELECT s.payment_id = p.id
  FROM public.shipments AS s JOIN public.payments AS p USING (order_id)
 WHERE s.order_id = 42}),
	't',
	'step 3 used the payment step 2 recorded');

my $version = $node->safe_psql('postgres',
	"SELECT version FROM workflow_persist.wf_info('order:42')");
$node->safe_psql('postgres', 'CALL public.ship_order(42)');
is(state_of(42),
	'reservations=1 payments=1 shipments=1 status=shipped steps=reserve:true,charge:true,ship:true',
	'a third CALL does nothing');
is( $node->safe_psql(
		'postgres', "SELECT version FROM workflow_persist.wf_info('order:42')"),
	$version,
	'and writes nothing');

# ---------------------------------------------------------------------------
# 2. the server crashes in the middle of step 3
# ---------------------------------------------------------------------------
$stock0 = on_hand();
$holder = hold_order_row(44);
($caller, $pid) = start_call(44);
wait_in_step_3($pid);
$node->stop('immediate');
reap_lost($caller);
reap_idle($holder);
$node->start;

is(state_of(44),
	'reservations=1 payments=1 shipments=0 status=new steps=reserve:true,charge:true',
	'after the crash: the committed steps and their side effects, nothing of step 3');
is(on_hand(), $stock0 - 3, 'the stock was taken once');
$node->safe_psql('postgres', 'CALL public.ship_order(44)');
is(state_of(44),
	'reservations=1 payments=1 shipments=1 status=shipped steps=reserve:true,charge:true,ship:true',
	'after recovery a CALL finishes, every side effect once');
is(on_hand(), $stock0 - 3, 'the stock is still taken once');

# ---------------------------------------------------------------------------
# 3. two CALLs of one order at once
# ---------------------------------------------------------------------------
$stock0 = on_hand();
$holder = hold_order_row(46);
my ($call_a, $pid_a) = start_call(46);
wait_in_step_3($pid_a);
my ($call_b, $pid_b) = start_call(46);
ok( $node->poll_query_until(
		'postgres',
		"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid_b"),
	'the second CALL waits');
is( $node->safe_psql(
		'postgres', "SELECT wait_event FROM pg_stat_activity WHERE pid = $pid_b"),
	'advisory',
	'for the first one, on the advisory lock of the order');
$holder->query_safe('ROLLBACK');
$holder->quit;
$call_a->query_until(qr/done/, '');
$call_b->query_until(qr/done/, '');
is($call_a->{stderr} . $call_b->{stderr}, '', 'both CALLs succeeded');
$call_a->quit;
$call_b->quit;
is(state_of(46),
	'reservations=1 payments=1 shipments=1 status=shipped steps=reserve:true,charge:true,ship:true',
	'two CALLs at once: every side effect once');
is(on_hand(), $stock0 - 5, 'the stock was taken once');

# ---------------------------------------------------------------------------
# 4. a failed step is a result: recorded, and not run again
# ---------------------------------------------------------------------------
$stock0 = on_hand();
$node->safe_psql('postgres', 'CALL public.ship_order(47)');
is(state_of(47),
	'reservations=1 payments=0 shipments=0 status=new steps=reserve:true,charge:false',
	'a refused payment is recorded as a failed step, and the procedure stops');
is( $node->safe_psql(
		'postgres',
		"SELECT workflow_persist.wf_step_result('order:47', 'charge') ->> 'error'"),
	'AMOUNT_TOO_HIGH',
	'with its error');
$version = $node->safe_psql('postgres',
	"SELECT version FROM workflow_persist.wf_info('order:47')");
$node->safe_psql('postgres', 'CALL public.ship_order(47)');
is(state_of(47),
	'reservations=1 payments=0 shipments=0 status=new steps=reserve:true,charge:false',
	'a second CALL stops at the same place');
is( $node->safe_psql(
		'postgres', "SELECT version FROM workflow_persist.wf_info('order:47')"),
	$version,
	'without writing');
is(on_hand(), $stock0 - 1, 'the stock was taken once');

# ---------------------------------------------------------------------------
# a cancelled run: the next checkpoint fails, and its side effects with it
# ---------------------------------------------------------------------------
$node->safe_psql(
	'postgres', q{
INSERT INTO public.orders VALUES (48, 'flo', 'SKU-7', 1, 10.00);
SELECT workflow_persist.wf_save_step('order:48', 'reserve', '{"ok": true, "value": null}');
SELECT workflow_persist.wf_cancel('order:48', 'customer changed her mind');
});
my ($ret, $out, $err) =
  $node->psql('postgres', 'CALL public.ship_order(48)');
isnt($ret, 0, 'CALL of a cancelled run fails');
like($err, qr/is cancelled and accepts no more checkpoints/, 'because the run is cancelled');
is(state_of(48),
	'reservations=0 payments=0 shipments=0 status=new steps=reserve:true',
	'and the payment it was taking is rolled back with the checkpoint');

$node->stop;
done_testing();
