-- Storage layout prototypes (issue 3's first decision), in plain SQL so that
-- only the layout differs, not the implementation language.
--   raw : one jsonb document per workflow, checkpoint = jsonb_set rewrite
--   rows: one row per step (the raw per-step floor)
--   A   : header row + one row per step (design.md layout A)
--   B   : document + append-only delta log, folded when the log outgrows
--         the document (design.md layout B, amortised O(1) folding)
DROP SCHEMA IF EXISTS proto CASCADE;
CREATE SCHEMA proto;
SET search_path = proto;

-- A pool of incompressible ~1 KB step results.
CREATE TABLE vals (i int PRIMARY KEY, v jsonb NOT NULL);
INSERT INTO vals
SELECT i, jsonb_build_object('ok', true, 'value', jsonb_build_object('data',
         (SELECT string_agg(md5(random()::text || i || j), '') FROM generate_series(1, 31) j)))
FROM generate_series(1, 1000) i;

CREATE TABLE raw (id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE rows (id text COLLATE "C", key text COLLATE "C", v jsonb, PRIMARY KEY (id, key));

CREATE TABLE a_hdr (id text COLLATE "C" PRIMARY KEY, version bigint NOT NULL,
                    next_pos int NOT NULL, execution jsonb NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE a_step (wid text COLLATE "C", key text COLLATE "C", pos int NOT NULL,
                     ok bool NOT NULL, result jsonb NOT NULL, PRIMARY KEY (wid, key));

CREATE FUNCTION a_save_step(p_id text, p_key text, p_result jsonb) RETURNS bigint
LANGUAGE plpgsql SET search_path = proto AS $$
DECLARE h a_hdr;
BEGIN
    SELECT * INTO h FROM a_hdr WHERE id = p_id FOR UPDATE;
    INSERT INTO a_step VALUES (p_id, p_key, h.next_pos, (p_result->>'ok')::bool, p_result)
    ON CONFLICT (wid, key) DO UPDATE SET result = EXCLUDED.result, ok = EXCLUDED.ok;
    UPDATE a_hdr SET version = version + 1, next_pos = next_pos + 1, updated_at = now(),
           execution = jsonb_set(execution, '{currentStepId}', to_jsonb(p_key))
    WHERE id = p_id RETURNING version INTO h.version;
    RETURN h.version;
END $$;

CREATE FUNCTION a_load(p_id text) RETURNS jsonb LANGUAGE sql STABLE SET search_path = proto AS $$
    SELECT jsonb_build_object('formatVersion', 1, 'execution', h.execution,
           'steps', (SELECT jsonb_object_agg(key, result) FROM a_step WHERE wid = p_id))
    FROM a_hdr h WHERE h.id = p_id
$$;

CREATE TABLE b_doc (id text COLLATE "C" PRIMARY KEY, version bigint NOT NULL, doc jsonb NOT NULL,
                    log_bytes bigint NOT NULL DEFAULT 0);
CREATE TABLE b_delta (id text COLLATE "C", seq bigint, key text, result jsonb, PRIMARY KEY (id, seq));

CREATE FUNCTION b_save_step(p_id text, p_key text, p_result jsonb) RETURNS bigint
LANGUAGE plpgsql SET search_path = proto AS $$
DECLARE d b_doc;
BEGIN
    SELECT * INTO d FROM b_doc WHERE id = p_id FOR UPDATE;
    INSERT INTO b_delta VALUES (p_id, d.version + 1, p_key, p_result);
    d.log_bytes := d.log_bytes + octet_length(p_result::text);
    IF d.log_bytes > pg_column_size(d.doc) THEN
        -- fold: rewrite the document once the log has outgrown it
        UPDATE b_doc SET doc = jsonb_set(doc, '{steps}', (doc->'steps') ||
                 (SELECT jsonb_object_agg(key, result ORDER BY seq) FROM b_delta WHERE id = p_id)),
               version = version + 1, log_bytes = 0
        WHERE id = p_id;
        DELETE FROM b_delta WHERE id = p_id;
    ELSE
        UPDATE b_doc SET version = version + 1, log_bytes = d.log_bytes WHERE id = p_id;
    END IF;
    RETURN d.version + 1;
END $$;

CREATE FUNCTION b_load(p_id text) RETURNS jsonb LANGUAGE sql STABLE SET search_path = proto AS $$
    SELECT CASE WHEN NOT EXISTS (SELECT FROM b_delta WHERE id = p_id) THEN d.doc
           ELSE jsonb_set(d.doc, '{steps}', (d.doc->'steps') ||
                (SELECT jsonb_object_agg(key, result ORDER BY seq) FROM b_delta WHERE id = p_id)) END
    FROM b_doc d WHERE d.id = p_id
$$;

-- W workflows of N steps each, in every layout.
CREATE FUNCTION populate(w int, n int) RETURNS void LANGUAGE plpgsql SET search_path = proto AS $$
BEGIN
    TRUNCATE raw, rows, a_hdr, a_step, b_doc, b_delta;
    INSERT INTO rows SELECT 'wf' || g.i, 's' || s.j, vals.v
      FROM generate_series(1, w) g(i), generate_series(1, n) s(j)
      JOIN vals ON vals.i = 1 + (s.j * 7919) % 1000;
    INSERT INTO a_step SELECT id, key, row_number() OVER (PARTITION BY id ORDER BY key), true, v FROM rows;
    INSERT INTO a_hdr SELECT 'wf' || g.i, n, n + 1,
      '{"status":"running","lastUpdated":"2026-11-22T00:00:00.000Z"}', now() FROM generate_series(1, w) g(i);
    INSERT INTO raw SELECT id, jsonb_build_object('formatVersion', 1, 'steps', jsonb_object_agg(key, v),
      'execution', '{"status":"running","lastUpdated":"2026-11-22T00:00:00.000Z"}'::jsonb) FROM rows GROUP BY id;
    INSERT INTO b_doc SELECT id, n, doc FROM raw;
END $$;
