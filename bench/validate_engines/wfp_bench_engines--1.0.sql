/* wfp_bench_engines--1.0.sql (bench-only) */

\echo Use "CREATE EXTENSION wfp_bench_engines" to load this file. \quit

-- Declared exactly like workflow_persist.wf_is_valid (same volatility,
-- strictness and SET clause) so that the per-call fmgr overhead is the same
-- on both sides of the comparison.

CREATE FUNCTION wfp_bench_jansson_is_valid(snapshot jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'wfp_bench_jansson_is_valid'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION wfp_bench_jansson_validate(snapshot jsonb)
RETURNS text[]
AS 'MODULE_PATHNAME', 'wfp_bench_jansson_validate'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;

-- The baseline: the same call, detoasting the argument and nothing else.
CREATE FUNCTION wfp_bench_detoast_only(snapshot jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'wfp_bench_detoast_only'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;

-- Stages of the jansson path alone (for the breakdown): jsonb -> text, and
-- jsonb -> text -> jansson tree -> free.  Always true.
CREATE FUNCTION wfp_bench_jsonb_to_text(snapshot jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'wfp_bench_jsonb_to_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION wfp_bench_jansson_parse(snapshot jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'wfp_bench_jansson_parse'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, pg_temp;

-- The same two validators without the SET clause, to show what that clause
-- costs per call (the native one is workflow_persist's own C symbol).
CREATE FUNCTION wfp_bench_native_is_valid_noset(snapshot jsonb, strict boolean)
RETURNS boolean
AS '$libdir/workflow_persist', 'wf_is_valid'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT;

CREATE FUNCTION wfp_bench_jansson_is_valid_noset(snapshot jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'wfp_bench_jansson_is_valid'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT;
