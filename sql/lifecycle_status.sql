-- Run lifecycle: the status every write derives, the pending count, and
-- wf_pending.  A run is suspended while a stored step waits for a decision
-- (error.type PENDING_APPROVAL or PENDING_HOOK) or after wf_suspend;
-- otherwise execution.status says; cancelled only by wf_cancel.  Completed
-- and cancelled runs accept no writes (55000); wf_delete still works.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
-- awaitly's own documents: a step waiting for approval (createApprovalStep)
-- and one waiting for a hook (step key hook:<hookId>)
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve:refund', 'Refund over limit', '{"amount":120,"currency":"EUR"}') AS "PA",
       pg_temp.pending_hook('h-7', 'hook:h-7', '{"callback":"/hooks/h-7"}') AS "PH" \gset
\set OK '{"ok":true,"value":{"n":1}}'

---------------------------------------------------------------------------
-- wf_save of an awaitly snapshot with a PENDING_APPROVAL step: suspended
---------------------------------------------------------------------------
SELECT wf_save('st:save', jsonb_build_object('formatVersion', 1, 'workflowName', 'refund',
         'steps', jsonb_build_object('load', :'OK'::jsonb, 'approve:refund', :'PA'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', '2026-01-01T00:00:00.000Z',
                                         'currentStepId', 'approve:refund')));
SELECT status, pending, step_count FROM wf_info('st:save');
-- the document is stored as it was given (the store does not rewrite it)
SELECT wf_load('st:save') -> 'execution' ->> 'status' AS execution_status,
       wf_load('st:save') -> 'steps' -> 'approve:refund' = :'PA' AS step_as_saved;
SELECT id, step_key, kind, reason, request, since = (SELECT updated_at FROM wf_info('st:save')) AS since_saved
  FROM wf_pending('st:save');
-- the engine saves again with the step still waiting: still suspended, one pending
SELECT wf_save('st:save', wf_load('st:save'));
SELECT status, pending FROM wf_info('st:save');
-- the engine itself overwrites the step with a result: running again
SELECT wf_save('st:save', jsonb_set(wf_load('st:save'), '{steps,approve:refund}', '{"ok":true,"value":true}'));
SELECT status, pending FROM wf_info('st:save');
SELECT count(*) FROM wf_pending('st:save');
-- a failed execution with a waiting step is suspended; without it, failed
SELECT wf_save('st:save', jsonb_set(jsonb_set(wf_load('st:save'), '{steps,approve:refund}', :'PA'), '{execution,status}', '"failed"'));
SELECT status, pending FROM wf_info('st:save');
SELECT wf_save('st:save', jsonb_set(wf_load('st:save'), '{steps,approve:refund}', '{"ok":false,"error":"E","cause":{"type":"thrown","stringRepresentation":"E"},"meta":{"origin":"result"}}'));
SELECT status, pending FROM wf_info('st:save');
-- a completed execution with a waiting step: suspended, and so still writable
SELECT wf_save('st:save', jsonb_set(jsonb_set(wf_load('st:save'), '{steps,approve:refund}', :'PA'), '{execution,status}', '"completed"'));
SELECT status, pending FROM wf_info('st:save');
-- deciding it leaves execution.status to say: completed
SELECT wf_save_step('st:save', 'approve:refund', :'OK');
SELECT status, pending FROM wf_info('st:save');

---------------------------------------------------------------------------
-- wf_save_step and wf_merge count waiting steps the same way
---------------------------------------------------------------------------
SELECT wf_save_step('st:step', 'load', :'OK');
SELECT wf_save_step('st:step', 'approve:refund', :'PA');
SELECT wf_save_step('st:step', 'hook:h-7', :'PH');
SELECT status, pending, step_count FROM wf_info('st:step');
-- overwriting a waiting step with another waiting result: still two
SELECT wf_save_step('st:step', 'approve:refund', jsonb_set(:'PA', '{error,reason}', '"again"'));
SELECT status, pending FROM wf_info('st:step');
-- the hook: kind "hook", request = {hookId, metadata}
SELECT step_key, kind, reason, request FROM wf_pending('st:step') ORDER BY step_key;
SELECT wf_save_step('st:step', 'hook:h-7', :'OK');
SELECT wf_save_step('st:step', 'approve:refund', :'OK');
SELECT status, pending FROM wf_info('st:step');
-- a hook without metadata: request is {hookId} alone; an approval without
-- metadata or reason: NULL request and reason
SELECT wf_save_step('st:step', 'hook:bare', '{"ok":false,"error":{"type":"PENDING_HOOK","hookId":"bare"},"cause":{"type":"thrown","stringRepresentation":"h"},"meta":{"origin":"result"}}');
SELECT wf_save_step('st:step', 'approve:bare', '{"ok":false,"error":{"type":"PENDING_APPROVAL","stepKey":"approve:bare"},"cause":{"type":"thrown","stringRepresentation":"a"},"meta":{"origin":"result"}}');
SELECT step_key, kind, reason, request FROM wf_pending('st:step') ORDER BY step_key;
-- only error.type counts: other error types, or the type elsewhere, do not
SELECT wf_save_step('st:other', 'a', '{"ok":false,"error":{"type":"APPROVAL_REJECTED","stepKey":"a"},"cause":{"type":"thrown","stringRepresentation":"r"},"meta":{"origin":"result"}}');
SELECT wf_save_step('st:other', 'b', '{"ok":false,"error":"PENDING_APPROVAL","cause":{"type":"thrown","stringRepresentation":"p"}}');
SELECT wf_save_step('st:other', 'c', '{"ok":true,"value":{"type":"PENDING_APPROVAL"}}');
SELECT wf_save_step('st:other', 'd', '{"ok":false,"error":{"type":"pending_approval"},"cause":{"type":"thrown","stringRepresentation":"p"}}');
SELECT status, pending FROM wf_info('st:other');
-- wf_merge: a delta bringing a waiting step, then one deciding it
SELECT wf_merge('st:merge', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('load', :'OK'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')));
SELECT wf_merge('st:merge', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('approve:refund', :'PA'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')));
SELECT status, pending FROM wf_info('st:merge');
SELECT wf_merge('st:merge', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('approve:refund', '{"ok":true,"value":1}'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')));
SELECT status, pending FROM wf_info('st:merge');
-- wf_save dropping a waiting step: the count follows
SELECT wf_save('st:drop', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('a', :'PA'::jsonb, 'b', :'PH'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')));
SELECT status, pending FROM wf_info('st:drop');
SELECT wf_save('st:drop', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('b', :'PH'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')));
SELECT status, pending FROM wf_info('st:drop');
SELECT wf_save('st:drop', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT status, pending FROM wf_info('st:drop');

---------------------------------------------------------------------------
-- wf_list and wf_pending over all workflows
---------------------------------------------------------------------------
SELECT id, status, step_count, pending FROM wf_list('st:') ORDER BY id;
SELECT id, status, pending FROM wf_list('st:', 'suspended') ORDER BY id;
-- newest first (then id, step_key); every row of a workflow shares its since
SELECT wf_save_step('st:new', 'approve:refund', :'PA');
SELECT id, step_key, kind FROM wf_pending() WHERE id LIKE 'st:%';
SELECT (SELECT array_agg(since ORDER BY since DESC) FROM wf_pending()) = (SELECT array_agg(since) FROM wf_pending()) AS newest_first;
-- an expired run's steps are not pending anywhere
SELECT wf_save('st:expired', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('a', :'PA'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')), ttl => '1 millisecond');
SELECT pg_sleep(0.05);
SELECT count(*) AS expired_pending FROM wf_pending() WHERE id = 'st:expired';
SELECT count(*) AS expired_pending FROM wf_pending('st:expired');
-- an absent workflow has nothing pending
SELECT count(*) FROM wf_pending('st:absent');

---------------------------------------------------------------------------
-- completed runs accept no writes: 55000 from every writer, nothing changes
---------------------------------------------------------------------------
SELECT wf_save('st:done', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('load', :'OK'::jsonb),
         'execution', jsonb_build_object('status', 'completed', 'lastUpdated', 't', 'completedAt', 't')));
SELECT status, version FROM wf_info('st:done');
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
SELECT wf_save('st:done', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('load', :'OK'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')));
\echo :SQLSTATE
SELECT wf_save_step('st:done', 'more', :'OK');
\echo :SQLSTATE
SELECT wf_merge('st:done', '{"formatVersion":1,"steps":{},"execution":{"status":"completed","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_suspend('st:done', 'hold on');
\echo :SQLSTATE
SELECT wf_approve('st:done', 'load');
\echo :SQLSTATE
SELECT wf_reject('st:done', 'load', 'no');
\echo :SQLSTATE
-- the same with a wrong expected_version or a lease token: still 55000
SELECT wf_save_step('st:done', 'more', :'OK', expected_version => 7);
\echo :SQLSTATE
SELECT wf_save_step('st:done', 'more', :'OK', lease_token => 'no-such-lease');
\echo :SQLSTATE
SELECT status, version, step_count FROM wf_info('st:done');
RESET workflow_persist.finished_read_only;
-- reading works, deleting works
SELECT wf_load('st:done') -> 'steps' AS steps;
SELECT wf_delete('st:done');
SELECT wf_exists('st:done');
-- once deleted, the id is free for a new run
SELECT wf_save_step('st:done', 'again', :'OK');
SELECT status, version FROM wf_info('st:done');

---------------------------------------------------------------------------
-- cancelled runs accept no writes either (the message names the status)
---------------------------------------------------------------------------
SELECT wf_save_step('st:cancel', 'approve:refund', :'PA');
SELECT wf_cancel('st:cancel', 'customer left');
SELECT status, pending FROM wf_info('st:cancel');
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
SELECT wf_save('st:cancel', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_save_step('st:cancel', 'x', :'OK');
\echo :SQLSTATE
SELECT wf_merge('st:cancel', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
\echo :SQLSTATE
SELECT wf_suspend('st:cancel', 'r');
\echo :SQLSTATE
SELECT wf_approve('st:cancel', 'approve:refund');
\echo :SQLSTATE
SELECT wf_reject('st:cancel', 'approve:refund', 'r');
\echo :SQLSTATE
SELECT status, version, step_count FROM wf_info('st:cancel');
-- a cancelled run's waiting steps are no longer pending
SELECT count(*) FROM wf_pending('st:cancel');
SELECT count(*) FROM wf_pending() WHERE id = 'st:cancel';
RESET workflow_persist.finished_read_only;
SELECT wf_delete('st:cancel');

---------------------------------------------------------------------------
-- an expired completed run is gone: saving to its id starts a fresh run
---------------------------------------------------------------------------
SELECT wf_save('st:gone', '{"formatVersion":1,"steps":{"old":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}', ttl => '1 millisecond');
SELECT wf_save_step('st:gone2', 'old', :'PA');
SELECT wf_cancel('st:gone2');
UPDATE wf_workflow SET expires_at = now() - interval '1 second' WHERE id = 'st:gone2';
SELECT pg_sleep(0.05);
SELECT wf_save('st:gone', '{"formatVersion":1,"steps":{"new":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save_step('st:gone2', 'new', :'OK');
SELECT id, status, version, step_count, pending FROM wf_list('st:gone') ORDER BY id;
SELECT event, step_key FROM wf_history('st:gone2');
-- lifecycle calls on an expired run find no workflow (P0002)
SELECT wf_save('st:exp', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"failed","lastUpdated":"t"}}', ttl => '1 millisecond');
SELECT pg_sleep(0.05);
SELECT wf_suspend('st:exp', 'r');
\echo :SQLSTATE
SELECT wf_resume('st:exp');
\echo :SQLSTATE
SELECT wf_cancel('st:exp');
\echo :SQLSTATE
SELECT wf_approve('st:exp', 'a');
\echo :SQLSTATE

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'st:') ORDER BY id;
SELECT wf_delete('st:expired'), wf_delete('st:exp');
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_steps FROM wf_step;
SELECT count(*) AS leftover_events FROM wf_event;
