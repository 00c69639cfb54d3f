# wfctl completion: bash and zsh completion generated from the command
# table.
#
# bash: the generated script is loaded in bash and its function called
# the way bash's programmable completion calls it (COMP_WORDS, COMP_CWORD),
# for commands, options (each command's exactly as its --help lists
# them), option values, files, options before the command, and workflow
# ids read from the database the line names.  zsh: the script parses
# (zsh -n), and with zsh's completion functions replaced by stubs that
# print what they are given, it offers every command and each command's
# options and arguments.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use WfctlTest;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('wfctl_completion');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');
$node->safe_psql('postgres', q{
	SELECT workflow_persist.wf_save_step(id, 'a', '{"ok": true}')
	  FROM unnest(ARRAY['ord:1', 'ord:10', 'other:1']) AS id});
my $connstr = $node->connstr('postgres');
my $dir = PostgreSQL::Test::Utils::tempdir;

my ($out, $err);
command_checks_all(wfctl_cmd('completion', 'bash'), 0,
	[qr/^complete -F _wfctl wfctl$/m], [qr/^$/], 'completion bash: the script');
($out) = run_command(wfctl_cmd('completion', 'bash'));
my $bash = "$dir/wfctl.bash";
PostgreSQL::Test::Utils::append_to_file($bash, $out);
command_checks_all(wfctl_cmd('completion', 'fish'), 64, [qr/^$/],
	[qr/^wfctl completion: error: no completion for "fish": give bash or zsh$/m],
	'completion of another shell: usage error');
command_checks_all(wfctl_cmd('completion'), 64, [qr/^$/], [qr/give the shell: bash or zsh/],
	'completion without a shell: usage error');
command_checks_all([ 'bash', '-n', $bash ], 0, [qr/^$/], [qr/^$/], 'the bash script parses');

# what bash offers for the words of a command line (the last one is the
# word being completed)
sub complete
{
	my @words = @_;
	my ($stdout, $stderr) = run_command(
		[
			'bash', '--norc', '--noprofile', '-c',
			'cd "$1" && source "$2" && shift 2 && COMP_WORDS=("$@") && '
			  . 'COMP_CWORD=$(($# - 1)) && _wfctl && printf "%s\n" "${COMPREPLY[@]}"',
			'bash', $dir, $bash, @words
		]);
	is($stderr, '', "complete @words: no error");
	return [ sort grep { $_ ne '' } split /\n/, $stdout ];
}

my @commands = sort qw(list inspect pending stats export import validate approve reject
  resume cancel replay delete cleanup completion help);
is_deeply(complete('wfctl', ''), \@commands, 'every command (and help)');
is_deeply(complete('wfctl', 'li'), ['list'], 'a command by its start');
is_deeply(complete('wfctl', 're'), [qw(reject replay resume)], 'all the commands it starts');
is_deeply(complete('wfctl', '-d', 'shop', 'in'), [qw(inspect)],
	'after connection options before the command');
is_deeply(complete('wfctl', 'list', '--st'), ['--status'], 'an option');
is_deeply(complete('wfctl', 'list', '--status', ''), [qw(cancelled completed failed running suspended)],
	'the values of --status');
is_deeply(complete('wfctl', 'list', '--status', 'su'), ['suspended'], '... by their start');
is_deeply(complete('wfctl', 'list', '--status', '=', 'r'), ['running'], '... after --status=');
is_deeply(complete('wfctl', 'list', '--limit', ''), [], 'nothing for a number');
is_deeply(complete('wfctl', 'cancel', '--pre'), ['--prefix-match'], 'a flag\'s option (--prefix-match)');
is_deeply(complete('wfctl', 'approve', '--rea'), [], 'approve: no --reason (it is refused)');
is_deeply(complete('wfctl', 'reject', '--rea'), ['--reason'], 'reject: --reason');
is_deeply(complete('wfctl', 'help', 'ap'), ['approve'], 'help COMMAND');
is_deeply(complete('wfctl', 'completion', ''), [qw(bash zsh)], 'completion SHELL');
PostgreSQL::Test::Utils::append_to_file("$dir/backup.jsonl", "\n");
is_deeply(complete('wfctl', 'import', 'back'), ['backup.jsonl'], 'import FILE: files');
is_deeply(complete('wfctl', 'export', '--all', '-o', 'ba'), ['backup.jsonl'], 'export -o: files');
is_deeply(complete('wfctl', 'inspect', '-d', $connstr, 'ord'), [ 'ord:1', 'ord:10' ],
	'inspect ID: the ids of the database named on the line');
is_deeply(complete('wfctl', '-d', $connstr, 'delete', 'ord:1', 'o'), [ 'ord:1', 'ord:10', 'other:1' ],
	'delete ID...: ids for every argument');
is_deeply(complete('wfctl', 'inspect', '-d', 'port=1 host=/nonexistent', 'ord'), [],
	'no database: no ids, and no error');

# each command's options are exactly those its --help lists
foreach my $cmd (grep { $_ ne 'help' } @commands)
{
	my ($help) = run_command(wfctl_cmd($cmd, '--help'));
	my @listed = sort(($help =~ /^  (?:-\w, )?(--[\w-]+)/mg), ($help =~ /^  (-\w), --/mg), '--help');
	my @offered = grep { /^-/ } @{ complete('wfctl', $cmd, '-') };
	is_deeply(\@offered, \@listed, "$cmd: the options of its --help");
}

# ---- zsh ----

command_checks_all(wfctl_cmd('completion', 'zsh'), 0,
	[ qr/\A#compdef wfctl\n/, qr/^    compdef _wfctl wfctl$/m ], [qr/^$/], 'completion zsh: the script');
($out) = run_command(wfctl_cmd('completion', 'zsh'));
my $zsh = "$dir/_wfctl";
PostgreSQL::Test::Utils::append_to_file($zsh, $out);
SKIP:
{
	skip 'zsh is not installed', 5 if system('zsh -c true >/dev/null 2>&1') != 0;
	command_checks_all([ 'zsh', '-n', $zsh ], 0, [qr/^$/], [qr/^$/], 'the zsh script parses');

	# zsh's completion functions as stubs that print their arguments
	my $stubs = 'compdef() { : }; '
	  . '_arguments() { print -rl -- "arguments:" "$@"; state=$STUB_STATE; words=($=STUB_WORDS) }; '
	  . '_describe() { print -rl -- "describe:" "${(@P)4}" }; '
	  . 'source "$1"; _wfctl';
	my ($top) = run_command([ 'env', 'STUB_STATE=command', 'STUB_WORDS=', 'zsh', '-f', '-c', $stubs, 'zsh', $zsh ]);
	like($top, qr/^list:list workflows$/m, 'zsh: the commands with their summaries');
	like($top, qr/^completion:print the shell completion/m, '... every one of them');
	my ($list) = run_command([ 'env', 'STUB_STATE=args', 'STUB_WORDS=list', 'zsh', '-f', '-c', $stubs, 'zsh', $zsh ]);
	like($list, qr/^--status=\[only this status\\: running, suspended, completed,\]:S:\(running suspended completed failed cancelled\)$/m,
		'zsh: list\'s --status with its values');
	my ($inspect) = run_command([ 'env', 'STUB_STATE=args', 'STUB_WORDS=inspect', 'zsh', '-f', '-c', $stubs, 'zsh', $zsh ]);
	like($inspect, qr/^1:ID:_wfctl_ids$/m, 'zsh: inspect\'s ID from the database');
}

wfctl_valgrind_done();
done_testing();
