-- Size guards: workflow_persist.max_snapshot_bytes (default 64MB) and
-- workflow_persist.max_step_bytes (default 16MB), 0 = off, superuser only.
-- Over a limit: 54000 with both sizes in DETAIL, nothing written.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';
SHOW workflow_persist.max_snapshot_bytes;
SHOW workflow_persist.max_step_bytes;
\set S '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'

SELECT wf_save('lim:a', :'S');
SELECT wf_load('lim:a') AS before \gset

---------------------------------------------------------------------------
-- max_snapshot_bytes
---------------------------------------------------------------------------
SET workflow_persist.max_snapshot_bytes = 300;
SHOW workflow_persist.max_snapshot_bytes;
-- wf_save: the document is too large
SELECT wf_save('lim:a', jsonb_set(:'S', '{steps,b}', jsonb_build_object('ok', true, 'value', repeat('x', 400))));
\echo :SQLSTATE
SELECT wf_save('lim:new', jsonb_set(:'S', '{steps,b}', jsonb_build_object('ok', true, 'value', repeat('x', 400))));
\echo :SQLSTATE
-- wf_save_step: the workflow would grow too large
SELECT wf_save_step('lim:a', 'b', jsonb_build_object('ok', true, 'value', repeat('x', 250)));
\echo :SQLSTATE
SELECT wf_save_step('lim:new', 'b', jsonb_build_object('ok', true, 'value', repeat('x', 400)));
\echo :SQLSTATE
-- wf_merge: the merged workflow would be too large
SELECT wf_merge('lim:a', jsonb_set(:'S', '{steps,c}', jsonb_build_object('ok', true, 'value', repeat('x', 250))));
\echo :SQLSTATE
SELECT wf_merge('lim:new', jsonb_set(:'S', '{steps,c}', jsonb_build_object('ok', true, 'value', repeat('x', 400))));
\echo :SQLSTATE
-- growing step by step: each checkpoint fits, until the workflow does not
SET workflow_persist.max_snapshot_bytes = 400;
SELECT wf_save_step('lim:a', 'b', jsonb_build_object('ok', true, 'value', repeat('x', 20)));
SELECT wf_save_step('lim:a', 'c', jsonb_build_object('ok', true, 'value', repeat('x', 20)));
SELECT wf_save_step('lim:a', 'd', jsonb_build_object('ok', true, 'value', repeat('x', 150)));
\echo :SQLSTATE
SELECT wf_merge('lim:a', jsonb_set(:'S', '{steps,d}', jsonb_build_object('ok', true, 'value', repeat('x', 200))));
\echo :SQLSTATE
SELECT version, step_count, size_bytes <= 400 AS within FROM wf_info('lim:a');
-- overwriting a step with a smaller value still fits
SELECT wf_save_step('lim:a', 'b', '{"ok":true}');
SELECT version, step_count, size_bytes <= 400 AS within FROM wf_info('lim:a');
SELECT wf_exists('lim:new');
-- whichever writer built it, a stored workflow is never larger than the
-- limit: wf_load returns at most max_snapshot_bytes, and saving that
-- document back as it is succeeds
SET workflow_persist.max_snapshot_bytes = 300;
DO $$
BEGIN
    FOR i IN 1..50 LOOP
        BEGIN
            PERFORM workflow_persist.wf_save_step('lim:grow', 'step' || i,
                jsonb_build_object('ok', true, 'value', repeat('x', 10)));
        EXCEPTION WHEN program_limit_exceeded THEN
            EXIT;
        END;
    END LOOP;
    FOR i IN 1..50 LOOP
        BEGIN
            PERFORM workflow_persist.wf_merge('lim:merged',
                jsonb_build_object('formatVersion', 1, 'execution', '{"status":"running","lastUpdated":"t"}'::jsonb,
                                   'steps', jsonb_build_object('step' || i, jsonb_build_object('ok', true, 'value', repeat('x', 10)))));
        EXCEPTION WHEN program_limit_exceeded THEN
            EXIT;
        END;
    END LOOP;
END
$$;
SELECT id, step_count > 1 AS several_steps, pg_column_size(wf_load(id)) <= 300 AS load_within_limit
  FROM wf_list('lim:') WHERE id IN ('lim:grow', 'lim:merged') ORDER BY id;
SELECT wf_save('lim:grow', wf_load('lim:grow')) > 1 AS saved_back;
SELECT wf_save('lim:merged', wf_load('lim:merged')) > 1 AS saved_back;
-- 0 turns the guard off
SET workflow_persist.max_snapshot_bytes = 0;
SELECT wf_save('lim:off', jsonb_set(:'S', '{steps,b}', jsonb_build_object('ok', true, 'value', repeat('x', 4000))));
RESET workflow_persist.max_snapshot_bytes;

-- back to the start
SELECT wf_save('lim:a', :'before');

---------------------------------------------------------------------------
-- max_step_bytes
---------------------------------------------------------------------------
SET workflow_persist.max_step_bytes = 100;
SELECT wf_save_step('lim:a', 'b', jsonb_build_object('ok', true, 'value', repeat('x', 200)));
\echo :SQLSTATE
SELECT wf_save('lim:a', jsonb_set(:'S', '{steps,b}', jsonb_build_object('ok', true, 'value', repeat('x', 200))));
\echo :SQLSTATE
SELECT wf_merge('lim:a', jsonb_set(:'S', '{steps,c}', jsonb_build_object('ok', true, 'value', repeat('x', 200))));
\echo :SQLSTATE
SELECT wf_save_step('lim:new', 'b', jsonb_build_object('ok', true, 'value', repeat('x', 200)));
\echo :SQLSTATE
-- nothing was written
SELECT version, wf_load('lim:a') = (:'before')::jsonb AS unchanged FROM wf_info('lim:a');
SELECT wf_exists('lim:new');
-- a small step fits
SELECT wf_save_step('lim:a', 'b', '{"ok":true,"value":1}');
-- units, and the range
SET workflow_persist.max_step_bytes = '1kB';
SHOW workflow_persist.max_step_bytes;
SELECT wf_save_step('lim:a', 'b', jsonb_build_object('ok', true, 'value', repeat('x', 2000)));
\echo :SQLSTATE
SET workflow_persist.max_step_bytes = -1;
\echo :SQLSTATE
SET workflow_persist.max_step_bytes = 0;
SELECT wf_save_step('lim:a', 'b', jsonb_build_object('ok', true, 'value', repeat('x', 2000)));
RESET workflow_persist.max_step_bytes;

-- both settings are for superusers only
CREATE ROLE regress_wfp_limits;
SET ROLE regress_wfp_limits;
SET workflow_persist.max_step_bytes = 0;
\echo :SQLSTATE
SET workflow_persist.max_snapshot_bytes = 0;
\echo :SQLSTATE
-- (validation is for everyone)
SET workflow_persist.validation = off;
RESET ROLE;
RESET workflow_persist.validation;
DROP ROLE regress_wfp_limits;

---------------------------------------------------------------------------
-- step keys: at most 1024 bytes, also inside wf_save
---------------------------------------------------------------------------
SELECT wf_save('lim:k', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object(repeat('k', 1024), '{"ok":true}'::jsonb), 'execution', '{"status":"running","lastUpdated":"t"}'::jsonb));
SELECT wf_save('lim:k', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object(repeat('k', 1025), '{"ok":true}'::jsonb), 'execution', '{"status":"running","lastUpdated":"t"}'::jsonb));
\echo :SQLSTATE
SELECT wf_save('lim:k', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object(repeat('é', 512) || 'x', '{"ok":true}'::jsonb), 'execution', '{"status":"running","lastUpdated":"t"}'::jsonb));
\echo :SQLSTATE
SELECT version, max(octet_length(s.step_key)) AS longest FROM wf_info('lim:k'), wf_steps('lim:k') AS s GROUP BY version;

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'lim:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
