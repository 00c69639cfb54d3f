-- Workflow ids and NULL arguments, for every function of the store.
--   ids are 1..512 bytes (multibyte characters count in bytes), else 22023;
--   a NULL id is 22004 everywhere.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set S '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}'

-- 1 and 512 bytes are accepted
SELECT wf_save('i', :'S');
SELECT wf_save(repeat('i', 512), :'S');
SELECT wf_save(repeat('é', 256), :'S');          -- 256 characters, 512 bytes
SELECT octet_length(id), version FROM wf_list(prefix => 'i') ORDER BY 1;
SELECT wf_exists(repeat('é', 256)), wf_load(repeat('é', 256)) IS NOT NULL AS loaded;

-- 0 bytes: 22023, from every function
SELECT wf_save('', :'S');
\echo :SQLSTATE
SELECT wf_save_step('', 'a', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_merge('', :'S');
\echo :SQLSTATE
SELECT wf_load('');
\echo :SQLSTATE
SELECT wf_delete('');
\echo :SQLSTATE
SELECT wf_exists('');
\echo :SQLSTATE
SELECT * FROM wf_steps('');
\echo :SQLSTATE
SELECT * FROM wf_info('');
\echo :SQLSTATE

-- 513 bytes: 22023, from every function
SELECT wf_save(repeat('i', 513), :'S');
\echo :SQLSTATE
SELECT wf_save_step(repeat('i', 513), 'a', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_merge(repeat('i', 513), :'S');
\echo :SQLSTATE
SELECT wf_load(repeat('i', 513));
\echo :SQLSTATE
SELECT wf_delete(repeat('i', 513));
\echo :SQLSTATE
SELECT wf_exists(repeat('i', 513));
\echo :SQLSTATE
SELECT * FROM wf_steps(repeat('i', 513));
\echo :SQLSTATE
SELECT * FROM wf_info(repeat('i', 513));
\echo :SQLSTATE
-- 257 characters but 513 bytes
SELECT wf_save(repeat('é', 256) || 'x', :'S');
\echo :SQLSTATE
SELECT wf_save_step(repeat('é', 256) || 'x', 'a', '{"ok":true}');
\echo :SQLSTATE
-- nothing was stored by the failures above
SELECT count(*) FROM wf_workflow WHERE octet_length(id) NOT BETWEEN 1 AND 512;

-- NULL id: 22004, from every function
SELECT wf_save(NULL, :'S');
\echo :SQLSTATE
SELECT wf_save_step(NULL, 'a', '{"ok":true}');
\echo :SQLSTATE
SELECT wf_merge(NULL, :'S');
\echo :SQLSTATE
SELECT wf_load(NULL);
\echo :SQLSTATE
SELECT wf_delete(NULL);
\echo :SQLSTATE
SELECT wf_exists(NULL);
\echo :SQLSTATE
SELECT * FROM wf_steps(NULL);
\echo :SQLSTATE
SELECT * FROM wf_info(NULL);
\echo :SQLSTATE

-- the other required arguments: 22004
SELECT wf_save('i', NULL);
\echo :SQLSTATE
SELECT wf_save_step('i', NULL, '{"ok":true}');
\echo :SQLSTATE
SELECT wf_save_step('i', 'a', NULL);
\echo :SQLSTATE
SELECT wf_merge('i', NULL);
\echo :SQLSTATE
-- optional arguments: NULL means "not given"
SELECT wf_save('i', :'S', NULL, NULL);
SELECT wf_save_step('i', 'a', '{"ok":true}', NULL);
SELECT wf_merge('i', :'S', NULL);
SELECT wf_load('i', 'all', NULL, NULL) = wf_load('i') AS same;
SELECT count(*) FROM wf_list(NULL, NULL, 100, NULL) WHERE id = 'i';

-- ids are case-sensitive and compared byte for byte
SELECT wf_exists('I'), wf_exists('i'), wf_exists('i ');

-- clean up
SELECT wf_delete('i'), wf_delete(repeat('i', 512)), wf_delete(repeat('é', 256));
SELECT count(*) AS leftovers FROM wf_workflow;
SELECT count(*) AS leftover_steps FROM wf_step;
