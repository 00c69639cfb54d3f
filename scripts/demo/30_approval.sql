-- Act 3: a run pauses for a human, is approved, and finishes.
\set QUIET on
SET search_path = workflow_persist, public;
\echo
\echo '==> Act 3: human in the loop'
\echo
\echo '[engine] a refund above the limit: awaitly records the approval step as'
\echo '         PENDING_APPROVAL and saves the snapshot'
SELECT wf_save('refund:7', '{
  "formatVersion": 1, "workflowName": "refund",
  "steps": {
    "lookup": {"ok": true, "value": {"order": 42, "amount": 950}},
    "approve:refund": {"ok": false,
      "error": {"type": "PENDING_APPROVAL", "stepKey": "approve:refund",
                "reason": "refund above 500 needs a manager",
                "metadata": {"amount": 950, "actions": ["approve", "reject"]}},
      "cause": {"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"},
      "meta": {"origin": "result"}}},
  "execution": {"status": "failed", "lastUpdated": "2026-11-22T10:10:00.000Z"},
  "metadata": {"workflowId": "refund:7", "input": {"order": 42}}}') AS version;

\echo
\echo '[ops] everything waiting for a human: wf_pending()'
SELECT id, step_key, kind, reason, request FROM wf_pending();
SELECT id, status, pending FROM wf_list(status => 'suspended');

\echo
\echo '[manager] wf_approve(): the step becomes {"ok": true, "value": ...}'
SELECT wf_approve('refund:7', 'approve:refund', '{"approved": true, "by": "dana"}',
                  note => 'customer is a regular', decided_by => 'dana') AS version;
SELECT status, pending FROM wf_info('refund:7');
SELECT wf_load('refund:7')->'steps'->'approve:refund' AS "approved step",
       wf_load('refund:7')->'execution'->>'status' AS "execution.status";

\echo
\echo '[engine] resumes from the snapshot, pays out, completes'
SELECT wf_save_step('refund:7', 'payout', '{"ok": true, "value": {"paid": 950}}') AS version;
SELECT wf_merge('refund:7', jsonb_build_object('formatVersion', 1, 'steps', '{}'::jsonb,
       'execution', jsonb_build_object('status', 'completed',
                                        'lastUpdated', '2026-11-22T10:20:00.000Z'))) AS version;

\echo
\echo '[audit] wf_history(''refund:7'')'
SELECT event, step_key, actor, detail FROM wf_history('refund:7');
\echo '[audit] a completed run takes no more writes:'
\set ON_ERROR_STOP off
\set VERBOSITY default
SELECT wf_save_step('refund:7', 'payout', '{"ok": true, "value": {"paid": 9500}}');
\set ON_ERROR_STOP on
