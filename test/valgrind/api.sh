# Every part of the SQL API once, in a server under valgrind
# (scripts/test-valgrind.sh; $PSQL, PGHOST etc. are set): the C code's
# paths beyond the direct read, so that valgrind sees each of them run.
# What it checks is valgrind's and the server's verdict; the statements
# must only succeed (ON_ERROR_STOP), and the last one checks the store.
set -eu

$PSQL <<'SQL'
CREATE DATABASE vg_api;
\c vg_api
CREATE EXTENSION workflow_persist;
SET search_path = workflow_persist;

-- validation and the pure functions
SELECT wf_is_valid('{"formatVersion": 1, "steps": {"a": {"ok": true}}, "execution": {"status": "running", "lastUpdated": "x"}}', true);
SELECT count(*) FROM wf_validate('{"formatVersion": 2, "steps": {"a": 5}}');
SELECT wf_merge_snapshots('{"formatVersion": 1, "steps": {"a": {"ok": true}}}', '{"formatVersion": 1, "steps": {"b": {"ok": false, "error": "e"}}}');

-- saves, checkpoints (many in one transaction, with a savepoint), merges
SELECT wf_save('api:1', jsonb_build_object('formatVersion', 1,
    'steps', (SELECT jsonb_object_agg('s' || i, jsonb_build_object('ok', true, 'value', repeat('v', i * 50))) FROM generate_series(1, 40) AS i),
    'execution', jsonb_build_object('status', 'running', 'lastUpdated', 'x'),
    'metadata', jsonb_build_object('input', jsonb_build_object('order', 1))));
BEGIN;
SELECT max(wf_save_step('api:1', 'c' || i, jsonb_build_object('ok', true, 'value', i))) FROM generate_series(1, 300) AS i;
SAVEPOINT s;
SELECT wf_save_step('api:1', 'rolled-back', '{"ok": true}');
ROLLBACK TO SAVEPOINT s;
SELECT wf_save_step('api:1', 'c1', '{"ok": true, "value": "again"}');
COMMIT;
SELECT wf_merge('api:1', '{"formatVersion": 1, "steps": {"m": {"ok": true}}, "execution": {"status": "running", "lastUpdated": "x"}}');
SET workflow_persist.validation = strict;
SELECT wf_save_step('api:1', 'strict', '{"ok": true, "value": 1}');
RESET workflow_persist.validation;

-- reads
SELECT length(wf_load('api:1')::text) > 0, wf_load('api:1', include => 'completed') IS NOT NULL,
       wf_load('api:1', since_step => 'c5', step_limit => 10) IS NOT NULL;
SELECT count(*) FROM wf_steps('api:1');
SELECT count(*) FROM wf_list(max_rows => 2);
SELECT count(*) FROM wf_info('api:1');
SELECT wf_step_result('api:1', 's3') IS NOT NULL;
SELECT count(*) FROM wf_stats;
SELECT wf_resolve('api:');

-- the lifecycle: pending step, approve, reject, suspend, resume, cancel
SELECT wf_save_step('api:2', 'ask', '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "ask"}, "cause": {"type": "thrown", "stringRepresentation": "wait"}}');
SELECT wf_save_step('api:2', 'ask2', '{"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "ask2"}, "cause": {"type": "thrown", "stringRepresentation": "wait"}}');
SELECT count(*) FROM wf_pending();
SELECT wf_approve('api:2', 'ask', '{"yes": true}', note => 'fine');
SELECT wf_reject('api:2', 'ask2', 'no', note => 'not fine');
SELECT wf_suspend('api:2', 'a pause', '{"why": "test"}');
SELECT wf_resume('api:2', '{"resumed": true}');
SELECT count(*) FROM wf_history('api:2');
SELECT wf_fork('api:1', 'api:fork', 's10');
SELECT wf_cancel('api:fork', 'done with it');
SELECT wf_replay('api:fork', 'api:replayed');

-- leases, expiry, retention, cleanup, delete
SELECT wf_lease_acquire('api:1', 'worker-1', '1 hour') AS token \gset
SELECT wf_lease_renew('api:1', :'token', '2 hours');
SELECT wf_save_step('api:1', 'leased', '{"ok": true}', lease_token => :'token');
SELECT wf_lease_release('api:1', :'token');
SELECT wf_set_ttl('api:replayed', '1 millisecond') IS NOT NULL;
SELECT wf_set_retention('cancelled', '1 second');
UPDATE wf_workflow SET updated_at = now() - '1 hour'::interval WHERE id = 'api:fork';
SELECT pg_sleep(0.01);
SELECT wf_cleanup(dry_run => true);
SELECT wf_cleanup();
SELECT * FROM wf_cleanup_status;
SELECT wf_delete('api:2');

-- the checkpoint trigger
CREATE TABLE public.orders (wf text, k text, v jsonb);
SELECT wf_attach_checkpoint('public.orders', 'wf', 'k', 'v');
INSERT INTO public.orders SELECT 'api:trigger', 'row' || i, jsonb_build_object('ok', true, 'value', i) FROM generate_series(1, 200) AS i;
UPDATE public.orders SET v = '{"ok": true, "value": "updated"}' WHERE k = 'row1';
SELECT wf_detach_checkpoint('public.orders');

-- notifications at commit
SET workflow_persist.notify = on;
LISTEN workflow_persist;
SELECT wf_save_step('api:notify', 'a', '{"ok": true}');
RESET workflow_persist.notify;

-- the store is consistent
SELECT count(*) AS disagreements FROM wf_verify_workflow('api:1');
SELECT count(*) AS disagreements FROM wf_verify();
SELECT count(*) = 0 AS consistent
  FROM wf_workflow AS w
 WHERE w.step_count <> (SELECT count(*) FROM wf_step AS s WHERE s.workflow_id = w.id);
SQL
[ "$($PSQL -d vg_api -Atc "SELECT count(*) FROM workflow_persist.wf_workflow AS w
        WHERE w.step_count <> (SELECT count(*) FROM workflow_persist.wf_step AS s WHERE s.workflow_id = w.id)")" = 0 ]
