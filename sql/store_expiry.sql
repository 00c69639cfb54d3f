-- Expiry: past its expires_at a workflow is invisible at once (before any
-- physical delete), and a write to its id starts a fresh workflow.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"workflowName":"old","steps":{"a":{"ok":true,"value":"old a"},"b":{"ok":false,"error":"E","cause":{}}},"execution":{"status":"completed","lastUpdated":"t"},"metadata":{"old":true},"warnings":[{"type":"lossy_value","stepId":"a","path":"p","reason":"circular"}]}'

-- saved with a tiny ttl; visible inside the saving transaction
BEGIN;
SELECT wf_save(id, :'S', ttl => '1 millisecond')
  FROM unnest(array['exp:load', 'exp:save', 'exp:save0', 'exp:saveN', 'exp:step', 'exp:merge', 'exp:delete']) AS id ORDER BY id;
SELECT wf_exists('exp:load'), wf_load('exp:load') IS NOT NULL AS loaded, count(*) AS listed FROM wf_list('exp:');
COMMIT;
-- a workflow with a long ttl stays visible
SELECT wf_save('exp:live', :'S', ttl => '1 hour');
SELECT pg_sleep(0.05);

-- invisible everywhere
SELECT wf_load('exp:load') IS NULL AS no_doc,
       wf_load('exp:load', 'failed') IS NULL AS no_filtered_doc,
       wf_exists('exp:load') AS exists;
SELECT count(*) AS steps FROM wf_steps('exp:load');
SELECT count(*) AS info FROM wf_info('exp:load');
SELECT id FROM wf_list('exp:');
SELECT id FROM wf_list('exp:', 'completed');
SELECT id FROM wf_list(status => 'completed') WHERE id LIKE 'exp:%';
SELECT status, workflows, expired FROM wf_stats WHERE status = 'completed';
-- the rows are still there until they are deleted
SELECT count(*) AS rows FROM wf_workflow WHERE id LIKE 'exp:%';

-- wf_save to an expired id: a fresh workflow (version 1, old steps gone,
-- no expiry unless a ttl is given)
SELECT wf_save('exp:save', '{"formatVersion":1,"steps":{"c":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_load('exp:save') AS doc;
SELECT version, status, step_count, expires_at IS NULL AS no_expiry, created_at = updated_at AS created_now
  FROM wf_info('exp:save');
SELECT pos, step_key FROM wf_steps('exp:save');
-- expected_version sees no workflow: 0 passes, N fails
SELECT wf_save('exp:save0', :'S', expected_version => 0);
SELECT wf_save('exp:saveN', :'S', expected_version => 1);
\echo :SQLSTATE
SELECT wf_exists('exp:saveN');

-- wf_save_step to an expired id: a fresh workflow with that one step
SELECT wf_save_step('exp:step', 'z', '{"ok":true}');
SELECT wf_load('exp:step') #- '{execution,lastUpdated}' AS doc;
SELECT version, status, step_count, expires_at IS NULL AS no_expiry FROM wf_info('exp:step');
SELECT pos, step_key FROM wf_steps('exp:step');

-- wf_merge to an expired id: the delta is stored as it is
SELECT wf_merge('exp:merge', '{"formatVersion":1,"steps":{"q":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_load('exp:merge') AS doc;
SELECT version, status, step_count FROM wf_info('exp:merge');

-- wf_delete: an expired workflow is absent (false), and its rows go
SELECT wf_delete('exp:delete');
SELECT count(*) FROM wf_workflow WHERE id = 'exp:delete';
SELECT count(*) FROM wf_step WHERE workflow_id = 'exp:delete';

-- the live one is untouched
SELECT wf_exists('exp:live'), version FROM wf_info('exp:live');

-- clean up (wf_delete removes expired rows too)
SELECT id, wf_delete(id) FROM wf_workflow WHERE id LIKE 'exp:%' ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_steps FROM wf_step;
