# test/t/001_fuzz.pl: randomized robustness test of the five snapshot functions.
#
# A deterministic generator (seed printed; override with WFP_FUZZ_SEED)
# writes more than 10,000 JSON documents: well-formed awaitly snapshots and
# merge deltas, structural mutations of them, hand-picked edge cases, a few
# texts jsonb must refuse and a few absurdly deep ones.  They are loaded with
# one COPY, cast to jsonb one by one, and every document (and every merge
# pair) goes through wf_validate, wf_is_valid, wf_looks_like_snapshot,
# wf_assert_valid and wf_merge_snapshots inside BEGIN ... EXCEPTION blocks
# that record the SQLSTATE.  The test proves:
#
#   * no call crashed the backend: the server never restarted, a session
#     opened before the run is still the same backend afterwards, and the
#     server log has no crash lines;
#   * every error is a clean one: each function may only end in the
#     SQLSTATEs listed in %ALLOWED below (validation never raises; assert
#     and merge raise 22023; an oversized merge may raise 54000);
#   * 54001 (stack depth) is accepted only for the documents deliberately
#     nested thousands of levels deep (kind "absurd"); everything else,
#     including the well-formed documents nested a few hundred levels, must
#     work;
#   * the functions agree with each other and with the contract
#     (shared/spec/snapshot-format.md): see the invariants in the SQL below.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $t_start = time;

my $seed = $ENV{WFP_FUZZ_SEED} // 20261122;
die "WFP_FUZZ_SEED must be a non-negative integer\n" unless $seed =~ /^\d+$/;
srand($seed);
diag("fuzz seed: $seed (rerun with WFP_FUZZ_SEED=$seed)");

# ---------------------------------------------------------------------------
# Random helpers.  Only rand() after srand() is used, and no hash is ever
# iterated, so a seed always gives the same documents.
# ---------------------------------------------------------------------------
sub rint   { return int(rand($_[0])); }          # 0 .. n-1
sub chance { return rand() < $_[0]; }
sub pick   { return $_[ rint(scalar @_) ]; }

# pick from [weight, value] pairs
sub wpick
{
	my $total = 0;
	$total += $_->[0] for @_;
	my $r = rand($total);
	for (@_)
	{
		return $_->[1] if ($r -= $_->[0]) < 0;
	}
	return $_[-1][1];
}

# ---------------------------------------------------------------------------
# A tiny JSON syntax tree, so that the generator controls what jsonb never
# keeps: key order, duplicate keys, the exact text of numbers.
#   ['o', [k1, v1, k2, v2, ...]]   object (pairs in text order, duplicates ok)
#   ['a', [v1, v2, ...]]           array
#   ['s', "text"]                  string (Perl characters)
#   ['n', "1e400"]                 number, written verbatim
#   ['t'], ['f'], ['z']            true, false, null
# ---------------------------------------------------------------------------
sub O { return [ 'o', [@_] ]; }
sub A { return [ 'a', [@_] ]; }
sub S { return [ 's', $_[0] ]; }
sub N { return [ 'n', "$_[0]" ]; }
sub T { return ['t']; }
sub F { return ['f']; }
sub Z { return ['z']; }

sub is_container { return $_[0][0] eq 'o' || $_[0][0] eq 'a'; }

# index of the pair jsonb keeps for $key (the last one), or undef
sub find_key
{
	my ($obj, $key) = @_;
	my $list = $obj->[1];
	for (my $i = @$list - 2; $i >= 0; $i -= 2)
	{
		return $i if $list->[$i] eq $key;
	}
	return undef;
}

# ---------------------------------------------------------------------------
# The encoder.  Per document it picks a whitespace style and whether
# non-ASCII characters (and "/") are written as \u escapes, so both the raw
# UTF-8 and the escape paths of the jsonb parser feed our functions.
# ---------------------------------------------------------------------------
my ($WS, $ESC_UNICODE, $ESC_SLASH) = ('', 0, 0);

sub u_escape
{
	my $c = ord $_[0];
	return sprintf(chance(0.5) ? '\\u%04x' : '\\u%04X', $c) if $c < 0x10000;
	$c -= 0x10000;
	return sprintf('\\u%04x\\u%04x', 0xD800 + ($c >> 10), 0xDC00 + ($c & 0x3FF));
}

my %NAMED_ESCAPE = ("\b" => 'b', "\f" => 'f', "\n" => 'n', "\r" => 'r', "\t" => 't');

sub enc_str
{
	my ($s) = @_;
	$s =~ s/(["\\])/\\$1/g;
	$s =~ s/([\b\f\n\r\t])/\\$NAMED_ESCAPE{$1}/g;
	$s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
	$s =~ s/([^\x00-\x7f])/u_escape($1)/ge if $ESC_UNICODE;
	$s =~ s{/}{\\/}g if $ESC_SLASH;
	return qq("$s");
}

sub enc
{
	no warnings 'recursion';    # documents nest a few hundred levels
	my ($v) = @_;
	my $t = $v->[0];
	return $v->[1] if $t eq 'n';
	return enc_str($v->[1]) if $t eq 's';
	return 'true'  if $t eq 't';
	return 'false' if $t eq 'f';
	return 'null'  if $t eq 'z';
	my $list = $v->[1];
	if ($t eq 'a')
	{
		return '[' . join(",$WS", map { enc($_) } @$list) . ']';
	}
	my @parts;
	for (my $i = 0; $i < @$list; $i += 2)
	{
		push @parts, enc_str($list->[$i]) . ":$WS" . enc($list->[ $i + 1 ]);
	}
	return "{$WS" . join(",$WS", @parts) . "$WS}";
}

# One document as UTF-8 bytes, with a random encoding style.
sub to_json
{
	my ($doc) = @_;
	$WS          = wpick([ 6, '' ], [ 2, ' ' ], [ 1, "\n  " ], [ 1, "\t\r\n" ]);
	$ESC_UNICODE = chance(0.25);
	$ESC_SLASH   = chance(0.1);
	my $text = enc($doc);
	utf8::encode($text);
	return $text;
}

# ---------------------------------------------------------------------------
# Building blocks of documents
# ---------------------------------------------------------------------------

# Code point ranges for random strings: mostly printable ASCII, then control
# characters (escaped by the encoder), 2-, 3- and 4-byte UTF-8 (never NUL or
# a surrogate: jsonb cannot hold those; see the bad_text documents).
my @CHAR_RANGES = (
	[ 0x20,    0x7e ], [ 0x20, 0x7e ], [ 0x20, 0x7e ], [ 0x20, 0x7e ],
	[ 0x01,    0x1f ], [ 0x80, 0x7ff ], [ 0x800, 0xd7ff ], [ 0xe000, 0xffff ],
	[ 0x10000, 0x10ffff ]);
my @SPECIAL_CHARS = (
	'"', '\\', '/', "\n", "\r", "\t", "\x{2028}", "\x{2029}", "\x{feff}",
	"\x{1F600}", "\x{0301}", '%', "\x7f", "'", '[', ']', '{', '}', ':');

# Random strings are slices of one long random text (far cheaper than
# drawing every character).
my $CHAR_POOL = join('', map {
	if (chance(0.15)) { pick(@SPECIAL_CHARS) }
	else { my $r = pick(@CHAR_RANGES); chr($r->[0] + rint($r->[1] - $r->[0] + 1)) }
} 1 .. 8192);

sub rstr
{
	my ($maxlen) = @_;
	my $len = rint($maxlen + 1);
	return substr($CHAR_POOL, rint(length($CHAR_POOL) - $len), $len);
}

# Step keys come mostly from a shared pool so that merge pairs overlap.
my @STEP_KEYS = (
	'fetchUser', 'fetchOrder', 'charge', 'sendEmail', 'step-1', 'step-2',
	'step:3', 'hook:h1', 'hook:abc-123', 'approval:deploy', 'approve', 'a',
	'b', '', ' ', 'a"b', 'back\\slash', "new\nline", "tab\there", 'ok',
	'steps', 'execution', 'formatVersion', '%s%d%n%x%%', "\x7f",
	"\x{43a}\x{43b}\x{44e}\x{447}", "\x{1F680}", "\x{1F469}\x{200D}\x{1F4BB}",
	"e\x{301}", "\x{e9}", "\x{10FFFF}", "\x{fffd}", "\x{feff}bom", '0', '1',
	'10', '-1', '__proto__', 'constructor', 'toString', 'undefined', 'null',
	'x' x 300, '"', '\\', '"]', 'a.b', '[0]', '{"k":1}');

sub step_key { return chance(0.75) ? pick(@STEP_KEYS) : rstr(12); }

# Number texts jsonb accepts, with the awkward ones well represented.
my @NUMBERS = (
	'0', '-0', '1', '-1', '2.50', '1e400', '-1e400', '1e-400', '-1e-400',
	'1E+2', '1.0', '1e0', '10e-1', '0.1e1', '1.00000000000000000001',
	'0.99999999999999999999', '1.0000000000000002', '0.9999999999999999',
	'5e-324', '2e-324', '1e-320', '1.7976931348623157e308',
	'1.7976931348623159e308', '123456789012345678901234567890', '1e21',
	'1e-7', '0.0000001', '-0.0', '9007199254740993', '3.14159', '1e1000',
	'-1e-1000', '0e0', '-0E-0', '100e-2', '2');

sub gen_number
{
	return N(pick(@NUMBERS)) if chance(0.6);
	return N(rint(2000001) - 1000000) if chance(0.5);
	return N(sprintf('%.*g', 1 + rint(17), (rand() - 0.5) * 10**(rint(40) - 20)));
}

# formatVersion texts that are numerically 1 for JavaScript (valid) ...
my @GOOD_FV = (
	'1', '1', '1', '1', '1.0', '1e0', '10e-1', '0.1e1', '100e-2',
	'1.00000000000000000001', '0.99999999999999999999', '1E0', '1.000');

# ... and formatVersion values that are not (invalid)
sub bad_fv
{
	return wpick(
		[ 3, sub { S('1') } ],
		[ 2, sub { N(pick('2', '0', '-1', '-0', '2.50', '1e400', '1e-400', '1e21', '1e-7',
					'1.0000000000000002', '0.9999999999999999', '123456789012345678901234567890')) } ],
		[ 1, sub { S(rstr(8)) } ],
		[ 1, sub { S('') } ],
		[ 1, sub { A(N(1)) } ],
		[ 1, sub { A() } ],
		[ 1, sub { A(N(1), A(N('2.50'), Z()), S('x'), O(), T()) } ],
		[ 1, sub { A(Z(), Z()) } ],
		[ 1, sub { deep_value(1 + rint(300), 'a', N(1)) } ],
		[ 1, sub { O() } ],
		[ 1, sub { O('formatVersion', N(1)) } ],
		[ 1, sub { Z() } ],
		[ 1, sub { T() } ],
		[ 1, sub { F() } ])->();
}

# $depth levels of arrays ('a'), objects ('o') or both ('m') around $leaf
sub deep_value
{
	my ($depth, $shape, $leaf) = @_;
	my $v = $leaf // gen_scalar();
	for my $level (1 .. $depth)
	{
		my $s = $shape eq 'm' ? pick('a', 'o') : $shape;
		$v = $s eq 'a' ? A($v) : O(chance(0.5) ? 'v' : rstr(3), $v);
	}
	return $v;
}

sub gen_scalar
{
	return wpick(
		[ 1, sub { Z() } ],
		[ 1, sub { T() } ],
		[ 1, sub { F() } ],
		[ 4, sub { gen_number() } ],
		[ 5, sub { S(rstr(20)) } ])->();
}

# A random JSON value, at most $budget levels deep.
sub gen_value
{
	my ($budget) = @_;
	return gen_scalar() if $budget <= 0 || chance(0.45);
	if (chance(0.5))
	{
		return A(map { gen_value($budget - 1) } 1 .. rint(4));
	}
	return O(map { (chance(0.5) ? pick(@STEP_KEYS) : rstr(8), gen_value($budget - 1)) } 1 .. rint(4));
}

sub gen_iso
{
	return S(rstr(10)) if chance(0.05);       # any string passes the default mode
	return S(sprintf('%04d-%02d-%02dT%02d:%02d:%02d%sZ',
			1970 + rint(80), 1 + rint(12), 1 + rint(28), rint(24), rint(60), rint(60),
			chance(0.7) ? sprintf('.%03d', rint(1000)) : ''));
}

# awaitly SerializedCause, with a chain of $depth nested causes
sub gen_cause
{
	no warnings 'recursion';    # cause chains of a few hundred levels
	my ($depth) = @_;
	if (chance(0.65) || $depth > 0)
	{
		my @p = ('type', S('error'), 'name', S(pick('Error', 'TypeError', rstr(6))),
			'message', S(rstr(30)));
		push @p, 'stack', S("Error: x\n    at f (file.js:1:2)\n" . rstr(40)) if chance(0.4);
		push @p, 'cause', gen_cause($depth - 1) if $depth > 0;
		return O(@p);
	}
	my @p = ('type', S('thrown'));
	push @p, 'originalType', S(pick('string', 'number', 'object', 'undefined')) if chance(0.6);
	push @p, 'value', gen_value(2) if chance(0.5);
	push @p, 'stringRepresentation', S(rstr(20));
	push @p, 'truncated', T() if chance(0.2);
	return O(@p);
}

sub gen_error
{
	my ($key) = @_;
	return wpick(
		[ 3, sub { S(pick('NOT_FOUND', 'TIMEOUT', 'CARD_DECLINED', rstr(12))) } ],
		[ 2, sub { O('type', S('PENDING_APPROVAL'), 'stepKey', S($key),
				(chance(0.5) ? ('reason', S(rstr(20))) : ()),
				(chance(0.5) ? ('metadata', gen_value(2)) : ())) } ],
		[ 1, sub { O('type', S('APPROVAL_REJECTED'), 'stepKey', S($key), 'reason', S(rstr(20))) } ],
		[ 1, sub { O('type', S('PENDING_HOOK'), 'hookId', S(rstr(8)), 'stepKey', S('hook:' . rstr(8))) } ],
		[ 2, sub { gen_value(3) } ])->();
}

# One StepResult; $deep asks for a deeply nested value or cause chain.
sub gen_step
{
	my ($key, $deep) = @_;
	if (chance(0.65))
	{
		my @p = ('ok', T());
		if ($deep)
		{
			push @p, 'value', deep_value(50 + rint(450), pick('a', 'o', 'm'));
		}
		elsif (chance(0.9))
		{
			push @p, 'value', gen_value(1 + rint(4));
		}
		return O(@p);
	}
	my @p = ('ok', F(), 'error', gen_error($key),
		'cause', gen_cause($deep ? 50 + rint(250) : (chance(0.2) ? 1 + rint(3) : 0)));
	push @p, 'meta', O('origin', S(pick('result', 'throw'))) if chance(0.8);
	return O(@p);
}

sub shuffle_pairs
{
	my ($obj) = @_;
	my $list = $obj->[1];
	my $n    = @$list / 2;
	for (my $i = $n - 1; $i > 0; $i--)
	{
		my $j = rint($i + 1);
		@$list[ 2 * $i, 2 * $i + 1, 2 * $j, 2 * $j + 1 ] =
		  @$list[ 2 * $j, 2 * $j + 1, 2 * $i, 2 * $i + 1 ];
	}
	return $obj;
}

sub gen_steps
{
	my ($n, $deep, $unique) = @_;
	my @pairs;
	for my $i (1 .. $n)
	{
		my $key = $unique ? "s$i" . (chance(0.1) ? rstr(4) : '') : step_key();
		push @pairs, $key, gen_step($key, $deep && $i == 1);
	}
	return O(@pairs);
}

sub gen_execution
{
	my ($step_keys) = @_;
	my @p = ('status', S(pick('running', 'completed', 'failed')), 'lastUpdated', gen_iso());
	push @p, 'completedAt', gen_iso() if chance(0.3);
	push @p, 'currentStepId', S(@$step_keys ? pick(@$step_keys) : step_key()) if chance(0.4);
	return shuffle_pairs(O(@p));
}

sub gen_warnings
{
	my ($step_keys) = @_;
	return A(map {
		O('type', S('lossy_value'),
			'stepId', (chance(0.9) ? S(@$step_keys && chance(0.7) ? pick(@$step_keys) : step_key())
				: pick(N(1), Z(), T(), O(), A(S('a')))),
			'path', S(pick('value', 'value.x', "value[0]", rstr(8))),
			'reason', S(pick('non-json', 'circular', 'encode-failed')))
	} 1 .. rint(4));
}

sub step_keys_of
{
	my ($steps) = @_;
	my $list = $steps->[1];
	return [ map { $list->[ 2 * $_ ] } 0 .. @$list / 2 - 1 ];
}

# A well-formed awaitly snapshot; %opt: steps => n, unique => 1, deep => 1
sub gen_snapshot
{
	my (%opt) = @_;
	my $n = $opt{steps} // wpick([ 5, 0 ], [ 60, 1 + rint(5) ], [ 30, 6 + rint(15) ], [ 1, 50 + rint(150) ]);
	my $steps = gen_steps($n, $opt{deep}, $opt{unique});
	my $keys  = step_keys_of($steps);
	my @p = ('formatVersion', N(pick(@GOOD_FV)), 'steps', $steps, 'execution', gen_execution($keys));
	push @p, 'workflowName', S(pick('checkout', 'onboarding', rstr(15))) if chance(0.5);
	push @p, 'metadata', O('workflowId', S(rstr(12)), 'definitionHash', S(rstr(16)),
		(chance(0.5) ? ('input', gen_value(3)) : ()), 'version', N(1),
		(chance(0.3) ? (rstr(6), gen_value(2)) : ())) if chance(0.5);
	push @p, 'warnings', gen_warnings($keys) if chance(0.3);
	push @p, rstr(6), gen_value(2) if chance(0.1);    # unknown top-level key
	return shuffle_pairs(O(@p));
}

# What an engine hands to mergeSnapshots: a few steps, maybe the rest.
sub gen_delta
{
	my $steps = gen_steps(rint(4), 0, 0);
	my $keys  = step_keys_of($steps);
	my @p = ('steps', $steps);
	push @p, 'formatVersion', N(1)             if chance(0.5);
	push @p, 'execution', gen_execution($keys) if chance(0.8);
	push @p, 'metadata', O(pick('workflowId', 'extra', rstr(5)), gen_value(2),
		(chance(0.3) ? ('input', Z()) : ())) if chance(0.4);
	push @p, 'warnings', gen_warnings($keys) if chance(0.3);
	return shuffle_pairs(O(@p));
}

# ---------------------------------------------------------------------------
# Structural mutations.  A "slot" is a place holding a value: [list, index,
# depth] with the value at $list->[$index] (the root sits in a one-element
# holder).  Mutations pick slots near the root more often: that is where
# awaitly's rules and merge's refusals live.
# ---------------------------------------------------------------------------
my $huge_budget = 24;    # documents carrying a 64 kB .. 1 MB string or key

sub huge_string
{
	# mostly ASCII: escaping a megabyte of \u sequences in Perl is slow
	my $piece = ('0123456789abcdef' x (1 + rint(8))) . rstr(6) . 'x';
	my $len   = 65536 + rint(1 << 20);
	return substr($piece x (1 + int($len / length($piece))), 0, $len);
}

# Values that break a shape: every JSON type, empty containers, deep ones.
sub nasty
{
	return wpick(
		[ 3, sub { Z() } ],
		[ 1, sub { T() } ],
		[ 1, sub { F() } ],
		[ 2, sub { gen_number() } ],
		[ 1, sub { S('') } ],
		[ 2, sub { S(rstr(10)) } ],
		[ 2, sub { A() } ],
		[ 2, sub { O() } ],
		[ 1, sub { A(Z()) } ],
		[ 1, sub { A(O('ok', T())) } ],
		[ 1, sub { O('ok', T()) } ],
		[ 1, sub { deep_value(1 + rint(300), pick('a', 'o', 'm')) } ],
		[ 2, sub { gen_value(2) } ])->();
}

sub collect_slots
{
	my ($holder) = @_;
	my (@slots, @objects);
	my @todo = ([ $holder, 0, 0 ]);
	while (my $slot = pop @todo)
	{
		push @slots, $slot;
		my ($list, $i, $depth) = @$slot;
		my $v = $list->[$i];
		next unless is_container($v);
		my $inner = $v->[1];
		if ($v->[0] eq 'o')
		{
			push @objects, [ $v, $depth ];
			for (my $j = 1; $j < @$inner; $j += 2)
			{
				push @todo, [ $inner, $j, $depth + 1 ];
			}
		}
		else
		{
			push @todo, [ $inner, $_, $depth + 1 ] for 0 .. $#$inner;
		}
	}
	return (\@slots, \@objects);
}

sub pick_shallow
{
	my @items = @_;    # [thing, depth]
	my $max   = pick(1, 2, 2, 3, 3, 4, 1000);
	my @ok    = grep { $_->[-1] <= $max } @items;
	@ok = @items unless @ok;
	return pick(@ok);
}

sub delete_pair { my ($obj, $i) = @_; splice(@{ $obj->[1] }, $i, 2); }

# Apply one random mutation to the document in $holder->[0].
sub mutate_once
{
	my ($holder) = @_;
	my $doc = $holder->[0];
	my $root = $doc->[0] eq 'o' ? $doc : undef;
	my $op = wpick(
		[ 4, 'replace' ], [ 3, 'drop_key' ], [ 2, 'nullify' ], [ 2, 'swap_container' ],
		[ 2, 'dup_key' ], [ 1, 'rename_key' ], [ 4, 'root_field' ], [ 5, 'step' ],
		[ 2, 'execution' ], [ 2, 'format_version' ], [ 2, 'merge_shapes' ],
		[ 1, 'huge' ], [ 0.3, 'wrap_root' ]);

	if ($op eq 'wrap_root' || ($op =~ /^(root_field|step|execution|format_version|merge_shapes)$/ && !$root))
	{
		$holder->[0] = wpick([ 3, A($doc) ], [ 1, Z() ], [ 1, T() ], [ 1, N(pick(@NUMBERS)) ],
			[ 1, S(rstr(10)) ], [ 1, A() ], [ 1, O() ]);
		return;
	}
	if ($op eq 'root_field')
	{
		my $key = pick('formatVersion', 'steps', 'execution', 'metadata', 'warnings', 'workflowName');
		my $i = find_key($root, $key);
		my $how = pick('delete', 'replace', 'dup_after', 'dup_before');
		if ($how eq 'delete') { delete_pair($root, $i) if defined $i; }
		elsif ($how eq 'replace' && defined $i) { $root->[1][ $i + 1 ] = nasty(); }
		elsif ($how eq 'dup_before') { unshift @{ $root->[1] }, $key, nasty(); }
		else { push @{ $root->[1] }, $key, nasty(); }
		return;
	}
	if ($op eq 'format_version')
	{
		push @{ $root->[1] }, 'formatVersion', bad_fv();    # the last one wins
		return;
	}
	if ($op eq 'step')
	{
		my $si = find_key($root, 'steps');
		my $steps = defined $si ? $root->[1][ $si + 1 ] : undef;
		if (!$steps || $steps->[0] ne 'o' || !@{ $steps->[1] })
		{
			push @{ $root->[1] }, 'steps', O(step_key(), nasty());
			return;
		}
		my $k = 2 * rint(@{ $steps->[1] } / 2);
		my $step = $steps->[1][ $k + 1 ];
		my $how = pick('nasty', 'ok', 'ok', 'drop_ok', 'drop_error', 'drop_cause', 'fail_bare', 'array');
		if ($how eq 'nasty' || $step->[0] ne 'o') { $steps->[1][ $k + 1 ] = nasty(); }
		elsif ($how eq 'array') { $steps->[1][ $k + 1 ] = A(map { $step->[1][ 2 * $_ + 1 ] } 0 .. @{ $step->[1] } / 2 - 1); }
		elsif ($how eq 'ok') { push @{ $step->[1] }, 'ok', pick(S('true'), N(1), N(0), Z(), A(T()), O(), S('')); }
		elsif ($how eq 'fail_bare') { $steps->[1][ $k + 1 ] = O('ok', F(), (chance(0.5) ? ('error', gen_value(1)) : ()), (chance(0.3) ? ('cause', nasty()) : ())); }
		else
		{
			my $field = { drop_ok => 'ok', drop_error => 'error', drop_cause => 'cause' }->{$how};
			my $i = find_key($step, $field);
			delete_pair($step, $i) if defined $i;
			push @{ $step->[1] }, 'ok', F() if $field ne 'ok' && chance(0.7);
		}
		return;
	}
	if ($op eq 'execution')
	{
		my $ei = find_key($root, 'execution');
		my $exec = defined $ei ? $root->[1][ $ei + 1 ] : undef;
		if (!$exec || $exec->[0] ne 'o' || chance(0.25))
		{
			push @{ $root->[1] }, 'execution', pick(A(), A(O('status', S('running'))), Z(), S('running'), N(1), O());
			return;
		}
		my $field = pick('status', 'lastUpdated');
		my $i = find_key($exec, $field);
		if (chance(0.3)) { delete_pair($exec, $i) if defined $i; }
		else
		{
			push @{ $exec->[1] }, $field,
			  pick(S('Running'), S('done'), S(''), S('running '), N(1), Z(), T(), A(S('running')), O(), N('1700000000000'));
		}
		return;
	}
	if ($op eq 'merge_shapes')
	{
		my $key = pick('metadata', 'warnings', 'warnings', 'execution', 'steps');
		my $v = {
			metadata  => sub { pick(A(), A(N(1)), S('meta'), N(0), T(), F()) },
			warnings  => sub { pick(O(), S('w'), N(1), T(), A(Z()), A(O(), N(1)), A(S('x')), A(A())) },
			execution => sub { pick(A(), A(S('running')), S('running'), N(1), T()) },
			steps     => sub { pick(A(), A(O('ok', T())), Z(), S('steps'), N(1), F()) },
		}->{$key}->();
		push @{ $root->[1] }, $key, $v;
		return;
	}

	my ($slots, $objects) = collect_slots($holder);
	if ($op eq 'huge' && $huge_budget > 0)
	{
		$huge_budget--;
		my $obj = pick_shallow(@$objects);
		if ($obj && @{ $obj->[0][1] } && chance(0.5))
		{    # a huge key
			$obj->[0][1][ 2 * rint(@{ $obj->[0][1] } / 2) ] = huge_string();
		}
		else
		{
			my $slot = pick_shallow(grep { $_->[2] > 0 } @$slots) // $slots->[0];
			$slot->[0][ $slot->[1] ] = S(huge_string());
		}
		return;
	}
	if ($op =~ /^(drop_key|dup_key|rename_key)$/ && @$objects)
	{
		my ($obj) = @{ pick_shallow(@$objects) };
		my $list = $obj->[1];
		if (!@$list) { push @$list, step_key(), nasty(); return; }
		my $k = 2 * rint(@$list / 2);
		if ($op eq 'drop_key') { delete_pair($obj, $k); }
		elsif ($op eq 'dup_key')
		{
			if (chance(0.5)) { push @$list, $list->[$k], nasty(); }
			else { splice(@$list, $k, 0, $list->[$k], nasty()); }
		}
		else
		{
			my $key = $list->[$k];
			$list->[$k] = pick(ucfirst($key), lc($key) eq $key ? uc($key) : lc($key), "$key ", " $key", '', $key . "\x{200B}");
		}
		return;
	}
	my $slot = pick_shallow(@$slots);
	my ($list, $i) = @$slot;
	my $v = $list->[$i];
	if ($op eq 'nullify') { $list->[$i] = Z(); }
	elsif ($op eq 'swap_container' && $v->[0] eq 'o')
	{
		$list->[$i] = A(map { $v->[1][ 2 * $_ + 1 ] } 0 .. @{ $v->[1] } / 2 - 1);
	}
	elsif ($op eq 'swap_container' && $v->[0] eq 'a')
	{
		$list->[$i] = O(map { ($_, $v->[1][$_]) } 0 .. $#{ $v->[1] });
	}
	else { $list->[$i] = nasty(); }
	return;
}

sub gen_mutant
{
	my $holder = [ chance(0.75) ? gen_snapshot() : gen_delta() ];
	mutate_once($holder) for 1 .. wpick([ 6, 1 ], [ 3, 2 ], [ 2, 3 ], [ 1, 5 ]);
	return $holder->[0];
}

# ---------------------------------------------------------------------------
# The document set
# ---------------------------------------------------------------------------
my @docs;    # [kind, json text as bytes]

sub add_doc { push @docs, [ $_[0], $_[1] ]; }

# Hand-picked edge cases (literal JSON text).
my $EXEC = '"execution":{"status":"running","lastUpdated":"2024-01-01T00:00:00.000Z"}';
add_doc('edge', $_) for (
	'null', 'true', 'false', '0', '-0', '1', '1e400', '-1e-400', '""', '"x"',
	'"{\"formatVersion\":1}"', '[]', '{}', '[1]', '[{}]', '[null]', '[[[]]]',
	qq([{"formatVersion":1,"steps":{},$EXEC}]),
	'{"formatVersion":1}', '{"steps":{}}', '{"execution":{}}', '{"steps":null}',
	'{"steps":[]}', '{"steps":{},"execution":[]}', '{"steps":{},"warnings":[]}',
	'{"steps":{},"warnings":[null]}', '{"steps":{},"warnings":[1]}',
	'{"steps":{},"warnings":{}}', '{"steps":{},"metadata":[]}',
	'{"steps":{},"metadata":"m"}', '{"steps":{},"metadata":null,"warnings":null,"execution":null}',
	'{"steps":{"a":{"ok":true}},"warnings":[{"stepId":"a"},{"stepId":"b"},{}]}',
	'{"steps":{"undefined":1,"1":2,"null":3},"warnings":[{},{"stepId":1},{"stepId":null},{"stepId":[1]}]}',
	qq({"formatVersion":1,"steps":{},$EXEC}),
	qq({"formatVersion":1,"steps":[],$EXEC}),
	'{"formatVersion":1,"steps":[],"execution":[]}',
	'{"formatVersion":1,"steps":{},"execution":null}',
	'{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":""}}',
	'{"formatVersion":1,"steps":{},"execution":{"status":null,"lastUpdated":null}}',
	'{"formatVersion":1,"steps":{},"execution":{"status":"RUNNING","lastUpdated":1}}',
	qq({"formatVersion":1,"steps":[{"ok":true},{"ok":false},null,[],{"ok":1}],$EXEC}),
	qq({"formatVersion":1,"steps":{"":{"ok":false}},$EXEC}),
	qq({"formatVersion":1,"steps":{"a\\"b":1,"%s%n":2,"\\u00e9":3,"\\ud83d\\ude80":4},$EXEC}),
	qq({"formatVersion":"1","steps":{},$EXEC}),
	qq({"formatVersion":[1],"steps":{},$EXEC}),
	qq({"formatVersion":[[1,[2.50]],null,{}],"steps":{},$EXEC}),
	qq({"formatVersion":{},"steps":{},$EXEC}),
	qq({"formatVersion":1.0000000000000001,"steps":{},$EXEC}),
	qq({"formatVersion":0.99999999999999999,"steps":{},$EXEC}),
	qq({"formatVersion":1.0000000000000002,"steps":{},$EXEC}),
	qq({"formatVersion":1e400,"steps":{},$EXEC}),
	qq({"formatVersion":1e-400,"steps":{},$EXEC}),
	qq({"formatVersion":-0,"steps":{},$EXEC}),
	qq({"formatVersion":1e21,"steps":{},$EXEC}),
	qq({"formatVersion":0.0000001,"steps":{},$EXEC}),
	qq({"formatVersion":2,"formatVersion":1,"steps":{},$EXEC}),
	qq({"formatVersion":1,"formatVersion":2,"steps":{},$EXEC}),
	qq({"formatVersion":1,"steps":{"a":{"ok":true}},"steps":{"a":{"ok":"x"}},$EXEC}),
	qq({"formatVersion":1,"steps":{"a":{"ok":false,"error":null,"cause":null}},$EXEC}),
	qq({"formatVersion":1,"steps":{"a":{"ok":false,"error":{"type":"PENDING_APPROVAL","stepKey":"a"},"cause":{"type":"error","name":"E","message":"m","cause":{"type":"thrown","stringRepresentation":"x","truncated":false}},"meta":{"origin":"elsewhere"}}},$EXEC,"warnings":[{"type":"lossy_value","stepId":"a","path":"value","reason":"circular"}]}),
);

# Texts jsonb must refuse before our code runs (22P02 / 22P05).
add_doc('bad_text', $_) for (
	'{"a":"\u0000"}', '"\ud800"', '"\udc00x"', '{"a":"\ud83dx"}', '{"formatVersion":1,',
	'{} x', 'NaN', '{"a":Infinity}', "{'a':1}", '{"a":1 /* c */}', '[01]', '[+1]',
	'[.5]', '[1.]', '[0x10]', '', '{"a" 1}');

# Absurdly deep nesting (documented exception: these alone may raise 54001,
# at the cast or inside our functions).  Depths around the parser's limit
# and far beyond it.
for my $depth (3000, 9000, 20000, 100000)
{
	add_doc('absurd', qq({"formatVersion":) . ('[' x $depth) . '1' . (']' x $depth) . qq(,"steps":{},$EXEC}));
	# (no 9000-deep cause chain: strict wf_validate builds every level's
	# path string, about 290 MB at that depth; see the report of this test)
	add_doc('absurd', qq({"formatVersion":1,$EXEC,"steps":{"a":{"ok":false,"error":1,"cause":)
		  . ('{"type":"error","name":"n","message":"m","cause":' x $depth) . '{"type":"x"}' . ('}' x $depth) . '}}}')
	  unless $depth == 9000;
	add_doc('absurd', qq({"formatVersion":1,$EXEC,"steps":{"a":{"ok":true,"value":) . ('{"v":[' x $depth) . '0' . (']}' x $depth) . '}}}');
	add_doc('absurd', ('[' x $depth) . (']' x $depth));
}

# Random documents: snapshots, deltas, big ones, deep ones, then mutants.
add_doc('snapshot', to_json(gen_snapshot())) for 1 .. 3300;
add_doc('snapshot', to_json(gen_snapshot(deep => 1, steps => 1 + rint(3)))) for 1 .. 60;
add_doc('many_steps', to_json(gen_snapshot(steps => 1000 + rint(4000), unique => 1))) for 1 .. 8;
add_doc('delta', to_json(gen_delta())) for 1 .. 1100;
add_doc('mutant', to_json(gen_mutant())) for 1 .. 6200;

my %by_kind;
$by_kind{ $_->[0] }++ for @docs;
note(sprintf('generated %d documents (%s) in %.1fs', scalar @docs,
		join(', ', map { "$_ $by_kind{$_}" } sort keys %by_kind), time - $t_start));

# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------
my $node = PostgreSQL::Test::Cluster->new('fuzz');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf', 'log_statement = none');    # keep the log readable
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

my $start_time = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
my $log_offset = -s $node->logfile;

# A session that must survive the whole run: a backend crash would make the
# postmaster terminate every other backend (and, with the TAP default
# restart_after_crash = off, shut down).
my $watch = $node->background_psql('postgres');
my $watch_pid = $watch->query_safe('SELECT pg_backend_pid()');

# ---------------------------------------------------------------------------
# Load: one COPY for every document, then a per-row cast that records the
# SQLSTATE of documents jsonb itself refuses.
# ---------------------------------------------------------------------------
sub copy_escape
{
	my ($s) = @_;
	$s =~ s/\\/\\\\/g;
	$s =~ s/\n/\\n/g;
	$s =~ s/\r/\\r/g;
	$s =~ s/\t/\\t/g;
	return $s;
}

my $copy = "SET client_encoding = 'UTF8';\n"
  . "CREATE SCHEMA fuzz;\n"
  . "CREATE TABLE fuzz.src (id int PRIMARY KEY, kind text NOT NULL, txt text NOT NULL);\n"
  . "COPY fuzz.src FROM STDIN;\n"
  . join('', map { ($_ + 1) . "\t$docs[$_][0]\t" . copy_escape($docs[$_][1]) . "\n" } 0 .. $#docs)
  . "\\.\n";
my ($ret, $out, $err) = $node->psql('postgres', $copy);
is($ret, 0, 'documents loaded with COPY') or diag($err);
undef $copy;

my $setup = <<'SQL';
CREATE TABLE fuzz.docs (id int PRIMARY KEY, kind text NOT NULL, doc jsonb,
                        cast_state text NOT NULL);
DO $$
DECLARE
    r  record;
    d  jsonb;
    st text;
BEGIN
    FOR r IN SELECT id, kind, txt FROM fuzz.src ORDER BY id LOOP
        BEGIN
            d := r.txt::jsonb;
            st := '00000';
        EXCEPTION WHEN OTHERS THEN
            d := NULL;
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
        END;
        INSERT INTO fuzz.docs VALUES (r.id, r.kind, d, st);
    END LOOP;
END
$$;

-- One row per function call: which function, on which document(s), and the
-- SQLSTATE it ended with ('00000' = returned normally).
CREATE TABLE fuzz.calls (fn text NOT NULL, id int NOT NULL, id2 int,
                         state text NOT NULL, msg text);
-- Invariants that did not hold, with the documents involved.
CREATE TABLE fuzz.violations (invariant text NOT NULL, id int NOT NULL,
                              id2 int, detail text);

-- The SQLSTATEs each function may end with.  Validation never raises;
-- wf_assert_valid raises 22023; merge raises 22023 for refused shapes and
-- 54000 for an oversized result.  54001 (stack depth) is added below for
-- kind 'absurd' only.
CREATE TABLE fuzz.allowed (fn text NOT NULL, state text NOT NULL);
INSERT INTO fuzz.allowed VALUES
    ('wf_validate(d)', '00000'),
    ('wf_validate(d,true)', '00000'),
    ('wf_is_valid(d)', '00000'),
    ('wf_is_valid(d,true)', '00000'),
    ('wf_looks_like_snapshot(d)', '00000'),
    ('wf_assert_valid(d)', '00000'), ('wf_assert_valid(d)', '22023'),
    ('wf_merge_snapshots(a,b)', '00000'), ('wf_merge_snapshots(a,b)', '22023'),
    ('wf_merge_snapshots(a,b)', '54000'),
    ('wf_validate(merged,true)', '00000'),
    ('wf_merge_snapshots(merged,merged)', '00000'),
    ('wf_merge_snapshots(merged,merged)', '54000');

-- Merge pairs over the documents that are jsonb: each with itself, with
-- its neighbour, and with a scattered partner.
CREATE TABLE fuzz.pairs (pairing text NOT NULL, a int NOT NULL, b int NOT NULL);
WITH ok AS (SELECT id, row_number() OVER (ORDER BY id) AS rn, count(*) OVER () AS n
            FROM fuzz.docs WHERE doc IS NOT NULL)
INSERT INTO fuzz.pairs
SELECT 'self', x.id, x.id FROM ok x
UNION ALL
SELECT 'neighbour', x.id, y.id FROM ok x JOIN ok y ON y.rn = x.rn % x.n + 1
UNION ALL
SELECT 'scatter', x.id, y.id FROM ok x JOIN ok y ON y.rn = (x.rn * 7919 + 13) % x.n + 1;

---------------------------------------------------------------------------
-- Reference statements of the contract, written independently in SQL
---------------------------------------------------------------------------

-- JavaScript's "v === 1" after JSON.parse: the number rounded to a double.
-- float8in uses strtod like the C code; it refuses what overflows or
-- underflows, and none of that is 1.
CREATE FUNCTION fuzz.is_js_one(v jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN jsonb_typeof(v) = 'number' AND (v::text)::float8 = 1;
EXCEPTION WHEN numeric_value_out_of_range THEN
    RETURN false;
END
$$;

-- JavaScript's String(v) where it is easy to state; NULL where this test
-- does not model it (non-integer numbers, arrays).
CREATE FUNCTION fuzz.js_string(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE jsonb_typeof(v)
        WHEN 'string' THEN v #>> '{}'
        WHEN 'null' THEN 'null'
        WHEN 'boolean' THEN v::text
        WHEN 'object' THEN '[object Object]'
        WHEN 'number' THEN CASE WHEN v::text ~ '^-?[0-9]{1,15}$'
                                THEN ((v::text)::numeric)::text END
    END
$$;

-- awaitly's looksLikeWorkflowSnapshot
CREATE FUNCTION fuzz.oracle_looks_like(d jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_typeof(d) = 'object'
       AND d ? 'formatVersion' AND fuzz.is_js_one(d->'formatVersion')
       AND coalesce(jsonb_typeof(d->'steps') IN ('object', 'array'), false)
       AND coalesce(jsonb_typeof(d->'execution') IN ('object', 'array', 'null'), false)
$$;

CREATE FUNCTION fuzz.oracle_step(k text, s jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    m text[] := '{}';
BEGIN
    IF jsonb_typeof(s) NOT IN ('object', 'array') THEN
        RETURN ARRAY[format('steps["%s"] must be an object', k)];
    END IF;
    IF jsonb_typeof(s) = 'array' OR NOT s ? 'ok' THEN
        RETURN ARRAY[format('steps["%s"] missing required field: ok', k)];
    END IF;
    IF jsonb_typeof(s->'ok') <> 'boolean' THEN
        RETURN ARRAY[format('steps["%s"].ok must be a boolean', k)];
    END IF;
    IF (s->'ok')::boolean THEN
        RETURN m;
    END IF;
    IF NOT s ? 'error' THEN
        m := m || format('steps["%s"] is error result but missing error field', k);
    END IF;
    IF NOT s ? 'cause' THEN
        m := m || format('steps["%s"] is error result but missing cause field', k);
    END IF;
    RETURN m;
END
$$;

-- awaitly's validateSnapshot, message by message.  A formatVersion whose
-- String() is not modelled yields the marker below, matched by prefix.
CREATE FUNCTION fuzz.oracle_messages(d jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    m text[] := '{}';
    s jsonb;
    e jsonb;
    r record;
BEGIN
    IF jsonb_typeof(d) NOT IN ('object', 'array') THEN
        RETURN ARRAY['Snapshot must be an object'];
    END IF;
    IF jsonb_typeof(d) = 'array' THEN    -- an array has no named keys
        RETURN ARRAY['Missing required field: formatVersion',
                     'Missing required field: steps',
                     'Missing required field: execution'];
    END IF;

    IF NOT d ? 'formatVersion' THEN
        m := m || 'Missing required field: formatVersion'::text;
    ELSIF NOT fuzz.is_js_one(d->'formatVersion') THEN
        m := m || coalesce('Invalid formatVersion: expected 1, got '
                           || fuzz.js_string(d->'formatVersion'),
                           '<formatVersion X not modelled>');
    END IF;

    s := d->'steps';
    IF NOT d ? 'steps' THEN
        m := m || 'Missing required field: steps'::text;
    ELSIF jsonb_typeof(s) = 'object' THEN
        FOR r IN SELECT key, value FROM jsonb_each(s) LOOP
            m := m || fuzz.oracle_step(r.key, r.value);
        END LOOP;
    ELSIF jsonb_typeof(s) = 'array' THEN
        FOR r IN SELECT (o - 1)::text AS key, value
                 FROM jsonb_array_elements(s) WITH ORDINALITY AS t(value, o) ORDER BY o LOOP
            m := m || fuzz.oracle_step(r.key, r.value);
        END LOOP;
    ELSE
        m := m || 'steps must be an object'::text;
    END IF;

    e := d->'execution';
    IF NOT d ? 'execution' THEN
        m := m || 'Missing required field: execution'::text;
    ELSIF jsonb_typeof(e) NOT IN ('object', 'array') THEN
        m := m || 'execution must be an object'::text;
    ELSE
        IF jsonb_typeof(e) = 'array' OR NOT e ? 'status' THEN
            m := m || 'execution missing required field: status'::text;
        ELSIF e->'status' NOT IN ('"running"', '"completed"', '"failed"') THEN
            m := m || 'execution.status must be one of: running, completed, failed'::text;
        END IF;
        IF jsonb_typeof(e) = 'array' OR NOT e ? 'lastUpdated' THEN
            m := m || 'execution missing required field: lastUpdated'::text;
        ELSIF jsonb_typeof(e->'lastUpdated') <> 'string' THEN
            m := m || 'execution.lastUpdated must be a string (ISO timestamp)'::text;
        END IF;
    END IF;
    RETURN m;
END
$$;

CREATE FUNCTION fuzz.messages_match(got text[], want text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT cardinality(got) = cardinality(want)
       AND NOT EXISTS (
           SELECT 1 FROM generate_subscripts(want, 1) i
           WHERE got[i] IS DISTINCT FROM want[i]
             AND NOT (want[i] = '<formatVersion X not modelled>'
                      AND starts_with(got[i], 'Invalid formatVersion: expected 1, got ')))
$$;

-- Would merge accept this side?  (Spec: an object root; steps an object;
-- metadata absent/null/object; warnings absent/null/array of objects; for
-- the delta also execution absent/null/object.)
CREATE FUNCTION fuzz.merge_side_ok(d jsonb, is_delta boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_typeof(d) = 'object'
       AND coalesce(jsonb_typeof(d->'steps') = 'object', false)
       AND (NOT is_delta OR coalesce(jsonb_typeof(d->'execution'), 'null') IN ('null', 'object'))
       AND coalesce(jsonb_typeof(d->'metadata'), 'null') IN ('null', 'object')
       AND CASE coalesce(jsonb_typeof(d->'warnings'), 'null')
               WHEN 'null' THEN true
               WHEN 'array' THEN NOT EXISTS (
                   SELECT 1 FROM jsonb_array_elements(d->'warnings') w
                   WHERE jsonb_typeof(w) <> 'object')
               ELSE false
           END
$$;

-- Everything a successful merge result must satisfy; returns the names of
-- the properties that do not hold.
CREATE FUNCTION fuzz.merge_violations(base jsonb, delta jsonb, res jsonb)
RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    bad  text[] := '{}';
    bm   jsonb := CASE WHEN jsonb_typeof(base->'metadata') = 'object' THEN base->'metadata' END;
    dm   jsonb := CASE WHEN jsonb_typeof(delta->'metadata') = 'object' THEN delta->'metadata' END;
    bw   jsonb := CASE WHEN jsonb_typeof(base->'warnings') = 'array' THEN base->'warnings' ELSE '[]' END;
    dw   jsonb := CASE WHEN jsonb_typeof(delta->'warnings') = 'array' THEN delta->'warnings' ELSE '[]' END;
    -- (bound once: "res->'steps'" inside a per-step query would copy the
    -- whole steps object for every step)
    bs   jsonb := base->'steps';
    ds   jsonb := delta->'steps';
    rs   jsonb := res->'steps';
    kept jsonb;
    unmodelled boolean;
BEGIN
    -- the result is built byte by byte in C: it must read back as itself
    IF (res::text)::jsonb IS DISTINCT FROM res THEN
        bad := bad || 'result survives a text round trip'::text;
    END IF;
    IF jsonb_typeof(res) <> 'object' OR EXISTS (
           SELECT 1 FROM jsonb_object_keys(res) k
           WHERE k NOT IN ('formatVersion', 'steps', 'execution', 'metadata', 'warnings')) THEN
        bad := bad || 'only known top-level keys'::text;
    END IF;
    IF res->'formatVersion' IS DISTINCT FROM '1'::jsonb THEN
        bad := bad || 'formatVersion is 1'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_each(ds) e WHERE rs->e.key IS DISTINCT FROM e.value) THEN
        bad := bad || 'every delta step verbatim'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_each(bs) e
               WHERE NOT ds ? e.key AND rs->e.key IS DISTINCT FROM e.value) THEN
        bad := bad || 'every other base step verbatim'::text;
    END IF;
    IF (SELECT count(*) FROM jsonb_object_keys(rs)) <>
       (SELECT count(*) FROM (SELECT jsonb_object_keys(bs)
                              UNION SELECT jsonb_object_keys(ds)) u) THEN
        bad := bad || 'no other steps'::text;
    END IF;
    IF res->'execution' IS DISTINCT FROM
       (CASE WHEN jsonb_typeof(delta->'execution') = 'object' THEN delta->'execution'
             ELSE '{}' END) THEN
        bad := bad || 'execution is the delta''s'::text;
    END IF;
    IF res->'metadata' IS DISTINCT FROM
       (CASE WHEN bm IS NOT NULL OR dm IS NOT NULL
             THEN coalesce(bm, '{}') || coalesce(dm, '{}') END) THEN
        bad := bad || 'metadata is the shallow merge'::text;
    END IF;
    -- warnings: base's whose String(stepId) is not a delta step, then delta's
    SELECT coalesce(jsonb_agg(w ORDER BY o) FILTER (
               WHERE NOT ds ?
                     CASE WHEN w ? 'stepId' THEN fuzz.js_string(w->'stepId') ELSE 'undefined' END),
               '[]'),
           coalesce(bool_or(w ? 'stepId' AND fuzz.js_string(w->'stepId') IS NULL), false)
      INTO kept, unmodelled
      FROM jsonb_array_elements(bw) WITH ORDINALITY AS t(w, o);
    IF NOT unmodelled AND coalesce(res->'warnings', '[]') IS DISTINCT FROM kept || dw THEN
        bad := bad || 'warnings filtered and appended'::text;
    END IF;
    IF res->'warnings' = '[]' THEN
        bad := bad || 'warnings absent when empty'::text;
    END IF;
    RETURN bad;
END
$$;
SQL
($ret, $out, $err) = $node->psql('postgres', $setup);
is($ret, 0, 'documents cast to jsonb; helpers created') or diag($err);

# ---------------------------------------------------------------------------
# The four function families.  Each call sits in its own BEGIN ... EXCEPTION
# block so that an error is recorded and the run goes on.
# ---------------------------------------------------------------------------
my $families = <<'SQL';
-- wf_validate and wf_is_valid, both modes
CREATE TABLE fuzz.vres (id int PRIMARY KEY, v text[], vs text[], iv boolean, ivs boolean);
DO $$
DECLARE
    r   record;
    v   text[];
    vs  text[];
    iv  boolean;
    ivs boolean;
    st  text;
    m   text;
BEGIN
    FOR r IN SELECT id, doc FROM fuzz.docs WHERE doc IS NOT NULL ORDER BY id LOOP
        BEGIN
            v := workflow_persist.wf_validate(r.doc); st := '00000'; m := NULL;
        EXCEPTION WHEN OTHERS THEN
            v := NULL; GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_validate(d)', r.id, NULL, st, m);
        BEGIN
            vs := workflow_persist.wf_validate(r.doc, true); st := '00000'; m := NULL;
        EXCEPTION WHEN OTHERS THEN
            vs := NULL; GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_validate(d,true)', r.id, NULL, st, m);
        BEGIN
            iv := workflow_persist.wf_is_valid(r.doc); st := '00000'; m := NULL;
        EXCEPTION WHEN OTHERS THEN
            iv := NULL; GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_is_valid(d)', r.id, NULL, st, m);
        BEGIN
            ivs := workflow_persist.wf_is_valid(r.doc, true); st := '00000'; m := NULL;
        EXCEPTION WHEN OTHERS THEN
            ivs := NULL; GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_is_valid(d,true)', r.id, NULL, st, m);
        INSERT INTO fuzz.vres VALUES (r.id, v, vs, iv, ivs);
    END LOOP;
END
$$;

-- wf_looks_like_snapshot
CREATE TABLE fuzz.lres (id int PRIMARY KEY, ll boolean);
DO $$
DECLARE
    r  record;
    ll boolean;
    st text;
    m  text;
BEGIN
    FOR r IN SELECT id, doc FROM fuzz.docs WHERE doc IS NOT NULL ORDER BY id LOOP
        BEGIN
            ll := workflow_persist.wf_looks_like_snapshot(r.doc); st := '00000'; m := NULL;
        EXCEPTION WHEN OTHERS THEN
            ll := NULL; GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_looks_like_snapshot(d)', r.id, NULL, st, m);
        INSERT INTO fuzz.lres VALUES (r.id, ll);
    END LOOP;
END
$$;

-- wf_assert_valid: did it return its input, or how did it fail
CREATE TABLE fuzz.ares (id int PRIMARY KEY, state text, same boolean, msg text, detail text);
DO $$
DECLARE
    r   record;
    res jsonb;
    st  text;
    m   text;
    det text;
BEGIN
    FOR r IN SELECT id, doc FROM fuzz.docs WHERE doc IS NOT NULL ORDER BY id LOOP
        BEGIN
            res := workflow_persist.wf_assert_valid(r.doc); st := '00000'; m := NULL; det := NULL;
        EXCEPTION WHEN OTHERS THEN
            res := NULL;
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_assert_valid(d)', r.id, NULL, st, m);
        INSERT INTO fuzz.ares VALUES (r.id, st, res = r.doc, m, det);
    END LOOP;
END
$$;

-- wf_merge_snapshots on every pair; a result is checked on the spot
-- (fuzz.merge_violations) and fed back into wf_validate and merged with
-- itself, so that the hand-built jsonb is read by our own code too.
CREATE TABLE fuzz.mres (pairing text, a int, b int, state text, expected_ok boolean,
                        self_steps_equal boolean);
DO $$
DECLARE
    r    record;
    res  jsonb;
    res2 jsonb;
    v    text[];
    bad  text[];
    st   text;
    m    text;
BEGIN
    FOR r IN SELECT p.pairing, p.a, p.b, x.doc AS base, y.doc AS delta
             FROM fuzz.pairs p JOIN fuzz.docs x ON x.id = p.a JOIN fuzz.docs y ON y.id = p.b
             ORDER BY p.a, p.pairing LOOP
        BEGIN
            res := workflow_persist.wf_merge_snapshots(r.base, r.delta); st := '00000'; m := NULL;
        EXCEPTION WHEN OTHERS THEN
            res := NULL; GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_merge_snapshots(a,b)', r.a, r.b, st, m);
        INSERT INTO fuzz.mres VALUES (r.pairing, r.a, r.b, st,
            fuzz.merge_side_ok(r.base, false) AND fuzz.merge_side_ok(r.delta, true),
            CASE WHEN res IS NOT NULL AND r.pairing = 'self'
                 THEN res->'steps' = r.base->'steps' END);
        CONTINUE WHEN res IS NULL;

        BEGIN
            v := workflow_persist.wf_validate(res, true); st := '00000'; m := NULL;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_validate(merged,true)', r.a, r.b, st, m);
        BEGIN
            res2 := workflow_persist.wf_merge_snapshots(res, res); st := '00000'; m := NULL;
            -- (warnings may legitimately repeat: base warnings whose stepId
            -- names no step are kept and appended again)
            IF res2 - 'warnings' IS DISTINCT FROM res - 'warnings' THEN
                INSERT INTO fuzz.violations VALUES ('merge(r, r) = r for a merge result r', r.a, r.b, NULL);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
        END;
        INSERT INTO fuzz.calls VALUES ('wf_merge_snapshots(merged,merged)', r.a, r.b, st, m);

        BEGIN
            bad := fuzz.merge_violations(r.base, r.delta, res);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
            bad := ARRAY['checking the merge result raised ' || st || ': ' || left(m, 200)];
        END;
        INSERT INTO fuzz.violations SELECT 'merge: ' || b, r.a, r.b, NULL FROM unnest(bad) b;
    END LOOP;
END
$$;
SQL
my $t_calls = time;
($ret, $out, $err) = $node->psql('postgres', $families);
is($ret, 0, 'all four function families ran to the end') or diag($err);
note(sprintf('function calls took %.1fs', time - $t_calls));

# ---------------------------------------------------------------------------
# Invariants over the recorded results (rows where a call failed are left
# to the SQLSTATE check).
# ---------------------------------------------------------------------------
my $invariants = <<'SQL';
INSERT INTO fuzz.violations (invariant, id, detail)
SELECT inv, id, detail FROM (
    SELECT d.id, v.v::text AS detail, x.inv
    FROM fuzz.docs d
    JOIN fuzz.vres v USING (id)
    JOIN fuzz.lres l USING (id)
    JOIN fuzz.ares a USING (id)
    CROSS JOIN LATERAL (VALUES
        ('wf_is_valid(d) = (cardinality(wf_validate(d)) = 0)',
         v.iv IS DISTINCT FROM (cardinality(v.v) = 0)),
        ('wf_is_valid(d,true) = (cardinality(wf_validate(d,true)) = 0)',
         v.ivs IS DISTINCT FROM (cardinality(v.vs) = 0)),
        ('wf_is_valid(d,true) implies wf_is_valid(d)',
         v.ivs AND NOT v.iv),
        ('strict messages start with the default ones',
         v.vs[1:cardinality(v.v)] IS DISTINCT FROM v.v),
        ('wf_assert_valid(d) succeeds iff wf_is_valid(d)',
         (a.state = '00000') IS DISTINCT FROM v.iv),
        ('wf_assert_valid(d) returns d',
         a.state = '00000' AND a.same IS NOT TRUE),
        ('wf_assert_valid error = first message, DETAIL = all messages',
         a.state = '22023' AND (a.msg IS DISTINCT FROM 'invalid snapshot format: ' || v.v[1]
                                OR a.detail IS DISTINCT FROM array_to_string(v.v, E'\n'))),
        ('wf_is_valid(d) implies wf_looks_like_snapshot(d)',
         v.iv AND NOT l.ll),
        ('wf_looks_like_snapshot agrees with the spec',
         l.ll IS DISTINCT FROM fuzz.oracle_looks_like(d.doc)),
        ('wf_validate(d) messages agree with the spec',
         NOT fuzz.messages_match(v.v, fuzz.oracle_messages(d.doc)))
    ) AS x(inv, failed)
    WHERE v.v IS NOT NULL AND v.vs IS NOT NULL AND v.iv IS NOT NULL
      AND v.ivs IS NOT NULL AND l.ll IS NOT NULL AND a.state IN ('00000', '22023')
      AND x.failed
) s;

-- merge refuses exactly the shapes the spec says it refuses
INSERT INTO fuzz.violations (invariant, id, id2, detail)
SELECT 'wf_merge_snapshots succeeds iff both shapes are acceptable', a, b, state
FROM fuzz.mres
WHERE state IN ('00000', '22023') AND (state = '00000') IS DISTINCT FROM expected_ok;

-- merging a snapshot with itself gives back its steps
INSERT INTO fuzz.violations (invariant, id, id2)
SELECT 'merge(d, d) keeps the steps of d', a, b
FROM fuzz.mres WHERE pairing = 'self' AND state = '00000' AND self_steps_equal IS NOT TRUE;
SQL
($ret, $out, $err) = $node->psql('postgres', $invariants);
is($ret, 0, 'invariants evaluated') or diag($err);

# ---------------------------------------------------------------------------
# No crash, checked first because it needs no working server: no crash
# lines in the server log, the server still answers, the postmaster never
# restarted, and the session opened before the run is still the same
# backend.  If the server is gone the remaining checks cannot run; the log
# lines above name the statement that was running.
# ---------------------------------------------------------------------------
my $log = slurp_file($node->logfile, $log_offset);
my @crash_lines = grep {
	/terminated by signal|server process .* (was terminated|exited with)|PANIC|all server processes terminated|database system was interrupted|Failed process was running/
} split /\n/, $log;
is(scalar @crash_lines, 0, 'the server log has no crash lines')
  or diag(join("\n", map { substr($_, 0, 500) } @crash_lines[ 0 .. ($#crash_lines < 19 ? $#crash_lines : 19) ]));

($ret, $out) = $node->psql('postgres', 'SELECT 1');
if (!is($out, '1', 'the server still answers'))
{
	diag("server log tail:\n" . substr($log, -3000));
	done_testing();
	exit;
}
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$start_time, 'the postmaster never restarted');
my $watch_pid_after = eval { $watch->query_safe('SELECT pg_backend_pid()') };
is($watch_pid_after, $watch_pid,
	'a session opened before the run is still connected to the same backend');
eval { $watch->quit };

# ---------------------------------------------------------------------------
# Assertions
# ---------------------------------------------------------------------------
sub query { return $node->safe_psql('postgres', $_[0]); }

my $n_docs = query('SELECT count(*) FROM fuzz.docs WHERE doc IS NOT NULL');
cmp_ok($n_docs, '>=', 10_000, "at least 10,000 documents reached the functions ($n_docs)");

# documents jsonb refuses fail at the cast, and only those
is( query(q{SELECT string_agg(format('%s (%s): %s', id, kind, cast_state), ', ' ORDER BY id)
	FROM fuzz.docs
	WHERE CASE kind WHEN 'bad_text' THEN cast_state NOT IN ('22P02', '22P05')
	                WHEN 'absurd' THEN cast_state NOT IN ('00000', '54001')
	                ELSE cast_state <> '00000' END}),
	'', 'only the bad_text documents (and absurdly deep ones) fail the jsonb cast');

my %calls = map { split /\|/ } split /\n/,
  query('SELECT fn, count(*) FROM fuzz.calls GROUP BY fn ORDER BY fn');
for my $fn ('wf_validate(d)', 'wf_validate(d,true)', 'wf_is_valid(d)', 'wf_is_valid(d,true)',
	'wf_looks_like_snapshot(d)', 'wf_assert_valid(d)')
{
	is($calls{$fn} // 0, $n_docs, "$fn called on every document");
}
my $n_pairs = query('SELECT count(*) FROM fuzz.pairs');
is($calls{'wf_merge_snapshots(a,b)'} // 0, $n_pairs, "wf_merge_snapshots called on every pair ($n_pairs)");
cmp_ok($calls{'wf_validate(merged,true)'} // 0, '>', 1000, 'many merge results fed back into wf_validate');

diag("calls and SQLSTATEs per function:\n"
	  . query(q{SELECT format('  %-36s %s', fn, string_agg(state || ' x' || n, ', ' ORDER BY state))
		FROM (SELECT fn, state, count(*) AS n FROM fuzz.calls GROUP BY fn, state) s
		GROUP BY fn ORDER BY fn}));

# every call ended normally or with an allowed SQLSTATE
my $offenders = query(q{
	SELECT format(E'%s on %s%s (%s): %s %s\n    doc: %s', c.fn, c.id, coalesce(', ' || c.id2, ''),
	              d.kind, c.state, left(c.msg, 200), left(s.txt, 400))
	FROM fuzz.calls c JOIN fuzz.docs d USING (id) JOIN fuzz.src s USING (id)
	WHERE NOT EXISTS (SELECT 1 FROM fuzz.allowed a WHERE a.fn = c.fn AND a.state = c.state)
	  AND NOT (c.state = '54001' AND (d.kind = 'absurd'
	           OR (SELECT kind FROM fuzz.docs WHERE id = c.id2) = 'absurd'))
	ORDER BY c.fn, c.id, c.id2 LIMIT 20});
ok($offenders eq '', 'every call returned or raised an allowed SQLSTATE')
  or diag("offending calls (first 20):\n$offenders");

# the invariants
my $violations = query(q{
	SELECT format(E'%s: %s%s %s\n    doc: %s', v.invariant, v.id, coalesce(', ' || v.id2, ''),
	              left(coalesce(v.detail, ''), 300), left(s.txt, 400))
	FROM fuzz.violations v JOIN fuzz.src s USING (id)
	ORDER BY v.invariant, v.id, v.id2 LIMIT 20});
ok($violations eq '', 'all invariants hold')
  or diag("violations (first 20):\n$violations\nby invariant:\n"
	  . query('SELECT invariant, count(*) FROM fuzz.violations GROUP BY 1 ORDER BY 1'));

# the interesting cases were actually exercised
my ($n_valid, $n_invalid, $n_strict_only, $n_self_valid, $n_refused) = split /\|/, query(q{
	SELECT (SELECT count(*) FROM fuzz.vres WHERE iv),
	       (SELECT count(*) FROM fuzz.vres WHERE NOT iv),
	       (SELECT count(*) FROM fuzz.vres WHERE iv AND NOT ivs),
	       (SELECT count(*) FROM fuzz.mres m JOIN fuzz.vres v ON v.id = m.a
	        WHERE m.pairing = 'self' AND m.state = '00000' AND v.iv),
	       (SELECT count(*) FROM fuzz.mres WHERE state = '22023')});
note("valid $n_valid, invalid $n_invalid, valid only by default $n_strict_only, "
	  . "valid self-merges $n_self_valid, refused merges $n_refused");
cmp_ok($n_valid,       '>', 2000, 'many documents are valid');
cmp_ok($n_invalid,     '>', 2000, 'many documents are invalid');
cmp_ok($n_strict_only, '>', 50,   'strict mode rejects some default-valid documents');
cmp_ok($n_self_valid,  '>', 1000, 'many valid snapshots merged with themselves');
cmp_ok($n_refused,     '>', 1000, 'many merges refused with 22023');

$node->stop;
note(sprintf('total runtime %.1fs', time - $t_start));
done_testing();
