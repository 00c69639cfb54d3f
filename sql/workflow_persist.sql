/* workflow_persist.sql: the install script's source (the Makefile builds
 * workflow_persist--<version>.sql from it) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION workflow_persist" to load this file. \quit

-- The schema is created by CREATE EXTENSION (control file: schema =
-- workflow_persist).  When it exists already, CREATE EXTENSION installs
-- into it as it is, so refuse one that another role owns (its owner could
-- rename or drop our objects, or add overloads that capture our calls),
-- one where another role may create objects, and one that holds objects
-- already (docs/security.md, "Installation").
DO $$
DECLARE
    nsp pg_catalog.oid := '@extschema@'::pg_catalog.regnamespace;
    owner pg_catalog.oid;
    creator pg_catalog.name;
BEGIN
    SELECT n.nspowner INTO owner FROM pg_catalog.pg_namespace AS n
     WHERE n.oid OPERATOR(pg_catalog.=) nsp;
    IF owner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles AS r
                                       WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
        RAISE EXCEPTION 'schema "%" is owned by role "%", not by the role installing workflow_persist',
                        nsp::pg_catalog.regnamespace, owner::pg_catalog.regrole
            USING ERRCODE = '42501',
                  DETAIL = 'The owner of a schema can rename and drop the objects in it.',
                  HINT = 'Drop or rename that schema, or install as its owner; CREATE EXTENSION creates the schema itself when it does not exist.';
    END IF;
    SELECT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                ELSE a.grantee::pg_catalog.regrole::pg_catalog.name END INTO creator
      FROM pg_catalog.pg_namespace AS n, pg_catalog.aclexplode(n.nspacl) AS a
     WHERE n.oid OPERATOR(pg_catalog.=) nsp AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
       AND a.grantee OPERATOR(pg_catalog.<>) owner
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'role "%" may create objects in schema "%"',
                        creator, nsp::pg_catalog.regnamespace
            USING ERRCODE = '42501',
                  DETAIL = 'Objects another role creates there could capture the extension''s calls.',
                  HINT = 'Revoke CREATE on the schema from every role but its owner.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_proc AS p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_type AS t WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_operator AS o WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp) THEN
        RAISE EXCEPTION 'schema "%" is not empty', nsp::pg_catalog.regnamespace
            USING ERRCODE = '55000',
                  HINT = 'Install workflow_persist into a schema of its own: drop or rename that schema first.';
    END IF;
END
$$;

-- Pure functions are usable by everyone; anything that reads or writes
-- stored workflows is granted explicitly.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

------------------------------------------------------------------------------
-- Snapshot validation and merge (pure C, no table access)
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.wf_validate(snapshot pg_catalog.jsonb,
                                        strict pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'wf_validate'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_validate(pg_catalog.jsonb, pg_catalog.bool) IS
'awaitly validateSnapshot: every error message, in order; empty when valid';

CREATE FUNCTION @extschema@.wf_is_valid(snapshot pg_catalog.jsonb,
                                        strict pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'wf_is_valid'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_is_valid(pg_catalog.jsonb, pg_catalog.bool) IS
'true when wf_validate finds no error';

CREATE FUNCTION @extschema@.wf_looks_like_snapshot(snapshot pg_catalog.jsonb)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'wf_looks_like_snapshot'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_looks_like_snapshot(pg_catalog.jsonb) IS
'awaitly looksLikeWorkflowSnapshot: a cheap shape test';

CREATE FUNCTION @extschema@.wf_assert_valid(snapshot pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'wf_assert_valid'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_assert_valid(pg_catalog.jsonb) IS
'returns its input, or raises 22023 with every validation error in DETAIL';

CREATE FUNCTION @extschema@.wf_merge_snapshots(base pg_catalog.jsonb,
                                               delta pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'wf_merge_snapshots'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_merge_snapshots(pg_catalog.jsonb, pg_catalog.jsonb) IS
'awaitly mergeSnapshots: delta steps replace base steps, execution from delta';

------------------------------------------------------------------------------
-- The store (layout "A" of docs/design.md: a header row per workflow and a
-- row per step).  Only the C store (src/wfp_store.c) and the SQL functions
-- below touch these tables; no privilege on them is granted to PUBLIC.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.wf_workflow (
    -- the store a workflow belongs to (docs/design.md, "The run model");
    -- (namespace, id) is its key
    namespace   pg_catalog.text COLLATE "C" NOT NULL DEFAULT 'default',
    id          pg_catalog.text COLLATE "C" NOT NULL,
    status      pg_catalog.text NOT NULL,
    version     pg_catalog.int8 NOT NULL,
    -- the snapshot's "execution" member (NULL when it has none) ...
    execution   pg_catalog.jsonb,
    -- ... and every other top-level member except "steps"
    extra       pg_catalog.jsonb NOT NULL,
    step_count  pg_catalog.int4 NOT NULL,
    next_pos    pg_catalog.int4 NOT NULL,
    size_bytes  pg_catalog.int8 NOT NULL,
    created_at  pg_catalog.timestamptz NOT NULL,
    updated_at  pg_catalog.timestamptz NOT NULL,
    expires_at  pg_catalog.timestamptz,
    -- the strictest validation every stored part has passed (0 none,
    -- 1 awaitly, 2 strict): wf_merge re-checks the whole document only
    -- when it is asked for more than this
    checked     pg_catalog.int2 NOT NULL,
    -- steps waiting for a human (error.type PENDING_APPROVAL/PENDING_HOOK)
    pending     pg_catalog.int4 NOT NULL,
    -- set by wf_suspend, cleared by wf_resume / wf_cancel
    suspended_at    pg_catalog.timestamptz,
    suspend_reason  pg_catalog.text,
    suspend_request pg_catalog.jsonb,
    -- the lease of a multi-worker engine (wf_lease_acquire)
    lease_owner      pg_catalog.text,
    lease_token      pg_catalog.text,
    lease_expires_at pg_catalog.timestamptz,
    -- the engine's own word for the status (wf_save(..., status => 'paused')),
    -- kept for reading back; NULL when the last save gave none
    status_word      pg_catalog.text,
    -- the shape of the document saved: 'snapshot' (awaitly's, wf_save) or
    -- 'run' (a generic run, wf_put_run)
    shape            pg_catalog.text NOT NULL DEFAULT 'snapshot',
    -- a generic run's opaque engine-private value (wf_put_run)
    engine_data      pg_catalog.bytea,
    PRIMARY KEY (namespace, id)
    -- status (one of running, suspended, completed, failed, cancelled), id
    -- (1..512 bytes) and namespace (1..63 bytes of [A-Za-z0-9_.-]) are
    -- enforced by the C store: CHECK constraints would be re-read from the
    -- catalog on every checkpoint (docs/design.md)
) WITH (fillfactor = 90);
COMMENT ON TABLE @extschema@.wf_workflow IS
'one row per workflow: version, status and every snapshot member but the steps';

-- wf_list: a namespace's workflows, newest first, keyset paging
CREATE INDEX wf_workflow_updated_idx ON @extschema@.wf_workflow (namespace, updated_at DESC, id);
-- everything waiting for a human, newest first
CREATE INDEX wf_workflow_suspended_idx ON @extschema@.wf_workflow (namespace, updated_at DESC, id)
    WHERE status OPERATOR(pg_catalog.=) 'suspended';
-- expiry: the cleanup's work list (and the stats' "expired" count)
CREATE INDEX wf_workflow_expires_idx ON @extschema@.wf_workflow (expires_at)
    WHERE expires_at IS NOT NULL;

CREATE TABLE @extschema@.wf_step (
    namespace   pg_catalog.text COLLATE "C" NOT NULL DEFAULT 'default',
    workflow_id pg_catalog.text COLLATE "C" NOT NULL,
    step_key    pg_catalog.text COLLATE "C" NOT NULL,
    -- the order in which the key was first recorded (jsonb sorts keys)
    pos         pg_catalog.int4 NOT NULL,
    -- the result's "ok" (NULL when it has no boolean "ok")
    ok          pg_catalog.bool,
    result      pg_catalog.jsonb NOT NULL,
    -- 64-bit hash and length of result's binary form: a re-saved step
    -- whose bytes did not change is not written again
    hash        pg_catalog.int8 NOT NULL,
    size_bytes  pg_catalog.int4 NOT NULL,
    recorded_at pg_catalog.timestamptz NOT NULL,
    -- 'approval' / 'hook' while the step waits for a decision, else NULL
    pending     pg_catalog.text,
    PRIMARY KEY (namespace, workflow_id, step_key)
);
COMMENT ON TABLE @extschema@.wf_step IS
'one row per recorded step of a workflow';
-- wf_pending() over all workflows, newest first
CREATE INDEX wf_step_pending_idx ON @extschema@.wf_step (recorded_at DESC)
    WHERE pending IS NOT NULL;

-- The lifecycle events of each run (wf_history adds "created" and the
-- recorded steps from the two tables above, so checkpoints write no event).
-- Only the C store writes it, with the owner's rights (src/wfp_store.c,
-- as_history_owner), and only the owner may change it: no role that uses
-- the store holds INSERT, UPDATE or DELETE on it (docs/security.md).
CREATE TABLE @extschema@.wf_event (
    namespace   pg_catalog.text COLLATE "C" NOT NULL DEFAULT 'default',
    workflow_id pg_catalog.text COLLATE "C" NOT NULL,
    seq         pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    at          pg_catalog.timestamptz NOT NULL,
    event       pg_catalog.text NOT NULL,
    step_key    pg_catalog.text,
    -- who the caller says acted (decided_by), free text ...
    actor       pg_catalog.text NOT NULL,
    detail      pg_catalog.jsonb,
    -- ... and the roles that did: session_user and current_user
    session_role pg_catalog.text NOT NULL,
    acting_role  pg_catalog.text NOT NULL,
    PRIMARY KEY (namespace, workflow_id, seq)
);
COMMENT ON TABLE @extschema@.wf_event IS
'suspensions, decisions, resumptions, cancellations and status changes of runs';

-- The engines' status words and the store status each means (retention,
-- pending, cleanup reason about the five store statuses).  Built in: Flujo
-- running|paused|completed|failed|cancelled, NeuroCore
-- running|completed|failed|suspended, Neuron AI interrupted; an
-- administrator may add rows.  The CHECK is read only when a word is
-- added, never by a checkpoint.
CREATE TABLE @extschema@.wf_status_word (
    word   pg_catalog.text COLLATE "C" PRIMARY KEY
           CHECK (pg_catalog.octet_length(word) BETWEEN 1 AND 63),
    status pg_catalog.text NOT NULL
           CHECK (status OPERATOR(pg_catalog.=) ANY
                  (ARRAY['running', 'suspended', 'completed', 'failed', 'cancelled']::pg_catalog.text[]))
);
COMMENT ON TABLE @extschema@.wf_status_word IS
'engine status words (wf_save(..., status => word)) and the store status each means';
INSERT INTO @extschema@.wf_status_word (word, status) VALUES
    ('running', 'running'), ('paused', 'suspended'), ('suspended', 'suspended'),
    ('interrupted', 'suspended'), ('completed', 'completed'), ('failed', 'failed'),
    ('cancelled', 'cancelled');

-- The key of change notifications' tokens (src/wfp_notify.c): 32 random
-- bytes per database.  Nobody is granted anything on it; only the C code
-- reads it.  Not dumped: a restored database gets a key of its own.
CREATE TABLE @extschema@.wf_notify_key (
    singleton pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
    key       pg_catalog.bytea NOT NULL
);
COMMENT ON TABLE @extschema@.wf_notify_key IS
'the secret that seals change notifications (readable by the extension owner only)';
INSERT INTO @extschema@.wf_notify_key (key)
SELECT pg_catalog.decode(pg_catalog.replace(pg_catalog.gen_random_uuid()::pg_catalog.text
                                            OPERATOR(pg_catalog.||)
                                            pg_catalog.gen_random_uuid()::pg_catalog.text,
                                            '-', ''), 'hex');

-- Retention: how long finished runs are kept after their last update, per
-- namespace and status (completed, failed, cancelled; running and
-- suspended runs are never removed by retention, only by an explicit
-- expiry).
CREATE TABLE @extschema@.wf_retention_policy (
    namespace pg_catalog.text COLLATE "C" NOT NULL DEFAULT 'default',
    status    pg_catalog.text NOT NULL,
    keep      pg_catalog.interval NOT NULL,
    PRIMARY KEY (namespace, status)
);
COMMENT ON TABLE @extschema@.wf_retention_policy IS
'how long finished runs are kept after their last update (wf_set_retention)';

-- A live workflow: saved at least once (version 0 is the placeholder that
-- wf_lease_acquire creates before the first save), not past its expiry and
-- not past its status' retention.
-- SQL reads workflows through this view.  The rule is also written in C,
-- where it cannot read a view: the store's statements (WFP_LIVE in
-- src/wfp_store.c) and wf_load's direct path (src/wfp_store_scan.c); and
-- wf_cleanup below deletes its complement.  sql/retention_live.sql holds
-- all four to the same verdicts on every boundary and status.  Expired
-- workflows are invisible at once, before any physical delete.  A run
-- updated after now() has not reached its retention (no keep has a
-- negative part: wf_set_retention); saying so first keeps updated_at +
-- keep from overflowing on a far-future updated_at a writer stored.
CREATE VIEW @extschema@.wf_live WITH (security_invoker = true) AS
SELECT w.*
  FROM @extschema@.wf_workflow AS w
 WHERE w.version OPERATOR(pg_catalog.>) 0     -- version 0: a lease's placeholder
   AND (w.expires_at IS NULL OR w.expires_at OPERATOR(pg_catalog.>) pg_catalog.now())
   AND NOT EXISTS (SELECT FROM @extschema@.wf_retention_policy AS r
                    WHERE r.namespace OPERATOR(pg_catalog.=) w.namespace
                      AND r.status OPERATOR(pg_catalog.=) w.status
                      AND CASE WHEN w.updated_at OPERATOR(pg_catalog.>) pg_catalog.now() THEN false
                               ELSE w.updated_at OPERATOR(pg_catalog.+) r.keep
                                    OPERATOR(pg_catalog.<=) pg_catalog.now() END);
COMMENT ON VIEW @extschema@.wf_live IS
'workflows that have not expired (by ttl or by retention)';

-- retention's work list: finished runs by status and age (running runs,
-- the ones checkpoints update, are not in it)
CREATE INDEX wf_workflow_finished_idx ON @extschema@.wf_workflow (namespace, status, updated_at)
    WHERE status OPERATOR(pg_catalog.=) ANY
          (ARRAY['completed', 'failed', 'cancelled']::pg_catalog.text[]);

-- lz4 compresses and decompresses step results several times faster than
-- pglz; use it when this server was built with it
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_settings
               WHERE name OPERATOR(pg_catalog.=) 'default_toast_compression'
                 AND 'lz4' OPERATOR(pg_catalog.=) ANY (enumvals)) THEN
        ALTER TABLE @extschema@.wf_step ALTER COLUMN result SET COMPRESSION lz4;
    END IF;
END
$$;

-- pg_dump keeps the rows of these extension-owned tables
SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_workflow', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_step', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_event', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_event_seq_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_retention_policy', '');
-- the built-in words are the install script's; only added words are dumped
SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_status_word',
    'WHERE word OPERATOR(pg_catalog.<>) ALL (ARRAY[''running'', ''paused'', ''suspended'', ''interrupted'', ''completed'', ''failed'', ''cancelled''])');

------------------------------------------------------------------------------
-- Writing and reading snapshots (C)
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.wf_save(id pg_catalog.text, snapshot pg_catalog.jsonb,
                                    ttl pg_catalog.interval DEFAULT NULL,
                                    expected_version pg_catalog.int8 DEFAULT NULL,
                                    lease_token pg_catalog.text DEFAULT NULL,
                                    status pg_catalog.text DEFAULT NULL,
                                    if_absent pg_catalog.bool DEFAULT false,
                                    namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_save'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.interval, pg_catalog.int8, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.text) IS
'validate and store a whole snapshot (unchanged steps are not rewritten); returns the new version';

CREATE FUNCTION @extschema@.wf_save_step(id pg_catalog.text, step_key pg_catalog.text,
                                         result pg_catalog.jsonb,
                                         expected_version pg_catalog.int8 DEFAULT NULL,
                                         lease_token pg_catalog.text DEFAULT NULL,
                                         "position" pg_catalog.int4 DEFAULT NULL,
                                         namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_save_step'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_save_step(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8, pg_catalog.text, pg_catalog.int4, pg_catalog.text) IS
'record one step result (a checkpoint); creates the workflow if absent; returns the new version';

CREATE FUNCTION @extschema@.wf_merge(id pg_catalog.text, delta pg_catalog.jsonb,
                                     expected_version pg_catalog.int8 DEFAULT NULL,
                                     lease_token pg_catalog.text DEFAULT NULL,
                                     namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_merge'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_merge(pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8, pg_catalog.text, pg_catalog.text) IS
'merge a delta into the stored snapshot under its row lock (wf_merge_snapshots semantics); returns the new version';

CREATE FUNCTION @extschema@.wf_load(id pg_catalog.text, include pg_catalog.text DEFAULT 'all',
                                    since_step pg_catalog.text DEFAULT NULL,
                                    step_limit pg_catalog.int4 DEFAULT NULL,
                                    namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'wf_load'
LANGUAGE C STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_load(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.text) IS
'the stored snapshot (NULL when absent); include/since_step/step_limit filter its steps';

CREATE FUNCTION @extschema@.wf_notification(token pg_catalog.text)
RETURNS TABLE (id pg_catalog.text, version pg_catalog.int8, status pg_catalog.text,
               event pg_catalog.text, namespace pg_catalog.text)
AS 'MODULE_PATHNAME', 'wf_notification'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_notification(pg_catalog.text) IS
'what a change notification says (id, version, status, event), when the caller may see that workflow; no row otherwise';

------------------------------------------------------------------------------
-- Generic runs (docs/reference.md, "Generic runs"): engines with a state
-- model of their own; stored in the same rows as snapshots
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.wf_put_run(id pg_catalog.text, run pg_catalog.jsonb,
                                       engine_data pg_catalog.bytea DEFAULT NULL,
                                       expected_version pg_catalog.int8 DEFAULT NULL,
                                       lease_token pg_catalog.text DEFAULT NULL,
                                       if_absent pg_catalog.bool DEFAULT false,
                                       namespace pg_catalog.text DEFAULT NULL,
                                       OUT version pg_catalog.int8,
                                       OUT created pg_catalog.bool)
AS 'MODULE_PATHNAME', 'wf_put_run'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_put_run(pg_catalog.text, pg_catalog.jsonb, pg_catalog.bytea, pg_catalog.int8, pg_catalog.text, pg_catalog.bool, pg_catalog.text) IS
'store a generic run whole (name, kind, status word, state, metadata, steps by index, engine_data, supplied times); returns the new version and whether it was created';

CREATE FUNCTION @extschema@.wf_put_run_step(id pg_catalog.text, step pg_catalog.jsonb,
                                            lease_token pg_catalog.text DEFAULT NULL,
                                            namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_put_run_step'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_put_run_step(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.text) IS
'upsert one step of a generic run by key, at its index (a checkpoint); returns the new version';

CREATE FUNCTION @extschema@.wf_update_run(id pg_catalog.text,
                                          status pg_catalog.text DEFAULT NULL,
                                          metadata pg_catalog.jsonb DEFAULT NULL,
                                          metadata_merge pg_catalog.text DEFAULT 'shallow',
                                          state pg_catalog.jsonb DEFAULT NULL,
                                          engine_data pg_catalog.bytea DEFAULT NULL,
                                          expected_version pg_catalog.int8 DEFAULT NULL,
                                          lease_token pg_catalog.text DEFAULT NULL,
                                          namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_update_run'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_update_run(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.jsonb, pg_catalog.bytea, pg_catalog.int8, pg_catalog.text, pg_catalog.text) IS
'change run-level fields of a generic run (status word, metadata, state, engine_data), leaving its steps alone; returns the new version';

CREATE FUNCTION @extschema@.wf_get_run(id pg_catalog.text,
                                       namespace pg_catalog.text DEFAULT NULL,
                                       OUT run pg_catalog.jsonb,
                                       OUT engine_data pg_catalog.bytea,
                                       OUT version pg_catalog.int8)
RETURNS SETOF record
LANGUAGE sql STABLE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
    -- the steps in index order; the status is the engine's word (the
    -- store's status when a transition cleared it)
    SELECT w.extra || jsonb_build_object(
               'status', COALESCE(w.status_word, w.status),
               'steps', COALESCE((SELECT jsonb_agg(s.result ORDER BY s.pos, s.step_key)
                                    FROM @extschema@.wf_step AS s
                                   WHERE s.namespace = w.namespace AND s.workflow_id = w.id),
                                 '[]'::jsonb),
               'created_at', w.created_at, 'updated_at', w.updated_at),
           w.engine_data, w.version
      FROM @extschema@.wf_live AS w
     WHERE w.namespace = @extschema@.wf_namespace($2)
       AND w.id = @extschema@.wf_check_id($1)
       AND w.shape = 'run'
$$;
COMMENT ON FUNCTION @extschema@.wf_get_run(pg_catalog.text, pg_catalog.text) IS
'a generic run as wf_put_run stored it (steps by index), its engine_data and version; no row when absent';

------------------------------------------------------------------------------
-- Inspecting and deleting (SQL)
------------------------------------------------------------------------------

-- A workflow id is 1 to 512 bytes.  The rule is the C functions' own
-- (wfp_arg_id in src/wfp_args.c), so it is written once: the id unchanged,
-- 22004 on NULL (hence not STRICT), 22023 otherwise.
CREATE FUNCTION @extschema@.wf_check_id(id pg_catalog.text) RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'wf_check_id'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_check_id(pg_catalog.text) IS
'returns a valid workflow id unchanged, raises 22023 otherwise (used by the SQL functions)';

-- A namespace is 1 to 63 bytes of [A-Za-z0-9_.-]; NULL means the setting
-- workflow_persist.namespace, and '*' (every namespace) is accepted only
-- with many => true.  The rule is the C functions' own (src/wfp_settings.c,
-- wfp_arg_namespace in src/wfp_args.c), so it is written once.
CREATE FUNCTION @extschema@.wf_namespace(namespace pg_catalog.text DEFAULT NULL,
                                         many pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'wf_namespace'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_namespace(pg_catalog.text, pg_catalog.bool) IS
'the namespace a call means (NULL: workflow_persist.namespace), checked; raises 22023 otherwise';

CREATE FUNCTION @extschema@.wf_delete(id pg_catalog.text,
                                      namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'wf_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_delete(pg_catalog.text, pg_catalog.text) IS
'delete a workflow and its steps; false (not an error) when there was none';

CREATE FUNCTION @extschema@.wf_exists(id pg_catalog.text,
                                      namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.bool
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM @extschema@.wf_live AS w
                    WHERE w.namespace = @extschema@.wf_namespace($2)
                      AND w.id = @extschema@.wf_check_id($1))
$$;
COMMENT ON FUNCTION @extschema@.wf_exists(pg_catalog.text, pg_catalog.text) IS
'true when the workflow exists and has not expired';

CREATE FUNCTION @extschema@.wf_steps(id pg_catalog.text,
                                     namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (pos pg_catalog.int4, step_key pg_catalog.text, ok pg_catalog.bool,
               result pg_catalog.jsonb, recorded_at pg_catalog.timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.pos, s.step_key, s.ok, s.result, s.recorded_at
      FROM @extschema@.wf_live AS w
      JOIN @extschema@.wf_step AS s ON s.namespace = w.namespace AND s.workflow_id = w.id
     WHERE w.namespace = @extschema@.wf_namespace($2)
       AND w.id = @extschema@.wf_check_id($1)
     ORDER BY s.pos
$$;
COMMENT ON FUNCTION @extschema@.wf_steps(pg_catalog.text, pg_catalog.text) IS
'the steps of a workflow in the order they were first recorded';

-- The smallest string greater than every string starting with prefix, in
-- "C" order (code point order); NULL when there is none.
CREATE FUNCTION @extschema@.wf_prefix_upper_bound(prefix pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p pg_catalog.text := prefix;
    c pg_catalog.int4;
BEGIN
    WHILE pg_catalog.length(p) > 0 LOOP
        c := pg_catalog.ascii(pg_catalog.right(p, 1)) + 1;
        IF c BETWEEN 55296 AND 57343 THEN   -- skip the UTF-16 surrogates
            c := 57344;
        END IF;
        IF c <= 1114111 THEN
            RETURN pg_catalog.left(p, -1) || pg_catalog.chr(c);
        END IF;
        p := pg_catalog.left(p, -1);
    END LOOP;
    RETURN NULL;
END
$$;

-- The keyset cursor of a row: microseconds since the epoch, ':', the id.
-- Any timestamp a writer may store has one: the microseconds are exact
-- numeric (20 digits reach both ends of the timestamp range), infinity and
-- -infinity are written as words.
CREATE FUNCTION @extschema@.wf_list_cursor(updated_at pg_catalog.timestamptz, id pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN pg_catalog.isfinite($1)
                THEN pg_catalog.trunc(EXTRACT(epoch FROM $1) * 1000000)::pg_catalog.text
                WHEN $1 > pg_catalog.to_timestamp(0) THEN 'infinity'
                ELSE '-infinity' END
           || ':' || $2
$$;

-- wf_list's worker (PL/pgSQL cannot name an IN and an OUT parameter alike).
CREATE FUNCTION @extschema@.wf_list_page(prefix pg_catalog.text, wanted_status pg_catalog.text,
                                         max_rows pg_catalog.int4, after pg_catalog.text,
                                         wanted_namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (id pg_catalog.text, status pg_catalog.text, version pg_catalog.int8,
               step_count pg_catalog.int4, pending pg_catalog.int4, size_bytes pg_catalog.int8,
               created_at pg_catalog.timestamptz, updated_at pg_catalog.timestamptz,
               expires_at pg_catalog.timestamptz, next pg_catalog.text,
               namespace pg_catalog.text, status_word pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    q pg_catalog.text;
    upper pg_catalog.text;
    ns pg_catalog.text;
    every pg_catalog.bool;
    after_ts pg_catalog.timestamptz;
    after_ns pg_catalog.text;
    after_id pg_catalog.text;
    rest pg_catalog.text;
    sep pg_catalog.int4;
    micros pg_catalog.numeric;
    days pg_catalog.numeric;
BEGIN
    ns := @extschema@.wf_namespace(wanted_namespace, true);
    every := ns = '*';
    IF max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'max_rows must be at least 1' USING ERRCODE = '22023';
    END IF;
    IF wanted_status IS NOT NULL AND wanted_status <> ALL
       (ARRAY['running', 'suspended', 'completed', 'failed', 'cancelled']) THEN
        RAISE EXCEPTION 'invalid status: "%"', wanted_status
            USING ERRCODE = '22023',
                  HINT = 'Use running, suspended, completed, failed or cancelled.';
    END IF;
    IF after IS NOT NULL THEN
        sep := pg_catalog.strpos(after, ':');
        IF sep < 2 OR pg_catalog.substr(after, 1, sep - 1) !~ '^-?([0-9]{1,20}|infinity)$' THEN
            RAISE EXCEPTION 'invalid cursor for after: "%"', after
                USING ERRCODE = '22023',
                      HINT = 'Pass the "next" value of the last row of the previous page.';
        END IF;
        BEGIN
            IF pg_catalog.substr(after, 1, sep - 1) ~ 'infinity' THEN
                after_ts := pg_catalog.substr(after, 1, sep - 1)::pg_catalog.timestamptz;
            ELSE
                -- exact: whole days, then the microseconds of the last one
                micros := pg_catalog.substr(after, 1, sep - 1)::pg_catalog.numeric;
                days := pg_catalog.floor(micros / 86400000000);
                after_ts := ('1970-01-01'::pg_catalog.timestamp
                             + days::pg_catalog.int4 * '1 day'::pg_catalog.interval
                             + (micros - days * 86400000000)::pg_catalog.int8
                               * '1 microsecond'::pg_catalog.interval) AT TIME ZONE 'UTC';
            END IF;
        EXCEPTION WHEN numeric_value_out_of_range OR datetime_field_overflow
                    OR interval_field_overflow THEN
            RAISE EXCEPTION 'invalid cursor for after: "%"', after
                USING ERRCODE = '22023',
                      HINT = 'Pass the "next" value of the last row of the previous page.';
        END;
        after_id := pg_catalog.substr(after, sep + 1);
        IF every THEN
            -- over every namespace the cursor is microseconds:namespace:id
            -- (a namespace holds no ':')
            rest := after_id;
            sep := pg_catalog.strpos(rest, ':');
            IF sep < 2 THEN
                RAISE EXCEPTION 'invalid cursor for after: "%"', after
                    USING ERRCODE = '22023',
                          HINT = 'Pass the "next" value of the last row of the previous page, listed with the same namespace.';
            END IF;
            after_ns := pg_catalog.substr(rest, 1, sep - 1);
            after_id := pg_catalog.substr(rest, sep + 1);
        END IF;
    END IF;

    -- only the conditions asked for, so each is planned as an index range
    -- (one namespace: wf_workflow_updated_idx; every namespace: a sort)
    q := 'SELECT w.id, w.status, w.version, w.step_count, w.pending, w.size_bytes, w.created_at,
                 w.updated_at, w.expires_at, '
         || CASE WHEN every
                 THEN '@extschema@.wf_list_cursor(w.updated_at, w.namespace || '':'' || w.id)'
                 ELSE '@extschema@.wf_list_cursor(w.updated_at, w.id)' END
         || ', w.namespace, w.status_word
            FROM @extschema@.wf_live AS w
           WHERE true';
    IF NOT every THEN
        q := q || ' AND w.namespace = $7';
    END IF;
    IF prefix IS NOT NULL AND prefix <> '' THEN
        q := q || ' AND w.id >= $1';
        upper := @extschema@.wf_prefix_upper_bound(prefix);
        IF upper IS NOT NULL THEN
            q := q || ' AND w.id < $2';
        END IF;
    END IF;
    IF wanted_status IS NOT NULL THEN
        q := q || ' AND w.status = $3';
    END IF;
    IF after IS NOT NULL AND every THEN
        q := q || ' AND (w.updated_at < $4 OR (w.updated_at = $4 AND (w.namespace, w.id) > ($8, $5)))';
    ELSIF after IS NOT NULL THEN
        q := q || ' AND (w.updated_at < $4 OR (w.updated_at = $4 AND w.id > $5))';
    END IF;
    q := q || CASE WHEN every THEN ' ORDER BY w.updated_at DESC, w.namespace, w.id LIMIT $6'
                   ELSE ' ORDER BY w.updated_at DESC, w.id LIMIT $6' END;
    RETURN QUERY EXECUTE q USING prefix, upper, wanted_status, after_ts, after_id, max_rows,
                                 ns, after_ns;
END
$$;

CREATE FUNCTION @extschema@.wf_list(prefix pg_catalog.text DEFAULT NULL,
                                    status pg_catalog.text DEFAULT NULL,
                                    max_rows pg_catalog.int4 DEFAULT 100,
                                    after pg_catalog.text DEFAULT NULL,
                                    namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (id pg_catalog.text, status pg_catalog.text, version pg_catalog.int8,
               step_count pg_catalog.int4, pending pg_catalog.int4, size_bytes pg_catalog.int8,
               created_at pg_catalog.timestamptz, updated_at pg_catalog.timestamptz,
               expires_at pg_catalog.timestamptz, next pg_catalog.text,
               namespace pg_catalog.text, status_word pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.wf_list_page($1, $2, $3, $4, $5)
$$;
COMMENT ON FUNCTION @extschema@.wf_list(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.text, pg_catalog.text) IS
'workflows of a namespace (''*'': every one), newest updated_at first; prefix is literal; after = the "next" of the last row seen';

CREATE FUNCTION @extschema@.wf_info(id pg_catalog.text,
                                    namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (id pg_catalog.text, status pg_catalog.text, version pg_catalog.int8,
               step_count pg_catalog.int4, pending pg_catalog.int4, size_bytes pg_catalog.int8,
               created_at pg_catalog.timestamptz, updated_at pg_catalog.timestamptz,
               expires_at pg_catalog.timestamptz, namespace pg_catalog.text,
               status_word pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT w.id, w.status, w.version, w.step_count, w.pending, w.size_bytes,
           w.created_at, w.updated_at, w.expires_at, w.namespace, w.status_word
      FROM @extschema@.wf_live AS w
     WHERE w.namespace = @extschema@.wf_namespace($2)
       AND w.id = @extschema@.wf_check_id($1)
$$;
COMMENT ON FUNCTION @extschema@.wf_info(pg_catalog.text, pg_catalog.text) IS
'the wf_list row of one workflow (no row when absent)';

CREATE FUNCTION @extschema@.wf_stats(namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (status pg_catalog.text, workflows pg_catalog.int8, steps pg_catalog.int8,
               bytes pg_catalog.int8, largest_id pg_catalog.text,
               largest_bytes pg_catalog.int8, expired pg_catalog.int8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH n AS (SELECT @extschema@.wf_namespace($1, true) AS ns OFFSET 0)
    SELECT s.status,
           pg_catalog.count(w.id) FILTER (WHERE NOT w.expired),
           COALESCE(pg_catalog.sum(w.step_count) FILTER (WHERE NOT w.expired), 0)::pg_catalog.int8,
           COALESCE(pg_catalog.sum(w.size_bytes) FILTER (WHERE NOT w.expired), 0)::pg_catalog.int8,
           (SELECT l.id FROM @extschema@.wf_live AS l, n
             WHERE l.status = s.status AND (n.ns = '*' OR l.namespace = n.ns)
             ORDER BY l.size_bytes DESC, l.id, l.namespace LIMIT 1),
           pg_catalog.max(w.size_bytes) FILTER (WHERE NOT w.expired),
           pg_catalog.count(w.id) FILTER (WHERE w.expired)
      FROM (VALUES ('running'), ('suspended'), ('completed'), ('failed'), ('cancelled'))
           AS s(status)
      LEFT JOIN (SELECT x.id, x.status, x.step_count, x.size_bytes, l.id IS NULL AS expired
                   FROM n, @extschema@.wf_workflow AS x
                   LEFT JOIN @extschema@.wf_live AS l
                          ON l.namespace = x.namespace AND l.id = x.id
                  WHERE (n.ns = '*' OR x.namespace = n.ns) AND x.version > 0) AS w
             ON w.status = s.status
     GROUP BY s.status
$$;
COMMENT ON FUNCTION @extschema@.wf_stats(pg_catalog.text) IS
'per status in a namespace (''*'': every one): live workflows, their steps and bytes, the largest one, and expired rows awaiting deletion';

CREATE VIEW @extschema@.wf_stats WITH (security_invoker = true) AS
SELECT s.status, s.workflows, s.steps, s.bytes, s.largest_id, s.largest_bytes, s.expired
  FROM @extschema@.wf_stats() AS s;
COMMENT ON VIEW @extschema@.wf_stats IS
'wf_stats() of the namespace workflow_persist.namespace names: per status, live workflows, their steps and bytes, the largest one, and expired rows awaiting deletion';

------------------------------------------------------------------------------
-- Run lifecycle (docs/reference.md, "Run lifecycle"; guide docs/human-in-the-loop.md)
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.wf_suspend(id pg_catalog.text, reason pg_catalog.text,
                                       request pg_catalog.jsonb DEFAULT NULL,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_suspend'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_suspend(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text) IS
'suspend a run with a reason and a request (for example an approval request)';

CREATE FUNCTION @extschema@.wf_approve(id pg_catalog.text, step_key pg_catalog.text,
                                       value pg_catalog.jsonb DEFAULT 'true',
                                       note pg_catalog.text DEFAULT NULL,
                                       decided_by pg_catalog.text DEFAULT CURRENT_USER,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_approve'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_approve(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'approve a waiting step: it becomes {"ok":true,"value":value}, as awaitly''s injectApproval';

CREATE FUNCTION @extschema@.wf_reject(id pg_catalog.text, step_key pg_catalog.text,
                                      reason pg_catalog.text,
                                      note pg_catalog.text DEFAULT NULL,
                                      decided_by pg_catalog.text DEFAULT CURRENT_USER,
                                      namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_reject'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_reject(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'reject a waiting step: it becomes awaitly''s APPROVAL_REJECTED error result';

CREATE FUNCTION @extschema@.wf_decide(id pg_catalog.text, action pg_catalog.text,
                                      decision pg_catalog.text,
                                      value pg_catalog.jsonb DEFAULT NULL,
                                      feedback pg_catalog.text DEFAULT NULL,
                                      decided_by pg_catalog.text DEFAULT CURRENT_USER,
                                      namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_decide'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_decide(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'decide one action of a waiting generic run (approve, reject or edit, with feedback); wf_get_run returns the decisions';

CREATE FUNCTION @extschema@.wf_resume(id pg_catalog.text, data pg_catalog.jsonb DEFAULT NULL,
                                      namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_resume'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_resume(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text) IS
'back to running from suspended or failed; data is merged into metadata.resume';

CREATE FUNCTION @extschema@.wf_cancel(id pg_catalog.text, reason pg_catalog.text DEFAULT NULL,
                                      namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_cancel'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_cancel(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'cancel a run; it accepts no more checkpoints (a whole save replaces it, wf_replay starts it again)';

CREATE FUNCTION @extschema@.wf_replay(id pg_catalog.text, new_id pg_catalog.text DEFAULT NULL,
                                      namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'wf_replay'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_replay(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'a new run (in the same namespace) with the same input and workflow name, no steps; returns its id';

CREATE FUNCTION @extschema@.wf_fork(id pg_catalog.text, new_id pg_catalog.text,
                                    up_to_step pg_catalog.text,
                                    namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'wf_fork'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_fork(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'a new run (in the same namespace) holding the steps recorded up to and including up_to_step';

CREATE FUNCTION @extschema@.wf_pending(id pg_catalog.text DEFAULT NULL,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (id pg_catalog.text, step_key pg_catalog.text, kind pg_catalog.text,
               reason pg_catalog.text, request pg_catalog.jsonb,
               since pg_catalog.timestamptz, namespace pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    -- the id and namespace are checked first (c is the outer side), even
    -- when nothing waits; '*' (every namespace) only without an id
    SELECT p.id, p.step_key, p.kind, p.reason, p.request, p.since, p.namespace
      FROM (SELECT CASE WHEN $1 IS NULL THEN NULL
                        ELSE @extschema@.wf_check_id($1) END AS wanted,
                   @extschema@.wf_namespace($2, $1 IS NULL) AS ns
             OFFSET 0) AS c,
           LATERAL (
            SELECT w.id, s.step_key, s.pending AS kind,
                   s.result->'error'->>'reason' AS reason,
                   CASE s.pending
                       WHEN 'hook' THEN jsonb_build_object('hookId', s.result->'error'->'hookId')
                           || CASE WHEN s.result->'error' ? 'metadata'
                                   THEN jsonb_build_object('metadata', s.result->'error'->'metadata')
                                   ELSE '{}'::jsonb END
                       ELSE s.result->'error'->'metadata'
                   END AS request,
                   s.recorded_at AS since, w.namespace
              FROM @extschema@.wf_step AS s
              JOIN @extschema@.wf_live AS w
                ON w.namespace = s.namespace AND w.id = s.workflow_id
             WHERE s.pending IS NOT NULL
               AND (c.ns = '*' OR s.namespace = c.ns)
               AND (c.wanted IS NULL OR s.workflow_id = c.wanted)
               AND w.status <> 'cancelled'
            UNION ALL
            SELECT w.id, NULL, 'suspension', w.suspend_reason, w.suspend_request,
                   w.suspended_at, w.namespace
              FROM @extschema@.wf_live AS w
             WHERE w.suspended_at IS NOT NULL
               AND (c.ns = '*' OR w.namespace = c.ns)
               AND (c.wanted IS NULL OR w.id = c.wanted)) AS p
     ORDER BY p.since DESC, p.namespace, p.id, p.step_key
$$;
COMMENT ON FUNCTION @extschema@.wf_pending(pg_catalog.text, pg_catalog.text) IS
'what waits for a human in a namespace (''*'': every one): steps pending approval or a hook, and suspended runs; newest first';

CREATE FUNCTION @extschema@.wf_history(id pg_catalog.text,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (at pg_catalog.timestamptz, event pg_catalog.text, step_key pg_catalog.text,
               actor pg_catalog.text, detail pg_catalog.jsonb,
               session_role pg_catalog.text, acting_role pg_catalog.text,
               namespace pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    -- "created" and the recorded steps come from the tables themselves
    -- (a checkpoint writes no event row); everything else from wf_event
    SELECT h.at, h.event, h.step_key, h.actor, h.detail, h.session_role, h.acting_role, c.ns
      FROM (SELECT @extschema@.wf_namespace($2) AS ns,
                   @extschema@.wf_check_id($1) AS wanted OFFSET 0) AS c,
           LATERAL (
            SELECT w.created_at AS at, 0 AS phase, 0::int8 AS seq, 'created' AS event,
                   NULL::text AS step_key, NULL::text AS actor, NULL::jsonb AS detail,
                   NULL::text AS session_role, NULL::text AS acting_role
              FROM @extschema@.wf_live AS w
             WHERE w.namespace = c.ns AND w.id = c.wanted
            UNION ALL
            SELECT s.recorded_at, 1, s.pos, 'step recorded', s.step_key, NULL,
                   jsonb_build_object('ok', s.ok), NULL, NULL
              FROM @extschema@.wf_step AS s
              JOIN @extschema@.wf_live AS w
                ON w.namespace = s.namespace AND w.id = s.workflow_id
             WHERE s.namespace = c.ns AND s.workflow_id = c.wanted
            UNION ALL
            SELECT e.at, 2, e.seq, e.event, e.step_key, e.actor, e.detail,
                   e.session_role, e.acting_role
              FROM @extschema@.wf_event AS e
              JOIN @extschema@.wf_live AS w
                ON w.namespace = e.namespace AND w.id = e.workflow_id
             WHERE e.namespace = c.ns AND e.workflow_id = c.wanted) AS h
     ORDER BY h.at, h.phase, h.seq
$$;
COMMENT ON FUNCTION @extschema@.wf_history(pg_catalog.text, pg_catalog.text) IS
'the ordered event log of a run: created, steps recorded, suspended, decisions, resumed, cancelled, completed, failed';

CREATE FUNCTION @extschema@.wf_resolve(id_prefix pg_catalog.text,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    upper pg_catalog.text;
    found pg_catalog.text[];
    ns pg_catalog.text := @extschema@.wf_namespace(namespace);
BEGIN
    IF id_prefix IS NULL OR id_prefix = '' THEN
        RAISE EXCEPTION 'id_prefix must not be empty' USING ERRCODE = '22023';
    END IF;
    upper := @extschema@.wf_prefix_upper_bound(id_prefix);
    -- a range scan of the primary key over all workflows; six are enough
    -- to tell "one" from "many" and to name five
    SELECT pg_catalog.array_agg(c.id ORDER BY c.id) INTO found
      FROM (SELECT w.id FROM @extschema@.wf_live AS w
             WHERE w.namespace = ns
               AND w.id >= id_prefix AND (upper IS NULL OR w.id < upper)
             ORDER BY w.id LIMIT 6) AS c;
    IF found IS NULL THEN
        RAISE EXCEPTION 'no workflow id starts with "%"', id_prefix
            USING ERRCODE = 'P0002';
    END IF;
    IF pg_catalog.cardinality(found) > 1 THEN
        RAISE EXCEPTION 'workflow id prefix "%" is ambiguous', id_prefix
            USING ERRCODE = '21000',
                  DETAIL = 'Candidates: ' || pg_catalog.array_to_string(found[1:5], ', ')
                           || CASE WHEN pg_catalog.cardinality(found) > 5 THEN ', ...' ELSE '' END,
                  HINT = 'Give more of the id.';
    END IF;
    RETURN found[1];
END
$$;
COMMENT ON FUNCTION @extschema@.wf_resolve(pg_catalog.text, pg_catalog.text) IS
'the one workflow whose id starts with the prefix (21000 when several, P0002 when none)';

-- Leases: one owner at a time works on a run.  The server's clock decides
-- expiry; a write given a lease_token must hold the current lease.
CREATE FUNCTION @extschema@.wf_lease_acquire(id pg_catalog.text, owner pg_catalog.text,
                                             ttl pg_catalog.interval,
                                             namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    token pg_catalog.text;
    ns pg_catalog.text := @extschema@.wf_namespace(namespace);
BEGIN
    PERFORM @extschema@.wf_check_id(id);
    IF owner IS NULL OR owner = '' THEN
        RAISE EXCEPTION 'owner must not be empty' USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.octet_length(owner) > 1024 THEN
        RAISE EXCEPTION 'owner of workflow "%" is too long', id
            USING ERRCODE = '54000',
                  DETAIL = pg_catalog.format('The owner is %s bytes long; at most 1024 bytes are allowed.',
                                             pg_catalog.octet_length(owner));
    END IF;
    IF ttl IS NULL OR ttl <= '0'::pg_catalog.interval THEN
        RAISE EXCEPTION 'ttl must be a positive interval' USING ERRCODE = '22023';
    END IF;
    FOR attempt IN 1..3 LOOP
        -- a live workflow, or the placeholder of an earlier lease (version 0)
        UPDATE @extschema@.wf_workflow AS w
           SET lease_token = CASE WHEN w.lease_owner = wf_lease_acquire.owner
                                       AND w.lease_expires_at > clock_timestamp()
                                  THEN w.lease_token
                                  ELSE gen_random_uuid()::pg_catalog.text END,
               lease_owner = wf_lease_acquire.owner,
               lease_expires_at = clock_timestamp() + ttl
         WHERE w.namespace = ns AND w.id = wf_lease_acquire.id
           AND (w.version = 0
                OR EXISTS (SELECT FROM @extschema@.wf_live AS l
                            WHERE l.namespace = w.namespace AND l.id = w.id))
           AND (w.lease_token IS NULL OR w.lease_expires_at <= clock_timestamp()
                OR w.lease_owner = wf_lease_acquire.owner)
        RETURNING w.lease_token INTO token;
        IF token IS NOT NULL THEN
            RETURN token;
        END IF;
        IF EXISTS (SELECT FROM @extschema@.wf_workflow AS w
                    WHERE w.namespace = ns AND w.id = wf_lease_acquire.id
                      AND (w.version = 0
                           OR EXISTS (SELECT FROM @extschema@.wf_live AS l
                                       WHERE l.namespace = w.namespace AND l.id = w.id))) THEN
            RETURN NULL;   -- another owner holds an unexpired lease
        END IF;
        -- absent (or expired): a placeholder, version 0, invisible to every
        -- reader until the first save with the token fills it (awaitly's
        -- WorkflowLock.tryAcquire runs before the workflow exists)
        -- an expired workflow is absent: its rows go, under its row lock
        -- (re-checked once locked: a writer may have refreshed it)
        PERFORM FROM @extschema@.wf_workflow AS w
          WHERE w.namespace = ns AND w.id = wf_lease_acquire.id FOR UPDATE;
        IF FOUND THEN
            CONTINUE WHEN EXISTS (SELECT FROM @extschema@.wf_workflow AS w
                                   WHERE w.namespace = ns AND w.id = wf_lease_acquire.id
                                     AND (w.version = 0
                                          OR EXISTS (SELECT FROM @extschema@.wf_live AS l
                                                      WHERE l.namespace = w.namespace
                                                        AND l.id = w.id)));
            DELETE FROM @extschema@.wf_step AS s
             WHERE s.namespace = ns AND s.workflow_id = wf_lease_acquire.id;
            DELETE FROM @extschema@.wf_event AS e
             WHERE e.namespace = ns AND e.workflow_id = wf_lease_acquire.id;
            DELETE FROM @extschema@.wf_workflow AS w
             WHERE w.namespace = ns AND w.id = wf_lease_acquire.id;
        END IF;
        INSERT INTO @extschema@.wf_workflow AS w
               (namespace, id, status, version, execution, extra, step_count, next_pos,
                size_bytes, created_at, updated_at, checked, pending,
                lease_owner, lease_token, lease_expires_at)
        VALUES (ns, wf_lease_acquire.id, 'running', 0, NULL, '{}', 0, 1, 0, now(), now(), 0, 0,
                wf_lease_acquire.owner, gen_random_uuid()::pg_catalog.text,
                clock_timestamp() + ttl)
        ON CONFLICT ON CONSTRAINT wf_workflow_pkey DO NOTHING
        RETURNING w.lease_token INTO token;
        IF token IS NOT NULL THEN
            RETURN token;
        END IF;
        -- created concurrently: take it as it is now
    END LOOP;
    -- taken, and still invisible: another tenant's (docs/security.md, "Tenants")
    IF @extschema@.wf_isolation_enabled() THEN
        RAISE EXCEPTION 'workflow "%" belongs to a tenant this role may not use', id
            USING ERRCODE = '42501',
                  DETAIL = 'Workflow ids are shared by every tenant; this one is taken.',
                  HINT = 'Give each tenant''s workflows ids of their own, for example prefixed with the tenant.';
    END IF;
    RAISE EXCEPTION 'could not lease workflow "%"', id
        USING ERRCODE = '40001', DETAIL = 'The workflow was created and removed concurrently.',
              HINT = 'Retry the transaction.';
END
$$;
COMMENT ON FUNCTION @extschema@.wf_lease_acquire(pg_catalog.text, pg_catalog.text, pg_catalog.interval, pg_catalog.text) IS
'take (or extend, for the same owner) the lease of a run, creating a placeholder when it does not exist yet; NULL while another owner holds it';

CREATE FUNCTION @extschema@.wf_lease_renew(id pg_catalog.text, token pg_catalog.text,
                                           ttl pg_catalog.interval,
                                           namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ns pg_catalog.text := @extschema@.wf_namespace(namespace);
BEGIN
    PERFORM @extschema@.wf_check_id(id);
    IF ttl IS NULL OR ttl <= '0'::pg_catalog.interval THEN
        RAISE EXCEPTION 'ttl must be a positive interval' USING ERRCODE = '22023';
    END IF;
    UPDATE @extschema@.wf_workflow AS w
       SET lease_expires_at = clock_timestamp() + ttl
     WHERE w.namespace = ns AND w.id = wf_lease_renew.id AND w.lease_token = token
       AND w.lease_expires_at > clock_timestamp();
    RETURN FOUND;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_lease_renew(pg_catalog.text, pg_catalog.text, pg_catalog.interval, pg_catalog.text) IS
'extend a lease that is still held; false when it expired or was taken over';

CREATE FUNCTION @extschema@.wf_lease_release(id pg_catalog.text, token pg_catalog.text,
                                             namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ns pg_catalog.text := @extschema@.wf_namespace(namespace);
BEGIN
    PERFORM @extschema@.wf_check_id(id);
    -- the placeholder of a lease taken before the first save goes with it
    DELETE FROM @extschema@.wf_workflow AS w
     WHERE w.namespace = ns AND w.id = wf_lease_release.id AND w.lease_token = token
       AND w.version = 0;
    IF FOUND THEN
        RETURN true;
    END IF;
    UPDATE @extschema@.wf_workflow AS w
       SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
     WHERE w.namespace = ns AND w.id = wf_lease_release.id AND w.lease_token = token;
    RETURN FOUND;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_lease_release(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'give a lease up; false when the token is not the current lease';

------------------------------------------------------------------------------
-- Retention and cleanup (docs/reference.md, "Retention")
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.wf_set_ttl(id pg_catalog.text, ttl pg_catalog.interval,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    expiry pg_catalog.timestamptz;
    ns pg_catalog.text := @extschema@.wf_namespace(namespace);
BEGIN
    PERFORM @extschema@.wf_check_id(id);
    IF ttl IS NOT NULL AND ttl <= '0'::pg_catalog.interval THEN
        RAISE EXCEPTION 'ttl must be a positive interval'
            USING ERRCODE = '22023', HINT = 'Pass NULL to clear the expiry.';
    END IF;
    UPDATE @extschema@.wf_workflow AS w
       SET expires_at = now() + ttl
     WHERE w.namespace = ns AND w.id = wf_set_ttl.id
       AND EXISTS (SELECT FROM @extschema@.wf_live AS l
                    WHERE l.namespace = w.namespace AND l.id = w.id)
    RETURNING w.expires_at INTO expiry;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'workflow "%" does not exist', id USING ERRCODE = 'P0002';
    END IF;
    RETURN expiry;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_set_ttl(pg_catalog.text, pg_catalog.interval, pg_catalog.text) IS
'expire a workflow ttl from now (NULL: never); returns the new expiry';

-- wf_retention: every status and how long finished runs of it are kept in
-- the namespace of workflow_persist.namespace
CREATE VIEW @extschema@.wf_retention WITH (security_invoker = true) AS
SELECT s.status, p.keep,
       s.status = ANY (ARRAY['running', 'suspended']) AS protected
  FROM (VALUES (1, 'running'), (2, 'suspended'), (3, 'completed'), (4, 'failed'),
               (5, 'cancelled')) AS s(n, status)
  LEFT JOIN @extschema@.wf_retention_policy AS p
         ON p.namespace = @extschema@.wf_namespace() AND p.status = s.status
 ORDER BY s.n;
COMMENT ON VIEW @extschema@.wf_retention IS
'retention per status in the namespace of workflow_persist.namespace: keep = how long after its last update a finished run stays (NULL: forever)';

CREATE FUNCTION @extschema@.wf_set_retention(status pg_catalog.text, keep pg_catalog.interval,
                                             namespace pg_catalog.text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ns pg_catalog.text := @extschema@.wf_namespace(namespace);
BEGIN
    IF status IS NULL THEN
        RAISE EXCEPTION 'status must not be null' USING ERRCODE = '22004';
    END IF;
    IF status <> ALL (ARRAY['completed', 'failed', 'cancelled']) THEN
        RAISE EXCEPTION 'retention applies to completed, failed and cancelled runs, not to "%"', status
            USING ERRCODE = '22023',
                  HINT = CASE WHEN status = ANY (ARRAY['running', 'suspended'])
                         THEN 'Running and suspended runs are never removed by retention; give them a ttl (wf_set_ttl) to remove them.'
                         ELSE 'Use completed, failed or cancelled.' END;
    END IF;
    IF keep IS NULL THEN
        DELETE FROM @extschema@.wf_retention_policy AS p
         WHERE p.namespace = ns AND p.status = wf_set_retention.status;
    ELSIF keep <= '0'::pg_catalog.interval THEN
        RAISE EXCEPTION 'keep must be a positive interval'
            USING ERRCODE = '22023', HINT = 'Pass NULL to keep such runs forever.';
    ELSIF least(EXTRACT(year FROM keep), EXTRACT(month FROM keep), EXTRACT(day FROM keep),
                EXTRACT(hour FROM keep), EXTRACT(minute FROM keep),
                EXTRACT(second FROM keep)) < 0 THEN
        -- updated_at + keep >= updated_at must hold (the live rule relies on it)
        RAISE EXCEPTION 'keep must be a positive interval'
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('%s has a negative part.', keep),
                  HINT = 'Pass NULL to keep such runs forever.';
    ELSIF keep > '1000 years'::pg_catalog.interval THEN
        -- updated_at + keep and now() - keep must stay timestamps
        RAISE EXCEPTION 'keep must be at most 1000 years'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('The keep given is %s.', keep),
                  HINT = 'Pass NULL to keep such runs forever.';
    ELSE
        INSERT INTO @extschema@.wf_retention_policy AS p (namespace, status, keep)
        VALUES (ns, status, keep)
        ON CONFLICT ON CONSTRAINT wf_retention_policy_pkey DO UPDATE SET keep = EXCLUDED.keep;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_set_retention(pg_catalog.text, pg_catalog.interval, pg_catalog.text) IS
'keep finished runs of a status in a namespace for this long after their last update (NULL: forever)';

-- What the cleanup has done, in one row (wf_cleanup_status shows it).
CREATE TABLE @extschema@.wf_cleanup_state (
    singleton     pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
    runs          pg_catalog.int8 NOT NULL DEFAULT 0,
    deleted       pg_catalog.int8 NOT NULL DEFAULT 0,
    last_run_at   pg_catalog.timestamptz,
    last_deleted  pg_catalog.int8,
    last_error    pg_catalog.text,
    last_error_at pg_catalog.timestamptz,
    -- cleanups that found the lock below held and did nothing
    blocked_runs    pg_catalog.int8 NOT NULL DEFAULT 0,
    last_blocked_at pg_catalog.timestamptz
);
INSERT INTO @extschema@.wf_cleanup_state DEFAULT VALUES;

-- The lock that keeps two cleanups from running at once: its one row,
-- locked FOR UPDATE until the cleanup's transaction ends.  Locking a row
-- needs UPDATE on its table, which nobody but the owner has, so only
-- wf_cleanup_try_lock (SECURITY DEFINER, EXECUTE for writers only) takes
-- it: a role without write access cannot hold cleanup up.  (An advisory
-- lock needs no privilege at all: any role that could connect could
-- block retention forever with the key.)
CREATE TABLE @extschema@.wf_cleanup_lock (
    singleton pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton)
);
INSERT INTO @extschema@.wf_cleanup_lock DEFAULT VALUES;
COMMENT ON TABLE @extschema@.wf_cleanup_lock IS
'one row, locked by the cleanup that runs (wf_cleanup_status.lock_holder_pid)';

CREATE FUNCTION @extschema@.wf_cleanup_try_lock() RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM FROM @extschema@.wf_cleanup_lock AS l
      FOR UPDATE OF l SKIP LOCKED;
    IF FOUND THEN
        RETURN true;
    END IF;
    -- held: say so in wf_cleanup_status, unless the holder also holds the
    -- state row (it ran a cleanup in its open transaction): never wait
    UPDATE @extschema@.wf_cleanup_state AS c
       SET blocked_runs = c.blocked_runs OPERATOR(pg_catalog.+) 1,
           last_blocked_at = pg_catalog.clock_timestamp()
     WHERE c.singleton
       AND c.singleton IN (SELECT x.singleton FROM @extschema@.wf_cleanup_state AS x
                            FOR UPDATE OF x SKIP LOCKED);
    RETURN false;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_cleanup_try_lock() IS
'take the cleanup lock for this transaction; false (recorded in wf_cleanup_status) when another cleanup holds it';

-- The history of workflows that no longer exist: what wf_cleanup deletes
-- after their headers.  It runs with the owner's rights (nobody else may
-- delete wf_event rows) and deletes only rows whose header is gone, so
-- whatever ids a caller passes, no live workflow loses its history.  With
-- row_security off, a policy that would hide a header from the owner
-- (FORCE ROW LEVEL SECURITY) makes it fail instead of deleting.
CREATE FUNCTION @extschema@.wf_forget_history(ids pg_catalog.text[],
                                              namespaces pg_catalog.text[] DEFAULT NULL)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET row_security = off
AS $$
    -- ids[i] is in namespaces[i] (namespaces NULL: the setting's namespace)
    DELETE FROM @extschema@.wf_event AS e
     USING ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($1)) AS k(ns, id)
     WHERE e.namespace OPERATOR(pg_catalog.=) COALESCE(k.ns, @extschema@.wf_namespace())
       AND e.workflow_id OPERATOR(pg_catalog.=) k.id
       AND NOT EXISTS (SELECT FROM @extschema@.wf_workflow AS w
                        WHERE w.namespace OPERATOR(pg_catalog.=) e.namespace
                          AND w.id OPERATOR(pg_catalog.=) e.workflow_id)
$$;
COMMENT ON FUNCTION @extschema@.wf_forget_history(pg_catalog.text[], pg_catalog.text[]) IS
'delete the history of the given ids whose workflow no longer exists (wf_cleanup)';

-- The session whose transaction holds the cleanup lock, if any: the row's
-- locker (xmax) is a transaction that is still running.
CREATE FUNCTION @extschema@.wf_cleanup_lock_holder() RETURNS pg_catalog.int4
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l.pid
      FROM @extschema@.wf_cleanup_lock AS c, pg_catalog.pg_locks AS l
     WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted
       AND l.transactionid = c.xmax AND c.xmax <> '0'::pg_catalog.xid
     LIMIT 1
$$;

CREATE FUNCTION @extschema@.wf_cleanup(batch_size pg_catalog.int4 DEFAULT 1000,
                                       max_rows pg_catalog.int8 DEFAULT NULL,
                                       dry_run pg_catalog.bool DEFAULT false,
                                       namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    total pg_catalog.int8 := 0;
    want pg_catalog.int4;
    got pg_catalog.int4;
    ns pg_catalog.text := @extschema@.wf_namespace(namespace, true);
    ids pg_catalog.text[];
    nss pg_catalog.text[];
BEGIN
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'batch_size must be at least 1' USING ERRCODE = '22023';
    END IF;
    IF max_rows IS NOT NULL AND max_rows < 0 THEN
        RAISE EXCEPTION 'max_rows must not be negative' USING ERRCODE = '22023';
    END IF;
    -- (a dry run takes no lock: readers may count)
    IF NOT dry_run THEN
        IF NOT @extschema@.wf_cleanup_try_lock() THEN
            RAISE NOTICE 'another workflow_persist cleanup is running; nothing done';
            RETURN 0;
        END IF;
    END IF;

    IF dry_run THEN
        SELECT count(*) INTO total
          FROM (SELECT FROM @extschema@.wf_workflow AS w
                 WHERE (ns = '*' OR w.namespace = ns) AND w.version > 0
                   AND NOT EXISTS (SELECT FROM @extschema@.wf_live AS l
                                    WHERE l.namespace = w.namespace AND l.id = w.id)
                 LIMIT max_rows) AS x;
        RETURN total;
    END IF;

    LOOP
        want := CASE WHEN max_rows IS NULL THEN batch_size
                     ELSE least(batch_size::pg_catalog.int8, max_rows - total)::pg_catalog.int4 END;
        EXIT WHEN want <= 0;
        -- Candidates come from indexes only: expiries (wf_workflow_expires_idx)
        -- and finished runs past their namespace's retention
        -- (wf_workflow_finished_idx, one range per policy), oldest first,
        -- twice as many as wanted so that rows writers hold (skipped) do
        -- not starve the batch.  The retention test is the one of wf_live
        -- (updated_at + keep <= now()); the bound before it, which month
        -- lengths make up to 3 days looser, lets the index range-scan.  The
        -- expiry is re-checked on the row as locked, so a concurrent
        -- refresh wins.
        --
        -- A workflow goes whole or not at all (docs/design.md, "Deleting a
        -- workflow"): this statement only locks the victims' headers, and
        -- the deletes below run as statements of their own, whose fresh
        -- snapshots see every step and event committed before the lock (a
        -- writer that committed between this statement's snapshot and its
        -- lock is seen by the lock, not by this snapshot).  Every writer
        -- locks the header before it adds a row, so none can add one now.
        WITH candidates AS (
                (SELECT w.namespace, w.id, w.expires_at AS gone_at
                   FROM @extschema@.wf_workflow AS w
                  WHERE w.expires_at <= now() AND (ns = '*' OR w.namespace = ns)
                  ORDER BY w.expires_at LIMIT 2 * want::pg_catalog.int8)
                UNION ALL
                (SELECT f.namespace, f.id, f.gone_at
                   FROM @extschema@.wf_retention_policy AS p,
                        LATERAL (SELECT w.namespace, w.id, w.updated_at + p.keep AS gone_at
                                   FROM @extschema@.wf_workflow AS w
                                  WHERE w.namespace = p.namespace AND w.status = p.status
                                    AND w.status = ANY (ARRAY['completed', 'failed', 'cancelled'])
                                    AND w.updated_at <= now() - p.keep + '3 days'::pg_catalog.interval
                                    AND CASE WHEN w.updated_at > now() THEN false
                                             ELSE w.updated_at + p.keep <= now() END
                                  ORDER BY w.updated_at LIMIT 2 * want::pg_catalog.int8) AS f
                  WHERE (ns = '*' OR p.namespace = ns)
                  ORDER BY f.gone_at LIMIT 2 * want::pg_catalog.int8)),
             oldest AS (
                SELECT c.namespace, c.id, min(c.gone_at) AS gone_at FROM candidates AS c
                 GROUP BY c.namespace, c.id ORDER BY 3 LIMIT 2 * want::pg_catalog.int8),
             victims AS (
                SELECT w.namespace, w.id FROM @extschema@.wf_workflow AS w
                  JOIN oldest AS o ON o.namespace = w.namespace AND o.id = w.id
                 WHERE w.expires_at <= now()
                    OR EXISTS (SELECT FROM @extschema@.wf_retention_policy AS r
                                WHERE r.namespace = w.namespace AND r.status = w.status
                                  AND CASE WHEN w.updated_at > now() THEN false
                                           ELSE w.updated_at + r.keep <= now() END)
                 ORDER BY o.gone_at LIMIT want
                   FOR UPDATE OF w SKIP LOCKED)
        SELECT pg_catalog.array_agg(v.id), pg_catalog.array_agg(v.namespace)
          INTO ids, nss FROM victims AS v;
        EXIT WHEN ids IS NULL;
        DELETE FROM @extschema@.wf_step AS s USING ROWS FROM (pg_catalog.unnest(nss), pg_catalog.unnest(ids)) AS k(ns, id)
         WHERE s.namespace = k.ns AND s.workflow_id = k.id;
        DELETE FROM @extschema@.wf_workflow AS w USING ROWS FROM (pg_catalog.unnest(nss), pg_catalog.unnest(ids)) AS k(ns, id)
         WHERE w.namespace = k.ns AND w.id = k.id;
        GET DIAGNOSTICS got = ROW_COUNT;
        -- their history, once the headers are gone: only the owner may
        -- delete it (docs/security.md)
        PERFORM @extschema@.wf_forget_history(ids, nss);
        total := total + got;
        -- fewer than wanted may only mean rows were skipped: go on until a
        -- batch finds nothing it can delete
        EXIT WHEN got = 0;
    END LOOP;

    UPDATE @extschema@.wf_cleanup_state
       SET runs = runs + 1, deleted = deleted + total,
           last_run_at = clock_timestamp(), last_deleted = total;
    RETURN total;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_cleanup(pg_catalog.int4, pg_catalog.int8, pg_catalog.bool, pg_catalog.text) IS
'delete expired workflows (ttl or retention) of a namespace (''*'': every one), oldest first, in batches, skipping rows writers hold; returns how many';

-- For big backlogs: one batch per transaction.  A procedure that commits
-- cannot carry a SET clause, so it names everything with its schema.
CREATE PROCEDURE @extschema@.wf_cleanup_all(batch_size pg_catalog.int4 DEFAULT 1000,
                                            max_rows pg_catalog.int8 DEFAULT NULL,
                                            namespace pg_catalog.text DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    total pg_catalog.int8 := 0;
    want pg_catalog.int8;
    got pg_catalog.int8;
BEGIN
    IF batch_size IS NULL OR batch_size OPERATOR(pg_catalog.<) 1 THEN
        RAISE EXCEPTION 'batch_size must be at least 1' USING ERRCODE = '22023';
    END IF;
    IF max_rows IS NOT NULL AND max_rows OPERATOR(pg_catalog.<) 0 THEN
        RAISE EXCEPTION 'max_rows must not be negative' USING ERRCODE = '22023';
    END IF;
    LOOP
        want := CASE WHEN max_rows IS NULL THEN batch_size
                     ELSE LEAST(batch_size::pg_catalog.int8, max_rows OPERATOR(pg_catalog.-) total) END;
        EXIT WHEN want OPERATOR(pg_catalog.<=) 0;
        -- one batch per transaction
        got := @extschema@.wf_cleanup(want::pg_catalog.int4, want, false, namespace);
        total := total OPERATOR(pg_catalog.+) got;
        COMMIT;
        EXIT WHEN got OPERATOR(pg_catalog.=) 0;
    END LOOP;
    RAISE NOTICE 'workflow_persist cleanup deleted % workflows', total;
END
$$;
COMMENT ON PROCEDURE @extschema@.wf_cleanup_all(pg_catalog.int4, pg_catalog.int8, pg_catalog.text) IS
'wf_cleanup one batch per transaction until nothing expired is left';

CREATE VIEW @extschema@.wf_cleanup_status WITH (security_invoker = true) AS
SELECT c.runs, c.deleted, c.last_run_at, c.last_deleted, c.last_error, c.last_error_at,
       (SELECT pg_catalog.count(*) FROM @extschema@.wf_workflow AS w
         WHERE w.version OPERATOR(pg_catalog.>) 0
           AND NOT EXISTS (SELECT FROM @extschema@.wf_live AS l
                            WHERE l.namespace = w.namespace AND l.id = w.id))
           AS expired_waiting,
       c.blocked_runs, c.last_blocked_at,
       @extschema@.wf_cleanup_lock_holder() AS lock_holder_pid
  FROM @extschema@.wf_cleanup_state AS c;
COMMENT ON VIEW @extschema@.wf_cleanup_status IS
'what cleanup (worker, pg_cron or manual) has deleted, when, its last error, what awaits deletion, and who holds the cleanup lock';

------------------------------------------------------------------------------
-- Checkpoints from triggers and from stored procedures
-- (docs/reference.md, "Auto-checkpoint trigger"; guide docs/durable-procedures.md)
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.wf_checkpoint_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'wf_checkpoint_trigger'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_checkpoint_trigger() IS
'AFTER INSERT OR UPDATE FOR EACH ROW: record each row as a step (arguments: id column, step key column[, value column ('': the row)[, namespace]])';

CREATE FUNCTION @extschema@.wf_attach_checkpoint(tbl pg_catalog.regclass,
                                                 id_column pg_catalog.name,
                                                 key_column pg_catalog.name,
                                                 value_column pg_catalog.name DEFAULT NULL,
                                                 namespace pg_catalog.text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col pg_catalog.name;
BEGIN
    IF tbl IS NULL OR id_column IS NULL OR key_column IS NULL THEN
        RAISE EXCEPTION 'tbl, id_column and key_column must not be null' USING ERRCODE = '22004';
    END IF;
    -- checked now; without one, the trigger writes to the namespace
    -- workflow_persist.namespace names when each row is written
    IF namespace IS NOT NULL THEN
        PERFORM @extschema@.wf_namespace(namespace);
    END IF;
    FOREACH col IN ARRAY ARRAY[id_column, key_column, value_column] LOOP
        IF col IS NOT NULL AND NOT EXISTS (
               SELECT FROM pg_attribute AS a
                WHERE a.attrelid = tbl AND a.attname = col
                  AND a.attnum > 0 AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'column "%" does not exist in table %', col, tbl
                USING ERRCODE = '42703';
        END IF;
    END LOOP;
    EXECUTE format('CREATE TRIGGER wf_checkpoint AFTER INSERT OR UPDATE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION @extschema@.wf_checkpoint_trigger(%L, %L%s)',
                   tbl, id_column, key_column,
                   CASE WHEN value_column IS NULL AND namespace IS NULL THEN ''
                        ELSE ', ' || quote_literal(COALESCE(value_column, '')) END
                   || CASE WHEN namespace IS NULL THEN ''
                           ELSE ', ' || quote_literal(namespace) END);
END
$$;
COMMENT ON FUNCTION @extschema@.wf_attach_checkpoint(pg_catalog.regclass, pg_catalog.name, pg_catalog.name, pg_catalog.name, pg_catalog.text) IS
'checkpoint every inserted or updated row of a table as a workflow step (trigger wf_checkpoint)';

CREATE FUNCTION @extschema@.wf_detach_checkpoint(tbl pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'tbl must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_trigger AS t
                    WHERE t.tgrelid = tbl AND t.tgname = 'wf_checkpoint') THEN
        RAISE EXCEPTION 'table % has no checkpoint trigger', tbl
            USING ERRCODE = '42704', HINT = 'wf_attach_checkpoint() creates it.';
    END IF;
    EXECUTE format('DROP TRIGGER wf_checkpoint ON %s', tbl);
END
$$;
COMMENT ON FUNCTION @extschema@.wf_detach_checkpoint(pg_catalog.regclass) IS
'remove the checkpoint trigger of a table';

CREATE FUNCTION @extschema@.wf_step_result(id pg_catalog.text, step_key pg_catalog.text,
                                           namespace pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.result
      FROM @extschema@.wf_step AS s
      JOIN @extschema@.wf_live AS w ON w.namespace = s.namespace AND w.id = s.workflow_id
     WHERE s.namespace = @extschema@.wf_namespace($3)
       AND s.workflow_id = @extschema@.wf_check_id($1) AND s.step_key = $2
$$;
COMMENT ON FUNCTION @extschema@.wf_step_result(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'the recorded StepResult of one step, or NULL: what a durable procedure checks before each step';

------------------------------------------------------------------------------
-- Consistency check
--
-- wf_verify, in the spirit of amcheck: the counters every writer keeps in
-- a header (step_count, pending, size_bytes, next_pos) and the facts kept
-- in each step row (hash, size, ok, pending) recomputed from the stored
-- values by the same C code the writers use, plus step rows that belong to
-- no header.  No row means consistent.  It locks each header it checks as
-- a writer does, so it needs the writer grant.
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.wf_verify_workflow(id pg_catalog.text,
                                               missing_ok pg_catalog.bool DEFAULT false,
                                               namespace pg_catalog.text DEFAULT NULL)
RETURNS SETOF pg_catalog.text
AS 'MODULE_PATHNAME', 'wf_verify_workflow'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_verify_workflow(pg_catalog.text, pg_catalog.bool, pg_catalog.text) IS
'the disagreements between one live workflow''s header and its step rows (wf_verify does every workflow)';

CREATE FUNCTION @extschema@.wf_verify(id pg_catalog.text DEFAULT NULL,
                                      namespace pg_catalog.text DEFAULT NULL)
RETURNS TABLE (id pg_catalog.text, problem pg_catalog.text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH n AS (SELECT @extschema@.wf_namespace($2, $1 IS NULL) AS ns OFFSET 0)
    SELECT $1, p.problem
      FROM n, @extschema@.wf_verify_workflow($1,
               EXISTS (SELECT FROM @extschema@.wf_step AS s
                        WHERE s.namespace = n.ns AND s.workflow_id = $1), n.ns) AS p(problem)
     WHERE $1 IS NOT NULL
    UNION ALL
    SELECT w.id, p.problem
      FROM n, @extschema@.wf_live AS w,
           LATERAL @extschema@.wf_verify_workflow(w.id, true, w.namespace) AS p(problem)
     WHERE $1 IS NULL AND (n.ns = '*' OR w.namespace = n.ns)
    UNION ALL
    SELECT s.workflow_id, pg_catalog.format('%s step rows without a header', pg_catalog.count(*))
      FROM n, @extschema@.wf_step AS s
     WHERE ($1 IS NULL OR s.workflow_id = $1)
       AND (n.ns = '*' OR s.namespace = n.ns)
       AND NOT EXISTS (SELECT FROM @extschema@.wf_workflow AS h
                        WHERE h.namespace = s.namespace AND h.id = s.workflow_id)
     GROUP BY s.namespace, s.workflow_id
    ORDER BY 1, 2
$$;
COMMENT ON FUNCTION @extschema@.wf_verify(pg_catalog.text, pg_catalog.text) IS
'consistency check of one workflow (or all): header counters against step rows, and step rows without a header';

------------------------------------------------------------------------------
-- Tenants (docs/security.md, "Tenants")
--
-- A workflow may belong to a tenant: the column wf_workflow.tenant, set
-- when the workflow is created (from workflow_persist.tenant, or the one
-- tenant the role is bound to) and never changed.  wf_enable_isolation()
-- makes it the security boundary: row-level-security policies, forced on
-- the tables' owner too, let a role see and change only the workflows of
-- the tenants it is bound to (wf_bind_tenant), or, bound to none, only the
-- workflows without a tenant.  The superuser, roles with BYPASSRLS and the
-- extension's owner see every workflow.  A namespace organizes workflows;
-- the tenant is the boundary.
------------------------------------------------------------------------------

-- A tenant name is 1 to 63 bytes of [A-Za-z0-9_.-]: the rule of the
-- setting workflow_persist.tenant (src/wfp_settings.c), written once.
CREATE FUNCTION @extschema@.wf_check_tenant(tenant pg_catalog.text) RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'wf_check_tenant'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_check_tenant(pg_catalog.text) IS
'returns a valid tenant name unchanged, raises 22023 otherwise';

-- Which roles may use which tenants (wf_bind_tenant).  A role uses the
-- tenants of the roles it has the privileges of (pg_has_role USAGE).
CREATE TABLE @extschema@.wf_tenant_binding (
    role   pg_catalog.regrole NOT NULL,
    tenant pg_catalog.text COLLATE "C" NOT NULL,
    PRIMARY KEY (role, tenant)
);
COMMENT ON TABLE @extschema@.wf_tenant_binding IS
'the tenants each role may use when isolation is on (wf_bind_tenant)';

-- Per-tenant limits (wf_set_quota); NULL = no limit.
CREATE TABLE @extschema@.wf_tenant_quota (
    tenant        pg_catalog.text COLLATE "C" PRIMARY KEY,
    max_workflows pg_catalog.int8,
    max_bytes     pg_catalog.int8
);
COMMENT ON TABLE @extschema@.wf_tenant_quota IS
'the most workflows and bytes (size_bytes) each tenant may hold (wf_set_quota)';

-- What each tenant holds, kept by the triggers below (not dumped: a
-- restore's COPY into wf_workflow counts every row again): shard 0 counts the
-- workflows (its row lock orders concurrent creations of one tenant, so
-- max_workflows is exact), shards 1..8 take the byte changes of the
-- checkpoints (one per backend, pg_backend_pid() % 8, so concurrent
-- writers of one tenant rarely wait for each other).  A tenant holds the
-- sum of its rows.
CREATE TABLE @extschema@.wf_tenant_counter (
    tenant    pg_catalog.text COLLATE "C" NOT NULL,
    shard     pg_catalog.int2 NOT NULL,
    workflows pg_catalog.int8 NOT NULL,
    bytes     pg_catalog.int8 NOT NULL,
    PRIMARY KEY (tenant, shard)
);
COMMENT ON TABLE @extschema@.wf_tenant_counter IS
'workflows and bytes per tenant, in shards (sum them; the view wf_tenant_usage does)';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_tenant_binding', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_tenant_quota', '');

-- true for the superuser and the extension's owner: who may change
-- isolation, bindings and quotas
CREATE FUNCTION @extschema@.wf_tenant_owner() RETURNS pg_catalog.bool
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.rolsuper OR r.oid = (SELECT e.extowner FROM pg_catalog.pg_extension AS e
                                   WHERE e.extname = 'workflow_persist')
      FROM pg_catalog.pg_roles AS r
     WHERE r.rolname = current_user
$$;

CREATE FUNCTION @extschema@.wf_require_tenant_owner(what pg_catalog.text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT @extschema@.wf_tenant_owner() THEN
        RAISE EXCEPTION 'permission denied to %', what
            USING ERRCODE = '42501',
                  DETAIL = 'Only the owner of the extension workflow_persist or a superuser may.';
    END IF;
END
$$;

-- true when wf_enable_isolation() is in force (its policy, not a
-- hand-written one, on wf_workflow)
CREATE FUNCTION @extschema@.wf_isolation_enabled() RETURNS pg_catalog.bool
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.relrowsecurity AND EXISTS (SELECT FROM pg_catalog.pg_policy AS p
                                         WHERE p.polrelid = c.oid AND p.polname = 'wf_tenant')
      FROM pg_catalog.pg_class AS c
     WHERE c.oid = '@extschema@.wf_workflow'::pg_catalog.regclass
$$;
COMMENT ON FUNCTION @extschema@.wf_isolation_enabled() IS
'true when tenant isolation is on (wf_enable_isolation)';

-- the tenants the current role is bound to (NULL: none)
CREATE FUNCTION @extschema@.wf_role_tenants() RETURNS pg_catalog.text[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.array_agg(DISTINCT b.tenant ORDER BY b.tenant)
      FROM @extschema@.wf_tenant_binding AS b
     WHERE pg_catalog.pg_has_role(b.role::pg_catalog.oid, 'USAGE')
$$;
COMMENT ON FUNCTION @extschema@.wf_role_tenants() IS
'the tenants the current role is bound to, sorted (NULL when none)';

-- The tenant a workflow created now gets: the setting, else the role's
-- only tenant, else none.
CREATE FUNCTION @extschema@.wf_current_tenant() RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s pg_catalog.text := NULLIF(pg_catalog.current_setting('workflow_persist.tenant', true), '');
    bound pg_catalog.text[];
BEGIN
    IF s IS NOT NULL THEN
        RETURN s;
    END IF;
    bound := @extschema@.wf_role_tenants();
    IF pg_catalog.cardinality(bound) = 1 THEN
        RETURN bound[1];
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_current_tenant() IS
'the tenant of the workflows created now: workflow_persist.tenant, else the role''s only tenant, else NULL';

-- What the isolation policies let the current role see: NULL for every
-- workflow, otherwise the tenants, '' standing for "no tenant" (no tenant
-- name is empty).  With workflow_persist.tenant set, only that tenant, and
-- 42501 when the role is not bound to it.  The policies call it in an
-- uncorrelated sub-select, so it runs once per statement, not per row; it
-- reads the role's bindings once per transaction (src/wfp_tenant.c).
CREATE FUNCTION @extschema@.wf_visible_tenants() RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'wf_visible_tenants'
LANGUAGE C STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_visible_tenants() IS
'the tenants the isolation policies let the current role use (NULL: all; '''' stands for no tenant)';

-- The default of wf_workflow.tenant: wf_current_tenant(), refused (42501)
-- under isolation when it is not one the role may use.
CREATE FUNCTION @extschema@.wf_new_tenant() RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t pg_catalog.text := @extschema@.wf_current_tenant();
    visible pg_catalog.text[];
BEGIN
    IF NOT @extschema@.wf_isolation_enabled() THEN
        RETURN t;
    END IF;
    visible := @extschema@.wf_visible_tenants();
    IF visible IS NULL OR COALESCE(t, '') = ANY (visible) THEN
        RETURN t;
    END IF;
    RAISE EXCEPTION 'role "%" is bound to several tenants and workflow_persist.tenant is not set', current_user
        USING ERRCODE = '42501',
              DETAIL = 'It may use: ' || pg_catalog.array_to_string(visible, ', ') || '.',
              HINT = 'SET LOCAL workflow_persist.tenant names the tenant of the workflows a transaction creates.';
END
$$;

ALTER TABLE @extschema@.wf_workflow
    ADD COLUMN tenant pg_catalog.text COLLATE "C" DEFAULT @extschema@.wf_new_tenant();
COMMENT ON COLUMN @extschema@.wf_workflow.tenant IS
'the tenant, set at creation and never changed (NULL: none)';

-- A header's tenant never changes.  AFTER ... OF tenant: a write that does
-- not name the column (every checkpoint) queues nothing.
CREATE FUNCTION @extschema@.wf_tenant_fixed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'the tenant of workflow "%" cannot be changed', OLD.id
        USING ERRCODE = '42501',
              DETAIL = pg_catalog.format('It was created for %s.',
                                         COALESCE(pg_catalog.quote_literal(OLD.tenant), 'no tenant'));
END
$$;
CREATE TRIGGER wf_tenant_fixed AFTER UPDATE OF tenant ON @extschema@.wf_workflow
    FOR EACH ROW WHEN (OLD.tenant IS DISTINCT FROM NEW.tenant)
    EXECUTE FUNCTION @extschema@.wf_tenant_fixed();

-- The counters and the quota check.  SECURITY DEFINER (the extension's
-- owner): writers may not write wf_tenant_counter themselves, or they
-- could forge their usage.  It counts only rows of wf_workflow.
CREATE FUNCTION @extschema@.wf_tenant_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n pg_catalog.int8;
    b pg_catalog.int8;
    delta pg_catalog.int8;
    q @extschema@.wf_tenant_quota;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.wf_workflow'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'wf_tenant_count() counts only the rows of workflow_persist.wf_workflow'
            USING ERRCODE = '39P01';
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO @extschema@.wf_tenant_counter AS c (tenant, shard, workflows, bytes)
        SELECT g.tenant, 0, -pg_catalog.count(*), -pg_catalog.sum(g.size_bytes)
          FROM gone AS g WHERE g.tenant IS NOT NULL GROUP BY g.tenant
        ON CONFLICT (tenant, shard) DO UPDATE
           SET workflows = c.workflows + EXCLUDED.workflows, bytes = c.bytes + EXCLUDED.bytes;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        delta := NEW.size_bytes;
        INSERT INTO @extschema@.wf_tenant_counter AS c (tenant, shard, workflows, bytes)
        VALUES (NEW.tenant, 0, 1, delta)
        ON CONFLICT (tenant, shard) DO UPDATE
           SET workflows = c.workflows + 1, bytes = c.bytes + EXCLUDED.bytes
        RETURNING c.workflows INTO n;
    ELSE
        delta := NEW.size_bytes - OLD.size_bytes;
        INSERT INTO @extschema@.wf_tenant_counter AS c (tenant, shard, workflows, bytes)
        VALUES (NEW.tenant, 1 + pg_catalog.pg_backend_pid() % 8, 0, delta)
        ON CONFLICT (tenant, shard) DO UPDATE SET bytes = c.bytes + EXCLUDED.bytes;
    END IF;
    SELECT * INTO q FROM @extschema@.wf_tenant_quota AS t WHERE t.tenant = NEW.tenant;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    -- Refused: the store's creations (its claim of a new id is a version
    -- 0 placeholder) and growth.  A complete row inserted directly (a
    -- restore's COPY) is counted, never refused.
    IF (TG_OP = 'INSERT' AND NEW.version = 0 AND n > q.max_workflows)
       OR (delta > 0 AND q.max_bytes IS NOT NULL
           AND (SELECT pg_catalog.sum(c.bytes) FROM @extschema@.wf_tenant_counter AS c
                 WHERE c.tenant = NEW.tenant) > q.max_bytes) THEN
        SELECT pg_catalog.sum(c.workflows), pg_catalog.sum(c.bytes) INTO n, b
          FROM @extschema@.wf_tenant_counter AS c WHERE c.tenant = NEW.tenant;
        RAISE EXCEPTION 'tenant "%" is over its quota', NEW.tenant
            USING ERRCODE = '54000',
                  DETAIL = pg_catalog.format('It would hold %s workflows (%s) and %s bytes (%s).',
                                             n, COALESCE('at most ' || q.max_workflows, 'no limit'),
                                             b, COALESCE('at most ' || q.max_bytes, 'no limit')),
                  HINT = 'Delete workflows of the tenant, or raise its quota with wf_set_quota().';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER wf_tenant_count_insert AFTER INSERT ON @extschema@.wf_workflow
    FOR EACH ROW WHEN (NEW.tenant IS NOT NULL)
    EXECUTE FUNCTION @extschema@.wf_tenant_count();
CREATE TRIGGER wf_tenant_count_update AFTER UPDATE OF size_bytes ON @extschema@.wf_workflow
    FOR EACH ROW WHEN (NEW.tenant IS NOT NULL AND OLD.size_bytes OPERATOR(pg_catalog.<>) NEW.size_bytes)
    EXECUTE FUNCTION @extschema@.wf_tenant_count();
-- one counter update per statement, however many rows cleanup deletes
CREATE TRIGGER wf_tenant_count_delete AFTER DELETE ON @extschema@.wf_workflow
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.wf_tenant_count();

CREATE VIEW @extschema@.wf_tenant_usage WITH (security_invoker = true) AS
SELECT t.tenant,
       COALESCE((SELECT pg_catalog.sum(c.workflows) FROM @extschema@.wf_tenant_counter AS c
                  WHERE c.tenant = t.tenant), 0)::pg_catalog.int8 AS workflows,
       COALESCE((SELECT pg_catalog.sum(c.bytes) FROM @extschema@.wf_tenant_counter AS c
                  WHERE c.tenant = t.tenant), 0)::pg_catalog.int8 AS bytes,
       q.max_workflows, q.max_bytes
  FROM (SELECT c.tenant FROM @extschema@.wf_tenant_counter AS c
        UNION SELECT q.tenant FROM @extschema@.wf_tenant_quota AS q) AS t
  LEFT JOIN @extschema@.wf_tenant_quota AS q ON q.tenant = t.tenant
 ORDER BY t.tenant;
COMMENT ON VIEW @extschema@.wf_tenant_usage IS
'per tenant: workflows and bytes held, and its quota';

-- Bindings, quotas and counters name tenants: a role sees the
-- rows of the tenants it may use (they are not forced: the owner and the
-- counting trigger see all).
ALTER TABLE @extschema@.wf_tenant_binding ENABLE ROW LEVEL SECURITY;
CREATE POLICY wf_tenant ON @extschema@.wf_tenant_binding
    USING (pg_catalog.pg_has_role(role::pg_catalog.oid, 'USAGE'));
ALTER TABLE @extschema@.wf_tenant_quota ENABLE ROW LEVEL SECURITY;
CREATE POLICY wf_tenant ON @extschema@.wf_tenant_quota
    USING ((SELECT @extschema@.wf_visible_tenants()) IS NULL
           OR tenant = ANY ((SELECT @extschema@.wf_visible_tenants())::pg_catalog.text[]));
ALTER TABLE @extschema@.wf_tenant_counter ENABLE ROW LEVEL SECURITY;
CREATE POLICY wf_tenant ON @extschema@.wf_tenant_counter
    USING ((SELECT @extschema@.wf_visible_tenants()) IS NULL
           OR tenant = ANY ((SELECT @extschema@.wf_visible_tenants())::pg_catalog.text[]));

CREATE FUNCTION @extschema@.wf_bind_tenant(role pg_catalog.regrole, tenants pg_catalog.text[])
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t pg_catalog.text;
BEGIN
    PERFORM @extschema@.wf_require_tenant_owner('bind roles to tenants');
    IF role IS NULL THEN
        RAISE EXCEPTION 'role must not be null' USING ERRCODE = '22004';
    END IF;
    FOREACH t IN ARRAY COALESCE(tenants, '{}') LOOP
        PERFORM @extschema@.wf_check_tenant(t);
    END LOOP;
    DELETE FROM @extschema@.wf_tenant_binding AS b WHERE b.role = wf_bind_tenant.role;
    INSERT INTO @extschema@.wf_tenant_binding (role, tenant)
    SELECT DISTINCT wf_bind_tenant.role, u.t FROM pg_catalog.unnest(tenants) AS u(t);
END
$$;
COMMENT ON FUNCTION @extschema@.wf_bind_tenant(pg_catalog.regrole, pg_catalog.text[]) IS
'the tenants a role may use under isolation (replaces its binding; empty or NULL: none)';

CREATE FUNCTION @extschema@.wf_set_quota(tenant pg_catalog.text,
                                         max_workflows pg_catalog.int8,
                                         max_bytes pg_catalog.int8 DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.wf_require_tenant_owner('set tenant quotas');
    PERFORM @extschema@.wf_check_tenant(tenant);
    IF max_workflows < 0 OR max_bytes < 0 THEN
        RAISE EXCEPTION 'a quota must not be negative'
            USING ERRCODE = '22023', HINT = 'Pass NULL for no limit.';
    END IF;
    IF max_workflows IS NULL AND max_bytes IS NULL THEN
        DELETE FROM @extschema@.wf_tenant_quota AS q WHERE q.tenant = wf_set_quota.tenant;
    ELSE
        INSERT INTO @extschema@.wf_tenant_quota AS q VALUES (tenant, max_workflows, max_bytes)
        ON CONFLICT ON CONSTRAINT wf_tenant_quota_pkey DO UPDATE
           SET max_workflows = EXCLUDED.max_workflows, max_bytes = EXCLUDED.max_bytes;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_set_quota(pg_catalog.text, pg_catalog.int8, pg_catalog.int8) IS
'the most workflows and bytes a tenant may hold (NULL: no limit; both NULL removes the quota)';

-- Whether isolation is on: one row while it is.  pg_dump keeps the row
-- but not the policies nor the tables' row-security flags (the extension
-- creates its tables), so the triggers below apply the row's state, and
-- a restore, which inserts the row, turns isolation on again.
CREATE TABLE @extschema@.wf_isolation (
    singleton  pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
    enabled_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.wf_isolation IS
'one row while tenant isolation is on (wf_enable_isolation)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.wf_isolation', '');

-- The policies, forced on wf_workflow and wf_step (the owner passes them:
-- it sees every workflow).  The header's compares its tenant with
-- wf_visible_tenants(), evaluated once per statement (an InitPlan); the
-- steps' and events' join to their header, whose own policy then applies:
-- one primary-key probe per row.
CREATE FUNCTION @extschema@.wf_isolation_apply() RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.wf_isolation'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'wf_isolation_apply() applies only workflow_persist.wf_isolation'
            USING ERRCODE = '39P01';
    END IF;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_workflow;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_step;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_event;
    CREATE POLICY wf_tenant ON @extschema@.wf_workflow
        USING ((SELECT @extschema@.wf_visible_tenants()) IS NULL
               OR COALESCE(tenant, '') = ANY ((SELECT @extschema@.wf_visible_tenants())::pg_catalog.text[]));
    CREATE POLICY wf_tenant ON @extschema@.wf_step
        USING ((SELECT @extschema@.wf_visible_tenants()) IS NULL
               OR EXISTS (SELECT FROM @extschema@.wf_workflow AS h
                           WHERE h.namespace = wf_step.namespace AND h.id = wf_step.workflow_id));
    CREATE POLICY wf_tenant ON @extschema@.wf_event
        USING ((SELECT @extschema@.wf_visible_tenants()) IS NULL
               OR EXISTS (SELECT FROM @extschema@.wf_workflow AS h
                           WHERE h.namespace = wf_event.namespace AND h.id = wf_event.workflow_id));
    ALTER TABLE @extschema@.wf_workflow ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.wf_step ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    -- not forced: the store writes and prunes the history as the table's
    -- owner (src/wfp_store.c, as_history_owner; wf_forget_history with
    -- row_security off), and the owner sees every workflow anyway
    ALTER TABLE @extschema@.wf_event ENABLE ROW LEVEL SECURITY;
    RETURN NULL;
END
$$;
CREATE TRIGGER wf_isolation_apply AFTER INSERT ON @extschema@.wf_isolation
    FOR EACH ROW EXECUTE FUNCTION @extschema@.wf_isolation_apply();

CREATE FUNCTION @extschema@.wf_isolation_remove() RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.wf_isolation'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'wf_isolation_remove() applies only workflow_persist.wf_isolation'
            USING ERRCODE = '39P01';
    END IF;
    ALTER TABLE @extschema@.wf_workflow NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.wf_step NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.wf_event NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_workflow;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_step;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_event;
    RETURN NULL;
END
$$;
CREATE TRIGGER wf_isolation_remove AFTER DELETE ON @extschema@.wf_isolation
    FOR EACH ROW EXECUTE FUNCTION @extschema@.wf_isolation_remove();

CREATE FUNCTION @extschema@.wf_enable_isolation() RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.wf_require_tenant_owner('enable tenant isolation');
    DELETE FROM @extschema@.wf_isolation;
    INSERT INTO @extschema@.wf_isolation DEFAULT VALUES;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_enable_isolation() IS
'make the tenant a security boundary: forced row-level security on every table holding workflow data';

CREATE FUNCTION @extschema@.wf_disable_isolation() RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
BEGIN
    PERFORM @extschema@.wf_require_tenant_owner('disable tenant isolation');
    DELETE FROM @extschema@.wf_isolation;
    -- also what a row-less state left (a restore without the row)
    ALTER TABLE @extschema@.wf_workflow NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.wf_step NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.wf_event DISABLE ROW LEVEL SECURITY;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_workflow;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_step;
    DROP POLICY IF EXISTS wf_tenant ON @extschema@.wf_event;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_disable_isolation() IS
'undo wf_enable_isolation: every role granted access sees every workflow again';

------------------------------------------------------------------------------
-- Privileges
--
-- Every function runs with its caller's rights, and nothing that reads or
-- writes workflows is granted to PUBLIC: a role needs the grants that
-- wf_grant_access() makes (docs/reference.md, "Privileges").  The pure
-- functions above (validation, merge) stay available to everyone.
------------------------------------------------------------------------------

REVOKE ALL ON TABLE @extschema@.wf_status_word FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.wf_workflow, @extschema@.wf_step, @extschema@.wf_event,
    @extschema@.wf_retention_policy, @extschema@.wf_cleanup_state,
    @extschema@.wf_notify_key, @extschema@.wf_cleanup_lock FROM PUBLIC;
REVOKE ALL ON @extschema@.wf_live, @extschema@.wf_retention, @extschema@.wf_cleanup_status FROM PUBLIC;
REVOKE ALL ON @extschema@.wf_stats FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    @extschema@.wf_save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.interval, pg_catalog.int8, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.text),
    @extschema@.wf_save_step(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8, pg_catalog.text, pg_catalog.int4, pg_catalog.text),
    @extschema@.wf_merge(pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_load(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.text),
    @extschema@.wf_put_run(pg_catalog.text, pg_catalog.jsonb, pg_catalog.bytea, pg_catalog.int8, pg_catalog.text, pg_catalog.bool, pg_catalog.text),
    @extschema@.wf_put_run_step(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_update_run(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.jsonb, pg_catalog.bytea, pg_catalog.int8, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_get_run(pg_catalog.text, pg_catalog.text),
    @extschema@.wf_delete(pg_catalog.text, pg_catalog.text),
    @extschema@.wf_exists(pg_catalog.text, pg_catalog.text),
    @extschema@.wf_steps(pg_catalog.text, pg_catalog.text),
    @extschema@.wf_list(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_list_page(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_info(pg_catalog.text, pg_catalog.text),
    @extschema@.wf_stats(pg_catalog.text),
    @extschema@.wf_suspend(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text),
    @extschema@.wf_approve(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_reject(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_decide(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_resume(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text),
    @extschema@.wf_cancel(pg_catalog.text, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_replay(pg_catalog.text, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_fork(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_pending(pg_catalog.text, pg_catalog.text),
    @extschema@.wf_history(pg_catalog.text, pg_catalog.text),
    @extschema@.wf_resolve(pg_catalog.text, pg_catalog.text),
    @extschema@.wf_lease_acquire(pg_catalog.text, pg_catalog.text, pg_catalog.interval, pg_catalog.text),
    @extschema@.wf_lease_renew(pg_catalog.text, pg_catalog.text, pg_catalog.interval, pg_catalog.text),
    @extschema@.wf_lease_release(pg_catalog.text, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_set_ttl(pg_catalog.text, pg_catalog.interval, pg_catalog.text),
    @extschema@.wf_set_retention(pg_catalog.text, pg_catalog.interval, pg_catalog.text),
    @extschema@.wf_cleanup(pg_catalog.int4, pg_catalog.int8, pg_catalog.bool, pg_catalog.text),
    @extschema@.wf_notification(pg_catalog.text),
    @extschema@.wf_cleanup_try_lock(),
    @extschema@.wf_forget_history(pg_catalog.text[], pg_catalog.text[]),
    @extschema@.wf_cleanup_lock_holder(),
    @extschema@.wf_checkpoint_trigger(),
    @extschema@.wf_attach_checkpoint(pg_catalog.regclass, pg_catalog.name, pg_catalog.name, pg_catalog.name, pg_catalog.text),
    @extschema@.wf_detach_checkpoint(pg_catalog.regclass),
    @extschema@.wf_step_result(pg_catalog.text, pg_catalog.text, pg_catalog.text),
    @extschema@.wf_verify_workflow(pg_catalog.text, pg_catalog.bool, pg_catalog.text),
    @extschema@.wf_verify(pg_catalog.text, pg_catalog.text)
FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE @extschema@.wf_cleanup_all(pg_catalog.int4, pg_catalog.int8, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.wf_tenant_binding, @extschema@.wf_tenant_quota,
    @extschema@.wf_tenant_counter, @extschema@.wf_tenant_usage, @extschema@.wf_isolation FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    @extschema@.wf_tenant_owner(),
    @extschema@.wf_require_tenant_owner(pg_catalog.text),
    @extschema@.wf_isolation_enabled(),
    @extschema@.wf_role_tenants(),
    @extschema@.wf_current_tenant(),
    @extschema@.wf_visible_tenants(),
    @extschema@.wf_new_tenant(),
    @extschema@.wf_tenant_fixed(),
    @extschema@.wf_tenant_count(),
    @extschema@.wf_bind_tenant(pg_catalog.regrole, pg_catalog.text[]),
    @extschema@.wf_set_quota(pg_catalog.text, pg_catalog.int8, pg_catalog.int8),
    @extschema@.wf_enable_isolation(),
    @extschema@.wf_disable_isolation(),
    @extschema@.wf_isolation_apply(),
    @extschema@.wf_isolation_remove()
FROM PUBLIC;

CREATE FUNCTION @extschema@.wf_grant_access(role pg_catalog.regrole,
                                            writable pg_catalog.bool DEFAULT true)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE pg_catalog.format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA @extschema@ TO %s', role);
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION @extschema@.wf_grant_access(pg_catalog.regrole, pg_catalog.bool), @extschema@.wf_revoke_access(pg_catalog.regrole) FROM %s', role);
    EXECUTE pg_catalog.format('GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@ TO %s', role);
    -- the notification key stays the owner's (docs/security.md)
    EXECUTE pg_catalog.format('REVOKE ALL ON @extschema@.wf_notify_key FROM %s', role);
    IF NOT writable THEN
        -- whoever may take the cleanup lock may hold retention up
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION @extschema@.wf_cleanup_try_lock(), @extschema@.wf_forget_history(pg_catalog.text[], pg_catalog.text[]) FROM %s', role);
    ELSE
        -- not wf_event: the history is written by the store with the
        -- owner's rights, and nobody else may change it
        EXECUTE pg_catalog.format('GRANT INSERT, UPDATE, DELETE ON @extschema@.wf_workflow, @extschema@.wf_step TO %s', role);
        EXECUTE pg_catalog.format('GRANT UPDATE ON @extschema@.wf_cleanup_state TO %s', role);
        EXECUTE pg_catalog.format('GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA @extschema@ TO %s', role);
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_grant_access(pg_catalog.regrole, pg_catalog.bool) IS
'let a role use the store: read (writable => false) or read and write';

CREATE FUNCTION @extschema@.wf_revoke_access(role pg_catalog.regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE pg_catalog.format('REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM %s', role);
    EXECUTE pg_catalog.format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA @extschema@ FROM %s', role);
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM %s', role);
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA @extschema@ FROM %s', role);
END
$$;
COMMENT ON FUNCTION @extschema@.wf_revoke_access(pg_catalog.regrole) IS
'undo wf_grant_access (the pure functions stay available through PUBLIC)';

REVOKE EXECUTE ON FUNCTION
    @extschema@.wf_grant_access(pg_catalog.regrole, pg_catalog.bool),
    @extschema@.wf_revoke_access(pg_catalog.regrole)
FROM PUBLIC;

------------------------------------------------------------------------------
-- Scale-out (docs/scale-out.md): the shard hash the router places workflows
-- with, and the pruning step of resharding
------------------------------------------------------------------------------

-- Frozen: data placement depends on it (src/wfp_shard.c).
CREATE FUNCTION @extschema@.wf_shard_hash(namespace pg_catalog.text, id pg_catalog.text)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'wf_shard_hash'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_shard_hash(pg_catalog.text, pg_catalog.text) IS
'the frozen hash of (namespace, id) that places a workflow on a shard: partition = hash & (shards - 1)';

-- Delete from this shard every row that shard "shard" of "nshards" does not
-- own: the last step of splitting a shard by cloning it (docs/scale-out.md,
-- "Resharding").  Every table of the schema keyed by workflow (a column
-- workflow_id, or wf_workflow's id) is pruned; rows carry their namespace
-- when the table has that column, else they are in 'default'.
CREATE FUNCTION @extschema@.wf_shard_prune(shard pg_catalog.int4, nshards pg_catalog.int4)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
    ns pg_catalog.text;
    got pg_catalog.int8;
    workflows pg_catalog.int8 := 0;
BEGIN
    IF nshards IS NULL OR nshards < 1 OR nshards > 65536
       OR (nshards & (nshards - 1)) <> 0 THEN
        RAISE EXCEPTION 'nshards must be a power of two from 1 to 65536, not %', nshards
            USING ERRCODE = '22023',
                  HINT = 'PL/Proxy maps a hash to a partition with hash & (partitions - 1).';
    END IF;
    IF shard IS NULL OR shard < 0 OR shard >= nshards THEN
        RAISE EXCEPTION 'shard must be from 0 to %, not %', nshards - 1, shard
            USING ERRCODE = '22023';
    END IF;
    FOR t IN
        SELECT c.oid::pg_catalog.regclass AS tbl,
               CASE WHEN c.relname = 'wf_workflow' THEN 'id' ELSE 'workflow_id' END AS idcol,
               EXISTS (SELECT FROM pg_catalog.pg_attribute AS n
                        WHERE n.attrelid = c.oid AND n.attname = 'namespace'
                          AND NOT n.attisdropped) AS has_ns,
               c.relname = 'wf_workflow' AS header
          FROM pg_catalog.pg_class AS c
         WHERE c.relnamespace = '@extschema@'::pg_catalog.regnamespace
           AND c.relkind IN ('r', 'p')
           AND NOT c.relispartition
           AND (c.relname = 'wf_workflow'
                OR EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                            WHERE a.attrelid = c.oid AND a.attname = 'workflow_id'
                              AND NOT a.attisdropped))
         ORDER BY c.relname = 'wf_workflow', c.relname
    LOOP
        ns := CASE WHEN t.has_ns THEN 'x.namespace' ELSE '''default''' END;
        EXECUTE pg_catalog.format(
            'DELETE FROM %s AS x WHERE (@extschema@.wf_shard_hash(%s, x.%I) & $1) <> $2',
            t.tbl, ns, t.idcol)
          USING nshards - 1, shard;
        GET DIAGNOSTICS got = ROW_COUNT;
        IF t.header THEN
            workflows := got;
        END IF;
    END LOOP;
    RETURN workflows;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_shard_prune(pg_catalog.int4, pg_catalog.int4) IS
'delete the workflows (and their rows) that shard "shard" of "nshards" does not own; returns how many workflows';
REVOKE EXECUTE ON FUNCTION @extschema@.wf_shard_prune(pg_catalog.int4, pg_catalog.int4) FROM PUBLIC;
