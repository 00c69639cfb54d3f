-- A new run never inherits rows of an earlier run of its id (F1 of the
-- security review, defence in depth): step and event rows without a header,
-- as an earlier wf_cleanup could leave behind, are removed when the id is
-- created again, by every path that creates a workflow.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

CREATE FUNCTION pg_temp.strand(id text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO workflow_persist.wf_step (workflow_id, step_key, pos, ok, result, hash, size_bytes, recorded_at)
    VALUES (id, 'old', 1, true, '{"ok": true, "value": "earlier run"}', 0, 36, now()),
           (id, 'other', 2, true, '{"ok": true}', 0, 12, now());
    INSERT INTO workflow_persist.wf_event (workflow_id, at, event, actor, detail, session_role, acting_role)
    VALUES (id, now(), 'suspended', 'earlier', '{"reason": "earlier run"}', session_user, current_user);
$$;
CREATE FUNCTION pg_temp.left_over(id text) RETURNS TABLE (steps jsonb, step_count int, step_rows bigint, events bigint)
LANGUAGE sql AS $$
    SELECT workflow_persist.wf_load(id) -> 'steps',
           (SELECT w.step_count FROM workflow_persist.wf_workflow AS w WHERE w.id = left_over.id),
           (SELECT count(*) FROM workflow_persist.wf_step AS s WHERE s.workflow_id = left_over.id),
           (SELECT count(*) FROM workflow_persist.wf_event AS e WHERE e.workflow_id = left_over.id);
$$;

-- a checkpoint: the same key as a stray row, then another
SELECT pg_temp.strand('stray:step');
SELECT wf_save_step('stray:step', 'old', '{"ok": true}');
SELECT wf_save_step('stray:step', 'first', '{"ok": true}');
SELECT * FROM pg_temp.left_over('stray:step');
SELECT event FROM wf_history('stray:step');

-- a full save and a merge
SELECT pg_temp.strand('stray:save');
SELECT wf_save('stray:save', '{"formatVersion": 1, "steps": {"a": {"ok": true}},
                               "execution": {"status": "running", "lastUpdated": "t"}}');
SELECT * FROM pg_temp.left_over('stray:save');
SELECT pg_temp.strand('stray:merge');
SELECT wf_merge('stray:merge', '{"formatVersion": 1, "steps": {"a": {"ok": true}},
                                 "execution": {"status": "running", "lastUpdated": "t"}}');
SELECT * FROM pg_temp.left_over('stray:merge');

-- a fork into an id with stray rows
SELECT pg_temp.strand('stray:fork');
SELECT wf_fork('stray:save', 'stray:fork', 'a');
SELECT * FROM pg_temp.left_over('stray:fork');
SELECT event, actor FROM wf_event WHERE workflow_id = 'stray:fork';

-- a save to an expired id starts afresh as before
SELECT wf_save_step('stray:expired', 'a', '{"ok": true}');
UPDATE wf_workflow SET expires_at = now() - '1 hour'::interval WHERE id = 'stray:expired';
SELECT wf_save_step('stray:expired', 'b', '{"ok": true}');
SELECT * FROM pg_temp.left_over('stray:expired');

SELECT wf_delete(id) FROM wf_workflow WHERE id LIKE 'stray:%' ORDER BY id;
SELECT count(*) AS rows_left FROM wf_step WHERE workflow_id LIKE 'stray:%';
