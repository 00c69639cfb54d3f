/* workflow_persist--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION workflow_persist" to load this file. \quit

-- The schema is created by CREATE EXTENSION (control file: schema =
-- workflow_persist).  Pure functions are usable by everyone; anything that
-- reads or writes stored workflows is granted explicitly.
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
    id          pg_catalog.text COLLATE "C" NOT NULL PRIMARY KEY,
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
    checked     pg_catalog.int2 NOT NULL
    -- status (one of running, suspended, completed, failed, cancelled) and
    -- id (1..512 bytes) are enforced by the C store: CHECK constraints would
    -- be re-read from the catalog on every checkpoint (docs/design.md)
) WITH (fillfactor = 90);
COMMENT ON TABLE @extschema@.wf_workflow IS
'one row per workflow: version, status and every snapshot member but the steps';

-- wf_list: newest first, keyset paging
CREATE INDEX wf_workflow_updated_idx ON @extschema@.wf_workflow (updated_at DESC, id);
-- expiry: the cleanup's work list (and the stats' "expired" count)
CREATE INDEX wf_workflow_expires_idx ON @extschema@.wf_workflow (expires_at)
    WHERE expires_at IS NOT NULL;

CREATE TABLE @extschema@.wf_step (
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
    PRIMARY KEY (workflow_id, step_key)
);
COMMENT ON TABLE @extschema@.wf_step IS
'one row per recorded step of a workflow';
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

------------------------------------------------------------------------------
-- Writing and reading snapshots (C)
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.wf_save(id pg_catalog.text, snapshot pg_catalog.jsonb,
                                    ttl pg_catalog.interval DEFAULT NULL,
                                    expected_version pg_catalog.int8 DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_save'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.interval, pg_catalog.int8) IS
'validate and store a whole snapshot (unchanged steps are not rewritten); returns the new version';

CREATE FUNCTION @extschema@.wf_save_step(id pg_catalog.text, step_key pg_catalog.text,
                                         result pg_catalog.jsonb,
                                         expected_version pg_catalog.int8 DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_save_step'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_save_step(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8) IS
'record one step result (a checkpoint); creates the workflow if absent; returns the new version';

CREATE FUNCTION @extschema@.wf_merge(id pg_catalog.text, delta pg_catalog.jsonb,
                                     expected_version pg_catalog.int8 DEFAULT NULL)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'wf_merge'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_merge(pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8) IS
'merge a delta into the stored snapshot under its row lock (wf_merge_snapshots semantics); returns the new version';

CREATE FUNCTION @extschema@.wf_load(id pg_catalog.text, include pg_catalog.text DEFAULT 'all',
                                    since_step pg_catalog.text DEFAULT NULL,
                                    step_limit pg_catalog.int4 DEFAULT NULL)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'wf_load'
LANGUAGE C STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.wf_load(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.int4) IS
'the stored snapshot (NULL when absent); include/since_step/step_limit filter its steps';

------------------------------------------------------------------------------
-- Inspecting and deleting (SQL)
------------------------------------------------------------------------------

-- The one definition of "visible": not past its expiry.
CREATE FUNCTION @extschema@.wf_check_id(id pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF id IS NULL THEN
        RAISE EXCEPTION 'workflow id must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.octet_length(id) NOT BETWEEN 1 AND 512 THEN
        RAISE EXCEPTION 'workflow id must be 1 to 512 bytes long'
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('The id given is %s bytes long.', pg_catalog.octet_length(id));
    END IF;
    RETURN id;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_check_id(pg_catalog.text) IS
'returns a valid workflow id unchanged, raises 22023 otherwise (used by the SQL functions)';

CREATE FUNCTION @extschema@.wf_delete(id pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    live pg_catalog.bool;
BEGIN
    DELETE FROM @extschema@.wf_workflow AS w
     WHERE w.id = @extschema@.wf_check_id(wf_delete.id)
    RETURNING (w.expires_at IS NULL OR w.expires_at > pg_catalog.now()) INTO live;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    DELETE FROM @extschema@.wf_step AS s WHERE s.workflow_id = wf_delete.id;
    RETURN live;
END
$$;
COMMENT ON FUNCTION @extschema@.wf_delete(pg_catalog.text) IS
'delete a workflow and its steps; false (not an error) when there was none';

CREATE FUNCTION @extschema@.wf_exists(id pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM @extschema@.wf_workflow AS w
                    WHERE w.id = @extschema@.wf_check_id($1)
                      AND (w.expires_at IS NULL OR w.expires_at > pg_catalog.now()))
$$;
COMMENT ON FUNCTION @extschema@.wf_exists(pg_catalog.text) IS
'true when the workflow exists and has not expired';

CREATE FUNCTION @extschema@.wf_steps(id pg_catalog.text)
RETURNS TABLE (pos pg_catalog.int4, step_key pg_catalog.text, ok pg_catalog.bool,
               result pg_catalog.jsonb, recorded_at pg_catalog.timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.pos, s.step_key, s.ok, s.result, s.recorded_at
      FROM @extschema@.wf_workflow AS w
      JOIN @extschema@.wf_step AS s ON s.workflow_id = w.id
     WHERE w.id = @extschema@.wf_check_id($1)
       AND (w.expires_at IS NULL OR w.expires_at > pg_catalog.now())
     ORDER BY s.pos
$$;
COMMENT ON FUNCTION @extschema@.wf_steps(pg_catalog.text) IS
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
CREATE FUNCTION @extschema@.wf_list_cursor(updated_at pg_catalog.timestamptz, id pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ((EXTRACT(epoch FROM $1) * 1000000)::pg_catalog.int8)::pg_catalog.text
           || ':' || $2
$$;

-- wf_list's worker (PL/pgSQL cannot name an IN and an OUT parameter alike).
CREATE FUNCTION @extschema@.wf_list_page(prefix pg_catalog.text, wanted_status pg_catalog.text,
                                         max_rows pg_catalog.int4, after pg_catalog.text)
RETURNS TABLE (id pg_catalog.text, status pg_catalog.text, version pg_catalog.int8,
               step_count pg_catalog.int4, size_bytes pg_catalog.int8,
               created_at pg_catalog.timestamptz, updated_at pg_catalog.timestamptz,
               expires_at pg_catalog.timestamptz, next pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    q pg_catalog.text;
    upper pg_catalog.text;
    after_ts pg_catalog.timestamptz;
    after_id pg_catalog.text;
    sep pg_catalog.int4;
BEGIN
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
        IF sep < 2 OR pg_catalog.substr(after, 1, sep - 1) !~ '^-?[0-9]{1,19}$' THEN
            RAISE EXCEPTION 'invalid cursor for after: "%"', after
                USING ERRCODE = '22023',
                      HINT = 'Pass the "next" value of the last row of the previous page.';
        END IF;
        BEGIN
            after_ts := 'epoch'::pg_catalog.timestamptz
                        + pg_catalog.substr(after, 1, sep - 1)::pg_catalog.int8
                          * '1 microsecond'::pg_catalog.interval;
        EXCEPTION WHEN numeric_value_out_of_range OR datetime_field_overflow THEN
            RAISE EXCEPTION 'invalid cursor for after: "%"', after
                USING ERRCODE = '22023',
                      HINT = 'Pass the "next" value of the last row of the previous page.';
        END;
        after_id := pg_catalog.substr(after, sep + 1);
    END IF;

    -- only the conditions asked for, so each is planned as an index range
    q := 'SELECT w.id, w.status, w.version, w.step_count, w.size_bytes, w.created_at,
                 w.updated_at, w.expires_at, @extschema@.wf_list_cursor(w.updated_at, w.id)
            FROM @extschema@.wf_workflow AS w
           WHERE (w.expires_at IS NULL OR w.expires_at > pg_catalog.now())';
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
    IF after IS NOT NULL THEN
        q := q || ' AND (w.updated_at < $4 OR (w.updated_at = $4 AND w.id > $5))';
    END IF;
    q := q || ' ORDER BY w.updated_at DESC, w.id LIMIT $6';
    RETURN QUERY EXECUTE q USING prefix, upper, wanted_status, after_ts, after_id, max_rows;
END
$$;

CREATE FUNCTION @extschema@.wf_list(prefix pg_catalog.text DEFAULT NULL,
                                    status pg_catalog.text DEFAULT NULL,
                                    max_rows pg_catalog.int4 DEFAULT 100,
                                    after pg_catalog.text DEFAULT NULL)
RETURNS TABLE (id pg_catalog.text, status pg_catalog.text, version pg_catalog.int8,
               step_count pg_catalog.int4, size_bytes pg_catalog.int8,
               created_at pg_catalog.timestamptz, updated_at pg_catalog.timestamptz,
               expires_at pg_catalog.timestamptz, next pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.wf_list_page($1, $2, $3, $4)
$$;
COMMENT ON FUNCTION @extschema@.wf_list(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.text) IS
'workflows, newest updated_at first; prefix is literal; after = the "next" of the last row seen';

CREATE FUNCTION @extschema@.wf_info(id pg_catalog.text)
RETURNS TABLE (id pg_catalog.text, status pg_catalog.text, version pg_catalog.int8,
               step_count pg_catalog.int4, size_bytes pg_catalog.int8,
               created_at pg_catalog.timestamptz, updated_at pg_catalog.timestamptz,
               expires_at pg_catalog.timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT w.id, w.status, w.version, w.step_count, w.size_bytes, w.created_at,
           w.updated_at, w.expires_at
      FROM @extschema@.wf_workflow AS w
     WHERE w.id = @extschema@.wf_check_id($1)
       AND (w.expires_at IS NULL OR w.expires_at > pg_catalog.now())
$$;
COMMENT ON FUNCTION @extschema@.wf_info(pg_catalog.text) IS
'the wf_list row of one workflow (no row when absent)';

CREATE VIEW @extschema@.wf_stats WITH (security_invoker = true) AS
SELECT s.status,
       pg_catalog.count(w.id) FILTER (WHERE NOT w.expired) AS workflows,
       COALESCE(pg_catalog.sum(w.step_count) FILTER (WHERE NOT w.expired), 0)::pg_catalog.int8 AS steps,
       COALESCE(pg_catalog.sum(w.size_bytes) FILTER (WHERE NOT w.expired), 0)::pg_catalog.int8 AS bytes,
       (SELECT l.id FROM @extschema@.wf_workflow AS l
         WHERE l.status = s.status
           AND (l.expires_at IS NULL OR l.expires_at > pg_catalog.now())
         ORDER BY l.size_bytes DESC, l.id LIMIT 1) AS largest_id,
       pg_catalog.max(w.size_bytes) FILTER (WHERE NOT w.expired) AS largest_bytes,
       pg_catalog.count(w.id) FILTER (WHERE w.expired) AS expired
  FROM (VALUES ('running'), ('suspended'), ('completed'), ('failed'), ('cancelled'))
       AS s(status)
  LEFT JOIN (SELECT x.id, x.status, x.step_count, x.size_bytes,
                    COALESCE(x.expires_at <= pg_catalog.now(), false) AS expired
               FROM @extschema@.wf_workflow AS x) AS w
         ON w.status = s.status
 GROUP BY s.status;
COMMENT ON VIEW @extschema@.wf_stats IS
'per status: live workflows, their steps and bytes, the largest one, and expired rows awaiting deletion';

------------------------------------------------------------------------------
-- Privileges
--
-- Every function runs with its caller's rights, and nothing that reads or
-- writes workflows is granted to PUBLIC: a role needs the grants that
-- wf_grant_access() makes (docs/reference.md, "Privileges").  The pure
-- functions above (validation, merge) stay available to everyone.
------------------------------------------------------------------------------

REVOKE ALL ON TABLE @extschema@.wf_workflow, @extschema@.wf_step FROM PUBLIC;
REVOKE ALL ON @extschema@.wf_stats FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    @extschema@.wf_save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.interval, pg_catalog.int8),
    @extschema@.wf_save_step(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8),
    @extschema@.wf_merge(pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8),
    @extschema@.wf_load(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.int4),
    @extschema@.wf_delete(pg_catalog.text),
    @extschema@.wf_exists(pg_catalog.text),
    @extschema@.wf_steps(pg_catalog.text),
    @extschema@.wf_list(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.text),
    @extschema@.wf_list_page(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.text),
    @extschema@.wf_info(pg_catalog.text)
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
    IF writable THEN
        EXECUTE pg_catalog.format('GRANT INSERT, UPDATE, DELETE ON @extschema@.wf_workflow, @extschema@.wf_step TO %s', role);
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
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM %s', role);
END
$$;
COMMENT ON FUNCTION @extschema@.wf_revoke_access(pg_catalog.regrole) IS
'undo wf_grant_access (the pure functions stay available through PUBLIC)';

REVOKE EXECUTE ON FUNCTION
    @extschema@.wf_grant_access(pg_catalog.regrole, pg_catalog.bool),
    @extschema@.wf_revoke_access(pg_catalog.regrole)
FROM PUBLIC;
