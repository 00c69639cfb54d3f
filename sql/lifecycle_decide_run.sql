-- Decisions on a generic run (issue 12 §11): Neuron AI decides each
-- action of an interrupt separately (approve, reject, edit, with
-- feedback) and sees the decisions on load; NeuroCore's
-- `runs approve --reject --note --by` is one wf_reject call.  The
-- decisions are the run's "decisions" in wf_get_run, recorded in
-- wf_history with the roles, counted in the size limits, and refused on
-- runs that do not wait.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
-- a Neuron interrupt: PHP serialize() output (NUL bytes) in engine_data,
-- the actions it asks about in the request
\set INTERRUPT '\\x4f3a33333a224e6575726f6e41495c576f726b666c6f775c576f726b666c6f77496e74657272757074223a313a7b733a31303a22002a0072657175657374223b4e3b7d'
SELECT * FROM wf_put_run('neuron:1', '{"name": "email-agent", "status": "interrupted", "request": {"message": "Review the tool calls", "actions": [{"id": "send_email", "name": "Send email"}, {"id": "delete_file", "name": "Delete file"}, "charge_card"]}}',
                         engine_data => :'INTERRUPT');
SELECT id, status, status_word FROM wf_info('neuron:1');
-- the operator sees what the interrupt asks
SELECT id, kind, reason, request -> 'actions' AS actions FROM wf_pending('neuron:1');

---------------------------------------------------------------------------
-- one decision per action; the run waits until the last one
---------------------------------------------------------------------------
SELECT wf_decide('neuron:1', 'send_email', 'approve', feedback => 'fine', decided_by => 'ann');
SELECT wf_decide('neuron:1', 'delete_file', 'edit', '{"path": "/tmp/old.log"}', 'only the log', decided_by => 'ann');
SELECT id, status, status_word FROM wf_info('neuron:1');
SELECT count(*) AS still_pending FROM wf_pending('neuron:1');
-- the engine that resumes sees the decisions so far
SELECT jsonb_pretty(run -> 'decisions') AS decisions, run ->> 'status' AS status FROM wf_get_run('neuron:1');
-- wf_reject on a run decides an action too (NeuroCore: approve --reject --note --by)
SELECT wf_reject('neuron:1', 'charge_card', 'amount too high', note => 'ticket 7', decided_by => 'bob');
SELECT id, status, status_word FROM wf_info('neuron:1');
SELECT count(*) AS pending FROM wf_pending('neuron:1');
SELECT run -> 'decisions' -> 'charge_card' AS rejected, run ->> 'status' AS status,
       engine_data = :'INTERRUPT'::bytea AS interrupt_bytes_kept,
       run -> 'request' -> 'actions' -> 0 ->> 'id' AS first_action
  FROM wf_get_run('neuron:1');
-- the history: who decided what, as which roles
SELECT event, step_key, actor, detail, session_role = current_user AS session_role_ok,
       acting_role = current_user AS acting_role_ok
  FROM wf_history('neuron:1') WHERE event NOT IN ('created', 'step recorded');

---------------------------------------------------------------------------
-- a new interrupt (the engine saves again) starts new decisions
---------------------------------------------------------------------------
SELECT version, created FROM wf_put_run('neuron:1', '{"status": "interrupted", "request": {"actions": ["publish"]}}', engine_data => '\x00');
SELECT run ? 'decisions' AS has_decisions, run -> 'request' AS request FROM wf_get_run('neuron:1');
-- decisions are not the client's to write: wf_put_run drops the member
SELECT version FROM wf_put_run('neuron:1', '{"status": "interrupted", "request": {"actions": ["publish"]}, "decisions": {"publish": {"decision": "approved"}}}');
SELECT run ? 'decisions' AS has_decisions FROM wf_get_run('neuron:1');
-- wf_approve on a run: the value is the decision's value
SELECT wf_approve('neuron:1', 'publish', '{"channel": "blog"}', note => 'ok', decided_by => 'cy');
SELECT run -> 'decisions' AS decisions, run ->> 'status' AS status FROM wf_get_run('neuron:1');

-- wf_update_run back to the word: the run waits again, asking its request
SELECT wf_update_run('neuron:1', status => 'interrupted');
SELECT id, kind, reason, request FROM wf_pending('neuron:1');

---------------------------------------------------------------------------
-- a request without actions waits for one decision (NeuroCore)
---------------------------------------------------------------------------
SELECT version FROM wf_put_run('nc:1', '{"name": "refund", "status": "suspended", "steps": [{"key": "review", "index": 0, "status": "suspended"}]}');
SELECT id, kind, reason, request FROM wf_pending('nc:1');
SELECT wf_reject('nc:1', 'review', 'duplicate claim', note => 'see #12', decided_by => 'dana');
SELECT id, status FROM wf_info('nc:1');
SELECT run -> 'decisions' AS decisions, run -> 'steps' AS steps FROM wf_get_run('nc:1');

---------------------------------------------------------------------------
-- errors: each one changes nothing
---------------------------------------------------------------------------
SELECT version FROM wf_put_run('neuron:e', '{"status": "interrupted", "request": {"actions": ["a", "b"]}}', engine_data => '\x00ff');
SELECT wf_decide('neuron:e', 'a', 'maybe');                       -- 22023
SELECT wf_decide('neuron:e', 'a', NULL);                          -- 22004
SELECT wf_decide('neuron:e', 'a', 'edit');                        -- 22004: an edit needs a value
SELECT wf_decide('neuron:e', '', 'approve');                      -- 22023
SELECT wf_decide('neuron:e', NULL, 'approve');                    -- 22004
SELECT wf_reject('neuron:e', '', 'no');                           -- 22023 as well
SELECT wf_decide('neuron:e', 'a', 'approve', decided_by => NULL); -- 22004
SELECT wf_decide('neuron:e', 'zzz', 'approve');                   -- P0002: not listed
SELECT wf_decide('neuron:nope', 'a', 'approve');                  -- P0002
SELECT wf_decide('neuron:e', 'a', 'approve', namespace => 'other'); -- P0002: another namespace
SELECT wf_decide('neuron:e', 'a', 'approve', namespace => '*');   -- 22023
SELECT wf_decide('neuron:e', 'a', 'approve', decided_by => 'ann');
SELECT wf_decide('neuron:e', 'a', 'reject', decided_by => 'bob'); -- 55000: decided already
SELECT wf_reject('neuron:e', 'a', 'no');                          -- 55000 as well
-- limits: 54000
SELECT wf_decide('neuron:e', 'b', 'approve', feedback => repeat('f', 65537));
SELECT wf_decide('neuron:e', 'b', 'approve', decided_by => repeat('d', 1025));
SELECT wf_decide('neuron:e', repeat('k', 1025), 'approve');
SET workflow_persist.max_step_bytes = 1000;
SELECT wf_decide('neuron:e', 'b', 'edit', jsonb_build_object('text', repeat('v', 2000)));
RESET workflow_persist.max_step_bytes;
-- the decisions count in the run's size (max_snapshot_bytes)
SET workflow_persist.max_snapshot_bytes = 4000;
SELECT wf_decide('neuron:e', 'b', 'edit', jsonb_build_object('text', repeat('v', 5000)));
RESET workflow_persist.max_snapshot_bytes;
SELECT version, run -> 'decisions' AS decisions, run ->> 'status' AS status FROM wf_get_run('neuron:e');
SELECT count(*) AS decision_events FROM wf_history('neuron:e') WHERE event IN ('approved', 'rejected', 'edited');
-- a run that does not wait: 55000
SELECT version FROM wf_put_run('flujo:1', '{"status": "running"}');
SELECT wf_decide('flujo:1', 'a', 'approve');
-- completed and cancelled runs: 55000, as wf_approve
SELECT version FROM wf_put_run('flujo:2', '{"status": "completed", "request": {"actions": ["a"]}}');
SELECT wf_decide('flujo:2', 'a', 'approve');
SELECT version FROM wf_put_run('neuron:c', '{"status": "interrupted", "request": {"actions": ["a"]}}');
SELECT wf_cancel('neuron:c', 'withdrawn');
SELECT wf_decide('neuron:c', 'a', 'approve');
SELECT wf_approve('neuron:c', 'a');
SELECT run ? 'decisions' AS has_decisions FROM wf_get_run('neuron:c');
-- a snapshot is not a run: wf_decide refuses it (wf_approve decides its steps)
SELECT wf_save('snap:1', '{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "2026-01-01T00:00:00.000Z"}}');
SELECT wf_decide('snap:1', 'a', 'approve');

SELECT wf_delete(id) FROM (VALUES ('neuron:1'), ('nc:1'), ('neuron:e'), ('flujo:1'), ('flujo:2'), ('neuron:c'), ('snap:1')) AS v(id);
