-- Retention and listing at the ends of the timestamp range (F8 and F14 of
-- the security review): wf_set_retention refuses a keep that timestamps
-- cannot carry (22023), and no timestamp a writer stores in the tables,
-- infinite or at either end of the range, makes wf_list, wf_stats,
-- wf_live or the cleanup fail for anybody.
SET search_path = workflow_persist, public;
SET timezone = 'UTC';
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

---------------------------------------------------------------------------
-- keep: positive, no negative part, at most 1000 years
---------------------------------------------------------------------------
SELECT wf_set_retention('completed', '300000 years');
SELECT wf_set_retention('completed', '178000000 years');
SELECT wf_set_retention('failed', '1000 years 1 second');
SELECT wf_set_retention('failed', '400000 days');
SELECT wf_set_retention('failed', '1 mon -29 days');
SELECT wf_set_retention('failed', '1 day -1 second');
SELECT wf_set_retention('failed', '0');
SELECT * FROM wf_retention;
SELECT wf_set_retention('completed', '1000 years');
SELECT wf_set_retention('failed', '1 day');
SELECT status, keep FROM wf_retention WHERE keep IS NOT NULL;

---------------------------------------------------------------------------
-- timestamps written directly
---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.doc(status text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('formatVersion', 1, 'steps', jsonb_build_object('a', jsonb_build_object('ok', true)),
                              'execution', jsonb_build_object('status', status, 'lastUpdated', 't'))
$$;
SELECT wf_save('x:' || n, pg_temp.doc(s))
  FROM (VALUES ('inf', 'running'), ('far', 'running'), ('now', 'running'), ('year1', 'running'),
               ('bc', 'running'), ('minf', 'running'), ('done-far', 'completed'),
               ('done-minf', 'completed'), ('failed-far', 'failed'), ('failed-bc', 'failed')) AS v(n, s);
UPDATE wf_workflow AS w SET updated_at = v.at::timestamptz, created_at = v.created::timestamptz
  FROM (VALUES ('x:inf', 'infinity', '-infinity'),
               ('x:far', '294276-12-31 23:59:59', 'infinity'),
               ('x:now', '2026-01-01 00:00:00', '294276-12-31 23:59:59'),
               ('x:year1', '0001-01-01 00:00:00', '4713-01-01 00:00:00 BC'),
               ('x:bc', '4713-01-01 00:00:00 BC', '4713-01-01 00:00:00 BC'),
               ('x:minf', '-infinity', 'infinity'),
               ('x:done-far', '294276-12-31 23:00:00', '2026-01-01 00:00:00'),
               ('x:done-minf', '-infinity', '2026-01-01 00:00:00'),
               ('x:failed-far', '294276-12-30 00:00:00', '2026-01-01 00:00:00'),
               ('x:failed-bc', '4713-01-01 00:00:00 BC', '2026-01-01 00:00:00')) AS v(id, at, created)
 WHERE w.id = v.id;

-- the live ones: every far-future run, no run updated at -infinity or
-- 4713 BC that has a retention
SELECT id, status, updated_at FROM wf_live ORDER BY updated_at DESC, id;
SELECT id, wf_exists(id) AS exists, wf_load(id) IS NOT NULL AS loads FROM wf_workflow ORDER BY id;

-- wf_list pages through all of them, one row a page, each once
WITH RECURSIVE pages AS (
    SELECT 1 AS page, l.id, l.next FROM wf_list(max_rows => 1) AS l
    UNION ALL
    SELECT p.page + 1, l.id, l.next FROM pages AS p, LATERAL wf_list(max_rows => 1, after => p.next) AS l)
SELECT page, id, next FROM pages ORDER BY page;
SELECT count(*) FROM wf_list(status => 'completed');
SELECT id, next FROM wf_list(after => '-infinity:x:minf');
SELECT id FROM wf_list(after => '99999999999999999999:x');
SELECT id FROM wf_list(after => 'infinitely:x');

SELECT status, workflows, expired FROM wf_stats ORDER BY status;
SELECT expired_waiting FROM wf_cleanup_status;
SELECT wf_cleanup();
SELECT id FROM wf_workflow ORDER BY id;
SELECT step_count, created_at, updated_at FROM wf_info('x:far');
SELECT event, at = 'infinity' AS at_infinity FROM wf_history('x:minf');

SELECT wf_delete(id) FROM wf_workflow ORDER BY id;
SELECT wf_set_retention(s, NULL) FROM unnest(ARRAY['completed', 'failed']) AS s;
