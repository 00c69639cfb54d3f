# wfctl export, import and validate.
#
# Small cases run under valgrind (WfctlTest): export by id, prefix, --all
# and -o (mode 0600, write errors exit 1); import of JSON Lines, of one
# multi-line document, of a bare snapshot with --id from standard input;
# numbers kept as written (1.50); duplicate keys, invalid snapshots and
# JSON syntax errors reported with their line; --atomic, --dry-run,
# existing ids (exit 4, --replace); statuses and expiry restored;
# validate; import --json and validate --json (every line decoded, its
# members checked); usage errors.  Then 10,000 workflows of about 10 kB (more than
# 100 MB of JSON) go through export and import into a second database
# under an address-space limit that a program holding them all would
# exceed, and every snapshot is compared with the file, as jsonb and as
# text.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use WfctlTest;

use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('transfer');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');
$node->safe_psql('postgres', 'CREATE DATABASE second');
$node->safe_psql('second', 'CREATE EXTENSION workflow_persist');

my $db1 = $node->connstr('postgres');
my $db2 = $node->connstr('second');
my $dir = PostgreSQL::Test::Utils::tempdir;

sub write_file
{
	my ($name, $text) = @_;
	my $path = "$dir/$name";
	open(my $fh, '>', $path) or die "could not write $path: $!";
	print $fh $text;
	close($fh) or die "could not write $path: $!";
	return $path;
}

sub snap
{
	my ($status, $value) = @_;
	return qq({"formatVersion": 1, "steps": {"a": {"ok": true, "value": $value}}, )
	  . qq("execution": {"status": "$status", "lastUpdated": "2026-11-22T10:00:00.000Z"}});
}

# run wfctl with a file on standard input
sub wfctl_stdin
{
	my ($file, @args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run(wfctl_cmd(@args), '<', $file, '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub count_in
{
	my ($db, $prefix) = @_;
	return $node->safe_psql($db,
		"SELECT count(*) FROM workflow_persist.wf_list('$prefix', NULL, 1000000)");
}

# ---------------------------------------------------------------------------
# usage
# ---------------------------------------------------------------------------
foreach my $cmd ('export', 'import', 'validate')
{
	command_checks_all(wfctl_cmd($cmd, '--help'),
		0, [qr/^Usage:\n  wfctl $cmd /], [qr/^$/], "$cmd --help");
}
foreach my $cmd ('import', 'validate')
{
	command_checks_all(wfctl_cmd($cmd, '--help'),
		0, [qr/^  --json  .*one JSON object per record/m], [qr/^$/], "$cmd --help: --json");
}
command_checks_all(wfctl_cmd('export', '-d', $db1),
	64, [qr/^$/], [qr/give workflow ids, --prefix or --all/], 'export without what: usage error');
command_checks_all(wfctl_cmd('export', '-d', $db1, 'a', '--all'),
	64, [qr/^$/], [qr/not several of them/], 'export ids and --all: usage error');
command_checks_all(wfctl_cmd('export', '--bogus'),
	64, [qr/^$/], [qr/Try "wfctl export --help"/], 'export --bogus: usage error');
command_checks_all(wfctl_cmd('import', '-d', $db1),
	64, [qr/^$/], [qr/give the file to import/], 'import without a file: usage error');
command_checks_all(wfctl_cmd('import', '-d', $db1, 'a', 'b'),
	64, [qr/^$/], [qr/unexpected argument "b"/], 'import of two files: usage error');
command_checks_all(wfctl_cmd('import', '-d', $db1, '--max-record-bytes=0', 'a'),
	64, [qr/^$/], [qr/--max-record-bytes must be a number/], 'import --max-record-bytes=0: usage error');
command_checks_all(wfctl_cmd('validate', '-d', $db1),
	64, [qr/^$/], [qr/give the file to validate/], 'validate without a file: usage error');

# ---------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------
my $s_running = snap('running', '1.50');
my $s_done = snap('completed', '[1e400, 123456789012345678901234567890.000, -0.0000001]');
$node->safe_psql(
	'postgres', qq{
	SELECT workflow_persist.wf_save('order:1', '$s_running');
	SELECT workflow_persist.wf_save('order:2', '$s_done');
	SELECT workflow_persist.wf_save('other:1', '$s_running');
	SELECT workflow_persist.wf_cancel('other:1', 'changed mind');
	SELECT workflow_persist.wf_save('hold:1', '$s_running');
	SELECT workflow_persist.wf_suspend('hold:1', 'wait for a person');
	SELECT workflow_persist.wf_save('ttl:1', '$s_running', ttl => '3 days');
});

command_checks_all(
	wfctl_cmd('export', '-d', $db1, 'order:1', 'oth'),
	0,
	[
		qr/\A\{"id": "order:1", "status": "running", "version": 1, "snapshot": \{[^\n]*"value": 1\.50\}[^\n]*, "created_at": "[^"]+", "expires_at": null, "updated_at": "[^"]+"\}\n\{"id": "other:1", "status": "cancelled", [^\n]*\}\n\z/
	],
	[qr/^$/],
	'export by id and by unique prefix: one line each, 1.50 as stored');
command_checks_all(
	wfctl_cmd('export', '-d', $db1, '--prefix', 'order:'),
	0,
	[qr/\A\{"id": "order:1", [^\n]*\n\{"id": "order:2", [^\n]*1e400|\A\{"id": "order:1", [^\n]*\n\{"id": "order:2", [^\n]*10{400}/],
	[qr/^$/],
	'export --prefix: in id order');
command_checks_all(wfctl_cmd('export', '-d', $db1, 'order'),
	3, [qr/^$/], [qr/workflow id prefix "order" is ambiguous/], 'export of an ambiguous prefix: exit 3');
command_checks_all(wfctl_cmd('export', '-d', $db1, 'order:1', 'nope'),
	3, [qr/^$/], [qr/no workflow id starts with "nope"/], 'export of a missing id: exit 3, nothing written');
command_checks_all(wfctl_cmd('export', '-d', $db1, '--all', '-o', '/dev/full'),
	1, [qr/^$/], [qr/could not write to "\/dev\/full": No space left on device/],
	'export to a full disk: exit 1');
command_checks_all(wfctl_cmd('export', '-d', $db1, '--all', '-o', "$dir/no/such/dir"),
	1, [qr/^$/], [qr/could not create "[^"]*no\/such\/dir"/], 'export to an impossible path: exit 1');

my $all = "$dir/all.jsonl";
command_checks_all(wfctl_cmd('export', '-d', $db1, '--all', '-o', $all),
	0, [qr/^$/], [qr/^$/], 'export --all -o FILE');
is((stat($all))[2] & 07777, 0600, 'the export file is private (0600)');
my @lines = split /\n/, slurp_file($all);
is(scalar(@lines), 5, 'five workflows, five lines');
is( join(',', map { /^\{"id": "([^"]+)"/ ? $1 : '?' } @lines),
	'hold:1,order:1,order:2,other:1,ttl:1',
	'in id order');
ok(!grep({ -e $_ } glob("$all.wfctl-*")), 'no temporary file left');

# ---------------------------------------------------------------------------
# import: the whole export into the second database
# ---------------------------------------------------------------------------
command_checks_all(wfctl_cmd('import', '-d', $db2, $all),
	0, [qr/^$/], [qr/5 imported, 0 failed, 0 skipped/], 'import of the export');
is( $node->safe_psql(
		'second', q{
		SELECT string_agg(id || '=' || status, ',' ORDER BY id) FROM workflow_persist.wf_list()}),
	'hold:1=suspended,order:1=running,order:2=completed,other:1=cancelled,ttl:1=running',
	'every workflow, with its status (cancelled and suspended restored)');
is( $node->safe_psql(
		'second', q{
		SELECT (workflow_persist.wf_load('order:1') -> 'steps' -> 'a' -> 'value')::text,
		       (workflow_persist.wf_load('order:2') -> 'steps' -> 'a' -> 'value' -> 1)::text}),
	'1.50|123456789012345678901234567890.000',
	'numbers exactly as written (1.50 stays 1.50)');
my $exp1 = $node->safe_psql('postgres',
	q{SELECT expires_at FROM workflow_persist.wf_info('ttl:1')});
is($node->safe_psql('second', q{SELECT expires_at FROM workflow_persist.wf_info('ttl:1')}),
	$exp1, 'expires_at restored to the same instant');

command_checks_all(
	wfctl_cmd('import', '-d', $db2, $all),
	4,
	[qr/^$/],
	[
		qr/\Q$all\E:1: workflow "hold:1" already exists\nHINT:  Use --replace to overwrite it\./,
		qr/\Q$all\E:4: workflow "other:1" already exists/,
		qr/0 imported, 5 failed/
	],
	'import of existing ids: each one an error, exit 4');
$node->safe_psql('second',
	q{SELECT workflow_persist.wf_save('order:1', '{"formatVersion": 1, "steps": {}, "execution": {"status": "failed", "lastUpdated": "x"}}')});
command_checks_all(wfctl_cmd('import', '-d', $db2, '--replace', $all),
	0, [qr/^$/], [qr/5 imported, 0 failed/], 'import --replace overwrites them, cancelled and completed ones too');
is( $node->safe_psql(
		'second', q{
		SELECT (workflow_persist.wf_load('order:1') -> 'steps' -> 'a' -> 'value')::text,
		       string_agg(id || '=' || status, ',' ORDER BY id) FROM workflow_persist.wf_list() GROUP BY 1}),
	'1.50|hold:1=suspended,order:1=running,order:2=completed,other:1=cancelled,ttl:1=running',
	'... with the exported state');

# ---------------------------------------------------------------------------
# import: one document, bare snapshots, standard input
# ---------------------------------------------------------------------------
my $doc = write_file('doc.json', <<"EOF");

{
  "id": "doc:1",
  "status": "completed",
  "snapshot": {
    "formatVersion": 1,
    "steps": {"a": {"ok": true, "value": 2.250}},
    "execution": {"status": "completed", "lastUpdated": "2026-11-22T10:00:00.000Z"}
  }
}
EOF
command_checks_all(wfctl_cmd('import', '-d', $db2, $doc),
	0, [qr/^$/], [qr/1 imported/], 'import of one multi-line document');
is( $node->safe_psql(
		'second', q{
		SELECT status, (workflow_persist.wf_load(id) -> 'steps' -> 'a' -> 'value')::text
		  FROM workflow_persist.wf_info('doc:1')}),
	'completed|2.250',
	'... stored with its number as written');

my $bare = write_file('bare.json', "$s_running\n");
command_checks_all(wfctl_cmd('import', '-d', $db2, $bare),
	1, [qr/^$/], [qr/\Q$bare\E:1: not an export record.*--id/], 'a bare snapshot needs --id');
my ($rc, $out, $err) = wfctl_stdin($bare, 'import', '-d', $db2, '--id', 'bare:1', '-');
is($rc, 0, 'import of a bare snapshot with --id from standard input') or diag($err);
is( $node->safe_psql(
		'second', q{SELECT (workflow_persist.wf_load('bare:1') -> 'steps' -> 'a' -> 'value')::text}),
	'1.50', '... stored under that id, 1.50 kept');
($rc, $out, $err) = wfctl_stdin($all, 'import', '-d', $db2, '--id', 'x', '-');
is($rc, 1, '--id with several records: exit 1');
like($err, qr/<stdin>:2: --id imports one document/, '... naming the second one');

# ---------------------------------------------------------------------------
# import: errors by line; --atomic; --dry-run
# ---------------------------------------------------------------------------
my $good = '{"id": "%s", "snapshot": ' . $s_running . '}';
my $mixed = write_file(
	'mixed.jsonl',
	sprintf($good, 'mix:1') . "\n"
	  . '{"id": "mix:2", "snapshot": {"formatVersion": 1, "steps": {"a": {"ok": true, "value": {"x": 1, "x": 2}}}, "execution": {"status": "running", "lastUpdated": "x"}}}'
	  . "\n\n"
	  . '{"id": "mix:4", "snapshot": {"formatVersion": 1, "steps": {}}}' . "\n"
	  . sprintf($good, 'mix:5') . "\n");
command_checks_all(wfctl_cmd('import', '-d', $db2, '--atomic', $mixed),
	1, [qr/^$/],
	[
		qr/\Q$mixed\E:2: invalid JSON at column \d+: duplicate object key near '"x"'/,
		qr/\Q$mixed\E:4: invalid snapshot format: Missing required field: execution/,
		qr/2 failed; nothing imported \(--atomic\)/
	],
	'import --atomic: errors by line, then nothing imported');
is(count_in('second', 'mix:'), '0', '... nothing was written');
command_checks_all(wfctl_cmd('import', '-d', $db2, '--dry-run', $mixed),
	1, [qr/^$/],
	[
		qr/\Q$mixed\E:2: invalid JSON at column \d+: duplicate object key/,
		qr/\Q$mixed\E:4: Missing required field: execution/,
		qr/dry run: 2 valid, 2 invalid; nothing written/
	],
	'import --dry-run: the same errors');
is(count_in('second', 'mix:'), '0', '... and nothing written');
command_checks_all(wfctl_cmd('import', '-d', $db2, $mixed),
	1, [qr/^$/],
	[
		qr/\Q$mixed\E:2: invalid JSON at column \d+: duplicate object key/,
		qr/\Q$mixed\E:4: invalid snapshot format: Missing required field: execution/,
		qr/2 imported, 2 failed, 0 skipped/
	],
	'import, one transaction per workflow: the good ones are imported, exit 1');
is( $node->safe_psql('second',
		q{SELECT string_agg(id, ',' ORDER BY id) FROM workflow_persist.wf_list('mix:')}),
	'mix:1,mix:5', '... the two good ones');
command_checks_all(wfctl_cmd('import', '-d', $db2, '--dry-run', $mixed),
	1, [qr/^$/], [qr/\Q$mixed\E:1: workflow "mix:1" already exists/],
	'import --dry-run reports existing ids');

my $expired = write_file('expired.jsonl',
	'{"id": "old:1", "expires_at": "2001-01-01T00:00:00+00:00", "snapshot": ' . $s_running . "}\n");
command_checks_all(wfctl_cmd('import', '-d', $db2, $expired),
	0, [qr/^$/], [qr/\Q$expired\E:1: workflow "old:1" expired at .*: skipped/, qr/1 skipped/],
	'a record that has expired already is skipped');
is(count_in('second', 'old:'), '0', '... and not written');

my $long = write_file('long.jsonl', sprintf($good, 'long:1') . "\n");
command_checks_all(wfctl_cmd('import', '-d', $db2, '--max-record-bytes=100', $long),
	1, [qr/^$/], [qr/\Q$long\E:1: the line is longer than 100 bytes/], 'a line above the limit stops the import');

# ---------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------
command_checks_all(wfctl_cmd('validate', '-d', $db1, $all),
	0, [qr/^$/], [qr/5 valid, 0 invalid/], 'validate of an export: valid');
my $v = write_file('v.jsonl',
	"$s_running\n"
	  . '{"formatVersion": 2, "steps": {"s": 1}, "execution": {"status": "paused", "lastUpdated": "x"}}' . "\n"
	  . '{"formatVersion": 1, "steps": {},' . "\n"
	  . sprintf($good, 'v:1') . "\n");
command_checks_all(wfctl_cmd('validate', '-d', $db1, $v),
	1, [qr/^$/],
	[
		qr/\Q$v\E:2: Invalid formatVersion: expected 1, got 2\n\Q$v\E:2: steps\["s"\] must be an object\n\Q$v\E:2: execution.status must be one of: running, completed, failed\n/,
		qr/\Q$v\E:3: invalid JSON at column \d+: /,
		qr/2 valid, 2 invalid/
	],
	'validate: every message by line, JSON syntax errors with their column');
my $vdoc = write_file('vdoc.json', "{\n  \"formatVersion\": 1,\n  \"steps\": {},\n  \"execution\": {\"status\": \"running\",, }\n}\n");
command_checks_all(wfctl_cmd('validate', '-d', $db1, $vdoc),
	1, [qr/^$/], [qr/\Q$vdoc\E:4: invalid JSON at column \d+: /],
	'validate of one document: the syntax error\'s own line');
my $strict = write_file('strict.json',
	'{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "yesterday"}}' . "\n");
command_checks_all(wfctl_cmd('validate', '-d', $db1, $strict),
	0, [qr/^$/], [qr/1 valid/], 'validate: awaitly rules by default');
command_checks_all(wfctl_cmd('validate', '-d', $db1, '--strict', $strict),
	1, [qr/^$/], [qr/\Q$strict\E:1: .*lastUpdated/], 'validate --strict: the strict checks too');

# ---------------------------------------------------------------------------
# import --json and validate --json: one object per record on stdout
# ---------------------------------------------------------------------------

# run wfctl, standard output and error captured
sub wfctl_run
{
	my @args = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run(wfctl_cmd(@args), '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# decode every line of out; each must be one JSON object
sub json_lines
{
	my ($out, $name) = @_;
	my @objs;
	my $bad = 0;
	foreach my $line (split /\n/, $out)
	{
		my $o = eval { JSON::PP::decode_json($line) };
		if (ref($o) ne 'HASH')
		{
			diag("not a JSON object: $line");
			$bad++;
			next;
		}
		push @objs, $o;
	}
	is($bad, 0, "$name: every line is a JSON object");
	return @objs;
}

my $js = write_file(
	'js.jsonl',
	sprintf($good, 'js:1') . "\n"
	  . '{"id": "js:2", "snapshot": {"x": 1, "x": 2}}' . "\n"
	  . '{"id": "js:3", "snapshot": {"formatVersion": 1, "steps": {}}}' . "\n"
	  . '{"id": "js:4", "expires_at": "2001-01-01T00:00:00+00:00", "snapshot": '
	  . $s_running . "}\n"
	  . '{"snapshot": ' . $s_running . "}\n"
	  . '{"id": "js:6", "status": "paused", "snapshot": ' . $s_running . "}\n");

($rc, $out, $err) = wfctl_run('import', '-d', $db2, '--dry-run', '--json', $js);
is($rc, 1, 'import --dry-run --json: exit 1 as without --json');
my @j = json_lines($out, 'import --dry-run --json');
like($out, qr/\A\{"file": "[^"]*", "line": 1, "id": "js:1", /,
	'... in the style of every other --json (jsonb\'s ", " and ": ")');
is(scalar(@j), 6, '... one line per record');
is_deeply(
	[ map { "$_->{line}=" . ($_->{id} // 'null') . "=$_->{result}" } @j ],
	[ '1=js:1=valid', '2=null=invalid', '3=js:3=invalid', '4=js:4=valid', '5=null=invalid',
	  '6=js:6=invalid' ],
	'... line, id and result ("valid" or "invalid") of each');
is_deeply($j[0], { file => $js, line => 1, id => 'js:1', result => 'valid',
		conflict => JSON::PP::false, errors => [] },
	'... a valid record: every member, no errors');
is(scalar(@{ $j[2]{errors} }), 1, '... the invalid snapshot: one error');
is($j[2]{errors}[0]{message}, 'Missing required field: execution',
	'... wf_validate\'s message, as is');
like($err, qr/\A\Qwfctl import: dry run: 2 valid, 4 invalid; nothing written\E\n\z/,
	'... only the summary on standard error');

($rc, $out, $err) = wfctl_run('import', '-d', $db2, '--json', $js);
is($rc, 1, 'import --json: exit 1 as without --json');
@j = json_lines($out, 'import --json');
is_deeply(
	[ map { "$_->{line}=" . ($_->{id} // 'null') . "=$_->{result}" } @j ],
	[ '1=js:1=imported', '2=null=failed', '3=js:3=failed', '4=js:4=skipped', '5=null=failed',
	  '6=js:6=failed' ],
	'... imported, failed and skipped, by line');
is_deeply($j[0], { file => $js, line => 1, id => 'js:1', result => 'imported',
		conflict => JSON::PP::false, errors => [] }, '... the imported record');
is(scalar(@{ $j[1]{errors} }), 1, '... the duplicate key: one error');
like($j[1]{errors}[0]{message}, qr/^invalid JSON at column \d+: duplicate object key near '"x"'$/,
	'... the JSON error\'s message');
is($j[1]{errors}[0]{line}, 2, '... with its line');
like($j[1]{errors}[0]{column}, qr/^[1-9]\d*$/, '... and its column');
is($j[1]{id}, undef, '... and no id: the record could not be read');
is(scalar(@{ $j[2]{errors} }), 1, '... the invalid snapshot: one error');
is($j[2]{errors}[0]{message}, 'invalid snapshot format: Missing required field: execution',
	'... the server\'s message');
is($j[2]{errors}[0]{sqlstate}, '22023', '... its SQLSTATE');
like($j[2]{errors}[0]{detail}, qr/Missing required field: execution/, '... and its DETAIL');
is($j[2]{conflict}, JSON::PP::false, '... not a conflict');
is($j[3]{expires_at}, '2001-01-01T00:00:00+00:00', 'the skipped record: its expiry');
is_deeply($j[3]{errors}, [], '... and no error');
is_deeply($j[4]{errors}, [ { message => 'the record has no "id"' } ],
	'the record without an id: id null, the message');
is_deeply($j[5]{errors},
	[ { message => 'invalid status "paused" (running, suspended, completed, failed or cancelled)' } ],
	'a record with a bad status: its id, the message');
like($err, qr/\A\Qwfctl import: 1 imported, 4 failed, 1 skipped (expired)\E\n\z/,
	'... only the summary on standard error');
is($node->safe_psql('second',
		q{SELECT string_agg(id, ',' ORDER BY id) FROM workflow_persist.wf_list('js:')}),
	'js:1', '... js:1 imported');

my $js1 = write_file('js1.jsonl', sprintf($good, 'js:1') . "\n");
($rc, $out, $err) = wfctl_run('import', '-d', $db2, '--json', $js1);
is($rc, 4, 'import --json of an existing id: exit 4');
@j = json_lines($out, 'import --json of an existing id');
is_deeply(\@j,
	[ { file => $js1, line => 1, id => 'js:1', result => 'failed', conflict => JSON::PP::true,
		errors => [ { message => 'workflow "js:1" already exists',
				hint => 'Use --replace to overwrite it.' } ] } ],
	'... "failed", "conflict": true, the message and its hint');

($rc, $out, $err) = wfctl_stdin($bare, 'import', '-d', $db2, '--id', 'js:bare', '--json', '-');
is($rc, 0, 'import --id --json from standard input');
@j = json_lines($out, 'import --id --json');
is_deeply(\@j, [ { file => '<stdin>', line => 1, id => 'js:bare', result => 'imported',
		conflict => JSON::PP::false, errors => [] } ], '... named <stdin>, with the id of --id');

($rc, $out, $err) = wfctl_run('validate', '-d', $db1, '--json', $v);
is($rc, 1, 'validate --json: exit 1 as without --json');
@j = json_lines($out, 'validate --json');
is(scalar(@j), 4, '... one line per record');
is_deeply($j[0], { file => $v, line => 1, id => undef, valid => JSON::PP::true, errors => [] },
	'... a valid bare snapshot: id null');
is_deeply(
	$j[1],
	{
		file => $v,
		line => 2,
		id => undef,
		valid => JSON::PP::false,
		errors => [
			{ message => 'Invalid formatVersion: expected 1, got 2' },
			{ message => 'steps["s"] must be an object' },
			{ message => 'execution.status must be one of: running, completed, failed' }
		]
	},
	'... an invalid one: every message, in order');
is($j[2]{valid}, JSON::PP::false, '... the syntax error: invalid');
like($j[2]{errors}[0]{message}, qr/^invalid JSON at column \d+: /, '... its message');
is($j[2]{errors}[0]{line}, 3, '... its line');
like($j[2]{errors}[0]{column}, qr/^[1-9]\d*$/, '... its column');
is_deeply($j[3], { file => $v, line => 4, id => 'v:1', valid => JSON::PP::true, errors => [] },
	'... an export record: its id');
like($err, qr/\A\Qwfctl validate: 2 valid, 2 invalid\E\n\z/, '... only the summary on standard error');

($rc, $out, $err) = wfctl_run('validate', '-d', $db1, '--json', $vdoc);
@j = json_lines($out, 'validate --json of one document');
is($j[0]{line}, 1, '... the record starts on line 1');
is($j[0]{errors}[0]{line}, 4, '... the syntax error is on line 4');

# ---------------------------------------------------------------------------
# 10,000 workflows of about 10 kB: round trip, constant memory
# ---------------------------------------------------------------------------
$node->safe_psql(
	'postgres', q{
	SELECT count(workflow_persist.wf_save('big:' || pg_catalog.lpad(i::text, 5, '0'),
	  pg_catalog.jsonb_build_object('formatVersion', 1,
	    'steps', (SELECT pg_catalog.jsonb_object_agg('s' || k, pg_catalog.jsonb_build_object('ok', true, 'value',
	         pg_catalog.jsonb_build_object('n', i * k,
	           'price', (i || '.' || pg_catalog.lpad((k * 7 % 100)::text, 2, '0'))::numeric,
	           'big', ('1' || pg_catalog.repeat('0', 25 + k))::numeric * i,
	           'tiny', i::numeric / 1e9, 'neg', -(i::numeric + 0.50),
	           'pad', pg_catalog.repeat(pg_catalog.md5((i * k)::text), 120))))
	       FROM pg_catalog.generate_series(1, 1 + i % 4) AS k),
	    'execution', pg_catalog.jsonb_build_object('status',
	       CASE i % 3 WHEN 0 THEN 'completed' WHEN 1 THEN 'running' ELSE 'failed' END,
	       'lastUpdated', '2026-11-22T10:00:00.000Z'))))
	  FROM pg_catalog.generate_series(1, 10000) AS i;
	SELECT count(workflow_persist.wf_cancel(id))
	  FROM workflow_persist.wf_list('big:', 'running', 100000) WHERE pg_catalog.right(id, 2) = '00';
	SELECT count(workflow_persist.wf_set_ttl(id, '30 days'))
	  FROM workflow_persist.wf_list('big:', 'failed', 100000) WHERE pg_catalog.right(id, 1) = '5';
});

# 48 MB of address space: enough for wfctl streaming, not for 100 MB of rows
my $LIMIT_KB = 48 * 1024;
my @limited = ('sh', '-c', "ulimit -v $LIMIT_KB && exec \"\$@\"", 'sh', 'wfctl');
my $big = "$dir/big.jsonl";
command_checks_all([ @limited, 'export', '-d', $db1, '--prefix', 'big:', '-o', $big ],
	0, [qr/^$/], [qr/^$/], "export of 10,000 workflows within $LIMIT_KB kB of address space");
cmp_ok(-s $big, '>=', 100_000_000, '... more than 100 MB of JSON Lines');
command_checks_all([ @limited, 'import', '-d', $db2, $big ],
	0, [qr/^$/], [qr/10000 imported, 0 failed, 0 skipped/],
	"import of them into the second database within $LIMIT_KB kB of address space");

# every snapshot, status and expiry of each database against the file
my $compare = qq{
	CREATE TEMP TABLE raw (line text);
	COPY raw FROM '$big' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02');
	SELECT count(*),
	       count(*) FILTER (WHERE s.snapshot = r.rec -> 'snapshot'
	                          AND s.snapshot::text = (r.rec -> 'snapshot')::text
	                          AND i.status = r.rec ->> 'status'
	                          AND i.expires_at IS NOT DISTINCT FROM (r.rec ->> 'expires_at')::timestamptz),
	       (SELECT count(*) FROM workflow_persist.wf_list('big:', NULL, 1000000)),
	       count(*) FILTER (WHERE i.status = 'cancelled'),
	       count(*) FILTER (WHERE i.expires_at IS NOT NULL)
	  FROM (SELECT line::jsonb AS rec FROM raw) AS r
	  LEFT JOIN LATERAL (SELECT workflow_persist.wf_load(r.rec ->> 'id') AS snapshot) AS s ON true
	  LEFT JOIN LATERAL workflow_persist.wf_info(r.rec ->> 'id') AS i ON true};
is($node->safe_psql('postgres', $compare), '10000|10000|10000|34|334',
	'the file holds every workflow of the first database exactly');
is($node->safe_psql('second', $compare), '10000|10000|10000|34|334',
	'the second database holds every workflow of the file exactly');

wfctl_valgrind_done();
done_testing();
