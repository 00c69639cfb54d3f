# Crash safety of the snapshot store under concurrent load.
#
# Four psql clients write workflows as fast as they can (checkpoints with
# wf_save_step, deltas with wf_merge, whole snapshots with wf_save, and
# two-workflow transactions), each logging every write the server
# acknowledged.  A client that saves a whole snapshot as "completed"
# moves on to a new generation of that workflow (a new id) and never writes
# the completed one again, so its one "completed" event can be checked;
# shared workflows are only ever running or failed.  Mid-load the server is stopped with "immediate" (no
# shutdown checkpoint: recovery replays the WAL), restarted, and checked:
#
#  - every acknowledged write is there (or was overwritten by a later
#    write of the same client that was in flight at the crash), and nothing
#    that was never written is;
#  - the one unit each client had in flight is all-or-nothing;
#  - each workflow's version lies between the number of its acknowledged
#    writes and that plus the writes in flight (each write adds exactly 1);
#  - whole snapshots keep the status they were saved with (completed ones
#    stay completed, with exactly one "completed" event);
#  - every stored snapshot validates, the status column agrees with
#    execution.status, step_count matches the step rows,
#    size_bytes the footprint of what is stored (and no smaller than the
#    loaded snapshot),
#    positions are unique and below next_pos, wf_load and wf_steps agree,
#    no step or event row lacks its header, and amcheck finds the heaps
#    and indexes sound.
#
# This runs twice (a second load and crash on the recovered cluster).  The
# checker is also fed a write that never happened, to show it can fail.
#
# Keys of shared workflows carry their client's number ("c2_k4"), so the
# expected value of each key follows from that one client's log.
use strict;
use warnings;
use utf8;

use Encode qw(decode);
use POSIX ":sys_wait_h";
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $N_CLIENTS = 4;
my $N_SHARED = 12;           # workflows every client writes to
my $UNITS_PER_ROUND = 4000;  # far more than get done before the crash
my $ACKS_BEFORE_CHECKPOINT = 100;    # per client
my $ACKS_BEFORE_CRASH = 250;         # per client, counted from the start

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf(
	'postgresql.conf', qq(
fsync = on
synchronous_commit = on
full_page_writes = on
wal_level = replica
log_statement = none
# small, so that pages are written out and read back during the load
shared_buffers = 1MB
max_connections = 20
));
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION workflow_persist');
$node->safe_psql('postgres', 'CREATE EXTENSION amcheck');

my $tmp = PostgreSQL::Test::Utils::tempdir;

# ---------------------------------------------------------------------------
# The workload: units (one autocommit statement, or one transaction) per
# client, each described by what it writes.
# ---------------------------------------------------------------------------

sub q_lit { my ($s) = @_; $s =~ s/'/''/g; return "'$s'"; }

sub result_sql
{
	my ($tag, $kind) = @_;
	my $t = q_lit($tag);
	if ($kind eq 'err')
	{
		return "jsonb_build_object('ok', false, "
		  . "'error', jsonb_build_object('type', 'E_TEST', 'tag', $t), "
		  . "'cause', jsonb_build_object('type', 'error', 'name', 'Error', 'message', $t), "
		  . "'meta', jsonb_build_object('origin', 'result'))";
	}
	# a pad of 3200 hex digits is stored out of line (TOAST)
	my $pad =
	  $kind eq 'pad'
	  ? ", 'pad', (SELECT string_agg(md5($t || i), '' ORDER BY i) FROM generate_series(1, 100) i)"
	  : '';
	return "jsonb_build_object('ok', true, 'value', jsonb_build_object('tag', $t$pad))";
}

sub snapshot_sql
{
	my ($steps, $status, $extra) = @_;
	# jsonb_build_object takes at most 100 arguments: aggregate the steps
	my $s =
	  @$steps
	  ? '(SELECT jsonb_object_agg(k, v) FROM (VALUES '
	  . join(', ', map { '(' . q_lit($_->[0]) . ', ' . $_->[1] . ')' } @$steps)
	  . ') AS t(k, v))'
	  : 'jsonb_build_object()';
	return "jsonb_build_object('formatVersion', 1, 'steps', $s, "
	  . "'execution', jsonb_build_object('status', '$status', "
	  . "'lastUpdated', '2026-01-01T00:00:00.000Z')$extra)";
}

sub shared_id { return sprintf('wf_%02d', $_[0]); }

sub client_key
{
	my ($c, $j) = @_;
	return $j == 6 ? "c${c}_шаг" : "c${c}_k$j";
}

sub result_kind
{
	my $r = rand();
	return $r < 0.15 ? 'pad' : $r < 0.3 ? 'err' : 'plain';
}

# Units of one client for one round: SQL text and what each writes.
sub make_units
{
	my ($c, $round) = @_;
	my @units;
	my %gen;    # generation of each of this client's whole-snapshot workflows
	srand(1000 * $round + $c);
	for my $seq (0 .. $UNITS_PER_ROUND - 1)
	{
		my $tag = "r${round}c${c}u$seq";
		my $u = { client => $c, round => $round, seq => $seq,
			writes => [], full => undef, status => 'never' };
		my $r = rand();
		my @sql;
		if ($r < 0.55)
		{
			my ($id, $key) = (shared_id(int(rand($N_SHARED))), client_key($c, int(rand(7))));
			push @{ $u->{writes} }, { id => $id, key => $key, tag => $tag };
			push @sql,
			    "SELECT 'v', $seq, '$id', workflow_persist.wf_save_step('$id', "
			  . q_lit($key) . ', '
			  . result_sql($tag, result_kind()) . ');';
		}
		elsif ($r < 0.70)
		{
			my $id = shared_id(int(rand($N_SHARED)));
			# a failed execution still takes writes
			my $status = rand() < 0.2 ? 'failed' : 'running';
			my $j1 = int(rand(7));
			my $j2 = ($j1 + 1 + int(rand(6))) % 7;
			my @steps;
			for my $j ($j1, $j2)
			{
				my $key = client_key($c, $j);
				push @{ $u->{writes} }, { id => $id, key => $key, tag => $tag };
				push @steps, [ $key, result_sql($tag, result_kind()) ];
			}
			push @sql,
			    "SELECT 'v', $seq, '$id', workflow_persist.wf_merge('$id', "
			  . snapshot_sql(\@steps, $status,
				", 'metadata', jsonb_build_object('c$c', $seq)")
			  . ');';
		}
		elsif ($r < 0.85)
		{
			# a whole snapshot of one of this client's own workflows; once
			# saved as completed, the next save goes to a new generation
			my $i = int(rand(3));
			my $id = "c${c}_full_${i}_r${round}g" . ($gen{$i} // 0);
			my $r2 = rand();
			my $status = $r2 < 0.45 ? 'running' : $r2 < 0.7 ? 'failed' : 'completed';
			$gen{$i}++ if $status eq 'completed';
			my (%map, @steps);
			# c*_full_1 holds ~120 steps: a crash may hit a long write
			my $n_keys = $i == 1 ? 200 : 6;
			for my $j (0 .. $n_keys - 1)
			{
				next if rand() < 0.4;
				my $key = $j == 5 ? 'ключ' : "s$j";
				$map{$key} = $tag;
				push @steps, [ $key, result_sql($tag, result_kind()) ];
			}
			$u->{full} = { id => $id, steps => \%map, status => $status };
			my $ttl = $i == 2 ? ", ttl => '1 day'" : '';
			push @sql,
			    "SELECT 'v', $seq, '$id', workflow_persist.wf_save('$id', "
			  . snapshot_sql(\@steps, $status, ", 'workflowName', 'full'")
			  . "$ttl);";
		}
		else
		{
			# two workflows in one transaction, locked in id order (no
			# deadlock with the other clients)
			my $a = int(rand($N_SHARED));
			my $b = ($a + 1 + int(rand($N_SHARED - 1))) % $N_SHARED;
			($a, $b) = ($b, $a) if $b < $a;
			push @sql, 'BEGIN;';
			for my $n ($a, $b)
			{
				my ($id, $key) = (shared_id($n), client_key($c, int(rand(7))));
				push @{ $u->{writes} }, { id => $id, key => $key, tag => $tag };
				push @sql,
				    "SELECT 'v', $seq, '$id', workflow_persist.wf_save_step('$id', "
				  . q_lit($key) . ', '
				  . result_sql($tag, result_kind()) . ');';
			}
			push @sql, 'COMMIT;';
		}
		# printed once the unit's commit has been acknowledged
		push @sql, "\\echo ack|$seq";
		$u->{sql} = join("\n", @sql) . "\n";
		push @units, $u;
	}
	return \@units;
}

# ---------------------------------------------------------------------------
# Running clients and crashing the server under them
# ---------------------------------------------------------------------------

sub count_acks
{
	my ($file) = @_;
	open(my $fh, '<', $file) or return 0;
	my $n = grep { /^ack\|/ } <$fh>;
	close $fh;
	return $n;
}

# Starts one psql per client; returns their pids and output files.
sub start_clients
{
	my ($round, $units) = @_;
	my @clients;
	for my $c (0 .. $N_CLIENTS - 1)
	{
		my $base = "$tmp/r${round}_c$c";
		open(my $fh, '>:encoding(UTF-8)', "$base.sql") or die $!;
		print $fh $_->{sql} for @{ $units->[$c] };
		close $fh;
		my @cmd = (
			$node->installed_command('psql'), '-X', '-A', '-t', '-q',
			'-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
			'-f', "$base.sql");
		my $pid = fork();
		die "fork: $!" unless defined $pid;
		if ($pid == 0)
		{
			open(STDOUT, '>', "$base.out") or die $!;
			open(STDERR, '>', "$base.err") or die $!;
			exec(@cmd) or die "exec: $!";
		}
		push @clients, { pid => $pid, out => "$base.out", err => "$base.err" };
	}
	return \@clients;
}

# Waits (bounded) until every client has n acknowledgements; false when a
# client stopped before that or time ran out.
sub wait_for_acks
{
	my ($clients, $n) = @_;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while (time() < $deadline)
	{
		my $done = 1;
		for my $cl (@$clients)
		{
			if (defined $cl->{status} || waitpid($cl->{pid}, WNOHANG) > 0)
			{
				$cl->{status} //= $?;
				diag("client $cl->{pid} exited early: "
					  . slurp_file($cl->{err}));
				return 0;
			}
			$done = 0 if count_acks($cl->{out}) < $n;
		}
		return 1 if $done;
		usleep(50_000);
	}
	diag('timed out waiting for acknowledgements');
	return 0;
}

# After the crash: reap the clients (they exit when their connection
# drops) and mark each unit acked, maybe (in flight) or never.
sub collect_clients
{
	my ($round, $clients, $units) = @_;
	for my $c (0 .. $N_CLIENTS - 1)
	{
		my $cl = $clients->[$c];
		waitpid($cl->{pid}, 0) unless defined $cl->{status};
		my $err = slurp_file($cl->{err});
		unlike($err, qr/\bERROR:/, "round $round client $c: no SQL error");

		open(my $fh, '<:encoding(UTF-8)', $cl->{out}) or die $!;
		my (%acked, %versions);
		while (my $line = <$fh>)
		{
			chomp $line;
			if ($line =~ /^ack\|(\d+)$/) { $acked{$1} = 1; }
			elsif ($line =~ /^v\|(\d+)\|([^|]+)\|(\d+)$/)
			{
				$versions{$1}{$2} = $3;
			}
			else { die "unexpected output line from client $c: $line"; }
		}
		close $fh;

		my $first_unacked;
		for my $u (@{ $units->[$c] })
		{
			if ($acked{ $u->{seq} })
			{
				die "client $c: unit $u->{seq} acknowledged after an unacknowledged one"
				  if defined $first_unacked;
				$u->{status} = 'acked';
				$u->{versions} = $versions{ $u->{seq} };
			}
			elsif (!defined $first_unacked)
			{
				$first_unacked = $u->{seq};
				$u->{status} = 'maybe';
			}
		}
		note("round $round client $c: "
			  . scalar(keys %acked)
			  . ' units acknowledged, '
			  . (defined $first_unacked ? "unit $first_unacked in flight" : 'all done'));
	}
	return;
}

# ---------------------------------------------------------------------------
# The checker: what the recovered database holds against the clients' logs.
# $history->[client] = every unit of that client, oldest first.
# Returns a list of problems (empty when all is well).
# ---------------------------------------------------------------------------

sub read_db
{
	my %db;
	my $rows = decode(
		'UTF-8',
		$node->safe_psql(
			'postgres', q{
SELECT w.id, w.version, w.status, s.key,
       COALESCE(s.value->'value'->>'tag', s.value->'error'->>'tag'),
       CASE WHEN s.value->'value' ? 'pad'
            THEN s.value->'value'->>'pad' =
                 (SELECT string_agg(md5((s.value->'value'->>'tag') || i), '' ORDER BY i)
                    FROM generate_series(1, 100) i)
            ELSE true END
  FROM workflow_persist.wf_workflow w
  LEFT JOIN LATERAL jsonb_each(workflow_persist.wf_load(w.id)->'steps') s ON true
}));
	for my $line (split /\n/, $rows)
	{
		my ($id, $version, $status, $key, $tag, $pad_ok) = split /\|/, $line, -1;
		$db{$id}{version} = $version;
		$db{$id}{status} = $status;
		$db{$id}{steps} //= {};
		next if $key eq '';
		$db{$id}{steps}{$key} = $tag;
		$db{$id}{bad_pad}{$key} = 1 unless $pad_ok eq 't';
	}
	return \%db;
}

sub check_state
{
	my ($db, $history) = @_;
	my @problems;
	my (%acceptable, %absent_ok, %full_ok, %full_absent_ok);
	my (%acked_writes, %maybe_writes, %acked_versions);
	my %last_writer;    # "id\0key" => unit
	my %completed;      # whole-snapshot ids an acknowledged save completed

	for my $units (@$history)
	{
		for my $u (@$units)
		{
			next if $u->{status} eq 'never';
			my $acked = $u->{status} eq 'acked';
			my %ids;
			for my $w (@{ $u->{writes} })
			{
				my $k = "$w->{id}\0$w->{key}";
				if ($acked) { $acceptable{$k} = { $w->{tag} => 1 }; delete $absent_ok{$k}; }
				else
				{
					$absent_ok{$k} = 1 unless exists $acceptable{$k};
					$acceptable{$k}{ $w->{tag} } = 1;
				}
				$last_writer{$k} = $u;
				$ids{ $w->{id} } = 1;
			}
			if (my $f = $u->{full})
			{
				my $id = $f->{id};
				if ($acked) { $full_ok{$id} = [$f]; delete $full_absent_ok{$id}; }
				else
				{
					$full_absent_ok{$id} = 1 unless exists $full_ok{$id};
					push @{ $full_ok{$id} }, $f;
				}
				push @problems, "$id: written after it was completed"
				  if $completed{$id};
				$completed{$id} = 1 if $acked && $f->{status} eq 'completed';
				$ids{$id} = 1;
			}
			for my $id (keys %ids)
			{
				if ($acked)
				{
					$acked_writes{$id}++;
					push @{ $acked_versions{$id} }, $u->{versions}{$id};
				}
				else { $maybe_writes{$id}++; }
			}
		}
	}

	# every acknowledged write, or a later one in flight
	for my $k (sort keys %acceptable)
	{
		my ($id, $key) = split /\0/, $k;
		my $got = $db->{$id} ? $db->{$id}{steps}{$key} : undef;
		if (!defined $got)
		{
			push @problems, "$id/$key: missing (expected one of "
			  . join(',', sort keys %{ $acceptable{$k} }) . ')'
			  unless $absent_ok{$k};
		}
		elsif (!$acceptable{$k}{$got})
		{
			push @problems, "$id/$key: holds $got, expected one of "
			  . join(',', sort keys %{ $acceptable{$k} });
		}
	}
	# nothing that was never written
	for my $id (sort keys %$db)
	{
		next unless $id =~ /^wf_/;
		for my $key (sort keys %{ $db->{$id}{steps} })
		{
			push @problems, "$id/$key: holds $db->{$id}{steps}{$key}, never written"
			  unless $acceptable{"$id\0$key"};
		}
	}
	# whole snapshots: exactly the last acknowledged one or one in flight,
	# with the status it was saved with
	for my $id (sort keys %full_ok)
	{
		my $got = $db->{$id};
		if (!$got)
		{
			push @problems, "$id: missing" unless $full_absent_ok{$id};
			next;
		}
		my $have = "$got->{status}:"
		  . join(',', map { "$_=$got->{steps}{$_}" } sort keys %{ $got->{steps} });
		my @want = map {
			my $f = $_;
			"$f->{status}:" . join(',', map { "$_=$f->{steps}{$_}" } sort keys %{ $f->{steps} })
		} @{ $full_ok{$id} };
		push @problems, "$id: holds {$have}, expected one of " . join(' or ', map { "{$_}" } @want)
		  unless grep { $_ eq $have } @want;
	}
	# a unit in flight is all or nothing (where nothing later overwrote it)
	my %seen_unit;
	for my $k (sort keys %last_writer)
	{
		my $u = $last_writer{$k};
		next if $u->{status} ne 'maybe' || $seen_unit{$u}++;
		my @mine = grep { $last_writer{"$_->{id}\0$_->{key}"} == $u } @{ $u->{writes} };
		next if @mine < 2;
		my $landed = grep {
			my $s = $db->{ $_->{id} };
			$s && defined $s->{steps}{ $_->{key} } && $s->{steps}{ $_->{key} } eq $_->{tag}
		} @mine;
		push @problems, "client $u->{client} round $u->{round} unit $u->{seq}: "
		  . "$landed of " . scalar(@mine) . ' writes landed'
		  if $landed != 0 && $landed != @mine;
	}
	# versions: one per write, acknowledged versions distinct
	my %all_ids = map { $_ => 1 } (keys %acked_writes, keys %maybe_writes, keys %$db);
	for my $id (sort keys %all_ids)
	{
		my $lo = $acked_writes{$id} // 0;
		my $hi = $lo + ($maybe_writes{$id} // 0);
		my $v = $db->{$id} ? $db->{$id}{version} : 0;
		push @problems, "$id: version $v, expected $lo..$hi" if $v < $lo || $v > $hi;
		my %seen;
		for my $av (@{ $acked_versions{$id} || [] })
		{
			push @problems, "$id: version $av acknowledged twice" if $seen{$av}++;
			push @problems, "$id: version $av acknowledged, stored $v" if $av > $v;
		}
		for my $key (sort keys %{ $db->{$id}{bad_pad} || {} })
		{
			push @problems, "$id/$key: padding damaged";
		}
	}
	return @problems;
}

# Checks that need no log: every row consistent with the others.
sub check_structure
{
	my ($label) = @_;
	my $bad = $node->safe_psql(
		'postgres', q{
SELECT w.id || ': ' || x.problem
  FROM workflow_persist.wf_workflow w,
  LATERAL (
    SELECT 'does not validate' AS problem
     WHERE NOT workflow_persist.wf_is_valid(workflow_persist.wf_load(w.id))
    UNION ALL
    -- nothing here waits for a decision or is suspended or cancelled, so
    -- the status column is execution.status
    SELECT 'status ' || w.status || ', execution.status ' || (w.execution->>'status')
     WHERE w.status IS DISTINCT FROM w.execution->>'status'
    UNION ALL
    -- the event of a completing write commits with it
    SELECT w.status || ', with ' || count(*) || ' "completed" events'
      FROM workflow_persist.wf_event e
     WHERE e.workflow_id = w.id AND e.event = 'completed'
    HAVING (w.status = 'completed') <> (count(*) = 1) OR count(*) > 1
    UNION ALL
    SELECT 'step_count ' || w.step_count || ', ' || count(*) || ' step rows'
      FROM workflow_persist.wf_step s WHERE s.workflow_id = w.id
    HAVING count(*) <> w.step_count
    UNION ALL
    SELECT 'positions not unique or not below next_pos'
      FROM workflow_persist.wf_step s WHERE s.workflow_id = w.id
    HAVING count(DISTINCT s.pos) <> count(*) OR max(s.pos) >= w.next_pos
    UNION ALL
    -- size_bytes: the footprint every writer computes (docs/design.md,
    -- "Size accounting"): extra's bytes plus 3 per member, execution's
    -- key, bytes and 11, "steps" 20, and per step its key, value and 7
    -- (jsonb || an empty object gives an uncompressed copy of a value)
    SELECT 'size_bytes ' || w.size_bytes || ', recomputed ' || x.size
      FROM (SELECT COALESCE(sum(octet_length(s.step_key) + s.size_bytes + 7), 0)
                   + COALESCE(pg_column_size(w.execution || jsonb_build_object()) + 16, 0)
                   + pg_column_size(w.extra || jsonb_build_object())
                   + 3 * (SELECT count(*) FROM jsonb_object_keys(w.extra))
                   + 20 AS size
              FROM workflow_persist.wf_step s WHERE s.workflow_id = w.id) x
     WHERE x.size <> w.size_bytes
    UNION ALL
    -- and the assembled snapshot is never larger than that
    SELECT 'loads as ' || pg_column_size(workflow_persist.wf_load(w.id))
           || ' bytes, more than size_bytes ' || w.size_bytes
     WHERE pg_column_size(workflow_persist.wf_load(w.id)) > w.size_bytes
    UNION ALL
    SELECT 'wf_load and wf_steps disagree'
     WHERE (SELECT array_agg(k COLLATE "C" ORDER BY k COLLATE "C")
              FROM jsonb_object_keys(workflow_persist.wf_load(w.id)->'steps') k)
           IS DISTINCT FROM
           (SELECT array_agg(t.step_key COLLATE "C" ORDER BY t.step_key COLLATE "C")
              FROM workflow_persist.wf_steps(w.id) t)
  ) x
UNION ALL
SELECT 'orphan step row ' || s.workflow_id || '/' || s.step_key
  FROM workflow_persist.wf_step s
 WHERE NOT EXISTS (SELECT FROM workflow_persist.wf_workflow w WHERE w.id = s.workflow_id)
UNION ALL
SELECT 'orphan event row ' || e.workflow_id || '/' || e.seq
  FROM workflow_persist.wf_event e
 WHERE NOT EXISTS (SELECT FROM workflow_persist.wf_workflow w WHERE w.id = e.workflow_id)
ORDER BY 1});
	is($bad, '', "$label: headers, step rows and snapshots consistent");

	my $corrupt = $node->safe_psql(
		'postgres', q{
SELECT string_agg(c.relname || ': ' || v.msg, E'\n')
  FROM pg_class c
  CROSS JOIN LATERAL verify_heapam(c.oid, check_toast => true) v
 WHERE c.oid IN ('workflow_persist.wf_workflow'::regclass, 'workflow_persist.wf_step'::regclass,
                 'workflow_persist.wf_event'::regclass)});
	is($corrupt, '', "$label: amcheck finds the heaps sound");
	# bt_index_check raises on corruption; every index of the tables is
	# checked (and there are at least the 7 the first version had)
	my $indexes = $node->safe_psql(
		'postgres', q{
SELECT count(bt_index_check(i.indexrelid, true)) || '/' || count(*)
  FROM pg_index i
 WHERE i.indrelid IN ('workflow_persist.wf_workflow'::regclass, 'workflow_persist.wf_step'::regclass,
                      'workflow_persist.wf_event'::regclass)});
	my ($checked, $total) = split m{/}, $indexes;
	ok($checked == $total && $total >= 7,
		"$label: amcheck finds all $total indexes sound (heapallindexed)");
	return;
}

# ---------------------------------------------------------------------------
# Two rounds of load, crash, recovery, check
# ---------------------------------------------------------------------------

my @history = map { [] } 1 .. $N_CLIENTS;

for my $round (1, 2)
{
	my @units = map { make_units($_, $round) } 0 .. $N_CLIENTS - 1;
	my $clients = start_clients($round, \@units);

	ok(wait_for_acks($clients, $ACKS_BEFORE_CHECKPOINT),
		"round $round: clients are writing");
	# the crash comes after a checkpoint: recovery starts from it
	$node->safe_psql('postgres', 'CHECKPOINT');
	ok(wait_for_acks($clients, $ACKS_BEFORE_CRASH),
		"round $round: clients still writing after a checkpoint");

	$node->stop('immediate');
	collect_clients($round, $clients, \@units);
	push @{ $history[$_] }, @{ $units[$_] } for 0 .. $N_CLIENTS - 1;

	$node->start;
	my $db = read_db();
	note("round $round: " . scalar(keys %$db) . ' workflows after recovery');

	# the load covered what it is meant to: completed runs left behind
	# (later saves went to a new generation) and long whole-snapshot saves
	my $cover = $node->safe_psql(
		'postgres', q{
SELECT count(*) FILTER (WHERE status = 'completed' AND id LIKE 'c%_full_%'),
       count(*) FILTER (WHERE status = 'failed'),
       max(step_count) FILTER (WHERE id LIKE 'c%_full_1_%')
  FROM workflow_persist.wf_workflow});
	my ($n_completed, $n_failed, $longest) = split /\|/, $cover;
	note("round $round: $n_completed completed whole-snapshot runs, $n_failed failed runs, "
		  . "longest whole snapshot $longest steps");
	ok($n_completed > 0 && $n_failed > 0 && $longest >= 100,
		"round $round: completed, failed and ~120-step runs were written");

	my @problems = check_state($db, \@history);
	is(join("\n", @problems), '',
		"round $round: every acknowledged write survived, nothing else appeared");
	check_structure("round $round");

	if ($round == 1)
	{
		# the checker can fail: a write that was never made is noticed
		my @fake = map { [@$_] } @history;
		push @{ $fake[0] },
		  { client => 0, round => 1, seq => -1, status => 'acked',
			writes => [ { id => 'wf_00', key => 'c0_k0', tag => 'never-written' } ],
			full => undef, versions => { wf_00 => 999999 } };
		my @fake_problems = check_state($db, \@fake);
		ok(scalar(grep { /never-written/ } @fake_problems),
			'checker reports an acknowledged write that is not stored');
		ok(scalar(grep { /wf_00: version/ } @fake_problems),
			'checker reports a version that was never reached');

		# ... and so is a write acknowledged after the run was completed
		my ($done) = grep { $_->{status} eq 'acked' && $_->{full} && $_->{full}{status} eq 'completed' }
		  @{ $history[0] };
		@fake = map { [@$_] } @history;
		push @{ $fake[0] },
		  { client => 0, round => 1, seq => -2, status => 'acked', writes => [],
			full => { %{ $done->{full} } }, versions => { $done->{full}{id} => 2 } };
		ok(scalar(grep { /written after it was completed/ } check_state($db, \@fake)),
			'checker reports a write acknowledged after its run was completed');
	}
}

# the recovered store still takes writes
is( $node->safe_psql(
		'postgres',
		q{SELECT workflow_persist.wf_save_step('after', 'k', '{"ok":true,"value":1}')}),
	'1',
	'a write after two crashes');

$node->stop;
done_testing();
