-- Many checkpoints of one workflow in one transaction (F2 of the security
-- review: they were quadratic).  A writer locks the header version its
-- transaction wrote last directly, by ctid, falling back to the lookup by
-- id whenever that version is no longer the current one.  Every way the
-- remembered version can go stale is here; each must still give the
-- right workflow.  (The timing is bench/one_transaction.sh's, not a
-- test's.)
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

CREATE FUNCTION pg_temp.state(id text) RETURNS TABLE (version bigint, step_count int, next_pos int,
                                                     step_rows bigint, doc_steps bigint, valid bool)
LANGUAGE sql AS $$
    SELECT w.version, w.step_count, w.next_pos,
           (SELECT count(*) FROM workflow_persist.wf_step AS s WHERE s.workflow_id = w.id),
           (SELECT count(*) FROM jsonb_object_keys(workflow_persist.wf_load(w.id) -> 'steps')),
           workflow_persist.wf_is_valid(workflow_persist.wf_load(w.id))
      FROM workflow_persist.wf_workflow AS w WHERE w.id = state.id
$$;

-- 3000 checkpoints in one statement, then more in later statements
BEGIN;
SELECT max(wf_save_step('one', 'k' || i, jsonb_build_object('ok', true, 'value', i)))
  FROM generate_series(1, 3000) AS i;
SELECT wf_save_step('one', 'k1', '{"ok": true, "value": "again"}');
SELECT * FROM pg_temp.state('one');
-- a savepoint rolled back: the version it wrote is gone
SAVEPOINT s;
SELECT wf_save_step('one', 'rolled-back', '{"ok": true}');
ROLLBACK TO SAVEPOINT s;
SELECT wf_save_step('one', 'after-rollback', '{"ok": true}');
-- another statement of ours changed the header meanwhile
SELECT wf_set_ttl('one', '1 hour') IS NOT NULL AS ttl_set;
SELECT wf_save_step('one', 'after-ttl', '{"ok": true}');
SELECT wf_lease_acquire('one', 'me', '1 hour') IS NOT NULL AS leased;
SELECT wf_save_step('one', 'after-lease', '{"ok": true}');
-- two workflows in turn
SELECT max(wf_save_step(CASE WHEN i % 2 = 0 THEN 'one' ELSE 'two' END, 'turn' || i, '{"ok": true}'))
  FROM generate_series(1, 200) AS i;
-- the lifecycle and whole saves in between
SELECT wf_suspend('one', 'wait');
SELECT wf_resume('one');
SELECT wf_merge('one', '{"formatVersion": 1, "steps": {"merged": {"ok": true}},
                         "execution": {"status": "running", "lastUpdated": "t"}}');
SELECT wf_save_step('one', 'after-merge', '{"ok": true}');
COMMIT;
SELECT * FROM pg_temp.state('one');
SELECT * FROM pg_temp.state('two');
SELECT wf_load('one') -> 'steps' ? 'rolled-back' AS has_rolled_back,
       wf_load('one') -> 'steps' -> 'k1' AS k1;

-- deleted and created again in the same transaction
BEGIN;
SELECT wf_save_step('three', 'a', '{"ok": true}');
SELECT wf_delete('three');
SELECT wf_save_step('three', 'b', '{"ok": true}');
SELECT wf_save_step('three', 'c', '{"ok": true}');
COMMIT;
SELECT * FROM pg_temp.state('three');
SELECT wf_load('three') -> 'steps' AS steps;

-- expired in the same transaction: the next checkpoint starts afresh
BEGIN;
SELECT wf_save_step('four', 'a', '{"ok": true}');
UPDATE wf_workflow SET expires_at = now() - '1 second'::interval WHERE id = 'four';
SELECT wf_save_step('four', 'b', '{"ok": true}');
COMMIT;
SELECT * FROM pg_temp.state('four');

-- a failed statement: its versions are gone with it
BEGIN;
SELECT wf_save_step('five', 'a', '{"ok": true}');
SAVEPOINT s;
SELECT wf_save_step('five', 'b', '{"ok": true}') / (random() * 0)::int;
ROLLBACK TO SAVEPOINT s;
SELECT wf_save_step('five', 'c', '{"ok": true}');
COMMIT;
SELECT * FROM pg_temp.state('five');

SELECT wf_delete(id) FROM (VALUES ('one'), ('two'), ('three'), ('four'), ('five')) AS v(id);
