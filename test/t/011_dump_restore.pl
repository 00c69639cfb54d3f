# pg_dump / restore of a database holding workflows.
#
# The store's tables belong to the extension and are marked with
# pg_extension_config_dump, so pg_dump must carry their rows.  A database
# with a variety of workflows (a rich snapshot, 1,000-step ones, unicode
# ids and keys, gaps in step positions, a large TOASTed step, a ttl-bearing
# and an expired one, merged metadata and warnings, granted privileges, and
# the run lifecycle: steps waiting for a decision, approved and rejected
# ones, an explicitly suspended run, a resumed, a cancelled, a replayed and
# a forked one, a lease, and the events of all of them) is
# dumped in custom format (restored with pg_restore) and in plain format
# (restored with psql) into fresh databases.  Then every workflow loads
# equal, wf_steps lists the same steps in the same order, versions,
# header, step and event rows are identical, wf_history and wf_pending
# agree, privileges survive, and the restored store keeps working exactly
# like the original (same versions, positions and history for the same
# further writes, lifecycle transitions included).
use strict;
use warnings;
use utf8;

use Encode qw(decode);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf', "log_statement = none\n");
$node->start;

my $tmp = PostgreSQL::Test::Utils::tempdir;

# psql on a database; dies on error; returns decoded output
sub sql
{
	my ($db, $query) = @_;
	return decode('UTF-8', $node->safe_psql($db, $query));
}

# a command's exit status and stderr (stdout kept in the test log)
sub run_cmd
{
	my (@cmd) = @_;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
	note("@cmd\n$out") if $out ne '';
	return ($ok, $err);
}

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('postgres', 'CREATE ROLE wf_app LOGIN');
$node->safe_psql('postgres', 'CREATE ROLE wf_reader LOGIN');

# ---------------------------------------------------------------------------
# The workflows
# ---------------------------------------------------------------------------
my $setup = <<'SQL';
CREATE EXTENSION workflow_persist;
SET search_path = workflow_persist, public;
SELECT wf_grant_access('wf_app');
SELECT wf_grant_access('wf_reader', writable => false);

-- everything the format allows, numbers jsonb keeps exactly, escapes
SELECT wf_save('rich', $j${
  "formatVersion": 1,
  "workflowName": "checkout — ü",
  "steps": {
    "fetch-user": {"ok": true, "value": {"id": 42, "name": "Zoë \"Q\" O'Brien",
        "tags": ["a", "b"], "score": 1.50, "big": 123456789012345678901234567890.000,
        "tiny": 1e-30, "neg": -0, "nil": null, "t": true,
        "nested": {"deep": {"deeper": [1, [2, [3, {"x": true}]]]}}}},
    "charge": {"ok": false, "error": {"type": "CARD_DECLINED", "code": 402},
        "cause": {"type": "error", "name": "PaymentError",
                  "message": "declined\nline2\ttab \\ backslash \u00e9 \ud83d\ude80",
                  "stack": "at pay (pay.js:1:2)",
                  "cause": {"type": "thrown", "value": 7, "stringRepresentation": "7"}},
        "meta": {"origin": "result"}},
    "approve": {"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve",
        "reason": "over limit", "metadata": {"amount": 999.99}},
        "cause": {"type": "thrown", "stringRepresentation": "pending", "truncated": false},
        "meta": {"origin": "result"}},
    "hook:h-1": {"ok": false, "error": {"type": "PENDING_HOOK", "hookId": "h-1"},
        "cause": {"type": "thrown", "stringRepresentation": "hook"}, "meta": {"origin": "throw"}},
    "empty": {"ok": true},
    "arr": {"ok": true, "value": []},
    "obj": {"ok": true, "value": {}},
    "": {"ok": true, "value": "empty key"}
  },
  "execution": {"status": "failed", "lastUpdated": "2026-01-02T03:04:05.678Z",
                "completedAt": "2026-01-02T03:04:06.000Z", "currentStepId": "charge"},
  "metadata": {"workflowId": "rich", "definitionHash": "abc123",
               "input": {"cart": [1, 2, 3]}, "version": 3},
  "warnings": [{"type": "lossy_value", "stepId": "fetch-user", "path": "value.fn",
                "reason": "non-json"}],
  "x-unknown": {"kept": true}
}$j$);

-- 1,000 checkpoints in an order unrelated to key order, then 50
-- overwrites (positions kept), so positions differ from jsonb key order
DO $$
BEGIN
  FOR i IN 1..1000 LOOP
    PERFORM wf_save_step('big-steps', 'step-' || ((i * 7919) % 1000),
                         jsonb_build_object('ok', true, 'value', i));
  END LOOP;
  FOR i IN 1..50 LOOP
    PERFORM wf_save_step('big-steps', 'step-' || (i * 13),
                         jsonb_build_object('ok', true, 'value', -i));
  END LOOP;
END
$$;

-- 1,000 steps in one snapshot
SELECT wf_save('big-snapshot', jsonb_build_object(
  'formatVersion', 1,
  'steps', (SELECT jsonb_object_agg('k' || i, jsonb_build_object('ok', true, 'value',
                     jsonb_build_object('i', i, 's', md5(i::text))))
              FROM generate_series(1, 1000) i),
  'execution', jsonb_build_object('status', 'completed',
                                  'lastUpdated', '2026-01-01T00:00:00.000Z')));

-- unicode ids and keys; "é" precomposed and decomposed are different keys
SELECT wf_save_step('flux-流程-🚀', 'шаг-1', '{"ok": true, "value": "один"}');
SELECT wf_save_step('flux-流程-🚀', '步骤二', '{"ok": true, "value": "二"}');
SELECT wf_save_step('flux-流程-🚀', '🚀', '{"ok": true, "value": "🚀🚀"}');
SELECT wf_save_step('flux-流程-🚀', U&'e\0301', '{"ok": true, "value": "decomposed"}');
SELECT wf_save_step('flux-流程-🚀', U&'\00e9', '{"ok": true, "value": "precomposed"}');
SELECT wf_save_step('flux-流程-🚀', 'ключ "quoted" \ back', '{"ok": true, "value": null}');
SELECT wf_save_step('ελληνικά', 'κλειδί', '{"ok": false, "error": "Σφάλμα", "cause": {"type": "thrown", "stringRepresentation": "Σ"}}');

-- steps removed by a later wf_save: gaps in positions, next_pos ahead
SELECT wf_save('gaps', jsonb_build_object('formatVersion', 1,
  'steps', jsonb_build_object('a', '{"ok":true,"value":1}'::jsonb, 'b', '{"ok":true,"value":2}'::jsonb,
                              'c', '{"ok":true,"value":3}'::jsonb, 'd', '{"ok":true,"value":4}'::jsonb),
  'execution', jsonb_build_object('status', 'running', 'lastUpdated', 'x')));
SELECT wf_save('gaps', jsonb_build_object('formatVersion', 1,
  'steps', jsonb_build_object('d', '{"ok":true,"value":4}'::jsonb, 'e', '{"ok":true,"value":5}'::jsonb),
  'execution', jsonb_build_object('status', 'running', 'lastUpdated', 'y')));

-- a 1 MB step (stored out of line)
SELECT wf_save_step('large', 'blob', jsonb_build_object('ok', true, 'value',
  (SELECT string_agg(md5(i::text), '' ORDER BY i) FROM generate_series(1, 32768) i)));

-- merges: metadata merged, warnings filtered and appended (failed, not
-- completed: the restored stores merge into it again below)
SELECT wf_save('merged', '{"formatVersion": 1, "steps": {"s1": {"ok": true, "value": 1}},
  "execution": {"status": "running", "lastUpdated": "t0"},
  "metadata": {"a": 1, "nested": {"x": 1}},
  "warnings": [{"type": "lossy_value", "stepId": "s1", "path": "p", "reason": "circular"},
               {"type": "lossy_value", "stepId": "s9", "path": "q", "reason": "encode-failed"}]}');
SELECT wf_merge('merged', '{"formatVersion": 1, "steps": {"s1": {"ok": true, "value": 10}, "s2": {"ok": true, "value": 2}},
  "execution": {"status": "failed", "lastUpdated": "t1"},
  "metadata": {"b": 2, "nested": {"y": 2}},
  "warnings": [{"type": "lossy_value", "stepId": "s2", "path": "r", "reason": "non-json"}]}');

-- expiry: one a week away, one already past (rows kept until cleanup)
SELECT wf_save('ttl-week', '{"formatVersion": 1, "steps": {"k": {"ok": true, "value": 1}},
  "execution": {"status": "running", "lastUpdated": "x"}}', ttl => '7 days');
SELECT wf_save('ttl-expired', '{"formatVersion": 1, "steps": {"k": {"ok": true, "value": 1}},
  "execution": {"status": "running", "lastUpdated": "x"}}', ttl => '1 millisecond');
SELECT pg_sleep(0.05);

-- a workflow without steps, and one completed by checkpoints
SELECT wf_save('no-steps', '{"formatVersion": 1, "steps": {},
  "execution": {"status": "completed", "lastUpdated": "x"}}');
SELECT wf_save_step('deleted', 'k', '{"ok": true, "value": 1}');
SELECT wf_delete('deleted');

-- the run lifecycle.  "hitl" waits for two approvals; one is decided
SELECT wf_save('hitl', '{"formatVersion": 1, "workflowName": "refund",
  "steps": {"load": {"ok": true, "value": {"amount": 120}},
    "approve:a1": {"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve:a1",
        "reason": "manager", "metadata": {"amount": 120}},
        "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"},
        "meta": {"origin": "result"}},
    "approve:a2": {"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve:a2",
        "reason": "finance"},
        "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"},
        "meta": {"origin": "result"}}},
  "execution": {"status": "running", "lastUpdated": "2026-01-01T00:00:00.000Z"},
  "metadata": {"workflowId": "hitl", "input": {"order": 7}, "definitionHash": "h1", "version": 2}}');
SELECT wf_approve('hitl', 'approve:a1', '{"approvedBy": "ann"}', note => 'ok by me', decided_by => 'ann');
-- a hook step waits too
SELECT wf_save_step('hooked', 'hook:h-9', '{"ok": false, "error": {"type": "PENDING_HOOK", "hookId": "h-9", "metadata": {"url": "/cb"}},
  "cause": {"type": "thrown", "stringRepresentation": "hook"}, "meta": {"origin": "result"}}');
-- suspended explicitly, with a request
SELECT wf_save_step('paused', 'one', '{"ok": true, "value": 1}');
SELECT wf_suspend('paused', 'waiting for stock', '{"sku": "x-1", "qty": 3}');
-- rejected, then failed, resumed with data, and failed again
SELECT wf_save_step('rejected', 'ask', '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "ask"},
  "cause": {"type": "thrown", "stringRepresentation": "p"}, "meta": {"origin": "result"}}');
SELECT wf_reject('rejected', 'ask', 'too expensive', decided_by => 'bob');
SELECT wf_merge('rejected', '{"formatVersion": 1, "steps": {}, "execution": {"status": "failed", "lastUpdated": "t"}}');
SELECT wf_resume('rejected', '{"retry": true}');
SELECT wf_merge('rejected', '{"formatVersion": 1, "steps": {}, "execution": {"status": "failed", "lastUpdated": "t2"}}');
-- cancelled while a step waited
SELECT wf_save_step('cancelled', 'wait', '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "wait"},
  "cause": {"type": "thrown", "stringRepresentation": "p"}, "meta": {"origin": "result"}}');
SELECT wf_cancel('cancelled', 'customer left');
-- a replay of a completed run and a fork of the rich one
SELECT wf_replay('big-snapshot', 'big-snapshot-again');
SELECT wf_fork('rich', 'rich-fork', 'charge');
-- a lease held for an hour
SELECT wf_lease_acquire('gaps', 'worker-1', '1 hour') IS NOT NULL AS leased;
SQL
$node->safe_psql('src', $setup);

is( sql('src', 'SELECT count(*) FROM workflow_persist.wf_workflow'),
	'18', 'source database holds 18 workflow rows');
is( sql('src', 'SELECT count(*) FROM workflow_persist.wf_step'),
	'2034', 'source database holds 2034 step rows');
is( sql('src', q{SELECT string_agg(status || '=' || n, ' ' ORDER BY status)
                   FROM (SELECT status, count(*) AS n FROM workflow_persist.wf_workflow
                          GROUP BY status) AS s}),
	'cancelled=1 completed=2 failed=2 running=9 suspended=4',
	'source database holds runs of every status');
is( sql('src', q{SELECT string_agg(event, ',' ORDER BY event) FROM
                   (SELECT DISTINCT event FROM workflow_persist.wf_event) AS e}),
	'approved,cancelled,completed,failed,forked,rejected,replayed,resumed,suspended',
	'source database holds events of every kind');
is( sql('src', q{SELECT workflow_persist.wf_exists('ttl-expired')}),
	'f', 'the expired workflow is expired');

# ---------------------------------------------------------------------------
# What must be equal on both sides
# ---------------------------------------------------------------------------
my %views = (
	'wf_load of every workflow' => q{
SELECT id, version, workflow_persist.wf_load(id)::text
  FROM workflow_persist.wf_workflow ORDER BY id},
	'wf_steps of every workflow, in order' => q{
SELECT w.id, s.pos, s.step_key, s.ok, s.result::text, s.recorded_at
  FROM workflow_persist.wf_workflow w, LATERAL workflow_persist.wf_steps(w.id) s
 ORDER BY w.id, s.pos},
	'header rows' => q{
SELECT t::text FROM workflow_persist.wf_workflow t ORDER BY t.id},
	'step rows' => q{
SELECT t::text FROM workflow_persist.wf_step t ORDER BY t.workflow_id, t.step_key},
	'event rows' => q{
SELECT t::text FROM workflow_persist.wf_event t ORDER BY t.workflow_id, t.seq},
	'wf_history of every workflow' => q{
SELECT w.id, h::text
  FROM workflow_persist.wf_workflow w, LATERAL workflow_persist.wf_history(w.id) h
 ORDER BY w.id},
	'wf_pending' => q{
SELECT p::text FROM workflow_persist.wf_pending() p},
	'wf_list and wf_stats' => q{
SELECT l::text FROM workflow_persist.wf_list(max_rows => 1000) l
UNION ALL
SELECT s::text FROM workflow_persist.wf_stats s},
	'privileges on the extension objects' => q{
SELECT c.relname, c.relacl::text FROM pg_class c
 WHERE c.relnamespace = 'workflow_persist'::regnamespace
UNION ALL
SELECT p.oid::regprocedure::text, p.proacl::text FROM pg_proc p
 WHERE p.pronamespace = 'workflow_persist'::regnamespace
UNION ALL
SELECT n.nspname, n.nspacl::text FROM pg_namespace n WHERE n.nspname = 'workflow_persist'
ORDER BY 1},
	'wf_load by wf_app' => q{
SET ROLE wf_app;
SELECT id, workflow_persist.wf_load(id)::text FROM workflow_persist.wf_list(max_rows => 1000) ORDER BY id},);

my %src = map { $_ => sql('src', $views{$_}) } keys %views;
cmp_ok(length($src{'wf_load of every workflow'}),
	'>', 1_000_000, 'the snapshots are not empty');

# ---------------------------------------------------------------------------
# Dump, restore, compare
# ---------------------------------------------------------------------------
my %dumps = (
	custom => [ [ 'pg_dump', '-Fc', '-f', "$tmp/src.dump", '-d', $node->connstr('src') ],
		[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst_custom'), "$tmp/src.dump" ] ],
	plain => [ [ 'pg_dump', '-Fp', '-f', "$tmp/src.sql", '-d', $node->connstr('src') ],
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('dst_plain'),
		  '-f', "$tmp/src.sql" ] ],);

for my $format (sort keys %dumps)
{
	my ($dump, $restore) = @{ $dumps{$format} };
	my $db = "dst_$format";
	my ($ok, $err) = run_cmd(@$dump);
	ok($ok, "$format: pg_dump succeeds");
	is($err, '', "$format: pg_dump prints nothing on stderr");

	$node->safe_psql('postgres', "CREATE DATABASE $db");
	($ok, $err) = run_cmd(@$restore);
	ok($ok, "$format: restore succeeds");
	is($err, '', "$format: restore prints no error or warning");

	for my $view (sort keys %views)
	{
		my $got = sql($db, $views{$view});
		# is() on a megabyte of text would print all of it on failure
		ok($got eq $src{$view}, "$format: $view equal after restore")
		  or diag(first_difference($src{$view}, $got));
	}
	is( sql($db, q{SELECT count(*) FROM workflow_persist.wf_workflow w
	               WHERE NOT workflow_persist.wf_is_valid(workflow_persist.wf_load(w.id))
	                 AND workflow_persist.wf_exists(w.id)}),
		'0', "$format: every restored snapshot validates");
}

# The first line where two outputs differ.
sub first_difference
{
	my ($a, $b) = @_;
	my @a = split /\n/, $a;
	my @b = split /\n/, $b;
	for my $i (0 .. ($#a > $#b ? $#a : $#b))
	{
		my ($x, $y) = ($a[$i] // '<none>', $b[$i] // '<none>');
		return "line " . ($i + 1) . ":\n  source:   " . substr($x, 0, 300)
		  . "\n  restored: " . substr($y, 0, 300)
		  if $x ne $y;
	}
	return 'no difference line found';
}

# ---------------------------------------------------------------------------
# The restored stores go on exactly like the original: the same writes give
# the same versions, positions and snapshots (timestamps aside).
# ---------------------------------------------------------------------------
my $more = <<'SQL';
SET search_path = workflow_persist, public;
SELECT wf_save_step('big-steps', 'step-new', '{"ok": true, "value": "new"}')
    || ' ' || wf_save_step('big-steps', 'step-500', '{"ok": true, "value": "again"}')
    || ' ' || wf_save_step('gaps', 'f', '{"ok": true, "value": 6}')
    || ' ' || wf_merge('merged', '{"formatVersion": 1, "steps": {"s3": {"ok": true, "value": 3}},
                 "execution": {"status": "running", "lastUpdated": "t2"}, "metadata": {"c": 3}}')
    || ' ' || wf_save_step('flux-流程-🚀', '🚀', '{"ok": true, "value": "again"}')
    || ' ' || wf_save_step('ttl-expired', 'fresh', '{"ok": true, "value": 1}')
    || ' ' || wf_save('rich', wf_load('rich'), expected_version => 1)
    || ' ' || wf_delete('no-steps')
    || ' ' || wf_approve('hitl', 'approve:a2', decided_by => 'carl')
    || ' ' || wf_resume('paused', '{"restocked": true}')
    || ' ' || wf_approve('hooked', 'hook:h-9', '{"status": 200}')
    || ' ' || wf_cancel('rejected')
    || ' ' || wf_cancel('cancelled')
    || ' ' || wf_save_step('rich-fork', 'next', '{"ok": true}')
    || ' ' || wf_save_step('gaps', 'g', '{"ok": true}', lease_token =>
                (SELECT lease_token FROM wf_workflow WHERE id = 'gaps'));
SQL
my $after = q{
SELECT w.id, w.version, w.status, w.pending, w.step_count, w.next_pos, w.size_bytes,
       workflow_persist.wf_load(w.id) #- '{execution,lastUpdated}',
       (SELECT string_agg(s.pos || ':' || s.step_key, ',' ORDER BY s.pos)
          FROM workflow_persist.wf_steps(w.id) s),
       (SELECT string_agg(concat_ws('/', h.event, h.step_key, h.actor, h.detail::text), ', ' ORDER BY h.n)
          FROM workflow_persist.wf_history(w.id) WITH ORDINALITY AS h(at, event, step_key, actor, detail, session_role, acting_role, namespace, n))
  FROM workflow_persist.wf_workflow w ORDER BY w.id};

my $src_versions = sql('src', $more);
is($src_versions, '1051 1052 3 3 7 1 2 true 3 3 2 6 2 2 4', 'further writes to the source');
my $src_after = sql('src', $after);
for my $format (sort keys %dumps)
{
	my $db = "dst_$format";
	is(sql($db, $more), $src_versions, "$format: further writes return the same versions");
	my $got = sql($db, $after);
	ok($got eq $src_after, "$format: and leave the same workflows and positions")
	  or diag(first_difference($src_after, $got));
}

$node->stop;
done_testing();
