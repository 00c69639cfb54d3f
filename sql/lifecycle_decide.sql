-- wf_approve and wf_reject: a step waiting for a decision is overwritten
-- in awaitly's own shapes ({"ok":true,"value":v}, or the APPROVAL_REJECTED
-- error result), the decision is recorded (wf_history), and when the last
-- waiting step is decided and the run is not suspended by wf_suspend,
-- execution.status becomes running.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve:refund', 'Refund over limit', '{"amount":120}') AS "PA",
       pg_temp.pending_hook('h-7') AS "PH" \gset
\set OK '{"ok":true,"value":1}'
-- the snapshot of a refund run waiting for two approvals
CREATE TEMP TABLE dec_doc AS SELECT jsonb_build_object(
    'formatVersion', 1, 'workflowName', 'refund',
    'steps', jsonb_build_object('load', :'OK'::jsonb,
                                'approve:manager', jsonb_set(:'PA', '{error,stepKey}', '"approve:manager"'),
                                'approve:finance', jsonb_set(:'PA', '{error,stepKey}', '"approve:finance"')),
    'execution', jsonb_build_object('status', 'running', 'lastUpdated', '2026-01-01T00:00:00.000Z',
                                    'currentStepId', 'approve:finance'),
    'metadata', jsonb_build_object('workflowId', 'dec:two', 'input', jsonb_build_object('order', 7))) AS doc;

---------------------------------------------------------------------------
-- two waiting steps: after the first decision still suspended, after the
-- second running (execution.status too)
---------------------------------------------------------------------------
SELECT wf_save('dec:two', doc) FROM dec_doc;
SELECT status, pending, version FROM wf_info('dec:two');
SELECT wf_approve('dec:two', 'approve:manager', '{"approvedBy":"ann","limit":500}', note => 'within budget', decided_by => 'ann');
SELECT status, pending, version FROM wf_info('dec:two');
SELECT wf_load('dec:two') -> 'execution' ->> 'status' AS execution_status;
SELECT step_key FROM wf_pending('dec:two');
-- exactly awaitly's shape of an approved step, and a valid snapshot (strict)
SELECT wf_load('dec:two') -> 'steps' -> 'approve:manager' AS approved,
       wf_load('dec:two') -> 'steps' -> 'approve:manager' = '{"ok":true,"value":{"approvedBy":"ann","limit":500}}'::jsonb AS awaitly_shape;
SELECT wf_validate(wf_load('dec:two'), true) AS strict_errors;
SELECT wf_reject('dec:two', 'approve:finance', 'Refund policy says no', note => 'see ticket 12', decided_by => 'bob');
SELECT status, pending, version FROM wf_info('dec:two');
SELECT wf_load('dec:two') -> 'execution' ->> 'status' AS execution_status,
       wf_load('dec:two') -> 'execution' ->> 'currentStepId' AS current_step;
-- exactly awaitly's APPROVAL_REJECTED result
SELECT wf_load('dec:two') -> 'steps' -> 'approve:finance' AS rejected,
       wf_load('dec:two') -> 'steps' -> 'approve:finance' =
       '{"ok":false,"error":{"type":"APPROVAL_REJECTED","stepKey":"approve:finance","reason":"Refund policy says no"},"cause":{"type":"thrown","originalType":"undefined","stringRepresentation":"undefined"},"meta":{"origin":"result"}}'::jsonb AS awaitly_shape;
SELECT wf_validate(wf_load('dec:two'), true) AS strict_errors, wf_validate(wf_load('dec:two')) AS errors;
-- the other steps and members are untouched; the step keeps its position
SELECT wf_load('dec:two') #- '{steps,approve:manager}' #- '{steps,approve:finance}' #- '{execution}'
     = (SELECT doc #- '{steps,approve:manager}' #- '{steps,approve:finance}' #- '{execution}' FROM dec_doc) AS rest_unchanged;
SELECT pos, step_key, ok FROM wf_steps('dec:two');
SELECT count(*) FROM wf_pending('dec:two');

---------------------------------------------------------------------------
-- the same one decision at a time with wf_reject first, on a failed run
---------------------------------------------------------------------------
SELECT wf_save('dec:failed', jsonb_set(doc, '{execution,status}', '"failed"')) FROM dec_doc;
SELECT status, pending FROM wf_info('dec:failed');
SELECT wf_reject('dec:failed', 'approve:finance', 'no');
SELECT status, pending, wf_load('dec:failed') -> 'execution' ->> 'status' AS execution_status FROM wf_info('dec:failed');
SELECT wf_approve('dec:failed', 'approve:manager');
SELECT status, pending, wf_load('dec:failed') -> 'execution' ->> 'status' AS execution_status FROM wf_info('dec:failed');
-- the default value is true
SELECT wf_load('dec:failed') -> 'steps' -> 'approve:manager' AS approved;

---------------------------------------------------------------------------
-- values of every kind (a JSON null is a value, not a missing one)
---------------------------------------------------------------------------
SELECT wf_save_step('dec:values', k, jsonb_set(:'PA', '{error,stepKey}', to_jsonb(k)))
  FROM unnest(array['a', 'b', 'c', 'd', 'e', 'f']) AS k ORDER BY k;
SELECT wf_approve('dec:values', 'a', 'null');
SELECT wf_approve('dec:values', 'b', '"yes"');
SELECT wf_approve('dec:values', 'c', '1.50');
SELECT wf_approve('dec:values', 'd', '[1,{"x":null}]');
SELECT wf_approve('dec:values', 'e', '{"nested":{"deep":[true,false]}}');
SELECT wf_approve('dec:values', 'f', 'false');
SELECT step_key, result, result = jsonb_build_object('ok', true, 'value', v) AS shape
  FROM wf_steps('dec:values') AS s
  JOIN (VALUES ('a', 'null'::jsonb), ('b', '"yes"'), ('c', '1.50'), ('d', '[1,{"x":null}]'),
               ('e', '{"nested":{"deep":[true,false]}}'), ('f', 'false')) AS x(k, v) ON x.k = s.step_key
 ORDER BY pos;
SELECT status, pending, wf_validate(wf_load('dec:values'), true) AS strict_errors FROM wf_info('dec:values');

---------------------------------------------------------------------------
-- a hook step is decided the same way; odd step keys
---------------------------------------------------------------------------
SELECT wf_save_step('dec:hook', 'hook:h-7', :'PH');
SELECT wf_approve('dec:hook', 'hook:h-7', '{"status":200}');
SELECT wf_load('dec:hook') -> 'steps' AS steps, status FROM wf_info('dec:hook');
SELECT wf_save_step('dec:hook', E'ключ "q"\n', :'PA');
SELECT wf_reject('dec:hook', E'ключ "q"\n', 'nope');
SELECT wf_load('dec:hook') -> 'steps' -> E'ключ "q"\n' -> 'error' AS error, status FROM wf_info('dec:hook');

---------------------------------------------------------------------------
-- refused decisions change nothing
---------------------------------------------------------------------------
SELECT wf_save_step('dec:err', 'plain', :'OK');
SELECT wf_save_step('dec:err', 'failed', '{"ok":false,"error":"E","cause":{"type":"thrown","stringRepresentation":"E"}}');
SELECT wf_save_step('dec:err', 'wait', :'PA');
SELECT version AS before FROM wf_info('dec:err') \gset
-- a step that is not stored: P0002
SELECT wf_approve('dec:err', 'missing');
\echo :SQLSTATE
SELECT wf_reject('dec:err', 'missing', 'r');
\echo :SQLSTATE
-- a normal step, successful or failed: 55000
SELECT wf_approve('dec:err', 'plain');
\echo :SQLSTATE
SELECT wf_reject('dec:err', 'failed', 'r');
\echo :SQLSTATE
-- no workflow: P0002
SELECT wf_approve('dec:absent', 'wait');
\echo :SQLSTATE
SELECT wf_reject('dec:absent', 'wait', 'r');
\echo :SQLSTATE
-- NULL value, reason, step key or decided_by: 22004
SELECT wf_approve('dec:err', 'wait', NULL);
\echo :SQLSTATE
SELECT wf_reject('dec:err', 'wait', NULL);
\echo :SQLSTATE
SELECT wf_approve('dec:err', NULL);
\echo :SQLSTATE
SELECT wf_reject('dec:err', NULL, 'r');
\echo :SQLSTATE
SELECT wf_approve('dec:err', 'wait', decided_by => NULL);
\echo :SQLSTATE
SELECT wf_reject('dec:err', 'wait', 'r', decided_by => NULL);
\echo :SQLSTATE
SELECT version = :before AS unchanged, status, pending FROM wf_info('dec:err');
-- decided once; the second decision, either way: 55000 "not waiting"
SELECT wf_approve('dec:err', 'wait', note => NULL);
SELECT wf_approve('dec:err', 'wait');
\echo :SQLSTATE
SELECT wf_reject('dec:err', 'wait', 'too late');
\echo :SQLSTATE
SELECT wf_load('dec:err') -> 'steps' -> 'wait' AS decided, status, pending FROM wf_info('dec:err');
-- a step key longer than any stored one can be: 54000
SELECT wf_approve('dec:err', repeat('k', 1025));
\echo :SQLSTATE

---------------------------------------------------------------------------
-- the decisions in wf_history: actor = decided_by (current_user by
-- default), detail = {note?, value} or {note?, reason}
---------------------------------------------------------------------------
SELECT event, step_key, actor = current_user AS by_me, actor, detail
  FROM wf_history('dec:two') WHERE event IN ('approved', 'rejected');
SELECT event, step_key, actor = current_user AS by_me, detail
  FROM wf_history('dec:failed') WHERE event IN ('approved', 'rejected');
SELECT event, step_key, detail FROM wf_history('dec:values') WHERE event = 'approved' ORDER BY step_key;

---------------------------------------------------------------------------
-- inside the caller's transaction: a rolled-back decision leaves nothing
---------------------------------------------------------------------------
SELECT wf_save_step('dec:tx', 'wait', :'PA');
BEGIN;
SELECT wf_approve('dec:tx', 'wait');
SELECT status FROM wf_info('dec:tx');
ROLLBACK;
SELECT status, pending, version FROM wf_info('dec:tx');
SELECT count(*) AS events FROM wf_history('dec:tx') WHERE event = 'approved';

-- every workflow's counters and size agree with its rows (wf_verify)
SELECT * FROM wf_verify();

-- clean up
DROP TABLE dec_doc;
SELECT id, wf_delete(id) FROM wf_list(prefix => 'dec:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_events FROM wf_event;
