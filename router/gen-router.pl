#!/usr/bin/perl
# router/gen-router.pl: the install script of the extension
# workflow_persist_router, generated from the main install script.
#
#   router/gen-router.pl sql/workflow_persist.sql > router/workflow_persist_router--V.sql
#   router/gen-router.pl --check sql/workflow_persist.sql
#
# Every function of sql/workflow_persist.sql gets, in the router database, a
# function of the same name and signature (docs/scale-out.md):
#   - pure functions (IMMUTABLE) are the same functions, run locally;
#   - a function whose first argument is "id" is about one workflow: a
#     PL/Proxy function that runs it on the shard owning the workflow,
#     RUN ON wf_shard_hash(namespace, id).  The namespace is the function's
#     argument "namespace" when it has one (NULL: the router session's
#     setting workflow_persist.namespace, else 'default'), and 'default'
#     for a function without one.  A new such function is routed with no
#     change here;
#   - the functions over many workflows (%FANOUT) run on every shard and
#     the router merges the rows: global order, limit, keyset cursors;
#   - %SPECIAL are written out below (replay and fork name a second
#     workflow, which may live on another shard; the grants are local);
#   - %EXCLUDED are not routed, each for the reason given.
# --check exits 1, naming them, when a function is none of these, or when a
# fan-out or special function's signature is no longer the one written here.
use strict;
use warnings;

my $check = 0;
if (@ARGV && $ARGV[0] eq '--check') { $check = 1; shift @ARGV; }
my $src = shift @ARGV or die "usage: $0 [--check] sql/workflow_persist.sql\n";
open my $fh, '<', $src or die "$src: $!\n";
my $text = do { local $/; <$fh> };
close $fh;

# The schema of the internal PL/Proxy functions the wrappers call.
my $R = 'workflow_persist_route';

# ---- the functions over many workflows: merged by the router ----
# order: the ORDER BY of the merged rows (as on one server); limit: the
# argument that limits the rows; one_if: an argument that, when not NULL,
# names one workflow (then only its shard is asked).
my %FANOUT = (
	wf_list => { sig => 'text,text,int4,text',
		order => 'r.updated_at DESC, r.namespace COLLATE "C", r.id COLLATE "C"', limit => 'max_rows' },
	wf_list_page => { sig => 'text,text,int4,text',
		order => 'r.updated_at DESC, r.namespace COLLATE "C", r.id COLLATE "C"', limit => 'max_rows' },
	wf_pending => { sig => 'text',
		order => 'r.since DESC, r.namespace COLLATE "C", r.id COLLATE "C", r.step_key COLLATE "C"', one_if => 'id' },
	wf_verify => { sig => 'text', order => 'r.id COLLATE "C", r.problem', one_if => 'id' },
);
# the same functions as on one server, run here
my %LOCAL = (
	wf_namespace => 'resolves NULL to this session\'s workflow_persist.namespace and checks the rule',
);
# written out in full below: name => the signature they are written for
my %SPECIAL = (
	wf_resolve => 'text,text',
	wf_cleanup => 'int4,int8,bool,text',
	wf_set_retention => 'text,interval,text',
	wf_replay => 'text,text,text',
	wf_fork => 'text,text,text,text',
	wf_stats => 'text',
	wf_grant_access => 'regrole,bool',
	wf_revoke_access => 'regrole',
);
my %EXCLUDED = (
	wf_cleanup_all => 'a procedure that commits per batch: run it (or the background worker) on each shard',
	wf_checkpoint_trigger => 'a trigger function: the tables it checkpoints live on the shards',
	wf_attach_checkpoint => 'attaches a trigger to a table of the shard it runs on',
	wf_detach_checkpoint => 'detaches a trigger from a table of the shard it runs on',
	wf_shard_prune => 'resharding runs it on each shard itself (docs/scale-out.md)',
	wf_notification => 'a notification is sent, and its token sealed, by the shard that wrote the workflow: LISTEN there and open it there',
	wf_cleanup_try_lock => 'internal to wf_cleanup, which runs on each shard',
	wf_cleanup_lock_holder => 'internal to wf_cleanup, which runs on each shard',
	wf_forget_history => 'internal to wf_cleanup, which runs on each shard',
);

# ---- read the main install script's functions ----
my @funcs;
my %comment;
my $pos = 0;
while ($text =~ /\G(.*?)^(CREATE (FUNCTION|PROCEDURE) \@extschema\@\.(\w+)\()/gms)
{
	my ($kind, $name) = ($3, $4);
	my $start = $-[2];
	my $args_start = $+[2];
	# the argument list: up to the matching parenthesis
	my $depth = 1;
	my $i = $args_start;
	my $q = 0;
	while ($depth > 0)
	{
		my $c = substr($text, $i, 1);
		die "$src: unbalanced arguments of $name\n" if $c eq '';
		if ($c eq "'") { $q = !$q; }
		elsif (!$q && $c eq '(') { $depth++; }
		elsif (!$q && $c eq ')') { $depth--; }
		$i++;
	}
	my $args = substr($text, $args_start, $i - 1 - $args_start);
	# the statement ends at the first ';' at the end of a line outside $$
	my $rest = substr($text, $i);
	my $end;
	my $inq = 0;
	while ($rest =~ /(\$\$)|(;[ \t]*$)/gm)
	{
		if (defined $1) { $inq = !$inq; next; }
		next if $inq;
		$end = $i + $+[0];
		last;
	}
	die "$src: no end of $name\n" unless defined $end;
	my $stmt = substr($text, $start, $end - $start);
	my ($returns) = $stmt =~ /\)\s*(RETURNS\s.*?)\s*(?:AS 'MODULE_PATHNAME'|LANGUAGE)/s;
	$returns //= '';    # OUT arguments only
	my ($lang) = $stmt =~ /LANGUAGE\s+(\w+)/;
	my @a = parse_args($args, $name);
	push @funcs, { kind => $kind, name => $name, args => $args, argv => \@a,
		returns => $returns, stmt => $stmt, lang => $lang,
		immutable => scalar($stmt =~ /^LANGUAGE[^\n]*\bIMMUTABLE\b/m),
		sig => join(',', map { $_->{type} } @a) };
	pos($text) = $end;
}
while ($text =~ /^(COMMENT ON FUNCTION \@extschema\@\.(\w+)\(.*?'(?:[^']|'')*';)$/gms)
{
	$comment{$2} = $1;
}

sub parse_args
{
	my ($args, $name) = @_;
	my @out;
	my ($depth, $q, $cur) = (0, 0, '');
	for my $c (split //, $args . ',')
	{
		if ($c eq "'") { $q = !$q; }
		elsif (!$q && $c eq '(') { $depth++; }
		elsif (!$q && $c eq ')') { $depth--; }
		if ($c eq ',' && !$q && $depth == 0)
		{
			$cur =~ s/^\s+|\s+$//g;
			if ($cur ne '')
			{
				my $mode = $cur =~ s/^(IN|OUT|INOUT|VARIADIC)\s+//i ? uc $1 : 'IN';
				my ($n, $t, $d) = $cur =~ /^("\w+"|\w+)\s+(\S+)(?:\s+DEFAULT\s+(.*))?$/s
				  or die "$src: cannot read argument \"$cur\" of $name\n";
				$n =~ s/^"(.*)"$/$1/;
				$t =~ s/^pg_catalog\.//;
				# OUT arguments are part of the result, not of the call
				push @out, { name => $n, type => $t, default => $d } unless $mode eq 'OUT';
			}
			$cur = '';
			next;
		}
		$cur .= $c;
	}
	return @out;
}

# ---- classify ----
my (@problems, %seen);
for my $f (@funcs)
{
	my $n = $f->{name};
	$seen{$n} = 1;
	if ($EXCLUDED{$n}) { $f->{class} = 'excluded'; }
	elsif ($LOCAL{$n}) { $f->{class} = 'local'; }
	elsif (exists $SPECIAL{$n})
	{
		$f->{class} = 'special';
		push @problems, "$n($f->{sig}): written for ($SPECIAL{$n}) in router/gen-router.pl: update it"
		  if $f->{sig} ne $SPECIAL{$n};
	}
	elsif ($FANOUT{$n})
	{
		$f->{class} = 'fanout';
		my $want = $FANOUT{$n}{sig};
		my $got = $f->{sig};
		# a trailing namespace argument is routed by the generic code
		$got =~ s/,text$// if @{ $f->{argv} } && $f->{argv}[-1]{name} =~ /^(wanted_)?namespace$/;
		push @problems, "$n($f->{sig}): fan-out written for ($want) in router/gen-router.pl: update it"
		  if $got ne $want;
	}
	elsif ($f->{immutable}) { $f->{class} = 'local'; }
	elsif ($f->{kind} eq 'FUNCTION' && @{ $f->{argv} } && $f->{argv}[0]{name} eq 'id'
		   && defined $f->{argv}[0]{default} && $f->{argv}[0]{default} =~ /^NULL$/i)
	{
		# a NULL id may mean every workflow (as in wf_pending, wf_verify)
		push @problems, "$n($f->{sig}): its id may be NULL (every workflow?): add it to %FANOUT (one_if => 'id') or %SPECIAL of router/gen-router.pl";
	}
	elsif ($f->{kind} eq 'FUNCTION' && @{ $f->{argv} } && $f->{argv}[0]{name} eq 'id')
	{
		$f->{class} = 'routed';
	}
	else
	{
		push @problems, "$n($f->{sig}): neither routed nor excluded: add it to %FANOUT, %SPECIAL or %EXCLUDED of router/gen-router.pl";
	}
}
for my $n (sort(keys %FANOUT, keys %SPECIAL, keys %EXCLUDED, keys %LOCAL))
{
	push @problems, "$n: named in router/gen-router.pl but not a function of $src"
	  unless $seen{$n};
}
if ($check)
{
	print STDERR "gen-router: $_\n" for @problems;
	for my $f (@funcs)
	{
		printf "%-24s %-9s %-8s %s\n", $f->{name}, $f->{class} // "none", volatility($f), $f->{sig};
	}
	exit(@problems ? 1 : 0);
}
warn "gen-router: $_\n" for @problems;

# ---- emit ----
my $out = '';
sub emit { $out .= join('', @_); }

sub is_ns { return $_[0] =~ /^(wanted_)?namespace$/; }
sub has_ns { my ($f) = @_; return scalar grep { is_ns($_->{name}) } @{ $f->{argv} }; }
sub ns_name { my ($f) = @_; my ($a) = grep { is_ns($_->{name}) } @{ $f->{argv} }; return $a->{name}; }

# the namespace expression a router function routes (and passes) with
sub ns_expr
{
	my ($f, $ref) = @_;
	return "'default'" unless has_ns($f);
	return "COALESCE($ref, pg_catalog.current_setting('workflow_persist.namespace', true), 'default')";
}

# $1, $2 ... with the namespace argument resolved
sub call_args
{
	my ($f) = @_;
	my @a;
	my $i = 0;
	for my $a (@{ $f->{argv} })
	{
		$i++;
		push @a, is_ns($a->{name}) ? ns_expr($f, "\$$i") : "\$$i";
	}
	return join(', ', @a);
}

# the internal function's arguments: the original's, OUT ones included
sub internal_args
{
	my ($f) = @_;
	return $f->{args};
}

# set-returning, or a row of OUT arguments: read with SELECT * FROM
sub returns_rows
{
	my ($f) = @_;
	return $f->{returns} =~ /RETURNS\s+(TABLE|SETOF)/ || $f->{args} =~ /(^|,)\s*(OUT|INOUT)\s/;
}

sub header
{
	my ($f, $lang) = @_;
	return "CREATE FUNCTION \@extschema\@.$f->{name}($f->{args})\n$f->{returns}\n$lang";
}

# STRICT as the original: a NULL argument gives NULL, asking no shard
sub strict
{
	my ($f) = @_;
	return $f->{stmt} =~ /^LANGUAGE[^\n]*\bSTRICT\b/m ? ' STRICT' : '';
}

sub volatility
{
	my ($f) = @_;
	return $f->{stmt} =~ /^LANGUAGE[^\n]*\bSTABLE\b/m ? 'STABLE' : 'VOLATILE';
}

emit(<<"EOS");
-- workflow_persist_router: GENERATED by router/gen-router.pl from
-- sql/workflow_persist.sql; edit those, not this file.
--
-- The SQL API of workflow_persist, in a router database: calls about one
-- workflow run on the shard that owns it, calls about many on every shard,
-- merged here.  The shards are PL/Proxy's cluster "workflow_persist": a
-- SQL/MED server of that name whose options p0 .. p(N-1) are the shards'
-- connection strings (N a power of two), and a user mapping
-- (docs/scale-out.md).
\\echo Use "CREATE EXTENSION workflow_persist_router" to load this file. \\quit

-- as on one server: the pure functions are everyone's, the rest is granted
GRANT USAGE ON SCHEMA \@extschema\@ TO PUBLIC;
CREATE SCHEMA $R;
COMMENT ON SCHEMA $R IS 'workflow_persist_router: the PL/Proxy functions behind the routed API';
REVOKE ALL ON SCHEMA $R FROM PUBLIC;

-- The number of shards: the partitions p0, p1 ... of the SQL/MED server
-- workflow_persist.
CREATE FUNCTION \@extschema\@.wf_router_partitions()
RETURNS pg_catalog.int4
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS \$\$
    SELECT pg_catalog.count(*)::pg_catalog.int4
      FROM pg_catalog.pg_foreign_server AS s,
           LATERAL pg_catalog.unnest(s.srvoptions) AS o(opt)
     WHERE s.srvname = 'workflow_persist' AND o.opt ~ '^p[0-9]+='
\$\$;
COMMENT ON FUNCTION \@extschema\@.wf_router_partitions() IS
'how many shards the router has (the options p0 .. pN-1 of the server workflow_persist)';

-- The partition that owns a workflow (what RUN ON chooses).
CREATE FUNCTION \@extschema\@.wf_router_shard(id pg_catalog.text,
                                            namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int4
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS \$\$
    SELECT \@extschema\@.wf_shard_hash(COALESCE(\$2, pg_catalog.current_setting('workflow_persist.namespace', true), 'default'), \$1)
           & (\@extschema\@.wf_router_partitions() - 1)
\$\$;
COMMENT ON FUNCTION \@extschema\@.wf_router_shard(pg_catalog.text, pg_catalog.text) IS
'the shard (partition number) that owns a workflow';

EOS

for my $f (@funcs)
{
	my $n = $f->{name};
	my $c = $f->{class} // 'none';
	if ($c eq 'local')
	{
		emit("-- $n: pure, run here\n$f->{stmt}\n\n");
	}
	elsif ($c eq 'routed')
	{
		my $vol = volatility($f);
		if (!has_ns($f))
		{
			emit("-- $n: on the shard owning the workflow\n",
				header($f, "LANGUAGE plproxy VOLATILE" . strict($f)), "\n",
				"SET search_path = pg_catalog, pg_temp\n",
				"AS \$\$\n    CLUSTER 'workflow_persist';\n",
				"    RUN ON \@extschema\@.wf_shard_hash('default', id);\n\$\$;\n\n");
		}
		else
		{
			# the shard must see the namespace the router routed by
			emit("CREATE FUNCTION $R.$n(", internal_args($f), ")\n$f->{returns}\n",
				"LANGUAGE plproxy VOLATILE", strict($f), "\nSET search_path = pg_catalog, pg_temp\n",
				"AS \$\$\n    CLUSTER 'workflow_persist';\n",
				"    RUN ON \@extschema\@.wf_shard_hash(", ns_name($f), ", id);\n",
				"    TARGET \@extschema\@.$n;\n\$\$;\n");
			my $sel = returns_rows($f) ? "SELECT * FROM" : "SELECT";
			emit("-- $n: on the shard owning the workflow (namespace resolved here)\n",
				header($f, "LANGUAGE sql $vol" . strict($f)), "\n",
				"SET search_path = pg_catalog, pg_temp\n",
				"AS \$\$\n    $sel $R.$n(", call_args($f), ")\n\$\$;\n\n");
		}
	}
	elsif ($c eq 'fanout')
	{
		my $spec = $FANOUT{$n};
		my $vol = volatility($f);
		my $ret = $f->{returns};
		emit("CREATE FUNCTION $R.${n}_all(", internal_args($f), ")\n$ret\n",
			"LANGUAGE plproxy VOLATILE\nSET search_path = pg_catalog, pg_temp\n",
			"AS \$\$\n    CLUSTER 'workflow_persist';\n    RUN ON ALL;\n",
			"    TARGET \@extschema\@.$n;\n\$\$;\n");
		my $where = '';
		if ($spec->{one_if})
		{
			my ($k) = grep { $f->{argv}[$_]{name} eq $spec->{one_if} } 0 .. $#{ $f->{argv} };
			my $nsx = has_ns($f) ? ns_expr($f, '$' . (scalar @{ $f->{argv} })) : "'default'";
			emit("CREATE FUNCTION $R.${n}_one(", internal_args($f), ")\n$ret\n",
				"LANGUAGE plproxy VOLATILE\nSET search_path = pg_catalog, pg_temp\n",
				"AS \$\$\n    CLUSTER 'workflow_persist';\n",
				"    RUN ON \@extschema\@.wf_shard_hash(",
				(has_ns($f) ? ns_name($f) : "'default'"), ", $spec->{one_if});\n",
				"    TARGET \@extschema\@.$n;\n\$\$;\n");
			my $p = '$' . ($k + 1);
			emit("-- $n: every shard, merged (one shard when $spec->{one_if} is given)\n",
				header($f, "LANGUAGE sql $vol"), "\n",
				"SET search_path = pg_catalog, pg_temp\n",
				"AS \$\$\n    SELECT r.* FROM (\n",
				"        SELECT * FROM $R.${n}_all(", call_args($f), ") WHERE $p IS NULL\n",
				"        UNION ALL\n",
				"        SELECT * FROM $R.${n}_one(", call_args($f), ") WHERE $p IS NOT NULL) AS r\n",
				"     ORDER BY $spec->{order}\n\$\$;\n\n");
		}
		else
		{
			my ($k) = grep { $f->{argv}[$_]{name} eq $spec->{limit} } 0 .. $#{ $f->{argv} };
			emit("-- $n: every shard, merged in the one-server order and limit\n",
				header($f, "LANGUAGE sql $vol"), "\n",
				"SET search_path = pg_catalog, pg_temp\n",
				"AS \$\$\n    SELECT r.* FROM $R.${n}_all(", call_args($f), ") AS r\n",
				"     ORDER BY $spec->{order}\n     LIMIT \$", $k + 1, "\n\$\$;\n\n");
		}
	}
	elsif ($c eq 'excluded')
	{
		emit("-- $n: not routed: $EXCLUDED{$n}\n\n");
	}
	elsif ($c eq 'special')
	{
		# written below
	}
	else
	{
		emit("-- $n: NOT ROUTED (router/gen-router.pl --check names it)\n\n");
	}
}

emit(<<"EOS");
------------------------------------------------------------------------------
-- Written out: functions over many workflows, and those naming two
------------------------------------------------------------------------------

-- wf_resolve: the candidates of every shard, in id order, then the rule of
-- one server (21000 when several, P0002 when none)
CREATE FUNCTION $R.wf_resolve_candidates(id_prefix pg_catalog.text, upper pg_catalog.text,
                                         ns pg_catalog.text)
RETURNS SETOF pg_catalog.text
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON ALL;
    SELECT w.id FROM workflow_persist.wf_live AS w
     WHERE w.namespace = ns AND w.id >= id_prefix AND (upper IS NULL OR w.id < upper)
     ORDER BY w.id LIMIT 6;
\$\$;
CREATE FUNCTION \@extschema\@.wf_resolve(id_prefix pg_catalog.text,
                                        namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS \$\$
DECLARE
    found pg_catalog.text[];
    ns pg_catalog.text := \@extschema\@.wf_namespace(namespace);
BEGIN
    IF id_prefix IS NULL OR id_prefix = '' THEN
        RAISE EXCEPTION 'id_prefix must not be empty' USING ERRCODE = '22023';
    END IF;
    SELECT pg_catalog.array_agg(c.id ORDER BY c.id COLLATE "C") INTO found
      FROM (SELECT x.id FROM $R.wf_resolve_candidates(id_prefix,
                \@extschema\@.wf_prefix_upper_bound(id_prefix), ns) AS x(id)
             ORDER BY x.id COLLATE "C" LIMIT 6) AS c;
    IF found IS NULL THEN
        RAISE EXCEPTION 'no workflow id starts with "%"', id_prefix
            USING ERRCODE = 'P0002';
    END IF;
    IF pg_catalog.cardinality(found) > 1 THEN
        RAISE EXCEPTION 'workflow id prefix "%" is ambiguous', id_prefix
            USING ERRCODE = '21000',
                  DETAIL = 'Candidates: ' || pg_catalog.array_to_string(found[1:5], ', ')
                           || CASE WHEN pg_catalog.cardinality(found) > 5 THEN ', ...' ELSE '' END,
                  HINT = 'Give more of the id.';
    END IF;
    RETURN found[1];
END
\$\$;

-- wf_cleanup: every shard; with max_rows, one shard after the other with
-- what is left of it, so that no more than max_rows are deleted in all
CREATE FUNCTION $R.wf_cleanup_all(batch_size pg_catalog.int4, max_rows pg_catalog.int8,
                                  dry_run pg_catalog.bool, namespace pg_catalog.text)
RETURNS SETOF pg_catalog.int8
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON ALL;
    TARGET \@extschema\@.wf_cleanup;
\$\$;
CREATE FUNCTION $R.wf_cleanup_on(shard pg_catalog.int4, batch_size pg_catalog.int4,
                                 max_rows pg_catalog.int8, dry_run pg_catalog.bool,
                                 namespace pg_catalog.text)
RETURNS pg_catalog.int8
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON shard;
    SELECT \@extschema\@.wf_cleanup(batch_size, max_rows, dry_run, namespace);
\$\$;
CREATE FUNCTION \@extschema\@.wf_cleanup(batch_size pg_catalog.int4 DEFAULT 1000,
                                       max_rows pg_catalog.int8 DEFAULT NULL,
                                       dry_run pg_catalog.bool DEFAULT false,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
DECLARE
    total pg_catalog.int8 := 0;
    shards pg_catalog.int4 := \@extschema\@.wf_router_partitions();
    ns pg_catalog.text := \@extschema\@.wf_namespace(namespace, true);
BEGIN
    IF max_rows IS NULL THEN
        SELECT COALESCE(pg_catalog.sum(n), 0)::pg_catalog.int8 INTO total
          FROM $R.wf_cleanup_all(batch_size, max_rows, dry_run, ns) AS n;
        RETURN total;
    END IF;
    FOR p IN 0 .. shards - 1 LOOP
        total := total + $R.wf_cleanup_on(p, batch_size, max_rows - total, dry_run, ns);
        EXIT WHEN total >= max_rows;
    END LOOP;
    RETURN total;
END
\$\$;

-- wf_set_retention: the same policy on every shard
CREATE FUNCTION $R.wf_set_retention_all(status pg_catalog.text, keep pg_catalog.interval,
                                        namespace pg_catalog.text)
RETURNS SETOF pg_catalog.int4
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON ALL;
    SELECT 1 FROM (SELECT \@extschema\@.wf_set_retention(status, keep, namespace)) AS x;
\$\$;
CREATE FUNCTION \@extschema\@.wf_set_retention(status pg_catalog.text, keep pg_catalog.interval,
                                              namespace pg_catalog.text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
BEGIN
    PERFORM pg_catalog.count(*) FROM $R.wf_set_retention_all(status, keep, \@extschema\@.wf_namespace(namespace));
END
\$\$;

-- wf_replay and wf_fork name a second workflow.  The router picks a new id
-- the source's shard owns when none is given; a given new_id another shard
-- owns is made on the source's shard, then moved to its owner.
CREATE FUNCTION $R.wf_replay_on(shard pg_catalog.int4, id pg_catalog.text, new_id pg_catalog.text,
                                ns pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON shard;
    SELECT \@extschema\@.wf_replay(id, new_id, ns);
\$\$;
CREATE FUNCTION $R.wf_fork_on(shard pg_catalog.int4, id pg_catalog.text, new_id pg_catalog.text,
                              up_to_step pg_catalog.text, ns pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON shard;
    SELECT \@extschema\@.wf_fork(id, new_id, up_to_step, ns);
\$\$;
CREATE FUNCTION $R.wf_load_on(shard pg_catalog.int4, id pg_catalog.text, ns pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON shard;
    SELECT \@extschema\@.wf_load(id, namespace => ns);
\$\$;
CREATE FUNCTION $R.wf_delete_on(shard pg_catalog.int4, id pg_catalog.text, ns pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON shard;
    SELECT \@extschema\@.wf_delete(id, ns);
\$\$;
CREATE FUNCTION $R.move(from_shard pg_catalog.int4, new_id pg_catalog.text, ns pg_catalog.text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
BEGIN
    IF \@extschema\@.wf_router_shard(new_id, ns) <> from_shard THEN
        PERFORM \@extschema\@.wf_save(new_id, $R.wf_load_on(from_shard, new_id, ns), namespace => ns);
        PERFORM $R.wf_delete_on(from_shard, new_id, ns);
    END IF;
END
\$\$;
CREATE FUNCTION \@extschema\@.wf_replay(id pg_catalog.text, new_id pg_catalog.text DEFAULT NULL,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
DECLARE
    ns pg_catalog.text := \@extschema\@.wf_namespace(namespace);
    shard pg_catalog.int4 := \@extschema\@.wf_router_shard(id, ns);
    made pg_catalog.text;
    candidate pg_catalog.text := new_id;
BEGIN
    IF candidate IS NULL THEN
        -- "<id>:replay-<8 hex>" as on one server, one the same shard owns
        LOOP
            candidate := id || ':replay-' || pg_catalog.substr(pg_catalog.md5(pg_catalog.random()::pg_catalog.text), 1, 8);
            EXIT WHEN pg_catalog.octet_length(candidate) > 512
                   OR \@extschema\@.wf_router_shard(candidate, ns) = shard;
        END LOOP;
        IF pg_catalog.octet_length(candidate) > 512 THEN
            LOOP
                candidate := pg_catalog.gen_random_uuid()::pg_catalog.text;
                EXIT WHEN \@extschema\@.wf_router_shard(candidate, ns) = shard;
            END LOOP;
        END IF;
    ELSIF \@extschema\@.wf_exists(candidate, ns) THEN
        -- the error of one server, from the shard that owns new_id
        RETURN $R.wf_replay_on(\@extschema\@.wf_router_shard(candidate, ns), candidate, candidate, ns);
    END IF;
    made := $R.wf_replay_on(shard, id, candidate, ns);
    PERFORM $R.move(shard, made, ns);
    RETURN made;
END
\$\$;
CREATE FUNCTION \@extschema\@.wf_fork(id pg_catalog.text, new_id pg_catalog.text,
                                    up_to_step pg_catalog.text,
                                    namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
DECLARE
    ns pg_catalog.text := \@extschema\@.wf_namespace(namespace);
    shard pg_catalog.int4 := \@extschema\@.wf_router_shard(id, ns);
    made pg_catalog.text;
BEGIN
    IF new_id IS NOT NULL AND \@extschema\@.wf_exists(new_id, ns) THEN
        RETURN $R.wf_fork_on(\@extschema\@.wf_router_shard(new_id, ns), new_id, new_id, up_to_step, ns);
    END IF;
    made := $R.wf_fork_on(shard, id, new_id, up_to_step, ns);
    PERFORM $R.move(shard, made, ns);
    RETURN made;
END
\$\$;

-- wf_step_sizes: the stored size of each step (wfctl inspect's column;
-- on one server wfctl reads it from wf_step)
CREATE FUNCTION $R.wf_step_sizes(id pg_catalog.text, ns pg_catalog.text)
RETURNS TABLE (step_key pg_catalog.text, size_bytes pg_catalog.int4)
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON \@extschema\@.wf_shard_hash(ns, id);
    SELECT s.step_key, s.size_bytes FROM workflow_persist.wf_step AS s
     WHERE s.namespace = ns AND s.workflow_id = id;
\$\$;
CREATE FUNCTION \@extschema\@.wf_step_sizes(id pg_catalog.text,
                                           namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (step_key pg_catalog.text, size_bytes pg_catalog.int4)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS \$\$
    SELECT * FROM $R.wf_step_sizes(\$1, \@extschema\@.wf_namespace(\$2))
\$\$;
COMMENT ON FUNCTION \@extschema\@.wf_step_sizes(pg_catalog.text, pg_catalog.text) IS
'router only: the stored size of each step of a workflow (what wfctl inspect shows)';

-- wf_stats, wf_retention: the views, over every shard
CREATE FUNCTION $R.wf_stats_all(namespace pg_catalog.text)
RETURNS TABLE (status pg_catalog.text, workflows pg_catalog.int8, steps pg_catalog.int8,
               bytes pg_catalog.int8, largest_id pg_catalog.text,
               largest_bytes pg_catalog.int8, expired pg_catalog.int8)
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON ALL;
    TARGET \@extschema\@.wf_stats;
\$\$;
CREATE FUNCTION \@extschema\@.wf_stats(namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (status pg_catalog.text, workflows pg_catalog.int8, steps pg_catalog.int8,
               bytes pg_catalog.int8, largest_id pg_catalog.text,
               largest_bytes pg_catalog.int8, expired pg_catalog.int8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS \$\$
SELECT s.status,
       pg_catalog.sum(s.workflows)::pg_catalog.int8 AS workflows,
       pg_catalog.sum(s.steps)::pg_catalog.int8 AS steps,
       pg_catalog.sum(s.bytes)::pg_catalog.int8 AS bytes,
       (pg_catalog.array_agg(s.largest_id ORDER BY s.largest_bytes DESC, s.largest_id COLLATE "C")
          FILTER (WHERE s.largest_id IS NOT NULL))[1] AS largest_id,
       pg_catalog.max(s.largest_bytes) AS largest_bytes,
       pg_catalog.sum(s.expired)::pg_catalog.int8 AS expired
  FROM $R.wf_stats_all(\@extschema\@.wf_namespace(\$1, true)) AS s
 GROUP BY s.status
\$\$;
CREATE VIEW \@extschema\@.wf_stats AS
SELECT s.status, s.workflows, s.steps, s.bytes, s.largest_id, s.largest_bytes, s.expired
  FROM \@extschema\@.wf_stats() AS s;
COMMENT ON VIEW \@extschema\@.wf_stats IS
'per status, over every shard: live workflows, their steps and bytes, the largest one, and expired rows awaiting deletion';

CREATE FUNCTION $R.wf_retention_all()
RETURNS TABLE (status pg_catalog.text, keep pg_catalog.interval, protected pg_catalog.bool)
LANGUAGE plproxy VOLATILE
SET search_path = pg_catalog, pg_temp
AS \$\$
    CLUSTER 'workflow_persist';
    RUN ON ALL;
    SELECT * FROM workflow_persist.wf_retention;
\$\$;
-- every shard has the same policies (wf_set_retention sets them on all);
-- a shard that differs shows as a second row for its status
CREATE VIEW \@extschema\@.wf_retention AS
SELECT r.status, r.keep, r.protected
  FROM (SELECT DISTINCT a.status, a.keep, a.protected FROM $R.wf_retention_all() AS a) AS r
 ORDER BY pg_catalog.array_position(ARRAY['running', 'suspended', 'completed', 'failed', 'cancelled'], r.status);

------------------------------------------------------------------------------
-- Privileges: as on one server, nothing that reads or writes workflows is
-- PUBLIC; the shards check the user of the user mapping again
------------------------------------------------------------------------------
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA \@extschema\@ FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA $R FROM PUBLIC;
REVOKE ALL ON \@extschema\@.wf_stats, \@extschema\@.wf_retention FROM PUBLIC;
EOS

# the pure functions stay PUBLIC, as on one server
for my $f (@funcs)
{
	next unless ($f->{class} // '') eq 'local';
	my $types = join(', ', map { $_->{type} =~ /\./ ? $_->{type} : "pg_catalog.$_->{type}" } @{ $f->{argv} });
	emit("GRANT EXECUTE ON FUNCTION \@extschema\@.$f->{name}($types) TO PUBLIC;\n");
}

emit(<<"EOS");

CREATE FUNCTION \@extschema\@.wf_grant_access(role pg_catalog.regrole,
                                            writable pg_catalog.bool DEFAULT true)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS \$\$
BEGIN
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA $R TO %s', role);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA \@extschema\@ TO %s', role);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA $R TO %s', role);
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION \@extschema\@.wf_grant_access(pg_catalog.regrole, pg_catalog.bool), \@extschema\@.wf_revoke_access(pg_catalog.regrole) FROM %s', role);
    EXECUTE pg_catalog.format('GRANT SELECT ON \@extschema\@.wf_stats, \@extschema\@.wf_retention TO %s', role);
    -- PL/Proxy's cluster: the role's calls reach the shards through it
    IF EXISTS (SELECT FROM pg_catalog.pg_foreign_server AS s WHERE s.srvname = 'workflow_persist') THEN
        EXECUTE pg_catalog.format('GRANT USAGE ON FOREIGN SERVER workflow_persist TO %s', role);
    END IF;
    IF NOT writable THEN
        -- the router cannot tell reads from writes on the shards: the
        -- shards' grants (wf_grant_access there) decide
        NULL;
    END IF;
END
\$\$;
COMMENT ON FUNCTION \@extschema\@.wf_grant_access(pg_catalog.regrole, pg_catalog.bool) IS
'let a role call the router''s functions (the shards'' own grants decide what it may read or write)';

CREATE FUNCTION \@extschema\@.wf_revoke_access(role pg_catalog.regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS \$\$
BEGIN
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA \@extschema\@ FROM %s', role);
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA $R FROM %s', role);
    EXECUTE pg_catalog.format('REVOKE ALL ON \@extschema\@.wf_stats, \@extschema\@.wf_retention FROM %s', role);
    EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA $R FROM %s', role);
    IF EXISTS (SELECT FROM pg_catalog.pg_foreign_server AS s WHERE s.srvname = 'workflow_persist') THEN
        EXECUTE pg_catalog.format('REVOKE USAGE ON FOREIGN SERVER workflow_persist FROM %s', role);
    END IF;
END
\$\$;
REVOKE EXECUTE ON FUNCTION
    \@extschema\@.wf_grant_access(pg_catalog.regrole, pg_catalog.bool),
    \@extschema\@.wf_revoke_access(pg_catalog.regrole)
FROM PUBLIC;

EOS

# the comments of the main functions, on their namesakes here
for my $f (@funcs)
{
	my $c = $f->{class} // '';
	next unless $c eq 'local' || $c eq 'routed' || $c eq 'fanout' || $c eq 'special';
	next unless $comment{$f->{name}};
	next if $f->{name} =~ /^wf_(grant|revoke)_access$/;
	emit($comment{$f->{name}}, "\n");
}

print $out;
