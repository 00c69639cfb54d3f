# scripts/docs-check.pl's programs (the js, python and php blocks of a
# page, docs/CONTRIBUTING.md "Programs") on pages made for it
# (test/docs/fixtures/programs_*.md):
#
#   programs_pass    a program in two blocks (file=, user=), each with its
#                    output; a block that is a program by itself; a
#                    program without an output block; masks and "…";
#                    programs connect over TCP as the role named, and a
#                    sql block sees what they wrote: the page passes;
#   programs_fail    a wrong output, a non-zero exit, a PHP warning (on
#                    standard error), a program that runs too long: each
#                    reported with its line, the page runs to its end;
#                    --update (on a copy) rewrites the wrong output only;
#   programs_static  an unknown attribute, one file in two languages,
#                    user= on a later block: reported before anything runs.
#
# Needs node, npm (test/docs/node's pg from the npm registry), Debian's
# python3 with psycopg 3, and php with PDO pgsql (scripts/lib.sh installs
# them).
use strict;
use warnings;

use File::Copy;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = PostgreSQL::Test::Utils::tempdir;
my $pages = "$dir/pages";
mkdir($pages) or die "mkdir: $!";
for my $page (qw(programs_pass programs_fail programs_static))
{
	copy("test/docs/fixtures/$page.md", "$pages/$page.md") or die "copy: $!";
}
local $ENV{npm_config_cache} = "$dir/npm-cache";

sub docs_check
{
	my @args = @_;
	my $out = '';
	IPC::Run::run([ 'perl', 'scripts/docs-check.pl', '--tmpdir', "$dir/cluster", @args ],
		'<', \undef, '>&', \$out);
	return ($? >> 8, $out);
}

my ($rc, $out) = docs_check('--timeout', 5, '--update',
	map { "$pages/$_.md" } qw(programs_pass programs_fail programs_static));
is($rc, 1, 'a run with a failing page exits 1');
note($out);

like($out, qr/^ok - \Q$pages\E\/programs_pass\.md /m,
	'the page whose programs print what it shows passes');

my $fail = qr/^# \Q$pages\E\/programs_fail\.md/m;
like($out, qr/^not ok - \Q$pages\E\/programs_fail\.md /m, 'the page with failing programs fails');
like(
	$out,
	qr/$fail:11: the output differs \(- the page, \+ the program\) of the program block-8\.mjs \(blocks at lines 8\):\n#     - 41\n#     \+ 42\n/,
	'a wrong output is named by its line, with a diff');
like(
	$out,
	qr/$fail:17: the program block-17\.py \(blocks at lines 17\) exited with 3; it printed:\n#     before\n/,
	'a program that exits with an error is reported with what it printed');
like(
	$out,
	qr/$fail:24: the program block-24\.php \(blocks at lines 24\) wrote to standard error; it printed:\n#     a\n#     \(standard error:\)\n#     .*Undefined variable \$undefined_variable/,
	'a PHP warning fails the program');
like(
	$out,
	qr/$fail:32: the program block-32\.py \(blocks at lines 32\) ran for more than 5 s \(stopped\)/,
	'a program that runs too long is stopped');
unlike($out, qr/$fail:(39|42):/, 'the sql block after the failing programs ran, and passed');

like($out, qr/^not ok - \Q$pages\E\/programs_static\.md /m, 'problems of the blocks fail the page');
my $static = qr/^# \Q$pages\E\/programs_static\.md/m;
like($out, qr/$static:5: unknown attribute "flavour" \(file=NAME, user=ROLE\)$/m, 'an unknown attribute');
like($out, qr/$static:9: the blocks of mixed\.mjs are in two languages \(js, line 5, and python\)$/m,
	'one file in two languages');
like($out, qr/$static:9: user=nobody: only the first block of mixed\.mjs names its user$/m,
	'user= on a later block');

# --update rewrote the wrong output of programs_fail, and nothing else
like($out, qr/^# \Q$pages\E\/programs_fail\.md: rewrote 1 output block\(s\)$/m, '--update says what it rewrote');
unlike($out, qr/programs_(pass|static)\.md: rewrote/, 'only the failing page rewritten');
my $diff = '';
IPC::Run::run([ 'diff', 'test/docs/fixtures/programs_fail.md', "$pages/programs_fail.md" ], '>', \$diff);
is($diff, "12c12\n< 41\n---\n> 42\n", 'only the wrong line changed');

done_testing();
