# test/t/050_readme_install.pl: README.md's "Install into your PostgreSQL", done
# as it says.
#
# The commands are read from README.md itself: every fenced block that
# follows a "<!-- readme-install: KIND -->" marker, so the README and this
# test cannot drift apart.  On a fresh server (the build under test,
# installed by make test), in a database appdb:
#
#   superuser        blocks run in order as the superuser and must succeed
#                    without a message (CREATE EXTENSION, the role, its
#                    grant and search_path);
#   app              the block runs as the role app, and prints exactly the
#                    output block shown after it (unqualified calls: the
#                    role's search_path and grants are what make them work);
#   postgresql.conf  the lines go into postgresql.conf, the server
#                    restarts, the cleanup launcher runs and the worker
#                    deletes an expired workflow of appdb (cleanup_interval
#                    is shortened to 1 s here, which the README leaves at
#                    its default);
#   build            the packages it installs are real ones, installed here
#                    (make test just built with them);
#   deb              the file it installs is the one scripts/deb.sh makes.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The marked blocks, in order: { kind, lang, text, output }.
sub readme_blocks
{
	open my $fh, '<', 'README.md' or die "README.md: $!";
	my @lines = <$fh>;
	my @blocks;
	for (my $i = 0; $i < @lines; $i++)
	{
		next unless $lines[$i] =~ /^<!-- readme-install: (\S+) -->$/;
		my $block = { kind => $1, line => $i + 1 };
		$i++ while $i + 1 < @lines && $lines[ $i + 1 ] =~ /^\s*$/;
		die "README.md line $block->{line}: no fenced block after the marker"
		  unless $i + 1 < @lines && $lines[ ++$i ] =~ /^```(\S*)$/;
		$block->{lang} = $1;
		my ($text, $output) = ('', undef);
		$text .= $lines[$i] while ++$i < @lines && $lines[$i] !~ /^```$/;
		# an output block right after it: a fence without a language
		if ($i + 1 < @lines && $lines[ $i + 1 ] =~ /^```$/)
		{
			$i++;
			$output = '';
			$output .= $lines[$i] while ++$i < @lines && $lines[$i] !~ /^```$/;
		}
		$block->{text}   = $text;
		$block->{output} = $output;
		push @blocks, $block;
	}
	return @blocks;
}

my @blocks = readme_blocks();
my %count;
$count{ $_->{kind} }++ foreach @blocks;
note("README.md: ", join(', ', map { "$count{$_} $_" } sort keys %count), ' block(s)');
foreach my $kind (qw(build deb superuser app postgresql.conf))
{
	ok($count{$kind}, "README.md has a marked $kind block");
}
my @unknown = grep { !/^(build|deb|superuser|app|postgresql\.conf)$/ } keys %count;
is_deeply(\@unknown, [], 'and no marker this test does not know');
my ($app) = grep { $_->{kind} eq 'app' } @blocks;
ok(defined $app->{output}, 'the app block shows its output');

my $node = PostgreSQL::Test::Cluster->new('readme');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE appdb');

# psql as the README's reader runs it: the block on stdin, default output.
sub psql_block
{
	my ($user, $text) = @_;
	my ($out, $err) = ('', '');
	my $connstr = $node->connstr('appdb') . ($user ? " user=$user" : '');
	my $ok = IPC::Run::run([ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', $connstr, '-f', '-' ],
		'<', \$text, '>', \$out, '2>', \$err);
	return ($ok, $out, $err);
}

# psql pads its header lines with blanks and ends with an empty line; the
# README has neither.
sub trimmed
{
	my ($text) = @_;
	$text =~ s/[ \t]+$//mg;
	$text =~ s/\n+\z/\n/;
	return $text;
}

foreach my $block (@blocks)
{
	my $where = "README.md line $block->{line}";
	if ($block->{kind} eq 'superuser')
	{
		my ($ok, $out, $err) = psql_block(undef, $block->{text});
		ok($ok && $err eq '', "$where: as the superuser: " . (split /\n/, $block->{text})[0])
		  or diag("stderr: $err");
	}
	elsif ($block->{kind} eq 'app')
	{
		my ($ok, $out, $err) = psql_block('app', $block->{text});
		ok($ok && $err eq '', "$where: runs as app") or diag("stderr: $err");
		is(trimmed($out), trimmed($block->{output}), "$where: prints what README.md shows");
	}
}

# The worker, configured as the README says.
my ($conf) = grep { $_->{kind} eq 'postgresql.conf' } @blocks;
$node->append_conf('postgresql.conf', $conf->{text} . "workflow_persist.cleanup_interval = 1\n");
$node->restart;
is($node->safe_psql('appdb', 'SHOW shared_preload_libraries'), 'workflow_persist', 'the library is preloaded');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'workflow_persist cleanup launcher'",
		'1'),
	'the cleanup launcher runs');
$node->safe_psql('appdb', <<'SQL');
SELECT workflow_persist.wf_save('readme:expired',
  '{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "t"}}',
  ttl => '1 millisecond');
SQL
ok( $node->poll_query_until(
		'appdb', "SELECT count(*) FROM workflow_persist.wf_workflow WHERE id = 'readme:expired'", '0'),
	'the worker deletes an expired workflow of appdb');
$node->stop;

# The build block's packages: real, and installed here.
my ($build) = grep { $_->{kind} eq 'build' } @blocks;
my ($apt_line) = $build->{text} =~ /^sudo apt-get install -y (.*)$/m;
ok($apt_line, 'the build block installs packages with apt-get');
foreach my $package (split ' ', $apt_line // '')
{
	my $status = `dpkg-query -W -f='\${Status}' '$package' 2>/dev/null`;
	is($status, 'install ok installed', "build package $package is installed here");
}

# The deb block installs what scripts/deb.sh builds.
my ($deb) = grep { $_->{kind} eq 'deb' } @blocks;
my ($glob) = $deb->{text} =~ /^sudo apt install (\S+)$/m;
open my $changelog, '<', 'debian/changelog' or die "debian/changelog: $!";
my ($version) = <$changelog> =~ /^\S+ \(([^)]+)\)/;
chomp(my $arch    = `dpkg --print-architecture`);
my $built = "./build/deb/postgresql-15-workflow-persist_${version}_$arch.deb";
(my $re = quotemeta($glob // '')) =~ s/\\\*/.*/g;
like($built, qr/^$re$/, "the deb block's $glob is scripts/deb.sh's $built");
unlike("./build/deb/postgresql-15-workflow-persist-dbgsym_${version}_$arch.deb",
	qr/^$re$/, 'and not its -dbgsym package');

done_testing();
