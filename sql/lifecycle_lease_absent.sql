-- Leases before the first save, and insert-if-absent (issue 12 §9).
--   wf_lease_acquire on an absent id creates a placeholder (version 0, no
--   document) that no reader sees; the first save with the token fills it
--   (version 1, the lease kept); releasing the lease of a placeholder
--   deletes it.  wf_save(..., if_absent => true) inserts only when the id
--   is absent and otherwise returns the stored version, never 40001.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'
\set S2 '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'

---------------------------------------------------------------------------
-- awaitly's WorkflowLock.tryAcquire before the workflow exists
---------------------------------------------------------------------------
SELECT wf_lease_acquire('la:1', 'worker-1', '1 hour') AS t1 \gset
SELECT :'t1' IS NOT NULL AS got_token;
-- invisible to every reader
SELECT wf_exists('la:1') AS exists, wf_load('la:1') IS NULL AS load_null,
       (SELECT count(*) FROM wf_list(prefix => 'la:')) AS listed,
       (SELECT count(*) FROM wf_info('la:1')) AS info_rows,
       (SELECT workflows FROM wf_stats() WHERE status = 'running') AS running_counted,
       (SELECT expired FROM wf_stats() WHERE status = 'running') AS expired_counted,
       wf_cleanup(dry_run => true) AS cleanup_would_delete;
SELECT namespace, id, version, lease_owner FROM wf_workflow WHERE id = 'la:1';
-- lifecycle functions see no workflow
SELECT wf_suspend('la:1', 'r');
\echo :SQLSTATE
SELECT wf_set_ttl('la:1', '1 hour');
\echo :SQLSTATE
-- another owner is refused, the same owner keeps its token
SELECT wf_lease_acquire('la:1', 'worker-2', '1 hour') IS NULL AS refused;
SELECT wf_lease_acquire('la:1', 'worker-1', '1 hour') = :'t1' AS same_token;
SELECT wf_lease_renew('la:1', :'t1', '2 hours') AS renewed;
-- a write with another token is fenced
SELECT wf_save('la:1', :'S', lease_token => 'stale');
\echo :SQLSTATE
-- the first save with the token fills the placeholder, keeping the lease
SELECT wf_save('la:1', :'S', lease_token => :'t1');
SELECT version, status FROM wf_info('la:1');
SELECT lease_owner, lease_token = :'t1' AS same_lease FROM wf_workflow WHERE id = 'la:1';
SELECT wf_save_step('la:1', 'b', '{"ok":true}', lease_token => :'t1');
SELECT wf_lease_release('la:1', :'t1') AS released;
SELECT wf_exists('la:1') AS still_exists;

-- a checkpoint can be the first write too
SELECT wf_lease_acquire('la:2', 'worker-1', '1 hour') AS t2 \gset
SELECT wf_save_step('la:2', 'a', '{"ok":true}', lease_token => :'t2');
SELECT version, step_count FROM wf_info('la:2');
-- expected_version 0 means "not saved yet": a placeholder passes
SELECT wf_lease_acquire('la:3', 'worker-1', '1 hour') AS t3 \gset
SELECT wf_save('la:3', :'S', expected_version => 0, lease_token => :'t3');

-- releasing the lease of a placeholder deletes it
SELECT wf_lease_acquire('la:4', 'worker-1', '1 hour') AS t4 \gset
SELECT wf_lease_release('la:4', 'wrong') AS wrong_token, count(*) AS rows
  FROM wf_workflow WHERE id = 'la:4';
SELECT wf_lease_release('la:4', :'t4') AS released;
SELECT count(*) AS rows_left FROM wf_workflow WHERE id = 'la:4';
-- a write without the token to a leased placeholder: as to any leased run
SELECT wf_lease_acquire('la:5', 'worker-1', '1 hour') AS t5 \gset
SELECT wf_save('la:5', :'S');
SELECT version FROM wf_info('la:5');
-- an expired lease's placeholder goes to the next owner
SELECT wf_lease_acquire('la:6', 'worker-1', '10 milliseconds') AS t6 \gset
SELECT pg_sleep(0.05);
SELECT wf_lease_acquire('la:6', 'worker-2', '1 hour') AS t7 \gset
SELECT :'t7' <> :'t6' AS taken_over, lease_owner FROM wf_workflow WHERE id = 'la:6';
-- an expired workflow is absent: a lease on its id starts afresh
SELECT wf_save('la:7', :'S', ttl => '10 milliseconds');
SELECT pg_sleep(0.05);
SELECT wf_lease_acquire('la:7', 'worker-1', '1 hour') IS NOT NULL AS leased_expired;
SELECT version, step_count FROM wf_workflow WHERE id = 'la:7';
SELECT count(*) AS old_steps FROM wf_step WHERE workflow_id = 'la:7';
-- placeholders are per namespace
SELECT wf_lease_acquire('la:1', 'worker-9', '1 hour', 'other') IS NOT NULL AS other_namespace_free;

---------------------------------------------------------------------------
-- insert-if-absent (Flujo's save_run_start: ON CONFLICT DO NOTHING)
---------------------------------------------------------------------------
SELECT wf_save('ia:1', :'S', if_absent => true) AS inserted;
SELECT wf_save('ia:1', :'S2', if_absent => true) AS existing_version;
SELECT wf_load('ia:1')->'steps' AS steps_unchanged;
SELECT version FROM wf_info('ia:1');
-- never 40001, whatever expected_version says, and the transaction goes on
BEGIN;
SELECT wf_save('ia:1', :'S2', if_absent => true, expected_version => 0) AS no_error;
SELECT wf_save('ia:1', :'S2', if_absent => true, expected_version => 7) AS no_error_either;
SELECT 1 AS transaction_alive;
COMMIT;
-- a placeholder is absent: if_absent fills it
SELECT wf_lease_acquire('ia:2', 'worker-1', '1 hour') AS t8 \gset
SELECT wf_save('ia:2', :'S', if_absent => true, lease_token => :'t8') AS filled;
-- absent and a wrong token: fenced like any write
SELECT wf_lease_acquire('ia:3', 'worker-1', '1 hour') AS t9 \gset
SELECT wf_save('ia:3', :'S', if_absent => true, lease_token => 'stale');
\echo :SQLSTATE
-- bad input is still refused before anything
SELECT wf_save('ia:4', '{"steps":[]}', if_absent => true);
\echo :SQLSTATE
SELECT wf_exists('ia:4') AS written;

-- clean up
DELETE FROM wf_step WHERE workflow_id LIKE 'la:%' OR workflow_id LIKE 'ia:%';
DELETE FROM wf_event WHERE workflow_id LIKE 'la:%' OR workflow_id LIKE 'ia:%';
DELETE FROM wf_workflow WHERE id LIKE 'la:%' OR id LIKE 'ia:%';
