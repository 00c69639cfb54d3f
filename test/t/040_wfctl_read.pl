# wfctl's read commands: list, inspect, pending, stats.
#
# Every command runs under valgrind (test/t/WfctlTest.pm) and is checked for its
# exit code, stdout and stderr: the human tables (no colour, no trailing
# blanks off a terminal, long cells cut with an ellipsis), the JSON outputs
# (parsed, and compared in SQL with what the extension's functions give),
# every error and its exit code (1 failure, 2 no connection, 3 not found
# or ambiguous, 64 usage).  Ages are only checked for their form, never for a value.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use WfctlTest;

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('wfctl_read');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');
$node->safe_psql('postgres', 'CREATE DATABASE noext');

my @db = ('-d', $node->connstr('postgres'));

# every line ends with something else than a blank
my $no_trailing = qr/\A(?:[^\n]*[^ \n]\n|\n)*\z/;
my $no_color = qr/\A[^\033]*\z/;
my $ellipsis = "\x{e2}\x{80}\x{a6}";
# an age, checked for its form only (valgrind makes everything slow)
my $ago = qr/\d+[smhd] ago/;

# stdout of a command (for JSON parsing; its exit code is checked by a
# command_checks_all of the same command), chomped
sub out_of
{
	my ($stdout, $stderr) = run_command(wfctl_cmd(@_));
	return $stdout;
}

# SQL text of a string: dollar quoting (the outputs never contain $j$)
sub dq
{
	my ($s) = @_;
	die "\$j\$ in text" if $s =~ /\$j\$/;
	return "\$j\$$s\$j\$";
}

sub sql
{
	return $node->safe_psql('postgres', "SET search_path = workflow_persist; $_[0]");
}

# ---- fixtures ----

my $approval_step = q{{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve:manager", "reason": "expenses over 1000 need a manager", "metadata": {"amount": 1200}}, "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}, "meta": {"origin": "result"}}};
my $hook_step = q{{"ok": false, "error": {"type": "PENDING_HOOK", "hookId": "bank", "stepKey": "hook:bank"}, "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}, "meta": {"origin": "result"}}};
my $long_key = 'k' x 50;

sql(qq{
SELECT wf_save('expense:81', '{"formatVersion": 1, "workflowName": "expense", "steps": {"submit": {"ok": true, "value": {"amount": 1200, "exact": 12345678901234567890.123456789}}}, "execution": {"status": "running", "lastUpdated": "2026-11-22T09:00:00.000Z"}, "metadata": {"workflowId": "expense:81"}}');
SELECT wf_save_step('expense:81', 'approve:manager', '$approval_step');
SELECT wf_save('expense:82', '{"formatVersion": 1, "steps": {"a": {"ok": true, "value": 1}, "$long_key": {"ok": true}}, "execution": {"status": "completed", "lastUpdated": "t"}}', ttl => '2 days');
SELECT wf_save('ord:1', '{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "t"}}');
SELECT wf_save('ord:10', '{"formatVersion": 1, "steps": {}, "execution": {"status": "failed", "lastUpdated": "t"}}');
SELECT wf_suspend('ord:1', 'address does not match');
SELECT wf_save('gone:1', '{"formatVersion": 1, "steps": {"x": {"ok": true}}, "execution": {"status": "failed", "lastUpdated": "t"}}');
UPDATE wf_workflow SET expires_at = now() - '1 minute'::interval WHERE id = 'gone:1';
});

# ---- wfctl itself ----

command_checks_all(wfctl_cmd('--help'), 0,
	[ qr/^Usage:\n  wfctl COMMAND/m, qr/^  inspect /m, qr/^  pending /m, qr/^  stats /m ],
	[qr/\A\z/], 'wfctl --help');
command_checks_all(wfctl_cmd('frob'), 64, [qr/\A\z/],
	[qr/^wfctl: error: unknown command "frob"\nTry "wfctl --help"/],
	'unknown command: exit 64');
command_checks_all(wfctl_cmd(), 64, [qr/\A\z/], [qr/^wfctl: operate/],
	'no command: usage on stderr, exit 64');
command_checks_all(wfctl_cmd('-d', 'x'), 64, [qr/\A\z/], [qr/^wfctl: operate/],
	'options but no command: usage on stderr, exit 64');
command_checks_all(wfctl_cmd('-?'), 0, [qr/^Usage:\n  wfctl COMMAND/m], [qr/\A\z/], 'wfctl -?');
command_checks_all(wfctl_cmd('-V'), 0, [qr/^wfctl \(workflow_persist\) \d/], [qr/\A\z/], 'wfctl -V');

# psql habits: options anywhere, -? and help COMMAND
command_checks_all(wfctl_cmd('list', '-?'), 0, [qr/^Usage:\n  wfctl list /], [qr/\A\z/],
	'list -?: the command\'s help');
command_checks_all(wfctl_cmd('help', 'inspect'), 0, [qr/^Usage:\n  wfctl inspect ID/],
	[qr/\A\z/], 'help inspect: the command\'s help');
command_checks_all(wfctl_cmd('-d', 'x', '--help', 'stats'), 0, [qr/^Usage:\n  wfctl stats /],
	[qr/\A\z/], '--help before the command: the command\'s help');

# ---- list ----

command_checks_all(wfctl_cmd('list', '--help'), 0,
	[ qr/^Usage:\n  wfctl list /, qr/--limit=N/, qr/Connection options/ ],
	[qr/\A\z/], 'list --help');
command_checks_all(
	wfctl_cmd('list', @db), 0,
	[
		qr/^ID +STATUS +STEPS +PENDING +AGE +UPDATED +EXPIRES\n/,
		qr/^expense:81 +suspended +2 +1 +$ago +$ago\n/m,
		qr/^expense:82 +completed +2 +0 +$ago +$ago +in 1d\n/m,
		qr/^ord:1 +suspended +0 +0 /m,
		qr/^ord:10 +failed /m,
		qr/\A(?!.*gone:1)/s,
		$no_trailing, $no_color
	],
	[qr/\A\z/],
	'list: every live workflow, none expired');
command_checks_all(wfctl_cmd(@db, 'list', '--prefix', 'ord:'),
	0, [qr/^ord:1 /m, qr/^ord:10 /m, qr/\A(?!.*expense)/s], [qr/\A\z/],
	'connection options before the command (wfctl -d DB list)');
command_checks_all(wfctl_cmd('--limit', '1', '--json', @db, 'list'),
	0, [qr/\A\{"id": [^\n]*\}\n\z/], [qr/there are more/],
	'command options before the command too, with their argument');
command_checks_all(wfctl_cmd('list', '--status', 'suspended', @db),
	0, [ qr/^expense:81 /m, qr/^ord:1 /m, qr/\A(?!.*(?:expense:82|ord:10))/s ],
	[qr/\A\z/], 'list --status');
command_checks_all(wfctl_cmd('list', '--prefix', 'ord:', @db),
	0, [ qr/^ord:1 /m, qr/^ord:10 /m, qr/\A(?!.*expense)/s ],
	[qr/\A\z/], 'list --prefix');
command_checks_all(wfctl_cmd('list', '--prefix', 'nothing', @db),
	0, [qr/\ANo workflows\.\n\z/], [qr/\A\z/], 'list: none');
command_checks_all(
	wfctl_cmd('list', '--limit', '1', @db), 0,
	[qr/\AID [^\n]*\n[^\n]+\n\z/],
	[qr/^wfctl: 1 workflow shown; there are more \(raise --limit, 0 = all\)$/],
	'list --limit 1: one row and the "there are more" notice');
command_checks_all(wfctl_cmd('list', '--limit', '4', @db),
	0, [qr/\AID [^\n]*\n(?:[^\n]+\n){4}\z/], [qr/\A\z/],
	'list --limit 4: all of them, no notice');
command_checks_all(wfctl_cmd('list', '--limit', '0', @db),
	0, [qr/\AID [^\n]*\n(?:[^\n]+\n){4}\z/], [qr/\A\z/], 'list --limit 0: all');
{
	my $out = out_of('list', '--json', @db);
	my @lines = split /\n/, $out;
	is(scalar(@lines), 4, 'list --json: one line per workflow');
	my @objs = map { decode_json($_) } @lines;
	is_deeply([ sort map { $_->{id} } @objs ],
		[ 'expense:81', 'expense:82', 'ord:1', 'ord:10' ], 'list --json: ids');
	my $ok = sql(
		    "SELECT bool_and(j.o = jsonb_build_object('id', l.id, 'status', l.status, "
		  . "'version', l.version, 'step_count', l.step_count, 'pending_count', l.pending, "
		  . "'size_bytes', l.size_bytes, 'created_at', l.created_at, "
		  . "'updated_at', l.updated_at, 'expires_at', l.expires_at)) "
		  . "FROM (SELECT x::jsonb AS o FROM unnest(string_to_array("
		  . dq($out) . ", E'\\n')) AS x WHERE x <> '') AS j "
		  . "JOIN wf_list() AS l ON l.id = j.o->>'id'");
	is($ok, 't', 'list --json: every object equals its wf_list row');
	my $inspect = decode_json(out_of('inspect', 'expense:81', '--json', @db));
	my ($listed) = grep { $_->{id} eq 'expense:81' } @objs;
	is_deeply({ map { $_ => $listed->{$_} } keys %$listed },
		{ map { $_ => $inspect->{$_} } keys %$listed },
		'list --json and inspect --json: one schema, the same members for the same facts');
}
# for scripts: --tsv and --no-headers (the table unchanged otherwise, in a
# pipe too)
command_checks_all(
	wfctl_cmd('list', '--tsv', '--prefix', 'ord:', @db), 0,
	[
		qr/\AID\tSTATUS\tSTEPS\tPENDING\tAGE\tUPDATED\tEXPIRES\n/,
		qr/^ord:1\tsuspended\t0\t0\t$ago\t$ago\t\n/m,
		qr/^ord:10\tfailed\t0\t0\t$ago\t$ago\t\n/m,
		qr/\A(?:[^\n]*\n){3}\z/, qr/\A[^ ]*(?: ago[^ ]*)*\z/
	],
	[qr/\A\z/],
	'list --tsv: a header, then one line per workflow, tabs between every cell (empty ones too)');
command_checks_all(wfctl_cmd('list', '--tsv', '--no-headers', '--prefix', 'ord:', @db),
	0, [qr/\Aord:1\t[^\n]*\nord:10\t[^\n]*\n\z/], [qr/\A\z/],
	'list --tsv --no-headers: the rows only');
command_checks_all(wfctl_cmd('list', '--no-headers', '--prefix', 'ord:', @db),
	0, [qr/\Aord:1  +suspended +0 +0 /, qr/\A(?:ord:[^\n]*\n){2}\z/], [qr/\A\z/],
	'list --no-headers: the aligned rows without the header line');
command_checks_all(wfctl_cmd('list', '--tsv', '--prefix', 'nothing', @db),
	0, [qr/\AID\tSTATUS[^\n]*\n\z/], [qr/\A\z/], 'list --tsv of nothing: the header only');
command_checks_all(wfctl_cmd('list', '--no-headers', '--prefix', 'nothing', @db),
	0, [qr/\A\z/], [qr/\A\z/], 'list --no-headers of nothing: no line ("No workflows." is for people)');
command_checks_all(wfctl_cmd('list', '--limit', 'x', @db),
	64, [qr/\A\z/],
	[qr/^wfctl list: error: --limit must be a number from 0 to 1000000000, not "x"\nTry "wfctl list --help"/],
	'list: bad --limit, exit 64');
command_checks_all(wfctl_cmd('list', '--status', 'bogus', @db),
	1, [qr/\A\z/],
	[qr/^wfctl: error: invalid status: "bogus"\nHINT:  Use running, suspended/],
	'list: bad status, exit 1');
command_checks_all(wfctl_cmd('list', '--bogus', @db),
	64, [qr/\A\z/],
	[ qr/unrecognized option '--bogus'/, qr/^Try "wfctl list --help" for more information\.$/m ],
	'list: unknown option, exit 64');
command_checks_all(wfctl_cmd('list', 'extra', @db),
	64, [qr/\A\z/], [qr/^wfctl list: error: unexpected argument "extra"/],
	'list: extra argument, exit 64');
command_checks_all(wfctl_cmd('list', '-d', $node->connstr('noext')),
	1, [qr/\A\z/],
	[qr/^wfctl: error: the extension workflow_persist is not installed in database "noext"\nHINT:  Run CREATE EXTENSION workflow_persist/],
	'list: extension missing, exit 1');
$node->safe_psql('postgres', 'CREATE ROLE intern LOGIN; CREATE ROLE "Ops Team" LOGIN');
command_checks_all(wfctl_cmd('list', @db, '-U', 'intern'),
	1, [qr/\A\z/],
	[
		qr/^wfctl: error: permission denied for function wf_list$/m,
		qr/^HINT:  A superuser can give role intern the access wfctl list needs: SELECT workflow_persist\.wf_grant_access\('intern', writable => false\);$/m
	],
	'list without a grant: exit 1, and the grant to ask for (read only)');
command_checks_all(wfctl_cmd('stats', @db, '-U', 'Ops Team'),
	1, [qr/\A\z/],
	[qr/^HINT:  .*SELECT workflow_persist\.wf_grant_access\('"Ops Team"', writable => false\);$/m],
	'the role in the grant is quoted as the regrole it is');
my $free_port = PostgreSQL::Test::Cluster::get_free_port();
command_checks_all(
	wfctl_cmd('list', '-d', 'postgres', '-h', $node->host, '-p', $free_port),
	2, [qr/\A\z/], [qr/^wfctl: error: connection to server .* failed/],
	'list: unreachable server, exit 2 (as psql)');

# ---- inspect ----

command_checks_all(wfctl_cmd('inspect', '--help'), 0,
	[ qr/^Usage:\n  wfctl inspect ID \[--json\] \[--full\]/, qr/--full/, qr/Connection options/ ],
	[qr/\A\z/], 'inspect --help');
command_checks_all(
	wfctl_cmd('inspect', 'expense:8', @db), 3, [qr/\A\z/],
	[qr/^wfctl: error: workflow id prefix "expense:8" is ambiguous\nDETAIL:  Candidates: expense:81, expense:82\nHINT:  Give more of the id\.$/],
	'inspect: ambiguous prefix, exit 3 with the candidates');
command_checks_all(wfctl_cmd('inspect', 'nope', @db),
	3, [qr/\A\z/], [qr/^wfctl: error: no workflow id starts with "nope"$/],
	'inspect: unknown id, exit 3');
command_checks_all(wfctl_cmd('inspect', 'gone:1', @db),
	3, [qr/\A\z/], [qr/^wfctl: error: no workflow id starts with "gone:1"$/],
	'inspect: an expired workflow is not found, exit 3');
command_checks_all(wfctl_cmd('inspect', @db),
	64, [qr/\A\z/],
	[qr/^wfctl inspect: error: a workflow id \(or a unique prefix of one\) is required\nTry "wfctl inspect --help"/],
	'inspect: no id, exit 64');
command_checks_all(wfctl_cmd('inspect', 'a', 'b', @db),
	64, [qr/\A\z/], [qr/^wfctl inspect: error: unexpected argument "b"/],
	'inspect: two ids, exit 64');
command_checks_all(wfctl_cmd('inspect', '', @db),
	64, [qr/\A\z/], [qr/^wfctl inspect: error: a workflow id must not be empty/],
	'inspect: empty id, exit 64');
command_checks_all(wfctl_cmd('inspect', 'x' x 600, @db),
	1, [qr/\A\z/], [qr/^wfctl: error: workflow id must be 1 to 512 bytes long/],
	'inspect: id too long, exit 1');
command_checks_all(wfctl_cmd('inspect', 'ord:1', '-d', $node->connstr('noext')),
	1, [qr/\A\z/], [qr/not installed in database "noext"/],
	'inspect: extension missing, exit 1');

my ($sub_size, $appr_size) = split /\|/,
  sql("SELECT string_agg(size_bytes::text, '|' ORDER BY pos) FROM wf_step WHERE workflow_id = 'expense:81'");
command_checks_all(
	wfctl_cmd('inspect', 'expense:81', @db), 0,
	[
		qr/\Aid: +expense:81\nstatus: +suspended\nversion: +2\nsteps: +2\npending: +1\nsize: +\d+ B\n/,
		qr/^created: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \($ago\)$/m,
		qr/^updated: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \($ago\)$/m,
		qr/^expires: +never$/m,
		qr/^Steps:\nPOS +KEY +OK +SIZE +RECORDED\n +1 +submit +yes +$sub_size B +\d{4}-[^\n]+\n +2 +approve:manager +no +$appr_size B +\d{4}-[^\n]+\n\n/m,
		qr/^Pending:\nSTEP +KIND +REASON +REQUEST +SINCE\napprove:manager +approval +expenses over 1000 need a manager +\{"amount": 1200\} +$ago\n/m,
		qr/^History:\nAT +EVENT +STEP +ACTOR +DETAIL\n[^\n]+ +created\n[^\n]+ +step recorded +submit +\{"ok": true\}\n[^\n]+ +step recorded +approve:manager +\{"ok": false\}\n[^\n]+ +suspended +approve:manager +\S+ +\{"pending": 1\}\n\z/m,
		qr/\A(?!.*"exact")/s,
		$no_trailing, $no_color
	],
	[qr/\A\z/],
	'inspect: header, steps, pending, history');
command_checks_all(
	wfctl_cmd('inspect', 'expense:81', '--full', @db), 0,
	[
		qr/^Step 1 submit:\n    \{\n        "ok": true,\n        "value": \{\n/m,
		qr/^            "exact": 12345678901234567890\.123456789,?$/m,
		qr/^Step 2 approve:manager:\n    \{\n/m,
		qr/^                "amount": 1200$/m,
		qr/^Pending:\n/m, qr/^History:\n/m,
		$no_trailing
	],
	[qr/\A\z/],
	'inspect --full: every step\'s result, pretty');
command_checks_all(
	wfctl_cmd('inspect', 'ord:1', @db), 0,
	[
		qr/\Aid: +ord:1\n/,
		qr/^Steps:\n  \(none\)\n/m,
		qr/^Pending:\nSTEP +KIND +REASON +REQUEST +SINCE\n +suspension +address does not match +$ago\n/m,
		qr/^[^\n]+ +suspended +\S+ +\{"reason": "address does not match"\}$/m,
		$no_trailing
	],
	[qr/\A\z/],
	'inspect: an exact id wins over the longer ids it starts (ord:1, ord:10)');
command_checks_all(
	wfctl_cmd('inspect', 'expense:82', @db), 0,
	[
		qr/^expires: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in 1d\)$/m,
		qr/^ +2 +k{39}$ellipsis +yes /m,
		qr/^Pending:\n  \(none\)\n/m,
		qr/ +completed +\S+$/m,
		$no_trailing
	],
	[qr/\A\z/],
	'inspect: expiry ahead, long key cut with an ellipsis, nothing pending');
command_checks_all(wfctl_cmd('inspect', 'ord:10', @db),
	0, [qr/\Aid: +ord:10\nstatus: +failed\n/], [qr/\A\z/], 'inspect: a unique prefix');

{
	my $out;

	command_checks_all(wfctl_cmd('inspect', 'expense:8', '--json', @db),
		3, [qr/\A\z/], [qr/is ambiguous/], 'inspect --json: ambiguous, exit 3');
	command_checks_all(wfctl_cmd('inspect', 'expense:81', '--json', @db),
		0, [qr/\A\{"id": "expense:81", [^\n]*\}\n\z/], [qr/\A\z/],
		'inspect --json: one object on one line');
	$out = out_of('inspect', 'expense:81', '--json', @db);
	like($out, qr/"exact": 12345678901234567890\.123456789/,
		'inspect --json: numbers kept exactly');
	my $o = decode_json($out);
	is($o->{id}, 'expense:81', 'inspect --json: id');
	is($o->{status}, 'suspended', 'inspect --json: status');
	is_deeply([ map { $_->{step_key} } @{ $o->{steps} } ],
		[ 'submit', 'approve:manager' ], 'inspect --json: steps in recorded order');
	ok(!exists $o->{steps}[0]{result}, 'inspect --json: no step results without --full');
	is_deeply([ map { $_->{kind} } @{ $o->{pending} } ], ['approval'],
		'inspect --json: pending');
	is_deeply([ map { $_->{event} } @{ $o->{history} } ],
		[ 'created', 'step recorded', 'step recorded', 'suspended' ],
		'inspect --json: history');
	chomp $out;
	my $j = dq($out) . '::jsonb';
	is(sql("SELECT ($j)->'snapshot' = wf_load('expense:81')"), 't',
		'inspect --json: snapshot equals wf_load');
	is( sql(
			    "SELECT ($j) - ARRAY['steps', 'pending', 'history', 'snapshot'] = "
			  . "jsonb_build_object('id', i.id, 'status', i.status, 'version', i.version, "
			  . "'step_count', i.step_count, 'pending_count', i.pending, "
			  . "'size_bytes', i.size_bytes, 'created_at', i.created_at, "
			  . "'updated_at', i.updated_at, 'expires_at', i.expires_at) "
			  . "FROM wf_info('expense:81') AS i"),
		't',
		'inspect --json: header equals wf_info');
	is( sql(
			    "SELECT ($j)->'steps' = (SELECT jsonb_agg(jsonb_build_object('pos', s.pos, "
			  . "'step_key', s.step_key, 'ok', s.ok, 'size_bytes', t.size_bytes, "
			  . "'recorded_at', s.recorded_at) ORDER BY s.pos) "
			  . "FROM wf_steps('expense:81') AS s JOIN wf_step AS t "
			  . "ON t.workflow_id = 'expense:81' AND t.step_key = s.step_key)"),
		't',
		'inspect --json: steps equal wf_steps');
	is( sql(
			    "SELECT ($j)->'pending' = (SELECT jsonb_agg(jsonb_build_object("
			  . "'step_key', p.step_key, 'kind', p.kind, 'reason', p.reason, "
			  . "'request', p.request, 'since', p.since)) FROM wf_pending('expense:81') AS p), "
			  . "($j)->'history' = (SELECT jsonb_agg(to_jsonb(h)) FROM wf_history('expense:81') AS h)"),
		't|t',
		'inspect --json: pending and history equal wf_pending and wf_history');

	$out = out_of('inspect', 'expense:82', '--json', '--full', @db);
	chomp $out;
	$j = dq($out) . '::jsonb';
	is( sql(
			    "SELECT bool_and(e->'result' = wf_step_result('expense:82', e->>'step_key')), "
			  . "count(*) FROM jsonb_array_elements(($j)->'steps') AS e"),
		't|2',
		'inspect --json --full: every step with its result');
	is(sql("SELECT ($j)->>'pending', ($j)->'expires_at' <> 'null'"), '[]|t',
		'inspect --json: empty pending is [], expiry given');
}

# ---- pending ----

command_checks_all(wfctl_cmd('pending', '--help'), 0,
	[ qr/^Usage:\n  wfctl pending \[--json \| --tsv\] \[--no-headers\]$/m, qr/Connection options/ ],
	[qr/\A\z/], 'pending --help');
sql("SELECT wf_save_step('ord:10', 'hook:bank', '$hook_step')");
command_checks_all(
	wfctl_cmd('pending', @db), 0,
	[
		qr/\AID +STEP +KIND +REASON +SINCE\n/,
		qr/^ord:10 +hook:bank +hook +$ago$/m,
		qr/^ord:1 +suspension +address does not match +$ago$/m,
		qr/^expense:81 +approve:manager +approval +expenses over 1000 need a manager +$ago$/m,
		qr/\A(?:[^\n]*\n){4}\z/,
		$no_trailing, $no_color
	],
	[qr/\A\z/],
	'pending: the approval, the hook and the suspension');
{
	my $out = out_of('pending', '--json', @db);
	my @objs = map { decode_json($_) } split /\n/, $out;
	is(scalar(@objs), 3, 'pending --json: one line per waiting thing');
	is( sql(
			    "SELECT array_agg(x::jsonb ORDER BY n) = (SELECT array_agg("
			  . "jsonb_build_object('id', p.id, 'step_key', p.step_key, 'kind', p.kind, "
			  . "'reason', p.reason, 'request', p.request, 'since', p.since)) FROM wf_pending() AS p) "
			  . "FROM unnest(string_to_array(" . dq($out) . ", E'\\n')) WITH ORDINALITY AS u(x, n) "
			  . "WHERE x <> ''"),
		't',
		'pending --json: equals wf_pending(), in its order');
}
command_checks_all(wfctl_cmd('pending', 'extra', @db),
	64, [qr/\A\z/], [qr/^wfctl pending: error: unexpected argument "extra"/],
	'pending: extra argument, exit 64');
command_checks_all(wfctl_cmd('pending', '--bogus', @db),
	64, [qr/\A\z/], [qr/^Try "wfctl pending --help"/m], 'pending: unknown option, exit 64');

# decisions made in SQL empty the list
sql(q{
SELECT wf_approve('expense:81', 'approve:manager', '{"approved": true}', decided_by => 'maria');
SELECT wf_reject('ord:10', 'hook:bank', 'declined');
SELECT wf_resume('ord:1');
});
command_checks_all(wfctl_cmd('pending', @db),
	0, [qr/\ANothing is waiting\.\n\z/], [qr/\A\z/], 'pending: nothing left');
command_checks_all(wfctl_cmd('pending', '--json', @db),
	0, [qr/\A\z/], [qr/\A\z/], 'pending --json: no lines');
command_checks_all(
	wfctl_cmd('inspect', 'expense:81', @db), 0,
	[
		qr/^pending: +0$/m,
		qr/^Pending:\n  \(none\)\n/m,
		qr/^[^\n]+ +approved +approve:manager +maria +\{"value": \{"approved": true\}\}$/m
	],
	[qr/\A\z/],
	'inspect: the approval is in the history');

# ---- stats ----

command_checks_all(wfctl_cmd('stats', '--help'), 0,
	[ qr/^Usage:\n  wfctl stats \[--json \| --tsv\] \[--no-headers\]$/m, qr/Connection options/ ],
	[qr/\A\z/], 'stats --help');
{
	my %row;
	foreach my $line (split /\n/,
		sql("SELECT status, workflows, steps, bytes, coalesce(largest_id, ''), expired FROM wf_stats"))
	{
		my @f = split /\|/, $line;
		$row{ $f[0] } = \@f;
	}
	my @order = qw(running suspended completed failed cancelled);
	my $rows = join '',
	  map { "$row{$_}[0] +$row{$_}[1] +$row{$_}[2] +[0-9.]+ k?B" . ($row{$_}[4] ne '' ? " +\Q$row{$_}[4]\E +[0-9.]+ k?B" : '') . " +$row{$_}[5]\n" } @order;
	my ($tw, $ts, $te) = split /\|/,
	  sql("SELECT sum(workflows), sum(steps), sum(expired) FROM wf_stats");
	my $largest = sql("SELECT largest_id FROM wf_stats ORDER BY largest_bytes DESC NULLS LAST, largest_id LIMIT 1");
	is($row{failed}[5], 1, 'stats fixture: one expired failed workflow');
	command_checks_all(
		wfctl_cmd('stats', @db), 0,
		[
			qr/\ASTATUS +WORKFLOWS +STEPS +SIZE +LARGEST +LARGEST SIZE +EXPIRED\n$rows/,
			qr/^total +$tw +$ts +[0-9.]+ k?B +\Q$largest\E +[0-9.]+ k?B +$te\n\z/m,
			$no_trailing, $no_color
		],
		[qr/\A\z/],
		'stats: per status in lifecycle order, then the total, as in wf_stats');
}
{
	my $out = out_of('stats', '--json', @db);
	my @objs = map { decode_json($_) } split /\n/, $out;
	is_deeply([ map { $_->{status} } @objs ],
		[qw(running suspended completed failed cancelled)],
		'stats --json: one line per status, lifecycle order');
	is( sql(
			    "SELECT bool_and(x::jsonb = to_jsonb(s)), count(*) "
			  . "FROM unnest(string_to_array(" . dq($out) . ", E'\\n')) AS x "
			  . "JOIN wf_stats AS s ON s.status = x::jsonb->>'status' WHERE x <> ''"),
		't|5',
		'stats --json: every line equals its wf_stats row');
}
command_checks_all(wfctl_cmd('stats', '--tsv', '--no-headers', @db),
	0, [qr/\Arunning\t\d+\t\d+\t[0-9.]+ k?B\t/, qr/^total\t/m, qr/\A(?:[^\n]*\n){6}\z/],
	[qr/\A\z/], 'stats --tsv --no-headers: five statuses and the total');
command_checks_all(wfctl_cmd('pending', '--tsv', '--no-headers', @db),
	0, [qr/\A\z/], [qr/\A\z/], 'pending --tsv --no-headers with nothing waiting: no line');
$node->safe_psql('postgres', "SELECT workflow_persist.wf_save('long:' || repeat('x', 60), "
	  . "'{\"formatVersion\": 1, \"steps\": {}, \"execution\": {\"status\": \"running\", \"lastUpdated\": \"t\"}}')");
command_checks_all(wfctl_cmd('list', '--prefix', 'long:', '--tsv', '--no-headers', @db),
	0, [qr/\Along:x{60}\trunning\t/], [qr/\A\z/], 'list --tsv: an id longer than 40 columns, whole');
command_checks_all(wfctl_cmd('list', '--prefix', 'long:', '--no-headers', @db),
	0, [qr/\Along:x{34}$ellipsis /], [qr/\A\z/], 'without --tsv, cut with an ellipsis');
command_checks_all(wfctl_cmd('stats', 'extra', @db),
	64, [qr/\A\z/], [qr/^wfctl stats: error: unexpected argument "extra"/],
	'stats: extra argument, exit 64');
command_checks_all(wfctl_cmd('stats', '-d', $node->connstr('noext')),
	1, [qr/\A\z/], [qr/not installed in database "noext"/],
	'stats: extension missing, exit 1');

wfctl_valgrind_done();
done_testing();
