-- wf_replay(id, new_id) and wf_fork(id, new_id, up_to_step): new runs made
-- from old ones (any status, completed and cancelled included).
--   replay: {formatVersion 1, workflowName?, steps {}, execution {status
--     running, lastUpdated}, metadata {input?, version?, definitionHash?,
--     workflowId: new_id, replayOf: {id}}}; a NULL new_id generates
--     "<id>:replay-<8 hex>" (a UUID when that would be too long);
--   fork: the steps recorded up to and including up_to_step, positions
--     1..k in the original order, execution running with currentStepId =
--     up_to_step, metadata like replay's but forkOf {id, upToStep},
--     warnings of dropped steps dropped.
--   new_id existing: 23505; source absent: P0002; unknown step: P0002.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set ISO '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$'
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve') AS "PA" \gset
-- a completed run with everything: workflowName, rich metadata (with keys
-- that must not carry over: an idempotency key, a result), warnings,
-- unknown members; its steps recorded in an order unlike jsonb key order
SELECT wf_save_step('rp:src', 'validate', '{"ok":true,"value":{"valid":true}}');
SELECT wf_save_step('rp:src', 'charge', '{"ok":true,"value":{"id":"ch_1"}}');
SELECT wf_save_step('rp:src', 'approve', :'PA');
SELECT wf_approve('rp:src', 'approve');
SELECT wf_save_step('rp:src', 'ship', '{"ok":false,"error":"E","cause":{"type":"thrown","stringRepresentation":"E"},"meta":{"origin":"result"}}');
SELECT wf_save_step('rp:src', 'a', '{"ok":true,"value":"last"}');
SELECT wf_save('rp:src', jsonb_build_object('formatVersion', 1, 'workflowName', 'checkout',
         'steps', wf_load('rp:src') -> 'steps',
         'execution', jsonb_build_object('status', 'completed', 'lastUpdated', '2026-01-01T00:00:00.000Z',
                                         'completedAt', '2026-01-01T00:00:01.000Z', 'currentStepId', 'a'),
         'metadata', jsonb_build_object('workflowId', 'rp:src', 'input', jsonb_build_object('cart', jsonb_build_array(1, 2), 'total', 10.50),
                                        'version', 3, 'definitionHash', 'abc123', 'idempotencyKey', 'k-1',
                                        'result', 'done', 'resume', jsonb_build_object('x', 1)),
         'warnings', jsonb_build_array(
             jsonb_build_object('type', 'lossy_value', 'stepId', 'charge', 'path', 'value.fn', 'reason', 'non-json'),
             jsonb_build_object('type', 'lossy_value', 'stepId', 'ship', 'path', 'error', 'reason', 'circular'),
             jsonb_build_object('type', 'lossy_value', 'stepId', 'validate', 'path', 'value.x', 'reason', 'encode-failed')),
         'x-custom', jsonb_build_object('kept', true)));
SELECT status, version, step_count FROM wf_info('rp:src');
SELECT pos, step_key FROM wf_steps('rp:src');

---------------------------------------------------------------------------
-- replay
---------------------------------------------------------------------------
SELECT wf_replay('rp:src', 'rp:again');
SELECT wf_load('rp:again') #- '{execution,lastUpdated}' AS doc;
SELECT wf_load('rp:again') -> 'execution' ->> 'lastUpdated' ~ :'ISO' AS iso,
       wf_load('rp:again') - 'execution' = jsonb_build_object('formatVersion', 1, 'workflowName', 'checkout', 'steps', '{}'::jsonb,
         'metadata', jsonb_build_object('input', jsonb_build_object('cart', jsonb_build_array(1, 2), 'total', 10.50),
                                        'version', 3, 'definitionHash', 'abc123', 'workflowId', 'rp:again',
                                        'replayOf', jsonb_build_object('id', 'rp:src'))) AS exact,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(wf_load('rp:again') -> 'execution') AS k) AS execution_keys;
SELECT status, version, step_count, pending FROM wf_info('rp:again');
SELECT wf_validate(wf_load('rp:again'), true) AS strict_errors;
-- the source is untouched
SELECT status, version FROM wf_info('rp:src');
-- the new run is an ordinary one: it takes checkpoints
SELECT wf_save_step('rp:again', 'validate', '{"ok":true}');
SELECT status, version, step_count FROM wf_info('rp:again');
-- a source without metadata or workflowName: only workflowId and replayOf
SELECT wf_save('rp:bare', '{"formatVersion":1,"steps":{"s":{"ok":true}},"execution":{"status":"failed","lastUpdated":"t"}}');
SELECT wf_replay('rp:bare', 'rp:bare2');
SELECT wf_load('rp:bare2') #- '{execution,lastUpdated}' AS doc;
-- metadata keys present with a null value are kept as present
SELECT wf_save('rp:nulls', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"},"metadata":{"input":null,"version":null,"other":1}}');
SELECT wf_replay('rp:nulls', 'rp:nulls2');
SELECT wf_load('rp:nulls2') -> 'metadata' AS metadata;
-- from a cancelled run and from a suspended one (the new run is running)
SELECT wf_save_step('rp:cancelled', 'approve', :'PA');
SELECT wf_cancel('rp:cancelled');
SELECT wf_replay('rp:cancelled', 'rp:cancelled2');
SELECT wf_save_step('rp:held', 'a', '{"ok":true}');
SELECT wf_suspend('rp:held', 'held');
SELECT wf_replay('rp:held', 'rp:held2');
SELECT id, status, step_count, pending FROM wf_list('rp:') WHERE id IN ('rp:cancelled', 'rp:cancelled2', 'rp:held', 'rp:held2') ORDER BY id;
SELECT count(*) FROM wf_pending('rp:held2');

-- generated ids: "<id>:replay-" and 8 hex digits, different each time
SELECT wf_replay('rp:src') AS gen1 \gset
SELECT wf_replay('rp:src') AS gen2 \gset
SELECT :'gen1' ~ '^rp:src:replay-[0-9a-f]{8}$' AS format1, :'gen2' ~ '^rp:src:replay-[0-9a-f]{8}$' AS format2,
       :'gen1' <> :'gen2' AS different;
SELECT wf_load(:'gen1') -> 'metadata' ->> 'workflowId' = :'gen1' AS workflow_id, status FROM wf_info(:'gen1');
-- up to 496 bytes the suffix fits in 512; beyond, a UUID
SELECT wf_save(repeat('r', 496), '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save(repeat('r', 497), '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save(repeat('r', 512), '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_replay(repeat('r', 496)) AS g496 \gset
SELECT wf_replay(repeat('r', 497)) AS g497 \gset
SELECT wf_replay(repeat('r', 512)) AS g512 \gset
SELECT octet_length(:'g496') AS len496, :'g496' ~ ('^' || repeat('r', 496) || ':replay-[0-9a-f]{8}$') AS suffixed,
       :'g497' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS uuid497,
       :'g512' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS uuid512;
SELECT count(*) AS replays FROM wf_workflow WHERE id IN (:'g496', :'g497', :'g512');
SELECT wf_delete(id) FROM unnest(array[repeat('r', 496), repeat('r', 497), repeat('r', 512), :'g496', :'g497', :'g512']) AS id;

-- refused replays: nothing is created
SELECT wf_replay('rp:src', 'rp:again');
\echo :SQLSTATE
SELECT wf_replay('rp:src', 'rp:src');
\echo :SQLSTATE
SELECT wf_replay('rp:absent', 'rp:new');
\echo :SQLSTATE
SELECT wf_replay('rp:absent');
\echo :SQLSTATE
SELECT wf_replay('rp:src', '');
\echo :SQLSTATE
SELECT wf_replay('rp:src', repeat('n', 513));
\echo :SQLSTATE
SELECT wf_exists('rp:new');
-- an expired source is absent; an expired new_id is free
SELECT wf_save('rp:expired', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}', ttl => '1 millisecond');
SELECT pg_sleep(0.05);
SELECT wf_replay('rp:expired', 'rp:x');
\echo :SQLSTATE
SELECT wf_replay('rp:bare', 'rp:expired');
SELECT wf_load('rp:expired') -> 'metadata' AS metadata, version, step_count FROM wf_info('rp:expired');

---------------------------------------------------------------------------
-- fork
---------------------------------------------------------------------------
-- up to "approve" (recorded third): validate, charge, approve
SELECT wf_fork('rp:src', 'rp:fork', 'approve');
SELECT pos, step_key, result FROM wf_steps('rp:fork');
SELECT (SELECT array_agg(result ORDER BY pos) FROM wf_steps('rp:fork'))
     = (SELECT array_agg(result ORDER BY pos) FROM wf_steps('rp:src') WHERE pos <= 3) AS same_results;
SELECT wf_load('rp:fork') - 'steps' - 'execution' AS head;
-- a running execution: status, currentStepId and lastUpdated (nothing of
-- the source's completed execution, such as completedAt)
SELECT (wf_load('rp:fork') -> 'execution') - 'lastUpdated' AS execution,
       wf_load('rp:fork') -> 'execution' ->> 'lastUpdated' ~ :'ISO' AS iso;
SELECT status, version, step_count, pending FROM wf_info('rp:fork');
SELECT wf_validate(wf_load('rp:fork'), true) AS strict_errors;
-- the fork goes on from there: a new step goes after the copied ones
SELECT wf_save_step('rp:fork', 'ship', '{"ok":true}');
SELECT pos, step_key FROM wf_steps('rp:fork');
-- up to the first step: one step, the warnings of the others dropped
SELECT wf_fork('rp:src', 'rp:fork1', 'validate');
SELECT step_key FROM wf_steps('rp:fork1');
SELECT wf_load('rp:fork1') -> 'warnings' AS warnings;
-- up to the last: every step; the warning of every kept step kept
SELECT wf_fork('rp:src', 'rp:forkall', 'a');
SELECT count(*) AS steps, (SELECT jsonb_array_length(wf_load('rp:forkall') -> 'warnings')) AS warnings FROM wf_steps('rp:forkall');
-- no warnings kept: the member goes away
SELECT wf_save('rp:warn', '{"formatVersion":1,"steps":{"a":{"ok":true},"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"},"warnings":[{"type":"lossy_value","stepId":"b","path":"p","reason":"circular"}]}');
SELECT wf_fork('rp:warn', 'rp:warn2', 'a');
SELECT wf_load('rp:warn2') ? 'warnings' AS has_warnings;
-- a waiting step copied: the fork is suspended, its step pending
SELECT wf_save_step('rp:wait', 'a', '{"ok":true}');
SELECT wf_save_step('rp:wait', 'approve', :'PA');
SELECT wf_save_step('rp:wait', 'b', '{"ok":true}');
SELECT wf_fork('rp:wait', 'rp:wait2', 'approve');
SELECT status, step_count, pending FROM wf_info('rp:wait2');
SELECT step_key, kind FROM wf_pending('rp:wait2');
-- from a cancelled run (the fork is not cancelled); positions with gaps in
-- the source become 1..k
SELECT wf_save_step('rp:gaps', k, '{"ok":true}') FROM unnest(array['k1', 'k2', 'k3', 'k4']) AS k;
SELECT wf_save('rp:gaps', '{"formatVersion":1,"steps":{"k2":{"ok":true},"k4":{"ok":true},"k5":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_cancel('rp:gaps');
SELECT pos, step_key FROM wf_steps('rp:gaps');
SELECT wf_fork('rp:gaps', 'rp:gaps2', 'k4');
SELECT pos, step_key FROM wf_steps('rp:gaps2');
SELECT status, next_pos FROM wf_workflow WHERE id = 'rp:gaps2';

-- refused forks: nothing is created
SELECT wf_fork('rp:src', 'rp:f', 'missing');
\echo :SQLSTATE
SELECT wf_fork('rp:absent', 'rp:f', 'a');
\echo :SQLSTATE
SELECT wf_fork('rp:src', 'rp:fork', 'a');
\echo :SQLSTATE
SELECT wf_fork('rp:src', 'rp:src', 'a');
\echo :SQLSTATE
SELECT wf_fork('rp:src', NULL, 'a');
\echo :SQLSTATE
SELECT wf_fork('rp:src', 'rp:f', NULL);
\echo :SQLSTATE
SELECT wf_fork('rp:src', '', 'a');
\echo :SQLSTATE
SELECT wf_fork('rp:bare2', 'rp:f', 'a');
\echo :SQLSTATE
SELECT wf_exists('rp:f');

-- every workflow's counters and size agree with its rows (wf_verify)
SELECT * FROM wf_verify();

-- clean up
SELECT wf_delete(:'gen1'), wf_delete(:'gen2');
SELECT id, wf_delete(id) FROM wf_list(prefix => 'rp:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_events FROM wf_event;
