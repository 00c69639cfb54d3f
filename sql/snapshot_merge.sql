SET search_path = workflow_persist, public;
--
-- wf_merge_snapshots(base, delta): awaitly 1.35.0's mergeSnapshots, plus the
-- refusals of the spec (snapshot-format.md, "merge").  Errors show their
-- SQLSTATE with \echo :LAST_ERROR_SQLSTATE.
--

-- Merge two snapshots given as text, each with "steps": {} unless it has one.
CREATE FUNCTION pg_temp.m(base text, delta text) RETURNS jsonb
LANGUAGE sql AS $$
SELECT workflow_persist.wf_merge_snapshots(
	CASE WHEN base::jsonb ? 'steps' THEN base::jsonb ELSE base::jsonb || '{"steps": {}}' END,
	CASE WHEN delta::jsonb ? 'steps' THEN delta::jsonb ELSE delta::jsonb || '{"steps": {}}' END)
$$;

--
-- The whole picture.
--
SELECT jsonb_pretty(wf_merge_snapshots(
'{"formatVersion": 1, "workflowName": "checkout",
  "steps": {"reserve": {"ok": true, "value": {"sku": "A-1", "qty": 2}},
            "charge": {"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "charge"},
                       "cause": {"type": "thrown", "stringRepresentation": "pending"}, "meta": {"origin": "result"}}},
  "execution": {"status": "running", "lastUpdated": "2026-11-22T10:00:00.000Z", "currentStepId": "charge"},
  "metadata": {"workflowId": "w-1", "attempt": 1, "owner": {"team": "pay", "oncall": "ann"}},
  "warnings": [{"type": "lossy_value", "stepId": "charge", "path": "error", "reason": "non-json"},
               {"type": "lossy_value", "stepId": "reserve", "path": "value", "reason": "circular"}]}',
'{"formatVersion": 1, "workflowName": "checkout-v2",
  "steps": {"charge": {"ok": true, "value": {"approvedBy": "bob"}}, "ship": {"ok": true, "value": null}},
  "execution": {"status": "completed", "lastUpdated": "2026-11-22T10:05:00.000Z"},
  "metadata": {"attempt": 2, "owner": {"team": "ops"}},
  "warnings": [{"type": "lossy_value", "stepId": "ship", "path": "value", "reason": "encode-failed"}],
  "futureField": true}'));

--
-- steps: every base step, then every delta step replacing a base step of
-- the same key whole (no deep merge); there is no way to delete a step.
--
SELECT pg_temp.m('{"steps": {"a": {"ok": true, "value": {"x": 1, "y": 2}}, "b": {"ok": true, "value": 1}}}',
				 '{"steps": {"a": {"ok": true, "value": {"y": 3}}, "c": {"ok": false, "error": "E"}}}') -> 'steps' AS replaced_whole;
SELECT pg_temp.m('{"steps": {"a": {"ok": false, "error": "E", "cause": {"type": "error"}, "meta": {"origin": "throw"}}}}',
				 '{"steps": {"a": {"ok": true}}}') -> 'steps' AS no_field_survives;
SELECT pg_temp.m('{"steps": {"a": {"ok": true}, "b": {"ok": true}}}', '{"steps": {}}') -> 'steps' AS nothing_deleted,
	   pg_temp.m('{"steps": {}}', '{"steps": {}}') -> 'steps' AS both_empty;
-- a delta step of any shape replaces (no validation here)
SELECT pg_temp.m('{"steps": {"a": {"ok": true}, "b": {"ok": true}, "c": {"ok": true}}}',
				 '{"steps": {"a": null, "b": [1, 2], "c": "x"}}') -> 'steps' AS any_value;
-- keys of every kind, in jsonb order in the result
SELECT pg_temp.m('{"steps": {"10": 1, "9": 1, "ab": 1, "": 1, "😀": 1, "a\"b": 1, "__proto__": 1}}',
				 '{"steps": {"9": 2, "b": 2, "line\nbreak": 2, "😀": 2, "": 2}}') -> 'steps' AS keys;
-- values are copied as they are: jsonb keeps numbers as written
SELECT pg_temp.m('{"steps": {"a": {"ok": true, "value": [1.50, 1e2, -0, 0.1, 12345678901234567890123]}}}',
				 '{"steps": {"b": {"ok": true, "value": {"n": 2.50, "s": "é\t😀", "t": true, "z": null}}}}') -> 'steps' AS values_kept;

--
-- execution: delta's alone, a copy; {} when delta has none or null.
-- Nothing of base's survives, whatever it is.
--
SELECT base, delta, pg_temp.m(base, delta) -> 'execution' AS execution
FROM (VALUES
	('{"execution": {"status": "running", "lastUpdated": "t1", "currentStepId": "a"}}', '{}'),
	('{"execution": {"status": "running", "lastUpdated": "t1"}}', '{"execution": null}'),
	('{"execution": {"status": "running", "lastUpdated": "t1"}}', '{"execution": {}}'),
	('{"execution": {"status": "running", "lastUpdated": "t1", "currentStepId": "a"}}',
	 '{"execution": {"status": "failed", "lastUpdated": "t2", "extra": {"n": [1, 2]}}}'),
	('{"execution": "not even an object"}', '{"execution": {"status": "completed"}}'),
	('{"execution": [1, 2]}', '{}'),
	('{}', '{"execution": {"status": "nonsense", "lastUpdated": 5}}')
) AS v(base, delta);

--
-- formatVersion is always the number 1; workflowName and unknown keys are
-- dropped; nothing is validated.
--
SELECT pg_temp.m('{"formatVersion": "x", "workflowName": "a", "extra": 1}',
				 '{"formatVersion": 2, "workflowName": "b", "other": [1]}') AS dropped,
	   pg_temp.m('{}', '{}') AS minimal,
	   wf_is_valid(pg_temp.m('{"steps": {"a": {"ok": "no"}}}', '{}')) AS result_valid;

--
-- metadata: absent when neither side has a truthy one; otherwise a shallow
-- merge, delta winning per key (null included); nested objects replaced.
--
SELECT base, delta, pg_temp.m(base, delta) ? 'metadata' AS has_metadata,
	   pg_temp.m(base, delta) -> 'metadata' AS metadata
FROM (VALUES
	('{}', '{}'),
	('{"metadata": null}', '{"metadata": null}'),
	('{"metadata": null}', '{}'),
	('{"metadata": {}}', '{}'),
	('{}', '{"metadata": {}}'),
	('{"metadata": {}}', '{"metadata": null}'),
	('{"metadata": {"a": 1}}', '{}'),
	('{}', '{"metadata": {"a": 1}}'),
	('{"metadata": null}', '{"metadata": {"a": 1}}'),
	('{"metadata": {"a": 1}}', '{"metadata": null}'),
	('{"metadata": {"a": 1, "b": {"x": 1, "y": 2}, "c": 3, "d": [1, 2]}}',
	 '{"metadata": {"b": {"y": 3}, "c": null, "d": [3], "e": 4}}'),
	('{"metadata": {"workflowId": "w", "version": 1, "input": {"deep": {"x": 1}}}}',
	 '{"metadata": {"input": {"deep": {}}, "version": 2}}')
) AS v(base, delta);

--
-- warnings: base's whose stepId (as JavaScript's String() renders it) is a
-- key of delta's steps are dropped, then delta's are appended as they are;
-- absent when the result would be empty.
--
SELECT stepid, delta_step, pg_temp.m('{"warnings": [{"type": "lossy_value", "stepId": ' || stepid ||
									 ', "path": "value", "reason": "circular"}]}',
									 '{"steps": {' || to_json(delta_step)::text || ': {"ok": true}}}') ? 'warnings' AS kept
FROM (VALUES
	('"a"', 'a'), ('"a"', 'b'), ('"a"', 'A'), ('""', ''),
	('1', '1'), ('1', '1.0'), ('1.0', '1'), ('1.50', '1.5'), ('1e2', '100'), ('-0', '0'), ('0.0000001', '1e-7'),
	('1e21', '1e+21'), ('1e400', 'Infinity'),
	('null', 'null'), ('true', 'true'), ('false', 'false'),
	('[]', ''), ('["a"]', 'a'), ('["a", "b"]', 'a,b'), ('[1, [2, null]]', '1,2,'), ('[null]', ''),
	('{}', '[object Object]'), ('{"toString": 1}', '[object Object]'),	-- JavaScript would throw on this one
	('"undefined"', 'undefined')
) AS v(stepid, delta_step);
-- no stepId at all is JavaScript's undefined: it matches a step "undefined"
SELECT pg_temp.m('{"warnings": [{"type": "lossy_value", "path": "p", "reason": "circular"}]}',
				 '{"steps": {"undefined": {"ok": true}}}') ? 'warnings' AS kept_for_undefined,
	   pg_temp.m('{"warnings": [{"type": "lossy_value", "path": "p", "reason": "circular"}]}',
				 '{"steps": {"null": {"ok": true}}}') ? 'warnings' AS kept_for_null;

-- order kept, delta's appended unfiltered, no de-duplication
SELECT jsonb_pretty(pg_temp.m(
	'{"warnings": [{"stepId": "a", "n": 1}, {"stepId": "b", "n": 2}, {"stepId": "c", "n": 3}, {"stepId": "b", "n": 4}]}',
	'{"steps": {"b": {"ok": true}},
	  "warnings": [{"stepId": "b", "n": 5}, {"stepId": "a", "n": 1}, {"n": 6, "anything": [null]}]}') -> 'warnings');

-- absent when empty
SELECT base, delta, pg_temp.m(base, delta) ? 'warnings' AS has_warnings
FROM (VALUES ('{}', '{}'), ('{"warnings": []}', '{"warnings": []}'), ('{"warnings": null}', '{"warnings": null}'),
			 ('{"warnings": [{"stepId": "a"}]}', '{"steps": {"a": 1}}'),
			 ('{"warnings": [{"stepId": "a"}]}', '{"steps": {"a": 1}, "warnings": []}'),
			 ('{"warnings": []}', '{"warnings": [{}]}')) AS v(base, delta);

--
-- Large inputs: 1,000 + 1,000 steps (500 shared), 100 metadata keys and 100
-- warnings a side, values of every type; checked against the same merge
-- written with jsonb operators, and read back by key.
--
CREATE TEMP TABLE big AS
SELECT (SELECT jsonb_build_object(
			'formatVersion', 1,
			'steps', jsonb_object_agg('s' || i, CASE i % 5
				WHEN 0 THEN jsonb_build_object('ok', true, 'value', i * 1.5)
				WHEN 1 THEN jsonb_build_object('ok', true, 'value', repeat('x', i % 37))
				WHEN 2 THEN jsonb_build_object('ok', false, 'error', jsonb_build_array(i, null, true),
											   'cause', jsonb_build_object('type', 'error', 'name', 'E', 'message', 'm' || i))
				WHEN 3 THEN jsonb_build_object('ok', true, 'value', (i % 2 = 0))
				ELSE jsonb_build_object('ok', true) END),
			'metadata', (SELECT jsonb_object_agg('k' || j, j) FROM generate_series(1, 100) j),
			'warnings', (SELECT jsonb_agg(jsonb_build_object('stepId', 's' || (j * 10), 'n', j)) FROM generate_series(1, 100) j),
			'execution', jsonb_build_object('status', 'running', 'lastUpdated', 'x'))
		 FROM generate_series(1, 1000) i) AS base,
	   (SELECT jsonb_build_object(
			'steps', jsonb_object_agg('s' || i, jsonb_build_object('ok', true, 'value', jsonb_build_object('v', i, 'f', i / 7.0))),
			'metadata', (SELECT jsonb_object_agg('k' || (j + 50), CASE WHEN j % 2 = 0 THEN NULL ELSE to_jsonb(-j) END) FROM generate_series(1, 100) j),
			'warnings', (SELECT jsonb_agg(jsonb_build_object('stepId', 'd' || j, 'n', -j)) FROM generate_series(1, 100) j),
			'execution', jsonb_build_object('status', 'completed', 'lastUpdated', 'y'))
		 FROM generate_series(501, 1500) i) AS delta;
CREATE TEMP TABLE big_merged AS
SELECT wf_merge_snapshots(base, delta) AS got,
	   jsonb_build_object(
		   'formatVersion', 1,
		   'steps', (base -> 'steps') || (delta -> 'steps'),
		   'execution', delta -> 'execution',
		   'metadata', (base -> 'metadata') || (delta -> 'metadata'),
		   'warnings', (SELECT jsonb_agg(w ORDER BY o) FROM (
				SELECT w, o FROM jsonb_array_elements(base -> 'warnings') WITH ORDINALITY AS b(w, o)
				WHERE NOT (delta -> 'steps') ? (w ->> 'stepId')
				UNION ALL
				SELECT w, o + 1000 FROM jsonb_array_elements(delta -> 'warnings') WITH ORDINALITY AS d(w, o)) AS ws)) AS want
FROM big;
SELECT got = want AS equal,
	   got::text = want::text AS same_text,
	   got::text::jsonb = got AS reparses,
	   (SELECT count(*) FROM jsonb_object_keys(got -> 'steps')) AS steps,
	   (SELECT count(*) FROM jsonb_object_keys(got -> 'metadata')) AS metadata_keys,
	   jsonb_array_length(got -> 'warnings') AS warnings,
	   got -> 'steps' -> 's1' AS s1, got -> 'steps' -> 's500' AS s500, got -> 'steps' -> 's501' AS s501,
	   got -> 'steps' -> 's1500' AS s1500, got -> 'metadata' -> 'k50' AS k50, got -> 'metadata' -> 'k51' AS k51,
	   got -> 'metadata' -> 'k52' AS k52, got -> 'metadata' -> 'k150' AS k150,
	   got -> 'warnings' -> 49 AS w49, got -> 'warnings' -> 50 AS w50, got -> 'warnings' -> 149 AS w149
FROM big_merged;

-- a step nested 5,000 levels deep is copied intact
SELECT pg_temp.m('{"steps": {"deep": ' || repeat('[', 5000) || '"bottom"' || repeat(']', 5000) || '}}', '{}')
	   #>> ('{steps,deep}'::text[] || array_fill('0'::text, ARRAY[5000])) AS bottom;

--
-- Refusals: SQLSTATE 22023 (invalid_parameter_value).  awaitly throws in
-- most of these; in the rest JavaScript would spread an array or a string
-- into index keys, or treat a falsy scalar as absent.
--
-- either argument not an object
SELECT wf_merge_snapshots('[]', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '"delta"');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('null', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
-- steps missing, null or not an object, on either side
SELECT wf_merge_snapshots('{}', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"execution": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": null}', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": [{"ok": true}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": "ab"}', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": 0}');
\echo :LAST_ERROR_SQLSTATE
-- a delta execution that is present, not null and not an object
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": {}, "execution": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": {}, "execution": "running"}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": {}, "execution": false}');
\echo :LAST_ERROR_SQLSTATE
-- a metadata that is present, not null and not an object
SELECT wf_merge_snapshots('{"steps": {}, "metadata": ["a"]}', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": {}, "metadata": "ab"}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}, "metadata": 0}', '{"steps": {}, "metadata": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}, "metadata": {}}', '{"steps": {}, "metadata": false}');
\echo :LAST_ERROR_SQLSTATE
-- a warnings that is present, not null and not an array
SELECT wf_merge_snapshots('{"steps": {}, "warnings": {}}', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": {}, "warnings": "ab"}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}, "warnings": 0}', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": {}, "warnings": false}');
\echo :LAST_ERROR_SQLSTATE
-- a warnings entry that is null or not an object
SELECT wf_merge_snapshots('{"steps": {}, "warnings": [{}, null]}', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": {}, "warnings": [1]}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}, "warnings": [[]]}', '{"steps": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_merge_snapshots('{"steps": {}}', '{"steps": {}, "warnings": [{}, {}, "w"]}');
\echo :LAST_ERROR_SQLSTATE

-- NULL in, NULL out (STRICT).
SELECT wf_merge_snapshots(NULL, '{"steps": {}}') IS NULL AS null_base,
	   wf_merge_snapshots('{"steps": {}}', NULL) IS NULL AS null_delta;
