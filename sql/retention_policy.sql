-- Retention per status: finished runs (completed, failed, cancelled) are
-- expired keep after their last update; running and suspended runs are
-- never expired by retention, however old, only by a ttl.  Expired runs
-- are invisible at once; removing a policy makes the runs it hid (and no
-- cleanup deleted yet) visible again.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set RUN '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'
\set DONE '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}'
\set FAIL '{"formatVersion":1,"steps":{"a":{"ok":false,"error":"E","cause":{}}},"execution":{"status":"failed","lastUpdated":"t"}}'
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve', 'needs a human') AS "WAIT" \gset

-- every status, in lifecycle order; nothing kept forever is the default
SELECT * FROM wf_retention;

-- set, change, remove
SELECT wf_set_retention('completed', '30 days');
SELECT wf_set_retention('failed', '90 days');
SELECT wf_set_retention('cancelled', '7 days');
SELECT * FROM wf_retention;
SELECT wf_set_retention('completed', '1 day');
SELECT wf_set_retention('failed', NULL);
SELECT wf_set_retention('failed', NULL);
SELECT * FROM wf_retention;
SELECT status, keep FROM wf_retention_policy ORDER BY status;

-- errors (nothing changes)
SELECT wf_set_retention('running', '1 day');
\echo :SQLSTATE
SELECT wf_set_retention('suspended', '1 day');
\echo :SQLSTATE
SELECT wf_set_retention('running', NULL);
\echo :SQLSTATE
SELECT wf_set_retention('Completed', '1 day');
\echo :SQLSTATE
SELECT wf_set_retention('bogus', '1 day');
\echo :SQLSTATE
SELECT wf_set_retention(NULL, '1 day');
\echo :SQLSTATE
SELECT wf_set_retention('completed', '0');
\echo :SQLSTATE
SELECT wf_set_retention('completed', '-1 day');
\echo :SQLSTATE
SELECT wf_set_retention('cancelled', '1 mon -30 days');
\echo :SQLSTATE
SELECT * FROM wf_retention;

-- pg_dump keeps the policies (an extension configuration table)
SELECT 'workflow_persist.wf_retention_policy'::regclass = ANY (extconfig) AS dumped
  FROM pg_extension WHERE extname = 'workflow_persist';

---------------------------------------------------------------------------
-- runs of every status, some of them ten years old
---------------------------------------------------------------------------
SELECT wf_set_retention('completed', NULL);
SELECT wf_set_retention('cancelled', NULL);
SELECT id, wf_save(id, :'RUN')
  FROM unnest(array['ret:running', 'ret:running-old', 'ret:suspended', 'ret:suspended-old',
                    'ret:paused', 'ret:cancelled', 'ret:cancelled-old']) AS id ORDER BY id;
SELECT wf_save_step('ret:suspended', 'approve', :'WAIT');
SELECT wf_save_step('ret:suspended-old', 'approve', :'WAIT');
SELECT wf_suspend('ret:paused', 'waiting for the customer');
SELECT wf_cancel('ret:cancelled'), wf_cancel('ret:cancelled-old');
SELECT id, wf_save(id, :'DONE')
  FROM unnest(array['ret:completed', 'ret:completed-old']) AS id ORDER BY id;
SELECT id, wf_save(id, :'FAIL')
  FROM unnest(array['ret:failed', 'ret:failed-old']) AS id ORDER BY id;
UPDATE wf_workflow SET updated_at = now() - '10 years'::interval,
                       created_at = now() - '10 years'::interval
 WHERE id LIKE 'ret:%-old';
SELECT id, status FROM wf_list('ret:') ORDER BY id;

-- policies longer than the new runs' age, shorter than the old ones'
SELECT wf_set_retention('completed', '1 year');
SELECT wf_set_retention('failed', '1 year');
SELECT wf_set_retention('cancelled', '1 year');
SELECT id, status FROM wf_list('ret:') ORDER BY id;
SELECT wf_exists('ret:completed-old') AS completed, wf_exists('ret:failed-old') AS failed,
       wf_exists('ret:cancelled-old') AS cancelled,
       wf_load('ret:failed-old') IS NULL AS no_doc,
       (SELECT count(*) FROM wf_steps('ret:cancelled-old')) AS steps,
       (SELECT count(*) FROM wf_history('ret:completed-old')) AS history;
SELECT status, workflows, expired FROM wf_stats ORDER BY status;
SELECT expired_waiting FROM wf_cleanup_status;
-- a ten-year-old suspended run still waits for its human
SELECT id, step_key, kind FROM wf_pending() WHERE id LIKE 'ret:%' ORDER BY id, kind;

-- tiny policies: every finished run is expired, running and suspended
-- runs stay, whatever their age
SELECT wf_set_retention('completed', '1 millisecond');
SELECT wf_set_retention('failed', '1 millisecond');
SELECT wf_set_retention('cancelled', '1 millisecond');
SELECT pg_sleep(0.05);
SELECT id, status FROM wf_list('ret:') ORDER BY id;
SELECT status, workflows, expired FROM wf_stats ORDER BY status;

-- removing a policy shows what it hid, as long as no cleanup ran
SELECT wf_set_retention('completed', NULL);
SELECT id, status FROM wf_list('ret:', 'completed') ORDER BY id;

-- the cleanup deletes what is expired, and only that
SELECT wf_set_retention('completed', '1 year');
SELECT wf_cleanup();
SELECT id, status FROM wf_workflow WHERE id LIKE 'ret:%' ORDER BY id;
SELECT (SELECT count(*) FROM wf_step AS s
         WHERE NOT EXISTS (SELECT FROM wf_workflow AS w WHERE w.id = s.workflow_id)) AS orphan_steps,
       (SELECT count(*) FROM wf_event AS e
         WHERE NOT EXISTS (SELECT FROM wf_workflow AS w WHERE w.id = e.workflow_id)) AS orphan_events;

-- only a ttl removes running and suspended runs
SELECT wf_set_ttl('ret:running-old', '1 millisecond') IS NOT NULL AS ttl_set,
       wf_set_ttl('ret:suspended-old', '1 millisecond') IS NOT NULL AS ttl_set;
SELECT pg_sleep(0.05);
SELECT wf_cleanup();
SELECT id, status FROM wf_workflow WHERE id LIKE 'ret:%' ORDER BY id;

-- clean up
SELECT wf_set_retention(status, NULL) FROM wf_retention WHERE NOT protected ORDER BY status;
SELECT * FROM wf_retention;
SELECT id, wf_delete(id) FROM wf_workflow WHERE id LIKE 'ret:%' ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_steps FROM wf_step;
SELECT count(*) AS leftover_events FROM wf_event;
