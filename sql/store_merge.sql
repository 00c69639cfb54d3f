-- wf_merge(id, delta, expected_version): wf_merge_snapshots(stored, delta),
-- atomically.  After each merge the stored document must equal
-- wf_merge_snapshots(<what wf_load returned before>, delta), except that
-- the store keeps workflowName (the delta's, else the stored one), which
-- awaitly's merge drops (issue 12 §10, sql/store_positions.sql).
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

---------------------------------------------------------------------------
-- absent: the validated delta is stored as it is
---------------------------------------------------------------------------
\set D0 '{"formatVersion":1,"workflowName":"order","steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":2}},"execution":{"status":"running","lastUpdated":"t0","currentStepId":"b"},"metadata":{"x":1,"y":{"n":1},"z":3},"warnings":[{"type":"lossy_value","stepId":"a","path":"p","reason":"non-json"},{"type":"lossy_value","stepId":"b","path":"q","reason":"circular"}],"custom":{"k":1.50}}'
SELECT wf_merge('merge:m', :'D0');
SELECT wf_load('merge:m') = :'D0' AS stored_as_is, wf_load('merge:m')::text = (:'D0')::jsonb::text AS same_text;
SELECT status, version, step_count FROM wf_info('merge:m');

---------------------------------------------------------------------------
-- metadata merged shallowly (delta wins, null overwrites, nested replaced),
-- warnings of replaced steps dropped and delta's appended, unknown keys
-- dropped (workflowName kept), steps replaced whole, execution from the delta
---------------------------------------------------------------------------
SELECT wf_load('merge:m') AS before \gset
\set D1 '{"formatVersion":1,"workflowName":"other","steps":{"b":{"ok":true},"c":{"ok":false,"error":"E","cause":{"type":"error","name":"E","message":"m"}}},"execution":{"status":"failed","lastUpdated":"t1"},"metadata":{"y":{"m":2},"z":null,"w":[1]},"warnings":[{"type":"lossy_value","stepId":"c","path":"r","reason":"encode-failed"}],"more":true}'
SELECT wf_merge('merge:m', :'D1');
SELECT wf_load('merge:m') - 'workflowName' = wf_merge_snapshots(:'before', :'D1') AS equal;
SELECT wf_load('merge:m') AS doc;
SELECT pos, step_key, ok FROM wf_steps('merge:m');
SELECT status, version, step_count FROM wf_info('merge:m');

-- a delta without metadata or warnings keeps the stored ones, except the
-- warnings of the steps it replaces; nothing of the stored execution survives
-- (failed, not completed: a completed run would accept no more merges)
SELECT wf_load('merge:m') AS before \gset
\set D2 '{"formatVersion":1,"steps":{"a":{"ok":true,"value":{"deep":{"x":1}}}},"execution":{"status":"failed","lastUpdated":"t2","completedAt":"t2"}}'
SELECT wf_merge('merge:m', :'D2');
SELECT wf_load('merge:m') - 'workflowName' = wf_merge_snapshots(:'before', :'D2') AS equal;
SELECT wf_load('merge:m') -> 'metadata' AS metadata, wf_load('merge:m') -> 'warnings' AS warnings;
SELECT status FROM wf_info('merge:m');

-- no deep merge of a step: the delta's value replaces the stored one whole;
-- a delta warning for a step already warned about is appended
SELECT wf_load('merge:m') AS before \gset
\set D3 '{"formatVersion":1,"steps":{"a":{"ok":true,"value":{"deep":{"y":2}}}},"execution":{"status":"running","lastUpdated":"t3"},"warnings":[{"type":"lossy_value","stepId":"c","path":"s","reason":"circular"}]}'
SELECT wf_merge('merge:m', :'D3');
SELECT wf_load('merge:m') - 'workflowName' = wf_merge_snapshots(:'before', :'D3') AS equal;
SELECT wf_load('merge:m') -> 'steps' -> 'a' AS a, wf_load('merge:m') -> 'warnings' AS warnings,
       wf_load('merge:m') -> 'execution' AS execution;

-- every warning dropped: the key goes away
SELECT wf_load('merge:m') AS before \gset
\set D4 '{"formatVersion":1,"steps":{"a":{"ok":true},"c":{"ok":true}},"execution":{"status":"running","lastUpdated":"t4"}}'
SELECT wf_merge('merge:m', :'D4');
SELECT wf_load('merge:m') - 'workflowName' = wf_merge_snapshots(:'before', :'D4') AS equal;
SELECT wf_load('merge:m') ? 'warnings' AS has_warnings;

-- an empty delta changes only the execution
SELECT wf_load('merge:m') AS before \gset
\set D5 '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t5"}}'
SELECT wf_merge('merge:m', :'D5');
SELECT wf_load('merge:m') - 'workflowName' = wf_merge_snapshots(:'before', :'D5') AS equal;
-- positions: overwritten steps kept theirs, new ones went after the others
SELECT pos, step_key, result FROM wf_steps('merge:m');
SELECT step_count, version FROM wf_info('merge:m');

-- a workflow without metadata: none appears; one appears from the delta
SELECT wf_save('merge:nm', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_load('merge:nm') AS before \gset
SELECT wf_merge('merge:nm', :'D5');
SELECT wf_load('merge:nm') - 'workflowName' = wf_merge_snapshots(:'before', :'D5') AS equal, wf_load('merge:nm') ? 'metadata' AS has_metadata;
SELECT wf_load('merge:nm') AS before \gset
\set D6 '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t6"},"metadata":{"workflowId":"nm","input":{"n":1.50}}}'
SELECT wf_merge('merge:nm', :'D6');
SELECT wf_load('merge:nm') - 'workflowName' = wf_merge_snapshots(:'before', :'D6') AS equal;
SELECT wf_load('merge:nm') AS doc;

---------------------------------------------------------------------------
-- the merged result is validated per workflow_persist.validation
---------------------------------------------------------------------------
-- no execution in the delta: the merged execution is {} (invalid)
SELECT wf_merge('merge:m', '{"formatVersion":1,"steps":{"z":{"ok":true}}}');
\echo :SQLSTATE
-- an invalid step in the delta
SELECT wf_merge('merge:m', '{"formatVersion":1,"steps":{"z":{"ok":"yes"}},"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
-- merge always writes formatVersion 1, so the delta's does not matter
SELECT wf_load('merge:m') AS before \gset
SELECT wf_merge('merge:m', '{"formatVersion":7,"steps":{},"execution":{"status":"running","lastUpdated":"t7"}}');
SELECT wf_load('merge:m') - 'workflowName' = wf_merge_snapshots(:'before', '{"formatVersion":7,"steps":{},"execution":{"status":"running","lastUpdated":"t7"}}') AS equal,
       wf_load('merge:m') -> 'formatVersion' AS format_version;
-- the failures wrote nothing
SELECT version, step_count FROM wf_info('merge:m');
-- strict: the merged result gets our checks too
SET workflow_persist.validation = strict;
SELECT wf_merge('merge:m', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"not a time"}}');
\echo :SQLSTATE
RESET workflow_persist.validation;
-- an absent workflow: the delta itself must be valid
SELECT wf_merge('merge:new', '{"steps":{}}');
\echo :SQLSTATE
SELECT wf_merge('merge:new', '{"formatVersion":1,"steps":[],"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_exists('merge:new');
-- off: a delta without execution is merged, execution becomes {}
SET workflow_persist.validation = off;
SELECT wf_save('merge:off', '{"steps":{"a":5},"extra":1}');
SELECT wf_load('merge:off') AS before \gset
SELECT wf_merge('merge:off', '{"steps":{"b":6}}');
SELECT wf_load('merge:off') - 'workflowName' = wf_merge_snapshots(:'before', '{"steps":{"b":6}}') AS equal, wf_load('merge:off') AS doc;
SELECT status FROM wf_info('merge:off');
-- a stored step that is invalid makes the merged result invalid: with
-- validation back on, merging into it is refused
SELECT wf_save('merge:stale', '{"formatVersion":1,"steps":{"a":5},"execution":{"status":"running","lastUpdated":"t"}}');
RESET workflow_persist.validation;
SELECT wf_validate(wf_merge_snapshots(wf_load('merge:stale'), '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'));
SELECT wf_merge('merge:stale', '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT version, step_count FROM wf_info('merge:stale');

---------------------------------------------------------------------------
-- deltas (and stored documents) wf_merge_snapshots refuses: 22023
---------------------------------------------------------------------------
SELECT wf_merge('merge:m', '[]');
\echo :SQLSTATE
SELECT wf_merge('merge:m', '"x"');
\echo :SQLSTATE
SELECT wf_merge('merge:m', '{"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_merge('merge:m', '{"steps":null,"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_merge('merge:m', '{"steps":[],"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_merge('merge:m', '{"steps":{},"execution":[]}');
\echo :SQLSTATE
SELECT wf_merge('merge:m', '{"steps":{},"execution":{"status":"running","lastUpdated":"t"},"metadata":5}');
\echo :SQLSTATE
SELECT wf_merge('merge:m', '{"steps":{},"execution":{"status":"running","lastUpdated":"t"},"warnings":{}}');
\echo :SQLSTATE
SELECT wf_merge('merge:m', '{"steps":{},"execution":{"status":"running","lastUpdated":"t"},"warnings":[null]}');
\echo :SQLSTATE
-- a stored metadata that is not an object (saved with validation off)
SET workflow_persist.validation = off;
SELECT wf_save('merge:badmeta', '{"steps":{},"metadata":5}');
SELECT wf_merge('merge:badmeta', '{"steps":{}}');
\echo :SQLSTATE
RESET workflow_persist.validation;
SELECT version FROM wf_info('merge:m');

---------------------------------------------------------------------------
-- step keys longer than 1024 bytes: 54000
---------------------------------------------------------------------------
SELECT wf_merge('merge:m', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object(repeat('k', 1025), '{"ok":true}'::jsonb), 'execution', '{"status":"running","lastUpdated":"t"}'::jsonb));
\echo :SQLSTATE
SELECT wf_merge('merge:m', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object(repeat('k', 1024), '{"ok":true}'::jsonb), 'execution', '{"status":"running","lastUpdated":"t"}'::jsonb));
SELECT max(octet_length(step_key)) FROM wf_steps('merge:m');

---------------------------------------------------------------------------
-- expected_version
---------------------------------------------------------------------------
\set D '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'
SELECT wf_merge('merge:ev', :'D', 1);
\echo :SQLSTATE
SELECT wf_merge('merge:ev', :'D', 0);
SELECT wf_merge('merge:ev', :'D', 0);
\echo :SQLSTATE
SELECT wf_merge('merge:ev', :'D', 2);
\echo :SQLSTATE
SELECT wf_merge('merge:ev', :'D', 1);
SELECT wf_merge('merge:ev', :'D', -1);
\echo :SQLSTATE
SELECT version FROM wf_info('merge:ev');

-- inside the caller's transaction
BEGIN;
SELECT wf_merge('merge:ev', '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}');
ROLLBACK;
SELECT version, status, step_count FROM wf_info('merge:ev');

---------------------------------------------------------------------------
-- a completed run accepts no more merges (55000), whatever the delta, and
-- nothing is written; the merge that completes it is an ordinary one
---------------------------------------------------------------------------
SELECT wf_merge('merge:done', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_merge('merge:done', '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}');
SELECT version, status, step_count FROM wf_info('merge:done');
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
SELECT wf_merge('merge:done', '{"formatVersion":1,"steps":{"c":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_merge('merge:done', '{"formatVersion":1,"steps":{},"execution":{"status":"completed","lastUpdated":"t2"}}');
\echo :SQLSTATE
SELECT wf_merge('merge:done', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}', expected_version => 2);
\echo :SQLSTATE
SELECT version, status, step_count, wf_load('merge:done') -> 'execution' ->> 'lastUpdated' AS last_updated FROM wf_info('merge:done');
RESET workflow_persist.finished_read_only;

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'merge:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
