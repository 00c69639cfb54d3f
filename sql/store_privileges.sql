-- Privileges: nothing that reads or writes workflows is open to PUBLIC;
-- wf_grant_access gives read-write (or read-only) use; wf_revoke_access
-- undoes it; the pure functions work for everyone.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'
SELECT wf_save('priv:w', :'S');

CREATE ROLE regress_wfp_none;
CREATE ROLE regress_wfp_rw;
CREATE ROLE regress_wfp_ro;
SELECT wf_grant_access('regress_wfp_rw');
SELECT wf_grant_access('regress_wfp_ro', writable => false);

-- the tables are not readable or writable by PUBLIC
SELECT c.relname, NOT EXISTS (SELECT FROM aclexplode(c.relacl) AS a WHERE a.grantee = 0) AS no_public_grant
  FROM pg_class AS c
 WHERE c.relnamespace = 'workflow_persist'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.relname;

---------------------------------------------------------------------------
-- a role without grants: 42501 from everything that touches workflows
---------------------------------------------------------------------------
SET ROLE regress_wfp_none;
SELECT wf_save('priv:w', :'S');
\echo :SQLSTATE
SELECT wf_save_step('priv:w', 'b', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_merge('priv:w', :'S');
\echo :SQLSTATE
SELECT wf_load('priv:w');
\echo :SQLSTATE
SELECT wf_delete('priv:w');
\echo :SQLSTATE
SELECT wf_exists('priv:w');
\echo :SQLSTATE
SELECT * FROM wf_steps('priv:w');
\echo :SQLSTATE
SELECT * FROM wf_list();
\echo :SQLSTATE
SELECT * FROM wf_info('priv:w');
\echo :SQLSTATE
SELECT * FROM wf_stats;
\echo :SQLSTATE
SELECT * FROM wf_workflow;
\echo :SQLSTATE
SELECT * FROM wf_step;
\echo :SQLSTATE
DELETE FROM wf_workflow;
\echo :SQLSTATE
SELECT wf_grant_access('regress_wfp_none');
\echo :SQLSTATE
SELECT wf_revoke_access('regress_wfp_rw');
\echo :SQLSTATE
-- the pure functions work
SELECT wf_is_valid(:'S'), wf_is_valid(:'S', true) AS strict, wf_looks_like_snapshot(:'S'),
       wf_validate('{}'), wf_assert_valid(:'S') = :'S' AS asserted,
       wf_merge_snapshots(:'S', :'S') = :'S' AS merged;
RESET ROLE;

---------------------------------------------------------------------------
-- read-write
---------------------------------------------------------------------------
SET ROLE regress_wfp_rw;
SELECT wf_save('priv:rw', :'S');
SELECT wf_save_step('priv:rw', 'b', '{"ok":true}');
SELECT wf_merge('priv:rw', '{"formatVersion":1,"steps":{"c":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}');
SELECT wf_load('priv:rw') #- '{execution,lastUpdated}' AS doc;
SELECT wf_exists('priv:rw'), wf_exists('priv:w');
SELECT step_key FROM wf_steps('priv:rw');
SELECT id, status, version FROM wf_list('priv:');
SELECT id, version FROM wf_info('priv:rw');
SELECT status, workflows FROM wf_stats WHERE status = 'completed';
SELECT wf_save('priv:rw2', :'S');
SELECT wf_delete('priv:rw2');
-- still no way to grant
SELECT wf_grant_access('regress_wfp_none');
\echo :SQLSTATE
RESET ROLE;

---------------------------------------------------------------------------
-- read-only: reads work, writes get 42501
---------------------------------------------------------------------------
SET ROLE regress_wfp_ro;
SELECT wf_load('priv:rw') -> 'steps' AS steps;
SELECT wf_load('priv:rw', 'completed', 'a', 1) -> 'steps' AS filtered;
SELECT wf_exists('priv:rw');
SELECT step_key FROM wf_steps('priv:rw');
SELECT id, status, version FROM wf_list('priv:');
SELECT id, version FROM wf_info('priv:rw');
SELECT status, workflows FROM wf_stats WHERE status = 'completed';
SELECT wf_save('priv:rw', :'S');
\echo :SQLSTATE
SELECT wf_save('priv:ro', :'S');
\echo :SQLSTATE
SELECT wf_save_step('priv:rw', 'd', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_merge('priv:rw', :'S');
\echo :SQLSTATE
SELECT wf_delete('priv:rw');
\echo :SQLSTATE
SELECT wf_delete('priv:absent');
\echo :SQLSTATE
UPDATE wf_workflow SET version = 0;
\echo :SQLSTATE
RESET ROLE;
SELECT version, step_count FROM wf_info('priv:rw');
SELECT wf_exists('priv:ro');

---------------------------------------------------------------------------
-- wf_revoke_access undoes it
---------------------------------------------------------------------------
SELECT wf_revoke_access('regress_wfp_rw');
SELECT wf_revoke_access('regress_wfp_ro');
SET ROLE regress_wfp_rw;
SELECT wf_load('priv:rw');
\echo :SQLSTATE
SELECT wf_save('priv:rw', :'S');
\echo :SQLSTATE
SELECT * FROM wf_stats;
\echo :SQLSTATE
SELECT wf_is_valid(:'S');
RESET ROLE;
SET ROLE regress_wfp_ro;
SELECT wf_exists('priv:rw');
\echo :SQLSTATE
SELECT * FROM wf_list();
\echo :SQLSTATE
SELECT wf_merge_snapshots(:'S', :'S') = :'S' AS merged;
RESET ROLE;
-- granting again works, and the role can be dropped after a revoke
SELECT wf_grant_access('regress_wfp_rw');
SET ROLE regress_wfp_rw;
SELECT wf_save_step('priv:w', 'e', '{"ok":true}');
RESET ROLE;
SELECT wf_revoke_access('regress_wfp_rw');
-- a role name that does not exist
SELECT wf_grant_access('regress_wfp_nobody');
\echo :SQLSTATE

-- clean up
DROP ROLE regress_wfp_none;
DROP ROLE regress_wfp_rw;
DROP ROLE regress_wfp_ro;
SELECT id, wf_delete(id) FROM wf_list(prefix => 'priv:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
