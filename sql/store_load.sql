-- wf_load(id, include, since_step, step_limit): NULL when absent; filters
-- work on the recorded order of the steps; warnings follow the kept steps.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
LOAD 'workflow_persist';

SELECT wf_load('load:absent') IS NULL AS absent;
SELECT wf_load('load:absent', 'failed', 'x', 3) IS NULL AS absent;

-- s1 ok, s2 failed, s3 ok, s4 failed, s5 ok, recorded in that order
SELECT wf_save('load:w', '{"formatVersion":1,"workflowName":"w","steps":{"s1":{"ok":true,"value":1}},"execution":{"status":"running","lastUpdated":"t"},"metadata":{"m":1},"warnings":[{"type":"lossy_value","stepId":"s1","path":"a","reason":"circular"},{"type":"lossy_value","stepId":"s2","path":"b","reason":"circular"},{"type":"lossy_value","stepId":"ghost","path":"c","reason":"circular"},{"type":"lossy_value","stepId":"s4","path":"d","reason":"circular"},"not an object",{"type":"lossy_value","path":"e","reason":"circular"}],"other":1}');
SELECT wf_save_step('load:w', 's2', '{"ok":false,"error":"E2","cause":{"type":"thrown","stringRepresentation":"E2"}}');
SELECT wf_save_step('load:w', 's3', '{"ok":true,"value":3}');
SELECT wf_save_step('load:w', 's4', '{"ok":false,"error":"E4","cause":{"type":"thrown","stringRepresentation":"E4"}}');
SELECT wf_save_step('load:w', 's5', '{"ok":true,"value":5}');
SELECT pos, step_key, ok FROM wf_steps('load:w');

-- a plain load: every step and every warning, as stored
SELECT wf_load('load:w') #- '{execution,lastUpdated}' AS doc;
-- 'all' with no other filter is the plain load
SELECT wf_load('load:w', 'all') = wf_load('load:w') AS same;

-- a filtered load: only the steps kept, only the warnings of kept steps;
-- every other member as in the plain load
CREATE TEMP TABLE load_cases (n int, include text, since_step text, step_limit int);
INSERT INTO load_cases VALUES
    (1, 'completed', NULL, NULL),
    (2, 'failed', NULL, NULL),
    (3, 'all', 's2', NULL),
    (4, 'all', 's5', NULL),
    (5, 'all', 'unknown', NULL),
    (6, 'all', NULL, 0),
    (7, 'all', NULL, 2),
    (8, 'all', NULL, 99),
    (9, 'completed', NULL, 2),
    (10, 'failed', 's2', NULL),
    (11, 'completed', 's1', 1),
    (12, 'failed', 's4', 5),
    (13, 'all', 's3', 1);
SELECT n, include, since_step, step_limit,
       (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(d -> 'steps') k) AS steps,
       (SELECT string_agg(w ->> 'stepId', ',' ORDER BY o) FROM jsonb_array_elements(d -> 'warnings') WITH ORDINALITY AS x(w, o)) AS warnings,
       d ? 'warnings' AS has_warnings,
       (d - 'steps' - 'warnings') = (wf_load('load:w') - 'steps' - 'warnings') AS rest_same
  FROM load_cases, LATERAL wf_load('load:w', include, since_step, step_limit) AS d
 ORDER BY n;
-- the values of the kept steps are the stored ones
SELECT wf_load('load:w', 'failed') -> 'steps' AS failed_steps;
SELECT wf_load('load:w', since_step => 's4') -> 'steps' AS after_s4;
SELECT wf_load('load:w', step_limit => 0) #- '{execution,lastUpdated}' AS no_steps;
-- step_limit counts steps that pass the filter, in recorded order
SELECT wf_load('load:w', 'failed', NULL, 1) -> 'steps' AS first_failed;
SELECT wf_load('load:w', 'completed', 's1', 1) -> 'steps' AS first_completed_after_s1;
-- since_step is the position of the step, however its value changed later
SELECT wf_save_step('load:w', 's2', '{"ok":true,"value":"approved"}');
SELECT wf_load('load:w', since_step => 's2') -> 'steps' ?| array['s1', 's2'] AS has_s1_or_s2,
       (SELECT count(*) FROM jsonb_object_keys(wf_load('load:w', since_step => 's2') -> 'steps')) AS kept;
SELECT (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(wf_load('load:w', 'completed') -> 'steps') k) AS completed_now;

-- bad arguments: 22023
SELECT wf_load('load:w', 'ok');
\echo :SQLSTATE
SELECT wf_load('load:w', '');
\echo :SQLSTATE
SELECT wf_load('load:w', 'ALL');
\echo :SQLSTATE
SELECT wf_load('load:w', step_limit => -1);
\echo :SQLSTATE
-- even for an absent workflow
SELECT wf_load('load:absent', 'everything');
\echo :SQLSTATE
SELECT wf_load('load:absent', step_limit => -5);
\echo :SQLSTATE

-- steps without a boolean ok (validation off) are neither completed nor failed
SET workflow_persist.validation = off;
SELECT wf_save('load:off', '{"steps":{"a":5,"b":{"ok":"yes"},"c":{"ok":true},"d":{"ok":false}}}');
RESET workflow_persist.validation;
SELECT wf_load('load:off', 'completed') AS completed, wf_load('load:off', 'failed') AS failed,
       wf_load('load:off', 'all', 'a') AS after_a;
-- a filter drops a "warnings" member that is not an array
SET workflow_persist.validation = off;
SELECT wf_save('load:off', '{"steps":{"a":{"ok":true}},"warnings":"w"}');
RESET workflow_persist.validation;
SELECT wf_load('load:off') AS plain, wf_load('load:off', 'completed') AS filtered;

-- the empty step key is a key like any other
SELECT wf_save_step('load:e', 'x', '{"ok":true}');
SELECT wf_save_step('load:e', '', '{"ok":true}');
SELECT wf_save_step('load:e', 'y', '{"ok":true}');
SELECT wf_load('load:e', since_step => '') -> 'steps' AS after_empty;
SELECT wf_load('load:e', since_step => 'x') -> 'steps' AS after_x;

-- wf_load only reads: it works in a read-only transaction and changes nothing
SELECT version AS v, updated_at AS u FROM wf_info('load:w') \gset
BEGIN READ ONLY;
SELECT wf_load('load:w') IS NOT NULL AS loaded, wf_load('load:w', 'failed', 's1', 1) IS NOT NULL AS filtered;
COMMIT;
SET default_transaction_read_only = on;
SELECT wf_load('load:w') -> 'steps' -> 's5' AS s5;
RESET default_transaction_read_only;
SELECT version = :v AS same_version, updated_at = :'u' AS same_updated_at FROM wf_info('load:w');
SELECT provolatile FROM pg_proc WHERE oid = 'workflow_persist.wf_load(text,text,text,integer,text)'::regprocedure;

-- clean up
DROP TABLE load_cases;
SELECT id, wf_delete(id) FROM wf_list(prefix => 'load:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
