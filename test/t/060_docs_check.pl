# scripts/docs-check.pl, the checker of the docs' examples, on pages made
# for it (test/docs/fixtures): one that uses every convention of
# docs/CONTRIBUTING.md and must pass; one whose output blocks are wrong
# (each reported with its line and a diff, the blocks after it still run);
# one with an error in a block without output (reported, the page stops);
# one that leaves a role behind.  The run has --update (on copies of the
# pages), which rewrites the wrong output blocks: the page passes then.
use strict;
use warnings;

use File::Copy;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = PostgreSQL::Test::Utils::tempdir;
my $fixtures = "$dir/pages";
mkdir($fixtures) or die "mkdir: $!";
for my $page (qw(pass fail_output fail_error fail_leftover))
{
	copy("test/docs/fixtures/$page.md", "$fixtures/$page.md") or die "copy: $!";
}

sub docs_check
{
	my @args = @_;
	my $out = '';
	IPC::Run::run([ 'perl', 'scripts/docs-check.pl', '--tmpdir', "$dir/cluster", @args ],
		'<', \undef, '>&', \$out);
	return ($? >> 8, $out);
}

my ($rc, $out) =
  docs_check('--update', map { "$fixtures/$_.md" } qw(pass fail_output fail_error fail_leftover));
is($rc, 1, 'a run with a failing page exits 1');
note($out);

like($out, qr/^ok - \Q$fixtures\E\/pass\.md /m, 'the page that follows the conventions passes');

like($out, qr/^not ok - \Q$fixtures\E\/fail_output\.md /m, 'a wrong output fails the page');
like(
	$out,
	qr/^# \Q$fixtures\E\/fail_output\.md:19: the output differs \(- the page, \+ psql\) from the block at line 16:\n#        sum\n#       -----\n#     -    2\n#     \+    3\n#       \(1 row\)\n/m,
	'the wrong output is named by its line, with a diff');
like($out, qr/^# \Q$fixtures\E\/fail_output\.md:29: /m,
	'the blocks after a wrong output still run');

like($out, qr/^not ok - \Q$fixtures\E\/fail_error\.md /m, 'an error in a block without output fails the page');
like(
	$out,
	qr/^# \Q$fixtures\E\/fail_error\.md:10: the block has no output block, and it failed:\n#     INSERT 0 1\n#     ERROR:  relation "no_such_table" does not exist\n/m,
	'the error is named by its block\'s line, with what psql printed');
like($out, qr/^# \Q$fixtures\E\/fail_error\.md: stopped there; the blocks after it did not run$/m,
	'the page stops at the error');
unlike($out, qr/fail_error\.md:1[5-9]:/, 'the block after the error did not run');

like(
	$out,
	qr/^not ok - \Q$fixtures\E\/fail_leftover\.md .*\n# \Q$fixtures\E\/fail_leftover\.md: the page leaves roles behind \(before: postgres; after: fixture_leftover, postgres\)$/m,
	'a role left behind fails the page');

# --update rewrote the two wrong output blocks with what psql printed, and
# left the rest of the page as it was.
like($out, qr/^# \Q$fixtures\E\/fail_output\.md: rewrote 2 output block\(s\)$/m,
	'--update says what it rewrote');
unlike($out, qr/rewrote.*\n(?s:.*)rewrote/, 'only one page rewritten');
($rc, $out) = docs_check("$fixtures/fail_output.md");
is($rc, 0, 'the rewritten page passes');
like($out, qr/^ok - /m, 'ok line for the rewritten page');
ok(!-e "$dir/cluster", 'a run that passed removes its cluster');

my $diff = '';
IPC::Run::run([ 'diff', 'test/docs/fixtures/fail_output.md', "$fixtures/fail_output.md" ],
	'>', \$diff);
is( $diff, <<'EOF', 'only the wrong lines changed');
22c22
<    2
---
>    3
32c32
<  wrong on purpose
---
>  after
EOF

done_testing();
