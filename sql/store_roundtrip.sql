-- Round trips: whatever wf_save stored, a plain wf_load returns an equal
-- document (jsonb =, and the same text: numbers keep their digits).
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never

CREATE TEMP TABLE rt_docs (n int PRIMARY KEY, note text, doc jsonb);
INSERT INTO rt_docs VALUES
(1, 'odd step keys and nested values',
 '{"formatVersion":1,"steps":{"":{"ok":true,"value":""},"ключ":{"ok":true,"value":"значение"},"a\"b":{"ok":true,"value":1.50},"line\nbreak":{"ok":true},"tab\tand\\backslash":{"ok":true,"value":"\\"},"😀":{"ok":true,"value":{"deep":[1,{"x":[null,true,false,1e3,-0.0,12345678901234567890.123456789,0.00000001]}]}},"hook:h-1":{"ok":false,"error":{"type":"PENDING_HOOK","hookId":"h-1"},"cause":{"type":"thrown","stringRepresentation":"pending"},"meta":{"origin":"result"}},"approve":{"ok":false,"error":{"type":"PENDING_APPROVAL","stepKey":"approve","reason":"r","metadata":{"k":[]}},"cause":{"type":"error","name":"E","message":"m","stack":"s","cause":{"type":"thrown","value":1,"stringRepresentation":"1","truncated":true}},"meta":{"origin":"throw"}}},"execution":{"status":"running","lastUpdated":"2024-01-01T00:00:00.000Z","currentStepId":"😀"}}'),
(2, 'every optional member',
 '{"formatVersion":1,"workflowName":"order-flow","steps":{"a":{"ok":true,"value":{"amount":10.10,"items":[{"sku":"x","qty":2}]}}},"execution":{"status":"completed","lastUpdated":"2024-01-01T00:00:00.000Z","completedAt":"2024-01-01T00:00:01.000Z","currentStepId":"a"},"metadata":{"workflowId":"w-1","definitionHash":"abc","input":{"n":1.50,"s":"ü"},"version":1,"custom":{"z":[1,2,3]}},"warnings":[{"type":"lossy_value","stepId":"a","path":"value.fn","reason":"non-json"},{"type":"lossy_value","stepId":"gone","path":"x","reason":"circular"}]}'),
(3, 'unknown top-level members',
 '{"formatVersion":1,"steps":{},"execution":{"status":"failed","lastUpdated":"x"},"zzz":null,"aaa":[1.50,"two",{"three":3}],"nested":{"deep":{"deeper":{"deepest":true}}},"":"empty key","metadataX":1}'),
(4, 'formatVersion written as 1.0, empty metadata and warnings',
 '{"formatVersion":1.0,"steps":{"0":{"ok":true},"1":{"ok":true,"value":[]}},"execution":{"status":"running","lastUpdated":""},"metadata":{},"warnings":[]}'),
(5, 'values that are long strings and numbers with many digits',
 '{"formatVersion":1,"steps":{"n":{"ok":true,"value":[1.50,1.500,100,1e+2,-1.2e-7,3.141592653589793238462643383279]}},"execution":{"status":"running","lastUpdated":"t"}}');
UPDATE rt_docs SET doc = jsonb_set(doc, '{steps,long}', jsonb_build_object('ok', true, 'value', repeat('long value ', 20000))) WHERE n = 5;

SELECT n, note, wf_save('rt:' || n, doc) AS version FROM rt_docs ORDER BY n;
SELECT n, wf_load('rt:' || n) = doc AS equal, wf_load('rt:' || n)::text = doc::text AS same_text
  FROM rt_docs ORDER BY n;
-- saved again unchanged: still equal (all but the completed one, which
-- accepts no more writes: 55000 and still equal)
SELECT n, wf_save('rt:' || n, wf_load('rt:' || n)) AS version, wf_load('rt:' || n) = doc AS equal
  FROM rt_docs WHERE doc -> 'execution' ->> 'status' <> 'completed' ORDER BY n;
SELECT n FROM rt_docs WHERE doc -> 'execution' ->> 'status' = 'completed';
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
SELECT wf_save('rt:2', wf_load('rt:2'));
\echo :SQLSTATE
RESET workflow_persist.finished_read_only;
SELECT version, wf_load('rt:2') = doc AS equal FROM wf_info('rt:2'), rt_docs WHERE n = 2;
-- the numbers as stored
SELECT wf_load('rt:5') -> 'steps' -> 'n' -> 'value' AS numbers, wf_load('rt:4') -> 'formatVersion' AS format_version;
-- the odd keys, one by one
SELECT pos, replace(replace(step_key, E'\n', '\n'), E'\t', '\t') AS step_key, ok, result = (SELECT doc -> 'steps' -> step_key FROM rt_docs WHERE n = 1) AS same
  FROM wf_steps('rt:1');
DROP TABLE rt_docs;

-- validation off: a snapshot without execution (and other oddities) too
SET workflow_persist.validation = off;
SELECT wf_save('rt:off', '{"steps":{"a":1,"b":"two","c":[3],"d":null,"e":{"ok":"maybe"}},"warnings":{"not":"an array"},"metadata":[1]}');
SELECT wf_load('rt:off') = '{"steps":{"a":1,"b":"two","c":[3],"d":null,"e":{"ok":"maybe"}},"warnings":{"not":"an array"},"metadata":[1]}' AS equal;
SELECT wf_save('rt:off', '{"steps":{}}');
SELECT wf_load('rt:off') AS doc;
RESET workflow_persist.validation;

---------------------------------------------------------------------------
-- 1,000 steps
---------------------------------------------------------------------------
SELECT jsonb_build_object(
         'formatVersion', 1,
         'execution', jsonb_build_object('status', 'running', 'lastUpdated', '2024-01-01T00:00:00.000Z'),
         'steps', (SELECT jsonb_object_agg('step-' || i,
                            CASE WHEN i % 7 = 0
                                 THEN jsonb_build_object('ok', false, 'error', 'E' || i, 'cause', jsonb_build_object('type', 'thrown', 'stringRepresentation', 'E'))
                                 ELSE jsonb_build_object('ok', true, 'value', jsonb_build_object('i', i, 'half', i / 2.0)) END)
                     FROM generate_series(1, 1000) AS i)) AS big \gset
SELECT wf_save('rt:big', :'big');
SELECT wf_load('rt:big') = :'big' AS equal, wf_load('rt:big')::text = (:'big')::jsonb::text AS same_text;
SELECT step_count, version FROM wf_info('rt:big');
SELECT count(*), count(DISTINCT pos) AS positions, min(pos), max(pos), count(*) FILTER (WHERE NOT ok) AS failed
  FROM wf_steps('rt:big');
SELECT (SELECT count(*) FROM jsonb_object_keys(wf_load('rt:big', 'failed') -> 'steps')) AS failed_loaded,
       (SELECT count(*) FROM jsonb_object_keys(wf_load('rt:big', step_limit => 10) -> 'steps')) AS limited;
-- one step changed among 1,000: only that row is rewritten
CREATE TEMP TABLE rt_rec AS SELECT step_key, recorded_at FROM wf_steps('rt:big');
SELECT pg_sleep(0.01);
SELECT wf_save('rt:big', jsonb_set(:'big', '{steps,step-500}', '{"ok":true,"value":"changed"}'));
SELECT count(*) FILTER (WHERE s.recorded_at = r.recorded_at) AS unchanged,
       string_agg(s.step_key, ',') FILTER (WHERE s.recorded_at > r.recorded_at) AS rewritten
  FROM wf_steps('rt:big') AS s JOIN rt_rec AS r USING (step_key);
DROP TABLE rt_rec;
SELECT wf_load('rt:big') = jsonb_set(:'big', '{steps,step-500}', '{"ok":true,"value":"changed"}') AS equal;
-- a checkpoint on top of 1,000 steps
SELECT wf_save_step('rt:big', 'step-1001', '{"ok":true}');
SELECT pos, step_key FROM wf_steps('rt:big') ORDER BY pos DESC LIMIT 2;

---------------------------------------------------------------------------
-- the same document accounts the same bytes, whichever writers built it
---------------------------------------------------------------------------
SELECT wf_save_step('rt:size1', 'a', '{"ok":true,"value":1}');
SELECT wf_save_step('rt:size1', 'b', '{"ok":true,"value":"xxxxxxxxxxxxxxxxxxxxxxxx"}');
SELECT wf_save_step('rt:size1', 'b', '{"ok":true,"value":2}');
SELECT wf_merge('rt:size1', '{"formatVersion":1,"steps":{"c":{"ok":true}},"execution":{"status":"running","lastUpdated":"t"},"metadata":{"m":[1,2,3]}}');
SELECT wf_merge('rt:size1', '{"formatVersion":1,"steps":{"a":{"ok":true,"value":"longer than before"}},"execution":{"status":"running","lastUpdated":"a later time"},"metadata":{"n":1}}');
SELECT wf_save('rt:size2', wf_load('rt:size1'));
SELECT (SELECT size_bytes FROM wf_info('rt:size1')) = (SELECT size_bytes FROM wf_info('rt:size2')) AS same_size,
       (SELECT step_count FROM wf_info('rt:size1')) = (SELECT step_count FROM wf_info('rt:size2')) AS same_count;
SELECT wf_save('rt:size1', wf_load('rt:size1'));
SELECT (SELECT size_bytes FROM wf_info('rt:size1')) = (SELECT size_bytes FROM wf_info('rt:size2')) AS same_size;

-- clean up
SELECT id, wf_delete(id) FROM wf_list(prefix => 'rt:') ORDER BY id;
SELECT count(*) AS leftovers FROM wf_workflow;
