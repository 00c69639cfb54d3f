-- Tenant isolation: a workflow's tenant is decided at creation (the
-- setting workflow_persist.tenant, or the role's only tenant) and never
-- changes; with wf_enable_isolation() a writer of tenant A, a writer of
-- tenant B and a reader of tenant A never see or change each other's
-- workflows through any function, the tables, the checkpoint trigger or
-- cleanup.  Quotas: sql/tenant_quota.sql.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'
\set P '{"ok":false,"error":{"type":"PENDING_APPROVAL","stepKey":"ask","reason":"sign"},"cause":{"type":"thrown","stringRepresentation":"a"},"meta":{"origin":"result"}}'

---------------------------------------------------------------------------
-- names and the administrative functions
---------------------------------------------------------------------------
SELECT wf_check_tenant('acme-1.eu_west');
SELECT wf_check_tenant(NULL);
\echo :SQLSTATE
SELECT wf_check_tenant('');
\echo :SQLSTATE
SELECT wf_check_tenant(repeat('x', 64));
\echo :SQLSTATE
SELECT wf_check_tenant('a b');
\echo :SQLSTATE
SET workflow_persist.tenant = 'no/slash';
\echo :SQLSTATE
SHOW workflow_persist.tenant;

CREATE ROLE regress_wfp_wa;   -- writer of tenant A
CREATE ROLE regress_wfp_wb;   -- writer of tenant B
CREATE ROLE regress_wfp_ra;   -- reader of tenant A
CREATE ROLE regress_wfp_wab;  -- writer of A and B
CREATE ROLE regress_wfp_free; -- writer bound to no tenant
SELECT wf_grant_access('regress_wfp_wa'), wf_grant_access('regress_wfp_wb'),
       wf_grant_access('regress_wfp_ra', writable => false), wf_grant_access('regress_wfp_wab'),
       wf_grant_access('regress_wfp_free');
SELECT wf_bind_tenant('regress_wfp_wa', '{A}'), wf_bind_tenant('regress_wfp_wb', '{B}'),
       wf_bind_tenant('regress_wfp_ra', '{A}'), wf_bind_tenant('regress_wfp_wab', '{B,A,A}');
SELECT role, tenant FROM wf_tenant_binding ORDER BY 1, 2;
SELECT wf_bind_tenant('regress_wfp_wa', '{"bad name"}');
\echo :SQLSTATE
SELECT wf_bind_tenant(NULL, '{A}');
\echo :SQLSTATE
SELECT wf_isolation_enabled();

-- only the owner or a superuser binds, sets quotas, switches isolation
SET ROLE regress_wfp_wa;
SELECT wf_bind_tenant('regress_wfp_wa', '{A,B}');
\echo :SQLSTATE
SELECT wf_set_quota('A', 1000, NULL);
\echo :SQLSTATE
SELECT wf_enable_isolation();
\echo :SQLSTATE
SELECT wf_disable_isolation();
\echo :SQLSTATE
-- a writer sees its own binding only, and cannot write bindings or counters
SELECT role, tenant FROM wf_tenant_binding;
INSERT INTO wf_tenant_binding VALUES ('regress_wfp_wa', 'B');
\echo :SQLSTATE
UPDATE wf_tenant_counter SET bytes = 0;
\echo :SQLSTATE
RESET ROLE;

---------------------------------------------------------------------------
-- isolation off: the tenant is recorded, nothing is enforced
---------------------------------------------------------------------------
SELECT wf_save('t:none', :'S');
SET workflow_persist.tenant = 'A';
SELECT wf_current_tenant();
SELECT wf_save('t:set-a', :'S');
RESET workflow_persist.tenant;
SET ROLE regress_wfp_wa;
SELECT wf_current_tenant(), wf_role_tenants();
SELECT wf_save('t:bound-a', :'S');
SET ROLE regress_wfp_wab;
SELECT wf_current_tenant(), wf_role_tenants();
SELECT wf_save('t:wab-none', :'S');
RESET ROLE;
SELECT id, tenant FROM wf_workflow WHERE id LIKE 't:%' ORDER BY id;
-- a header's tenant never changes, not even for the superuser
UPDATE wf_workflow SET tenant = 'B' WHERE id = 't:set-a';
\echo :SQLSTATE
UPDATE wf_workflow SET tenant = 'A' WHERE id = 't:none';
\echo :SQLSTATE
UPDATE wf_workflow SET tenant = tenant WHERE id = 't:set-a';
SELECT count(*) FROM wf_workflow WHERE id LIKE 't:%';
SELECT wf_delete(id) FROM wf_workflow WHERE id LIKE 't:%';

---------------------------------------------------------------------------
-- isolation on
---------------------------------------------------------------------------
SELECT wf_enable_isolation();
SELECT wf_enable_isolation();   -- again: the same policies
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       (SELECT count(*) FROM pg_policy AS p WHERE p.polrelid = c.oid) AS policies
  FROM pg_class AS c
 WHERE c.relnamespace = 'workflow_persist'::regnamespace AND c.relkind = 'r'
 ORDER BY c.relname;
SELECT wf_isolation_enabled();

-- the owner writes for any tenant
SET workflow_persist.tenant = 'B';
SELECT wf_save('b:1', :'S');
SELECT wf_save_step('b:1', 'ask', :'P');
SELECT wf_save('b:sus', :'S');
SELECT wf_suspend('b:sus', 'wait', '{"form":"b"}');
SELECT wf_save('b:done', :'S');
SELECT wf_save('b:exp', :'S');
SELECT wf_set_ttl('b:exp', '1 second') IS NOT NULL;
SELECT wf_cancel('b:done', 'stop');
RESET workflow_persist.tenant;
SELECT wf_save('none:1', :'S');

SET ROLE regress_wfp_wa;
SELECT wf_save('a:1', :'S');
SELECT wf_save_step('a:1', 'ask', :'P');
SELECT wf_save('a:sus', :'S');
SELECT wf_suspend('a:sus', 'wait', '{"form":"a"}');
SELECT wf_save('a:exp', :'S');
SELECT wf_set_ttl('a:exp', '1 second') IS NOT NULL;
SELECT id, tenant FROM wf_workflow ORDER BY id;
-- a setting the role is not bound to is refused, reading and writing
SET workflow_persist.tenant = 'B';
SELECT wf_save('a:2', :'S');
\echo :SQLSTATE
SELECT count(*) FROM wf_list();
\echo :SQLSTATE
SET workflow_persist.tenant = 'A';
SELECT count(*) FROM wf_list();
RESET workflow_persist.tenant;
RESET ROLE;

-- a role bound to several tenants names one per transaction
SET ROLE regress_wfp_wab;
SELECT wf_save('ab:1', :'S');
\echo :SQLSTATE
BEGIN;
SET LOCAL workflow_persist.tenant = 'B';
SELECT wf_save('ab:1', :'S');
SELECT id FROM wf_list() ORDER BY id;
COMMIT;
SELECT id FROM wf_list() ORDER BY id;
SELECT wf_delete('ab:1');
RESET ROLE;

-- a role bound to no tenant uses only the workflows without one
SET ROLE regress_wfp_free;
SELECT id FROM wf_list() ORDER BY id;
SELECT wf_save('free:1', :'S');
SELECT wf_load('a:1');
SELECT wf_delete('free:1');
RESET ROLE;

---------------------------------------------------------------------------
-- the writer of A against B's workflows: every function
---------------------------------------------------------------------------
SET ROLE regress_wfp_wa;
SELECT wf_load('b:1');
SELECT wf_load('b:1', 'completed', NULL, 1);
SELECT wf_exists('b:1');
SELECT count(*) FROM wf_steps('b:1');
SELECT wf_step_result('b:1', 'a');
SELECT count(*) FROM wf_info('b:1');
SELECT id FROM wf_list() ORDER BY id;
SELECT id FROM wf_list('b:') ORDER BY id;
SELECT count(*) FROM wf_list('b', NULL, 10);
SELECT status, workflows, largest_id, expired FROM wf_stats ORDER BY status;
SELECT id, step_key, kind FROM wf_pending() ORDER BY id, step_key;
SELECT count(*) FROM wf_pending('b:1');
SELECT count(*) FROM wf_history('b:1');
SELECT event FROM wf_history('a:sus');
SELECT wf_resolve('b:');
\echo :SQLSTATE
SELECT wf_resolve('a:s');
SELECT * FROM wf_verify('b:1');
\echo :SQLSTATE
SELECT * FROM wf_verify();
SELECT expired_waiting FROM wf_cleanup_status;
-- writes
SELECT wf_save('b:1', :'S');
\echo :SQLSTATE
SELECT wf_save_step('b:1', 'x', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_merge('b:1', :'S');
\echo :SQLSTATE
SELECT wf_delete('b:1');
SELECT wf_suspend('b:1', 'r');
\echo :SQLSTATE
SELECT wf_approve('b:1', 'ask');
\echo :SQLSTATE
SELECT wf_reject('b:1', 'ask', 'no');
\echo :SQLSTATE
SELECT wf_resume('b:sus');
\echo :SQLSTATE
SELECT wf_cancel('b:1');
\echo :SQLSTATE
SELECT wf_replay('b:1');
\echo :SQLSTATE
SELECT wf_fork('b:1', 'a:fork', 'a');
\echo :SQLSTATE
SELECT wf_fork('a:1', 'b:1', 'a');
\echo :SQLSTATE
SELECT wf_lease_acquire('b:1', 'me', '1 hour');
\echo :SQLSTATE
SELECT wf_lease_renew('b:1', 'x', '1 hour'), wf_lease_release('b:1', 'x');
SELECT wf_set_ttl('b:1', '1 hour');
\echo :SQLSTATE
SELECT wf_verify_workflow('b:1');
\echo :SQLSTATE
-- the tables
SELECT count(*) FROM wf_workflow WHERE tenant IS DISTINCT FROM 'A';
SELECT count(*) FROM wf_step WHERE workflow_id LIKE 'b:%';
SELECT count(*) FROM wf_event WHERE workflow_id LIKE 'b:%';
UPDATE wf_workflow SET version = 99 WHERE id = 'b:1';
DELETE FROM wf_step WHERE workflow_id = 'b:1';
INSERT INTO wf_step (workflow_id, step_key, pos, ok, result, hash, size_bytes, recorded_at)
VALUES ('b:1', 'forged', 9, true, '{"ok":true}', 0, 0, now());
\echo :SQLSTATE
INSERT INTO wf_workflow (id, status, version, extra, step_count, next_pos, size_bytes,
                         created_at, updated_at, checked, pending, tenant)
VALUES ('b:forged', 'running', 1, '{}', 0, 1, 0, now(), now(), 0, 0, 'B');
\echo :SQLSTATE
-- own workflows work as before, and a fork or replay stays in A
SELECT wf_approve('a:1', 'ask');
SELECT wf_resume('a:sus');
SELECT wf_fork('a:1', 'a:fork', 'a');
SELECT wf_replay('a:1', 'a:replay');
SELECT id, tenant FROM wf_workflow ORDER BY id;
RESET ROLE;

---------------------------------------------------------------------------
-- the reader of A: A's workflows, read-only; nothing of B
---------------------------------------------------------------------------
SET ROLE regress_wfp_ra;
SELECT wf_load('a:1') -> 'steps' -> 'ask';
SELECT wf_load('b:1');
SELECT id FROM wf_list() ORDER BY id;
SELECT id, kind FROM wf_pending() ORDER BY id;
SELECT (SELECT count(*) FROM wf_history('b:1')) AS b, (SELECT count(*) FROM wf_history('a:1')) AS a;
SELECT status, workflows FROM wf_stats WHERE workflows > 0 ORDER BY status;
SELECT wf_save_step('a:1', 'x', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_cleanup(dry_run => true);
RESET ROLE;

---------------------------------------------------------------------------
-- the writer of B sees its own, none of A's
---------------------------------------------------------------------------
SET ROLE regress_wfp_wb;
SELECT id FROM wf_list() ORDER BY id;
SELECT wf_load('a:1');
SELECT id, kind FROM wf_pending() ORDER BY id;
SELECT wf_approve('b:1', 'ask');
SELECT wf_load('b:1') -> 'steps' -> 'ask' AS approved;
RESET ROLE;

---------------------------------------------------------------------------
-- the checkpoint trigger writes as the inserting role
---------------------------------------------------------------------------
CREATE TABLE public.tenant_orders (wf text, step text, v jsonb);
GRANT INSERT, UPDATE ON public.tenant_orders TO regress_wfp_wa, regress_wfp_wb;
SELECT wf_attach_checkpoint('public.tenant_orders', 'wf', 'step', 'v');
SET ROLE regress_wfp_wa;
INSERT INTO public.tenant_orders VALUES ('a:trg', 'one', '{"n":1}');
INSERT INTO public.tenant_orders VALUES ('b:1', 'one', '{"n":1}');
\echo :SQLSTATE
RESET ROLE;
SELECT id, tenant, step_count FROM wf_workflow WHERE id IN ('a:trg', 'b:1') ORDER BY id;
DROP TABLE public.tenant_orders;
-- the counting and isolation trigger functions refuse any other table, so
-- a role that may execute them cannot fire them on a table of its own
CREATE TABLE public.tenant_fake (id text, tenant text, size_bytes int8, version int8);
CREATE TRIGGER fake AFTER INSERT ON public.tenant_fake FOR EACH ROW
    EXECUTE FUNCTION workflow_persist.wf_tenant_count();
CREATE TRIGGER fake2 AFTER INSERT ON public.tenant_fake FOR EACH ROW
    EXECUTE FUNCTION workflow_persist.wf_isolation_remove();
INSERT INTO public.tenant_fake VALUES ('x', 'B', -1000000, 0);
\echo :SQLSTATE
DROP TRIGGER fake ON public.tenant_fake;
INSERT INTO public.tenant_fake VALUES ('x', 'B', -1000000, 0);
\echo :SQLSTATE
SELECT wf_isolation_enabled();
DROP TABLE public.tenant_fake;

---------------------------------------------------------------------------
-- cleanup deletes only what the caller may see; the owner's, everything
---------------------------------------------------------------------------
UPDATE wf_workflow SET expires_at = now() - '1 second'::interval WHERE id LIKE '%:exp';
SET ROLE regress_wfp_wa;
SELECT wf_cleanup();
SELECT count(*) FROM wf_workflow WHERE id = 'a:exp';
RESET ROLE;
SELECT id FROM wf_workflow WHERE id LIKE '%:exp' ORDER BY id;
SET ROLE regress_wfp_wb;
SELECT wf_cleanup();
RESET ROLE;
SELECT id FROM wf_workflow WHERE id LIKE '%:exp' ORDER BY id;
-- nothing left behind
SELECT count(*) FROM wf_step AS s WHERE NOT EXISTS (SELECT FROM wf_workflow AS w WHERE w.id = s.workflow_id);
SELECT count(*) FROM wf_event AS e WHERE NOT EXISTS (SELECT FROM wf_workflow AS w WHERE w.id = e.workflow_id);
SELECT tenant, workflows FROM wf_tenant_usage;
SELECT w.tenant, count(*) FROM wf_workflow AS w WHERE w.tenant IS NOT NULL GROUP BY 1 ORDER BY 1;

---------------------------------------------------------------------------
-- wf_disable_isolation: everybody granted access sees everything again
---------------------------------------------------------------------------
SELECT wf_disable_isolation();
SELECT wf_isolation_enabled();
SET ROLE regress_wfp_wa;
SELECT count(*) > 0 AS sees_b FROM wf_list('b:');
RESET ROLE;

-- clean up
SELECT wf_delete(id) FROM wf_workflow WHERE tenant IS NOT NULL OR id = 'none:1';
SELECT wf_bind_tenant(r, NULL), wf_revoke_access(r)
  FROM unnest(ARRAY['regress_wfp_wa', 'regress_wfp_wb', 'regress_wfp_ra', 'regress_wfp_wab',
                    'regress_wfp_free']::regrole[]) AS r;
DELETE FROM wf_tenant_counter;
DROP ROLE regress_wfp_wa, regress_wfp_wb, regress_wfp_ra, regress_wfp_wab, regress_wfp_free;
