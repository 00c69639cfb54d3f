-- wf_save(id, snapshot, ttl, expected_version): validation per
-- workflow_persist.validation, the shape the store needs, whole replacement,
-- versions, expected_version, ttl, and unchanged steps left alone.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';
SHOW workflow_persist.validation;
\set S1 '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":2}},"execution":{"status":"running","lastUpdated":"t1"}}'
\set S2 '{"formatVersion":1,"steps":{"b":{"ok":true,"value":22},"c":{"ok":false,"error":"e","cause":{"type":"error","name":"E","message":"m"}}},"execution":{"status":"failed","lastUpdated":"t2"}}'

---------------------------------------------------------------------------
-- versions and whole replacement
---------------------------------------------------------------------------
SELECT wf_save('save:a', :'S1');
SELECT wf_load('save:a') = :'S1' AS equal;
SELECT status, version, step_count FROM wf_info('save:a');
SELECT wf_save('save:a', :'S2');
-- step "a" is gone, "b" replaced, "c" added
SELECT wf_load('save:a') = :'S2' AS equal;
SELECT pos, step_key, ok, result FROM wf_steps('save:a');
SELECT status, version, step_count FROM wf_info('save:a');
-- saving the same document again is still a write
SELECT wf_save('save:a', :'S2');
SELECT version FROM wf_info('save:a');
-- an empty steps object removes every step
SELECT wf_save('save:a', '{"formatVersion":1,"steps":{},"execution":{"status":"completed","lastUpdated":"t"}}');
SELECT count(*) FROM wf_steps('save:a');
SELECT status, version, step_count FROM wf_info('save:a');
-- created_at stays, updated_at moves
SELECT created_at < updated_at AS updated_later FROM wf_info('save:a');

---------------------------------------------------------------------------
-- validation = awaitly (the default): every error in DETAIL, nothing written
---------------------------------------------------------------------------
SELECT wf_save('save:bad', '{"formatVersion":2,"steps":{"a":{"ok":1},"b":3,"c":{"ok":false}},"execution":{"status":"paused"}}');
\echo :SQLSTATE
SELECT wf_exists('save:bad');
SELECT wf_save('save:bad', '"a string"');
\echo :SQLSTATE
SELECT wf_save('save:bad', '[]');
\echo :SQLSTATE
SELECT wf_save('save:bad', '{}');
\echo :SQLSTATE
-- an existing workflow is left as it was
SELECT wf_save('save:a', '{"formatVersion":1,"steps":{"x":{"ok":"yes"}},"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT version, step_count FROM wf_info('save:a');
SELECT wf_load('save:a') -> 'execution' ->> 'status' AS status;
-- awaitly accepts steps as an array; the store does not (22023 either way)
SELECT wf_is_valid('{"formatVersion":1,"steps":[{"ok":true}],"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save('save:bad', '{"formatVersion":1,"steps":[{"ok":true}],"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
-- awaitly does not check the shapes strict mode checks
SELECT wf_save('save:lax', '{"formatVersion":1,"steps":{"a":{"ok":false,"error":1,"cause":5}},"execution":{"status":"running","lastUpdated":"yesterday"},"metadata":7,"warnings":"w"}');
SELECT wf_load('save:lax') = '{"formatVersion":1,"steps":{"a":{"ok":false,"error":1,"cause":5}},"execution":{"status":"running","lastUpdated":"yesterday"},"metadata":7,"warnings":"w"}' AS equal;

---------------------------------------------------------------------------
-- validation = strict: awaitly's errors, then ours
---------------------------------------------------------------------------
SET workflow_persist.validation = strict;
SELECT wf_save('save:strict', '{"formatVersion":1,"steps":{"a":{"ok":false,"error":1,"cause":5}},"execution":{"status":"running","lastUpdated":"yesterday"}}');
\echo :SQLSTATE
SELECT wf_save('save:strict', '{"formatVersion":1,"steps":{"a":{"ok":false,"error":1,"cause":5},"b":{"ok":2}},"execution":{"status":"running","lastUpdated":"yesterday"}}');
\echo :SQLSTATE
SELECT wf_exists('save:strict');
SELECT wf_save('save:strict', '{"formatVersion":1,"steps":{"a":{"ok":false,"error":1,"cause":{"type":"error","name":"E","message":"m"},"meta":{"origin":"throw"}}},"execution":{"status":"running","lastUpdated":"2024-01-01T00:00:00.000Z"}}');
RESET workflow_persist.validation;

---------------------------------------------------------------------------
-- validation = off: anything with a "steps" object, stored as given
---------------------------------------------------------------------------
SET workflow_persist.validation = off;
SELECT wf_save('save:off', '{"steps":{"a":5,"b":null,"c":[1]},"foo":{"bar":[1.50]}}');
SELECT wf_load('save:off') = '{"steps":{"a":5,"b":null,"c":[1]},"foo":{"bar":[1.50]}}' AS equal,
       wf_load('save:off') ? 'execution' AS has_execution;
SELECT pos, step_key, ok, result FROM wf_steps('save:off');
-- the status column: running unless execution.status is completed or failed
-- (completed last: a completed run accepts no more writes)
SELECT status FROM wf_info('save:off');
SELECT wf_save('save:off', '{"steps":{},"execution":{"status":"failed"}}');
SELECT status FROM wf_info('save:off');
SELECT wf_save('save:off', '{"steps":{},"execution":{"status":"suspended"}}');
SELECT status FROM wf_info('save:off');
SELECT wf_save('save:off', '{"steps":{},"execution":{"status":"cancelled"}}');
SELECT status FROM wf_info('save:off');
SELECT wf_save('save:off', '{"steps":{},"execution":"completed"}');
SELECT status FROM wf_info('save:off');
SELECT wf_save('save:off', '{"steps":{},"execution":null}');
SELECT status, wf_load('save:off') AS doc FROM wf_info('save:off');
SELECT wf_save('save:off', '{"steps":{},"execution":{"status":"completed"}}');
SELECT status FROM wf_info('save:off');
-- validation off does not reopen a completed run
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
SELECT wf_save('save:off', '{"steps":{},"execution":{"status":"running"}}');
\echo :SQLSTATE
RESET workflow_persist.finished_read_only;
-- what the store cannot hold is refused whatever the mode
SELECT wf_save('save:off', '[{"steps":{}}]');
\echo :SQLSTATE
SELECT wf_save('save:off', '42');
\echo :SQLSTATE
SELECT wf_save('save:off', '{"formatVersion":1}');
\echo :SQLSTATE
SELECT wf_save('save:off', '{"steps":null}');
\echo :SQLSTATE
SELECT wf_save('save:off', '{"steps":[]}');
\echo :SQLSTATE
SELECT wf_save('save:off', '{"steps":"abc"}');
\echo :SQLSTATE
SELECT version FROM wf_info('save:off');
RESET workflow_persist.validation;
-- the setting takes only its three values
SET workflow_persist.validation = lenient;
\echo :SQLSTATE
-- the status column follows execution.status under awaitly too
SELECT wf_save('save:st', '{"formatVersion":1,"steps":{},"execution":{"status":"failed","lastUpdated":"t"}}');
SELECT status FROM wf_info('save:st');
SELECT wf_save('save:st', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT status FROM wf_info('save:st');
SELECT wf_save('save:st', '{"formatVersion":1,"steps":{},"execution":{"status":"completed","lastUpdated":"t"}}');
SELECT status, version FROM wf_info('save:st');
-- then it accepts no more saves: 55000, nothing written
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
SELECT wf_save('save:st', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_save('save:st', '{"formatVersion":1,"steps":{},"execution":{"status":"completed","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT status, version FROM wf_info('save:st');
RESET workflow_persist.finished_read_only;

---------------------------------------------------------------------------
-- expected_version: NULL unconditional, 0 must not exist, N must be at N
---------------------------------------------------------------------------
SELECT wf_save('save:ev', :'S1', expected_version => 1);
\echo :SQLSTATE
SELECT wf_exists('save:ev');
SELECT wf_save('save:ev', :'S1', expected_version => 0);
SELECT wf_save('save:ev', :'S1', expected_version => 0);
\echo :SQLSTATE
SELECT wf_save('save:ev', :'S2', expected_version => 2);
\echo :SQLSTATE
SELECT wf_save('save:ev', :'S2', expected_version => 1);
SELECT wf_save('save:ev', :'S1', expected_version => 1);
\echo :SQLSTATE
SELECT wf_save('save:ev', :'S1', expected_version => -1);
\echo :SQLSTATE
-- the failures wrote nothing
SELECT version, wf_load('save:ev') = :'S2' AS still_s2 FROM wf_info('save:ev');
SELECT wf_save('save:ev', :'S1', NULL, NULL);
SELECT wf_save('save:ev', :'S2', NULL, 3);
SELECT version FROM wf_info('save:ev');

---------------------------------------------------------------------------
-- ttl: expiry = now() + ttl; NULL keeps the current expiry
---------------------------------------------------------------------------
SELECT wf_save('save:ttl', :'S1');
SELECT expires_at IS NULL AS no_expiry FROM wf_info('save:ttl');
SELECT wf_save('save:ttl', :'S1', ttl => '0');
\echo :SQLSTATE
SELECT wf_save('save:ttl', :'S1', ttl => '-1 day');
\echo :SQLSTATE
SELECT wf_save('save:ttl', :'S1', ttl => '1 month -40 days');
\echo :SQLSTATE
SELECT version FROM wf_info('save:ttl');
BEGIN;
SELECT wf_save('save:ttl', :'S1', ttl => '2 days');
SELECT expires_at = now() + interval '2 days' AS two_days FROM wf_info('save:ttl');
COMMIT;
-- NULL keeps it, for every writer
SELECT wf_save('save:ttl', :'S2');
SELECT expires_at > now() + interval '1 day' AND expires_at <= now() + interval '2 days' AS kept FROM wf_info('save:ttl');
SELECT wf_save_step('save:ttl', 'd', '{"ok":true}');
SELECT wf_merge('save:ttl', :'S2');
SELECT expires_at > now() + interval '1 day' AND expires_at <= now() + interval '2 days' AS kept FROM wf_info('save:ttl');
-- a new ttl replaces it
BEGIN;
SELECT wf_save('save:ttl', :'S2', ttl => '1 hour');
SELECT expires_at = now() + interval '1 hour' AS one_hour FROM wf_info('save:ttl');
COMMIT;

---------------------------------------------------------------------------
-- unchanged steps are not rewritten: their recorded_at stays
---------------------------------------------------------------------------
SELECT wf_save('save:rec', '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":2},"c":{"ok":true,"value":3}},"execution":{"status":"running","lastUpdated":"t"}}');
CREATE TEMP TABLE save_rec AS SELECT step_key, recorded_at FROM wf_steps('save:rec');
SELECT pg_sleep(0.01);
SELECT wf_save('save:rec', '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":20},"c":{"ok":true,"value":3}},"execution":{"status":"running","lastUpdated":"t2"}}');
SELECT s.step_key, s.recorded_at = r.recorded_at AS unchanged, s.recorded_at > r.recorded_at AS rewritten
  FROM wf_steps('save:rec') s JOIN save_rec r USING (step_key) ORDER BY s.pos;
DROP TABLE save_rec;

---------------------------------------------------------------------------
-- positions: kept keys keep theirs, new keys go after all others
-- (among themselves in jsonb key order: length, then bytes)
---------------------------------------------------------------------------
SELECT wf_save('save:pos', '{"formatVersion":1,"steps":{"m":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save('save:pos', '{"formatVersion":1,"steps":{"zz":{"ok":true},"a":{"ok":true},"m":{"ok":true,"value":1},"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT pos, step_key FROM wf_steps('save:pos');
-- a removed key that comes back is recorded anew, after the others
SELECT wf_save('save:pos', '{"formatVersion":1,"steps":{"zz":{"ok":true},"a":{"ok":true},"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save_step('save:pos', 'm', '{"ok":true}');
SELECT pos, step_key FROM wf_steps('save:pos');
SELECT wf_load('save:pos', since_step => 'b') -> 'steps' AS after_b;

---------------------------------------------------------------------------
-- inside the caller's transaction: a rollback undoes the write
---------------------------------------------------------------------------
BEGIN;
SELECT wf_save('save:rb', :'S1');
SELECT wf_exists('save:rb');
ROLLBACK;
SELECT wf_exists('save:rb');
-- a read-only transaction cannot write
BEGIN READ ONLY;
SELECT wf_save('save:rb', :'S1');
\echo :SQLSTATE
ROLLBACK;

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'save:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
