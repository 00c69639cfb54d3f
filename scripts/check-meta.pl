#!/usr/bin/perl
# scripts/check-meta.pl: validate a PGXN META.json (meta spec 1.0.0,
# https://pgxn.org/meta/spec.txt) and check it against the tree.
#
#   perl scripts/check-meta.pl [META.json]
#
# The spec's rules: the required keys (name, version, abstract, maintainer,
# license, provides, meta-spec), no top-level key the spec does not define
# (custom keys start with x_ or X_), every value of the type and form the
# spec gives (terms, semantic versions, license names, version ranges,
# release status, ...).  The tree's: every provided extension has a
# control file next to META.json whose default_version is that
# extension's version; the distribution is named like one of them, whose
# default_version is the distribution's version; every file and docfile
# exists.
#
# Prints "META.json: ok", or one line per problem on stderr and exits 1.
# Core Perl only (JSON::PP).
use strict;
use warnings;
use File::Basename qw(dirname);
use JSON::PP;

my $path = shift // 'META.json';
my $root = dirname($path);
my @problems;

sub problem { push @problems, join('', @_); }

sub is_string { my ($v) = @_; return defined $v && !ref $v && !JSON::PP::is_bool($v); }

sub is_object { return ref $_[0] eq 'HASH'; }

sub is_array { return ref $_[0] eq 'ARRAY'; }

my $SEMVER = qr/(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)
	(?:-(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?
	(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?/x;

my %LICENSES = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2
  bsd freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0
  mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun zlib open_source
  restricted unrestricted unknown);

sub custom_key { return $_[0] =~ /^[xX]_./; }

sub nonempty_string
{
	my ($where, $v) = @_;
	problem("$where must be a non-empty string") unless is_string($v) && length $v;
}

# A term: at least two characters, no slash, backslash, space or control.
sub term
{
	my ($where, $v) = @_;
	problem("$where must be a term (two or more characters, no /, \\, space or control character)")
	  unless is_string($v) && $v =~ /^[^\/\\\s\p{Cntrl}]{2,}$/;
}

sub version
{
	my ($where, $v) = @_;
	problem("$where must be a semantic version (like 1.0.0), not ", JSON::PP->new->allow_nonref->encode($v))
	  unless is_string($v) && $v =~ /^$SEMVER$/;
}

sub version_range
{
	my ($where, $v) = @_;
	return if defined $v && !ref $v && $v eq '0';
	my $one = qr/(?:(?:[=!]=|[<>]=?)\s*)?$SEMVER/;
	problem("$where must be a version range (like \">= 15.0.0, < 16.0.0\" or 0)")
	  unless is_string($v) && $v =~ /^$one(?:\s*,\s*$one)*$/;
}

sub uri
{
	my ($where, $v) = @_;
	problem("$where must be a URI") unless is_string($v) && $v =~ /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/;
}

# A relative path in unix form, inside the distribution.
sub path
{
	my ($where, $v) = @_;
	if (!is_string($v) || $v eq '' || $v =~ m{^/} || $v =~ /\\/ || grep { $_ eq '..' } split m{/}, $v)
	{
		problem("$where must be a relative unix path inside the distribution");
		return 0;
	}
	return 1;
}

# An object whose keys are all in @allowed or custom; checks each known
# value with $check{key}.  Returns false when it is not an object.
sub object_of
{
	my ($where, $v, %check) = @_;
	unless (is_object($v))
	{
		problem("$where must be an object");
		return 0;
	}
	foreach my $key (sort keys %$v)
	{
		if ($check{$key}) { $check{$key}->("$where.$key", $v->{$key}); }
		elsif (!custom_key($key)) { problem("$where has an unknown key \"$key\""); }
	}
	return 1;
}

sub string_or_strings
{
	my ($where, $v) = @_;
	if (is_array($v))
	{
		problem("$where must not be empty") unless @$v;
		nonempty_string("$where\[$_\]", $v->[$_]) for 0 .. $#$v;
	}
	else { nonempty_string($where, $v); }
}

sub license
{
	my ($where, $v) = @_;
	if (is_object($v))
	{
		problem("$where must not be empty") unless %$v;
		uri("$where.$_", $v->{$_}) for sort keys %$v;
		return;
	}
	my @names = is_array($v) ? @$v : ($v);
	problem("$where must not be empty") if is_array($v) && !@$v;
	foreach my $name (@names)
	{
		problem("$where: \"", ($name // 'null'), "\" is not a license the spec knows")
		  unless is_string($name) && $LICENSES{$name};
	}
}

sub extension
{
	my ($where, $v) = @_;
	object_of(
		$where, $v,
		file    => \&path,
		version => \&version,
		abstract => \&nonempty_string,
		docfile => \&path,
		docpath => \&nonempty_string) or return;
	foreach my $key (qw(file version))
	{
		problem("$where has no \"$key\"") unless exists $v->{$key};
	}
}

# A non-empty object whose keys are terms naming $what, each value checked
# by $check.
sub named
{
	my ($what, $check) = @_;
	return sub {
		my ($where, $v) = @_;
		unless (is_object($v) && %$v)
		{
			problem("$where must be an object naming at least one $what");
			return;
		}
		foreach my $name (sort keys %$v)
		{
			term("$where key \"$name\"", $name);
			$check->("$where.$name", $v->{$name});
		}
	};
}

my $check_provides     = named('extension',    \&extension);
my $check_relationship = named('prerequisite', \&version_range);

sub phase
{
	my ($where, $v) = @_;
	object_of($where, $v, map { $_ => $check_relationship } qw(requires recommends suggests conflicts))
	  and !%$v and problem("$where must not be empty");
}

sub tags
{
	my ($where, $v) = @_;
	unless (is_array($v) && @$v)
	{
		problem("$where must be a non-empty array");
		return;
	}
	foreach my $i (0 .. $#$v)
	{
		my $tag = $v->[$i];
		problem("$where\[$i\] must be a tag (2 to 255 characters, no /, \\ or control character)")
		  unless is_string($tag) && $tag =~ /^[^\/\\\p{Cntrl}]{2,255}$/;
	}
}

my %TOP = (
	name         => \&term,
	version      => \&version,
	abstract     => \&nonempty_string,
	maintainer   => \&string_or_strings,
	license      => \&license,
	provides     => $check_provides,
	'meta-spec'  => sub {
		my ($where, $v) = @_;
		object_of(
			$where, $v,
			version => sub {
				problem("$_[0] must be 1.0.x") unless is_string($_[1]) && $_[1] =~ /^1\.0\.\d+$/;
			},
			url => sub {
				problem("$_[0] must be https://pgxn.org/meta/spec.txt")
				  unless is_string($_[1]) && $_[1] =~ m{^https?://pgxn\.org/meta/spec\.txt$};
			}) or return;
		problem("$where has no \"version\"") unless exists $v->{version};
	},
	description  => \&nonempty_string,
	generated_by => \&nonempty_string,
	tags         => \&tags,
	no_index     => sub {
		object_of($_[0], $_[1], file => \&string_or_strings, directory => \&string_or_strings);
	},
	prereqs => sub {
		my ($where, $v) = @_;
		object_of($where, $v, map { $_ => \&phase } qw(configure build test runtime develop))
		  and !%$v and problem("$where must not be empty");
	},
	release_status => sub {
		problem("$_[0] must be stable, testing or unstable")
		  unless is_string($_[1]) && $_[1] =~ /^(stable|testing|unstable)$/;
	},
	resources => sub {
		my ($where, $v) = @_;
		object_of(
			$where, $v,
			homepage   => \&uri,
			bugtracker => sub { object_of($_[0], $_[1], web => \&uri, mailto => \&nonempty_string) },
			repository => sub {
				object_of($_[0], $_[1], url => \&uri, web => \&uri, type => \&nonempty_string);
			}) and !%$v and problem("$where must not be empty");
	});

# The default_version of a control file, or undef.
sub default_version
{
	my ($file) = @_;
	open my $fh, '<', $file or return undef;
	while (<$fh>)
	{
		return $1 if /^\s*default_version\s*=\s*'([^']*)'/;
	}
	return undef;
}

my $meta;
{
	open my $fh, '<:raw', $path or die "$path: $!\n";
	local $/;
	my $text = <$fh>;
	$meta = eval { JSON::PP->new->utf8->decode($text) };
	if (!defined $meta)
	{
		print STDERR "$path: not JSON: $@";
		exit 1;
	}
}

if (object_of('META.json', $meta, %TOP))
{
	foreach my $key (qw(name version abstract maintainer license provides meta-spec))
	{
		problem("META.json has no \"$key\" (the spec requires it)") unless exists $meta->{$key};
	}

	# Against the tree.
	my $provides = is_object($meta->{provides}) ? $meta->{provides} : {};
	problem("name ", $meta->{name}, " is none of the provided extensions:",
		" there is no control file to check version against")
	  if is_string($meta->{name}) && %$provides && !exists $provides->{ $meta->{name} };
	foreach my $ext (sort keys %$provides)
	{
		my $e = $provides->{$ext};
		next unless is_object($e);
		foreach my $key (qw(file docfile))
		{
			next unless is_string($e->{$key}) && length $e->{$key};
			problem("provides.$ext.$key: $e->{$key} does not exist") unless -f "$root/$e->{$key}";
		}
		my $control = "$root/$ext.control";
		my $dv      = default_version($control);
		if (!defined $dv)
		{
			problem("provides.$ext: no default_version in $ext.control");
			next;
		}
		problem("provides.$ext.version is ", $e->{version} // 'missing',
			", $ext.control's default_version is $dv")
		  unless is_string($e->{version}) && $e->{version} eq $dv;
		problem("version is ", $meta->{version} // 'missing', ", $ext.control's default_version is $dv")
		  if is_string($meta->{name}) && $meta->{name} eq $ext
		  && !(is_string($meta->{version}) && $meta->{version} eq $dv);
	}
}

if (@problems)
{
	print STDERR "$path: $_\n" for @problems;
	exit 1;
}
print "$path: ok\n";
exit 0;
