-- A commit never fails because of a notification (review finding F4):
-- with workflow_persist.notify on, the headers a transaction wrote are read
-- back at commit whoever the current role is then, including one that
-- cannot read wf_workflow (a SECURITY DEFINER wrapper called by a role
-- without grants, SET LOCAL ROLE inside the transaction).
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

CREATE ROLE regress_wfp_nr_app;
CREATE ROLE regress_wfp_nr_intern;
SELECT wf_grant_access('regress_wfp_nr_app');

-- the narrow API of an application: a definer wrapper owned by the writer
CREATE FUNCTION public.regress_wfp_nr_save(id text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
AS $$ SELECT workflow_persist.wf_save_step(id, 'k', '{"ok": true}') $$;
ALTER FUNCTION public.regress_wfp_nr_save(text) OWNER TO regress_wfp_nr_app;
REVOKE EXECUTE ON FUNCTION public.regress_wfp_nr_save(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.regress_wfp_nr_save(text) TO regress_wfp_nr_intern;

SET workflow_persist.notify = on;

-- the wrapper, called by a role that may not read wf_workflow
SET ROLE regress_wfp_nr_intern;
SELECT public.regress_wfp_nr_save('nr:definer');
SELECT count(*) FROM wf_workflow;          -- indeed it may not
\echo :SQLSTATE
RESET ROLE;
SELECT id, version, status FROM wf_info('nr:definer');

-- twice in one transaction, committed as that role
BEGIN;
SET LOCAL ROLE regress_wfp_nr_intern;
SELECT public.regress_wfp_nr_save('nr:definer');
SELECT public.regress_wfp_nr_save('nr:definer2');
COMMIT;
SELECT id, version FROM wf_info('nr:definer') UNION ALL
SELECT id, version FROM wf_info('nr:definer2') ORDER BY 1;

-- SET LOCAL ROLE after the write: COMMIT runs as a role without grants
BEGIN;
SELECT wf_save_step('nr:local', 'k', '{"ok": true}');
SELECT wf_save_step('nr:gone', 'k', '{"ok": true}');
SET LOCAL ROLE regress_wfp_nr_intern;
COMMIT;
SELECT id, version FROM wf_info('nr:local') UNION ALL
SELECT id, version FROM wf_info('nr:gone') ORDER BY 1;

-- a delete, committed as that role
BEGIN;
SELECT wf_delete('nr:gone');
SET LOCAL ROLE regress_wfp_nr_intern;
COMMIT;
SELECT wf_exists('nr:gone');

-- in a procedure that commits, as the wrapper's caller
CREATE PROCEDURE public.regress_wfp_nr_proc() LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_wfp_nr_save('nr:proc');
    COMMIT;
    PERFORM public.regress_wfp_nr_save('nr:proc');
END $$;
GRANT EXECUTE ON PROCEDURE public.regress_wfp_nr_proc() TO regress_wfp_nr_intern;
SET ROLE regress_wfp_nr_intern;
CALL public.regress_wfp_nr_proc();
RESET ROLE;
SELECT id, version FROM wf_info('nr:proc');

RESET workflow_persist.notify;
DROP PROCEDURE public.regress_wfp_nr_proc();
DROP FUNCTION public.regress_wfp_nr_save(text);
SELECT wf_delete(id) FROM wf_list('nr:') ORDER BY id;
SELECT wf_revoke_access('regress_wfp_nr_app');
DROP ROLE regress_wfp_nr_intern;
DROP ROLE regress_wfp_nr_app;
