-- The history cannot be forged, edited or erased by the roles that use
-- the store (review finding F12).  Every event records the roles that
-- acted (session_role = session_user, acting_role = current_user) next to
-- the actor the caller names (decided_by); wf_event is written only by the
-- store with its owner's rights, so a writer holds no INSERT, UPDATE,
-- DELETE or TRUNCATE on it, and every attempt gives 42501.  A workflow's
-- history goes only with the workflow (wf_delete, cleanup, a new run over
-- an expired id), and wf_forget_history spares live workflows.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('approve', 'why') AS "PA" \gset

CREATE ROLE regress_wfp_aud_w;
CREATE ROLE regress_wfp_aud_r;
SELECT wf_grant_access('regress_wfp_aud_w');
SELECT wf_grant_access('regress_wfp_aud_r', writable => false);

-- the events, with the real roles shown relative to this session
CREATE FUNCTION pg_temp.audit(wf text)
RETURNS TABLE (event text, step_key text, actor text, session_is_me boolean, acting_role text)
LANGUAGE sql AS $$
    SELECT h.event, h.step_key, h.actor, h.session_role = session_user, h.acting_role
      FROM workflow_persist.wf_history(wf) WITH ORDINALITY AS h(at, event, step_key, actor,
                                                                 detail, session_role, acting_role, n)
     WHERE h.event NOT IN ('created', 'step recorded')
     ORDER BY h.n
$$;

---------------------------------------------------------------------------
-- the roles are recorded, whatever decided_by says
---------------------------------------------------------------------------
SET ROLE regress_wfp_aud_w;
SELECT wf_save_step('aud:1', 'approve', :'PA');
SELECT wf_approve('aud:1', 'approve', decided_by => 'the CEO');
SELECT wf_suspend('aud:1', 'waiting');
RESET ROLE;
-- SET ROLE: acting_role is the role set, session_role the one logged in
SET ROLE regress_wfp_aud_w;
SELECT wf_cancel('aud:1', 'stop');
RESET ROLE;
SELECT * FROM pg_temp.audit('aud:1');
-- the table, read directly, says the same
SELECT event, actor, session_role = session_user AS session_is_me, acting_role
  FROM wf_event WHERE workflow_id = 'aud:1' ORDER BY seq;

---------------------------------------------------------------------------
-- a writer may not forge, edit or erase an event
---------------------------------------------------------------------------
SELECT p.priv, has_table_privilege('regress_wfp_aud_w', 'workflow_persist.wf_event', p.priv) AS writer_has
  FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(priv);
SELECT has_sequence_privilege('regress_wfp_aud_w', 'workflow_persist.wf_event_seq_seq', 'USAGE') AS writer_has_seq;
SET ROLE regress_wfp_aud_w;
INSERT INTO wf_event (workflow_id, at, event, actor, session_role, acting_role)
VALUES ('aud:1', now(), 'approved', 'the CEO', 'postgres', 'postgres');
\echo :SQLSTATE
INSERT INTO wf_event (workflow_id, at, event, actor, session_role, acting_role)
VALUES ('aud:new', now(), 'approved', 'x', 'x', 'x');
\echo :SQLSTATE
UPDATE wf_event SET actor = 'nobody' WHERE workflow_id = 'aud:1';
\echo :SQLSTATE
UPDATE wf_event SET acting_role = 'postgres' WHERE workflow_id = 'aud:1';
\echo :SQLSTATE
DELETE FROM wf_event WHERE workflow_id = 'aud:1' AND event = 'cancelled';
\echo :SQLSTATE
TRUNCATE wf_event;
\echo :SQLSTATE
-- the owner's helper deletes only the history of workflows that are gone
SELECT wf_forget_history(ARRAY['aud:1']);
-- nor may a reader
RESET ROLE;
SET ROLE regress_wfp_aud_r;
SELECT wf_forget_history(ARRAY['aud:1']);
\echo :SQLSTATE
DELETE FROM wf_event;
\echo :SQLSTATE
RESET ROLE;
SELECT count(*) AS events_of_aud_1 FROM wf_event WHERE workflow_id = 'aud:1';
SELECT * FROM pg_temp.audit('aud:1');

---------------------------------------------------------------------------
-- the history goes with its workflow, through the store only
---------------------------------------------------------------------------
SET ROLE regress_wfp_aud_w;
-- a new run over an expired id starts with no history
SELECT wf_save_step('aud:2', 'k', '{"ok": true}');
SELECT wf_cancel('aud:2');
SELECT wf_set_ttl('aud:2', '1 microsecond') IS NOT NULL AS expiring;
SELECT pg_sleep(0.01);
SELECT wf_save_step('aud:2', 'k', '{"ok": true}');
SELECT * FROM pg_temp.audit('aud:2');
-- wf_delete deletes it whole
SELECT wf_delete('aud:2');
-- cleanup, run by the writer, too
SELECT wf_set_ttl('aud:1', '1 microsecond') IS NOT NULL AS expiring;
SELECT pg_sleep(0.01);
SELECT wf_cleanup();
RESET ROLE;
SELECT count(*) AS events_left FROM wf_event WHERE workflow_id LIKE 'aud:%';

SELECT wf_revoke_access('regress_wfp_aud_r');
SELECT wf_revoke_access('regress_wfp_aud_w');
DROP ROLE regress_wfp_aud_r;
DROP ROLE regress_wfp_aud_w;
