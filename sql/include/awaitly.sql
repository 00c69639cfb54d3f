\set ECHO none
-- sql/include/awaitly.sql: awaitly's step results that wait for a human,
-- written once for every regress test that needs one.  A test loads it
-- with \getenv abs_srcdir PG_ABS_SRCDIR and \i :abs_srcdir/sql/include/awaitly.sql
-- (as PostgreSQL's own test_setup.sql loads its data), then takes what it
-- needs into psql variables, e.g.
--   SELECT pg_temp.pending_approval('approve', 'why') AS "PA" \gset
-- Its lines are not echoed into the test's output.

-- {"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey", "reason"?,
-- "metadata"?}, ...}: what awaitly's pendingApproval() step records.
CREATE FUNCTION pg_temp.pending_approval(step_key text, reason text DEFAULT NULL,
                                         metadata jsonb DEFAULT NULL)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'ok', false,
        'error', jsonb_build_object('type', 'PENDING_APPROVAL', 'stepKey', step_key)
                 || CASE WHEN reason IS NULL THEN '{}' ELSE jsonb_build_object('reason', reason) END
                 || CASE WHEN metadata IS NULL THEN '{}' ELSE jsonb_build_object('metadata', metadata) END,
        'cause', '{"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}'::jsonb,
        'meta', '{"origin": "result"}'::jsonb)
$$;

-- The same for a step waiting on a webhook (PENDING_HOOK).
CREATE FUNCTION pg_temp.pending_hook(hook_id text, step_key text DEFAULT NULL,
                                     metadata jsonb DEFAULT NULL)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'ok', false,
        'error', jsonb_build_object('type', 'PENDING_HOOK', 'hookId', hook_id)
                 || CASE WHEN step_key IS NULL THEN '{}' ELSE jsonb_build_object('stepKey', step_key) END
                 || CASE WHEN metadata IS NULL THEN '{}' ELSE jsonb_build_object('metadata', metadata) END,
        'cause', '{"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}'::jsonb,
        'meta', '{"origin": "result"}'::jsonb)
$$;
\set ECHO all
