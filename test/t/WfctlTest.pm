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
#
# wfctl_tty(\@args, answers => [[qr/question/, "answer\n"], ...], env =>
# {NAME => value or undef to unset}, rows => N, cols => N) runs wfctl on a pseudo-terminal of its own
# (its controlling terminal, so /dev/tty works, and standard input, output
# and error), types each answer once its question has appeared, and
# returns (exit status, everything the terminal showed).
package WfctlTest;

use strict;
use warnings;

use Exporter 'import';
use File::Temp ();
use IO::Pty;
use POSIX ();
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(wfctl_cmd wfctl_valgrind_done wfctl_uses_valgrind wfctl_tty);

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

sub wfctl_tty
{
	my ($args, %opt) = @_;
	my @answers = @{ $opt{answers} // [] };
	my $pty = IO::Pty->new;
	my $cmd = wfctl_cmd(@$args);
	my $pid = fork();

	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		$pty->make_slave_controlling_terminal;
		my $tty = $pty->slave;
		$tty->set_winsize($opt{rows} // 24, $opt{cols} // 80, 0, 0);
		close $pty;
		open(STDIN, '<&', $tty) or POSIX::_exit(126);
		open(STDOUT, '>&', $tty) or POSIX::_exit(126);
		open(STDERR, '>&', $tty) or POSIX::_exit(126);
		foreach my $k (keys %{ $opt{env} // {} })
		{
			if (defined $opt{env}{$k}) { $ENV{$k} = $opt{env}{$k}; }
			else { delete $ENV{$k}; }
		}
		exec(@$cmd) or POSIX::_exit(127);
	}
	$pty->close_slave;

	my $shown = '';
	my $from = 0;
	my $deadline = time + ($opt{timeout} // 300);
	while (time < $deadline)
	{
		my $rin = '';
		vec($rin, fileno($pty), 1) = 1;
		next unless select(my $rout = $rin, undef, undef, 0.5) > 0;
		my $got = sysread($pty, my $buf, 65536);
		last unless $got;    # EIO: the last process holding the terminal left
		$shown .= $buf;
		if (@answers && substr($shown, $from) =~ $answers[0][0])
		{
			$from = length($shown);
			syswrite($pty, $answers[0][1]);
			shift @answers;
		}
	}
	kill('KILL', $pid) if time >= $deadline;
	waitpid($pid, 0);
	return ($? >> 8, $shown);
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
