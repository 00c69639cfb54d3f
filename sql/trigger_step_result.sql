-- wf_step_result(id, step_key): the recorded StepResult, or NULL when the
-- workflow or the step is absent, or the workflow has expired.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never

SELECT wf_save_step('trg:sr:1', 'reserve', '{"ok": true, "value": {"sku": "A-1", "qty": 2}}');
SELECT wf_save_step('trg:sr:1', 'charge', '{"ok": false, "error": "CARD_DECLINED", "cause": {"type": "thrown", "stringRepresentation": "declined"}}');
SELECT wf_save_step('trg:sr:1', 'nothing', '{"ok": true, "value": null}');

-- present: the result exactly as recorded, failed steps included
SELECT wf_step_result('trg:sr:1', 'reserve');
SELECT wf_step_result('trg:sr:1', 'charge');
-- a recorded null value is not an absent step
SELECT wf_step_result('trg:sr:1', 'nothing'), wf_step_result('trg:sr:1', 'nothing') IS NULL AS is_null;
-- an overwritten step: the latest result
SELECT wf_save_step('trg:sr:1', 'reserve', '{"ok": true, "value": {"sku": "A-1", "qty": 3}}');
SELECT wf_step_result('trg:sr:1', 'reserve') -> 'value' -> 'qty' AS qty;

-- absent: no such step, no such workflow, keys are exact
SELECT wf_step_result('trg:sr:1', 'ship') IS NULL AS no_step;
SELECT wf_step_result('trg:sr:1', 'Reserve') IS NULL AS case_matters;
SELECT wf_step_result('trg:sr:1', 'reserve ') IS NULL AS spaces_matter;
SELECT wf_step_result('trg:sr:none', 'reserve') IS NULL AS no_workflow;
SELECT wf_step_result('trg:sr:1', NULL) IS NULL AS null_key;

-- a deleted workflow has no steps
SELECT wf_save_step('trg:sr:deleted', 'a', '{"ok": true}');
SELECT wf_delete('trg:sr:deleted');
SELECT wf_step_result('trg:sr:deleted', 'a') IS NULL AS deleted;

-- a rolled back checkpoint is not there
BEGIN;
SELECT wf_save_step('trg:sr:1', 'ship', '{"ok": true}');
SELECT wf_step_result('trg:sr:1', 'ship') AS inside;
ROLLBACK;
SELECT wf_step_result('trg:sr:1', 'ship') IS NULL AS after_rollback;

---------------------------------------------------------------------------
-- expired workflows: invisible at once, before any cleanup deletes them
---------------------------------------------------------------------------
SELECT wf_save_step('trg:sr:ttl', 'a', '{"ok": true, "value": 1}');
SELECT wf_set_ttl('trg:sr:ttl', '1 hour') > now() AS expires_later;
SELECT wf_step_result('trg:sr:ttl', 'a') AS before_expiry;
SELECT wf_set_ttl('trg:sr:ttl', '1 microsecond') IS NOT NULL AS expiring;
-- (now() is the transaction's start: the next transaction is past it)
SELECT pg_sleep(0.01);
SELECT wf_step_result('trg:sr:ttl', 'a') IS NULL AS expired,
       EXISTS (SELECT FROM wf_workflow WHERE id = 'trg:sr:ttl') AS row_still_there;

-- expired by retention (finished runs kept for some time after their last update)
SELECT wf_save('trg:sr:done', '{"formatVersion":1,"steps":{"a":{"ok":true,"value":"done"}},"execution":{"status":"completed","lastUpdated":"2026-01-01T00:00:00.000Z"}}');
SELECT wf_step_result('trg:sr:done', 'a') AS kept;
-- (the policy is shared by the whole database: put it back afterwards)
CREATE TEMP TABLE trg_sr_keep AS SELECT keep FROM wf_retention WHERE status = 'completed';
SELECT wf_set_retention('completed', '1 microsecond');
SELECT pg_sleep(0.01);
SELECT wf_step_result('trg:sr:done', 'a') IS NULL AS past_retention;
SELECT wf_set_retention('completed', keep) FROM trg_sr_keep;
SELECT wf_step_result('trg:sr:done', 'a') AS kept_again;

---------------------------------------------------------------------------
-- ids are checked like everywhere else
---------------------------------------------------------------------------
SELECT wf_step_result(NULL, 'a');
\echo :SQLSTATE
SELECT wf_step_result('', 'a');
\echo :SQLSTATE
SELECT wf_step_result(repeat('x', 513), 'a');
\echo :SQLSTATE

---------------------------------------------------------------------------
-- what a durable procedure does: a step runs only when it has no result
---------------------------------------------------------------------------
CREATE TABLE public.trg_sr_effects (step text);
DO $$
BEGIN
    FOR i IN 1 .. 3 LOOP
        IF workflow_persist.wf_step_result('trg:sr:proc', 'once') IS NULL THEN
            INSERT INTO public.trg_sr_effects VALUES ('once');
            PERFORM workflow_persist.wf_save_step('trg:sr:proc', 'once', '{"ok": true}');
        END IF;
    END LOOP;
END
$$;
SELECT step, count(*) FROM public.trg_sr_effects GROUP BY step;
DROP TABLE public.trg_sr_effects;

-- clean up: later tests count every stored workflow
SELECT count(wf_delete(id)) AS deleted FROM wf_workflow
 WHERE id LIKE 'trg:sr:%';
SELECT count(*) AS leftovers FROM wf_workflow
 WHERE id LIKE 'trg:sr:%';
