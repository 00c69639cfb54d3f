\set ECHO none
-- sql/include/awaitly.sql: awaitly's step results that wait for a human,
-- written once for every regress test that needs one.  A test loads it
-- with \getenv abs_srcdir PG_ABS_SRCDIR and \i :abs_srcdir/sql/include/awaitly.sql
-- (as PostgreSQL's own test_setup.sql loads its data), then takes what it
-- needs into psql variables, e.g.
--   SELECT pg_temp.pending_approval('approve', 'why') AS "PA" \gset
-- Its lines are not echoed into the test's output.

-- What awaitly records for a step that waits: {"ok": false, "error":
-- error (its null members left out), "cause": ..., "meta": ...}.
CREATE FUNCTION pg_temp.pending_step(error jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'ok', false,
        'error', (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(error) AS e
                   WHERE e.value <> 'null'),
        'cause', '{"type": "thrown", "originalType": "undefined", "stringRepresentation": "undefined"}'::jsonb,
        'meta', '{"origin": "result"}'::jsonb)
$$;

-- A step waiting for an approval (awaitly's pendingApproval()) ...
CREATE FUNCTION pg_temp.pending_approval(step_key text, reason text DEFAULT NULL,
                                         metadata jsonb DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.pending_step(jsonb_build_object('type', 'PENDING_APPROVAL',
        'stepKey', step_key, 'reason', reason, 'metadata', metadata))
$$;

-- ... or for a webhook.
CREATE FUNCTION pg_temp.pending_hook(hook_id text, step_key text DEFAULT NULL,
                                     metadata jsonb DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.pending_step(jsonb_build_object('type', 'PENDING_HOOK',
        'hookId', hook_id, 'stepKey', step_key, 'metadata', metadata))
$$;
\set ECHO all
