-- The extension installs into its own schema; every object is reachable.
SELECT e.extname, e.extversion, n.nspname
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'workflow_persist';
SET search_path = workflow_persist, public;
SELECT wf_is_valid('{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"x"}}');
