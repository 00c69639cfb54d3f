--
-- wf_save(text): a snapshot sent as JSON text (what node-postgres and
-- other drivers send for an untyped parameter) gives exactly what the
-- jsonb overload gives: the same result or the same error (SQLSTATE,
-- message, detail), the same document back from wf_load and the same
-- step rows, while steps whose text did not change are not converted.
--
SET search_path = workflow_persist, public;

-- Which overload a call takes: untyped parameters and literals the text
-- one (string category preferred), jsonb arguments the jsonb one.
PREPARE untyped AS SELECT wf_save($1, $2);
PREPARE typed AS SELECT wf_save($1, $2::jsonb);
PREPARE named AS SELECT wf_save(id => $1, snapshot => $2, namespace => $3);
SELECT name, parameter_types FROM pg_prepared_statements
WHERE name IN ('untyped', 'typed', 'named') ORDER BY name;
DEALLOCATE ALL;
SELECT p.oid::regprocedure AS called
FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = 'workflow_persist' AND p.proname = 'wf_save' ORDER BY 1;

-- Try one save through either overload; the error is kept, not raised.
CREATE FUNCTION pg_temp.try_save(id text, doc text, as_jsonb boolean,
								 expected bigint DEFAULT NULL,
								 word text DEFAULT NULL,
								 absent boolean DEFAULT false)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	v bigint;
BEGIN
	IF as_jsonb THEN
		v := workflow_persist.wf_save(id, doc::jsonb, expected_version => expected,
									  status => word, if_absent => absent);
	ELSE
		v := workflow_persist.wf_save(id, doc, expected_version => expected,
									  status => word, if_absent => absent);
	END IF;
	RETURN jsonb_build_object('version', v);
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL;
	RETURN jsonb_build_object('sqlstate', st, 'message',
							  replace(msg, '"t:', '"j:'), 'detail', det);
END
$$;

-- What is stored for a workflow, comparable across ids.
CREATE FUNCTION pg_temp.stored(wid text) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object(
		'load', workflow_persist.wf_load(wid),
		'header', (SELECT jsonb_build_object('version', version, 'status', status,
						'step_count', step_count, 'next_pos', next_pos,
						'size_bytes', size_bytes, 'checked', checked,
						'pending', pending, 'status_word', status_word)
				   FROM workflow_persist.wf_workflow
				   WHERE namespace = 'default' AND id = wid),
		'steps', (SELECT jsonb_agg(jsonb_build_array(step_key, pos, ok, result,
													  hash, size_bytes, pending)
								   ORDER BY step_key)
				  FROM workflow_persist.wf_step
				  WHERE namespace = 'default' AND workflow_id = wid))
$$;

\getenv abs_srcdir PG_ABS_SRCDIR
\set corpus :abs_srcdir '/test/awaitly/corpus.tsv'
CREATE TEMP TABLE corpus (
	id			integer PRIMARY KEY,
	kind		text NOT NULL,
	input		text NOT NULL,
	input2		text,
	expected	jsonb NOT NULL,
	note		text
);
COPY corpus FROM :'corpus';

-- Every snapshot of awaitly's corpus, saved in turn into one workflow
-- through each overload (so that each save meets the steps the earlier
-- ones left), under each validation mode; then saved again unchanged.
CREATE TEMP TABLE differences (mode text, case_id integer, what text,
							   via_jsonb jsonb, via_text jsonb);
CREATE FUNCTION pg_temp.replay(mode text, every integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	c record;
	rj jsonb;
	rt jsonb;
BEGIN
	PERFORM set_config('workflow_persist.validation', mode, true);
	FOR c IN SELECT * FROM corpus WHERE kind = 'snapshot' AND id % every = 0 ORDER BY id LOOP
		FOR pass IN 1 .. 2 LOOP
			rj := pg_temp.try_save('j:' || mode, c.input, true);
			rt := pg_temp.try_save('t:' || mode, c.input, false);
			IF rj IS DISTINCT FROM rt THEN
				INSERT INTO differences VALUES (mode, c.id, 'result ' || pass, rj, rt);
			END IF;
			rj := pg_temp.stored('j:' || mode);
			rt := pg_temp.stored('t:' || mode);
			IF rj IS DISTINCT FROM rt THEN
				INSERT INTO differences VALUES (mode, c.id, 'stored ' || pass, rj, rt);
			END IF;
		END LOOP;
	END LOOP;
END
$$;
-- (every case with awaitly's rules, every 10th with the other modes)
SELECT pg_temp.replay('awaitly', 1);
SELECT pg_temp.replay('strict', 10);
SELECT pg_temp.replay('off', 10);
SELECT count(*) AS differences FROM differences;
SELECT * FROM differences ORDER BY mode, case_id, what LIMIT 5;
-- the corpus did exercise both outcomes and the skipping of steps
SELECT count(*) FILTER (WHERE s.text_hash IS NOT NULL) > 0 AS text_hashes_kept,
	   count(*) FILTER (WHERE s.text_hash IS NULL) > 0 AS jsonb_rows_have_none
FROM workflow_persist.wf_step AS s;

-- Hand-made cases, each saved after a base snapshot of three steps.
CREATE TEMP TABLE cases (n serial, doc text, note text);
INSERT INTO cases (doc, note) VALUES
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":"x"},"c":{"ok":false,"error":"e","cause":"c"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:01.000Z"}}', 'the base again'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":2},"b":{"ok":true,"value":"x"},"c":{"ok":false,"error":"e","cause":"c"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:02.000Z"}}', 'one step changed'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true, "value":1},"b":{"ok":true,"value":"x"},"c":{"ok":false,"error":"e","cause":"c"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:02.000Z"}}', 'only whitespace changed'),
 ('{"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:03.000Z"},"steps":{"c":{"ok":false,"error":"e","cause":"c"},"b":{"ok":true,"value":"x"},"d":{"ok":true}},"formatVersion":1}', 'members reordered, a step dropped, one added'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"a":{"ok":true,"value":5}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'a duplicate step key: jsonb keeps the last'),
 ('{"formatVersion":1,"formatVersion":2,"steps":{},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'a duplicate top-level key'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":"\u00e9"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'a \u escape'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":"\u0000"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'a \u0000 escape: jsonb refuses it'),
 ('{"formatVersion":1,"steps":{"k\"ey":{"ok":true}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'an escape in a step key'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}', 'not JSON: unterminated'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":tru}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'not JSON in a changed step'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":"yes"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'an invalid changed step'),
 ('{"formatVersion":2,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":"x"},"c":{"ok":false,"error":"e","cause":"c"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'an invalid header, steps unchanged'),
 ('{"formatVersion":1,"steps":[],"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'steps an array'),
 ('[1, 2]', 'not an object'),
 ('{"kind":"ResumeState","steps":[["a",{"ok":true,"value":1}]]}', 'a ResumeState'),
 ('{"formatVersion":1,"steps":{"a":1,"b":{"ok":true,"value":"x"},"c":{"ok":false,"error":"e","cause":"c"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'a scalar step'),
 ('{"formatVersion":1,"steps":{"a":{"ok":true,"value":1e100000000}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'a number jsonb cannot hold'),
 ('  {"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":"x"},"c":{"ok":false,"error":"e","cause":"c"}},"execution":{"status":"completed","lastUpdated":"2026-01-01T00:00:05.000Z"}}  ', 'completed, with surrounding whitespace'),
 ('{"formatVersion":1,"steps":{"a":{"ok":false,"error":{"type":"PENDING_APPROVAL","stepKey":"a"},"cause":"c"},"b":{"ok":true,"value":"x"},"c":{"ok":false,"error":"e","cause":"c"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}', 'a step now waits for approval');

CREATE FUNCTION pg_temp.hand(settings text[], expected bigint DEFAULT NULL,
							 word text DEFAULT NULL, absent boolean DEFAULT false)
RETURNS TABLE (n integer, note text, same boolean, result jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	c record;
	base text := (SELECT doc FROM cases WHERE cases.n = 1);
	rj jsonb;
	rt jsonb;
BEGIN
	FOR c IN SELECT * FROM cases ORDER BY cases.n LOOP
		PERFORM workflow_persist.wf_delete('j:h');
		PERFORM workflow_persist.wf_delete('t:h');
		PERFORM set_config('workflow_persist.validation', 'awaitly', true);
		PERFORM set_config('workflow_persist.max_step_bytes', '0', true);
		PERFORM pg_temp.try_save('j:h', base, true);
		PERFORM pg_temp.try_save('j:h', base, true);
		PERFORM pg_temp.try_save('t:h', base, false);
		PERFORM pg_temp.try_save('t:h', base, false);	-- now from text hashes
		FOR i IN 1 .. coalesce(array_length(settings, 1), 0) BY 2 LOOP
			PERFORM set_config(settings[i], settings[i + 1], true);
		END LOOP;
		rj := pg_temp.try_save('j:h', c.doc, true, expected, word, absent);
		rt := pg_temp.try_save('t:h', c.doc, false, expected, word, absent);
		n := c.n;
		note := c.note;
		same := rj IS NOT DISTINCT FROM rt AND
			pg_temp.stored('j:h') IS NOT DISTINCT FROM pg_temp.stored('t:h');
		result := CASE WHEN same THEN rt ELSE jsonb_build_array(rj, rt) END;
		RETURN NEXT;
	END LOOP;
END
$$;
SELECT * FROM pg_temp.hand(NULL);
SELECT * FROM pg_temp.hand(ARRAY['workflow_persist.validation', 'strict']);
SELECT n, same, result FROM pg_temp.hand(ARRAY['workflow_persist.max_step_bytes', '40']);
SELECT n, same, result FROM pg_temp.hand(ARRAY['workflow_persist.max_snapshot_bytes', '300']);
SELECT n, same, result FROM pg_temp.hand(NULL, expected => 99);
SELECT n, same, result FROM pg_temp.hand(NULL, word => 'nonsense');
SELECT n, same, result FROM pg_temp.hand(NULL, word => 'paused');
SELECT n, same, result FROM pg_temp.hand(NULL, absent => true);

-- Stored steps that passed a weaker validation than is asked now are
-- checked again: a step saved with validation off, unchanged, fails.
SET workflow_persist.validation = off;
SELECT pg_temp.try_save('j:weak', doc, true), pg_temp.try_save('t:weak', doc, false),
	   pg_temp.try_save('t:weak', doc, false)
FROM (VALUES ('{"formatVersion":1,"steps":{"a":{"ok":false,"error":"e"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}')) AS d(doc);
SET workflow_persist.validation = awaitly;
SELECT pg_temp.try_save('j:weak', doc, true) AS via_jsonb, pg_temp.try_save('t:weak', doc, false) AS via_text
FROM (VALUES ('{"formatVersion":1,"steps":{"a":{"ok":false,"error":"e"}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:05.000Z"}}')) AS d(doc);
RESET workflow_persist.validation;

-- A step whose text did not change is not converted: its stored row is
-- not written again (recorded_at and the row version stay).
SELECT wf_delete('t:skip');
SELECT wf_save('t:skip', '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":2}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}');
CREATE TEMP TABLE before AS
	SELECT step_key, ctid AS row_ctid, text_hash FROM wf_step WHERE workflow_id = 't:skip';
SELECT wf_save('t:skip', '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":3}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}');
SELECT s.step_key, s.ctid = b.row_ctid AS row_kept, s.text_hash = b.text_hash AS same_text_hash
FROM wf_step AS s JOIN before AS b USING (step_key)
WHERE s.workflow_id = 't:skip' ORDER BY 1;
-- a write from jsonb voids the text hash (checkpoints, jsonb saves)
SELECT wf_save_step('t:skip', 'a', '{"ok": true, "value": 7}');
SELECT step_key, text_hash IS NULL AS no_text_hash FROM wf_step
WHERE workflow_id = 't:skip' ORDER BY 1;
SELECT wf_save('t:skip', '{"formatVersion":1,"steps":{"a":{"ok":true,"value":1},"b":{"ok":true,"value":3}},"execution":{"status":"running","lastUpdated":"2026-01-01T00:00:04.000Z"}}');
SELECT wf_load('t:skip') -> 'steps' AS steps;

-- clean up
SELECT count(*) >= 0 AS cleaned FROM (SELECT wf_delete(id) FROM wf_workflow) AS d;
SELECT count(*) AS leftovers FROM wf_workflow;
