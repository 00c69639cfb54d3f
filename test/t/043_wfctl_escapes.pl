# wfctl never lets stored text drive the operator's terminal (finding F7 of
# issue 11).
#
# Workflow ids and step keys may hold any character, ESC, BEL and CR
# included: an id such as "evil:ESC]0;PWNED BEL ESC[2J ESC]52;c;... BEL"
# sets the terminal's title, clears the screen and writes the clipboard
# when printed raw.  Every line wfctl prints for people (tables,
# confirmations, replay's new id, server errors on stderr, usage errors,
# import's FILE:LINE messages) must show control characters escaped as
# psql does (\x1B, \x07, \u009B), and --json must keep them exactly (JSON
# escapes them itself).  Each command runs under valgrind (WfctlTest).
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

my $node = PostgreSQL::Test::Cluster->new('wfctl_escapes');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

my @db = ('-d', $node->connstr('postgres'));
my $dir = PostgreSQL::Test::Utils::tempdir;

sub sql
{
	return $node->safe_psql('postgres', "SET search_path = workflow_persist; $_[0]");
}

# run wfctl, return (exit status, stdout, stderr)
sub wfctl
{
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run(wfctl_cmd(@_), '>', \$stdout, '2>', \$stderr);
	return ($? >> 8, $stdout, $stderr);
}

# no C0 control character but newline (and a tab from libpq), no DEL, no
# C1 character (U+0080 to U+009F in UTF-8), no stray byte 0x9B
sub clean
{
	my ($text, $name) = @_;
	my $bad = $text =~ /([\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f])/;
	ok(!$bad, "$name: no control character reaches the terminal")
	  or diag(join(' ', map { sprintf('%02x', ord) } split //, $text));
}

# the ids of the finding: the title, a screen clear and an OSC 52 clipboard write
my $evil_sql = q{E'evil:\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07'};
my $evil_shown = 'evil:\x1B]0;PWNED\x07\x1B[2J\x1B]52;c;ZWNobyBwd25lZA==\x07';
my $evil_id = "evil:\e]0;PWNED\a\e[2J\e]52;c;ZWNobyBwd25lZA==\a";
my $evil2_id = "evil2:\e[2J";
my $key_id = "key:\r\x{7f}";
my $key_step = "approve:\e[31mred";
my $c1_id = "c1:\x{c2}\x{9b}31m";    # U+009B, CSI on 8-bit terminals
# as wfctl shows them
my $key_shown = 'key:\x0D\x7F';
my $step_shown = 'approve:\x1B[31mred';
my $c1_shown = 'c1:\u009B31m';
my $evil2_shown = 'evil2:\x1B[2J';

my $pending = "'"
  . '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "x"}, '
  . '"cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}, '
  . '"meta": {"origin": "result"}}' . "'";
sql("SELECT wf_save_step($evil_sql, 'lookup', '{\"ok\": true}')");
sql(q{SELECT wf_save_step(E'evil2:\x1b[2J', 'lookup', '{"ok": true}')});
sql(q{SELECT wf_cancel(E'evil2:\x1b[2J')});
sql(qq{SELECT wf_save_step(E'key:\\r\\x7f', E'approve:\\x1b[31mred', $pending)});
sql(q{SELECT wf_save_step(E'c1:\u009b31m', 'a', '{"ok": true}')});
is(sql(q{SELECT count(*) FROM wf_list() WHERE id ~ '[\x01-\x1f\x7f\u0080-\u009f]'}), '4',
	'four workflows with control characters in their ids');

my ($rc, $out, $err);

# ---- tables and inspect ----

($rc, $out, $err) = wfctl('list', @db);
is($rc, 0, 'list: exit 0');
clean($out . $err, 'list');
like($out, qr/^\Q${\ substr($evil_shown, 0, 36)}\E/m, 'list: the id with ESC and BEL escaped');
like($out, qr/^\Q$c1_shown\E /m, 'list: U+009B as \u009B');
like($out, qr/^\Q$key_shown\E /m, 'list: CR and DEL escaped');

($rc, $out, $err) = wfctl('pending', @db);
is($rc, 0, 'pending: exit 0');
clean($out . $err, 'pending');
like($out, qr/^\Q$key_shown\E +\Q$step_shown\E /m, 'pending: id and step key escaped');

($rc, $out, $err) = wfctl('stats', @db);
clean($out . $err, 'stats');

($rc, $out, $err) = wfctl('inspect', $key_id, '--full', @db);
is($rc, 0, 'inspect --full: exit 0');
clean($out . $err, 'inspect --full');
like($out, qr/^id: +\Q$key_shown\E$/m, 'inspect: the header\'s id escaped');
like($out, qr/^Step 1 \Q$step_shown\E:$/m, 'inspect --full: the step key escaped');

($rc, $out, $err) = wfctl('inspect', $key_id, '--json', @db);
is(decode_json($out)->{id}, $key_id, 'inspect --json: the id exactly (JSON escapes it)');
clean($out, 'inspect --json');

# ---- confirmations, replay's id ----

($rc, $out, $err) = wfctl('approve', $key_id, $key_step, @db);
is($rc, 0, 'approve: exit 0') or diag($err);
clean($out . $err, 'approve');
is($out, qq{approved step "$step_shown" of workflow "$key_shown" (version 2, now running)\n},
	'approve: the confirmation with the id and the step escaped');

($rc, $out, $err) = wfctl('replay', $evil_id, @db);
is($rc, 0, 'replay: exit 0') or diag($err);
clean($out . $err, 'replay');
like($out, qr/^\Q$evil_shown\E:replay-[0-9a-f]{8}\n\z/, 'replay: the new id escaped');

($rc, $out, $err) = wfctl('replay', $evil_id, '--json', @db);
like(decode_json($out)->{id}, qr/^\Q$evil_id\E:replay-[0-9a-f]{8}\z/,
	'replay --json: the new id exactly');

($rc, $out, $err) = wfctl('cancel', $evil_id, @db);
is($rc, 0, 'cancel: exit 0') or diag($err);
clean($out . $err, 'cancel');
is($out, "cancelled workflow \"$evil_shown\" (version 2, now cancelled)\n",
	'cancel: the confirmation of the finding, escaped');

# ---- errors on stderr ----

($rc, $out, $err) = wfctl('resume', $evil2_id, @db);
is($rc, 1, 'resume of a cancelled run: exit 1');
clean($out . $err, 'resume\'s server error');
like($err, qr/^wfctl: error: workflow "\Q$evil2_shown\E" is cancelled; only a suspended or failed run can be resumed$/m,
	'resume: the server\'s message with the id escaped');

($rc, $out, $err) = wfctl('inspect', "nope\e]0;x\a", @db);
is($rc, 3, 'inspect of an unknown id: exit 3');
clean($err, 'inspect\'s not found');
like($err, qr/^wfctl: error: no workflow id starts with "nope\\x1B\]0;x\\x07"$/m,
	'the id in the server\'s message escaped');

($rc, $out, $err) = wfctl('list', "\e]0;x\a", @db);
is($rc, 64, 'list with an argument: exit 64');
clean($err, 'a usage error');
like($err, qr/^wfctl list: error: unexpected argument "\\x1B\]0;x\\x07"$/m,
	'the argument of a usage error escaped');

($rc, $out, $err) = wfctl('list', "--\e[2J", @db);
is($rc, 64, 'list with an unknown option: exit 64');
clean($err, 'an unknown option');
like($err, qr/^wfctl list: error: unrecognized option '--\\x1B\[2J'$/m,
	'the unknown option escaped (getopt\'s own message would not be)');

($rc, $out, $err) = wfctl("fr\eob");
clean($err, 'an unknown command');
like($err, qr/^wfctl: error: unknown command "fr\\x1Bob"$/m, 'the unknown command escaped');

($rc, $out, $err) = wfctl('delete', $evil2_id, "ghost\e[2J", @db);
is($rc, 3, 'delete with an id that does not exist: exit 3');
clean($err, 'delete\'s errors');
like($err, qr/^wfctl: error: workflow "ghost\\x1B\[2J" does not exist$/m,
	'delete: the missing id escaped');

# ---- import and validate: FILE:LINE messages ----

my $file = "$dir/evil\e[2J.jsonl";
open(my $fh, '>', $file) or die "could not write $file: $!";
print $fh '{"id": "evil2:\u001b[2J", "snapshot": {"formatVersion": 1, "steps": {}, '
  . '"execution": {"status": "running", "lastUpdated": "x"}}}' . "\n";
print $fh "{\"id\": \"x\", \e]0;x\a}\n";
close($fh);
($rc, $out, $err) = wfctl('import', $file, @db);
is($rc, 1, 'import: exit 1');
clean($out . $err, 'import');
like($err, qr/evil\\x1B\[2J\.jsonl:1: workflow "\Q$evil2_shown\E" already exists$/m,
	'import: the file name and the id escaped');
like($err, qr/evil\\x1B\[2J\.jsonl:2: invalid JSON/m, 'import: the syntax error escaped');

($rc, $out, $err) = wfctl('validate', "$dir/none\e[2J.json", @db);
is($rc, 1, 'validate of a missing file: exit 1');
clean($err, 'validate');
like($err, qr/could not open file ".*none\\x1B\[2J\.json"/, 'validate: the file name escaped');

# ---- delete: the confirmation ----

($rc, $out, $err) = wfctl('delete', $evil2_id, $c1_id, @db);
is($rc, 0, 'delete: exit 0') or diag($err);
clean($out . $err, 'delete');
is($out, qq{deleted workflow "$evil2_shown"\ndeleted workflow "$c1_shown"\n},
	'delete: the confirmations escaped');

wfctl_valgrind_done();
done_testing();
