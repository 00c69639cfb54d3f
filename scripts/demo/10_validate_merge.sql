-- Act 1: validation and merge, in C, with awaitly's exact rules.
\set QUIET on
SET search_path = workflow_persist, public;
\echo
\echo '--- A snapshot as awaitly writes it after two steps: is it valid?'
\set good '{"formatVersion": 1, "workflowName": "checkout", "steps": {"reserve": {"ok": true, "value": {"sku": "A-1", "qty": 2}}, "charge": {"ok": true, "value": {"txn": "t-981"}}}, "execution": {"status": "running", "lastUpdated": "2026-11-22T10:00:00.000Z", "currentStepId": "charge"}}'
SELECT wf_is_valid(:'good') AS valid, wf_validate(:'good') AS errors;

\echo
\echo '--- A broken one: formatVersion 2, a step without "ok", an unknown status.'
\set broken '{"formatVersion": 2.50, "steps": {"charge": {"value": 1}, "ship": {"ok": false, "error": "TIMEOUT"}}, "execution": {"status": "paused"}}'
SELECT unnest(wf_validate(:'broken')) AS "awaitly's messages, in order";

\echo
\echo '--- wf_assert_valid raises SQLSTATE 22023 with every error in DETAIL:'
\set VERBOSITY default
\set ON_ERROR_STOP off
SELECT wf_assert_valid(:'broken');
\set ON_ERROR_STOP on

\echo
\echo '--- Merging what a second worker recorded (delta) into the first (base):'
\echo '    delta steps replace base steps whole, execution comes from the delta,'
\echo '    metadata merges shallowly, warnings of replaced steps are dropped.'
\set delta '{"formatVersion": 1, "steps": {"charge": {"ok": false, "error": "DECLINED", "cause": {"type": "error", "name": "CardError", "message": "declined"}}, "ship": {"ok": true, "value": null}}, "execution": {"status": "failed", "lastUpdated": "2026-11-22T10:00:05.000Z"}, "metadata": {"attempt": 2}}'
SELECT jsonb_pretty(wf_merge_snapshots(:'good', :'delta')) AS merged;
