-- A write to an expired id (by ttl or by retention) starts a fresh
-- workflow: version 1, the old steps, events, expiry, suspension and lease
-- gone, exactly as if the id had never been used.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set OLD '{"formatVersion":1,"workflowName":"old","steps":{"a":{"ok":true,"value":"old a"},"b":{"ok":true,"value":"old b"}},"execution":{"status":"running","lastUpdated":"t"},"metadata":{"old":true}}'
\set NEW '{"formatVersion":1,"workflowName":"new","steps":{"c":{"ok":true,"value":"new c"}},"execution":{"status":"running","lastUpdated":"t"}}'
\set DONE '{"formatVersion":1,"workflowName":"old","steps":{"a":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}'

-- old workflows with steps, events (a suspension and a resumption), a
-- lease, all expiring in a millisecond
BEGIN;
SELECT id, wf_save(id, :'OLD', ttl => '1 millisecond')
  FROM unnest(array['fresh:save', 'fresh:savettl', 'fresh:step', 'fresh:merge', 'fresh:v0',
                    'fresh:vN', 'fresh:lease', 'fresh:replay', 'fresh:fork']) AS id ORDER BY id;
SELECT wf_suspend('fresh:save', 'pause', '{"form":1}');
SELECT wf_resume('fresh:save');
SELECT wf_suspend('fresh:step', 'pause');
SELECT wf_lease_acquire('fresh:lease', 'old-owner', '1 day') AS old_token \gset
COMMIT;
SELECT wf_save('fresh:src', :'OLD');
SELECT pg_sleep(0.05);
SELECT count(*) AS expired FROM wf_workflow WHERE id LIKE 'fresh:%' AND NOT wf_exists(id);

-- wf_save: version 1, only the new steps, no expiry, created now
SELECT wf_save('fresh:save', :'NEW');
SELECT wf_load('fresh:save') #- '{execution,lastUpdated}' AS doc;
SELECT version, status, step_count, pending, expires_at IS NULL AS no_expiry,
       created_at = updated_at AS created_now
  FROM wf_info('fresh:save');
SELECT pos, step_key FROM wf_steps('fresh:save');
SELECT event FROM wf_history('fresh:save');
SELECT (SELECT count(*) FROM wf_step WHERE workflow_id = 'fresh:save') AS step_rows,
       (SELECT count(*) FROM wf_event WHERE workflow_id = 'fresh:save') AS event_rows,
       (SELECT suspended_at IS NULL AND suspend_reason IS NULL AND suspend_request IS NULL
          FROM wf_workflow WHERE id = 'fresh:save') AS not_suspended;
-- ... with a ttl: the new one
BEGIN;
SELECT wf_save('fresh:savettl', :'NEW', ttl => '1 hour');
SELECT version, expires_at = now() + '1 hour' AS new_expiry FROM wf_info('fresh:savettl');
COMMIT;

-- wf_save_step: a fresh workflow with that one step, not suspended
SELECT wf_save_step('fresh:step', 'z', '{"ok":true}');
SELECT version, status, step_count, expires_at IS NULL AS no_expiry FROM wf_info('fresh:step');
SELECT pos, step_key FROM wf_steps('fresh:step');
SELECT count(*) AS pending FROM wf_pending('fresh:step');

-- wf_merge: the delta is the first snapshot
SELECT wf_merge('fresh:merge', :'NEW');
SELECT wf_load('fresh:merge') #- '{execution,lastUpdated}' AS doc;
SELECT version, step_count FROM wf_info('fresh:merge');

-- expected_version sees no workflow: 0 passes, N fails (40001)
SELECT wf_save('fresh:v0', :'NEW', expected_version => 0);
SELECT wf_save('fresh:vN', :'NEW', expected_version => 1);
\echo :SQLSTATE
SELECT wf_exists('fresh:vN');

-- wf_replay / wf_fork into an expired id: allowed, and fresh
SELECT wf_replay('fresh:src', 'fresh:replay');
SELECT version, step_count FROM wf_info('fresh:replay');
SELECT wf_fork('fresh:src', 'fresh:fork', 'a');
SELECT version, step_count FROM wf_info('fresh:fork');
SELECT event FROM wf_history('fresh:fork') WHERE event <> 'step recorded';

-- the old lease went with the old workflow: a new owner gets the lease,
-- and the old owner's token is no longer valid
SELECT wf_save('fresh:lease', :'NEW');
SELECT lease_owner IS NULL AND lease_token IS NULL AND lease_expires_at IS NULL AS no_lease
  FROM wf_workflow WHERE id = 'fresh:lease';
SELECT wf_lease_acquire('fresh:lease', 'new-owner', '1 minute') IS NOT NULL AS new_owner_leases;
SELECT wf_lease_renew('fresh:lease', :'old_token', '1 minute') AS old_token_renews;
SELECT wf_save('fresh:lease', :'NEW', lease_token => :'old_token');
\echo :SQLSTATE

-- expired by retention: the same
SELECT wf_save('fresh:retained', :'DONE');
SELECT wf_set_retention('completed', '1 millisecond');
SELECT pg_sleep(0.05);
SELECT wf_exists('fresh:retained');
SELECT wf_save('fresh:retained', :'NEW');
SELECT version, status, step_count FROM wf_info('fresh:retained');
SELECT wf_set_retention('completed', NULL);

-- clean up
SELECT id, wf_delete(id) FROM wf_workflow WHERE id LIKE 'fresh:%' ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_steps FROM wf_step;
SELECT count(*) AS leftover_events FROM wf_event;
SELECT count(*) AS leftover_policies FROM wf_retention_policy;
