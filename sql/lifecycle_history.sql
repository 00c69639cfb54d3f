-- wf_history(id): "created" (the header), "step recorded" (one per stored
-- step, at its recorded_at, detail {"ok":...}), and the stored events:
-- suspended (explicit: detail {reason, request}; or a write that made the
-- run suspended: step_key of the waiting step, detail NULL), approved /
-- rejected (actor = decided_by), resumed {from, data?}, cancelled
-- {reason?}, completed, failed, replayed, forked.  Ordered by time, then
-- created < steps < events.  Each statement below is its own transaction,
-- so times increase from one to the next.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve', 'why') AS "PA" \gset
\set ERR '{"ok":false,"error":"E","cause":{"type":"error","name":"Error","message":"m"},"meta":{"origin":"throw"}}'
-- the history without timestamps; "at" checked separately
CREATE FUNCTION pg_temp.hist(wf text)
RETURNS TABLE (n bigint, event text, step_key text, actor text, detail jsonb, at_ok boolean)
LANGUAGE sql AS $$
    SELECT h.n, h.event, h.step_key,
           CASE WHEN h.actor = current_user THEN '<me>' ELSE h.actor END,
           h.detail,
           h.at >= COALESCE(lag(h.at) OVER (ORDER BY h.n), h.at)
      FROM workflow_persist.wf_history(wf) WITH ORDINALITY AS h(at, event, step_key, actor, detail, session_role, acting_role, namespace, n)
     ORDER BY h.n
$$;

---------------------------------------------------------------------------
-- a run through every transition
---------------------------------------------------------------------------
SELECT wf_save_step('hist:a', 'load', '{"ok":true,"value":1}');
SELECT wf_save_step('hist:a', 'approve', :'PA');
SELECT wf_save_step('hist:a', 'charge', :'ERR');
SELECT wf_approve('hist:a', 'approve', '{"by":"ann"}', note => 'looks fine', decided_by => 'ann');
SELECT wf_suspend('hist:a', 'waiting for stock', '{"sku":"x"}');
SELECT wf_resume('hist:a', '{"restocked":true}');
SELECT wf_save_step('hist:a', 'approve2', jsonb_set(:'PA', '{error,stepKey}', '"approve2"'));
SELECT wf_reject('hist:a', 'approve2', 'too expensive', decided_by => 'bob');
SELECT wf_merge('hist:a', '{"formatVersion":1,"steps":{},"execution":{"status":"failed","lastUpdated":"t"}}');
SELECT wf_resume('hist:a');
SELECT wf_cancel('hist:a', 'customer left');
SELECT * FROM pg_temp.hist('hist:a');
-- "created" is the header's created_at, each step's row its recorded_at
SELECT (SELECT at FROM wf_history('hist:a') WHERE event = 'created') = created_at AS created_at_header
  FROM wf_info('hist:a');
SELECT bool_and(h.at = s.recorded_at) AS steps_at_recorded_at, count(*) AS steps
  FROM wf_history('hist:a') AS h JOIN wf_steps('hist:a') AS s USING (step_key)
 WHERE h.event = 'step recorded';

---------------------------------------------------------------------------
-- status changes made by plain writes
---------------------------------------------------------------------------
-- a wf_save that makes the run suspended: the waiting step's key
SELECT wf_save('hist:save', jsonb_build_object('formatVersion', 1,
         'steps', jsonb_build_object('load', '{"ok":true}'::jsonb, 'approve', :'PA'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')));
SELECT event, step_key, detail FROM wf_history('hist:save') WHERE event NOT IN ('created', 'step recorded');
-- the same by wf_merge
SELECT wf_merge('hist:merge', '{"formatVersion":1,"steps":{"load":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_merge('hist:merge', jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('approve', :'PA'::jsonb),
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', 't')));
SELECT event, step_key, detail FROM wf_history('hist:merge') WHERE event NOT IN ('created', 'step recorded');
-- completed and failed, each recorded once when the status changes to it
SELECT wf_save('hist:done', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save('hist:done', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"failed","lastUpdated":"t"}}');
SELECT wf_save('hist:done', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"failed","lastUpdated":"t2"}}');
SELECT wf_save('hist:done', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_save('hist:done', '{"formatVersion":1,"steps":{"a":{"ok":true},"b":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}');
SELECT * FROM pg_temp.hist('hist:done');
-- a run created completed or failed records it at once
SELECT wf_save('hist:born', '{"formatVersion":1,"steps":{},"execution":{"status":"failed","lastUpdated":"t"}}');
SELECT * FROM pg_temp.hist('hist:born');
-- plain checkpoints of a running run record no event
SELECT wf_save_step('hist:quiet', 'a', '{"ok":true}');
SELECT wf_save_step('hist:quiet', 'b', :'ERR');
SELECT wf_save_step('hist:quiet', 'a', '{"ok":true,"value":2}');
SELECT * FROM pg_temp.hist('hist:quiet');
-- a step overwritten later moves to its new recorded_at (it keeps its position)
SELECT pos, step_key FROM wf_steps('hist:quiet');

---------------------------------------------------------------------------
-- one transaction: every row shares the time; created < steps < events,
-- steps by position, events in the order they happened
---------------------------------------------------------------------------
BEGIN;
SELECT wf_save_step('hist:tx', 'z', :'PA');
SELECT wf_save_step('hist:tx', 'a', '{"ok":true}');
SELECT wf_suspend('hist:tx', 'r1');
SELECT wf_approve('hist:tx', 'z');
SELECT wf_resume('hist:tx');
COMMIT;
SELECT n, event, step_key, detail FROM pg_temp.hist('hist:tx');
SELECT count(DISTINCT at) AS distinct_times FROM wf_history('hist:tx');

---------------------------------------------------------------------------
-- details of explicit suspensions, resumptions and cancellations
---------------------------------------------------------------------------
SELECT wf_save_step('hist:d', 'a', '{"ok":true}');
SELECT wf_suspend('hist:d', 'no request');
SELECT wf_resume('hist:d');
SELECT wf_suspend('hist:d', 'with request', '[1,"two"]');
SELECT wf_resume('hist:d', '"text"');
SELECT wf_cancel('hist:d');
SELECT event, detail FROM wf_history('hist:d') WHERE event NOT IN ('created', 'step recorded');

---------------------------------------------------------------------------
-- replay and fork record where the new run came from (on the new run)
---------------------------------------------------------------------------
SELECT wf_replay('hist:done', 'hist:replay');
SELECT wf_fork('hist:a', 'hist:fork', 'approve');
SELECT * FROM pg_temp.hist('hist:replay');
SELECT * FROM pg_temp.hist('hist:fork');
-- the source's history is unchanged
SELECT count(*) FROM wf_history('hist:done') WHERE event IN ('replayed', 'forked');

---------------------------------------------------------------------------
-- absent and expired workflows have no history; deleting one removes it
---------------------------------------------------------------------------
SELECT count(*) FROM wf_history('hist:absent');
SELECT wf_save('hist:exp', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"failed","lastUpdated":"t"}}', ttl => '1 millisecond');
SELECT pg_sleep(0.05);
SELECT count(*) FROM wf_history('hist:exp');
SELECT count(*) FROM wf_event WHERE workflow_id = 'hist:exp';
-- a new run on the expired id starts a new history
SELECT wf_save('hist:exp', '{"formatVersion":1,"steps":{"b":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT * FROM pg_temp.hist('hist:exp');
SELECT wf_delete('hist:a');
SELECT count(*) FROM wf_history('hist:a');
SELECT count(*) FROM wf_event WHERE workflow_id = 'hist:a';

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'hist:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_events FROM wf_event;
