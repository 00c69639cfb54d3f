-- Retention never expires running and suspended runs, and the writers
-- (wf_save, wf_save_step, the lifecycle functions, wf_replay / wf_fork)
-- must see exactly what the readers see: a run older than every policy
-- goes on where it stopped (its version grows, its steps stay), and the
-- policy of one status never applies to a run of another status.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set RUN '{"formatVersion":1,"steps":{"a":{"ok":true,"value":"a"}},"execution":{"status":"running","lastUpdated":"t"}}'
\set DONE '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}'
\set FAIL '{"formatVersion":1,"steps":{"a":{"ok":false,"error":"E","cause":{}}},"execution":{"status":"failed","lastUpdated":"t"}}'
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve', 'needs a human') AS "WAIT" \gset

SELECT id, wf_save(id, :'RUN')
  FROM unnest(array['prot:running', 'prot:merged', 'prot:saved', 'prot:suspended', 'prot:paused',
                    'prot:source', 'prot:cancel']) AS id ORDER BY id;
SELECT wf_save_step('prot:suspended', 'approve', :'WAIT');
SELECT wf_suspend('prot:paused', 'waiting for the customer');
SELECT wf_save('prot:failed', :'FAIL');
SELECT wf_save('prot:completed', :'DONE');

-- policies shorter than every run's age, but not for failed runs
SELECT wf_set_retention('completed', '1 millisecond');
SELECT wf_set_retention('cancelled', '1 millisecond');
SELECT wf_set_retention('failed', '1 hour');
SELECT pg_sleep(0.05);

-- the readers: only the completed run is gone
SELECT id, status, version, step_count FROM wf_list('prot:') ORDER BY id;
SELECT count(*) FILTER (WHERE wf_exists(id)) AS live, count(*) AS stored
  FROM wf_workflow WHERE id LIKE 'prot:%';

-- the writers: every live run goes on, with its steps
SELECT wf_save_step('prot:running', 'b', '{"ok":true}');
SELECT step_key FROM wf_steps('prot:running');
SELECT wf_merge('prot:merged', '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save('prot:saved', :'RUN', expected_version => 1);
SELECT wf_approve('prot:suspended', 'approve');
SELECT wf_resume('prot:paused');
SELECT wf_resume('prot:failed');
SELECT wf_cancel('prot:cancel');
SELECT wf_lease_acquire('prot:running', 'me', '1 minute') IS NOT NULL AS leased;
SELECT wf_replay('prot:source', 'prot:replay');
SELECT wf_fork('prot:source', 'prot:fork', 'a');
SELECT id, status, version, step_count FROM wf_list('prot:') ORDER BY id;
SELECT id, string_agg(event, ', ' ORDER BY at, event) AS events
  FROM wf_workflow AS w, wf_history(w.id) AS h
 WHERE id IN ('prot:running', 'prot:suspended', 'prot:failed')
 GROUP BY id ORDER BY id;

-- a cleanup deletes the expired runs only: the completed one, and the run
-- cancelled above once its 1 ms passed
SELECT pg_sleep(0.05);
SELECT wf_cleanup();
SELECT id, status FROM wf_workflow WHERE id LIKE 'prot:%' ORDER BY id;

-- clean up
SELECT wf_set_retention(status, NULL) FROM wf_retention WHERE NOT protected ORDER BY status;
SELECT id, wf_delete(id) FROM wf_workflow WHERE id LIKE 'prot:%' ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_policies FROM wf_retention_policy;
