-- Expiry by ttl: wf_save(..., ttl) and wf_set_ttl set it, NULL keeps (or,
-- for wf_set_ttl, clears) it; an expired workflow is invisible at once to
-- every reader and to the lifecycle functions, before any physical delete,
-- and is counted in wf_stats.expired and wf_cleanup_status.expired_waiting.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set RUN '{"formatVersion":1,"workflowName":"ttl","steps":{"a":{"ok":true,"value":1}},"execution":{"status":"running","lastUpdated":"t"}}'
\set DONE '{"formatVersion":1,"workflowName":"ttl","steps":{"a":{"ok":true,"value":1}},"execution":{"status":"completed","lastUpdated":"t"}}'
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve', 'needs a human') AS "WAIT" \gset

-- nothing is left over from earlier tests
SELECT count(*) AS workflows FROM wf_workflow;
SELECT count(*) AS policies FROM wf_retention_policy;

---------------------------------------------------------------------------
-- a run waiting for approval, with steps and events, seen everywhere
---------------------------------------------------------------------------
SELECT wf_save('ttl:gone', :'RUN');
SELECT wf_save_step('ttl:gone', 'approve', :'WAIT');
SELECT wf_save('ttl:stay', :'RUN', ttl => '1 hour');
SELECT status, pending, expires_at IS NULL AS no_expiry FROM wf_info('ttl:gone');
SELECT wf_exists('ttl:gone'), wf_load('ttl:gone') IS NOT NULL AS loaded,
       (SELECT count(*) FROM wf_steps('ttl:gone')) AS steps,
       (SELECT count(*) FROM wf_pending('ttl:gone')) AS pending,
       (SELECT string_agg(event, ', ' ORDER BY at, event) FROM wf_history('ttl:gone')) AS history,
       wf_resolve('ttl:g') AS resolved;
SELECT id FROM wf_list('ttl:') ORDER BY id;

-- a tiny ttl, then the next statements run after it passed
SELECT wf_set_ttl('ttl:gone', '1 millisecond') IS NOT NULL AS expiry_set;
SELECT pg_sleep(0.05);

-- invisible to every reader
SELECT wf_exists('ttl:gone') AS exists,
       wf_load('ttl:gone') IS NULL AS no_doc,
       wf_load('ttl:gone', 'failed') IS NULL AS no_filtered_doc;
SELECT count(*) AS info FROM wf_info('ttl:gone');
SELECT count(*) AS steps FROM wf_steps('ttl:gone');
SELECT count(*) AS pending_one FROM wf_pending('ttl:gone');
SELECT count(*) AS pending_all FROM wf_pending() WHERE id LIKE 'ttl:%';
SELECT count(*) AS history FROM wf_history('ttl:gone');
SELECT id FROM wf_list('ttl:') ORDER BY id;
SELECT id FROM wf_list(status => 'suspended') WHERE id LIKE 'ttl:%';
SELECT wf_resolve('ttl:s') AS resolved_other;
SELECT wf_resolve('ttl:g');
\echo :SQLSTATE
SELECT status, workflows, steps, expired FROM wf_stats WHERE status IN ('running', 'suspended') ORDER BY status;
SELECT expired_waiting FROM wf_cleanup_status;
-- the rows are still there until a cleanup deletes them
SELECT (SELECT count(*) FROM wf_workflow WHERE id = 'ttl:gone') AS header,
       (SELECT count(*) FROM wf_step WHERE workflow_id = 'ttl:gone') AS steps,
       (SELECT count(*) FROM wf_event WHERE workflow_id = 'ttl:gone') AS events;

-- and absent for the lifecycle functions (P0002) and wf_set_ttl
SELECT wf_suspend('ttl:gone', 'why');
\echo :SQLSTATE
SELECT wf_approve('ttl:gone', 'approve');
\echo :SQLSTATE
SELECT wf_reject('ttl:gone', 'approve', 'no');
\echo :SQLSTATE
SELECT wf_resume('ttl:gone');
\echo :SQLSTATE
SELECT wf_cancel('ttl:gone');
\echo :SQLSTATE
SELECT wf_replay('ttl:gone', 'ttl:replay');
\echo :SQLSTATE
SELECT wf_fork('ttl:gone', 'ttl:fork', 'a');
\echo :SQLSTATE
SELECT wf_lease_acquire('ttl:gone', 'me', '1 minute') IS NOT NULL AS leased_as_new_run;   -- an expired id is absent: a placeholder
\echo :SQLSTATE
SELECT wf_set_ttl('ttl:gone', '1 hour');
\echo :SQLSTATE
SELECT wf_set_ttl('ttl:gone', NULL);
\echo :SQLSTATE
-- wf_delete: absent (false), but its rows go
SELECT wf_delete('ttl:gone');
SELECT (SELECT count(*) FROM wf_workflow WHERE id = 'ttl:gone') AS header,
       (SELECT count(*) FROM wf_step WHERE workflow_id = 'ttl:gone') AS steps,
       (SELECT count(*) FROM wf_event WHERE workflow_id = 'ttl:gone') AS events;
SELECT wf_exists('ttl:stay') AS other_still_there;

---------------------------------------------------------------------------
-- setting, keeping, refreshing and clearing a ttl
---------------------------------------------------------------------------
-- wf_save(ttl) sets now() + ttl; without a ttl the expiry is kept
BEGIN;
SELECT wf_save('ttl:w', :'RUN', ttl => '1 hour');
SELECT version, expires_at = now() + '1 hour' AS one_hour FROM wf_info('ttl:w');
COMMIT;
SELECT wf_save('ttl:w', :'RUN');
SELECT version, expires_at > now() + '50 minutes' AS kept FROM wf_info('ttl:w');
SELECT wf_save_step('ttl:w', 'b', '{"ok":true}');
SELECT wf_merge('ttl:w', '{"formatVersion":1,"steps":{"c":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_suspend('ttl:w', 'a pause');
SELECT wf_resume('ttl:w');
SELECT version, expires_at > now() + '50 minutes' AS kept FROM wf_info('ttl:w');

-- wf_set_ttl returns the new expiry; it bumps neither version nor updated_at
SELECT updated_at AS before_update FROM wf_workflow WHERE id = 'ttl:w' \gset
BEGIN;
SELECT wf_set_ttl('ttl:w', '2 days') = now() + '2 days' AS returns_expiry;
SELECT version, expires_at = now() + '2 days' AS two_days FROM wf_info('ttl:w');
COMMIT;
SELECT version, updated_at = :'before_update' AS same_updated_at FROM wf_info('ttl:w');
-- a save with a ttl replaces it
BEGIN;
SELECT wf_save('ttl:w', :'RUN', ttl => '5 minutes');
SELECT expires_at = now() + '5 minutes' AS five_minutes FROM wf_info('ttl:w');
COMMIT;
-- NULL clears it
SELECT wf_set_ttl('ttl:w', NULL) IS NULL AS returns_null;
SELECT version, expires_at IS NULL AS no_expiry FROM wf_info('ttl:w');

-- refreshing a ttl before it passes keeps the workflow
BEGIN;
SELECT wf_save('ttl:refresh', :'RUN', ttl => '1 millisecond');
SELECT wf_set_ttl('ttl:refresh', '1 hour') IS NOT NULL AS refreshed;
COMMIT;
BEGIN;
SELECT wf_save('ttl:refresh2', :'RUN', ttl => '1 millisecond');
SELECT wf_save('ttl:refresh2', :'RUN', ttl => '1 hour');
COMMIT;
BEGIN;
SELECT wf_save('ttl:cleared', :'RUN', ttl => '1 millisecond');
SELECT wf_set_ttl('ttl:cleared', NULL);
COMMIT;
-- a ttl on a finished run (wf_save would refuse it: completed runs take no
-- more writes) and on a cancelled one
SELECT wf_save('ttl:done', :'DONE');
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
SELECT wf_save('ttl:done', :'DONE', ttl => '1 hour');
\echo :SQLSTATE
RESET workflow_persist.finished_read_only;
SELECT wf_set_ttl('ttl:done', '1 millisecond') IS NOT NULL AS done_expiry_set;
SELECT wf_save('ttl:cancelled', :'RUN');
SELECT wf_cancel('ttl:cancelled', 'not needed');
SELECT wf_set_ttl('ttl:cancelled', '1 millisecond') IS NOT NULL AS cancelled_expiry_set;
SELECT pg_sleep(0.05);
SELECT id, status FROM wf_list('ttl:') ORDER BY id;
SELECT status, workflows, expired FROM wf_stats WHERE status IN ('completed', 'cancelled') ORDER BY status;

---------------------------------------------------------------------------
-- errors
---------------------------------------------------------------------------
SELECT wf_set_ttl('ttl:w', '0');
\echo :SQLSTATE
SELECT wf_set_ttl('ttl:w', '-1 hour');
\echo :SQLSTATE
SELECT wf_set_ttl('ttl:w', '1 mon -30 days');
\echo :SQLSTATE
SELECT wf_set_ttl('ttl:absent', '1 hour');
\echo :SQLSTATE
SELECT wf_set_ttl(NULL, '1 hour');
\echo :SQLSTATE
SELECT wf_set_ttl('', '1 hour');
\echo :SQLSTATE
SELECT wf_save('ttl:w', :'RUN', ttl => '0');
\echo :SQLSTATE
SELECT wf_save('ttl:w', :'RUN', ttl => '-1 second');
\echo :SQLSTATE
-- nothing changed
SELECT version, expires_at IS NULL AS no_expiry FROM wf_info('ttl:w');

-- clean up
SELECT id, wf_delete(id) FROM wf_workflow WHERE id LIKE 'ttl:%' ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_steps FROM wf_step;
SELECT count(*) AS leftover_events FROM wf_event;
