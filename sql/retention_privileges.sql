-- Privileges of retention and cleanup: nothing is open to PUBLIC; a role
-- given wf_grant_access can run wf_cleanup / wf_cleanup_all and set ttls,
-- a read-only one can look at wf_cleanup_status and wf_retention; policies
-- are the owner's (or a superuser's) decision; wf_revoke_access undoes
-- everything wf_grant_access gave, so the role can be dropped.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set RUN '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'

CREATE ROLE regress_wfp_cleaner;
CREATE ROLE regress_wfp_cleanread;
CREATE ROLE regress_wfp_nocleanup;
SELECT wf_grant_access('regress_wfp_cleaner');
SELECT wf_grant_access('regress_wfp_cleanread', writable => false);
SELECT wf_save('priv:live', :'RUN');
SELECT count(wf_save('priv:p' || i, :'RUN', ttl => '1 millisecond')) FROM generate_series(1, 4) AS i;
SELECT pg_sleep(0.05);

-- nothing of it is granted to PUBLIC
SELECT p.oid::regprocedure AS routine,
       NOT EXISTS (SELECT FROM aclexplode(p.proacl) AS a WHERE a.grantee = 0) AS no_public_grant
  FROM pg_proc AS p
 WHERE p.pronamespace = 'workflow_persist'::regnamespace
   AND p.proname IN ('wf_cleanup', 'wf_cleanup_all', 'wf_set_ttl', 'wf_set_retention')
 ORDER BY 1::text;
SELECT c.relname, NOT EXISTS (SELECT FROM aclexplode(c.relacl) AS a WHERE a.grantee = 0) AS no_public_grant
  FROM pg_class AS c
 WHERE c.relnamespace = 'workflow_persist'::regnamespace
   AND c.relname IN ('wf_retention_policy', 'wf_cleanup_state', 'wf_retention', 'wf_cleanup_status')
 ORDER BY c.relname;

-- no grants: 42501 everywhere
SET ROLE regress_wfp_nocleanup;
SELECT wf_cleanup();
\echo :SQLSTATE
SELECT wf_cleanup(dry_run => true);
\echo :SQLSTATE
CALL wf_cleanup_all();
\echo :SQLSTATE
SELECT * FROM wf_cleanup_status;
\echo :SQLSTATE
SELECT * FROM wf_retention;
\echo :SQLSTATE
SELECT wf_set_ttl('priv:live', '1 hour');
\echo :SQLSTATE
SELECT wf_set_retention('completed', '1 day');
\echo :SQLSTATE
UPDATE wf_cleanup_state SET runs = 0;
\echo :SQLSTATE
RESET ROLE;

-- read-only: may look, may not delete or set a ttl
SET ROLE regress_wfp_cleanread;
SELECT expired_waiting FROM wf_cleanup_status;
SELECT * FROM wf_retention WHERE status = 'completed';
SELECT wf_cleanup();
\echo :SQLSTATE
CALL wf_cleanup_all();
\echo :SQLSTATE
SELECT wf_set_ttl('priv:live', '1 hour');
\echo :SQLSTATE
RESET ROLE;
SELECT count(*) AS still_expired FROM wf_workflow WHERE id LIKE 'priv:p%';

-- read-write: cleans up and sets ttls; not retention policies
SET ROLE regress_wfp_cleaner;
SELECT wf_cleanup(dry_run => true);
SELECT wf_cleanup(1, 2);
CALL wf_cleanup_all(1);
SELECT expired_waiting, last_deleted FROM wf_cleanup_status;
SELECT wf_set_ttl('priv:live', '1 hour') IS NOT NULL AS ttl_set;
SELECT wf_set_ttl('priv:live', NULL) IS NULL AS ttl_cleared;
SELECT wf_set_retention('completed', '1 day');
\echo :SQLSTATE
RESET ROLE;
SELECT count(*) AS left_by_cleaner FROM wf_workflow WHERE id LIKE 'priv:p%';
SELECT count(*) AS policies FROM wf_retention_policy;

-- wf_revoke_access takes back everything: the roles can be dropped
SELECT wf_revoke_access('regress_wfp_cleaner');
SELECT wf_revoke_access('regress_wfp_cleanread');
SELECT p.oid::regprocedure AS still_executable_by_cleaner
  FROM pg_proc AS p
 WHERE p.pronamespace = 'workflow_persist'::regnamespace
   AND has_function_privilege('regress_wfp_cleaner', p.oid, 'EXECUTE')
   AND NOT EXISTS (SELECT FROM aclexplode(p.proacl) AS a WHERE a.grantee = 0)
 ORDER BY 1::text;
DROP ROLE regress_wfp_cleaner;
DROP ROLE regress_wfp_cleanread;
DROP ROLE regress_wfp_nocleanup;

-- clean up
SELECT id, wf_delete(id) FROM wf_workflow WHERE id LIKE 'priv:%' ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
