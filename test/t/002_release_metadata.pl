# test/t/002_release_metadata.pl: the release metadata follows the control file.
#
# META.json passes scripts/check-meta.pl (PGXN meta spec 1.0.0 plus the
# tree: its version and the extension's are the control file's
# default_version, its files exist), and the validator really refuses what
# the spec refuses: a copy of META.json is broken one way at a time (a
# required key missing, an unknown key, a bad version, license, range,
# tag, status or meta-spec version, a version that is not the control
# file's, a file that does not exist) and each copy must fail with the
# problem named.  debian/changelog's newest entry is for default_version
# (plus a Debian revision) and debian/copyright carries LICENSE's text.  No server is needed.
use strict;
use warnings;

use File::Copy qw(copy);
use File::Path qw(make_path);
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;

sub slurp
{
	my ($file) = @_;
	open my $fh, '<:raw', $file or die "$file: $!";
	local $/;
	return scalar <$fh>;
}

my ($version) = slurp('workflow_persist.control') =~ /^default_version = '([^']*)'/m;
ok(defined $version, "the control file's default_version ($version)");

# The real one.
my ($out, $err);
my $ok = IPC::Run::run([ 'perl', 'scripts/check-meta.pl', 'META.json' ], '>', \$out, '2>', \$err);
ok($ok, 'META.json passes scripts/check-meta.pl') or diag($err);
is($out, "META.json: ok\n", 'and it says so');

# Broken copies: each in a directory of its own holding what META.json
# refers to, so that only the one change can fail.
my $meta = decode_json(slurp('META.json'));
my $tmp  = PostgreSQL::Test::Utils::tempdir;
my $n    = 0;

sub check_copy
{
	my ($what, $change, $expect) = @_;
	my $copy = decode_json(encode_json($meta));
	$change->($copy);
	my $dir = "$tmp/" . ++$n;
	make_path($dir);
	copy('workflow_persist.control', "$dir/workflow_persist.control") or die $!;
	foreach my $e (values %{ $meta->{provides} })
	{
		foreach my $file (grep { defined } $e->{file}, $e->{docfile})
		{
			(my $sub = "$dir/$file") =~ s{/[^/]*$}{};
			make_path($sub);
			copy($file, "$dir/$file") or die "$file: $!";
		}
	}
	open my $fh, '>', "$dir/META.json" or die $!;
	print $fh (ref $copy ? JSON::PP->new->canonical->encode($copy) : $copy);
	close $fh;
	my ($o, $e);
	my $passed = IPC::Run::run([ 'perl', 'scripts/check-meta.pl', "$dir/META.json" ], '>', \$o, '2>', \$e);
	if (defined $expect)
	{
		ok(!$passed && $e =~ $expect, "refused: $what") or diag("exit ok: $passed; stderr: $e");
	}
	else
	{
		ok($passed, "accepted: $what") or diag($e);
	}
}

my $ext = 'workflow_persist';
foreach my $key (qw(name version abstract maintainer license provides meta-spec))
{
	check_copy("no $key", sub { delete $_[0]{$key} }, qr/has no "\Q$key\E"/);
}
check_copy('a name that is no provided extension', sub { $_[0]{name} = 'workflow-persist' },
	qr/name workflow-persist is none of the provided extensions/);
check_copy('an unknown top-level key', sub { $_[0]{homepage} = 'https://example.org/' },
	qr/unknown key "homepage"/);
check_copy('a custom x_ key', sub { $_[0]{x_build} = { debian => 'debian/' } }, undef);
check_copy('a version that is not semantic', sub { $_[0]{version} = '1.0' },
	qr/version must be a semantic version/);
check_copy('a version other than the control file\'s',
	sub { $_[0]{version} = '99.0.0' }, qr/version is 99\.0\.0, workflow_persist\.control's default_version is \Q$version\E/);
check_copy('an extension version other than the control file\'s',
	sub { $_[0]{provides}{$ext}{version} = '99.0.0' }, qr/provides\.$ext\.version is 99\.0\.0/);
check_copy('a provided file that does not exist',
	sub { $_[0]{provides}{$ext}{file} = 'sql/nothing.sql' }, qr/provides\.$ext\.file: sql\/nothing\.sql does not exist/);
check_copy('a provided extension without a file',
	sub { delete $_[0]{provides}{$ext}{file} }, qr/provides\.$ext has no "file"/);
check_copy('an absolute path', sub { $_[0]{provides}{$ext}{docfile} = '/etc/passwd' },
	qr/docfile must be a relative unix path/);
check_copy('an unknown key in an extension',
	sub { $_[0]{provides}{$ext}{schema} = 'workflow_persist' }, qr/provides\.$ext has an unknown key "schema"/);
check_copy('a license the spec does not know', sub { $_[0]{license} = 'PostgreSQL' },
	qr/"PostgreSQL" is not a license the spec knows/);
check_copy('a license object with URIs',
	sub { $_[0]{license} = { PostgreSQL => 'https://www.postgresql.org/about/licence' } }, undef);
check_copy('meta-spec 2.0.0', sub { $_[0]{'meta-spec'}{version} = '2.0.0' }, qr/meta-spec\.version must be 1\.0\.x/);
check_copy('a prerequisite that is not a version range',
	sub { $_[0]{prereqs}{runtime}{requires}{PostgreSQL} = '15' }, qr/must be a version range/);
check_copy('an unknown prerequisite phase', sub { $_[0]{prereqs}{run} = { requires => { PostgreSQL => 0 } } },
	qr/prereqs has an unknown key "run"/);
check_copy('a tag with a slash', sub { $_[0]{tags} = ['a/b'] }, qr/tags\[0\] must be a tag/);
check_copy('release_status beta', sub { $_[0]{release_status} = 'beta' }, qr/must be stable, testing or unstable/);
check_copy('an empty maintainer list', sub { $_[0]{maintainer} = [] }, qr/maintainer must not be empty/);
check_copy('text that is not JSON', sub { $_[0] = '{"name": ' }, qr/not JSON/);

# The Debian package's version and license.
my ($deb_version) = slurp('debian/changelog') =~ /\A\S+ \(([^)]+)-[^-)]+\)/;
is($deb_version, $version, "debian/changelog's newest entry is for $version (else: dch -v $version-1)");
my ($license) = slurp('LICENSE') =~ /^(Permission to use.*)\z/ms;
my ($copyright) = slurp('debian/copyright') =~ /^License: PostgreSQL\n( Permission.*)\z/ms;
$copyright =~ s/^ \.$//mg;
$copyright =~ s/^ //mg;
is($copyright, $license, "debian/copyright's license text is LICENSE's");

done_testing();
