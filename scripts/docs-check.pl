#!/usr/bin/perl
# scripts/docs-check.pl: the docs' SQL examples, run as the pages show them.
#
#   scripts/docs-check.pl [options] [PAGE...]
#
#   --manifest FILE  the pages to check, one per line, with their options
#                    (default test/docs/manifest); PAGE arguments check
#                    those pages instead, with the options listed there
#   --conf FILE      server settings the pages assume (default
#                    test/docs/server.conf), appended to postgresql.conf
#   --tmpdir DIR     where the throwaway cluster lives (default
#                    ./tmp_check_docs; removed after a run that passed)
#   --timeout SECS   the longest a block may run (default 120)
#   --update         rewrite an output block that differs with what psql
#                    printed (read the result with git diff before you
#                    commit it: a "…" in the old block is gone)
#
# For every page, in a fresh database of a throwaway cluster of its own
# (started here with initdb and pg_ctl, the library preloaded, the
# extension created), the checker runs every ```sql block in order through
# psql as the postgres user, and compares what psql printed with the ```
# block that follows the sql block (its expected output); a sql block
# without one must run without an error or a warning.  The ```js,
# ```python and ```php blocks are programs (the blocks of one file=NAME
# together): each runs with node, python3 or php when the page reaches its
# last block, connected over TCP through libpq's PG* variables, and must
# exit 0, write nothing to standard error and print what the page's output
# blocks after its blocks show.  The conventions a page follows (sessions,
# blocks that wait for a lock, programs, the masks and the "…" wildcard)
# are in docs/CONTRIBUTING.md.
#
# Prints "ok - PAGE" or "not ok - PAGE" per page, the failures with
# PAGE:LINE; exits 0 when every page passed, 1 when one failed, 2 when the
# checker itself could not run.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use File::Basename qw(basename dirname);
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use Getopt::Long;
use IO::Socket::INET;
use IPC::Run;
use Time::HiRes qw(time sleep);

my $manifest;
my $conf_file = 'test/docs/server.conf';
my $tmpdir = 'tmp_check_docs';
my $timeout = 120;
my $update = 0;
GetOptions(
	'manifest=s' => \$manifest,
	'conf=s' => \$conf_file,
	'tmpdir=s' => \$tmpdir,
	'timeout=i' => \$timeout,
	'update' => \$update)
  or usage();

sub usage
{
	print STDERR
	  "usage: $0 [--manifest FILE] [--conf FILE] [--tmpdir DIR] [--timeout SECS] [--update] [PAGE...]\n";
	exit 2;
}

sub fatal
{
	print STDERR "docs-check: @_\n";
	exit 2;
}

# The pages, each with its options (database=NAME, extension=no): those of
# the manifest, or those named on the command line, with their options from
# the manifest when it lists them.
my (@pages, %listed);
my $manifest_file = $manifest // 'test/docs/manifest';
if (open(my $fh, '<', $manifest_file))
{
	while (my $line = <$fh>)
	{
		$line =~ s/#.*//;
		my ($path, @words) = split ' ', $line;
		next unless defined $path;
		my %opts;
		for (@words)
		{
			/^(database|extension)=(\S+)$/
			  or fatal("$manifest_file:$.: unknown option \"$_\"");
			$opts{$1} = $2;
		}
		push @pages, { path => $path, opts => \%opts };
		$listed{$path} = \%opts;
	}
	close($fh);
}
elsif (defined $manifest || !@ARGV)
{
	fatal("cannot read $manifest_file: $!");
}
@pages = map { { path => $_, opts => $listed{$_} // {} } } @ARGV if @ARGV;
if (!@pages)
{
	print "# no page to check\n";
	exit 0;
}

fatal('initdb refuses to run as root: run this as another user '
	  . '(scripts/test.sh runs it as postgres)')
  if $> == 0;

# PostgreSQL's programs: those of $PG_CONFIG, else of the pg_config on PATH.
my $pg_config = $ENV{PG_CONFIG} // 'pg_config';
my $bindir = `$pg_config --bindir`;
fatal("$pg_config --bindir failed") if $? != 0;
chomp $bindir;

# ---------------------------------------------------------------------------
# The throwaway cluster

my $cluster_up = 0;
my $pgdata;

sub run_or_die
{
	my @cmd = @_;
	my $out = '';
	IPC::Run::run(\@cmd, '<', \undef, '>&', \$out)
	  or fatal("@cmd failed:\n$out");
	return $out;
}

sub start_cluster
{
	# never remove a directory that is not one of ours
	if (-d $tmpdir && !-e "$tmpdir/data/PG_VERSION")
	{
		opendir(my $dh, $tmpdir) or fatal("cannot read $tmpdir: $!");
		fatal("$tmpdir holds something else than a cluster of ours")
		  if grep { !/^\.\.?$/ } readdir($dh);
		closedir($dh);
	}
	remove_tree($tmpdir);
	make_path($tmpdir) or fatal("cannot create $tmpdir: $!");
	$tmpdir = abs_path($tmpdir);
	$pgdata = "$tmpdir/data";
	# psql's sessions use a socket in a directory of our own with a short
	# name (a socket's path has at most 107 bytes); the programs of a page
	# connect over TCP, as applications do, to a free port on the loopback
	# interface (found again when another process took it meanwhile).
	my $sockdir = tempdir('docs-check-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	run_or_die("$bindir/initdb", '-D', $pgdata, '-U', 'postgres', '-A',
		'trust', '--no-locale', '-E', 'UTF8', '--no-sync');
	my $settings = '';
	if (open(my $fh, '<', $conf_file))
	{
		local $/;
		$settings = <$fh>;
		close($fh);
	}
	else
	{
		fatal("cannot read $conf_file: $!");
	}
	open(my $fh, '>>', "$pgdata/postgresql.conf")
	  or fatal("cannot write $pgdata/postgresql.conf: $!");
	print $fh "\n# docs-check\nlisten_addresses = '127.0.0.1'\n"
	  . "unix_socket_directories = '$sockdir'\nfsync = off\n"
	  . "\n# $conf_file\n$settings";
	close($fh);
	$ENV{PGHOST} = $sockdir;
	$ENV{PGUSER} = 'postgres';
	delete @ENV{
		qw(PGDATABASE PGOPTIONS PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE
		  PGTZ PGDATESTYLE PGCLIENTENCODING PGAPPNAME PGCONNECT_TIMEOUT
		  PGSSLMODE PSQLRC PSQL_PAGER PAGER)
	};
	$ENV{LC_ALL} = 'C';
	my $out;
	for my $try (1 .. 5)
	{
		$ENV{PGPORT} = free_port();
		$out = '';
		IPC::Run::run(
			[
				"$bindir/pg_ctl", '-D', $pgdata, '-l', "$tmpdir/server.log",
				'-o', "-p $ENV{PGPORT}", '-w', 'start'
			],
			'<', \undef, '>&', \$out)
		  and last;
		undef $out;
	}
	defined $out or fatal("the server did not start (see $tmpdir/server.log)");
	$cluster_up = 1;
}

# A TCP port of the loopback interface that nothing listens on now.
sub free_port
{
	my $sock = IO::Socket::INET->new(
		LocalAddr => '127.0.0.1',
		LocalPort => 0,
		Proto => 'tcp',
		Listen => 1) or fatal("cannot find a free port: $!");
	my $port = $sock->sockport;
	close($sock);
	return $port;
}

sub stop_cluster
{
	return unless $cluster_up;
	$cluster_up = 0;
	system("$bindir/pg_ctl", '-D', $pgdata, '-m', 'immediate', '-w', 'stop',
		'-s');
}

$SIG{INT} = $SIG{TERM} = sub { stop_cluster(); exit 2; };
END { stop_cluster(); }

# One statement through a psql of our own (not one of the page's sessions);
# dies when it fails.  Returns the unaligned output.
sub control
{
	my ($db, $sql) = @_;
	my $out = '';
	IPC::Run::run(
		[
			"$bindir/psql", '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1',
			'-d', $db, '-c', $sql
		],
		'<', \undef, '>&', \$out)
	  or fatal("psql -d $db -c '$sql' failed:\n$out");
	chomp $out;
	return $out;
}

# What a page may leave behind in the cluster, as one text per kind.
sub cluster_state
{
	return {
		roles => control('postgres',
			"SELECT string_agg(rolname, ', ' ORDER BY rolname) FROM pg_roles WHERE rolname !~ '^pg_'"
		),
		'settings changed by ALTER SYSTEM' => control('postgres',
			"SELECT string_agg(name, ', ' ORDER BY name) FROM pg_file_settings WHERE sourcefile LIKE '%/postgresql.auto.conf'"
		),
		'prepared transactions' => control('postgres',
			"SELECT string_agg(gid, ', ' ORDER BY gid) FROM pg_prepared_xacts"),
		databases => control('postgres',
			"SELECT string_agg(datname, ', ' ORDER BY datname) FROM pg_database"),
	};
}

# ---------------------------------------------------------------------------
# Reading a page

# The languages of the program blocks, what runs them, and the extension
# of a file that has no name of its own.
my %runner = (js => 'node', javascript => 'node', python => 'python', php => 'php');
my %extension = (node => '.mjs', python => '.py', php => '.php');

# The fenced blocks of a page: lang (the info string's first word), attrs
# (the rest: name=value or a bare flag), text, line (of the opening
# fence), first and last (the content's lines), output (the expected
# output block, for a sql or program block), program (for a program
# block: its file, runner and blocks).  Returns the sql and program
# blocks in the page's order.
sub read_blocks
{
	my ($path) = @_;
	open(my $fh, '<', $path) or return (undef, "cannot read: $!");
	my @lines = <$fh>;
	close($fh);
	my (@blocks, $open);
	my $after_block = 0;    # only blank lines since the last block closed
	for my $i (0 .. $#lines)
	{
		my $line = $lines[$i];
		my $n = $i + 1;
		if ($open)
		{
			if ($line =~ /^\s*(`{3,}|~{3,})\s*$/
				&& substr($1, 0, 1) eq $open->{fence_char}
				&& length($1) >= $open->{fence_len})
			{
				$open->{last} = $n - 1;
				push @blocks, $open;
				undef $open;
				$after_block = 1;
				next;
			}
			(my $content = $line) =~ s/^ {0,$open->{indent}}//;
			$open->{text} .= $content;
			next;
		}
		if ($line =~ /^( *)(`{3,}|~{3,})\s*(.*?)\s*$/)
		{
			my ($indent, $fence, $info) = ($1, $2, $3);
			my ($lang, @words) = split ' ', $info;
			my %attrs;
			for (@words)
			{
				my ($k, $v) = /^([^=]+)(?:=(.*))?$/;
				$attrs{$k} = $v // 1;
			}
			$open = {
				lang => $lang // '',
				attrs => \%attrs,
				text => '',
				line => $n,
				first => $n + 1,
				indent => length($indent),
				fence_char => substr($fence, 0, 1),
				fence_len => length($fence),
				follows => $after_block ? $blocks[-1] : undef,
			};
			next;
		}
		$after_block = 0 if $line =~ /\S/;
	}
	return (undef, "line $open->{line}: the block is not closed") if $open;

	# A block with an empty info string right after a sql block or a
	# program block (nothing but blank lines between them) is its expected
	# output.  The program blocks of one file (file=NAME, else the block
	# alone) make one program, run at its last block.
	my (@run, %programs);
	for my $blk (@blocks)
	{
		if ($blk->{lang} eq 'sql' || $runner{ $blk->{lang} })
		{
			push @run, $blk;
			next unless $runner{ $blk->{lang} };
			my $runner = $runner{ $blk->{lang} };
			my $file = $blk->{attrs}{file}
			  // "block-$blk->{line}" . $extension{$runner};
			my $prog = $programs{$file} //= {
				file => $file,
				runner => $runner,
				blocks => [],
			};
			push @{ $prog->{blocks} }, $blk;
			$blk->{program} = $prog;
		}
		elsif ($blk->{lang} eq ''
			&& $blk->{follows}
			&& ($blk->{follows}{lang} eq 'sql' || $runner{ $blk->{follows}{lang} }))
		{
			$blk->{follows}{output} = $blk;
		}
	}
	return (\@run, undef, \@lines);
}

# Problems the page has before anything runs.
sub static_problems
{
	my ($blk) = @_;
	return program_problems($blk) if $blk->{program};
	my @problems;
	for (keys %{ $blk->{attrs} })
	{
		push @problems, "unknown attribute \"$_\" (session=NAME, waits)"
		  unless /^(session|waits)$/;
	}
	# psql would wait for the rest of an unfinished statement, and run it
	# with the next block.
	my @lines = grep { /\S/ && !/^\s*--/ } split /\n/, $blk->{text};
	my $last = $lines[-1] // '';
	# drop a comment at its end (a "--" outside quotes)
	$last =~ s/^((?:[^'"-]|'[^']*'|"[^"]*"|-(?!-))*)--.*$/$1/;
	push @problems, 'the block does not end its last statement (no ";")'
	  unless $last =~ /;\s*$/ || $last =~ /^\s*\\/ || $last =~ /\\\w+[^'"]*$/;
	return @problems;
}

sub program_problems
{
	my ($blk) = @_;
	my $prog = $blk->{program};
	my @problems;
	for (sort keys %{ $blk->{attrs} })
	{
		push @problems, "unknown attribute \"$_\" (file=NAME, user=ROLE)"
		  unless /^(file|user)$/;
	}
	push @problems, "file=$blk->{attrs}{file} is not a plain file name"
	  if defined $blk->{attrs}{file} && $blk->{attrs}{file} !~ /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
	my $first = $prog->{blocks}[0];
	push @problems,
	  "the blocks of $prog->{file} are in two languages ($first->{lang}, line $first->{line}, and $blk->{lang})"
	  if $runner{ $blk->{lang} } ne $prog->{runner};
	if (defined $blk->{attrs}{user})
	{
		push @problems, "user=$blk->{attrs}{user}: only the first block of $prog->{file} names its user"
		  if $blk != $first;
		push @problems, "user=$blk->{attrs}{user} is not a plain role name"
		  unless $blk->{attrs}{user} =~ /^[a-z_][a-z0-9_]*$/;
	}
	return @problems;
}

# ---------------------------------------------------------------------------
# Comparing

# Both sides are normalised before they are compared: trailing blanks and
# blank lines at the end dropped, every run of blanks one space, psql's
# separator lines (---+---) one dash per column, so that alignment never
# matters; then the masks.
my @masks = (
	# ISO 8601 timestamps, as JavaScript and PostgreSQL print them
	[
		qr/\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?/,
		'<timestamp>'
	],
	[ qr/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i, '<uuid>' ],
	# the ids wf_replay and wf_fork generate (<id>:replay-<8 hex digits>)
	[ qr/(?<=:replay-)[0-9a-f]{8}\b/, '<hex>' ],
	# wf_list's cursors: <updated_at in microseconds since 1970>:<id>
	[ qr/(?<![\d:])\d{16}(?=:)/, '<microseconds>' ],
	# LISTEN's notifications name the sender's process
	[ qr/(?<=received from server process with PID )\d+/, '<pid>' ],
	# psql's \timing
	[ qr/(?<=^Time: )\d+[.,]\d+ ms(?: \([^)]*\))?/m, '<duration>' ],);

sub normalise
{
	my ($text) = @_;
	my @out;
	for my $line (split /\n/, raw_text($text))
	{
		$line =~ s/[ \t]+/ /g;
		$line =~ s/-+/-/g if $line =~ /^[-+]+$/;
		$line =~ s/\]-+/]-/ if $line =~ /^-\[ RECORD \d+ \]-/;
		$line =~ s/$_->[0]/$_->[1]/g for @masks;
		push @out, $line;
	}
	return \@out;
}

# Trailing blanks and blank lines at the end dropped.
sub raw_text
{
	my ($text) = @_;
	$text =~ s/[ \t]+$//mg;
	$text =~ s/\n+\z//;
	return $text;
}

# Does the expected output (normalised lines, "…" a wildcard) match?
sub matches
{
	my ($want, $got) = @_;
	my $w = join("\n", @$want);
	my $g = join("\n", @$got);
	return $w eq $g unless $w =~ /…/;
	my $re = join(
		'',
		map {
			$_ eq '…'
			  ? '(?:[^\n]*\n)*?'
			  : join('[^\n]*?', map { quotemeta } split(/…/, $_, -1)) . '\n'
		} @$want);
	return "$g\n" =~ /\A$re\z/;
}

# A line diff of the two normalised texts (- the page, + psql), showing the
# lines as they are.
sub line_diff
{
	my ($x, $y, $raw_x, $raw_y) = @_;
	my ($n, $m) = (scalar @$x, scalar @$y);
	my @l;
	for my $i (reverse 0 .. $n)
	{
		for my $j (reverse 0 .. $m)
		{
			$l[$i][$j] =
			    $i == $n || $j == $m ? 0
			  : $x->[$i] eq $y->[$j] ? $l[ $i + 1 ][ $j + 1 ] + 1
			  : $l[ $i + 1 ][$j] >= $l[$i][ $j + 1 ] ? $l[ $i + 1 ][$j]
			  :                                        $l[$i][ $j + 1 ];
		}
	}
	my ($i, $j, @d) = (0, 0);
	while ($i < $n || $j < $m)
	{
		if ($i < $n && $j < $m && $x->[$i] eq $y->[$j])
		{
			push @d, "  $raw_y->[$j]";
			$i++;
			$j++;
		}
		elsif ($i < $n && ($j == $m || $l[ $i + 1 ][$j] >= $l[$i][ $j + 1 ]))
		{
			push @d, "- $raw_x->[$i++]";
		}
		else
		{
			push @d, "+ $raw_y->[$j++]";
		}
	}
	# the changed lines with three lines of context, at most 60 lines
	my @near;
	for my $k (grep { $d[$_] !~ /^  / } 0 .. $#d)
	{
		$near[$_] = 1 for grep { $_ >= 0 && $_ <= $#d } $k - 3 .. $k + 3;
	}
	my @shown;
	for my $k (0 .. $#d)
	{
		if ($near[$k]) { push @shown, $d[$k]; }
		elsif (@shown && $shown[-1] ne '  …') { push @shown, '  …'; }
	}
	if (@shown > 60)
	{
		my $more = @shown - 60;
		splice(@shown, 60);
		push @shown, "  … ($more more lines)";
	}
	return join('', map { "    $_\n" } @shown);
}

# ---------------------------------------------------------------------------
# Sessions: one psql each, fed through a pipe, its standard output and
# error in one pipe so that messages stay in order.

my $marker_seq = 0;

sub open_session
{
	my ($db, $name) = @_;
	my $s = { name => $name, in => '', out => '' };
	$s->{h} = IPC::Run::start(
		[ "$bindir/psql", '-X', '-v', 'ON_ERROR_STOP=0', '-d', $db ],
		'<', \$s->{in}, '>&', \$s->{out});
	my $out = send_and_wait($s,
		"SELECT pg_backend_pid() AS docs_check_pid \\gset\n"
		  . "\\echo docs-check-pid :docs_check_pid\n\\unset docs_check_pid\n");
	defined $out && $out =~ /^docs-check-pid (\d+)$/m
	  or return (undef, "psql could not connect:\n" . ($out // $s->{out}));
	$s->{pid} = $1;
	return ($s, undef);
}

# Sends text followed by a marker; returns what came before the marker, or
# undef when psql exited first (what it printed stays in $s->{out}).
sub send_and_wait
{
	my ($s, $text) = @_;
	start_block($s, $text);
	return finish_block($s);
}

sub start_block
{
	my ($s, $text) = @_;
	$s->{marker} = 'docs-check-' . $$ . '-' . ++$marker_seq;
	$s->{in} .= $text . "\\echo $s->{marker}\n";
	$s->{started} = time;
}

sub block_done
{
	my ($s) = @_;
	return 1 if $s->{dead};
	$s->{h}->pump_nb if $s->{h}->pumpable;
	return 1 if index($s->{out}, "$s->{marker}\n") >= 0;
	if (!$s->{h}->pumpable)
	{
		$s->{h}->finish;
		$s->{dead} = 1;
		return 1;
	}
	return 0;
}

# Waits for the block started last; returns its output, undef when psql
# exited (output in $s->{out}) or the block ran out of time ($s->{timed_out}).
sub finish_block
{
	my ($s) = @_;
	until (block_done($s))
	{
		if (time - $s->{started} > $timeout)
		{
			$s->{timed_out} = 1;
			kill_session($s);
			return undef;
		}
		sleep(0.005);
	}
	return undef if $s->{dead} && index($s->{out}, "$s->{marker}\n") < 0;
	my $at = index($s->{out}, "$s->{marker}\n");
	my $out = substr($s->{out}, 0, $at);
	$s->{out} = substr($s->{out}, $at + length("$s->{marker}\n"));
	return $out;
}

# Runs the session's current block until it ends (returns 0) or waits for
# a lock held by another backend (returns 1).
sub settle
{
	my ($s) = @_;
	until (block_done($s))
	{
		return 1
		  if control('postgres', "SELECT pg_blocking_pids($s->{pid}) <> '{}'") eq 't';
		if (time - $s->{started} > $timeout)
		{
			$s->{timed_out} = 1;
			kill_session($s);
			return 0;
		}
		sleep(0.02);
	}
	return 0;
}

sub kill_session
{
	my ($s) = @_;
	return if $s->{dead};
	$s->{h}->kill_kill(grace => 2);
	$s->{dead} = 1;
}

sub close_session
{
	my ($s) = @_;
	return if $s->{dead};
	$s->{in} .= "\\q\n";
	my $t0 = time;
	while ($s->{h}->pumpable && time - $t0 < 10)
	{
		$s->{h}->pump_nb;
		sleep(0.005);
	}
	if ($s->{h}->pumpable) { kill_session($s); }
	else { $s->{h}->finish; $s->{dead} = 1; }
}

# ---------------------------------------------------------------------------
# Running a page

sub db_name
{
	my ($page) = @_;
	return $page->{opts}{database} if $page->{opts}{database};
	(my $name = lc basename($page->{path})) =~ s/\.md$//;
	$name =~ s/[^a-z0-9]+/_/g;
	return $name;
}

# Appends a failure report; returns nothing.
sub fail_block
{
	my ($failures, $path, $blk, $what, $detail) = @_;
	my $msg = "$path:$blk->{line}: $what\n";
	$msg .= $detail if defined $detail;
	push @$failures, $msg;
}

# The output of a block: compared with its output block, or checked for
# errors when it has none.  $out is undef when psql exited during the block.
sub judge
{
	my ($page, $blk, $s, $out, $failures, $updates) = @_;
	my $path = $page->{path};
	if (!defined $out)
	{
		$out = $s->{out};
		$s->{out} = '';
		if ($s->{timed_out})
		{
			fail_block($failures, $path, $blk,
				"the block ran for more than $timeout s (session $s->{name} stopped)",
				indent($out));
			return;
		}
		# A session that psql left is only expected when the output says so
		# (a terminated backend).
		if (!$blk->{output})
		{
			fail_block($failures, $path, $blk,
				'the block has no output block, and it failed:', indent($out));
			return;
		}
		if ($blk->{output}{text} !~ /connection to server was lost/)
		{
			fail_block($failures, $path, $blk,
				"psql ended in this block (session $s->{name}); it printed:",
				indent($out));
			return;
		}
	}
	if (!$blk->{output})
	{
		my @bad = grep { /^(ERROR|WARNING|FATAL|PANIC):  /; } split /\n/, $out;
		if (@bad)
		{
			fail_block($failures, $path, $blk,
				'the block has no output block, and it printed:', indent($out));
		}
		return;
	}
	my $want = normalise($blk->{output}{text});
	my $got = normalise($out);
	return if matches($want, $got);
	fail_block($failures, $path, $blk->{output},
		"the output differs (- the page, + psql) from the block at line $blk->{line}:",
		line_diff($want, $got, [ split /\n/, raw_text($blk->{output}{text}) ],
			[ split /\n/, raw_text($out) ]));
	push @$updates, [ $blk->{output}, $out ];
}

sub indent
{
	my ($text) = @_;
	$text = "(nothing)\n" if $text eq '';
	$text .= "\n" unless $text =~ /\n\z/;
	$text =~ s/^/    /mg;
	return $text;
}

sub check_page
{
	my ($page) = @_;
	my $path = $page->{path};
	my ($blocks, $error, $lines) = read_blocks($path);
	return ["$path: $error\n"] if $error;
	return ["$path: no sql block\n"] unless @$blocks;
	my @failures;
	for my $blk (@$blocks)
	{
		fail_block(\@failures, $path, $blk, $_) for static_problems($blk);
	}
	return \@failures if @failures;

	my $db = db_name($page);
	my $before = cluster_state();
	control('postgres', qq(CREATE DATABASE "$db"));
	control($db, 'CREATE EXTENSION workflow_persist')
	  unless ($page->{opts}{extension} // 'yes') eq 'no';

	my (%sessions, @updates);
	my $stopped = 0;
	for my $blk (@$blocks)
	{
		if (my $prog = $blk->{program})
		{
			# a program runs when the page reaches its last block
			run_program($page, $prog, $db, \@failures, \@updates)
			  if $blk == $prog->{blocks}[-1];
			next;
		}
		my $name = $blk->{attrs}{session} // 'main';
		my $s = $sessions{$name};
		if ($s && $s->{pending})
		{
			# the session's block that waited must end before its next one
			my $w = delete $s->{pending};
			judge($page, $w, $s, finish_block($s), \@failures, \@updates);
		}
		if ($s && $s->{dead})
		{
			fail_block(\@failures, $path, $blk, "session $name has ended before this block");
			$stopped = 1;
			last;
		}
		if (!$s)
		{
			($s, $error) = open_session($db, $name);
			if (!$s)
			{
				fail_block(\@failures, $path, $blk, "session $name: $error");
				$stopped = 1;
				last;
			}
			$sessions{$name} = $s;
		}
		my $text = $blk->{text};
		$text = "\\set ON_ERROR_STOP on\n$text\\set ON_ERROR_STOP off\n"
		  unless $blk->{output};
		start_block($s, $text);
		if ($blk->{attrs}{waits})
		{
			# go on once the session waits for a lock
			if (settle($s))
			{
				$s->{pending} = $blk;
				next;
			}
			fail_block(\@failures, $path, $blk,
				'the block is marked "waits" but ended without waiting for a lock')
			  unless $s->{timed_out};
		}
		my $out = finish_block($s);
		my $n = @failures;
		judge($page, $blk, $s, $out, \@failures, \@updates);
		# An error where none is expected makes the rest meaningless.
		if (@failures > $n && !$blk->{output})
		{
			$stopped = 1;
			last;
		}
		# A block may have released the lock another session waited for:
		# that session runs on until it ends (judged now) or waits again.
		for my $w (grep { $_->{pending} } values %sessions)
		{
			next if settle($w);
			my $wb = delete $w->{pending};
			judge($page, $wb, $w, finish_block($w), \@failures, \@updates);
		}
	}
	# A block that still waits for a lock at the end waits for nothing the
	# page will do.
	for my $s (sort { $a->{name} cmp $b->{name} } values %sessions)
	{
		my $w = delete $s->{pending} or next;
		if ($stopped || settle($s))
		{
			fail_block(\@failures, $path, $w, 'the block still waits for a lock at the end of the page')
			  unless $stopped;
			kill_session($s);
			next;
		}
		judge($page, $w, $s, finish_block($s), \@failures, \@updates);
	}
	close_session($_) for values %sessions;
	push @failures, "$path: stopped there; the blocks after it did not run\n"
	  if $stopped;

	control('postgres', qq(DROP DATABASE "$db" WITH (FORCE)));
	my $after = cluster_state();
	for my $kind (sort keys %$before)
	{
		next if $before->{$kind} eq $after->{$kind};
		push @failures,
		  "$path: the page leaves $kind behind (before: "
		  . ($before->{$kind} || 'none')
		  . '; after: '
		  . ($after->{$kind} || 'none') . ")\n";
	}
	restore_cluster($before, $after);

	write_updates($path, $lines, \@updates) if $update && @updates;
	# in the page's order (a block that waited is judged when it ends)
	my @key = map { /^\Q$path\E:(\d+):/ ? $1 : 1e9 } @failures;
	return [ @failures[ sort { $key[$a] <=> $key[$b] || $a <=> $b } 0 .. $#failures ] ];
}

# ---------------------------------------------------------------------------
# Programs: the js, python and php blocks of a page

my $node_ready;    # undef: not tried yet; '' ready; else why not

# Node.js's packages (test/docs/node: pg, from its lock file) in $tmpdir,
# where the programs written below it find them.
sub node_modules
{
	return $node_ready if defined $node_ready;
	my $src = dirname(abs_path($0)) . '/../test/docs/node';
	for my $tool (qw(node npm))
	{
		return $node_ready =
		  "$tool is not installed (scripts/lib.sh installs Node.js and npm as root)"
		  unless grep { -x "$_/$tool" } split /:/, $ENV{PATH};
	}
	for my $f (qw(package.json package-lock.json))
	{
		copy("$src/$f", "$tmpdir/$f")
		  or return $node_ready = "cannot copy $src/$f: $!";
	}
	local $ENV{npm_config_cache} = $ENV{npm_config_cache} // "$tmpdir/npm-cache";
	local $ENV{npm_config_update_notifier} = 'false';
	my $out = '';
	IPC::Run::run([ 'npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error' ],
		'<', \undef, '>&', \$out, init => sub { chdir $tmpdir or die "chdir: $!" })
	  or return $node_ready = "npm ci (test/docs/node) failed:\n$out";
	return $node_ready = '';
}

# The command that runs a program's file.
sub program_command
{
	my ($prog, $file) = @_;
	return ('node', $file) if $prog->{runner} eq 'node';
	# Debian's python3, the one python3-psycopg is for, before any other
	return ((-x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3'), $file)
	  if $prog->{runner} eq 'python';
	return ('php', '-d', 'display_errors=stderr', '-d', 'log_errors=0', '-d',
		'error_reporting=-1', $file);
}

# Writes the program's blocks into its file, runs it as the role its first
# block names (user=ROLE, else postgres) through libpq's variables, over
# TCP, and judges it: exit status 0, nothing on standard error, and what
# it printed equal to the output blocks after its blocks, when it has any.
sub run_program
{
	my ($page, $prog, $db, $failures, $updates) = @_;
	my $path = $page->{path};
	my $first = $prog->{blocks}[0];
	my $what = "the program $prog->{file} (blocks at lines "
	  . join(', ', map { $_->{line} } @{ $prog->{blocks} }) . ')';
	if ($prog->{runner} eq 'node' && node_modules() ne '')
	{
		fail_block($failures, $path, $first, "$what cannot run: $node_ready");
		return;
	}
	my $dir = "$tmpdir/programs/$db";
	make_path($dir);
	open(my $fh, '>', "$dir/$prog->{file}") or fatal("cannot write $dir/$prog->{file}: $!");
	print $fh map { $_->{text} } @{ $prog->{blocks} };
	close($fh) or fatal("cannot write $dir/$prog->{file}: $!");

	local $ENV{PGHOST} = '127.0.0.1';
	local $ENV{PGDATABASE} = $db;
	local $ENV{PGUSER} = $first->{attrs}{user} // 'postgres';
	my ($out, $err) = ('', '');
	my $ok = eval {
		IPC::Run::run([ program_command($prog, $prog->{file}) ],
			init => sub { chdir $dir or die "chdir $dir: $!" },
			'<', \undef, '>', \$out, '2>', \$err,
			IPC::Run::timeout($timeout));
	};
	my $timed_out = $@ =~ /timeout/;
	die $@ if $@ && !$timed_out;
	my $status = $?;
	if ($timed_out || !$ok || $err ne '')
	{
		my $why =
		    $timed_out ? "ran for more than $timeout s (stopped)"
		  : !$ok ? ($status & 127 ? 'died of signal ' . ($status & 127) : 'exited with ' . ($status >> 8))
		  :        'wrote to standard error';
		fail_block($failures, $path, $first, "$what $why; it printed:",
			indent($out . ($err ne '' ? "(standard error:)\n$err" : '')));
		return;
	}
	my @outputs = grep { defined } map { $_->{output} } @{ $prog->{blocks} };
	return unless @outputs;
	my $want_text = join('', map { $_->{text} } @outputs);
	my $want = normalise($want_text);
	my $got = normalise($out);
	return if matches($want, $got);
	fail_block($failures, $path, $outputs[0],
		"the output differs (- the page, + the program) of $what:",
		line_diff($want, $got, [ split /\n/, raw_text($want_text) ],
			[ split /\n/, raw_text($out) ]));
	# only a program with one output block can be rewritten
	push @$updates, [ $outputs[0], $out ] if @outputs == 1;
}

# What a page left behind is removed, so that the next page starts clean.
sub restore_cluster
{
	my ($before, $after) = @_;
	my %had = map { $_ => 1 } split /, /, $before->{roles};
	for my $role (grep { !$had{$_} } split /, /, $after->{roles})
	{
		control('postgres', qq(DROP ROLE "$role"));
	}
	if ($before->{'settings changed by ALTER SYSTEM'} ne
		$after->{'settings changed by ALTER SYSTEM'})
	{
		control('postgres', 'ALTER SYSTEM RESET ALL');
		control('postgres', 'SELECT pg_reload_conf()');
	}
	my %gid = map { $_ => 1 } split /, /, $before->{'prepared transactions'};
	for my $gid (grep { !$gid{$_} } split /, /, $after->{'prepared transactions'})
	{
		control('postgres', qq(ROLLBACK PREPARED '$gid'));
	}
}

sub write_updates
{
	my ($path, $lines, $updates) = @_;
	my @lines = @$lines;
	for my $u (sort { $b->[0]{first} <=> $a->[0]{first} } @$updates)
	{
		my ($block, $out) = @$u;
		my $pad = ' ' x $block->{indent};
		my @new = map { s/\s+$//r } split /\n/, $out;
		pop @new while @new && $new[-1] eq '';
		splice(@lines, $block->{first} - 1, $block->{last} - $block->{first} + 1,
			map { ($_ eq '' ? '' : $pad . $_) . "\n" } @new);
	}
	open(my $fh, '>', $path) or fatal("cannot write $path: $!");
	print $fh @lines;
	close($fh) or fatal("cannot write $path: $!");
	print "# $path: rewrote ", scalar(@$updates), " output block(s)\n";
}

# ---------------------------------------------------------------------------

start_cluster();
my $failed = 0;
for my $page (@pages)
{
	my $t0 = time;
	my $failures = check_page($page);
	my $secs = sprintf('%.1f s', time - $t0);
	if (@$failures)
	{
		$failed++;
		print "not ok - $page->{path} ($secs)\n";
		print "# $_" for map { split /^/ } @$failures;
	}
	else
	{
		print "ok - $page->{path} ($secs)\n";
	}
}
stop_cluster();
if ($failed)
{
	print "# server log: $tmpdir/server.log\n";
	exit 1;
}
remove_tree($tmpdir);
exit 0;
