-- The lifecycle functions and workflow ids, NULLs and privileges: ids are
-- 1..512 bytes (else 22023), a NULL id is 22004, as for the store; nothing
-- that reads or writes workflows is open to PUBLIC; wf_grant_access gives
-- read-write or read-only use of the lifecycle too.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"failed","lastUpdated":"t"}}'
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/awaitly.sql
SELECT pg_temp.pending_approval('p') AS "PA" \gset

---------------------------------------------------------------------------
-- 0 and 513 bytes: 22023
---------------------------------------------------------------------------
SELECT wf_suspend('', 'r');
\echo :SQLSTATE
SELECT wf_approve('', 'p');
\echo :SQLSTATE
SELECT wf_reject('', 'p', 'r');
\echo :SQLSTATE
SELECT wf_resume('');
\echo :SQLSTATE
SELECT wf_cancel('');
\echo :SQLSTATE
SELECT wf_replay('');
\echo :SQLSTATE
SELECT wf_fork('', 'new', 'a');
\echo :SQLSTATE
SELECT * FROM wf_pending('');
\echo :SQLSTATE
SELECT * FROM wf_history('');
\echo :SQLSTATE
SELECT wf_lease_acquire('', 'o', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_renew('', 't', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_release('', 't');
\echo :SQLSTATE
SELECT wf_suspend(repeat('i', 513), 'r');
\echo :SQLSTATE
SELECT wf_approve(repeat('i', 513), 'p');
\echo :SQLSTATE
SELECT wf_reject(repeat('i', 513), 'p', 'r');
\echo :SQLSTATE
SELECT wf_resume(repeat('i', 513));
\echo :SQLSTATE
SELECT wf_cancel(repeat('i', 513));
\echo :SQLSTATE
SELECT wf_replay(repeat('i', 513));
\echo :SQLSTATE
SELECT wf_fork(repeat('i', 513), 'new', 'a');
\echo :SQLSTATE
SELECT wf_fork('ids:a', repeat('i', 513), 'a');
\echo :SQLSTATE
SELECT * FROM wf_pending(repeat('i', 513));
\echo :SQLSTATE
SELECT * FROM wf_history(repeat('i', 513));
\echo :SQLSTATE
SELECT wf_lease_acquire(repeat('i', 513), 'o', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_renew(repeat('i', 513), 't', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_release(repeat('i', 513), 't');
\echo :SQLSTATE

---------------------------------------------------------------------------
-- NULL ids: 22004 (wf_pending(NULL) means every workflow)
---------------------------------------------------------------------------
SELECT wf_suspend(NULL, 'r');
\echo :SQLSTATE
SELECT wf_approve(NULL, 'p');
\echo :SQLSTATE
SELECT wf_reject(NULL, 'p', 'r');
\echo :SQLSTATE
SELECT wf_resume(NULL);
\echo :SQLSTATE
SELECT wf_cancel(NULL);
\echo :SQLSTATE
SELECT wf_replay(NULL);
\echo :SQLSTATE
SELECT wf_fork(NULL, 'new', 'a');
\echo :SQLSTATE
SELECT * FROM wf_history(NULL);
\echo :SQLSTATE
SELECT wf_lease_acquire(NULL, 'o', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_renew(NULL, 't', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_release(NULL, 't');
\echo :SQLSTATE
SELECT count(*) FROM wf_pending(NULL);
-- 512 bytes (multibyte characters count in bytes) is fine
SELECT wf_save(repeat('é', 256), :'S');
SELECT wf_suspend(repeat('é', 256), 'r');
SELECT wf_resume(repeat('é', 256));
SELECT wf_cancel(repeat('é', 256));
SELECT count(*) FROM wf_history(repeat('é', 256));
SELECT wf_delete(repeat('é', 256));
-- optional arguments: NULL means "not given"
SELECT wf_save('ids:a', :'S');
SELECT wf_save_step('ids:a', 'p', :'PA');
SELECT wf_suspend('ids:a', 'r', NULL);
SELECT wf_approve('ids:a', 'p', 'true', NULL);
SELECT wf_resume('ids:a', NULL);
SELECT wf_cancel('ids:a', NULL);
SELECT wf_load('ids:a') -> 'metadata' AS metadata;
-- nothing was stored by the failures above
SELECT id FROM wf_workflow ORDER BY id;

---------------------------------------------------------------------------
-- privileges
---------------------------------------------------------------------------
SELECT wf_save('ids:p', :'S');
SELECT wf_save_step('ids:p', 'p', :'PA');
CREATE ROLE regress_wfp_life_none;
CREATE ROLE regress_wfp_life_rw;
CREATE ROLE regress_wfp_life_ro;
SELECT wf_grant_access('regress_wfp_life_rw');
SELECT wf_grant_access('regress_wfp_life_ro', writable => false);
-- no grants: 42501 from every lifecycle function
SET ROLE regress_wfp_life_none;
SELECT wf_suspend('ids:p', 'r');
\echo :SQLSTATE
SELECT wf_approve('ids:p', 'p');
\echo :SQLSTATE
SELECT wf_reject('ids:p', 'p', 'r');
\echo :SQLSTATE
SELECT wf_resume('ids:p');
\echo :SQLSTATE
SELECT wf_cancel('ids:p');
\echo :SQLSTATE
SELECT wf_replay('ids:p', 'ids:q');
\echo :SQLSTATE
SELECT wf_fork('ids:p', 'ids:q', 'a');
\echo :SQLSTATE
SELECT * FROM wf_pending();
\echo :SQLSTATE
SELECT * FROM wf_history('ids:p');
\echo :SQLSTATE
SELECT wf_resolve('ids:');
\echo :SQLSTATE
SELECT wf_lease_acquire('ids:p', 'o', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_renew('ids:p', 't', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_release('ids:p', 't');
\echo :SQLSTATE
SELECT * FROM wf_event;
\echo :SQLSTATE
RESET ROLE;
-- read-only: reads work, transitions get 42501 and change nothing
SET ROLE regress_wfp_life_ro;
SELECT id, step_key, kind FROM wf_pending() WHERE id LIKE 'ids:%';
SELECT event, step_key FROM wf_history('ids:p');
SELECT wf_resolve('ids:p');
SELECT wf_suspend('ids:p', 'r');
\echo :SQLSTATE
SELECT wf_approve('ids:p', 'p');
\echo :SQLSTATE
SELECT wf_reject('ids:p', 'p', 'r');
\echo :SQLSTATE
SELECT wf_resume('ids:p');
\echo :SQLSTATE
SELECT wf_cancel('ids:p');
\echo :SQLSTATE
SELECT wf_replay('ids:p', 'ids:q');
\echo :SQLSTATE
SELECT wf_fork('ids:p', 'ids:q', 'a');
\echo :SQLSTATE
SELECT wf_lease_acquire('ids:p', 'o', '1 hour');
\echo :SQLSTATE
INSERT INTO wf_event (workflow_id, at, event, actor) VALUES ('ids:p', now(), 'forged', 'me');
\echo :SQLSTATE
RESET ROLE;
SELECT status, version, pending FROM wf_info('ids:p');
-- read-write: every transition works, and events name the role
SET ROLE regress_wfp_life_rw;
SELECT wf_approve('ids:p', 'p', decided_by => 'someone else');
SELECT wf_suspend('ids:p', 'r');
SELECT wf_resume('ids:p');
SELECT wf_lease_acquire('ids:p', 'o', '1 hour') IS NOT NULL AS leased;
SELECT wf_replay('ids:p', 'ids:q');
SELECT wf_fork('ids:p', 'ids:r', 'a');
SELECT wf_cancel('ids:p');
SELECT event, step_key, CASE WHEN actor = session_user THEN '<session user>' ELSE actor END AS actor
  FROM wf_history('ids:p') WHERE actor IS NOT NULL;
SELECT wf_delete('ids:q'), wf_delete('ids:r');
RESET ROLE;
SELECT wf_revoke_access('regress_wfp_life_rw');
SELECT wf_revoke_access('regress_wfp_life_ro');
DROP ROLE regress_wfp_life_none;
DROP ROLE regress_wfp_life_rw;
DROP ROLE regress_wfp_life_ro;

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'ids:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_events FROM wf_event;
