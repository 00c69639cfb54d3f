-- Per-tenant quotas: wf_set_quota, the counters the writers keep
-- (wf_tenant_counter, summed by wf_tenant_usage), and 54000 with both
-- figures when a creation or a growth would pass a limit.  Concurrent
-- creation: test/specs/tenant_quota_race.spec.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'

-- bad input changes nothing
SELECT wf_set_quota(NULL, 1, 1);
\echo :SQLSTATE
SELECT wf_set_quota('not ok', 1, 1);
\echo :SQLSTATE
SELECT wf_set_quota('Q', -1, NULL);
\echo :SQLSTATE
SELECT wf_set_quota('Q', NULL, -1);
\echo :SQLSTATE
SELECT count(*) FROM wf_tenant_quota;

-- the counters follow creations, growth and deletions
SET workflow_persist.tenant = 'Q';
SELECT wf_save('q:1', :'S');
SELECT wf_save_step('q:1', 'b', '{"ok":true,"value":"more"}');
SELECT wf_save('q:2', :'S');
SELECT tenant, workflows, bytes = (SELECT sum(size_bytes) FROM wf_workflow WHERE tenant = 'Q') AS bytes_agree,
       max_workflows, max_bytes
  FROM wf_tenant_usage;
SELECT wf_delete('q:2');
SELECT tenant, workflows, bytes = (SELECT sum(size_bytes) FROM wf_workflow WHERE tenant = 'Q') AS bytes_agree
  FROM wf_tenant_usage;
-- workflows without a tenant are not counted
RESET workflow_persist.tenant;
SELECT wf_save('q:none', :'S');
SELECT count(*) FROM wf_tenant_usage;
SELECT wf_delete('q:none');

-- at most 2 workflows: the third creation is refused with both figures
SELECT wf_set_quota('Q', 2, NULL);
SELECT tenant, workflows, max_workflows, max_bytes FROM wf_tenant_usage;
SET workflow_persist.tenant = 'Q';
SELECT wf_save('q:2', :'S');
SELECT wf_save('q:3', :'S');
\echo :SQLSTATE
SELECT wf_save_step('q:3', 'a', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_exists('q:3');
-- writes to the workflows it holds go on
SELECT wf_save_step('q:2', 'b', '{"ok":true}');
-- a fork is a creation too
SELECT wf_fork('q:1', 'q:fork', 'a');
\echo :SQLSTATE
SELECT tenant, workflows FROM wf_tenant_usage;

-- at most N bytes: growth past it is refused, shrinking is not
SELECT wf_set_quota('Q', NULL, (SELECT sum(size_bytes) FROM wf_workflow WHERE tenant = 'Q')::int8 + 100);
SELECT wf_save_step('q:1', 'big', jsonb_build_object('ok', true, 'value', repeat('x', 500)));
\echo :SQLSTATE
SELECT wf_save_step('q:1', 'small', '{"ok":true}');
SELECT wf_save('q:1', :'S') > 0 AS shrunk;
SELECT (SELECT bytes FROM wf_tenant_usage) = (SELECT sum(size_bytes) FROM wf_workflow WHERE tenant = 'Q') AS bytes_agree;
-- both limits at once: DETAIL names both
SELECT wf_set_quota('Q', 2, 1);
SELECT wf_save_step('q:1', 'more', '{"ok":true}');
\echo :SQLSTATE
-- quota 0: no workflow at all
SELECT wf_set_quota('Q', 0, NULL);
SELECT wf_delete('q:2');
SELECT wf_save('q:2', :'S');
\echo :SQLSTATE
-- a complete row inserted directly (what a restore's COPY does) is
-- counted but not refused: only the store's creations are
INSERT INTO wf_workflow (id, status, version, extra, step_count, next_pos, size_bytes,
                         created_at, updated_at, checked, pending, tenant)
VALUES ('q:copied', 'running', 3, '{}', 0, 1, 10, now(), now(), 0, 0, 'Q');
SELECT tenant, workflows, max_workflows FROM wf_tenant_usage;
SELECT wf_delete('q:copied');
-- both NULL removes the quota
SELECT wf_set_quota('Q', NULL, NULL);
SELECT count(*) FROM wf_tenant_quota;
SELECT wf_save('q:2', :'S');

-- cleanup's deletions are counted (one counter update per statement)
SELECT wf_set_ttl('q:2', '1 hour') IS NOT NULL;
UPDATE wf_workflow SET expires_at = now() - '1 second'::interval WHERE tenant = 'Q';
SELECT wf_cleanup();
SELECT tenant, workflows, bytes FROM wf_tenant_usage;
RESET workflow_persist.tenant;
DELETE FROM wf_tenant_counter;
