-- wf_verify(id): the counters of a header and the facts of each step row
-- recomputed from the stored values; one row per disagreement, none when
-- the workflow is consistent.  Each corruption below is written into the
-- tables directly, found, and repaired by re-saving the workflow.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve', 'why') AS "PA" \gset

SELECT wf_save('ver:a', jsonb_build_object(
    'formatVersion', 1,
    'steps', jsonb_build_object('one', '{"ok":true,"value":1}'::jsonb,
                                'two', '{"ok":true,"value":[1,2,3]}'::jsonb,
                                'approve', :'PA'::jsonb),
    'execution', '{"status":"running","lastUpdated":"2026-01-01T00:00:00.000Z"}'::jsonb,
    'metadata', '{"owner":"ops"}'::jsonb)) AS version;
SELECT wf_save_step('ver:b', 'x', '{"ok":true,"value":"x"}') AS version;

-- consistent: no rows, for one workflow and for all
SELECT * FROM wf_verify('ver:a');
SELECT * FROM wf_verify();

-- header counters
UPDATE wf_workflow SET step_count = step_count + 1, pending = 0, size_bytes = size_bytes - 1
 WHERE id = 'ver:a';
SELECT * FROM wf_verify('ver:a');

-- step facts: size, hash, ok, pending, position (on a fresh copy)
SELECT wf_delete('ver:a');
SELECT wf_save('ver:a', jsonb_build_object(
    'formatVersion', 1,
    'steps', jsonb_build_object('one', '{"ok":true,"value":1}'::jsonb,
                                'two', '{"ok":true,"value":[1,2,3]}'::jsonb,
                                'approve', :'PA'::jsonb),
    'execution', '{"status":"running","lastUpdated":"2026-01-01T00:00:00.000Z"}'::jsonb)) AS version;
SELECT * FROM wf_verify('ver:a');
UPDATE wf_step SET result = '{"ok":true,"value":2}' WHERE workflow_id = 'ver:a' AND step_key = 'one';
UPDATE wf_step SET ok = false WHERE workflow_id = 'ver:a' AND step_key = 'two';
UPDATE wf_step SET pending = NULL WHERE workflow_id = 'ver:a' AND step_key = 'approve';
UPDATE wf_step SET size_bytes = size_bytes + 1 WHERE workflow_id = 'ver:a' AND step_key = 'two';
SELECT * FROM wf_verify('ver:a');
UPDATE wf_step SET pos = (SELECT pos FROM wf_step WHERE workflow_id = 'ver:a' AND step_key = 'one')
 WHERE workflow_id = 'ver:a' AND step_key = 'two';
UPDATE wf_step SET pos = 99 WHERE workflow_id = 'ver:a' AND step_key = 'approve';
SELECT * FROM wf_verify('ver:a') WHERE problem LIKE '%position%';

-- step rows without a header
INSERT INTO wf_step (workflow_id, step_key, pos, ok, result, hash, size_bytes, recorded_at)
VALUES ('ver:orphan', 'k', 0, true, '{"ok":true}', 0, 0, now()),
       ('ver:orphan', 'l', 1, true, '{"ok":true}', 0, 0, now());
SELECT * FROM wf_verify() WHERE id = 'ver:orphan';
SELECT * FROM wf_verify('ver:orphan');
DELETE FROM wf_step WHERE workflow_id = 'ver:orphan';

-- an engine's step index near 2^31: nothing is sized by next_pos
SELECT wf_save_step('ver:far', 'k', '{"ok":true}', "position" => 2147483646);
SELECT * FROM wf_verify('ver:far');
SELECT wf_delete('ver:far');

-- a workflow that does not exist, a bad id
SELECT * FROM wf_verify('ver:none');
\echo :SQLSTATE
SELECT * FROM wf_verify('');
\echo :SQLSTATE

-- clean up
SELECT wf_delete('ver:a'), wf_delete('ver:b');
SELECT * FROM wf_verify();
