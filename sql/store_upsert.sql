-- Saves are upserts at every status (issue 12 §1).
--   wf_save and wf_merge write at any status, the status becoming what the
--   document says; wf_save_step of a cancelled run is refused (55000) so a
--   worker learns of the cancellation; expected_version (40001) and lease
--   tokens (55P03) still fence; workflow_persist.finished_read_only (SUSET,
--   off) makes completed and cancelled runs refuse every writer again.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set RUN '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}},"execution":{"status":"running","lastUpdated":"t"}}'
\set DONE '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}},"execution":{"status":"completed","lastUpdated":"t","completedAt":"t"}}'
\set FAIL '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}},"execution":{"status":"failed","lastUpdated":"t"}}'

SELECT wf_namespace() AS loaded;
SHOW workflow_persist.finished_read_only;

---------------------------------------------------------------------------
-- completed: awaitly-postgres re-saves the completed snapshot, Flujo saves
-- after the end, a later save may reopen the run
---------------------------------------------------------------------------
SELECT wf_save('up:done', :'DONE');
SELECT wf_save('up:done', :'DONE');                    -- the same snapshot again
SELECT status, version FROM wf_info('up:done');
SELECT wf_load('up:done') = :'DONE'::jsonb AS same_document;
SELECT wf_save('up:done', :'RUN');                     -- the document says running
SELECT status, version FROM wf_info('up:done');
SELECT wf_save('up:done', :'DONE');
SELECT wf_merge('up:done', '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t2"}}');
SELECT status, version, step_count FROM wf_info('up:done');
-- a checkpoint of a completed run is a write like any other
SELECT wf_save_step('up:done', 'c', '{"ok":true}');
SELECT status, version, step_count FROM wf_info('up:done');
-- the fences still hold, at any status
SELECT wf_save('up:done', :'DONE', expected_version => 1);
\echo :SQLSTATE
SELECT wf_merge('up:done', :'DONE', expected_version => 1);
\echo :SQLSTATE
SELECT wf_save('up:done', :'DONE', lease_token => 'not-a-lease');
\echo :SQLSTATE
SELECT wf_lease_acquire('up:done', 'worker-1', '1 minute') AS token \gset
SELECT wf_save('up:done', :'DONE', lease_token => 'stale');
\echo :SQLSTATE
SELECT wf_save('up:done', :'DONE', lease_token => :'token');
SELECT status, version FROM wf_info('up:done');

---------------------------------------------------------------------------
-- cancelled: whole saves write (the document decides), checkpoints do not
---------------------------------------------------------------------------
SELECT wf_save_step('up:cancel', 'a', '{"ok":true}');
SELECT wf_cancel('up:cancel', 'customer left');
SELECT wf_save_step('up:cancel', 'b', '{"ok":true}');
\echo :SQLSTATE
SELECT status, version, step_count FROM wf_info('up:cancel');
-- the trigger is a checkpoint too
CREATE TABLE public.up_rows (wid text, step text);
SELECT wf_attach_checkpoint('public.up_rows', 'wid', 'step');
INSERT INTO public.up_rows VALUES ('up:cancel', 'c');
\echo :SQLSTATE
SELECT count(*) AS rows_written FROM public.up_rows;
DROP TABLE public.up_rows;
SELECT status, version, step_count FROM wf_info('up:cancel');
-- a whole save replaces it, with the status of its document
SELECT wf_save('up:cancel', :'FAIL');
SELECT status, version, step_count FROM wf_info('up:cancel');
SELECT wf_cancel('up:cancel');
SELECT wf_merge('up:cancel', '{"formatVersion":1,"steps":{"d":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT status, version, step_count FROM wf_info('up:cancel');
SELECT wf_save_step('up:cancel', 'e', '{"ok":true}');   -- running again: checkpoints work
SELECT event FROM wf_history('up:cancel') WHERE event NOT IN ('created', 'step recorded');

---------------------------------------------------------------------------
-- workflow_persist.finished_read_only: every writer refuses finished runs
---------------------------------------------------------------------------
SELECT wf_save('up:ro', :'DONE');
SELECT wf_save_step('up:ro2', 'a', '{"ok":true}');
SELECT wf_cancel('up:ro2');
SET workflow_persist.finished_read_only = on;
SELECT wf_save('up:ro', :'RUN');
\echo :SQLSTATE
SELECT wf_merge('up:ro', :'RUN');
\echo :SQLSTATE
SELECT wf_save_step('up:ro', 'b', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_save('up:ro2', :'RUN');
\echo :SQLSTATE
SELECT wf_save_step('up:ro2', 'b', '{"ok":true}');
\echo :SQLSTATE
-- running and failed runs are written as always; new ids too
SELECT wf_save('up:ro3', :'FAIL');
SELECT wf_save('up:ro3', :'RUN');
SELECT status, version FROM wf_info('up:ro');
SELECT status, version FROM wf_info('up:ro2');
RESET workflow_persist.finished_read_only;
SELECT wf_save('up:ro', :'RUN');
-- only superusers may set it
CREATE ROLE up_user;
SET ROLE up_user;
SET workflow_persist.finished_read_only = on;
\echo :SQLSTATE
RESET ROLE;
DROP ROLE up_user;

-- clean up
SELECT count(*) FROM (SELECT wf_delete(id) FROM wf_list(prefix => 'up:')) AS d;
