# wfctl at a terminal: the questions it asks before it acts.
#
# wfctl runs on a pseudo-terminal of its own (WfctlTest's wfctl_tty, under
# valgrind): its controlling terminal, standard input, output and error.
# approve, reject, cancel and delete take whole ids; an ID that only
# starts one is offered in a question that shows the whole id, and acted
# on only after "y" (t/042 checks that off a terminal it is refused).
# cleanup says how many workflows it would delete and asks first.  A
# server that wants a password gets one asked for, not echoed, as psql
# does (-W asks first, -w never; off a terminal wfctl does not ask).
# Output longer than the terminal goes through the pager, psql's way:
# PSQL_PAGER, then PAGER, then less; --no-pager or an empty variable turn
# it off, and a pipe is never paged.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use WfctlTest;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('wfctl_terminal');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');

my @db = ('-d', $node->connstr('postgres'));

sub sql
{
	return $node->safe_psql('postgres', "SET search_path = workflow_persist; $_[0]");
}

sql(q{SELECT wf_save_step(id, 'a', '{"ok": true}')
        FROM unnest(ARRAY['invoice:77', 'refund:42', 'refund:7', E'esc:\x1b[2J']) AS id});

# ---- a prefix: the question, with the whole id ----

my ($rc, $shown) = wfctl_tty([ 'cancel', 'inv', @db ],
	answers => [ [ qr/\[y\/N\] $/, "n\n" ] ]);
like($shown, qr/No workflow is named "inv"\. Cancel workflow "invoice:77"\? \[y\/N\] n\r?\n/,
	'cancel inv: asks, showing the whole id');
like($shown, qr/wfctl: error: not confirmed: nothing done for "inv"/, 'answer n: nothing done');
is($rc, 1, 'answer n: exit 1');
is(sql(q{SELECT status FROM wf_info('invoice:77')}), 'running', 'invoice:77 is not cancelled');

($rc, $shown) = wfctl_tty([ 'cancel', 'inv', '--reason', 'asked', @db ],
	answers => [ [ qr/\[y\/N\] $/, "y\n" ] ]);
is($rc, 0, 'answer y: exit 0');
like($shown, qr/cancelled workflow "invoice:77" \(version 2, now cancelled\)/,
	'answer y: cancelled, the whole id in the confirmation');
is(sql(q{SELECT status FROM wf_info('invoice:77')}), 'cancelled', 'invoice:77 is cancelled');

# an exact id: no question
($rc, $shown) = wfctl_tty([ 'approve', 'refund:7', 'a', @db ]);
unlike($shown, qr/\[y\/N\]/, 'an exact id: no question');
is($rc, 1, 'approve of a step not waiting: the server\'s refusal, exit 1');

# the question escapes what it shows
($rc, $shown) = wfctl_tty([ 'delete', 'esc', @db ], answers => [ [ qr/\[y\/N\] $/, "n\n" ] ]);
like($shown, qr/Delete workflow "esc:\\x1B\[2J"\? \[y\/N\]/, 'the question shows the id escaped');
unlike($shown, qr/\e/, 'no ESC reached the terminal');

# delete: one question per ID that is not a whole id; all or nothing
($rc, $shown) = wfctl_tty([ 'delete', 'refund:4', 'refund:7', 'esc', @db ],
	answers => [ [ qr/"refund:42"\? \[y\/N\] $/, "y\n" ], [ qr/\[y\/N\] $/, "no\n" ] ]);
is($rc, 1, 'delete with one question answered no: exit 1');
like($shown, qr/nothing deleted: 1 of 3 workflow ids/, '... nothing deleted');
is(sql(q{SELECT count(*) FROM wf_list('refund:')}), '2', '... refund:42 and refund:7 are kept');
($rc, $shown) = wfctl_tty([ 'delete', 'refund:4', 'refund:7', @db ],
	answers => [ [ qr/"refund:42"\? \[y\/N\] $/, "YES\n" ] ]);
is($rc, 0, 'delete with the question answered YES: exit 0');
like($shown, qr/deleted workflow "refund:42"\r?\ndeleted workflow "refund:7"/, '... both deleted');
is(sql(q{SELECT count(*) FROM wf_list('refund:')}), '0', '... they are gone');

# --yes: no question
($rc, $shown) = wfctl_tty([ 'delete', 'esc', '--yes', @db ]);
is($rc, 0, 'delete --yes of a prefix at a terminal: exit 0');
unlike($shown, qr/\[y\/N\]/, '... without a question');
like($shown, qr/taking workflow "esc:\\x1B\[2J" for "esc" \(--yes\)/, '... saying what it took');

# ---- cleanup: how many, first ----

sql(q{SELECT wf_save('old:' || i, '{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "t"}}', '1 hour') FROM generate_series(1, 3) AS i});
sql(q{UPDATE wf_workflow SET expires_at = now() - '1 minute'::interval WHERE id LIKE 'old:%'});
($rc, $shown) = wfctl_tty([ 'cleanup', @db ], answers => [ [ qr/\[y\/N\] $/, "\n" ] ]);
like($shown, qr/Delete 3 expired workflows now\? \[y\/N\]/, 'cleanup at a terminal: says how many, asks');
is($rc, 1, 'an empty answer is no: exit 1');
is(sql(q{SELECT count(*) FROM wf_workflow WHERE id LIKE 'old:%'}), '3', '... nothing deleted');
($rc, $shown) = wfctl_tty([ 'cleanup', '--yes', @db ]);
is($rc, 0, 'cleanup --yes: exit 0');
unlike($shown, qr/\[y\/N\]/, '... without a question');
like($shown, qr/deleted 3 expired workflows/, '... deleted');
($rc, $shown) = wfctl_tty([ 'cleanup', '--dry-run', @db ]);
unlike($shown, qr/\[y\/N\]/, 'cleanup --dry-run never asks');

# ---- the password ----

$node->safe_psql('postgres', q{
	CREATE ROLE pwuser LOGIN PASSWORD 'secret-pw-91';
	SELECT workflow_persist.wf_grant_access('pwuser', writable => false);
});
my $hba = $node->data_dir . '/pg_hba.conf';
my $rules = PostgreSQL::Test::Utils::slurp_file($hba);
open(my $fh, '>', $hba) or die "could not write $hba: $!";
print $fh "local all pwuser scram-sha-256\nhost all pwuser all scram-sha-256\n$rules";
close($fh);
$node->reload;
my @pw = (@db, '-U', 'pwuser');

command_checks_all(wfctl_cmd('stats', @pw), 2, [qr/^$/],
	[ qr/fe_sendauth: no password supplied/, qr/^HINT:  Give it in PGPASSWORD or ~\/\.pgpass, or run wfctl on a terminal/m ],
	'a password wanted off a terminal: not asked, exit 2 (as psql), a hint');
($rc, $shown) = wfctl_tty([ 'stats', @pw ],
	answers => [ [ qr/Password for user pwuser: $/, "secret-pw-91\n" ] ]);
is($rc, 0, 'at a terminal: asked for, then connected');
like($shown, qr/Password for user pwuser: \r?\n.*^STATUS +WORKFLOWS/ms, '... the prompt, then the table');
unlike($shown, qr/secret-pw-91/, '... the password not echoed');
($rc, $shown) = wfctl_tty([ 'stats', @pw ],
	answers => [ [ qr/Password for user pwuser: $/, "wrong\n" ] ]);
is($rc, 2, 'a wrong password: exit 2');
like($shown, qr/password authentication failed for user "pwuser"/, '... the server\'s message');
($rc, $shown) = wfctl_tty([ 'stats', '-w', @pw ]);
is($rc, 2, '-w at a terminal: never asks, exit 2');
unlike($shown, qr/Password/, '... no prompt');
($rc, $shown) = wfctl_tty([ 'stats', '-W', @db ],
	answers => [ [ qr/Password: $/, "anything\n" ] ]);
is($rc, 0, '-W: asks before connecting (a trusted user: any password)');
like($shown, qr/\APassword: /, '... first of all');
command_checks_all(wfctl_cmd('stats', '-W', @db), 2, [qr/^$/],
	[qr/^wfctl: error: cannot ask for the password \(-W\): no terminal$/m],
	'-W without a terminal: exit 2');
{
	local $ENV{PGPASSWORD} = 'secret-pw-91';
	command_checks_all(wfctl_cmd('stats', @pw), 0, [qr/^STATUS/], [qr/^$/],
		'PGPASSWORD: no question');
}

# ---- the pager ----

sql(q{SELECT wf_save_step('page:' || lpad(i::text, 2, '0'), 'a', '{"ok": true}')
        FROM generate_series(1, 15) AS i});
my %pager = (PAGER => q{sed -e 's/^/paged: /'}, PSQL_PAGER => undef);
($rc, $shown) = wfctl_tty([ 'list', '--prefix', 'page:', @db ], rows => 10, env => \%pager);
is($rc, 0, 'list of 16 lines on a terminal of 10: exit 0');
like($shown, qr/^paged: ID +STATUS/m, '... through the pager (PAGER)');
like($shown, qr/^paged: page:01 /m, '... every line');
($rc, $shown) = wfctl_tty([ 'list', '--prefix', 'page:', '--no-pager', @db ], rows => 10, env => \%pager);
unlike($shown, qr/paged:/, '--no-pager: not paged');
like($shown, qr/^page:01 /m, '... the table as it is');
($rc, $shown) = wfctl_tty([ 'list', '--prefix', 'page:', @db ], rows => 40, env => \%pager);
unlike($shown, qr/paged:/, 'output that fits the terminal: not paged');
($rc, $shown) = wfctl_tty([ 'list', '--prefix', 'page:', @db ], rows => 40, cols => 30, env => \%pager);
like($shown, qr/^paged: ID/m, 'output wider than the terminal: paged');
($rc, $shown) = wfctl_tty([ 'list', '--prefix', 'page:', @db ], rows => 10,
	env => { %pager, PSQL_PAGER => q{sed -e 's/^/psql-paged: /'} });
like($shown, qr/^psql-paged: ID/m, 'PSQL_PAGER wins over PAGER');
($rc, $shown) = wfctl_tty([ 'list', '--prefix', 'page:', @db ], rows => 10, env => { PAGER => '', PSQL_PAGER => undef });
unlike($shown, qr/paged:/, 'PAGER set but empty: no pager');
like($shown, qr/^page:15 /m, '... the whole table');
($rc, $shown) = wfctl_tty([ 'list', '--prefix', 'page:', @db ], rows => 10,
	env => { PAGER => '/nonexistent/pager', PSQL_PAGER => undef });
is($rc, 0, 'a pager that cannot run: exit 0');
like($shown, qr/^page:15 /m, '... and the output on the terminal');
($rc, $shown) = wfctl_tty([ 'inspect', 'page:01', @db ], rows => 10, env => \%pager);
like($shown, qr/^paged: id: +page:01/m, 'inspect is paged too');
($rc, $shown) = wfctl_tty([ 'inspect', 'nope', @db ], rows => 3, env => \%pager);
is($rc, 3, 'an error while paging: its exit status');
unlike($shown, qr/paged:/, '... and no pager');
{
	local $ENV{PAGER} = q{sed -e 's/^/paged: /'};
	command_checks_all(wfctl_cmd('list', '--prefix', 'page:', @db),
		0, [qr/\AID /, qr/\A(?!.*paged:)/s], [qr/^$/], 'in a pipe: never paged');
}

wfctl_valgrind_done();
done_testing();
