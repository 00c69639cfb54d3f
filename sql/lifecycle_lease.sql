-- Leases: one owner at a time works on a run.
--   wf_lease_acquire(id, owner, ttl): a token; the same token again for the
--     same owner while unexpired (extending it); NULL while another owner
--     holds an unexpired lease; absent workflow: a placeholder; bad ttl/owner 22023;
--   wf_lease_renew(id, token, ttl): false once expired or taken over;
--   wf_lease_release(id, token);
--   wf_save, wf_save_step, wf_merge with lease_token: 55P03 unless it is
--     the current, unexpired lease.  Leases do not bump the version.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'
\set D '{"formatVersion":1,"steps":{"m":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'
SELECT wf_save('ls:a', :'S');
SELECT updated_at AS upd FROM wf_info('ls:a') \gset

---------------------------------------------------------------------------
-- acquire, re-acquire, contend
---------------------------------------------------------------------------
SELECT wf_lease_acquire('ls:a', 'worker-1', '1 hour') AS t1 \gset
SELECT :'t1' <> '' AS got_token, version FROM wf_info('ls:a');
-- the same owner again: the same token, the expiry extended
SELECT lease_expires_at AS exp1 FROM wf_workflow WHERE id = 'ls:a' \gset
SELECT wf_lease_acquire('ls:a', 'worker-1', '2 hours') = :'t1' AS same_token;
SELECT lease_expires_at > :'exp1' AS extended, lease_owner FROM wf_workflow WHERE id = 'ls:a';
-- another owner: NULL while the lease holds
SELECT wf_lease_acquire('ls:a', 'worker-2', '1 hour') IS NULL AS refused;
SELECT lease_owner, lease_token = :'t1' AS unchanged FROM wf_workflow WHERE id = 'ls:a';
-- leases do not bump the version (nor move updated_at)
SELECT version, updated_at = :'upd' AS same_updated_at FROM wf_info('ls:a');

---------------------------------------------------------------------------
-- writes with the lease token: good, bad, none
---------------------------------------------------------------------------
SELECT wf_save('ls:a', :'S', lease_token => :'t1');
SELECT wf_save_step('ls:a', 'b', '{"ok":true}', lease_token => :'t1');
SELECT wf_merge('ls:a', :'D', lease_token => :'t1');
-- with expected_version too
SELECT wf_save_step('ls:a', 'c', '{"ok":true}', expected_version => 4, lease_token => :'t1');
-- a wrong token: 55P03, nothing written
SELECT wf_save('ls:a', :'S', lease_token => 'not-the-token');
\echo :SQLSTATE
SELECT wf_save_step('ls:a', 'x', '{"ok":true}', lease_token => 'not-the-token');
\echo :SQLSTATE
SELECT wf_merge('ls:a', :'D', lease_token => 'not-the-token');
\echo :SQLSTATE
SELECT version, step_count FROM wf_info('ls:a');
-- no token: writes are not checked (the lease is advisory for them)
SELECT wf_save_step('ls:a', 'd', '{"ok":true}');
SELECT wf_save_step('ls:a', 'e', '{"ok":true}', lease_token => NULL);
SELECT version FROM wf_info('ls:a');

---------------------------------------------------------------------------
-- renew and release
---------------------------------------------------------------------------
SELECT wf_lease_renew('ls:a', :'t1', '1 hour');
SELECT wf_lease_renew('ls:a', 'not-the-token', '1 hour');
SELECT wf_lease_renew('ls:a', NULL, '1 hour');
SELECT wf_lease_release('ls:a', 'not-the-token');
SELECT lease_owner FROM wf_workflow WHERE id = 'ls:a';
SELECT wf_lease_release('ls:a', :'t1');
SELECT lease_owner, lease_token, lease_expires_at FROM wf_workflow WHERE id = 'ls:a';
-- released: renewing and writing with the old token fail; a second
-- release is false
SELECT wf_lease_renew('ls:a', :'t1', '1 hour');
SELECT wf_lease_release('ls:a', :'t1');
SELECT wf_save_step('ls:a', 'f', '{"ok":true}', lease_token => :'t1');
\echo :SQLSTATE
-- now another owner gets it, with a new token
SELECT wf_lease_acquire('ls:a', 'worker-2', '1 hour') AS t2 \gset
SELECT :'t2' <> :'t1' AS new_token;
SELECT wf_save_step('ls:a', 'f', '{"ok":true}', lease_token => :'t1');
\echo :SQLSTATE
SELECT wf_save_step('ls:a', 'f', '{"ok":true}', lease_token => :'t2');
SELECT version FROM wf_info('ls:a');

---------------------------------------------------------------------------
-- expiry: a short ttl runs out
---------------------------------------------------------------------------
SELECT wf_save('ls:b', :'S');
SELECT wf_lease_acquire('ls:b', 'worker-1', '1 hour') AS t3 \gset
SELECT wf_save_step('ls:b', 'early', '{"ok":true}', lease_token => :'t3');
-- renewed for 50 ms only, then 200 ms pass
SELECT wf_lease_renew('ls:b', :'t3', '50 milliseconds');
SELECT pg_sleep(0.2);
-- expired: writes with it fail, renewing fails
SELECT wf_save_step('ls:b', 'late', '{"ok":true}', lease_token => :'t3');
\echo :SQLSTATE
SELECT wf_save('ls:b', :'S', lease_token => :'t3');
\echo :SQLSTATE
SELECT wf_merge('ls:b', :'D', lease_token => :'t3');
\echo :SQLSTATE
SELECT wf_lease_renew('ls:b', :'t3', '1 hour');
SELECT version, step_count FROM wf_info('ls:b');
-- the same owner re-acquiring an expired lease gets a new token
SELECT wf_lease_acquire('ls:b', 'worker-1', '50 milliseconds') AS t4 \gset
SELECT :'t4' <> :'t3' AS new_token;
SELECT pg_sleep(0.2);
-- another owner takes over an expired lease; the old token stays refused
SELECT wf_lease_acquire('ls:b', 'worker-2', '1 hour') AS t5 \gset
SELECT :'t5' <> :'t4' AS new_token, lease_owner FROM wf_workflow WHERE id = 'ls:b';
SELECT wf_save_step('ls:b', 'late', '{"ok":true}', lease_token => :'t4');
\echo :SQLSTATE
SELECT wf_lease_renew('ls:b', :'t4', '1 hour');
SELECT wf_save_step('ls:b', 'late', '{"ok":true}', lease_token => :'t5');
SELECT version, step_count FROM wf_info('ls:b');

---------------------------------------------------------------------------
-- a workflow without a lease: any token is refused (55P03), also when the
-- write would create the workflow (nothing is created)
---------------------------------------------------------------------------
SELECT wf_save('ls:none', :'S');
SELECT wf_save('ls:none', :'S', lease_token => 'whatever');
\echo :SQLSTATE
SELECT wf_save_step('ls:none', 'x', '{"ok":true}', lease_token => 'whatever');
\echo :SQLSTATE
SELECT wf_merge('ls:none', :'D', lease_token => 'whatever');
\echo :SQLSTATE
SELECT wf_save('ls:new', :'S', lease_token => 'whatever');
\echo :SQLSTATE
SELECT wf_save_step('ls:new', 'x', '{"ok":true}', lease_token => 'whatever');
\echo :SQLSTATE
SELECT wf_merge('ls:new', :'D', lease_token => 'whatever');
\echo :SQLSTATE
SELECT wf_exists('ls:new'), version FROM wf_info('ls:none');

---------------------------------------------------------------------------
-- bad arguments
---------------------------------------------------------------------------
-- an absent id: a placeholder lease (lifecycle_lease_absent.sql)
SELECT wf_lease_acquire('ls:absent', 'worker-1', '1 hour') AS ta \gset
SELECT wf_lease_release('ls:absent', :'ta') AS placeholder_released;
SELECT wf_lease_acquire('ls:none', '', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_acquire('ls:none', NULL, '1 hour');
\echo :SQLSTATE
SELECT wf_lease_acquire('ls:none', 'worker-1', '0 seconds');
\echo :SQLSTATE
SELECT wf_lease_acquire('ls:none', 'worker-1', '-1 minute');
\echo :SQLSTATE
SELECT wf_lease_acquire('ls:none', 'worker-1', NULL);
\echo :SQLSTATE
SELECT wf_lease_renew('ls:none', 'whatever', '0 seconds');
\echo :SQLSTATE
SELECT wf_lease_renew('ls:none', 'whatever', NULL);
\echo :SQLSTATE
SELECT lease_owner FROM wf_workflow WHERE id = 'ls:none';

---------------------------------------------------------------------------
-- an expired workflow is absent: a lease on its id is a new run's (a
-- placeholder), and a new run on its id starts without the old one's lease
---------------------------------------------------------------------------
SELECT wf_save('ls:exp', :'S');
SELECT wf_lease_acquire('ls:exp', 'worker-1', '1 hour') AS t6 \gset
SELECT wf_save('ls:exp', :'S', ttl => '1 millisecond');
SELECT pg_sleep(0.05);
SELECT wf_lease_acquire('ls:exp', 'worker-2', '1 hour') IS NOT NULL AS leased_as_new;
\echo :SQLSTATE
SELECT wf_save('ls:exp', :'S');
SELECT wf_lease_acquire('ls:exp', 'worker-2', '1 hour') IS NOT NULL AS new_run_leasable;
SELECT wf_save_step('ls:exp', 'x', '{"ok":true}', lease_token => :'t6');
\echo :SQLSTATE
SELECT wf_lease_renew('ls:exp', :'t6', '1 hour') AS old_token_renews;

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'ls:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
