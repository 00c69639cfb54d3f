-- wf_save_step(id, step_key, result, expected_version): one checkpoint.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';
\set ISO '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$'

---------------------------------------------------------------------------
-- a checkpoint creates the workflow when it is absent
---------------------------------------------------------------------------
SELECT wf_save_step('step:new', 'a', '{"ok":true,"value":1}');
SELECT wf_load('step:new') #- '{execution,lastUpdated}' AS doc;
SELECT wf_load('step:new') -> 'execution' ->> 'lastUpdated' ~ :'ISO' AS iso;
SELECT wf_is_valid(wf_load('step:new')), wf_is_valid(wf_load('step:new'), true) AS strict_valid;
SELECT status, version, step_count FROM wf_info('step:new');

-- lastUpdated is the transaction's now(), in UTC with milliseconds
BEGIN;
SET LOCAL timezone = 'America/New_York';
SELECT wf_save_step('step:new', 'b', '{"ok":true}');
SELECT wf_load('step:new') -> 'execution' ->> 'lastUpdated'
       = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS is_now_utc;
COMMIT;

---------------------------------------------------------------------------
-- order: a new key goes after all others; an overwrite keeps its position
---------------------------------------------------------------------------
SELECT wf_save_step('step:ord', 'a', '{"ok":true,"value":"a"}');
SELECT wf_save_step('step:ord', 'b', '{"ok":true,"value":"b"}');
SELECT wf_save_step('step:ord', 'c', '{"ok":false,"error":"E","cause":{"type":"thrown","stringRepresentation":"E"}}');
SELECT wf_save_step('step:ord', 'b', '{"ok":true,"value":"b2"}');
SELECT pos, step_key, ok, result FROM wf_steps('step:ord');
SELECT wf_load('step:ord', since_step => 'a') -> 'steps' AS after_a;
SELECT wf_load('step:ord') -> 'execution' ->> 'currentStepId' AS current;
SELECT step_count, version FROM wf_info('step:ord');
-- a key shorter in jsonb order still goes last
SELECT wf_save_step('step:ord', 'aaaa', '{"ok":true}');
SELECT wf_save_step('step:ord', '0', '{"ok":true}');
SELECT pos, step_key FROM wf_steps('step:ord');
SELECT wf_load('step:ord', since_step => 'c') -> 'steps' AS after_c;

---------------------------------------------------------------------------
-- the rest of the stored snapshot is kept
---------------------------------------------------------------------------
-- (failed: a checkpoint does not change execution.status; a completed run
-- would accept no checkpoint at all)
SELECT wf_save('step:keep', '{"formatVersion":1,"workflowName":"w","steps":{"x":{"ok":true}},"execution":{"status":"failed","lastUpdated":"t","completedAt":"c","currentStepId":"x"},"metadata":{"m":1.50},"warnings":[{"type":"lossy_value","stepId":"x","path":"p","reason":"circular"}],"other":[1]}');
SELECT wf_save_step('step:keep', 'y', '{"ok":true,"value":null}');
SELECT wf_load('step:keep') #- '{execution,lastUpdated}' AS doc;
SELECT wf_load('step:keep') -> 'execution' ->> 'lastUpdated' ~ :'ISO' AS iso;
SELECT status FROM wf_info('step:keep');

-- a completed run accepts no more checkpoints: 55000, nothing written
SELECT wf_save('step:done', '{"formatVersion":1,"steps":{"x":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}');
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
SELECT wf_save_step('step:done', 'y', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_save_step('step:done', 'x', '{"ok":true}');
\echo :SQLSTATE
SELECT version, status, step_count, wf_load('step:done') -> 'execution' AS execution FROM wf_info('step:done');
RESET workflow_persist.finished_read_only;

---------------------------------------------------------------------------
-- the same result again: a write (version bumped), the row not rewritten
---------------------------------------------------------------------------
SELECT wf_save_step('step:same', 'a', '{"ok":true,"value":1}');
CREATE TEMP TABLE step_rec AS SELECT recorded_at FROM wf_steps('step:same');
SELECT pg_sleep(0.01);
SELECT wf_save_step('step:same', 'a', '{"ok":true,"value":1}');
SELECT s.recorded_at = r.recorded_at AS unchanged FROM wf_steps('step:same') s, step_rec r;
SELECT pg_sleep(0.01);
SELECT wf_save_step('step:same', 'a', '{"ok":true,"value":2}');
SELECT s.recorded_at > r.recorded_at AS rewritten, s.pos FROM wf_steps('step:same') s, step_rec r;
DROP TABLE step_rec;
SELECT version FROM wf_info('step:same');

---------------------------------------------------------------------------
-- odd keys: the empty key, quotes, newlines, unicode, 1024 bytes
---------------------------------------------------------------------------
SELECT wf_save_step('step:keys', '', '{"ok":true,"value":0}');
SELECT wf_save_step('step:keys', E'a"b\nc', '{"ok":true,"value":1}');
SELECT wf_save_step('step:keys', 'ключ😀', '{"ok":true,"value":2}');
SELECT wf_save_step('step:keys', repeat('k', 1024), '{"ok":true,"value":3}');
SELECT wf_save_step('step:keys', repeat('é', 512), '{"ok":true,"value":4}');
SELECT pos, octet_length(step_key) AS bytes, left(step_key, 8) AS key, result FROM wf_steps('step:keys');
SELECT wf_load('step:keys') -> 'steps' -> E'a"b\nc' AS quoted,
       wf_load('step:keys') -> 'steps' -> '' AS empty,
       wf_load('step:keys') -> 'execution' ->> 'currentStepId' = repeat('é', 512) AS current;
-- longer than 1024 bytes: 54000, nothing written
SELECT wf_save_step('step:keys', repeat('k', 1025), '{"ok":true}');
\echo :SQLSTATE
SELECT wf_save_step('step:keys', repeat('é', 512) || 'x', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_save_step('step:nokey', repeat('k', 1025), '{"ok":true}');
\echo :SQLSTATE
SELECT version, step_count FROM wf_info('step:keys');
SELECT wf_exists('step:nokey');

---------------------------------------------------------------------------
-- validation of the result (the spec's per-step rules), nothing written
---------------------------------------------------------------------------
SELECT wf_save_step('step:v', 'k', '{"ok":"true"}');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'k', '{"value":1}');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'k', '{"ok":false}');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'k', '{"ok":false,"error":"e"}');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'k', '5');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'k', 'null');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'k', '"ok"');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'a"b', '{"ok":1}');
\echo :SQLSTATE
SELECT wf_exists('step:v');
-- awaitly checks nothing else: error and cause may be anything, value may be absent
SELECT wf_save_step('step:v', 'k', '{"ok":false,"error":null,"cause":null}');
SELECT wf_save_step('step:v', 'k', '{"ok":true}');
SELECT wf_save_step('step:v', 'arr', '[1,2]');
\echo :SQLSTATE
-- a failing checkpoint on an existing workflow changes nothing
SELECT wf_save_step('step:v', 'k', '{"ok":1}');
\echo :SQLSTATE
SELECT version, (wf_load('step:v') -> 'steps' -> 'k') AS k FROM wf_info('step:v');
-- strict: our checks too
SET workflow_persist.validation = strict;
SELECT wf_save_step('step:v', 'k', '{"ok":false,"error":"e","cause":5}');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'k', '{"ok":false,"error":"e","cause":{"type":"error","name":"E","message":"m"},"meta":{"origin":"elsewhere"}}');
\echo :SQLSTATE
SELECT wf_save_step('step:v', 'k', '{"ok":false,"error":"e","cause":{"type":"error","name":"E","message":"m"},"meta":{"origin":"result"}}');
-- off: any JSON value is stored (ok is NULL when it is not a boolean)
SET workflow_persist.validation = off;
SELECT wf_save_step('step:v', 'scalar', '5');
SELECT wf_save_step('step:v', 'strok', '{"ok":"yes"}');
RESET workflow_persist.validation;
SELECT step_key, ok, result FROM wf_steps('step:v') ORDER BY pos;

---------------------------------------------------------------------------
-- the status column follows the stored execution.status
---------------------------------------------------------------------------
SELECT wf_save('step:st', '{"formatVersion":1,"steps":{},"execution":{"status":"failed","lastUpdated":"t"}}');
SELECT wf_save_step('step:st', 'a', '{"ok":true}');
SELECT status, wf_load('step:st') -> 'execution' ->> 'status' AS execution_status FROM wf_info('step:st');
-- a stored execution that is not an object is replaced by a running one
SET workflow_persist.validation = off;
SELECT wf_save('step:st', '{"steps":{},"execution":"x"}');
RESET workflow_persist.validation;
SELECT wf_save_step('step:st', 'b', '{"ok":true}');
SELECT status, (wf_load('step:st') -> 'execution') - 'lastUpdated'::text AS execution FROM wf_info('step:st');

---------------------------------------------------------------------------
-- expected_version
---------------------------------------------------------------------------
SELECT wf_save_step('step:ev', 'a', '{"ok":true}', 1);
\echo :SQLSTATE
SELECT wf_exists('step:ev');
SELECT wf_save_step('step:ev', 'a', '{"ok":true}', 0);
SELECT wf_save_step('step:ev', 'b', '{"ok":true}', 0);
\echo :SQLSTATE
SELECT wf_save_step('step:ev', 'b', '{"ok":true}', 2);
\echo :SQLSTATE
SELECT wf_save_step('step:ev', 'b', '{"ok":true}', 1);
SELECT wf_save_step('step:ev', 'c', '{"ok":true}', -1);
\echo :SQLSTATE
SELECT wf_save_step('step:ev', 'c', '{"ok":true}', expected_version => 2);
SELECT version, step_count FROM wf_info('step:ev');
SELECT step_key FROM wf_steps('step:ev');

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'step:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
