-- wf_suspend, wf_resume and wf_cancel: every transition, and every refused
-- one with its SQLSTATE.
--   wf_suspend(id, reason, request): suspended until wf_resume (or cancel);
--   wf_resume(id, data): from suspended or failed only (else 55000), not
--     while steps wait for a decision (55000); execution.status running,
--     data merged into metadata.resume (shallow when both are objects);
--   wf_cancel(id, reason): cancelled; twice is a no-op returning the same
--     version; a completed run cannot be cancelled (55000).
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve', 'why', '{"amount":5}') AS "PA" \gset
\set OK '{"ok":true,"value":1}'
\set RUNNING '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:00.000Z"},"metadata":{"workflowId":"x","input":{"n":1}}}'

---------------------------------------------------------------------------
-- running -> suspended -> running
---------------------------------------------------------------------------
SELECT wf_save('sus:a', :'RUNNING');
SELECT wf_suspend('sus:a', 'waiting for stock', '{"sku":"x-1","qty":3}');
SELECT status, version, pending FROM wf_info('sus:a');
-- the snapshot itself is not changed by a suspension
SELECT wf_load('sus:a') = :'RUNNING' AS document_unchanged;
SELECT id, step_key, kind, reason, request, since = (SELECT updated_at FROM wf_info('sus:a')) AS since_suspended
  FROM wf_pending('sus:a');
SELECT id, status FROM wf_list('sus:', 'suspended');
-- writes still land, and the run stays suspended (even a completed snapshot)
SELECT wf_save_step('sus:a', 'b', :'OK');
SELECT wf_merge('sus:a', '{"formatVersion":1,"steps":{"c":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save('sus:a', jsonb_set(wf_load('sus:a'), '{execution,status}', '"failed"'));
SELECT status, version FROM wf_info('sus:a');
-- suspending again replaces reason and request
SELECT wf_suspend('sus:a', 'still waiting');
SELECT status, version FROM wf_info('sus:a');
SELECT kind, reason, request FROM wf_pending('sus:a');
-- resumed: execution.status running, the suspension gone
SELECT wf_resume('sus:a');
SELECT status, version, pending FROM wf_info('sus:a');
SELECT wf_load('sus:a') -> 'execution' ->> 'status' AS execution_status,
       wf_load('sus:a') -> 'metadata' AS metadata;
SELECT count(*) FROM wf_pending('sus:a');

---------------------------------------------------------------------------
-- resume data: merged into metadata.resume
---------------------------------------------------------------------------
-- no metadata at all: one is made
SELECT wf_save('sus:data', '{"formatVersion":1,"steps":{},"execution":{"status":"failed","lastUpdated":"t"}}');
SELECT wf_resume('sus:data', '{"approvedBy":"ann","n":1}');
SELECT wf_load('sus:data') -> 'metadata' AS metadata, status FROM wf_info('sus:data');
-- both objects: a shallow merge, the new data winning per key (a nested
-- object is replaced, a null overwrites)
SELECT wf_suspend('sus:data', 'again');
SELECT wf_resume('sus:data', '{"n":2,"extra":{"deep":true},"approvedBy":null}');
SELECT wf_load('sus:data') -> 'metadata' AS metadata;
SELECT wf_suspend('sus:data', 'again');
SELECT wf_resume('sus:data', '{"extra":{"other":1}}');
SELECT wf_load('sus:data') -> 'metadata' -> 'resume' AS resume;
-- not both objects: replaced
SELECT wf_suspend('sus:data', 'again');
SELECT wf_resume('sus:data', '[1,2]');
SELECT wf_load('sus:data') -> 'metadata' -> 'resume' AS resume;
SELECT wf_suspend('sus:data', 'again');
SELECT wf_resume('sus:data', '{"back":"to an object"}');
SELECT wf_load('sus:data') -> 'metadata' -> 'resume' AS resume;
SELECT wf_suspend('sus:data', 'again');
SELECT wf_resume('sus:data', '"text"');
SELECT wf_load('sus:data') -> 'metadata' -> 'resume' AS resume;
SELECT wf_suspend('sus:data', 'again');
SELECT wf_resume('sus:data', 'null');
SELECT wf_load('sus:data') -> 'metadata' AS metadata;
-- no data: metadata untouched
SELECT wf_suspend('sus:data', 'again');
SELECT wf_resume('sus:data');
SELECT wf_load('sus:data') -> 'metadata' AS metadata;
-- the other metadata keys are kept
SELECT wf_save('sus:keep', jsonb_set(:'RUNNING', '{execution,status}', '"failed"'));
SELECT wf_resume('sus:keep', '{"k":1}');
SELECT wf_load('sus:keep') -> 'metadata' AS metadata;
SELECT wf_validate(wf_load('sus:keep'), true) AS strict_errors;

---------------------------------------------------------------------------
-- failed -> running
---------------------------------------------------------------------------
SELECT wf_save('sus:failed', jsonb_set(:'RUNNING', '{execution,status}', '"failed"'));
SELECT status FROM wf_info('sus:failed');
SELECT wf_resume('sus:failed');
SELECT status, wf_load('sus:failed') -> 'execution' ->> 'status' AS execution_status FROM wf_info('sus:failed');

---------------------------------------------------------------------------
-- refused resumes: 55000, nothing written
---------------------------------------------------------------------------
-- running
SELECT wf_save('sus:no', :'RUNNING');
SELECT wf_resume('sus:no');
\echo :SQLSTATE
-- steps waiting for a decision (suspended by them, or by them and wf_suspend)
SELECT wf_save_step('sus:no', 'approve', :'PA');
SELECT wf_save_step('sus:no', 'approve2', :'PA');
SELECT wf_resume('sus:no');
\echo :SQLSTATE
SELECT wf_suspend('sus:no', 'and held');
SELECT wf_resume('sus:no', '{"x":1}');
\echo :SQLSTATE
SELECT wf_approve('sus:no', 'approve');
SELECT wf_resume('sus:no');
\echo :SQLSTATE
SELECT status, pending, version FROM wf_info('sus:no');
-- with every step decided, the explicit suspension still holds: the last
-- decision does not make execution.status running
SELECT wf_save('sus:held', jsonb_set(jsonb_set(:'RUNNING', '{execution,status}', '"failed"'), '{steps,approve}', :'PA'));
SELECT wf_suspend('sus:held', 'held');
SELECT wf_approve('sus:held', 'approve');
SELECT status, pending, wf_load('sus:held') -> 'execution' ->> 'status' AS execution_status FROM wf_info('sus:held');
SELECT kind, reason FROM wf_pending('sus:held');
SELECT wf_resume('sus:held');
SELECT status, wf_load('sus:held') -> 'execution' ->> 'status' AS execution_status FROM wf_info('sus:held');
-- completed (the hint points to wf_replay)
SELECT wf_save('sus:done', '{"formatVersion":1,"steps":{},"execution":{"status":"completed","lastUpdated":"t"}}');
SELECT wf_resume('sus:done');
\echo :SQLSTATE
-- absent: P0002
SELECT wf_resume('sus:absent');
\echo :SQLSTATE

---------------------------------------------------------------------------
-- refused suspensions
---------------------------------------------------------------------------
SELECT wf_suspend('sus:absent', 'r');
\echo :SQLSTATE
SELECT wf_suspend('sus:no', NULL);
\echo :SQLSTATE
SELECT wf_suspend('sus:done', 'r');
\echo :SQLSTATE
-- a failed run can be suspended (once it exists); resuming it comes from
-- "suspended"
SELECT wf_suspend('sus:failed2', 'r');
\echo :SQLSTATE
SELECT wf_save('sus:failed2', jsonb_set(:'RUNNING', '{execution,status}', '"failed"'));
SELECT wf_suspend('sus:failed2', 'look at it', '[1]');
SELECT status, version FROM wf_info('sus:failed2');
SELECT wf_resume('sus:failed2');
SELECT status, version FROM wf_info('sus:failed2');

---------------------------------------------------------------------------
-- wf_cancel
---------------------------------------------------------------------------
-- from running, suspended (by a step or explicitly) and failed
SELECT wf_save('sus:c1', :'RUNNING');
SELECT wf_cancel('sus:c1');
SELECT wf_save_step('sus:c2', 'approve', :'PA');
SELECT wf_cancel('sus:c2', 'no longer needed');
SELECT wf_save('sus:c3', :'RUNNING');
SELECT wf_suspend('sus:c3', 'held', '{"a":1}');
SELECT wf_cancel('sus:c3', 'held too long');
SELECT wf_save('sus:c4', jsonb_set(:'RUNNING', '{execution,status}', '"failed"'));
SELECT wf_cancel('sus:c4');
SELECT id, status, version, pending FROM wf_list('sus:c') ORDER BY id;
-- nothing of them is pending any more (the explicit suspension is gone too)
SELECT count(*) FROM wf_pending() WHERE id LIKE 'sus:c%';
-- the snapshot is not changed by a cancellation
SELECT wf_load('sus:c1') = :'RUNNING' AS document_unchanged;
-- a second cancel is a no-op returning the same version (and recording nothing)
SELECT wf_cancel('sus:c1');
SELECT wf_cancel('sus:c2', 'another reason');
SELECT id, version FROM wf_list('sus:c') ORDER BY id;
SELECT count(*) AS cancel_events FROM wf_history('sus:c2') WHERE event = 'cancelled';
-- cancelled runs cannot be resumed or suspended
SELECT wf_resume('sus:c1');
\echo :SQLSTATE
SELECT wf_suspend('sus:c1', 'r');
\echo :SQLSTATE
-- a completed run cannot be cancelled; an absent one is not found
SELECT wf_cancel('sus:done');
\echo :SQLSTATE
SELECT wf_cancel('sus:absent');
\echo :SQLSTATE
SELECT status, version FROM wf_info('sus:done');
-- inside the caller's transaction
BEGIN;
SELECT wf_cancel('sus:a');
SELECT status FROM wf_info('sus:a');
ROLLBACK;
SELECT status FROM wf_info('sus:a');

-- every workflow's counters and size agree with its rows (wf_verify)
SELECT * FROM wf_verify();

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'sus:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_events FROM wf_event;
