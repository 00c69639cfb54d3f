# test/t/WfctlTest.pm: how the TAP suites run wfctl.
#
# wfctl_cmd(@args) gives the command line to hand to command_checks_all()
# and friends: wfctl itself (installed next to the server's programs,
# which prove_installcheck puts first in PATH), run under valgrind when it
# is installed (WFCTL_VALGRIND=0 turns that off).  valgrind reports to one
# log file per process and exits 97 on any invalid access or leak, so a
# memory error fails the exit-code check of the command that caused it;
# wfctl_valgrind_done() at the end of a test file also checks that every
# log is empty.
package WfctlTest;

use strict;
use warnings;

use Exporter 'import';
use File::Temp ();
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(wfctl_cmd wfctl_valgrind_done wfctl_uses_valgrind);

my $use_valgrind;
my $logdir;

sub wfctl_uses_valgrind
{
	if (!defined $use_valgrind)
	{
		my $want = $ENV{WFCTL_VALGRIND} // '1';
		$use_valgrind =
		  $want ne '0' && system('valgrind --version >/dev/null 2>&1') == 0;
		$logdir = File::Temp::tempdir('wfctl-valgrind-XXXX', TMPDIR => 1, CLEANUP => 1)
		  if $use_valgrind;
	}
	return $use_valgrind;
}

sub wfctl_cmd
{
	my @args = @_;
	return [ 'wfctl', @args ] unless wfctl_uses_valgrind();
	return [
		'valgrind', '-q',
		'--error-exitcode=97',
		'--leak-check=full',
		'--show-leak-kinds=definite,indirect',
		'--errors-for-leak-kinds=definite,indirect',
		"--log-file=$logdir/wfctl.%p.log",
		'wfctl', @args
	];
}

sub wfctl_valgrind_done
{
	return unless wfctl_uses_valgrind();
	my @dirty;
	foreach my $log (glob("$logdir/wfctl.*.log"))
	{
		my $text = slurp_file($log);
		push @dirty, $text if $text ne '';
	}
	is(scalar(@dirty), 0, 'valgrind: no memory errors, no leaks')
	  or diag(join("\n----\n", @dirty));
}

1;
