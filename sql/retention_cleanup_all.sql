-- CALL wf_cleanup_all(batch_size, max_rows): wf_cleanup one batch per
-- transaction until nothing expired is left (or max_rows are deleted);
-- it checks its arguments like wf_cleanup, and cannot run inside a
-- transaction block (it commits).
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set RUN '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"}}'

SELECT runs AS runs0, deleted AS deleted0 FROM wf_cleanup_status \gset
SELECT count(wf_save('all:' || i, :'RUN', ttl => '1 millisecond')) FROM generate_series(1, 10) AS i;
SELECT wf_save('all:live', :'RUN');
SELECT pg_sleep(0.05);

-- errors: 22023 as from wf_cleanup, nothing deleted
CALL wf_cleanup_all(0);
\echo :SQLSTATE
CALL wf_cleanup_all(-1);
\echo :SQLSTATE
CALL wf_cleanup_all(NULL);
\echo :SQLSTATE
CALL wf_cleanup_all(10, -1);
\echo :SQLSTATE
-- it commits: not inside a transaction block (2D000)
BEGIN;
CALL wf_cleanup_all();
\echo :SQLSTATE
ROLLBACK;
SELECT runs - :runs0 AS runs, deleted - :deleted0 AS deleted, expired_waiting
  FROM wf_cleanup_status;

-- batches of 4, at most 5: a batch of 4, then one of 1 (two wf_cleanup
-- runs; last_deleted is the last batch's)
CALL wf_cleanup_all(4, 5);
SELECT runs - :runs0 AS runs, deleted - :deleted0 AS deleted, last_deleted, expired_waiting
  FROM wf_cleanup_status;
-- batches of 4 until nothing is left: 4, then 1
CALL wf_cleanup_all(4);
SELECT runs - :runs0 AS runs, deleted - :deleted0 AS deleted, last_deleted, expired_waiting
  FROM wf_cleanup_status;
-- max_rows 0 and an empty backlog: nothing
CALL wf_cleanup_all(4, 0);
CALL wf_cleanup_all();
SELECT id FROM wf_workflow WHERE id LIKE 'all:%' ORDER BY id;

-- clean up
SELECT id, wf_delete(id) FROM wf_workflow WHERE id LIKE 'all:%' ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
