-- Namespaces: several independent stores in one database.
--   (namespace, id) is the key of a workflow; a namespace is 1..63 bytes of
--   [A-Za-z0-9_.-] (22023 with DETAIL otherwise, nothing written); NULL
--   means workflow_persist.namespace (default 'default'); '*' means every
--   namespace, only for the functions over many workflows.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set VERBOSITY default
\set S '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}},"execution":{"status":"running","lastUpdated":"t"}}'
\set D '{"formatVersion":1,"steps":{"a":{"ok":true,"value":2}},"execution":{"status":"completed","lastUpdated":"t"}}'

---------------------------------------------------------------------------
-- the rule
---------------------------------------------------------------------------
SELECT wf_namespace(), wf_namespace('a.b-c_D9'), wf_namespace(repeat('n', 63)) = repeat('n', 63) AS max_ok,
       wf_namespace('*', true) AS every;
SHOW workflow_persist.namespace;
SELECT wf_namespace('');
\echo :SQLSTATE
SELECT wf_namespace(repeat('n', 64));
\echo :SQLSTATE
SELECT wf_namespace('orders/eu');
\echo :SQLSTATE
SELECT wf_namespace('ns:1');
\echo :SQLSTATE
SELECT wf_namespace('é');
\echo :SQLSTATE
SELECT wf_namespace('*');
\echo :SQLSTATE

-- every writer refuses a bad namespace before writing anything
SELECT wf_save('ns:w', :'S', namespace => 'a b');
\echo :SQLSTATE
SELECT wf_save_step('ns:w', 'a', '{"ok":true}', namespace => '');
\echo :SQLSTATE
SELECT wf_merge('ns:w', :'S', namespace => repeat('x', 64));
\echo :SQLSTATE
SELECT wf_save('ns:w', :'S', namespace => '*');
\echo :SQLSTATE
SELECT wf_load('ns:w', namespace => '*');
\echo :SQLSTATE
SELECT wf_delete('ns:w', namespace => '*');
\echo :SQLSTATE
SELECT wf_exists('ns:w', 'a/b');
\echo :SQLSTATE
SELECT * FROM wf_info('ns:w', '*');
\echo :SQLSTATE
SELECT * FROM wf_history('ns:w', '*');
\echo :SQLSTATE
SELECT * FROM wf_pending('ns:w', '*');
\echo :SQLSTATE
SELECT wf_lease_acquire('ns:w', 'me', '1 minute', '*');
\echo :SQLSTATE
SELECT wf_set_retention('completed', '1 day', '*');
\echo :SQLSTATE
SELECT * FROM wf_list(namespace => 'a b');
\echo :SQLSTATE
SELECT count(*) AS nothing_written FROM wf_workflow;

-- the setting follows the same rule
SET workflow_persist.namespace = 'bad/one';
\echo :SQLSTATE
SET workflow_persist.namespace = '';
\echo :SQLSTATE
SHOW workflow_persist.namespace;

---------------------------------------------------------------------------
-- the same id in two namespaces: two workflows
---------------------------------------------------------------------------
SELECT wf_save('ns:1', :'S');                          -- default
SELECT wf_save('ns:1', :'S', namespace => 'billing');
SELECT wf_save('ns:1', :'S', namespace => 'billing');  -- version 2 there
SELECT wf_save_step('ns:1', 'b', '{"ok":true,"value":"billing"}', namespace => 'billing');
SELECT wf_load('ns:1')->'steps' AS default_steps,
       wf_load('ns:1', namespace => 'billing')->'steps' AS billing_steps;
SELECT namespace, id, version, step_count FROM wf_workflow ORDER BY 1, 2;
SELECT namespace, workflow_id, step_key FROM wf_step ORDER BY 1, 2, 3;
SELECT id, version, namespace FROM wf_info('ns:1');
SELECT id, version, namespace FROM wf_info('ns:1', 'billing');
SELECT wf_exists('ns:1', 'billing'), wf_exists('ns:1', 'nowhere');
SELECT pos, step_key FROM wf_steps('ns:1', 'billing');
SELECT wf_step_result('ns:1', 'b', 'billing'), wf_step_result('ns:1', 'b') AS not_in_default;

-- expected_version and merges are per namespace
SELECT wf_save('ns:1', :'S', expected_version => 1);
SELECT wf_save('ns:1', :'S', expected_version => 1, namespace => 'billing');
\echo :SQLSTATE
SELECT wf_merge('ns:1', :'D', namespace => 'billing');
SELECT status FROM wf_info('ns:1', 'billing');
SELECT status FROM wf_info('ns:1');

-- the setting is the namespace of calls that name none
SET workflow_persist.namespace = 'billing';
SELECT id, version, status, namespace FROM wf_info('ns:1');
SELECT wf_save_step('ns:2', 'a', '{"ok":true}');
RESET workflow_persist.namespace;
SELECT wf_exists('ns:2') AS in_default, wf_exists('ns:2', 'billing') AS in_billing;

-- a namespace '*' in the setting is for lists only
SET workflow_persist.namespace = '*';
SELECT wf_load('ns:1');
\echo :SQLSTATE
SELECT count(*) FROM wf_list();
RESET workflow_persist.namespace;

---------------------------------------------------------------------------
-- listing, stats, pending, resolve
---------------------------------------------------------------------------
SELECT id, namespace, version FROM wf_list() ORDER BY id;
SELECT id, namespace, version FROM wf_list(namespace => 'billing') ORDER BY id;
SELECT id, namespace, version FROM wf_list(namespace => '*') ORDER BY namespace, id;
SELECT id, namespace FROM wf_list(prefix => 'ns:2', namespace => '*');
-- keyset paging over every namespace: every row once
WITH RECURSIVE pages AS (
    SELECT l.namespace, l.id, l.next, 1 AS n
      FROM wf_list(max_rows => 1, namespace => '*') AS l
    UNION ALL
    SELECT l.namespace, l.id, l.next, p.n + 1
      FROM pages AS p,
           LATERAL wf_list(max_rows => 1, after => p.next, namespace => '*') AS l)
SELECT count(*) AS rows_paged, count(DISTINCT (namespace, id)) AS distinct_rows,
       (SELECT count(*) FROM wf_list(namespace => '*')) AS listed
  FROM pages;
-- a cursor of one namespace's list does not fit a list of every namespace
SELECT * FROM wf_list(after => '1:x', namespace => '*');
\echo :SQLSTATE

SELECT status, workflows, steps FROM wf_stats() WHERE workflows > 0 ORDER BY status;
SELECT status, workflows, steps FROM wf_stats('billing') WHERE workflows > 0 ORDER BY status;
SELECT status, workflows, steps FROM wf_stats('*') WHERE workflows > 0 ORDER BY status;
SELECT status, workflows FROM workflow_persist.wf_stats WHERE workflows > 0 ORDER BY status;

SELECT wf_save_step('ns:p', 'ok', '{"ok":false,"error":{"type":"PENDING_APPROVAL","stepKey":"ok","reason":"sign"},"cause":{"type":"thrown","stringRepresentation":"x"}}', namespace => 'billing');
SELECT wf_suspend('ns:1', 'hold');
SELECT id, step_key, kind, namespace FROM wf_pending() ORDER BY 1, 2;
SELECT id, step_key, kind, namespace FROM wf_pending(namespace => 'billing') ORDER BY 1, 2;
SELECT id, step_key, kind, namespace FROM wf_pending(namespace => '*') ORDER BY 4, 1, 2;
SELECT id, step_key, kind, namespace FROM wf_pending('ns:p', 'billing');
SELECT wf_resolve('ns:p', 'billing');
SELECT wf_resolve('ns:p');
\echo :SQLSTATE

---------------------------------------------------------------------------
-- lifecycle and leases in a namespace
---------------------------------------------------------------------------
SELECT wf_approve('ns:p', 'ok', '{"by":"dana"}', decided_by => 'dana', namespace => 'billing');
SELECT wf_approve('ns:p', 'ok');
\echo :SQLSTATE
SELECT wf_resume('ns:1');
SELECT wf_cancel('ns:2', 'enough', 'billing');
SELECT status FROM wf_info('ns:2', 'billing');
SELECT status FROM wf_info('ns:2');
SELECT event, step_key, CASE WHEN actor = current_user THEN '<me>' ELSE actor END AS actor, namespace
  FROM wf_history('ns:p', 'billing');
SELECT wf_replay('ns:1', 'ns:1:again', 'billing');
SELECT namespace, id FROM wf_workflow WHERE id = 'ns:1:again';
SELECT wf_fork('ns:p', 'ns:p:fork', 'ok', 'billing');
SELECT namespace, id, step_count FROM wf_workflow WHERE id = 'ns:p:fork';
SELECT wf_lease_acquire('ns:1', 'w1', '1 minute', 'billing') IS NOT NULL AS leased_billing;
SELECT wf_lease_acquire('ns:1', 'w2', '1 minute') IS NOT NULL AS default_is_free;
SELECT wf_lease_acquire('ns:1', 'w2', '1 minute', 'billing') IS NULL AS billing_is_taken;
SELECT wf_set_ttl('ns:1', NULL, 'billing');

---------------------------------------------------------------------------
-- retention and cleanup per namespace
---------------------------------------------------------------------------
SELECT wf_save('ns:old', :'D');
SELECT wf_save('ns:old', :'D', namespace => 'billing');
SELECT wf_save('ns:old', :'D', namespace => 'audit');
UPDATE wf_workflow SET updated_at = now() - interval '3 days' WHERE id = 'ns:old';
SELECT wf_set_retention('completed', '1 day', 'billing');
SELECT namespace, status, keep FROM wf_retention_policy ORDER BY 1, 2;
SELECT status, keep FROM wf_retention WHERE keep IS NOT NULL;     -- the default namespace: none
SET workflow_persist.namespace = 'billing';
SELECT status, keep FROM wf_retention WHERE keep IS NOT NULL;
RESET workflow_persist.namespace;
-- expired in billing only (the live rule looks at the workflow's namespace)
SELECT wf_exists('ns:old') AS default_live, wf_exists('ns:old', 'billing') AS billing_live,
       wf_exists('ns:old', 'audit') AS audit_live;
SELECT wf_load('ns:old', namespace => 'billing') IS NULL AS billing_load_null;
SELECT namespace, id FROM wf_live WHERE id = 'ns:old' ORDER BY 1;
SELECT wf_set_retention('completed', '1 day', 'audit');
SELECT wf_cleanup(dry_run => true) AS default_dry,
       wf_cleanup(dry_run => true, namespace => 'billing') AS billing_dry,
       wf_cleanup(dry_run => true, namespace => '*') AS every_dry;
SELECT wf_cleanup(namespace => 'billing') AS billing_deleted;
SELECT namespace, id FROM wf_workflow WHERE id = 'ns:old' ORDER BY 1;
SELECT wf_cleanup() AS default_deleted;
SELECT wf_cleanup(namespace => '*') AS every_deleted;
SELECT namespace, id FROM wf_workflow WHERE id = 'ns:old' ORDER BY 1;
SELECT wf_set_retention('completed', NULL, 'billing'), wf_set_retention('completed', NULL, 'audit');
SELECT count(*) AS policies_left FROM wf_retention_policy;

---------------------------------------------------------------------------
-- the checkpoint trigger's namespace argument
---------------------------------------------------------------------------
CREATE TABLE public.ns_orders (wid text, step text, v jsonb);
SELECT wf_attach_checkpoint('public.ns_orders', 'wid', 'step', namespace => 'shop');
SELECT wf_attach_checkpoint('public.ns_orders', 'wid', 'step', namespace => 'bad ns');
\echo :SQLSTATE
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'public.ns_orders'::regclass;
INSERT INTO public.ns_orders VALUES ('ns:t', 'a', '{"x":1}');
SELECT wf_load('ns:t', namespace => 'shop')->'steps'->'a' AS whole_row_in_shop, wf_exists('ns:t') AS in_default;
SELECT wf_detach_checkpoint('public.ns_orders');
SELECT wf_attach_checkpoint('public.ns_orders', 'wid', 'step', 'v', 'shop');
INSERT INTO public.ns_orders VALUES ('ns:t', 'b', '{"x":2}');
SELECT wf_load('ns:t', namespace => 'shop')->'steps'->'b' AS value_column_in_shop;
SELECT wf_detach_checkpoint('public.ns_orders');
-- without the argument: the setting when the row is written
SELECT wf_attach_checkpoint('public.ns_orders', 'wid', 'step', 'v');
SET workflow_persist.namespace = 'shop.eu';
INSERT INTO public.ns_orders VALUES ('ns:t', 'c', '{"x":3}');
RESET workflow_persist.namespace;
SELECT wf_exists('ns:t', 'shop.eu') AS in_shop_eu;
-- a bad namespace argument written by hand: 22023, the row is not written
SELECT wf_detach_checkpoint('public.ns_orders');
CREATE TRIGGER wf_checkpoint AFTER INSERT ON public.ns_orders
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', '', 'no/slash');
INSERT INTO public.ns_orders VALUES ('ns:t', 'd', '{"x":4}');
\echo :SQLSTATE
SELECT count(*) AS rows_in_table FROM public.ns_orders;
DROP TABLE public.ns_orders;

---------------------------------------------------------------------------
-- delete is per namespace; clean up
---------------------------------------------------------------------------
SELECT wf_delete('ns:1', 'billing');
SELECT wf_exists('ns:1') AS default_kept;
SELECT count(*) FROM wf_step WHERE namespace = 'billing' AND workflow_id = 'ns:1';
SELECT count(*) FROM wf_event WHERE namespace = 'billing' AND workflow_id = 'ns:1';
SELECT count(*) > 0 AS deleted FROM (SELECT wf_delete(l.id, l.namespace) FROM wf_list(namespace => '*') AS l) AS x;
DELETE FROM wf_workflow;
DELETE FROM wf_step;
DELETE FROM wf_event;
