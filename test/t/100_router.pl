# The router (workflow_persist_router, docs/scale-out.md): one router and
# four shard clusters, and one single server holding the same workflows.
#
#   - router/gen-router.pl --check: every function of the main extension is
#     routed, run locally or excluded, and a new one is routed or flagged;
#   - resharding 2 -> 4 by standby clones and wf_shard_prune loses nothing:
#     every workflow loadable and equal, each on exactly one shard;
#   - writes through the router spread over all four shards, each workflow
#     on exactly one, the one wf_router_shard names;
#   - every read function through the router equals the same call on the
#     owning shard; wfctl list, inspect, pending, stats and export through
#     the router equal the single server's (or the owning shard's);
#   - listing, keyset paging, pending, stats and prefix resolution through
#     the router equal the single server's, page by page;
#   - a stopped shard: its workflows fail with an error naming it, the
#     others keep working, fan-out calls fail naming it (the documented
#     choice), and all is well again once it is back.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use WfctlTest;

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# ---- the generator's check ----
{
	my ($out, $err);
	IPC::Run::run([ $^X, 'router/gen-router.pl', '--check', 'sql/workflow_persist.sql' ],
		'>', \$out, '2>', \$err);
	is($? >> 8, 0, 'gen-router --check: every function is classified') or diag($err);
	my $tmp = PostgreSQL::Test::Utils::tempdir();
	my $main = slurp_file('sql/workflow_persist.sql');
	open my $fh, '>', "$tmp/new.sql" or die;
	print $fh $main . "\nCREATE FUNCTION \@extschema\@.wf_frob(id pg_catalog.text, n pg_catalog.int4 DEFAULT 1, namespace pg_catalog.text DEFAULT NULL)\nRETURNS pg_catalog.int8\nLANGUAGE sql VOLATILE\nAS \$\$ SELECT 1::int8 \$\$;\n"
	  . "CREATE FUNCTION \@extschema\@.wf_tally(status pg_catalog.text)\nRETURNS pg_catalog.int8\nLANGUAGE sql STABLE\nAS \$\$ SELECT 1::int8 \$\$;\n"
	  . "CREATE FUNCTION \@extschema\@.wf_sweep(id pg_catalog.text DEFAULT NULL)\nRETURNS pg_catalog.int8\nLANGUAGE sql STABLE\nAS \$\$ SELECT 1::int8 \$\$;\n";
	close $fh;
	IPC::Run::run([ $^X, 'router/gen-router.pl', '--check', "$tmp/new.sql" ],
		'>', \$out, '2>', \$err);
	is($? >> 8, 1, 'gen-router --check fails on a function neither routed nor excluded');
	like($err, qr/wf_tally\(text\): neither routed nor excluded/, '... and names it');
	like($err, qr/wf_sweep\(text\): its id may be NULL/, '... and a function whose id may be NULL (every workflow?)');
	(my $changed = $main) =~ s/(CREATE FUNCTION \@extschema\@\.wf_cleanup\(batch_size pg_catalog\.int4 DEFAULT 1000,)/$1 pause pg_catalog.interval DEFAULT NULL,/
	  or die 'no wf_cleanup in the install script';
	open $fh, '>', "$tmp/changed.sql" or die;
	print $fh $changed;
	close $fh;
	my ($out2, $err2);
	IPC::Run::run([ $^X, 'router/gen-router.pl', '--check', "$tmp/changed.sql" ], '>', \$out2, '2>', \$err2);
	is($? >> 8, 1, 'gen-router --check fails when a written-out function changes its signature');
	like($err2, qr/wf_cleanup\(int4,interval,int8,bool[^)]*\): written for \(int4,int8,bool[^)]*\)/, '... naming it');
	like($out, qr/^wf_frob\s+routed\s/m, 'a new function about one workflow is routed unchanged');
	IPC::Run::run([ $^X, 'router/gen-router.pl', "$tmp/new.sql" ], '>', \$out, '2>', \$err);
	like($out, qr/RUN ON \@extschema\@\.wf_shard_hash\(namespace, id\);\n    TARGET \@extschema\@\.wf_frob;/,
		'... by its namespace argument when it has one');
	like($out, qr/COALESCE\(\$3, pg_catalog\.current_setting\('workflow_persist\.namespace', true\), 'default'\)/,
		'... NULL meaning the session setting, resolved on the router');
}

# ---- clusters ----
sub shard
{
	my ($n) = @_;
	my $node = PostgreSQL::Test::Cluster->new("shard$n");
	$node->init(allows_streaming => 1);
	$node->start;
	$node->safe_psql('postgres', "CREATE DATABASE shard$n");
	$node->safe_psql("shard$n", 'CREATE EXTENSION workflow_persist');
	return $node;
}
my @shard = (shard(0), shard(1));
my $single = PostgreSQL::Test::Cluster->new('single');
$single->init;
$single->start;
$single->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');
my $router = PostgreSQL::Test::Cluster->new('router');
$router->init;
$router->start;

sub part_conn
{
	my ($n) = @_;
	return "host=" . $shard[$n]->host . " port=" . $shard[$n]->port . " dbname=shard$n";
}
$router->safe_psql('postgres', 'CREATE EXTENSION workflow_persist_router CASCADE');
$router->safe_psql('postgres',
	"CREATE SERVER workflow_persist FOREIGN DATA WRAPPER plproxy OPTIONS (p0 '"
	  . part_conn(0) . "', p1 '" . part_conn(1) . "')");
$router->safe_psql('postgres', 'CREATE USER MAPPING FOR PUBLIC SERVER workflow_persist');

sub rq { return $router->safe_psql('postgres', "SET search_path = workflow_persist; $_[0]"); }
sub sq { return $shard[ $_[0] ]->safe_psql("shard$_[0]", "SET search_path = workflow_persist; $_[1]"); }
sub oq { return $single->safe_psql('postgres', "SET search_path = workflow_persist; $_[0]"); }

my $approval = q{{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve", "reason": "over budget", "metadata": {"amount": 12}}, "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}, "meta": {"origin": "result"}}};

# the same workflows through a function that calls the API
my $fixture = <<"EOS";
CREATE FUNCTION pg_temp.fixture(first int, last int) RETURNS void LANGUAGE plpgsql AS \$f\$
BEGIN
    FOR i IN first .. last LOOP
        PERFORM workflow_persist.wf_save_step('w' || i, 's1', ('{"ok": true, "value": ' || i || '}')::jsonb);
        IF i % 3 = 0 THEN
            PERFORM workflow_persist.wf_save_step('w' || i, 's2', '{"ok": true, "value": "two"}');
        END IF;
        IF i % 5 = 0 THEN
            PERFORM workflow_persist.wf_save_step('w' || i, 'approve', '$approval');
        END IF;
        IF i % 7 = 0 THEN
            PERFORM workflow_persist.wf_suspend('w' || i, 'waiting', '{"for": "a human"}');
        END IF;
        IF i % 11 = 0 THEN
            PERFORM workflow_persist.wf_cancel('w' || i, 'no longer needed');
        END IF;
    END LOOP;
END
\$f\$;
EOS
# timestamps made equal on every server, with ties (ids break them)
my $normalize = <<'EOS';
UPDATE workflow_persist.wf_workflow
   SET updated_at = '2024-01-01 00:00:00+00'::timestamptz
                    + (pg_catalog.get_byte(pg_catalog.decode(pg_catalog.md5(id), 'hex'), 0) % 9) * interval '1 second',
       created_at = '2023-12-31 00:00:00+00',
       suspended_at = CASE WHEN suspended_at IS NOT NULL THEN '2024-01-03 00:00:00+00'::timestamptz END;
UPDATE workflow_persist.wf_step
   SET recorded_at = '2024-01-02 00:00:00+00'::timestamptz
                     + (pg_catalog.get_byte(pg_catalog.decode(pg_catalog.md5(workflow_id), 'hex'), 1) % 4) * interval '1 second';
UPDATE workflow_persist.wf_event SET at = '2024-01-03 00:00:00+00';
EOS

# one line per (workflow, read function): what each read returns
my @reads = (
	[ wf_load => "workflow_persist.wf_load(x.id)::text" ],
	[ wf_load => "workflow_persist.wf_load(x.id, 'all', NULL, 1)::text" ],
	[ wf_exists => "workflow_persist.wf_exists(x.id)::text" ],
	[ wf_steps => "(SELECT string_agg(t::text, ';') FROM workflow_persist.wf_steps(x.id) AS t)" ],
	[ wf_info => "(SELECT string_agg(t::text, ';') FROM workflow_persist.wf_info(x.id) AS t)" ],
	[ wf_history => "(SELECT string_agg(t::text, ';') FROM workflow_persist.wf_history(x.id) AS t)" ],
	[ wf_step_result => "workflow_persist.wf_step_result(x.id, 's1')::text" ],
	[ wf_pending => "(SELECT string_agg(t::text, ';') FROM workflow_persist.wf_pending(x.id) AS t)" ],
	[ wf_verify => "(SELECT string_agg(t::text, ';') FROM workflow_persist.wf_verify(x.id) AS t)" ],
	[ wf_get_run => "(SELECT string_agg(t::text, ';') FROM workflow_persist.wf_get_run(x.id) AS t)" ],
	[ wf_verify_workflow => "(SELECT string_agg(t, ';') FROM workflow_persist.wf_verify_workflow(x.id) AS t)" ],
);
{
	my $out = `$^X router/gen-router.pl --check sql/workflow_persist.sql`;
	my %covered = map { $_->[0] => 1 } @reads;
	my @missing = grep { !$covered{$_} } ($out =~ /^(\w+)\s+routed\s+STABLE\s/mg);
	is("@missing", '', 'every routed read function is compared below');
}
sub reads_sql
{
	my ($ids) = @_;
	my $cols = join(",\n", map { "coalesce($_->[1], '<null>')" } @reads);
	return "SELECT x.id, $cols FROM unnest('{" . join(',', @$ids) . "}'::text[]) AS x(id) ORDER BY x.id";
}
# every read of these ids through the router, and on the shard owning each
sub reads_match
{
	my ($ids, $what) = @_;
	my $via_router = join("\n", sort split /\n/, rq(reads_sql($ids)));
	my %owner = split /[|\n]/, rq("SELECT x, wf_router_shard(x) FROM unnest('{" . join(',', @$ids) . "}'::text[]) AS x");
	my @direct;
	for my $n (0 .. $#shard)
	{
		my @mine = grep { $owner{$_} == $n } @$ids;
		push @direct, sq($n, reads_sql(\@mine)) if @mine;
	}
	my $direct = join("\n", sort split /\n/, join("\n", @direct));
	is($via_router, $direct, $what);
	return $via_router;
}
# each workflow on exactly one shard, the one the router names
sub placement_ok
{
	my ($count, $what) = @_;
	my (%where, @dups, @wrong);
	for my $n (0 .. $#shard)
	{
		for my $id (split /\n/, sq($n, 'SELECT id FROM wf_workflow'))
		{
			push @dups, $id if exists $where{$id};
			$where{$id} = $n;
		}
	}
	my @ids = sort keys %where;
	my %owner = split /[|\n]/, rq("SELECT x, wf_router_shard(x) FROM unnest('{" . join(',', @ids) . "}'::text[]) AS x");
	@wrong = grep { $owner{$_} != $where{$_} } @ids;
	is(scalar(@ids), $count, "$what: every workflow is on a shard");
	is("@dups", '', "$what: none is on two shards");
	is("@wrong", '', "$what: each is on the shard wf_router_shard names");
	return \@ids;
}

# ---- two shards, then four: resharding by cloning and pruning ----
rq($fixture . 'SELECT pg_temp.fixture(1, 60)');
my @first = map { "w$_" } 1 .. 60;
placement_ok(60, 'two shards');
sub all_reads { return join("\n", sort split /\n/, rq(reads_sql($_[0]))); }
my $before = reads_match(\@first, 'two shards: every read through the router equals the owning shard');

# docs/scale-out.md, "Resharding N -> 2N": a streaming standby of each
# shard, promoted, its database renamed, the partitions added, then every
# shard pruned of what it no longer owns.
for my $n (0, 1)
{
	my $to = $n + 2;
	$shard[$n]->backup("clone$to");
	my $clone = PostgreSQL::Test::Cluster->new("shard$to");
	$clone->init_from_backup($shard[$n], "clone$to", has_streaming => 1);
	$clone->start;
	$shard[$n]->wait_for_catchup($clone);
	$clone->promote;
	$clone->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
	  or die "shard$to was not promoted";
	$clone->safe_psql('postgres', "ALTER DATABASE shard$n RENAME TO shard$to");
	$shard[$to] = $clone;
}
$router->safe_psql('postgres',
	"ALTER SERVER workflow_persist OPTIONS (ADD p2 '" . part_conn(2) . "', ADD p3 '" . part_conn(3) . "')");
is(rq('SELECT wf_router_partitions()'), '4', 'the router has four partitions');
is(all_reads(\@first), $before, 'after the switch, before pruning: every read unchanged');
my $pruned = 0;
$pruned += sq($_, "SELECT wf_shard_prune($_, 4)") for 0 .. 3;
is($pruned, 60, 'wf_shard_prune deletes each copy that its shard does not own: 60 of 120');
placement_ok(60, 'four shards after resharding');
is(all_reads(\@first), $before, 'resharding 2 -> 4: every workflow loadable and equal');
for my $n (0 .. 3)
{
	is(sq($n, "SELECT count(*) FROM wf_step WHERE (wf_shard_hash('default', workflow_id) & 3) <> $n")
		  . sq($n, "SELECT count(*) FROM wf_event WHERE (wf_shard_hash('default', workflow_id) & 3) <> $n"),
		'00', "shard$n keeps no step or event row of another shard");
}
my ($rc, $out, $err) = (0, '', '');
($rc, $out, $err) = $shard[0]->psql('shard0', 'SELECT workflow_persist.wf_shard_prune(0, 3)');
like($err, qr/nshards must be a power of two/, 'wf_shard_prune refuses a partition count PL/Proxy cannot use');

# ---- four shards: writes spread ----
rq($fixture . 'SELECT pg_temp.fixture(61, 200)');
oq($fixture . 'SELECT pg_temp.fixture(1, 200)');
my @all = @{ placement_ok(200, 'four shards') };
for my $n (0 .. 3)
{
	cmp_ok(sq($n, 'SELECT count(*) FROM wf_workflow'), '>', 20, "shard$n holds its share of the 200 workflows");
}
reads_match(\@all, 'four shards: every read through the router equals the owning shard');

# ---- listing and paging equal one server ----
sq($_, $normalize) for 0 .. 3;
oq($normalize);
my @lists = (
	'SELECT * FROM wf_list()',
	'SELECT * FROM wf_list(max_rows => 1000)',
	"SELECT * FROM wf_list(prefix => 'w1')",
	"SELECT * FROM wf_list(prefix => 'w1', max_rows => 3)",
	"SELECT * FROM wf_list(status => 'suspended')",
	"SELECT * FROM wf_list(status => 'cancelled', max_rows => 4)",
	"SELECT * FROM wf_list(prefix => 'nothing')",
	'SELECT * FROM wf_pending()',
	'SELECT * FROM wf_verify()',
	'SELECT * FROM wf_stats ORDER BY status',
	'SELECT * FROM wf_retention',
	"SELECT wf_resolve('w19')",
	"SELECT wf_resolve('w1')",
	"SELECT wf_resolve('zz')",
);
for my $q (@lists)
{
	my @one = $single->psql('postgres', "SET search_path = workflow_persist; $q");
	my @rt = $router->psql('postgres', "SET search_path = workflow_persist; $q");
	$rt[2] =~ s/^psql:<stdin>:\d+: //mg;
	$one[2] =~ s/^psql:<stdin>:\d+: //mg;
	$rt[2] =~ s/^CONTEXT: .*\n?//mg;
	$one[2] =~ s/^CONTEXT: .*\n?//mg;
	is("$rt[0]|$rt[1]|$rt[2]", "$one[0]|$one[1]|$one[2]", "router = one server: $q");
}
# keyset paging, page by page, for several page sizes and filters
for my $case ([ 7, 'NULL', 'NULL' ], [ 1, "'w1'", 'NULL' ], [ 13, 'NULL', "'running'" ], [ 50, 'NULL', 'NULL' ])
{
	my ($size, $prefix, $status) = @$case;
	my ($after, @pages_r, @pages_1) = ('NULL');
	my ($after1) = ('NULL');
	for (1 .. 300)
	{
		my $q = "SELECT string_agg(l::text, ';'), (array_agg(l.next))[count(*)] FROM wf_list($prefix, $status, $size, %s) AS l";
		my ($rows_r, $next_r) = split /\|/, rq(sprintf($q, $after)), 2;
		my ($rows_1, $next_1) = split /\|/, oq(sprintf($q, $after1)), 2;
		push @pages_r, $rows_r // '';
		push @pages_1, $rows_1 // '';
		last if !defined $next_r || $next_r eq '' || !defined $next_1 || $next_1 eq '';
		$after = "'$next_r'";
		$after1 = "'$next_1'";
	}
	is(join("\n", @pages_r), join("\n", @pages_1),
		"paging by $size (prefix $prefix, status $status): every page equal to one server's");
	my %seen;
	my @ids = map { /^\(([^,]+),/ ? $1 : () } map { split /;/ } @pages_r;
	my @dups = grep { $seen{$_}++ } @ids;
	is("@dups", '', "paging by $size: no workflow twice");
}
my $total_live = oq("SELECT count(*) FROM wf_list(max_rows => 1000)");
{
	my ($after, %seen) = ('NULL');
	for (1 .. 100)
	{
		my $page = rq("SELECT string_agg(id, ','), (array_agg(next))[count(*)] FROM wf_list(NULL, NULL, 9, $after)");
		my ($ids, $next) = split /\|/, $page, 2;
		last unless defined $ids && $ids ne '';
		$seen{$_}++ for split /,/, $ids;
		$after = "'$next'";
	}
	is(scalar(keys %seen), $total_live, 'paging by 9 through the router: no gap (every live workflow seen)');
}
is(rq("SELECT wf_cleanup(10, 3, true)"), oq("SELECT wf_cleanup(10, 3, true)"), 'wf_cleanup dry run: the one-server count');

# ---- wfctl through the router ----
my @rdb = ('-d', $router->connstr('postgres'));
my @sdb = ('-d', $single->connstr('postgres'));
sub wf
{
	my ($out, $err);
	IPC::Run::run(wfctl_cmd(@_), '>', \$out, '2>', \$err);
	# ages are relative to the moment each command ran (and so are the
	# widths of the columns that show them)
	for ($out, $err) { s/\b\d+[smhd] ago\b/N ago/g; s/\bin \d+[smhd]\b/in N/g; }
	$out =~ s/ {2,}/ /g;
	return ($? >> 8, $out, $err);
}
for my $cmd ([ 'list', '--json', '--limit', '1000' ], [ 'list', '--prefix', 'w2', '--json' ],
	[ 'pending', '--json' ], [ 'stats', '--json' ], [ 'list', '--tsv', '--limit', '30' ])
{
	my @a = wf(@rdb, @$cmd);
	my @b = wf(@sdb, @$cmd);
	is("$a[0]|$a[1]|$a[2]", "$b[0]|$b[1]|$b[2]", "wfctl @$cmd: through the router as on one server");
}
for my $id ('w10', 'w35', 'w77', 'w154')
{
	my $n = rq("SELECT wf_router_shard('$id')");
	my @a = wf(@rdb, 'inspect', $id, '--json', '--full');
	my @b = wf('-d', $shard[$n]->connstr("shard$n"), 'inspect', $id, '--json', '--full');
	is($a[0], 0, "wfctl inspect $id through the router succeeds") or diag($a[2]);
	is($a[1], $b[1], "wfctl inspect $id --json: through the router as on its shard");
	my @c = wf(@rdb, 'inspect', $id);
	my @d = wf('-d', $shard[$n]->connstr("shard$n"), 'inspect', $id);
	is($c[1], $d[1], "wfctl inspect $id: through the router as on its shard");
}
{
	my @a = wf(@rdb, 'export', '--prefix', 'w1');
	my @lines;
	push @lines, split /\n/, (wf('-d', $shard[$_]->connstr("shard$_"), 'export', '--prefix', 'w1'))[1] for 0 .. 3;
	is($a[0], 0, 'wfctl export through the router succeeds');
	is(join("\n", sort split /\n/, $a[1]), join("\n", sort @lines),
		'wfctl export through the router: the records of every shard');
}

# ---- replay and fork name a second workflow, maybe on another shard ----
is(rq("SELECT wf_replay('w1') LIKE 'w1:replay-%'"), 't', 'wf_replay picks a new id, as on one server');
my $forked = rq("SELECT wf_fork('w3', 'forked-3', 's1')");
is($forked, 'forked-3', 'wf_fork to a given id');
is(rq("SELECT wf_load('forked-3')->'steps'"), oq("SELECT wf_load('w3')->'steps'") =~ s/, "s2".*\}/}/r,
	'the fork holds the steps up to s1');
placement_ok(202, 'after replay and fork');

# ---- wfctl's write commands through the router ----
sub on_owner
{
	my ($id, $sql) = @_;
	my $n = rq("SELECT wf_router_shard('$id')");
	return sq($n, $sql);
}
{
	my @a = wf(@rdb, 'approve', 'w5', 'approve', '--value', '"yes"');
	is($a[0], 0, 'wfctl approve through the router') or diag($a[2]);
	is(on_owner('w5', "SELECT wf_step_result('w5', 'approve')->>'value'"), 'yes', '... decided on the owning shard');
	@a = wf(@rdb, 'reject', 'w10', 'approve', '--reason', 'too much');
	is($a[0], 0, 'wfctl reject through the router') or diag($a[2]);
	@a = wf(@rdb, 'resume', 'w7');
	is($a[0], 0, 'wfctl resume through the router') or diag($a[2]);
	is(on_owner('w7', "SELECT status FROM wf_info('w7')"), 'running', '... resumed on the owning shard');
	@a = wf(@rdb, 'cancel', 'w8', '--reason', 'done');
	is($a[0], 0, 'wfctl cancel through the router') or diag($a[2]);
	is(on_owner('w8', "SELECT status FROM wf_info('w8')"), 'cancelled', '... cancelled on the owning shard');
	@a = wf(@rdb, 'replay', 'w8', '--as', 'w8-again');
	is($a[0], 0, 'wfctl replay through the router') or diag($a[2]);
	is(on_owner('w8-again', "SELECT status FROM wf_info('w8-again')"), 'running', '... the new run on its own shard');
	my $tmp = PostgreSQL::Test::Utils::tempdir();
	my @e = wf(@rdb, 'export', 'w9', '-o', "$tmp/w9.jsonl");
	is($e[0], 0, 'wfctl export through the router to a file');
	@a = wf(@rdb, 'import', "$tmp/w9.jsonl", '--id', 'w9-copy');
	is($a[0], 0, 'wfctl import through the router') or diag($a[2]);
	is(on_owner('w9-copy', "SELECT wf_load('w9-copy')->'steps'"), on_owner('w9', "SELECT wf_load('w9')->'steps'"),
		'... the copy on its own shard, with the same steps');
	@a = wf(@rdb, 'import', "$tmp/w9.jsonl", '--id', 'w9-atomic', '--atomic');
	is($a[0], 1, 'wfctl import --atomic through the router: refused (no transaction spans calls)');
	like($a[2], qr/--atomic needs one server/, '... saying why');
	@a = wf(@rdb, 'delete', 'w9-copy', 'w8-again');
	is($a[0], 0, 'wfctl delete through the router') or diag($a[2]);
	is(rq("SELECT wf_exists('w9-copy') OR wf_exists('w8-again')"), 'f', '... deleted from their shards');
	@a = wf(@rdb, 'cleanup', '--yes');
	is($a[0], 0, 'wfctl cleanup through the router') or diag($a[2]);
}

# ---- namespaces: routed by (namespace, id) ----
{
	rq(q{SELECT wf_save_step('ns-1', 's1', '{"ok": true, "value": 1}', namespace => 'billing')});
	my $n = rq("SELECT wf_router_shard('ns-1', 'billing')");
	is(sq($n, "SELECT count(*) FROM wf_workflow WHERE namespace = 'billing' AND id = 'ns-1'"), '1',
		'a workflow of namespace billing lives on the shard of wf_shard_hash(billing, id)');
	my $elsewhere = 0;
	$elsewhere += sq($_, "SELECT count(*) FROM wf_workflow WHERE id = 'ns-1'") for grep { $_ != $n } 0 .. 3;
	is($elsewhere, 0, '... and on no other shard');
	is(rq("SET workflow_persist.namespace = 'billing'; SELECT wf_load('ns-1') IS NOT NULL"), 't',
		'a NULL namespace argument is the router session\'s workflow_persist.namespace');
	is(rq("SELECT wf_load('ns-1') IS NULL, wf_load('ns-1', namespace => 'billing') IS NOT NULL"), 't|t',
		'... and without it, the default namespace');
	is(rq("SELECT count(*) FROM wf_list(prefix => 'ns-', namespace => '*')"), '1',
		'listing every namespace (*) through the router finds it');
	is(rq("SELECT wf_delete('ns-1', 'billing')"), 't', 'deleted through the router');
}

# ---- privileges: the router's grants, then each shard's own ----
$router->safe_psql('postgres', 'CREATE ROLE app LOGIN');
$_->safe_psql('postgres', 'CREATE ROLE app LOGIN') for @shard;
sub as_app
{
	my ($node, $db, $sql) = @_;
	return $node->psql($db, $sql, extra_params => [ '-U', 'app' ]);
}
($rc, $out, $err) = as_app($router, 'postgres', "SELECT workflow_persist.wf_load('w1') IS NOT NULL");
like($err, qr/permission denied for function wf_load/, 'a role without the router\'s grant cannot call it');
$router->safe_psql('postgres', "SELECT workflow_persist.wf_grant_access('app')");
($rc, $out, $err) = as_app($router, 'postgres', "SELECT workflow_persist.wf_load('w1') IS NOT NULL");
like($err, qr/\[shard\d\] REMOTE ERROR: permission denied/,
	'with the router\'s grant only, the shard refuses: the router connects as the calling user');
sq($_, "SELECT wf_grant_access('app')") for 0 .. 3;
($rc, $out, $err) = as_app($router, 'postgres', "SELECT workflow_persist.wf_load('w1') IS NOT NULL, workflow_persist.wf_check_id('x')");
is("$rc|$out", '0|t|x', 'granted on the router and on the shards: the call works');

# ---- writes over many workflows, and transactions ----
rq("SELECT wf_set_retention('failed', '30 days')");
is(join(',', map { sq($_, "SELECT keep FROM wf_retention WHERE status = 'failed'") } 0 .. 3),
	'30 days,30 days,30 days,30 days', 'wf_set_retention through the router: the policy is on every shard');
is(rq("SELECT string_agg(status || '=' || coalesce(keep::text, '-'), ',') FROM wf_retention"),
	'running=-,suspended=-,completed=-,failed=30 days,cancelled=-', '... and the router\'s wf_retention shows it once');
my @expired = map { "w$_" } 195 .. 199;
my %owner = split /[|\n]/, rq("SELECT x, wf_router_shard(x) FROM unnest('{" . join(',', @all) . "}'::text[]) AS x");
for my $id (@expired)
{
	sq($owner{$id}, "UPDATE wf_workflow SET expires_at = now() - interval '1 day' WHERE id = '$id'");
}
cmp_ok(scalar(keys %{ { map { $owner{$_} => 1 } @expired } }), '>', 1, 'the expired workflows are on several shards');
is(rq('SELECT wf_cleanup(100, 3, true)'), '3', 'wf_cleanup dry run with max_rows 3 over every shard: 3');
is(rq('SELECT wf_cleanup(100, 3)'), '3', 'wf_cleanup with max_rows 3: 3 deleted in all, not 3 per shard');
is(rq('SELECT wf_cleanup()'), '2', 'wf_cleanup: the 2 left');
placement_ok(197, 'after cleanup');
$router->safe_psql('postgres', q{BEGIN; SELECT workflow_persist.wf_save_step('w2', 'rolled-back', '{"ok": true, "value": 1}'); ROLLBACK;});
is(rq("SELECT wf_step_result('w2', 'rolled-back') IS NOT NULL"), 't',
	'a rollback on the router does not undo a call already run on its shard (one transaction per call)');

# ---- the shard hash is frozen: FNV-1a of namespace, a zero byte, id ----
sub fnv1a
{
	my $h = 2166136261;
	for my $c (unpack('C*', $_[0])) { $h ^= $c; $h = ($h * 16777619) % 4294967296; }
	return $h >= 2**31 ? $h - 2**32 : $h;
}
{
	my @ids = ('order-1', 'w1', 'x' x 512, "caf\x{c3}\x{a9}", 'a:b/c d');
	my $sql = join(' UNION ALL ', map { my $i = $_; $i =~ s/'/''/g; "SELECT wf_shard_hash('default', '$i')::text || ',' || wf_shard_hash('ns.2', '$i')::text" } @ids);
	my @got = split /\n/, $single->safe_psql('postgres', "SET search_path = workflow_persist; SET client_encoding = 'UTF8'; $sql");
	my @want = map { fnv1a("default\0$_") . ',' . fnv1a("ns.2\0$_") } @ids;
	is("@got", "@want", 'wf_shard_hash is 32-bit FNV-1a over namespace, a zero byte and id, as int4');
	is(oq("SELECT wf_shard_hash('default', 'order-1')"), '415183668', 'wf_shard_hash(default, order-1) is 415183668, for ever');
}

# ---- a stopped shard ----
my ($down_id) = grep { $owner{$_} == 2 && !/^w19[5-9]$/ } @all;
my ($up_id) = grep { $owner{$_} == 1 && !/^w19[5-9]$/ } @all;
$shard[2]->stop;
($rc, $out, $err) = $router->psql('postgres', "SELECT workflow_persist.wf_load('$down_id') IS NOT NULL");
isnt($rc, 0, 'shard2 down: a read of its workflow fails');
like($err, qr/\[shard2\]/, '... with an error naming shard2');
($rc, $out, $err) = $router->psql('postgres', "SELECT workflow_persist.wf_save_step('$down_id', 'late', '{\"ok\": true, \"value\": 1}')");
like($err, qr/\[shard2\]/, '... and so does a write');
is(rq("SELECT wf_load('$up_id') IS NOT NULL"), 't', 'shard2 down: a workflow of shard1 still loads');
is(rq("SELECT wf_save_step('$up_id', 'while-down', '{\"ok\": true, \"value\": 1}') > 0"), 't',
	'... and takes writes');
($rc, $out, $err) = $router->psql('postgres', 'SELECT count(*) FROM workflow_persist.wf_list()');
like($err, qr/\[shard2\]/, 'shard2 down: fan-out listing fails naming shard2 (never a silent partial page)');
for my $q ('SELECT count(*) FROM workflow_persist.wf_pending()', 'SELECT count(*) FROM workflow_persist.wf_stats',
	"SELECT workflow_persist.wf_resolve('w1')")
{
	($rc, $out, $err) = $router->psql('postgres', $q);
	like($err, qr/\[shard2\]/, "shard2 down: $q fails naming shard2");
}
my @w = wf(@rdb, 'list');
is($w[0], 1, 'wfctl list through the router: exit 1 while a shard is down');
like($w[2], qr/shard2/, '... naming the shard');
$shard[2]->start;
is(rq("SELECT wf_load('$down_id') IS NOT NULL"), 't', 'shard2 back: its workflows load again');
is(rq('SELECT count(*) FROM wf_list(max_rows => 1000)'), $total_live + 2 - 5, 'shard2 back: listing sees every shard');

wfctl_valgrind_done();
$_->stop for @shard, $router, $single;
done_testing();
