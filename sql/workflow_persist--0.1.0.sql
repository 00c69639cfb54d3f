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
