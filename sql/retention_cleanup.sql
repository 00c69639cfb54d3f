-- wf_cleanup deletes expired workflows (by ttl or retention) with their
-- steps and events, oldest expiry first, in batches, at most max_rows;
-- dry_run only counts.  wf_cleanup_all does the same one batch per
-- transaction (retention_cleanup_all).  wf_cleanup_status counts runs and
-- deletions.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set RUN '{"formatVersion":1,"steps":{"a":{"ok":true,"value":"a"},"b":{"ok":true,"value":"b"}},"execution":{"status":"running","lastUpdated":"t"}}'
\set DONE '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"completed","lastUpdated":"t"}}'
\set FAIL '{"formatVersion":1,"steps":{"a":{"ok":false,"error":"E","cause":{}}},"execution":{"status":"failed","lastUpdated":"t"}}'

-- the counters before this test
SELECT runs AS runs0, deleted AS deleted0 FROM wf_cleanup_status \gset
SELECT expired_waiting, last_error IS NULL AS no_error FROM wf_cleanup_status;

---------------------------------------------------------------------------
-- errors: nothing is deleted, nothing counted
---------------------------------------------------------------------------
SELECT wf_save('cl:victim', :'RUN', ttl => '1 millisecond');
SELECT pg_sleep(0.05);
SELECT wf_cleanup(0);
\echo :SQLSTATE
SELECT wf_cleanup(-5);
\echo :SQLSTATE
SELECT wf_cleanup(NULL);
\echo :SQLSTATE
SELECT wf_cleanup(10, -1);
\echo :SQLSTATE
SELECT wf_cleanup(0, dry_run => true);
\echo :SQLSTATE
SELECT wf_cleanup(10, -1, dry_run => true);
\echo :SQLSTATE
SELECT count(*) AS still_there FROM wf_workflow WHERE id = 'cl:victim';
SELECT runs - :runs0 AS runs, deleted - :deleted0 AS deleted, expired_waiting
  FROM wf_cleanup_status;

---------------------------------------------------------------------------
-- 25 expired workflows with steps and events, 2 live ones
---------------------------------------------------------------------------
BEGIN;
SELECT count(wf_save('cl:b' || lpad(i::text, 2, '0'), :'RUN', ttl => '1 millisecond'))
  FROM generate_series(1, 25) AS i;
SELECT count(wf_suspend('cl:b' || lpad(i::text, 2, '0'), 'why')) AS suspended
  FROM generate_series(1, 25) AS i;
SELECT count(wf_resume('cl:b' || lpad(i::text, 2, '0'))) AS resumed
  FROM generate_series(1, 25) AS i;
COMMIT;
SELECT wf_save('cl:live', :'RUN'), wf_save('cl:live-ttl', :'RUN', ttl => '1 hour');
SELECT pg_sleep(0.05);
SELECT (SELECT count(*) FROM wf_workflow WHERE id LIKE 'cl:%') AS headers,
       (SELECT count(*) FROM wf_step WHERE workflow_id LIKE 'cl:%') AS steps,
       (SELECT count(*) FROM wf_event WHERE workflow_id LIKE 'cl:%') AS events;
SELECT expired_waiting FROM wf_cleanup_status;

-- dry run: counts (within max_rows), deletes nothing, counts no run
SELECT wf_cleanup(dry_run => true) AS would_delete;
SELECT wf_cleanup(10, 7, dry_run => true) AS would_delete_7;
SELECT wf_cleanup(10, 0, dry_run => true) AS would_delete_0;
SELECT wf_cleanup(1, 100, true) AS would_delete_100;
SELECT count(*) AS headers FROM wf_workflow WHERE id LIKE 'cl:%';
SELECT runs - :runs0 AS runs, deleted - :deleted0 AS deleted FROM wf_cleanup_status;

-- batches of 10, at most 15: 15 deleted
SELECT wf_cleanup(10, 15);
SELECT runs - :runs0 AS runs, deleted - :deleted0 AS deleted, last_deleted,
       last_run_at IS NOT NULL AS ran, last_error IS NULL AS no_error, expired_waiting
  FROM wf_cleanup_status;
-- max_rows 0: nothing (a run that deleted nothing)
SELECT wf_cleanup(10, 0);
-- batches of 3 until nothing is left: the other 11
SELECT wf_cleanup(3);
SELECT wf_cleanup();
SELECT runs - :runs0 AS runs, deleted - :deleted0 AS deleted, last_deleted, expired_waiting
  FROM wf_cleanup_status;
-- the steps and events went with their headers; the live ones stayed
SELECT (SELECT count(*) FROM wf_workflow WHERE id LIKE 'cl:%') AS headers,
       (SELECT count(*) FROM wf_step WHERE workflow_id LIKE 'cl:%') AS steps,
       (SELECT count(*) FROM wf_event WHERE workflow_id LIKE 'cl:%') AS events;
SELECT id FROM wf_workflow WHERE id LIKE 'cl:%' ORDER BY id;
SELECT (SELECT count(*) FROM wf_step AS s
         WHERE NOT EXISTS (SELECT FROM wf_workflow AS w WHERE w.id = s.workflow_id)) AS orphan_steps,
       (SELECT count(*) FROM wf_event AS e
         WHERE NOT EXISTS (SELECT FROM wf_workflow AS w WHERE w.id = e.workflow_id)) AS orphan_events;

---------------------------------------------------------------------------
-- oldest expiry first, whether it comes from a ttl or a retention policy
---------------------------------------------------------------------------
SELECT wf_set_retention('completed', '1 day');
SELECT wf_set_retention('failed', '2 days');
SELECT id, wf_save(id, :'RUN') FROM unnest(array['o:t10', 'o:t08', 'o:t05', 'o:t03', 'o:live-ttl']) AS id ORDER BY id;
SELECT id, wf_save(id, :'DONE') FROM unnest(array['o:r09', 'o:both06', 'o:r04', 'o:both01', 'o:live-done']) AS id ORDER BY id;
SELECT id, wf_save(id, :'FAIL') FROM unnest(array['o:r07', 'o:r02']) AS id ORDER BY id;
-- o:tNN expired NN hours ago by its ttl, o:rNN by its status' retention,
-- o:bothNN by both (the older of the two counts)
UPDATE wf_workflow SET expires_at = now() - substr(id, 4)::int * '1 hour'::interval
 WHERE id LIKE 'o:t%';
UPDATE wf_workflow SET updated_at = now() - '1 day'::interval - substr(id, 4)::int * '1 hour'::interval
 WHERE id LIKE 'o:r%' AND status = 'completed';
UPDATE wf_workflow SET updated_at = now() - '2 days'::interval - substr(id, 4)::int * '1 hour'::interval
 WHERE id LIKE 'o:r%' AND status = 'failed';
UPDATE wf_workflow SET updated_at = now() - '1 day'::interval - substr(id, 7)::int * '1 hour'::interval,
                       expires_at = now() - '30 minutes'::interval
 WHERE id LIKE 'o:both%';
UPDATE wf_workflow SET expires_at = now() + '1 hour'::interval WHERE id = 'o:live-ttl';
UPDATE wf_workflow SET updated_at = now() - '23 hours'::interval WHERE id = 'o:live-done';
SELECT id, status, wf_exists(id) AS live FROM wf_workflow WHERE id LIKE 'o:%' ORDER BY id;
SELECT wf_cleanup(2, 3);
SELECT id FROM wf_workflow WHERE id LIKE 'o:%' ORDER BY id;
SELECT wf_cleanup(1, 2);
SELECT id FROM wf_workflow WHERE id LIKE 'o:%' ORDER BY id;
SELECT wf_cleanup(10, 3);
SELECT id FROM wf_workflow WHERE id LIKE 'o:%' ORDER BY id;
SELECT wf_cleanup();
SELECT id FROM wf_workflow WHERE id LIKE 'o:%' ORDER BY id;

-- clean up
SELECT wf_set_retention(status, NULL) FROM wf_retention WHERE NOT protected ORDER BY status;
SELECT id, wf_delete(id) FROM wf_workflow WHERE id LIKE 'cl:%' OR id LIKE 'o:%' ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_steps FROM wf_step;
SELECT count(*) AS leftover_events FROM wf_event;
SELECT count(*) AS leftover_policies FROM wf_retention_policy;
