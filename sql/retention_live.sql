-- The live rule, and every place it is written.  A workflow is live when
-- it is not past its expiry (expires_at <= now()) and not past its status'
-- retention (updated_at + keep <= now()).  It is written four times:
--   view      the view workflow_persist.wf_live, which the SQL functions
--             read through (wf_exists, wf_list, wf_info, ...);
--   direct    wf_load's direct read path (read_all_direct and
--             past_retention in src/wfp_store_scan.c), used when no
--             row-level security applies;
--   spi       the store's statements (WFP_LIVE in src/wfp_store.c): wf_load
--             under row-level security, the header read of wf_replay and
--             wf_fork (read), and the lock every writer takes (lock: an
--             expired workflow is deleted as absent, wf_delete says false);
--   cleanup   the rows wf_cleanup deletes.
-- Each case below sits exactly on, or a microsecond beside, a boundary, in
-- every status; all of them must give every case the same verdict.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
BEGIN;
-- now() is the transaction's start, the clock of every definition
DELETE FROM wf_retention_policy;
SELECT wf_set_retention('completed', '1 day'), wf_set_retention('failed', '2 hours'),
       wf_set_retention('cancelled', '10 minutes');

CREATE TEMP TABLE cases (id text PRIMARY KEY, status text, expires_at timestamptz,
                         updated_at timestamptz, live bool);
INSERT INTO cases VALUES
    ('live:running-old',         'running',   NULL, now() - '30 days'::interval, true),
    ('live:suspended-old',       'suspended', NULL, now() - '30 days'::interval, true),
    ('live:completed-at-keep',   'completed', NULL, now() - '1 day'::interval, false),
    ('live:completed-in-keep',   'completed', NULL, now() - '1 day'::interval + '1 microsecond', true),
    ('live:failed-at-keep',      'failed',    NULL, now() - '2 hours'::interval, false),
    ('live:failed-in-keep',      'failed',    NULL, now() - '2 hours'::interval + '1 microsecond', true),
    ('live:cancelled-at-keep',   'cancelled', NULL, now() - '10 minutes'::interval, false),
    ('live:cancelled-in-keep',   'cancelled', NULL, now() - '10 minutes'::interval + '1 microsecond', true),
    ('live:expires-now',         'running',   now(), now(), false),
    ('live:expires-after-now',   'running',   now() + '1 microsecond'::interval, now(), true),
    ('live:expired-before-now',  'running',   now() - '1 microsecond'::interval, now(), false),
    ('live:suspended-expires-now', 'suspended', now(), now(), false),
    ('live:completed-expires-now', 'completed', now(), now(), false),
    ('live:completed-past-keep-unexpired', 'completed', now() + '1 day'::interval, now() - '2 days'::interval, false);

-- each case as a workflow with one step, then its header set as the case says
SELECT count(wf_save(c.id, '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}},"execution":{"status":"running","lastUpdated":"t"}}'))
  FROM cases AS c;
UPDATE wf_workflow AS w SET status = c.status, expires_at = c.expires_at, updated_at = c.updated_at
  FROM cases AS c WHERE c.id = w.id;
-- and one more, live, that the row-level security policy below hides
SELECT wf_save('live:probe', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}');

-- Does a function that reads the header (wf_replay) or locks it (wf_delete)
-- see the workflow?  Whatever it did is undone.
CREATE FUNCTION pg_temp.sees(how text, wf text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF how = 'read' THEN
        PERFORM workflow_persist.wf_replay(wf, wf || ':replayed');
    ELSIF NOT workflow_persist.wf_delete(wf) THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found';
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'raise_exception';
EXCEPTION
    WHEN no_data_found THEN RETURN false;
    WHEN raise_exception THEN RETURN true;
END
$$;

-- as the superuser, without row-level security: the direct path
CREATE TEMP TABLE verdicts AS
SELECT c.id, c.live,
       EXISTS (SELECT FROM wf_live AS l WHERE l.id = c.id) AS view,
       wf_load(c.id) IS NOT NULL AS direct,
       NULL::bool AS spi, NULL::bool AS read, NULL::bool AS lock, NULL::bool AS cleanup
  FROM cases AS c;

-- as a role under row-level security: the store's statements
ALTER TABLE wf_workflow ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_but_the_probe ON wf_workflow USING (id <> 'live:probe');
CREATE ROLE wfp_live_reader;
SELECT wf_grant_access('wfp_live_reader', true);
GRANT SELECT ON cases TO wfp_live_reader;
GRANT SELECT, UPDATE ON verdicts TO wfp_live_reader;
SET ROLE wfp_live_reader;
-- the policy hides the live probe from wf_load: the SPI statement is in use
SELECT wf_load('live:probe') IS NULL AS spi_path_in_use;
UPDATE verdicts AS v SET spi = wf_load(v.id) IS NOT NULL,
                         read = pg_temp.sees('read', v.id),
                         lock = pg_temp.sees('lock', v.id);
RESET ROLE;
ALTER TABLE wf_workflow DISABLE ROW LEVEL SECURITY;

-- what wf_cleanup leaves is what is live
SELECT wf_cleanup() AS removed \gset
UPDATE verdicts AS v SET cleanup = EXISTS (SELECT FROM wf_workflow AS w WHERE w.id = v.id);

SELECT id, live, view, direct, spi, read, lock, cleanup FROM verdicts ORDER BY id;
-- every definition agrees with the expected verdict, on every case
SELECT count(*) AS disagreements FROM verdicts
 WHERE (view, direct, spi, read, lock, cleanup) IS DISTINCT FROM (live, live, live, live, live, live);
ROLLBACK;
