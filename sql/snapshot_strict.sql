SET search_path = workflow_persist, public;
--
-- Strict mode: wf_validate(doc, true) / wf_is_valid(doc, true).  Our own
-- checks, beyond awaitly's: their messages come after all of awaitly's,
-- and the default mode's verdicts never change.
--

-- A snapshot with the given steps and extra root members (both text).
CREATE FUNCTION pg_temp.snap(steps text, extra text DEFAULT '') RETURNS jsonb
LANGUAGE sql AS $$
SELECT ('{"formatVersion": 1, "steps": ' || steps ||
		', "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00.000Z"}' ||
		CASE WHEN extra = '' THEN '' ELSE ', ' || extra END || '}')::jsonb
$$;
-- Strict messages one per row, raw, in order.
CREATE FUNCTION pg_temp.strict_msgs(doc jsonb) RETURNS TABLE (n bigint, message text)
LANGUAGE sql AS $$
SELECT n, m FROM unnest(workflow_persist.wf_validate(doc, true)) WITH ORDINALITY AS u(m, n) ORDER BY n
$$;

--
-- A snapshot as awaitly writes it passes both modes.
--
SELECT wf_validate(doc, true), wf_is_valid(doc, true), wf_is_valid(doc)
FROM (SELECT '{"formatVersion": 1, "workflowName": "checkout",
  "steps": {"reserve": {"ok": true, "value": {"sku": "A-1"}},
            "charge": {"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "charge"},
                       "cause": {"type": "error", "name": "CardError", "message": "declined",
                                 "stack": "CardError: declined\n  at pay",
                                 "cause": {"type": "thrown", "originalType": "string", "value": "x",
                                           "stringRepresentation": "x", "truncated": true}},
                       "meta": {"origin": "throw"}},
            "ship": {"ok": false, "error": "E", "cause": {"type": "thrown", "stringRepresentation": "E"}}},
  "execution": {"status": "completed", "lastUpdated": "2026-11-22T10:00:00.000Z",
                "completedAt": "2026-11-22T10:00:05.123+01:00", "currentStepId": "ship"},
  "metadata": {"workflowId": "w-1", "definitionHash": "h", "input": null, "version": 1},
  "warnings": [{"type": "lossy_value", "stepId": "reserve", "path": "value.x", "reason": "circular"}]}'::jsonb) AS v(doc);

--
-- steps: an array stands in for an object for awaitly, not for us.
--
SELECT * FROM pg_temp.strict_msgs(pg_temp.snap('[]'));
SELECT * FROM pg_temp.strict_msgs(pg_temp.snap('[{"ok": true}, null]'));

--
-- cause (of a failed step): a SerializedCause.
--
SELECT cause, wf_validate(pg_temp.snap('{"s": {"ok": false, "error": "E", "cause": ' || cause || '}}'), true)
FROM (VALUES
	-- not an object
	('null'), ('"boom"'), ('1'), ('[]'), ('[{"type": "error"}]'),
	-- type: present, "error" or "thrown"
	('{}'), ('{"name": "E", "message": "m"}'),
	('{"type": "Error", "name": "E", "message": "m"}'), ('{"type": null}'), ('{"type": ["error"]}'),
	-- type "error": name and message required strings, stack an optional string
	('{"type": "error", "name": "E", "message": "m"}'),
	('{"type": "error"}'),
	('{"type": "error", "name": 1, "message": null}'),
	('{"type": "error", "name": "E", "message": "m", "stack": 7}'),
	('{"type": "error", "name": "E", "message": "m", "stack": null}'),
	-- ... and cause, when present, is a SerializedCause again
	('{"type": "error", "name": "E", "message": "m", "cause": {"type": "thrown", "stringRepresentation": "x"}}'),
	('{"type": "error", "name": "E", "message": "m", "cause": null}'),
	('{"type": "error", "name": "E", "message": "m", "cause": {"type": "error", "name": "F"}}'),
	('{"type": "error", "name": "E", "message": "m", "cause": {"type": "error", "name": "F", "message": "n", "cause": {"type": "x"}}}'),
	-- type "thrown": stringRepresentation a required string, originalType an
	-- optional string, value anything, truncated only ever true
	('{"type": "thrown", "stringRepresentation": "x"}'),
	('{"type": "thrown", "originalType": "Object", "value": {"any": [null]}, "stringRepresentation": "x", "truncated": true}'),
	('{"type": "thrown"}'),
	('{"type": "thrown", "stringRepresentation": 1, "originalType": 2}'),
	('{"type": "thrown", "stringRepresentation": "x", "truncated": false}'),
	('{"type": "thrown", "stringRepresentation": "x", "truncated": "true"}'),
	-- a "thrown" cause has no cause of its own to check
	('{"type": "thrown", "stringRepresentation": "x", "cause": 1}')
) AS v(cause);

-- Cause chains are followed through every level, up to 1000 levels; a
-- deeper chain is refused with one message instead of being walked.
CREATE TEMP TABLE chains AS
SELECT depth, pg_temp.snap('{"s": {"ok": false, "error": "E", "cause": ' ||
						   repeat('{"type": "error", "name": "E", "message": "m", "cause": ', depth - 1) ||
						   '{"type": "thrown"}' || repeat('}', depth - 1) || '}}') AS doc
FROM unnest('{1, 2, 3, 1000, 1001, 5000}'::int[]) AS depth;
-- (the message shows ".cause" repeated N times as ".cause{N}")
SELECT depth, wf_is_valid(doc) AS default_valid, wf_is_valid(doc, true) AS strict_valid,
	   cardinality(m) AS messages,
	   regexp_replace(m[1], '(\.cause)+', '.cause{' || regexp_count(m[1], '\.cause') || '}') AS first_message
FROM chains, LATERAL (SELECT wf_validate(doc, true)) AS v(m)
ORDER BY depth;
-- a 1000-level chain whose bottom level is fine is valid
SELECT wf_is_valid(pg_temp.snap('{"s": {"ok": false, "error": "E", "cause": ' ||
								repeat('{"type": "error", "name": "E", "message": "m", "cause": ', 999) ||
								'{"type": "thrown", "stringRepresentation": "x"}' || repeat('}', 999) || '}}'), true)
	   AS chain_1000_valid;

--
-- meta (of a failed step): an object whose origin is "result" or "throw".
--
SELECT meta, wf_validate(pg_temp.snap('{"s": {"ok": false, "error": "E", "cause": {"type": "thrown", "stringRepresentation": "E"}, "meta": ' || meta || '}}'), true)
FROM (VALUES ('{"origin": "result"}'), ('{"origin": "throw"}'), ('{"origin": "throw", "extra": 1}'),
			 ('null'), ('"result"'), ('[]'), ('{}'), ('{"origin": null}'), ('{"origin": "Result"}'),
			 ('{"origin": ["throw"]}')) AS v(meta);

-- Only failed steps are examined; steps awaitly already rejects are not
-- reported twice; ok-true steps may carry anything.
SELECT * FROM pg_temp.strict_msgs(pg_temp.snap(
	'{"ok": {"ok": true, "cause": 1, "meta": 2},
	  "nook": {"cause": 1, "meta": 2},
	  "notbool": {"ok": "false", "cause": 1, "meta": 2},
	  "nocause": {"ok": false, "error": "E", "meta": {"origin": "throw"}},
	  "arr": [],
	  "null": null}'));

-- Per-step strict messages come in jsonb key order too, after all of awaitly's.
SELECT * FROM pg_temp.strict_msgs(('{"formatVersion": 2, "execution": {"status": "running", "lastUpdated": "x"},
	"steps": {"bb": {"ok": false, "error": 1, "cause": {"type": "error"}, "meta": {}},
			  "a": {"ok": false, "error": 1, "cause": null, "meta": {"origin": "x"}},
			  "10": {"ok": false, "error": 1, "cause": {"type": "thrown", "stringRepresentation": "s"}, "meta": []},
			  "9": {"ok": false, "cause": {}}}}')::jsonb);

--
-- execution: lastUpdated and completedAt are RFC 3339 date-times (what
-- toISOString writes); completedAt and currentStepId are strings.
--
SELECT ts, wf_validate(('{"formatVersion": 1, "steps": {}, "execution": {"status": "completed", "lastUpdated": ' ||
						to_json(ts)::text || ', "completedAt": ' || to_json(ts)::text || '}}')::jsonb, true)
FROM (VALUES
	-- valid
	('2024-01-01T00:00:00Z'), ('2024-01-01T00:00:00.000Z'), ('2024-01-01T00:00:00.123456789Z'),
	('2024-02-29T12:00:00Z'), ('2000-02-29T00:00:00Z'), ('2024-01-01T00:00:00+05:30'),
	('2024-01-01T00:00:00-00:00'), ('2024-12-31T23:59:59.999+23:59'), ('2024-01-01t00:00:00z'),
	('0000-01-01T00:00:00Z'), ('+275760-09-13T00:00:00.000Z'), ('-271821-04-20T00:00:00.000Z'),
	('-000004-02-29T00:00:00Z'), ('+002024-02-29T00:00:00Z'),
	-- not valid
	(''), ('now'), ('1700000000000'), ('2024-01-01'), ('2024-01-01T00:00:00'), ('2024-01-01 00:00:00Z'),
	('2024-01-01T00:00Z'), ('20240101T000000Z'), ('2024-1-01T00:00:00Z'), (' 2024-01-01T00:00:00Z'),
	('2024-01-01T00:00:00Z '), ('2024-01-01T00:00:00.Z'), ('2024-01-01T00:00:00,5Z'),
	('2023-02-29T00:00:00Z'), ('1900-02-29T00:00:00Z'), ('2024-02-30T00:00:00Z'), ('2024-04-31T00:00:00Z'),
	('2024-13-01T00:00:00Z'), ('2024-00-10T00:00:00Z'), ('2024-01-00T00:00:00Z'), ('2024-01-32T00:00:00Z'),
	('2024-01-01T24:00:00Z'), ('2024-01-01T23:60:00Z'), ('2024-01-01T23:59:60Z'),
	('2024-01-01T00:00:00+24:00'), ('2024-01-01T00:00:00+05:60'), ('2024-01-01T00:00:00+0530'),
	('2024-01-01T00:00:00+05'), ('-000000-01-01T00:00:00Z'), ('+02024-01-01T00:00:00Z'),
	('-000003-02-29T00:00:00Z'), ('２０２４-01-01T00:00:00Z')
) AS v(ts);

SELECT execution, wf_validate(('{"formatVersion": 1, "steps": {}, "execution": ' || execution || '}')::jsonb, true)
FROM (VALUES
	-- a non-string lastUpdated is awaitly's message alone, not repeated
	('{"status": "running", "lastUpdated": 5}'),
	('{"status": "running", "lastUpdated": "2024-01-01T00:00:00Z", "completedAt": 5}'),
	('{"status": "running", "lastUpdated": "2024-01-01T00:00:00Z", "completedAt": null}'),
	('{"status": "running", "lastUpdated": "2024-01-01T00:00:00Z", "currentStepId": "a"}'),
	('{"status": "running", "lastUpdated": "2024-01-01T00:00:00Z", "currentStepId": 1}'),
	('{"status": "running", "lastUpdated": "2024-01-01T00:00:00Z", "currentStepId": null}'),
	-- all three, in this order
	('{"currentStepId": [], "completedAt": "soon", "lastUpdated": "then", "status": "failed"}'),
	-- an execution awaitly rejects is not examined further
	('[]'), ('null')
) AS v(execution);

--
-- workflowName: a string when present.
--
SELECT name, wf_validate(pg_temp.snap('{}', '"workflowName": ' || name), true)
FROM (VALUES ('"checkout"'), ('""'), ('null'), ('1'), ('["checkout"]'), ('{}')) AS v(name);

--
-- metadata: an object (not an array, not null) when present.
--
SELECT metadata, wf_validate(pg_temp.snap('{}', '"metadata": ' || metadata), true)
FROM (VALUES ('{}'), ('{"workflowId": "w", "input": [1, {"x": null}]}'), ('null'), ('[]'), ('[{}]'),
			 ('"meta"'), ('0'), ('false')) AS v(metadata);

--
-- warnings: an array of {type: "lossy_value", stepId, path: strings,
-- reason: non-json | circular | encode-failed}.
--
SELECT warnings, wf_validate(pg_temp.snap('{}', '"warnings": ' || warnings), true)
FROM (VALUES
	('[]'),
	('[{"type": "lossy_value", "stepId": "a", "path": "value", "reason": "non-json"},
	   {"type": "lossy_value", "stepId": "", "path": "", "reason": "circular"},
	   {"type": "lossy_value", "stepId": "b", "path": "x.y", "reason": "encode-failed", "extra": 1}]'),
	('null'), ('{}'), ('"none"'), ('0'),
	('[null, 1, "w", [], {}]'),
	('[{"type": "lossy", "stepId": 1, "path": null, "reason": "lost"}]'),
	('[{"type": null, "stepId": ["a"], "path": {}, "reason": null}]'),
	('[{"stepId": "a", "path": "p", "reason": "circular"}, {"type": "lossy_value", "reason": "circular"}]')
) AS v(warnings);

--
-- Everything at once: awaitly's messages first, then ours, in the order
-- steps, execution, workflowName, metadata, warnings.
--
SELECT * FROM pg_temp.strict_msgs('{"warnings": {}, "metadata": [], "workflowName": 7,
	"execution": {"status": "paused", "lastUpdated": "later", "completedAt": 1, "currentStepId": 2},
	"steps": {"b": {"ok": false, "error": 1, "cause": {"type": "error"}, "meta": {"origin": "x"}},
			  "a": {"ok": "no"}},
	"formatVersion": "1"}'::jsonb);

--
-- The default mode never changes: the same documents, both modes.
--
SELECT doc, wf_validate(doc::jsonb) AS default_mode, wf_is_valid(doc::jsonb) AS default_valid,
	   wf_validate(doc::jsonb, true) AS strict_mode, wf_is_valid(doc::jsonb, true) AS strict_valid
FROM (VALUES
	('{"formatVersion": 1, "steps": [], "execution": {"status": "running", "lastUpdated": "x"}}'),
	('{"formatVersion": 1, "steps": {"s": {"ok": false, "error": 1, "cause": 2}}, "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00Z"}}'),
	('{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00Z"}, "metadata": null, "warnings": null, "workflowName": null}'),
	('{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00Z", "completedAt": 0}}'),
	('{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00Z"}}'),
	('{"formatVersion": 2, "steps": {}}'),
	('"not a snapshot"')
) AS v(doc);

-- wf_assert_valid is awaitly's assertValidSnapshot: never strict.
SELECT wf_assert_valid(pg_temp.snap('[]', '"workflowName": 1')) IS NOT NULL AS accepted;
