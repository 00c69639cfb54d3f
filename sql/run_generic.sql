-- Generic runs (issue 12 §3c, §8, §10): wf_put_run / wf_get_run /
-- wf_put_run_step / wf_update_run, with real engine shapes: a Flujo
-- WorkflowState, a NeuroCore run whose step 1 is saved before step 0, a
-- Neuron AI interrupt as PHP serialize() output with NUL bytes in
-- engine_data.  Structural checks: 22023 with DETAIL naming the field,
-- nothing written.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never

---------------------------------------------------------------------------
-- Flujo: save_state of a WorkflowState, back-dated by its own times
---------------------------------------------------------------------------
\set FLUJO '{"name": "invoice-pipeline", "kind": "flujo:pipeline@1.4.0", "status": "running", "state": {"run_id": "run-7", "pipeline_id": "p-42", "pipeline_name": "invoice-pipeline", "pipeline_version": "1.4.0", "current_step_index": 2, "pipeline_context": {"customer": "acme", "total": 1250.50}, "last_step_output": {"validated": true}}, "metadata": {"tenant": "acme", "source": "import"}, "steps": [], "created_at": "2026-12-04T09:00:00Z", "updated_at": "2026-12-05T09:30:00Z"}'
SELECT * FROM wf_put_run('flujo:run-7', :'FLUJO', namespace => 'flujo');
SELECT run->'state'->'pipeline_context' AS context, run->>'status' AS status,
       run->>'created_at' AS created_at, run->>'updated_at' AS updated_at, version
  FROM wf_get_run('flujo:run-7', 'flujo');
SELECT status, status_word, created_at, updated_at FROM wf_info('flujo:run-7', 'flujo');
-- save_run_start is ON CONFLICT DO NOTHING
SELECT * FROM wf_put_run('flujo:run-7', :'FLUJO', if_absent => true, namespace => 'flujo');
-- paused at a human step, then the end: one call each, the status words Flujo's
SELECT version FROM wf_put_run('flujo:run-7', jsonb_set(:'FLUJO', '{status}', '"paused"'), namespace => 'flujo');
SELECT status, status_word FROM wf_info('flujo:run-7', 'flujo');
SELECT id, kind FROM wf_pending(namespace => 'flujo');
SELECT version FROM wf_put_run('flujo:run-7', jsonb_set(:'FLUJO', '{status}', '"completed"') - 'updated_at', namespace => 'flujo');
SELECT status, status_word, updated_at > '2026-12-05T09:30:00Z' AS server_time FROM wf_info('flujo:run-7', 'flujo');
-- a completed run is written again (save_run_end after completion)
SELECT version FROM wf_put_run('flujo:run-7', jsonb_set(:'FLUJO', '{status}', '"completed"'), namespace => 'flujo');

---------------------------------------------------------------------------
-- NeuroCore: save_run, then save_step of index 1 before index 0
---------------------------------------------------------------------------
SELECT * FROM wf_put_run('nc:run-1', '{"name": "research", "kind": "blueprint", "status": "running", "state": {"initial_data": {"topic": "postgres"}, "completed_nodes": []}, "metadata": {"blueprint": "research"}}');
SELECT wf_put_run_step('nc:run-1', '{"key": "summarize", "index": 1, "status": "completed", "result": {"summary": "short"}, "error": null}');
SELECT wf_put_run_step('nc:run-1', '{"key": "search", "index": 0, "status": "completed", "result": {"hits": 12}, "error": null}');
SELECT wf_put_run_step('nc:run-1', '{"key": "review", "index": 2, "status": "failed", "result": null, "error": {"message": "reviewer timed out"}}');
SELECT jsonb_path_query_array(run, '$.steps[*].key') AS steps_by_index,
       jsonb_path_query_array(run, '$.steps[*].index') AS indexes
  FROM wf_get_run('nc:run-1');
-- a step rewritten: same key, new result, still at its index
SELECT wf_put_run_step('nc:run-1', '{"key": "review", "index": 2, "status": "completed", "result": {"ok": 1}, "error": null}');
SELECT run->'steps'->2 AS review FROM wf_get_run('nc:run-1');
-- run-level updates leave the steps alone; metadata merges shallowly
SELECT wf_update_run('nc:run-1', status => 'suspended', metadata => '{"approver": "dana"}',
                     state => '{"initial_data": {"topic": "postgres"}, "completed_nodes": ["search", "summarize"]}');
SELECT run->'metadata' AS metadata, run->'state'->'completed_nodes' AS completed, run->>'status' AS status,
       jsonb_array_length(run->'steps') AS steps
  FROM wf_get_run('nc:run-1');
SELECT status FROM wf_info('nc:run-1');
SELECT wf_update_run('nc:run-1', metadata => '{"only": true}', metadata_merge => 'replace', status => 'completed');
SELECT run->'metadata' AS metadata, run->>'status' AS status FROM wf_get_run('nc:run-1');
-- a whole wf_put_run replaces the steps: keys it lacks go
SELECT version FROM wf_put_run('nc:run-1', '{"status": "running", "steps": [{"key": "search", "index": 0, "status": "running"}]}');
SELECT jsonb_path_query_array(run, '$.steps[*].key') AS steps, run ? 'metadata' AS has_metadata FROM wf_get_run('nc:run-1');

---------------------------------------------------------------------------
-- Neuron AI: the interrupt is PHP serialize() output, with NUL bytes
---------------------------------------------------------------------------
SELECT convert_to('O:28:"NeuronAI\Workflow\Interrupt":2:{s:10:"', 'UTF8') || '\x00'::bytea
       || convert_to('*', 'UTF8') || '\x00'::bytea || convert_to('message";s:7:"approve";s:9:"', 'UTF8')
       || '\x00'::bytea || convert_to('*', 'UTF8') || '\x00'::bytea
       || convert_to('actions";a:1:{i:0;s:4:"send";}}', 'UTF8') AS interrupt \gset
SELECT position('\x00'::bytea in :'interrupt'::bytea) > 0 AS has_nul;
SELECT * FROM wf_put_run('neuron:wf-3', '{"name": "email-agent", "status": "interrupted", "state": {"node": "ApprovalNode"}}',
                         engine_data => :'interrupt'::bytea, namespace => 'neuron');
SELECT engine_data = :'interrupt'::bytea AS same_bytes, octet_length(engine_data) AS bytes, run->>'status' AS status
  FROM wf_get_run('neuron:wf-3', 'neuron');
SELECT status FROM wf_info('neuron:wf-3', 'neuron');
-- wf_update_run without engine_data keeps it; with, replaces it
SELECT wf_update_run('neuron:wf-3', status => 'running', namespace => 'neuron');
SELECT engine_data = :'interrupt'::bytea AS kept FROM wf_get_run('neuron:wf-3', 'neuron');
SELECT wf_update_run('neuron:wf-3', engine_data => '\x00ff00'::bytea, namespace => 'neuron');
SELECT engine_data FROM wf_get_run('neuron:wf-3', 'neuron');
-- a snapshot saved on the id is a snapshot: wf_get_run sees no run, engine_data goes
SELECT wf_save('neuron:wf-3', '{"formatVersion":1,"steps":{},"execution":{"status":"running","lastUpdated":"t"}}', namespace => 'neuron');
SELECT count(*) AS runs FROM wf_get_run('neuron:wf-3', 'neuron');
SELECT engine_data IS NULL AS engine_data_gone FROM wf_workflow WHERE namespace = 'neuron' AND id = 'neuron:wf-3';

---------------------------------------------------------------------------
-- fences and errors: nothing written
---------------------------------------------------------------------------
SELECT * FROM wf_put_run('nc:run-1', '{"status": "running"}', expected_version => 1);
\echo :SQLSTATE
SELECT * FROM wf_put_run('nc:run-1', '{"status": "running"}', lease_token => 'stale');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '[]');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"name": "x"}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "sleeping"}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "name": 7}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "state": [1]}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "steps": {"a": 1}}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "steps": [{"key": "a", "index": 0}, 5]}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "steps": [{"index": 0}]}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "steps": [{"key": "a", "index": -1}]}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "steps": [{"key": "a", "index": 1.5}]}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "steps": [{"key": "a", "index": 0, "status": 3}]}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "steps": [{"key": "a", "index": 0}, {"key": "a", "index": 1}]}');
\echo :SQLSTATE
SELECT * FROM wf_put_run('bad:1', '{"status": "running", "created_at": "yesterday-ish"}');
\echo :SQLSTATE
SELECT wf_put_run_step('bad:1', '{"key": "a"}');
\echo :SQLSTATE
SELECT wf_update_run('bad:1', status => 'running');
\echo :SQLSTATE
SELECT wf_update_run('nc:run-1', metadata_merge => 'deep', metadata => '{}');
\echo :SQLSTATE
SELECT wf_update_run('nc:run-1', metadata => '[1]');
\echo :SQLSTATE
SELECT count(*) AS bad_written FROM wf_workflow WHERE id LIKE 'bad:%';

-- clean up
SELECT count(*) FROM (SELECT wf_delete(l.id, l.namespace) FROM wf_list(namespace => '*') AS l) AS d;
