# The privilege matrix: what every role may do with every object of the
# extension, against the table of expected outcomes test/privilege_matrix.txt.
#
# Roles: the superuser, the extension's owner (a role that was superuser
# only to run CREATE EXTENSION), a writer and a reader (wf_grant_access,
# writable or not), and a role with no grants.  Objects: every function,
# procedure, table, view and sequence that belongs to the extension, read
# from the catalog (pg_depend on the extension), so a new one is covered
# without touching this file: it shows up as a cell the table does not
# have, and the test fails until the table says what it must give.  Each
# function is called with arguments chosen by parameter name and type
# (an unknown parameter fails the test); each table is read, inserted
# into, updated and deleted from; each view and sequence is read.
# Targets: the role's own workflow and another tenant's, with the
# row-level-security recipe of docs/reference.md on wf_workflow, wf_step
# and wf_event (the writer sees writer:*, the reader reader:*).  Every
# cell runs in a subtransaction that is rolled back, so cells do not
# affect each other; the procedure wf_cleanup_all, which commits, runs
# in its own session.
#
# Outcome: "ERROR <SQLSTATE>" (with " (rls)" for a row-level-security
# violation), or for a success "ok" (void), "true"/"false", "null",
# "value", "rows"/"no rows" (set-returning functions, tables and views,
# by how many rows the call returned or changed).
#
# WFP_MATRIX_WRITE=<file> writes the table from what the server does into
# that file (then review the diff against test/privilege_matrix.txt: every
# changed cell is a change of the security model).
use strict;
use warnings;

use File::Basename qw(dirname);
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $table_file = dirname(__FILE__) . '/../privilege_matrix.txt';

my $node = PostgreSQL::Test::Cluster->new('privilege_matrix');
$node->init;
$node->start;

my $superuser = $node->safe_psql('postgres', 'SELECT current_user');
$node->safe_psql('postgres', q{
CREATE ROLE wfm_owner SUPERUSER;
CREATE ROLE wfm_writer;
CREATE ROLE wfm_reader;
CREATE ROLE wfm_none;
SET ROLE wfm_owner;
CREATE EXTENSION workflow_persist;
RESET ROLE;
ALTER ROLE wfm_owner NOSUPERUSER;
SET search_path = workflow_persist, public;
SELECT wf_grant_access('wfm_writer');
SELECT wf_grant_access('wfm_reader', writable => false);
SELECT wf_set_retention('completed', '30 days');

-- the row-level-security recipe
ALTER TABLE wf_workflow ENABLE ROW LEVEL SECURITY;
ALTER TABLE wf_step ENABLE ROW LEVEL SECURITY;
ALTER TABLE wf_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY writer ON wf_workflow TO wfm_writer USING (id LIKE 'writer:%');
CREATE POLICY writer ON wf_step TO wfm_writer USING (workflow_id LIKE 'writer:%');
CREATE POLICY writer ON wf_event TO wfm_writer USING (workflow_id LIKE 'writer:%');
CREATE POLICY reader ON wf_workflow TO wfm_reader USING (id LIKE 'reader:%');
CREATE POLICY reader ON wf_step TO wfm_reader USING (workflow_id LIKE 'reader:%');
CREATE POLICY reader ON wf_event TO wfm_reader USING (workflow_id LIKE 'reader:%');

-- the targets: one per role, and the other tenant's; a done step and one
-- waiting for an approval (so the run is suspended, with an event)
SELECT count(wf_save_step(t || ':1', 'a', '{"ok": true}'))
     + count(wf_save_step(t || ':1', 'k',
             '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "k", "reason": "r"},
               "cause": {"type": "thrown", "stringRepresentation": "x"}}'))
  FROM unnest(ARRAY['superuser', 'owner', 'writer', 'reader', 'none', 'other']) AS t;

-- tables for the trigger and its attach/detach functions
CREATE TABLE public.mx (id text, k text, v jsonb);
CREATE TABLE public.mx2 (id text, k text, v jsonb);
SELECT wf_attach_checkpoint('public.mx', 'id', 'k', 'v');
GRANT ALL ON public.mx, public.mx2 TO PUBLIC;
CREATE SCHEMA matrix;
CREATE TABLE matrix.tokens (target text PRIMARY KEY, token text NOT NULL);
});

# a notification token per target, for wf_notification
my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN workflow_persist');
$listener->query_safe(q{SET workflow_persist.notify = on; SET search_path = workflow_persist});
# (a session gets its own notifications, printed after its queries)
my $out = '';
for my $t (qw(superuser owner writer reader none other))
{
	$out .= $listener->query_safe(qq{SELECT wf_save_step('$t:1', 'n', '{"ok": true}')});
}
my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
until ((() = $out =~ /"token"/g) >= 6)
{
	die 'no notifications' if time() > $deadline;
	$out .= $listener->query_safe('SELECT 1');
	usleep(10_000);
}
for my $token ($out =~ /"token": "([0-9a-f]+)"/g)
{
	$listener->query_safe(qq{INSERT INTO matrix.tokens
		SELECT n.id, '$token' FROM workflow_persist.wf_notification('$token') AS n});
}
$listener->quit;

# a template row per table (a copy of its row for "other:1", or its first
# row), taken by the superuser; INSERT cells insert it under a new key
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE matrix.template (rel oid, tpl jsonb);
DO $$
DECLARE
    r record;
    j jsonb;
BEGIN
    FOR r IN SELECT c.oid, c.oid::regclass AS name,
                    (SELECT a.attname FROM pg_attribute AS a WHERE a.attrelid = c.oid
                        AND a.attname IN ('id', 'workflow_id')) AS idcol
               FROM pg_depend AS d JOIN pg_class AS c ON d.objid = c.oid
              WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                AND d.classid = 'pg_class'::regclass AND c.relkind = 'r'
                AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'workflow_persist')
    LOOP
        EXECUTE format('SELECT to_jsonb(t) FROM %s AS t %s LIMIT 1', r.name,
                       CASE WHEN r.idcol IS NULL THEN ''
                            ELSE format('WHERE %I = ''other:1''', r.idcol) END) INTO j;
        INSERT INTO matrix.template VALUES (r.oid, j);
    END LOOP;
END $$;
SQL

$node->safe_psql('postgres', <<'SQL');
-- the argument of a parameter, by name and type ($T: the target's id)
CREATE FUNCTION matrix.arg(fn name, param text, typ regtype, p_target text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t text := quote_literal(p_target);
BEGIN
    RETURN CASE
        WHEN param IN ('id', 'id_prefix', 'prefix') AND typ = 'text'::regtype THEN t
        WHEN param = 'ids' THEN 'ARRAY[' || t || ']'
        WHEN param = 'new_id' THEN quote_literal(p_target || ':copy')
        WHEN param IN ('step_key', 'up_to_step') THEN '''k'''
        WHEN param = 'result' THEN '''{"ok": true}'''
        WHEN param IN ('snapshot', 'delta', 'base') THEN
            '''{"formatVersion": 1, "steps": {"a": {"ok": true}}, "execution": {"status": "running", "lastUpdated": "t"}}'''
        WHEN param = 'value' THEN '''true'''
        WHEN param IN ('note', 'reason', 'decided_by', 'owner', 'feedback') THEN '''x'''
        WHEN param = 'action' THEN '''k'''
        WHEN param = 'decision' THEN '''approve'''
        WHEN param IN ('data', 'request') THEN '''{}'''
        WHEN param = 'ttl' THEN '''1 hour'''
        WHEN param = 'keep' THEN '''1 day'''
        WHEN param IN ('expected_version', 'lease_token', 'since_step', 'step_limit',
                       'after', 'wanted_status') THEN 'NULL'
        WHEN param = 'max_rows' THEN '10'
        WHEN param = 'status' AND fn = 'wf_set_retention' THEN '''completed'''
        WHEN param = 'status' THEN 'NULL'
        WHEN param = 'include' THEN '''all'''
        WHEN param = 'token' AND fn = 'wf_notification' THEN
            quote_literal((SELECT k.token FROM matrix.tokens AS k WHERE k.target = p_target))
        WHEN param = 'token' THEN '''x'''
        WHEN param = 'batch_size' THEN '10'
        WHEN param = 'dry_run' THEN 'false'
        WHEN param = 'strict' THEN 'false'
        WHEN param = 'tbl' AND fn = 'wf_attach_checkpoint' THEN '''public.mx2'''
        WHEN param = 'tbl' THEN '''public.mx'''
        WHEN param = 'id_column' THEN '''id'''
        WHEN param = 'key_column' THEN '''k'''
        WHEN param = 'value_column' THEN '''v'''
        WHEN param = 'role' THEN '''wfm_none'''
        WHEN param = 'writable' THEN 'false'
        WHEN param = 'updated_at' THEN 'now()'
        WHEN param = 'namespace' AND fn = 'wf_shard_hash' THEN '''default'''
        WHEN param = 'tenant' THEN '''T'''
        WHEN param = 'tenants' THEN '''{T}'''
        WHEN param IN ('max_workflows', 'max_bytes') THEN '10'
        WHEN param = 'what' THEN '''x'''
        WHEN param IN ('namespace', 'namespaces', 'wanted_namespace', 'position') THEN 'NULL'
        WHEN param IN ('if_absent', 'missing_ok', 'many') THEN 'false'
        WHEN param = 'run' THEN '''{"status": "running"}'''
        WHEN param = 'step' THEN '''{"key": "k", "index": 0}'''
        WHEN param IN ('engine_data', 'metadata', 'state') THEN 'NULL'
        WHEN param = 'metadata_merge' THEN '''shallow'''
        WHEN param = 'shard' THEN '0'
        WHEN param = 'nshards' THEN '1'
    END;
END $$;

-- every cell: (object, role, target, the SQL to run, how to read its result)
CREATE FUNCTION matrix.cells(superuser text)
RETURNS TABLE (object text, role text, target text, sql text, kind text)
LANGUAGE sql AS $$
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'workflow_persist'),
roles(role, rolname) AS (VALUES ('superuser', superuser), ('owner', 'wfm_owner'),
                               ('writer', 'wfm_writer'), ('reader', 'wfm_reader'),
                               ('none', 'wfm_none')),
targets(target) AS (VALUES ('own'), ('other')),
funcs AS (
    SELECT p.oid, p.proname, p.prorettype, p.proretset,
           p.oid::regprocedure::text AS object
      FROM pg_depend AS d, ext, pg_proc AS p
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
       AND d.deptype = 'e' AND d.classid = 'pg_proc'::regclass AND d.objid = p.oid
       AND p.prokind = 'f'),
rels AS (
    SELECT c.oid, c.relname, c.relkind, c.oid::regclass::text AS object
      FROM pg_depend AS d, ext, pg_class AS c
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
       AND d.deptype = 'e' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid)
SELECT f.object, r.role, tg.target,
       CASE WHEN f.prorettype = 'trigger'::regtype
            THEN format('WITH x AS (INSERT INTO public.mx VALUES (%L, ''trig'', ''{"ok": true}'') RETURNING 1) SELECT count(*)::text FROM x', i.id)
            WHEN f.proretset
            THEN format('SELECT count(*)::text FROM workflow_persist.%I(%s)', f.proname, a.args)
            ELSE format('SELECT workflow_persist.%I(%s)::text', f.proname, a.args) END,
       CASE WHEN f.prorettype = 'trigger'::regtype THEN 'dml'
            WHEN f.proretset THEN 'count'
            WHEN f.prorettype = 'void'::regtype THEN 'void'
            ELSE 'scalar' END
  FROM funcs AS f CROSS JOIN roles AS r CROSS JOIN targets AS tg
 CROSS JOIN LATERAL (SELECT CASE WHEN tg.target = 'own' THEN r.role ELSE 'other' END || ':1' AS id) AS i
 CROSS JOIN LATERAL (
    SELECT COALESCE(string_agg(format('%I => %s', n.name,
                                      COALESCE(matrix.arg(f.proname, n.name, n.typ, i.id),
                                               'unknown parameter ' || f.proname || '.' || n.name)),
                               ', ' ORDER BY n.ord), '') AS args
      FROM unnest((SELECT p.proargnames FROM pg_proc AS p WHERE p.oid = f.oid),
                  (SELECT p.proargtypes::regtype[] FROM pg_proc AS p WHERE p.oid = f.oid))
           WITH ORDINALITY AS n(name, typ, ord)
     WHERE n.typ IS NOT NULL) AS a
UNION ALL
SELECT x.object || ' ' || op.op, r.role, tg.target, op.sql, 'dml'
  FROM rels AS x CROSS JOIN roles AS r CROSS JOIN targets AS tg
 CROSS JOIN LATERAL (SELECT CASE WHEN tg.target = 'own' THEN r.role ELSE 'other' END || ':1' AS id) AS i
 CROSS JOIN LATERAL (
    SELECT (SELECT a.attname FROM pg_attribute AS a
             WHERE a.attrelid = x.oid AND a.attname IN ('id', 'workflow_id')
               AND NOT a.attisdropped) AS idcol,
           (SELECT a.attname FROM pg_attribute AS a
             WHERE a.attrelid = x.oid AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attidentity = '' AND a.attgenerated = ''
             ORDER BY a.attnum LIMIT 1) AS col1) AS k0
 CROSS JOIN LATERAL (
    SELECT CASE WHEN k0.idcol IS NULL THEN 'true'
                ELSE format('%I = %L', k0.idcol, i.id) END AS filter) AS k
 CROSS JOIN LATERAL (
    SELECT 'SELECT' AS op,
           CASE WHEN x.relkind = 'S' THEN format('SELECT count(*)::text FROM %s', x.object)
                ELSE format('SELECT count(*)::text FROM %s WHERE %s', x.object, k.filter) END AS sql
    UNION ALL
    SELECT 'INSERT', format(
             'WITH i AS (INSERT INTO %s OVERRIDING SYSTEM VALUE SELECT (jsonb_populate_record(NULL::%s, %L::jsonb)).* RETURNING 1) SELECT count(*)::text FROM i',
             x.object, x.object,
             (SELECT t.tpl || CASE WHEN k0.idcol IS NULL THEN '{}'::jsonb
                                  ELSE jsonb_build_object(k0.idcol, i.id || ':ins') END
                FROM matrix.template AS t WHERE t.rel = x.oid))
     WHERE x.relkind = 'r'
    UNION ALL
    SELECT 'UPDATE', format('WITH u AS (UPDATE %s SET %I = %I WHERE %s RETURNING 1) SELECT count(*)::text FROM u',
                            x.object, k0.col1, k0.col1, k.filter)
     WHERE x.relkind = 'r'
    UNION ALL
    SELECT 'DELETE', format('WITH d AS (DELETE FROM %s WHERE %s RETURNING 1) SELECT count(*)::text FROM d',
                            x.object, k.filter)
     WHERE x.relkind = 'r') AS op
$$;
SQL

$node->safe_psql('postgres', q{
CREATE FUNCTION matrix.run(superuser text)
RETURNS TABLE (object text, role text, target text, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    c record;
    res text;
    rolname text;
BEGIN
    FOR c IN SELECT * FROM matrix.cells(superuser) ORDER BY 1, 2, 3 LOOP
        object := c.object;
        role := c.role;
        target := c.target;
        rolname := CASE c.role WHEN 'superuser' THEN superuser
                               ELSE 'wfm_' || c.role END;
        BEGIN
            IF c.sql LIKE '%unknown parameter%' THEN
                RAISE EXCEPTION '%', c.sql USING ERRCODE = 'WF001';
            END IF;
            EXECUTE format('SET LOCAL ROLE %I', rolname);
            EXECUTE c.sql INTO res;
            outcome := CASE
                WHEN c.kind = 'void' THEN 'ok'
                WHEN c.kind IN ('count', 'dml') THEN
                    CASE WHEN COALESCE(res, '0') = '0' THEN 'no rows' ELSE 'rows' END
                WHEN res IS NULL THEN 'null'
                WHEN res IN ('true', 'false') THEN res
                ELSE 'value' END;
            -- roll the cell back, whatever it did
            RAISE EXCEPTION 'cell done' USING ERRCODE = 'WF000';
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE = 'WF000' THEN
                NULL;
            ELSIF SQLSTATE = 'WF001' THEN
                outcome := SQLERRM;
            ELSE
                outcome := 'ERROR ' || SQLSTATE
                    || CASE WHEN SQLERRM LIKE '%row-level security%' THEN ' (rls)' ELSE '' END;
            END IF;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
});

my %actual;
my $rows = $node->safe_psql('postgres',
	"SET search_path = workflow_persist, pg_catalog; SELECT object || '|' || role || '|' || target || '|' || outcome FROM matrix.run('$superuser')"
);
for my $line (split /\n/, $rows)
{
	my ($object, $role, $target, $outcome) = split /\|/, $line;
	$actual{"$object|$role|$target"} = $outcome;
}

# the procedure, which commits, one session per role
for my $role (qw(superuser owner writer reader none))
{
	my $rolname = $role eq 'superuser' ? $superuser : "wfm_$role";
	my ($ret, $o, $err) = $node->psql('postgres',
		"\\set VERBOSITY verbose\nSET ROLE \"$rolname\";\nCALL workflow_persist.wf_cleanup_all(10)");
	my $outcome = $err =~ /ERROR:  ([0-9A-Z]{5}):/ ? "ERROR $1" : 'ok';
	$actual{"wf_cleanup_all(integer,bigint)|$role|$_"} = $outcome for qw(own other);
}

my $cells = keys %actual;
if ($ENV{WFP_MATRIX_WRITE})
{
	open my $fh, '>', $ENV{WFP_MATRIX_WRITE} or die "$ENV{WFP_MATRIX_WRITE}: $!";
	print $fh "# The privilege matrix of test/t/073_privilege_matrix.pl: object | role | target | outcome.\n";
	print $fh "# Regenerate with WFP_MATRIX_WRITE=<file> and review every changed line.\n";
	print $fh "$_|$actual{$_}\n" for sort keys %actual;
	close $fh;
}

my %expected;
open my $fh, '<', $table_file or die "$table_file: $!";
while (<$fh>)
{
	chomp;
	next if /^#/ || $_ eq '';
	my ($object, $role, $target, $outcome) = split /\|/;
	$expected{"$object|$role|$target"} = $outcome;
}
close $fh;

my @diff;
for my $cell (sort keys %actual)
{
	if (!exists $expected{$cell})
	{
		push @diff, "$cell: $actual{$cell} (not in the table: a new object?)";
	}
	elsif ($expected{$cell} ne $actual{$cell})
	{
		push @diff, "$cell: expected $expected{$cell}, got $actual{$cell}";
	}
}
for my $cell (sort keys %expected)
{
	push @diff, "$cell: expected $expected{$cell}, but the object is gone" unless exists $actual{$cell};
}
diag("differing cell: $_") for @diff;
is(scalar(@diff), 0, "every one of the $cells cells as the table says");
cmp_ok($cells, '>=', 700, 'the matrix has its cells (objects x 5 roles x 2 targets)');

# a few cells the security model rests on, spelled out
is($actual{'wf_load(text,text,text,integer,text)|none|own'}, 'ERROR 42501', 'no grants: nothing');
is($actual{'wf_load(text,text,text,integer,text)|writer|other'}, 'null', 'another tenant: invisible');
is($actual{'wf_event INSERT|writer|own'}, 'ERROR 42501', 'a writer cannot forge history');
is($actual{'wf_event DELETE|writer|own'}, 'ERROR 42501', 'nor erase it');
is($actual{'wf_notify_key SELECT|reader|own'}, 'ERROR 42501', 'nor read the notification key');
is($actual{'wf_cleanup_try_lock()|reader|own'}, 'ERROR 42501', 'a reader cannot take the cleanup lock');

$node->stop;
done_testing();
