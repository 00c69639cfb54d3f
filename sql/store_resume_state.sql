-- awaitly's ResumeState (issue 12 §3b): wf_save(id, doc) stores
-- {"kind": "ResumeState", "steps": [[key, StepResult], ...]} in the same
-- step rows as a snapshot, the array order as the step order, and wf_load
-- returns it in the shape it was saved in.  Each StepResult is checked
-- with awaitly's rules; a bad entry is 22023 naming it, nothing written.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
-- what stringifyState(collector.getResumeState(), {workflowId, timestamp}) gives
\set RS '{"kind": "ResumeState", "steps": [["fetch-user", {"ok": true, "value": {"id": "u1", "name": "Ada"}}], ["charge", {"ok": false, "error": "CARD_DECLINED", "cause": {"type": "error", "name": "Error", "message": "declined"}}], ["audit", {"ok": true, "value": null}]], "metadata": {"workflowId": "wf-123", "timestamp": 1765000000000}}'

SELECT wf_save('rs:1', :'RS');
SELECT wf_load('rs:1') = :'RS'::jsonb AS same_document;
SELECT wf_load('rs:1') -> 'steps' -> 0 ->> 0 AS first, wf_load('rs:1') -> 'steps' -> 2 ->> 0 AS last;
-- the same step rows as a snapshot: positions in array order
SELECT pos, step_key, ok FROM wf_steps('rs:1');
SELECT shape, status, step_count FROM wf_workflow WHERE id = 'rs:1';
-- re-saved with one step changed and one added: unchanged rows stay, order follows the array
SELECT recorded_at AS fetch_recorded FROM wf_steps('rs:1') WHERE step_key = 'fetch-user' \gset
SELECT wf_save('rs:1', jsonb_set(jsonb_set(:'RS', '{steps,1}', '["charge", {"ok": true, "value": {"receipt": "r-9"}}]'),
                                 '{steps,3}', '["ship", {"ok": true, "value": 1}]'));
SELECT pos, step_key, ok, recorded_at = :'fetch_recorded' AS untouched FROM wf_steps('rs:1');
SELECT jsonb_path_query_array(wf_load('rs:1'), '$.steps[*][0]') AS keys_in_order;
-- a step waiting for approval makes the run suspended, as in a snapshot
SELECT wf_save('rs:2', '{"kind": "ResumeState", "steps": [["approve", {"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "approve", "reason": "refund"}, "cause": {"type": "thrown", "stringRepresentation": "x"}}]]}');
SELECT status, pending FROM wf_info('rs:2');
SELECT id, step_key, kind FROM wf_pending('rs:2');
-- both shapes in one store; a snapshot saved on the id is a snapshot again
SELECT wf_save('rs:2', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');
SELECT wf_load('rs:2') ? 'formatVersion' AS snapshot_again, shape FROM wf_workflow WHERE id = 'rs:2';

-- errors: 22023 naming the entry, nothing written
SELECT wf_save('rs:bad', '{"kind": "ResumeState"}');
\echo :SQLSTATE
SELECT wf_save('rs:bad', '{"kind": "ResumeState", "steps": {"a": {"ok": true}}}');
\echo :SQLSTATE
SELECT wf_save('rs:bad', '{"kind": "ResumeState", "steps": [["a"]]}');
\echo :SQLSTATE
SELECT wf_save('rs:bad', '{"kind": "ResumeState", "steps": [[1, {"ok": true}]]}');
\echo :SQLSTATE
SELECT wf_save('rs:bad', '{"kind": "ResumeState", "steps": [["a", 5]]}');
\echo :SQLSTATE
SELECT wf_save('rs:bad', '{"kind": "ResumeState", "steps": [["a", {"ok": "yes"}]]}');
\echo :SQLSTATE
SELECT wf_save('rs:bad', '{"kind": "ResumeState", "steps": [["a", {"ok": true}], ["a", {"ok": true}]]}');
\echo :SQLSTATE
SELECT wf_save('rs:1', '{"kind": "ResumeState", "steps": [["a", {"ok": false}]]}');
\echo :SQLSTATE
SELECT wf_exists('rs:bad') AS bad_written, (SELECT version FROM wf_info('rs:1')) AS rs1_version;

SELECT count(*) FROM (SELECT wf_delete(id) FROM wf_list(prefix => 'rs:')) AS d;
