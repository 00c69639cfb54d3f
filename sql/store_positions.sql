-- Step order chosen by the client (issue 12 §4) and wf_merge keeping
-- workflowName (§10).
--   wf_save_step(..., "position" => n) records the step at the engine's
--   index n (NeuroCore saves index 1 before 0 and reads them back by
--   index); without one, first-recorded order as before, after every
--   position given; a negative position is 22023, nothing written.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never

-- a NeuroCore run: step 1 finishes (and is saved) before step 0
SELECT wf_save_step('pos:nc', 'summarize', '{"ok": true, "value": {"index": 1, "output": "short"}}', "position" => 1);
SELECT wf_save_step('pos:nc', 'fetch', '{"ok": true, "value": {"index": 0, "output": "page"}}', "position" => 0);
SELECT pos, step_key FROM wf_steps('pos:nc');
SELECT step_key FROM wf_history('pos:nc') WHERE event = 'step recorded';
-- loads filter by position: step_limit 1 keeps index 0
SELECT jsonb_object_keys(wf_load('pos:nc', step_limit => 1)->'steps') AS first_step;
SELECT jsonb_object_keys(wf_load('pos:nc', since_step => 'fetch')->'steps') AS after_fetch;
-- a step without a position goes after every position given
SELECT wf_save_step('pos:nc', 'store', '{"ok": true}');
SELECT pos, step_key FROM wf_steps('pos:nc');
-- a rewrite with another position moves the step; the same bytes at the
-- same position change nothing but the version
SELECT wf_save_step('pos:nc', 'store', '{"ok": true}', "position" => 7);
SELECT wf_save_step('pos:nc', 'store', '{"ok": true}', "position" => 7);
SELECT pos, step_key FROM wf_steps('pos:nc');
SELECT step_count, version FROM wf_info('pos:nc');
SELECT wf_save_step('pos:nc', 'later', '{"ok": true}');
SELECT pos, step_key FROM wf_steps('pos:nc') WHERE step_key = 'later';
-- a whole save keeps positions of the steps it keeps
SELECT wf_save('pos:nc', wf_load('pos:nc'));
SELECT pos, step_key FROM wf_steps('pos:nc');

-- errors: nothing written
SELECT wf_save_step('pos:bad', 'a', '{"ok": true}', "position" => -1);
\echo :SQLSTATE
SELECT wf_save_step('pos:nc', 'fetch', '{"ok": true}', "position" => -5);
\echo :SQLSTATE
SELECT wf_exists('pos:bad') AS bad_written, (SELECT version FROM wf_info('pos:nc')) AS nc_version;
SELECT wf_save_step('pos:big', 'a', '{"ok": true}', "position" => 2147483647);
\echo :SQLSTATE
SELECT wf_exists('pos:big') AS big_written;

---------------------------------------------------------------------------
-- wf_merge keeps workflowName (awaitly's mergeSnapshots drops it)
---------------------------------------------------------------------------
SELECT wf_save('pos:name', '{"formatVersion":1,"workflowName":"checkout","steps":{},"execution":{"status":"running","lastUpdated":"t"},"metadata":{"a":1,"nested":{"x":1}}}');
SELECT wf_merge('pos:name', '{"formatVersion":1,"steps":{"s":{"ok":true}},"execution":{"status":"running","lastUpdated":"t2"},"metadata":{"b":2,"nested":{"y":2}}}');
SELECT wf_load('pos:name')->'workflowName' AS kept,
       wf_load('pos:name')->'metadata' AS shallow_merged_metadata;
-- the pure function keeps awaitly's semantics
SELECT wf_merge_snapshots(
         '{"formatVersion":1,"workflowName":"checkout","steps":{},"execution":{"status":"running","lastUpdated":"t"}}',
         '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t2"}}') ? 'workflowName' AS pure_keeps_it;
-- a delta that names one wins
SELECT wf_merge('pos:name', '{"formatVersion":1,"workflowName":"refund","steps":{},"execution":{"status":"running","lastUpdated":"t3"}}');
SELECT wf_load('pos:name')->'workflowName' AS renamed;

SELECT count(*) FROM (SELECT wf_delete(id) FROM wf_list(prefix => 'pos:')) AS d;
