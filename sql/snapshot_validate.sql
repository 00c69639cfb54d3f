SET search_path = workflow_persist, public;
--
-- wf_validate / wf_is_valid / wf_looks_like_snapshot / wf_assert_valid:
-- awaitly 1.35.0's validateSnapshot, looksLikeWorkflowSnapshot and
-- assertValidSnapshot, rule by rule (shared spec: snapshot-format.md).
-- Errors show their SQLSTATE with \echo :LAST_ERROR_SQLSTATE.
--

-- A snapshot with the given steps (text) and a valid execution.
CREATE FUNCTION pg_temp.with_steps(steps text) RETURNS jsonb
LANGUAGE sql AS $$
SELECT ('{"formatVersion": 1, "steps": ' || steps ||
		', "execution": {"status": "running", "lastUpdated": "2024-01-01T00:00:00.000Z"}}')::jsonb
$$;
-- Its messages one per row, raw (no array quoting), in order.
CREATE FUNCTION pg_temp.msgs(doc jsonb) RETURNS TABLE (n bigint, message text)
LANGUAGE sql AS $$
SELECT n, m FROM unnest(workflow_persist.wf_validate(doc)) WITH ORDINALITY AS u(m, n) ORDER BY n
$$;

--
-- A valid snapshot, as awaitly writes it: no messages.
--
SELECT wf_validate('{"formatVersion": 1, "workflowName": "checkout",
  "steps": {"reserve": {"ok": true, "value": {"sku": "A-1"}},
            "charge": {"ok": false, "error": {"type": "PENDING_APPROVAL", "stepKey": "charge"},
                       "cause": {"type": "thrown", "originalType": "object", "stringRepresentation": "x"},
                       "meta": {"origin": "result"}}},
  "execution": {"status": "running", "lastUpdated": "2026-11-22T10:00:00.000Z", "currentStepId": "charge"},
  "metadata": {"workflowId": "w-1", "definitionHash": "h", "input": null, "version": 1},
  "warnings": [{"type": "lossy_value", "stepId": "reserve", "path": "value", "reason": "non-json"}]}'),
       wf_is_valid('{"formatVersion": 1, "steps": {}, "execution": {"status": "completed", "lastUpdated": ""}}');

--
-- Rule 1: a root that is null, a boolean, a number or a string gives exactly
-- one message and nothing else.
--
SELECT doc, wf_validate(doc::jsonb), wf_is_valid(doc::jsonb)
FROM (VALUES ('null'), ('true'), ('false'), ('0'), ('-1.5'), ('1e400'), ('"snapshot"'), ('""'),
			 ('"{\"formatVersion\": 1}"')) AS v(doc);

-- An array root is an "object" to JavaScript: it has none of the keys.
SELECT doc, wf_validate(doc::jsonb)
FROM (VALUES ('[]'), ('[1, 2]'),
			 ('[{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": ""}}]'),
			 ('{}')) AS v(doc);

--
-- formatVersion: absent, or present and not the number 1 (as JavaScript's
-- === compares: the double JSON.parse gives).  X is rendered like
-- JavaScript's String(): strings raw, shortest round-trip numbers, arrays
-- joined with "," (null elements empty), objects "[object Object]".
--
SELECT * FROM pg_temp.msgs('{"steps": {}, "execution": {"status": "running", "lastUpdated": ""}}');

SELECT fv AS "formatVersion",
	   wf_validate(('{"formatVersion": ' || fv || ', "steps": {}, "execution": {"status": "failed", "lastUpdated": "x"}}')::jsonb)
FROM (VALUES ('1'), ('1.0'), ('1.00'), ('1e0'), ('1E+0'), ('10e-1'), ('0.1e1'), ('100e-2'),
			 ('1.0000000000000001'),	-- rounds to the double 1: valid
			 ('1.000000000000001'),
			 ('0.9999999999999999'),
			 ('"1"'), ('"1.0"'), ('""'), ('"a\"b"'), ('"two\nlines"'), ('"😀"'),
			 ('2'), ('2.50'), ('0'), ('-0'), ('-0.0'), ('-1'), ('0.5'),
			 ('1e21'), ('1e20'), ('123456789012345678901'), ('9007199254740993'),
			 ('0.000001'), ('0.0000001'), ('1.5e-7'), ('-2.5e-7'), ('1e-6'),
			 ('1e400'), ('-1e400'), ('1e-400'), ('5e-324'), ('1.7976931348623157e308'),
			 ('3.756e22'),			-- halfway between two doubles: JS prints it short
			 ('31554151913856591.22489'),
			 ('7.120236347223045e-307'),	-- 2^-1016
			 ('true'), ('false'), ('null'),
			 ('[]'), ('[1]'), ('[null]'), ('[null, null]'), ('[1, 2]'), ('[[1, [2, null]], null]'),
			 ('[[], [[]]]'), ('["a", true, false, 2.50]'), ('[1e21, 1e-7, -0]'),
			 ('{}'), ('{"a": 1}'), ('[{}, {}]'),
			 ('{"toString": 1}')	-- spec: [object Object]; JavaScript would throw here
	 ) AS v(fv);

-- Duplicate keys: jsonb (like JSON.parse) keeps the last one.
SELECT wf_validate('{"formatVersion": 2, "formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": ""}}') AS last_is_1,
	   wf_validate('{"formatVersion": 1, "formatVersion": "1", "steps": {}, "execution": {"status": "running", "lastUpdated": ""}}') AS last_is_string;

-- A formatVersion nested 5,000 arrays deep still renders (String() flattens).
SELECT wf_validate(('{"formatVersion": ' || repeat('[', 5000) || '7' || repeat(']', 5000) ||
					', "steps": {}, "execution": {"status": "running", "lastUpdated": ""}}')::jsonb);

--
-- steps: absent; null or a scalar; otherwise every entry in jsonb key order.
--
SELECT * FROM pg_temp.msgs('{"formatVersion": 1, "execution": {"status": "running", "lastUpdated": ""}}');

SELECT steps, wf_validate(pg_temp.with_steps(steps))
FROM (VALUES ('null'), ('0'), ('1'), ('true'), ('false'), ('""'), ('"ab"'),
			 ('{}'), ('[]')) AS v(steps);

-- An array stands in for an object: its entries are steps "0", "1", ...
SELECT * FROM pg_temp.msgs(pg_temp.with_steps(
	'[null, 1, {"ok": true}, {"ok": false}, [], {"ok": "true"}, "x", {"ok": false, "error": 1, "cause": 2},
	  {}, {}, {}]'));

-- Step values, one rule each.
SELECT step, wf_validate(pg_temp.with_steps('{"s": ' || step || '}'))
FROM (VALUES
	-- not an object: "must be an object", and nothing else for this step
	('null'), ('1'), ('-0'), ('"step"'), ('""'), ('true'), ('false'),
	-- arrays are objects to JavaScript, without an "ok"
	('[]'), ('[{"ok": true}]'), ('[true]'),
	-- no "ok" key
	('{}'), ('{"value": 1}'), ('{"OK": true}'),
	-- "ok" present but not a JSON boolean
	('{"ok": "true"}'), ('{"ok": "false"}'), ('{"ok": 1}'), ('{"ok": 0}'), ('{"ok": null}'),
	('{"ok": []}'), ('{"ok": [true]}'), ('{"ok": {}}'),
	-- ok false: error, then cause; present means present, null included
	('{"ok": false}'),
	('{"ok": false, "cause": {"type": "error", "name": "E", "message": "m"}}'),
	('{"ok": false, "error": "E"}'),
	('{"ok": false, "error": null}'),
	('{"ok": false, "cause": null}'),
	('{"ok": false, "error": null, "cause": null}'),
	('{"ok": false, "error": "E", "cause": "not a SerializedCause"}'),
	-- ok true: nothing more is checked
	('{"ok": true}'), ('{"ok": true, "value": null}'),
	('{"ok": true, "error": 1, "meta": "junk"}'),
	-- duplicate keys: the last "ok" counts
	('{"ok": "x", "ok": true}'), ('{"ok": true, "ok": "x"}')
) AS v(step);

-- Step keys are inserted raw into the messages: no escaping at all.
SELECT * FROM pg_temp.msgs(pg_temp.with_steps(
	'{"a\"b": null, "back\\slash": null, "two\nlines": null, "tab\there": null, "😀": null,
	  "": null, " ": null, "%s %d": null, "steps[\"x\"]": null, "é": null}'));

-- jsonb key order: shorter keys first, then bytewise (UTF-8).  Numeric-
-- looking keys are not special ("9" < "10" by length, "10" < "ab" by bytes);
-- JavaScript would list "1", "9", "10" first.
SELECT * FROM pg_temp.msgs(pg_temp.with_steps(
	'{"ab": {}, "10": {}, "9": {}, "b": {}, "": {}, "01": {}, "1": {}, "é": {}, "a": {}, "100": {},
	  "4294967295": {}, "-1": {}, "Z": {}, "😀": {}}'));

-- Duplicate step keys: the last one wins.
SELECT wf_validate(pg_temp.with_steps('{"a": null, "a": {"ok": true}}')) AS last_valid,
	   wf_validate(pg_temp.with_steps('{"a": {"ok": true}, "a": null}')) AS last_invalid;

-- __proto__ and friends are ordinary keys (JSON.parse makes own properties).
SELECT * FROM pg_temp.msgs(pg_temp.with_steps(
	'{"__proto__": null, "constructor": {}, "toString": {"ok": 1}, "hasOwnProperty": {"ok": true}}'));

-- 1,000 steps built in SQL: every 100th one lacks "ok"; the messages come
-- in jsonb key order (s100 ... s900, then s1000).
SELECT * FROM pg_temp.msgs(jsonb_build_object(
	'formatVersion', 1,
	'steps', (SELECT jsonb_object_agg('s' || i,
									  CASE WHEN i % 100 = 0 THEN '{"value": 1}'::jsonb
										   WHEN i % 2 = 0 THEN jsonb_build_object('ok', true, 'value', i)
										   ELSE jsonb_build_object('ok', false, 'error', 'E' || i,
																   'cause', jsonb_build_object('type', 'error'))
									  END)
			  FROM generate_series(1, 1000) i),
	'execution', jsonb_build_object('status', 'running', 'lastUpdated', '')));
SELECT wf_is_valid(jsonb_build_object(
	'formatVersion', 1,
	'steps', (SELECT jsonb_object_agg(i::text, jsonb_build_object('ok', true)) FROM generate_series(1, 1000) i),
	'execution', jsonb_build_object('status', 'running', 'lastUpdated', ''))) AS thousand_valid_steps;

-- Validation never looks inside a step's value, error or cause: 5,000
-- levels of nesting there are fine.
SELECT wf_validate(pg_temp.with_steps('{"deep": {"ok": true, "value": ' || repeat('[', 5000) || repeat(']', 5000) ||
									  '}, "deeper": {"ok": false, "error": ' || repeat('{"a": ', 5000) || '1' || repeat('}', 5000) ||
									  ', "cause": ' || repeat('{"cause": ', 5000) || 'null' || repeat('}', 5000) || '}}'));

--
-- execution: absent; null or a scalar; status; lastUpdated.
--
SELECT * FROM pg_temp.msgs('{"formatVersion": 1, "steps": {}}');

SELECT execution, wf_validate(('{"formatVersion": 1, "steps": {}, "execution": ' || execution || '}')::jsonb)
FROM (VALUES
	('null'), ('1'), ('true'), ('"running"'), ('""'),
	-- an array is an object without keys
	('[]'), ('["running", "2024-01-01T00:00:00Z"]'), ('[{"status": "running"}]'),
	('{}'),
	('{"status": "running"}'), ('{"lastUpdated": "x"}'),
	('{"status": "running", "lastUpdated": "x"}'),
	('{"status": "completed", "lastUpdated": "x"}'),
	('{"status": "failed", "lastUpdated": "x"}'),
	-- status: exactly one of the three strings
	('{"status": "Running", "lastUpdated": "x"}'), ('{"status": "running ", "lastUpdated": "x"}'),
	('{"status": "paused", "lastUpdated": "x"}'), ('{"status": "", "lastUpdated": "x"}'),
	('{"status": null, "lastUpdated": "x"}'), ('{"status": 1, "lastUpdated": "x"}'),
	('{"status": ["running"], "lastUpdated": "x"}'), ('{"status": {}, "lastUpdated": "x"}'),
	-- lastUpdated: any string (no date check here), nothing else
	('{"status": "running", "lastUpdated": ""}'), ('{"status": "running", "lastUpdated": "yesterday"}'),
	('{"status": "running", "lastUpdated": null}'), ('{"status": "running", "lastUpdated": 1700000000000}'),
	('{"status": "running", "lastUpdated": true}'), ('{"status": "running", "lastUpdated": []}'),
	('{"status": "running", "lastUpdated": {}}'),
	-- both wrong: status first
	('{"status": null, "lastUpdated": null}'),
	-- never checked: completedAt, currentStepId, unknown keys
	('{"status": "running", "lastUpdated": "x", "completedAt": 1, "currentStepId": [], "x": null}'),
	-- duplicate keys: the last wins
	('{"status": "paused", "lastUpdated": "x", "status": "failed"}')
) AS v(execution);

--
-- Everything at once: formatVersion, then steps in key order, then execution.
--
SELECT * FROM pg_temp.msgs('{"execution": {"status": "done"}, "steps": {"b": {"ok": 1}, "a": {"ok": false}},
							 "formatVersion": "1"}');

-- Never checked in this mode: workflowName, metadata, warnings, unknown keys.
SELECT wf_validate('{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": ""},
					 "workflowName": 7, "metadata": [1], "warnings": "none", "extra": {"x": null}}');

--
-- wf_is_valid: no messages <=> true; the strict argument defaults to false.
--
SELECT doc, wf_is_valid(doc::jsonb), wf_is_valid(doc::jsonb, false) AS explicit_default,
	   cardinality(wf_validate(doc::jsonb)) = 0 AS no_messages
FROM (VALUES ('{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": ""}}'),
			 ('{"formatVersion": 1, "steps": [], "execution": {"status": "running", "lastUpdated": ""}}'),
			 ('{"formatVersion": 1, "steps": {"a": {"ok": false}}, "execution": {"status": "running", "lastUpdated": ""}}'),
			 ('{"formatVersion": 1, "steps": {}, "execution": {"status": "running", "lastUpdated": 1}}'),
			 ('[]'), ('null')) AS v(doc);

-- NULL in, NULL out (STRICT functions).
SELECT wf_validate(NULL) IS NULL AS validate, wf_is_valid(NULL) IS NULL AS is_valid,
	   wf_looks_like_snapshot(NULL) IS NULL AS looks_like, wf_assert_valid(NULL) IS NULL AS assert_valid;

--
-- wf_looks_like_snapshot: a cheap shape test, every clause.
--
SELECT doc, wf_looks_like_snapshot(doc::jsonb), wf_is_valid(doc::jsonb)
FROM (VALUES
	('{"formatVersion": 1, "steps": {}, "execution": {}}'),
	-- the root: scalars and arrays never look like a snapshot
	('null'), ('1'), ('"x"'), ('true'), ('[]'),
	('[{"formatVersion": 1, "steps": {}, "execution": {}}]'),
	-- formatVersion: present and numerically 1
	('{"steps": {}, "execution": {}}'),
	('{"formatVersion": "1", "steps": {}, "execution": {}}'),
	('{"formatVersion": 2, "steps": {}, "execution": {}}'),
	('{"formatVersion": [1], "steps": {}, "execution": {}}'),
	('{"formatVersion": 1.0, "steps": {}, "execution": {}}'),
	('{"formatVersion": 10e-1, "steps": {}, "execution": {}}'),
	-- steps: present, an object or an array
	('{"formatVersion": 1, "execution": {}}'),
	('{"formatVersion": 1, "steps": null, "execution": {}}'),
	('{"formatVersion": 1, "steps": "x", "execution": {}}'),
	('{"formatVersion": 1, "steps": 1, "execution": {}}'),
	('{"formatVersion": 1, "steps": [], "execution": {}}'),
	-- execution: present, an object, an array or null
	('{"formatVersion": 1, "steps": {}}'),
	('{"formatVersion": 1, "steps": {}, "execution": null}'),
	('{"formatVersion": 1, "steps": {}, "execution": []}'),
	('{"formatVersion": 1, "steps": {}, "execution": "running"}'),
	('{"formatVersion": 1, "steps": {}, "execution": 0}'),
	('{"formatVersion": 1, "steps": {}, "execution": false}'),
	-- nothing deeper is examined
	('{"formatVersion": 1, "steps": {"a": null}, "execution": {"status": 1}}')
) AS v(doc);

--
-- wf_assert_valid: the input back, or SQLSTATE 22023 with the first message
-- in the primary message and every message in DETAIL, one per line.
--
SELECT wf_assert_valid('{"formatVersion": 1.0, "steps": {"a": {"ok": true, "value": 1.50}}, "execution": {"status": "running", "lastUpdated": "t"}, "x": [1]}');
SELECT wf_assert_valid('{"formatVersion": 2.50, "steps": {"charge": {"value": 1}, "ship": {"ok": false, "error": "TIMEOUT"}}, "execution": {"status": "paused"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_assert_valid('"snapshot"');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_assert_valid('[]');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_assert_valid(pg_temp.with_steps('{"line\nbreak": null, "10": 1, "9": 2}'));
\echo :LAST_ERROR_SQLSTATE

--
-- What jsonb cannot hold fails at the cast, before any of our code runs.
--
SELECT wf_validate('{"formatVersion": "\u0000"}');
\echo :LAST_ERROR_SQLSTATE
SELECT wf_validate('{"formatVersion": "\ud800"}');
\echo :LAST_ERROR_SQLSTATE
