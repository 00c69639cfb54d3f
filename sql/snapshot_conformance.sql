--
-- Differential conformance against awaitly 1.35.0.
--
-- test/awaitly/corpus.tsv holds JSON texts with the verdicts, messages and
-- merge results awaitly itself gave for them (test/awaitly/generate.mjs,
-- README.md there).  Every query below that lists cases must return no
-- rows; when one does, the rows say which case, what awaitly said and what
-- we said.
--
SET search_path = workflow_persist, public;

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

-- What the corpus holds
SELECT kind,
	   count(*) AS cases,
	   count(*) FILTER (WHERE expected ? 'errors' AND expected->'errors' = '[]') AS valid,
	   count(*) FILTER (WHERE jsonb_array_length(expected->'errors') > 0) AS invalid,
	   count(*) FILTER (WHERE (expected->>'looksLike')::boolean) AS looks_like,
	   count(*) FILTER (WHERE expected ? 'result') AS merged,
	   count(*) FILTER (WHERE expected ? 'error') AS merge_errors
FROM corpus GROUP BY kind ORDER BY kind;

-- Run every case once; errors are caught and kept as SQLSTATE + message.
CREATE FUNCTION pg_temp.try_assert(doc jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
BEGIN
	PERFORM workflow_persist.wf_assert_valid(doc);
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL;
	RETURN jsonb_build_object('sqlstate', st, 'message', msg, 'detail', det);
END
$$;

CREATE FUNCTION pg_temp.try_merge(base jsonb, delta jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
BEGIN
	RETURN jsonb_build_object('result', workflow_persist.wf_merge_snapshots(base, delta));
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN jsonb_build_object('error', msg, 'sqlstate', st);
END
$$;

CREATE TEMP TABLE snap AS
SELECT id, input, expected, note,
	   ARRAY(SELECT jsonb_array_elements_text(expected->'errors')) AS want,
	   wf_validate(input::jsonb) AS got,
	   wf_validate(input::jsonb, true) AS got_strict,
	   wf_is_valid(input::jsonb) AS is_valid,
	   wf_is_valid(input::jsonb, true) AS is_valid_strict,
	   wf_looks_like_snapshot(input::jsonb) AS looks_like,
	   pg_temp.try_assert(input::jsonb) AS asserted
FROM corpus WHERE kind = 'snapshot';

CREATE TEMP TABLE mrg AS
SELECT id, input, input2, expected, note,
	   pg_temp.try_merge(input::jsonb, input2::jsonb) AS got
FROM corpus WHERE kind = 'merge';

-- One row per case and check: does our answer match awaitly's?
CREATE TEMP VIEW checks AS
SELECT 'validate' AS aspect, id, got IS NOT DISTINCT FROM want AS ok FROM snap
UNION ALL
SELECT 'is_valid', id, is_valid IS NOT DISTINCT FROM (cardinality(want) = 0) FROM snap
UNION ALL
SELECT 'looks_like', id, looks_like IS NOT DISTINCT FROM (expected->>'looksLike')::boolean FROM snap
UNION ALL
SELECT 'assert_valid', id, asserted IS NOT DISTINCT FROM
	   CASE WHEN cardinality(want) > 0 THEN
		   jsonb_build_object('sqlstate', '22023',
							  'message', 'invalid snapshot format: ' || want[1],
							  'detail', array_to_string(want, E'\n'))
	   END
FROM snap
UNION ALL
-- strict mode only appends: awaitly's messages come first, unchanged, and
-- a strictly valid snapshot is valid
SELECT 'strict_appends', id,
	   got_strict[1:cardinality(want)] IS NOT DISTINCT FROM want
	   AND is_valid_strict IS NOT DISTINCT FROM (cardinality(got_strict) = 0)
	   AND NOT (is_valid_strict AND NOT is_valid)
FROM snap
UNION ALL
-- merge: equal results (jsonb =, numbers by value), or SQLSTATE 22023
-- where awaitly throws or the spec refuses
SELECT 'merge', id,
	   CASE WHEN expected ? 'error' THEN got->>'sqlstate' IS NOT DISTINCT FROM '22023'
			ELSE got->'result' IS NOT DISTINCT FROM expected->'result' END
FROM mrg;

-- Mismatches, readable: must be empty
\x on
SELECT c.aspect, s.id, s.note, left(s.input, 400) AS input, s.want,
	   CASE c.aspect
		   WHEN 'validate' THEN s.got::text
		   WHEN 'is_valid' THEN s.is_valid::text
		   WHEN 'looks_like' THEN s.looks_like::text || ' (want ' || (s.expected->>'looksLike') || ')'
		   WHEN 'assert_valid' THEN s.asserted::text
		   ELSE s.got_strict::text
	   END AS got
FROM checks c JOIN snap s USING (id)
WHERE NOT c.ok AND c.aspect <> 'merge'
ORDER BY c.aspect, s.id;

SELECT m.id, m.note, left(m.input, 400) AS base, left(m.input2, 400) AS delta,
	   m.expected AS want, m.got
FROM checks c JOIN mrg m USING (id)
WHERE NOT c.ok AND c.aspect = 'merge'
ORDER BY m.id;
\x off

-- Summary: cases compared per check, and mismatches (all must be 0)
SELECT aspect, count(*) AS cases, count(*) FILTER (WHERE NOT ok) AS mismatches
FROM checks GROUP BY aspect
ORDER BY array_position('{validate,is_valid,looks_like,assert_valid,strict_appends,merge}', aspect);
