# wfctl's commands that change runs: approve, reject, resume, cancel,
# replay, delete, cleanup.
#
# Every command runs under valgrind (WfctlTest) and is checked for its exit
# status, its output and, through SQL, for what it did to the store: the
# step as wf_load shows it, the decision's note, value and actor in
# wf_history, resume data in metadata.resume, rows deleted or kept.
# Ids: approve, reject, cancel and delete act on whole ids; a prefix needs
# --prefix-match or --yes (off a terminal a prefix is refused with exit 3,
# naming the id it starts; t/044 covers the question at a terminal).
# Conflicts: another transaction writing the run makes a write give up
# after --wait (exit 4); a lease held by another owner does not bind the
# lifecycle functions, which take no token.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use WfctlTest;

my $node = PostgreSQL::Test::Cluster->new('wfctl_lifecycle');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

my @conn = ('-d', $node->connstr('postgres'));

sub sql
{
	my ($query) = @_;
	return $node->safe_psql('postgres',
		"SET search_path = workflow_persist, pg_catalog; $query");
}

# a step waiting for approval, as awaitly stores it
sub pending_step
{
	my ($key) = @_;
	return "'" . '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "' . $key . '"}, '
	  . '"cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}, '
	  . '"meta": {"origin": "result"}}' . "'";
}

sub waiting
{
	my ($id, $key) = @_;
	sql("SELECT wf_save_step('$id', 'lookup', '{\"ok\": true, \"value\": 1}')");
	sql("SELECT wf_save_step('$id', '$key', " . pending_step($key) . ")");
}

# run wfctl, return (exit status, stdout, stderr)
sub wfctl
{
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run(wfctl_cmd(@_), '>', \$stdout, '2>', \$stderr);
	return ($? >> 8, $stdout, $stderr);
}

# ---- help and usage errors ----

foreach my $cmd (qw(approve reject resume cancel replay delete cleanup))
{
	command_checks_all(wfctl_cmd($cmd, '--help'),
		0, [qr/^Usage:\n  wfctl \Q$cmd\E /, qr/--dbname/], [qr/^$/],
		"$cmd --help");
	command_checks_all(wfctl_cmd($cmd, '--bogus', @conn),
		64, [qr/^$/],
		[ qr/unrecognized option '--bogus'/, qr/Try "wfctl \Q$cmd\E --help"/ ],
		"$cmd: an unknown option is a usage error");
}

waiting('refund:41-a1b2', 'approve:refund');

command_checks_all(wfctl_cmd('approve', @conn),
	64, [qr/^$/], [qr/^wfctl approve: error: missing workflow id$/m],
	'approve without arguments');
command_checks_all(wfctl_cmd('approve', 'refund:41', @conn),
	64, [qr/^$/], [qr/^wfctl approve: error: missing step key$/m],
	'approve without a step');
command_checks_all(wfctl_cmd('approve', 'refund:41', 'approve:refund', 'extra', @conn),
	64, [qr/^$/], [qr/unexpected argument "extra"/],
	'approve with an extra argument');
command_checks_all(
	wfctl_cmd('approve', 'refund:41', 'approve:refund', '--value', '{"limit": 10', @conn),
	64, [qr/^$/],
	[qr/^wfctl approve: error: --value is not valid JSON: The input string ended unexpectedly/m],
	'approve: a malformed --value is a usage error');
command_checks_all(
	wfctl_cmd('approve', 'refund:41', 'approve:refund', '--value', 'yes', @conn),
	64, [qr/^$/], [qr/--value is not valid JSON: Token "yes" is invalid/],
	'approve: a bare word is not JSON');
command_checks_all(
	wfctl_cmd('approve', 'refund:41', 'approve:refund', '--reason', 'x', @conn),
	64, [qr/^$/], [qr/--reason is for reject/],
	'approve takes no --reason');
command_checks_all(
	wfctl_cmd('approve', 'refund:41', 'approve:refund', '--wait', '-1', @conn),
	64, [qr/^$/], [qr/--wait must be a number from 0 to 86400, not "-1"/],
	'approve: --wait must be a number');
command_checks_all(wfctl_cmd('reject', 'refund:41', 'approve:refund', @conn),
	64, [qr/^$/], [qr/^wfctl reject: error: --reason is required$/m],
	'reject without --reason');
command_checks_all(wfctl_cmd('resume', @conn),
	64, [qr/^$/], [qr/missing workflow id/], 'resume without an id');
command_checks_all(wfctl_cmd('resume', 'x', '--data', 'a=1', '--data', 'a=2', @conn),
	64, [qr/^$/], [qr/--data key "a" is given twice/],
	'resume: a --data key given twice');
command_checks_all(wfctl_cmd('resume', 'x', '--data', 'novalue', @conn),
	64, [qr/^$/], [qr/--data takes KEY=VALUE, not "novalue"/],
	'resume: --data without =');
command_checks_all(wfctl_cmd('resume', 'x', '--data', '=v', @conn),
	64, [qr/^$/], [qr/--data takes KEY=VALUE, not "=v"/],
	'resume: --data with an empty key');
command_checks_all(wfctl_cmd('resume', 'x', '--data', "a=\xff", @conn),
	64, [qr/^$/], [qr/--data "a=.*" is not valid UTF-8/],
	'resume: --data must be UTF-8');
command_checks_all(wfctl_cmd('resume', 'x', '--data', 'a=1', '--data-json', '{}', @conn),
	64, [qr/^$/], [qr/--data and --data-json cannot be used together/],
	'resume: --data and --data-json together');
command_checks_all(wfctl_cmd('resume', 'x', '--data-json', '[1, 2]', @conn),
	64, [qr/^$/], [qr/--data-json must be a JSON object, not an array/],
	'resume: --data-json must be an object');
command_checks_all(wfctl_cmd('resume', 'x', '--data-json', '{"a": ', @conn),
	64, [qr/^$/], [qr/--data-json is not valid JSON/],
	'resume: malformed --data-json');
command_checks_all(wfctl_cmd('cancel', @conn),
	64, [qr/^$/], [qr/missing workflow id/], 'cancel without an id');
command_checks_all(wfctl_cmd('replay', @conn),
	64, [qr/^$/], [qr/missing workflow id/], 'replay without an id');
command_checks_all(wfctl_cmd('replay', 'x', '--as', '', @conn),
	64, [qr/^$/], [qr/--as must not be empty/], 'replay --as ""');
command_checks_all(wfctl_cmd('delete', @conn),
	64, [qr/^$/], [qr/missing workflow id/], 'delete without an id');
command_checks_all(wfctl_cmd('delete', 'refund:41', '', @conn),
	64, [qr/^$/], [qr/a workflow id must not be empty/], 'delete ""');
command_checks_all(wfctl_cmd('cleanup', 'now', @conn),
	64, [qr/^$/], [qr/unexpected argument "now"/], 'cleanup takes no argument');
command_checks_all(wfctl_cmd('cleanup', '--batch', '0', @conn),
	64, [qr/^$/], [qr/--batch must be a number from 1 to 1000000, not "0"/],
	'cleanup --batch 0');
is(sql(q{SELECT version, pending FROM wf_info('refund:41-a1b2')}),
	'2|1', 'usage errors changed nothing');

# ---- approve ----

command_checks_all(wfctl_cmd('approve', 'refund:41', 'approve:refund', @conn),
	3, [qr/^$/],
	[
		qr/^wfctl: error: workflow "refund:41" does not exist$/m,
		qr/^HINT:  It is the start of "refund:41-a1b2": give the whole id, or add --prefix-match to take a unique prefix\.$/m
	],
	'approve of a prefix: refused off a terminal, exit 3, the whole id named');
is(sql(q{SELECT version, pending FROM wf_info('refund:41-a1b2')}), '2|1',
	'the refused approval changed nothing');
command_checks_all(
	wfctl_cmd(
		'approve', 'refund:41', 'approve:refund', '--prefix-match',
		'--value', '{"approved": true, "limit": 1000}',
		'--note', 'regular customer',
		'--by', 'dana', @conn),
	0,
	[qr/^approved step "approve:refund" of workflow "refund:41-a1b2" \(version 3, now running\)\n$/],
	[qr/^$/],
	'approve by prefix with --prefix-match');
is(sql(q{SELECT wf_load('refund:41-a1b2') -> 'steps' -> 'approve:refund'}),
	'{"ok": true, "value": {"limit": 1000, "approved": true}}',
	'the step holds the approval value');
is( sql(
		q{SELECT actor, detail FROM wf_history('refund:41-a1b2') WHERE event = 'approved'}),
	'dana|{"note": "regular customer", "value": {"limit": 1000, "approved": true}}',
	'wf_history has the decision: --by, --note, --value');
is(sql(q{SELECT status, pending FROM wf_info('refund:41-a1b2')}),
	'running|0', 'the run is running again');

command_checks_all(wfctl_cmd('approve', 'refund:41-a1b2', 'approve:refund', @conn),
	1, [qr/^$/],
	[
		qr/^wfctl: error: step "approve:refund" of workflow "refund:41-a1b2" is not waiting for a decision$/m,
		qr/^DETAIL:  Only a step whose error.type is PENDING_APPROVAL/m
	],
	'a second decision is refused with the server\'s message');
command_checks_all(wfctl_cmd('approve', 'refund:41-a1b2', 'approve:nope', @conn),
	3, [qr/^$/],
	[qr/step "approve:nope" of workflow "refund:41-a1b2" does not exist/],
	'approve of a step that does not exist: exit 3');
command_checks_all(wfctl_cmd('approve', 'zzz', 'approve:refund', @conn),
	3, [qr/^$/], [qr/^wfctl: error: workflow "zzz" does not exist$/],
	'approve of a workflow that does not exist: exit 3');
command_checks_all(wfctl_cmd('approve', 'zzz', 'approve:refund', '--prefix-match', @conn),
	3, [qr/^$/], [qr/no workflow id starts with "zzz"/],
	'approve --prefix-match of a prefix of nothing: exit 3');

waiting('dup:1', 'approve:a');
waiting('dup:2', 'approve:a');
command_checks_all(wfctl_cmd('approve', 'dup:', 'approve:a', @conn),
	3, [qr/^$/],
	[ qr/^wfctl: error: workflow "dup:" does not exist$/m, qr/^DETAIL:  Candidates: dup:1, dup:2$/m ],
	'approve of the start of several ids: exit 3, candidates listed');
command_checks_all(wfctl_cmd('approve', 'dup:', 'approve:a', '--prefix-match', '--yes', @conn),
	3, [qr/^$/],
	[ qr/workflow id prefix "dup:" is ambiguous/, qr/DETAIL:  Candidates: dup:1, dup:2/ ],
	'approve --prefix-match with an ambiguous prefix: exit 3, candidates listed');

# an exact id wins over the longer ids it is a prefix of
waiting('dup:1-later', 'approve:a');
command_checks_all(wfctl_cmd('approve', 'dup:1', 'approve:a', '--json', @conn),
	0,
	[
		qr/^\{[^\n]*\}\n$/, qr/"id": "dup:1"[,}]/, qr/"step_key": "approve:a"/,
		qr/"version": 3[,}]/, qr/"status": "running"/
	],
	[qr/^$/],
	'approve --json, an exact id that is also a prefix');
is( sql(
		q{SELECT wf_load('dup:1') -> 'steps' -> 'approve:a', actor = current_user, detail
		    FROM wf_history('dup:1') WHERE event = 'approved'}),
	'{"ok": true, "value": true}|t|{"value": true}',
	'default value true and decided by the database user');
is(sql(q{SELECT pending FROM wf_info('dup:1-later')}), '1', 'the longer id is untouched');

# a value the server reads as jsonb (bigger than a 64-bit integer)
command_checks_all(
	wfctl_cmd('approve', 'dup:2', 'approve:a', '--value', '123456789012345678901234567890', @conn),
	0, [qr/^approved step "approve:a" of workflow "dup:2"/], [qr/^$/],
	'approve: a big number is valid JSON');
is(sql(q{SELECT wf_load('dup:2') -> 'steps' -> 'approve:a' -> 'value'}),
	'123456789012345678901234567890', 'the big number is stored exactly');

# two steps waiting: the first decision leaves the run suspended
sql(q{SELECT wf_save_step('two:1', 'approve:a', } . pending_step('approve:a') . ')');
sql(q{SELECT wf_save_step('two:1', 'approve:b', } . pending_step('approve:b') . ')');
command_checks_all(wfctl_cmd('approve', 'two:1', 'approve:a', @conn),
	0, [qr/\(version 3, now suspended\)$/], [qr/^$/],
	'approve of one of two waiting steps: still suspended');

# ---- reject ----

command_checks_all(
	wfctl_cmd(
		'reject', 'two:1', 'approve:b', '--reason', 'over the limit',
		'--note', 'ask finance', '--by', 'bob', @conn),
	0,
	[qr/^rejected step "approve:b" of workflow "two:1" \(version 4, now running\)\n$/],
	[qr/^$/],
	'reject');
is( sql(
		q{SELECT s -> 'ok', s -> 'error' ->> 'type', s -> 'error' ->> 'reason'
		    FROM (SELECT wf_load('two:1') -> 'steps' -> 'approve:b' AS s) AS x}),
	'false|APPROVAL_REJECTED|over the limit',
	'the step is awaitly\'s rejection with the reason');
is(sql(q{SELECT actor, detail FROM wf_history('two:1') WHERE event = 'rejected'}),
	'bob|{"note": "ask finance", "reason": "over the limit"}',
	'wf_history has the rejection: --by, --note, --reason');
command_checks_all(wfctl_cmd('reject', 'two:1', 'approve:b', '--reason', 'again', @conn),
	1, [qr/^$/], [qr/is not waiting for a decision/],
	'a second rejection is refused');
command_checks_all(
	wfctl_cmd('reject', 'nope:', 'approve:b', '--reason', 'x', '--json', @conn),
	3, [qr/^$/], [qr/^wfctl: error: workflow "nope:" does not exist$/],
	'reject of a workflow that does not exist: exit 3');

# ---- resume ----

sql(q{SELECT wf_save_step('kyc:7', 'collect', '{"ok": true}')});
sql(q{SELECT wf_suspend('kyc:7', 'waiting for a passport scan')});
command_checks_all(
	wfctl_cmd('resume', 'kyc:7', '--data', 'passport=scan-0193.pdf', '--data', 'note=a=b',
		'--data', 'empty=', @conn),
	0, [qr/^resumed workflow "kyc:7" \(version 3, now running\)\n$/], [qr/^$/],
	'resume with --data');
is( sql(q{SELECT wf_load('kyc:7') -> 'metadata' -> 'resume'}),
	'{"note": "a=b", "empty": "", "passport": "scan-0193.pdf"}',
	'--data KEY=VALUE pairs are strings in metadata.resume');

sql(q{SELECT wf_suspend('kyc:7', 'one more document')});
command_checks_all(
	wfctl_cmd('resume', 'kyc:7', '--data-json', '{"count": 2, "passport": null, "tags": ["a"]}',
		'--json', @conn),
	0, [ qr/^\{[^\n]*\}\n$/, qr/"id": "kyc:7"/, qr/"status": "running"/, qr/"version": 5/ ],
	[qr/^$/],
	'resume with --data-json and --json');
is( sql(q{SELECT wf_load('kyc:7') -> 'metadata' -> 'resume'}),
	'{"note": "a=b", "tags": ["a"], "count": 2, "empty": "", "passport": null}',
	'--data-json is merged into metadata.resume, its keys winning');
is(sql(q{SELECT detail FROM wf_history('kyc:7') WHERE event = 'resumed' ORDER BY at DESC LIMIT 1}),
	'{"data": {"tags": ["a"], "count": 2, "passport": null}, "from": "suspended"}',
	'the resumed event has the data');

command_checks_all(wfctl_cmd('resume', 'kyc:7', @conn),
	1, [qr/^$/],
	[qr/^wfctl: error: workflow "kyc:7" is running; only a suspended or failed run can be resumed$/m],
	'resume of a running run is refused with the server\'s message');
waiting('hold:1', 'approve:x');
command_checks_all(wfctl_cmd('resume', 'hold:1', @conn),
	1, [qr/^$/],
	[
		qr/workflow "hold:1" has 1 step waiting for a decision/,
		qr/^HINT:  Decide them with "wfctl approve" or "wfctl reject" first; "wfctl pending" lists them\.$/m
	],
	'resume with a step still waiting is refused, with the server\'s hint in wfctl\'s words');

# ---- cancel ----

command_checks_all(wfctl_cmd('cancel', 'hold:', @conn),
	3, [qr/^$/],
	[ qr/^wfctl: error: workflow "hold:" does not exist$/m, qr/^HINT:  It is the start of "hold:1"/m ],
	'cancel of a prefix: refused off a terminal (cancel inv must not cancel invoice:77)');
is(sql(q{SELECT status FROM wf_info('hold:1')}), 'suspended', 'hold:1 is not cancelled');
command_checks_all(
	wfctl_cmd('cancel', 'hold:', '--yes', '--reason', 'customer withdrew the request', @conn),
	0, [qr/^cancelled workflow "hold:1" \(version 3, now cancelled\)\n$/],
	[qr/^wfctl: taking workflow "hold:1" for "hold:" \(--yes\)\n$/],
	'cancel of a prefix with --yes: taken, and said so on stderr');
is(sql(q{SELECT detail FROM wf_history('hold:1') WHERE event = 'cancelled'}),
	'{"reason": "customer withdrew the request"}', 'the reason is in wf_history');
command_checks_all(wfctl_cmd('cancel', 'hold:1', '--json', @conn),
	0, [ qr/"id": "hold:1"/, qr/"status": "cancelled"/, qr/"version": 3/ ], [qr/^$/],
	'cancel --json of a cancelled run');
command_checks_all(wfctl_cmd('cancel', 'hold:1', @conn),
	0, [qr/^workflow "hold:1" was already cancelled \(version 3, now cancelled\)$/], [qr/^$/],
	'cancelling a cancelled run says so');
command_checks_all(wfctl_cmd('approve', 'hold:1', 'approve:x', @conn),
	1, [qr/^$/],
	[
		qr/^wfctl: error: workflow "hold:1" is cancelled and accepts no more writes$/m,
		qr/^HINT:  Use "wfctl replay ID" to start a new run with the same input\.$/m
	],
	'approve of a cancelled run: exit 1 with the server\'s message, its hint in wfctl\'s words');
command_checks_all(wfctl_cmd('resume', 'hold:1', @conn),
	1, [qr/^$/], [qr/workflow "hold:1" is cancelled; only a suspended or failed run can be resumed/],
	'resume of a cancelled run is refused');
is(sql(q{SELECT version, status FROM wf_info('hold:1')}), '3|cancelled',
	'refused writes changed nothing');

sql(q{SELECT wf_save('done:1', '{"formatVersion": 1, "steps": {"a": {"ok": true}}, "execution": {"status": "completed", "lastUpdated": "t"}}')});
command_checks_all(wfctl_cmd('cancel', 'done:1', @conn),
	1, [qr/^$/], [qr/workflow "done:1" is completed and cannot be cancelled/],
	'cancel of a completed run is refused');

# ---- replay ----

sql(q{SELECT wf_save('src:1', '{"formatVersion": 1, "workflowName": "refund", "steps": {"a": {"ok": true}}, "execution": {"status": "running", "lastUpdated": "t"}, "metadata": {"input": {"order": 1}}}')});
sql(q{SELECT wf_cancel('src:1')});
my ($rc, $out, $err) = wfctl('replay', 'src:', @conn);
is($rc, 0, 'replay: exit 0') or diag($err);
like($out, qr/^src:1:replay-[0-9a-f]{8}\n$/, 'replay prints the new id');
chomp $out;
is( sql(
		qq{SELECT status, wf_load('$out') -> 'metadata' -> 'replayOf' ->> 'id',
		          wf_load('$out') -> 'metadata' -> 'input' FROM wf_info('$out')}),
	'running|src:1|{"order": 1}',
	'the replayed run exists, running, with the input');

command_checks_all(wfctl_cmd('replay', 'src:1', '--as', 'src:again', '--json', @conn),
	0,
	[ qr/"id": "src:again"/, qr/"replay_of": "src:1"/, qr/"status": "running"/, qr/"version": 1/ ],
	[qr/^$/],
	'replay --as --json');
is(sql(q{SELECT wf_exists('src:again')}), 't', 'src:again exists');
command_checks_all(wfctl_cmd('replay', 'src:1', '--as', 'src:again', @conn),
	1, [qr/^$/],
	[ qr/workflow "src:again" already exists/, qr/^HINT:  Pick another --as, or delete that workflow first \("wfctl delete"\)\.$/m ],
	'replay onto an existing id is refused');
command_checks_all(wfctl_cmd('replay', 'nothing-here', @conn),
	3, [qr/^$/], [qr/no workflow id starts with "nothing-here"/],
	'replay of a workflow that does not exist: exit 3');

# ---- delete ----

sql(q{SELECT wf_save_step('del:' || i, 'a', '{"ok": true}') FROM generate_series(1, 4) AS i});
sql(q{SELECT wf_save_step('lone:xyz', 'a', '{"ok": true}')});
command_checks_all(wfctl_cmd('delete', 'del:1', 'lone:', @conn),
	3, [qr/^$/],
	[
		qr/^wfctl: error: workflow "lone:" does not exist\nHINT:  It is the start of "lone:xyz"/m,
		qr/nothing deleted: 1 of 2 workflow ids did not name exactly one workflow/
	],
	'delete of a prefix: refused, nothing deleted (delete refund:4 must not delete refund:42)');
is(sql(q{SELECT wf_exists('del:1'), wf_exists('lone:xyz')}), 't|t', 'both are kept');
command_checks_all(wfctl_cmd('delete', 'del:1', 'lone:', '--prefix-match', @conn),
	0, [qr/^deleted workflow "del:1"\ndeleted workflow "lone:xyz"\n$/], [qr/^$/],
	'delete an exact id and, with --prefix-match, a prefix');
is(sql(q{SELECT wf_exists('del:1'), wf_exists('lone:xyz'), wf_exists('del:2')}),
	'f|f|t', 'both are gone, the others kept');
command_checks_all(wfctl_cmd('delete', 'del:2', 'del:1', 'ghost', @conn),
	3, [qr/^$/],
	[
		qr/workflow "del:1" does not exist/, qr/workflow "ghost" does not exist/,
		qr/nothing deleted: 2 of 3 workflow ids did not name exactly one workflow/
	],
	'delete with ids not found: exit 3, each reported');
is(sql(q{SELECT wf_exists('del:2')}), 't', 'nothing was deleted');
command_checks_all(wfctl_cmd('delete', 'del:2', 'del:', '--prefix-match', @conn),
	3, [qr/^$/],
	[ qr/workflow id prefix "del:" is ambiguous/, qr/Candidates: del:2, del:3, del:4/ ],
	'delete --prefix-match with an ambiguous prefix: exit 3');
is(sql(q{SELECT count(*) FROM wf_list('del:')}), '3', 'nothing was deleted');
command_checks_all(wfctl_cmd('delete', 'del:3', 'del:', @conn),
	3, [qr/^$/], [qr/workflow "del:" does not exist\nDETAIL:  Candidates: del:2, del:3, del:4/],
	'delete of the start of several ids: exit 3, the candidates listed');
command_checks_all(wfctl_cmd('delete', 'del:2', 'del:2', 'del:3', '--json', @conn),
	0, [qr/^\{"id": "del:2", "deleted": true\}\n\{"id": "del:3", "deleted": true\}\n$/], [qr/^$/],
	'delete --json (built by the server, as every --json of a query); an id given twice is deleted once');
is(sql(q{SELECT count(*) FROM wf_list('del:')}), '1', 'del:4 is left');

# ---- cleanup ----

sql(q{SELECT wf_save('old:' || i, '{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "t"}}', '1 hour') FROM generate_series(1, 5) AS i});
sql(q{UPDATE wf_workflow SET expires_at = now() - '1 minute'::interval WHERE id LIKE 'old:%'});
command_checks_all(wfctl_cmd('cleanup', '--dry-run', @conn),
	0, [qr/^would delete 5 expired workflows \(dry run\)\n$/], [qr/^$/],
	'cleanup --dry-run counts');
is(sql(q{SELECT count(*) FROM wf_workflow WHERE id LIKE 'old:%'}), '5',
	'a dry run deletes nothing');

# a role that may only read: a dry run works, cleanup does not
sql(q{CREATE ROLE reader LOGIN; SELECT wf_grant_access('reader', writable => false)});
my @reader = ('-d', $node->connstr('postgres'), '-U', 'reader');
command_checks_all(wfctl_cmd('cleanup', '--dry-run', '--json', @reader),
	0, [qr/^\{"count": 5, "dry_run": true\}\n$/], [qr/^$/],
	'a reader may count');
command_checks_all(wfctl_cmd('cleanup', @reader),
	1, [qr/^$/],
	[
		qr/^wfctl: error: permission denied for (?:table|function)/m,
		qr/^HINT:  A superuser can give role reader the access wfctl cleanup needs: SELECT workflow_persist\.wf_grant_access\('reader'\);$/m
	],
	'cleanup without write access: exit 1 with the server\'s message and the grant to ask for');
command_checks_all(wfctl_cmd('approve', 'dup:1-later', 'approve:a', @reader),
	1, [qr/^$/], [qr/permission denied/],
	'approve without write access: exit 1');

command_checks_all(wfctl_cmd('cleanup', '--batch', '2', @conn),
	0, [qr/^deleted 5 expired workflows\n$/], [qr/^$/],
	'cleanup deletes, in batches');
is(sql(q{SELECT count(*) FROM wf_workflow WHERE id LIKE 'old:%'}), '0',
	'the expired workflows are gone');
is(sql(q{SELECT count(*) FROM wf_workflow WHERE id NOT LIKE 'old:%'}),
	sql(q{SELECT count(*) FROM wf_live}), 'the live ones are kept');
command_checks_all(wfctl_cmd('cleanup', '--json', @conn),
	0, [qr/^\{"count": 0, "dry_run": false\}\n$/], [qr/^$/],
	'cleanup with nothing to do');

# ---- conflicts ----

# a lease held by another owner: the lifecycle functions take no token,
# so it does not stop an operator's decision (docs/reference.md, Leases)
waiting('busy:1', 'approve:a');
waiting('busy:2', 'approve:a');
isnt(sql(q{SELECT wf_lease_acquire('busy:2', 'engine-7', '1 hour')}), '',
	'engine-7 holds the lease of busy:2');
command_checks_all(wfctl_cmd('approve', 'busy:2', 'approve:a', @conn),
	0, [qr/^approved step "approve:a" of workflow "busy:2"/], [qr/^$/],
	'a lease does not bind wfctl');

# another transaction writing the run: the write gives up after --wait
my $engine = $node->background_psql('postgres');
$engine->query_safe(
	q{BEGIN; SELECT workflow_persist.wf_save_step('busy:1', 'more', '{"ok": true}')});
foreach my $args (
	[ 'approve', 'busy:1', 'approve:a' ],
	[ 'reject', 'busy:1', 'approve:a', '--reason', 'r' ],
	[ 'cancel', 'busy:1' ],
	[ 'delete', 'busy:1' ])
{
	command_checks_all(wfctl_cmd(@$args, '--wait', '1', @conn),
		4, [qr/^$/],
		[
			qr/^wfctl: error: canceling statement due to lock timeout$/m,
			qr/^HINT:  Another transaction is writing workflow "busy:1"/m
		],
		"$args->[0] while another transaction writes the run: exit 4");
}
$engine->query_safe('COMMIT');
$engine->quit;
command_checks_all(wfctl_cmd('approve', 'busy:1', 'approve:a', '--wait', '1', @conn),
	0, [qr/^approved step "approve:a" of workflow "busy:1" \(version 4, now running\)/],
	[qr/^$/],
	'after the commit, the approval goes through');
is(sql(q{SELECT count(*) FROM wf_history('busy:1') WHERE event IN ('approved', 'rejected', 'cancelled')}),
	'1', 'the refused writes left no trace');

$node->stop;
wfctl_valgrind_done();
done_testing();
