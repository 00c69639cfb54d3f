-- wf_checkpoint_trigger() misused: every error has its SQLSTATE, names the
-- trigger and the table, and nothing is written.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never

-- Runs a statement that must fail and says how: its SQLSTATE, and whether
-- its message, detail or hint name the trigger and the table.
CREATE FUNCTION public.trg_error_of(stmt text, trigger_name text, table_name text,
                                    OUT state text, OUT names_trigger bool,
                                    OUT names_table bool)
LANGUAGE plpgsql AS $$
DECLARE
    m text; d text; h text;
BEGIN
    EXECUTE stmt;
    state := 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, m = MESSAGE_TEXT,
                            d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    names_trigger := strpos(concat_ws(' ', m, d, h), trigger_name) > 0;
    names_table := strpos(concat_ws(' ', m, d, h), table_name) > 0;
END
$$;

CREATE TABLE public.trg_misuse (wid text, step text, v jsonb);

---------------------------------------------------------------------------
-- wrong kinds of trigger: 39P01 (trigger protocol violated)
---------------------------------------------------------------------------
CREATE TRIGGER trg_before BEFORE INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step');
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_before ON public.trg_misuse;

CREATE TRIGGER trg_per_statement AFTER INSERT ON public.trg_misuse
    FOR EACH STATEMENT EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step');
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_per_statement ON public.trg_misuse;

INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
CREATE TRIGGER trg_on_delete AFTER DELETE ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step');
DELETE FROM public.trg_misuse;
\echo :SQLSTATE
DROP TRIGGER trg_on_delete ON public.trg_misuse;

-- TRUNCATE triggers are statement-level: refused as such
CREATE TRIGGER trg_on_truncate AFTER TRUNCATE ON public.trg_misuse
    EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step');
TRUNCATE public.trg_misuse;
\echo :SQLSTATE
DROP TRIGGER trg_on_truncate ON public.trg_misuse;
SELECT count(*) AS rows_left FROM public.trg_misuse;
DELETE FROM public.trg_misuse;

-- on a view, as INSTEAD OF
CREATE VIEW public.trg_misuse_view AS SELECT * FROM public.trg_misuse;
CREATE TRIGGER trg_instead INSTEAD OF INSERT ON public.trg_misuse_view
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step');
INSERT INTO public.trg_misuse_view VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP VIEW public.trg_misuse_view;

---------------------------------------------------------------------------
-- wrong arguments
---------------------------------------------------------------------------
CREATE TRIGGER trg_no_args AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger();
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_no_args ON public.trg_misuse;

CREATE TRIGGER trg_one_arg AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid');
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_one_arg ON public.trg_misuse;

CREATE TRIGGER trg_five_args AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', 'v', 'v', 'v');
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_five_args ON public.trg_misuse;

-- columns that do not exist: 42703, whichever argument names them
CREATE TRIGGER trg_bad_id AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('no_such_id', 'step');
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_bad_id ON public.trg_misuse;

CREATE TRIGGER trg_bad_key AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'Step');
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_bad_key ON public.trg_misuse;

CREATE TRIGGER trg_bad_value AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', 'no_such_value');
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_bad_value ON public.trg_misuse;

-- system columns are not row data
CREATE TRIGGER trg_system_col AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('ctid', 'step');
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
DROP TRIGGER trg_system_col ON public.trg_misuse;

-- a column dropped (or renamed) after the trigger was attached: trigger
-- arguments are names, so the next write fails instead of recording garbage
ALTER TABLE public.trg_misuse ADD COLUMN extra jsonb;
SELECT wf_attach_checkpoint('public.trg_misuse', 'wid', 'step', 'extra');
ALTER TABLE public.trg_misuse DROP COLUMN extra;
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
ALTER TABLE public.trg_misuse RENAME COLUMN step TO step_name;
SELECT wf_detach_checkpoint('public.trg_misuse');
SELECT wf_attach_checkpoint('public.trg_misuse', 'wid', 'step_name', 'v');
ALTER TABLE public.trg_misuse RENAME COLUMN step_name TO step;
INSERT INTO public.trg_misuse VALUES ('trg:mis:1', 'a', '1');
\echo :SQLSTATE
SELECT wf_detach_checkpoint('public.trg_misuse');

-- none of the above wrote anything
SELECT count(*) AS rows_written FROM public.trg_misuse;
SELECT wf_exists('trg:mis:1') AS workflow_written;

---------------------------------------------------------------------------
-- bad values in a row: NULL id or key (22004), id too long or empty (22023)
---------------------------------------------------------------------------
SELECT wf_attach_checkpoint('public.trg_misuse', 'wid', 'step', 'v');
INSERT INTO public.trg_misuse VALUES (NULL, 'a', '1');
\echo :SQLSTATE
INSERT INTO public.trg_misuse VALUES ('trg:mis:2', NULL, '1');
\echo :SQLSTATE
-- a NULL in the second row: the first row's checkpoint goes too
INSERT INTO public.trg_misuse VALUES ('trg:mis:2', 'a', '1'), (NULL, 'b', '2');
\echo :SQLSTATE
SELECT wf_exists('trg:mis:2') AS written;
-- an UPDATE that sets the key to NULL
INSERT INTO public.trg_misuse VALUES ('trg:mis:3', 'a', '1');
UPDATE public.trg_misuse SET step = NULL WHERE wid = 'trg:mis:3';
\echo :SQLSTATE
SELECT version, wf_step_result('trg:mis:3', 'a') FROM wf_info('trg:mis:3');
-- 512 bytes is the longest id (here 128 four-byte characters) ...
INSERT INTO public.trg_misuse VALUES (repeat('🧾', 128), 'a', '1');
SELECT octet_length(id), version FROM wf_list(prefix => '🧾');
-- ... 513 bytes is too long, and so is the empty id
INSERT INTO public.trg_misuse VALUES (repeat('🧾', 128) || 'x', 'a', '1');
\echo :SQLSTATE
INSERT INTO public.trg_misuse VALUES ('', 'a', '1');
\echo :SQLSTATE
SELECT count(*) AS workflows_with_bad_ids FROM wf_workflow
 WHERE octet_length(id) > 512 OR id = '';
SELECT count(*) AS rows_written FROM public.trg_misuse;

---------------------------------------------------------------------------
-- finished runs refuse the checkpoint (55000), like any write
---------------------------------------------------------------------------
SELECT wf_save('trg:mis:done', '{"formatVersion":1,"steps":{"a":{"ok":true}},"execution":{"status":"completed","lastUpdated":"2026-01-01T00:00:00.000Z"}}');
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
INSERT INTO public.trg_misuse VALUES ('trg:mis:done', 'b', '1');
\echo :SQLSTATE
RESET workflow_persist.finished_read_only;
SELECT wf_save_step('trg:mis:cancelled', 'a', '{"ok":true}');
SELECT wf_cancel('trg:mis:cancelled', 'test');
INSERT INTO public.trg_misuse VALUES ('trg:mis:cancelled', 'b', '1');
\echo :SQLSTATE
SELECT id, status, version, step_count FROM wf_list(prefix => 'trg:mis:') ORDER BY id;
SELECT count(*) AS rows_written FROM public.trg_misuse WHERE wid LIKE 'trg:mis:%' AND step = 'b';

---------------------------------------------------------------------------
-- called outside a trigger
---------------------------------------------------------------------------
SELECT wf_checkpoint_trigger();
\echo :SQLSTATE

---------------------------------------------------------------------------
-- every misuse error names the trigger and the table
---------------------------------------------------------------------------
SELECT wf_detach_checkpoint('public.trg_misuse');
CREATE TRIGGER trg_before BEFORE INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step');
SELECT * FROM trg_error_of($$INSERT INTO public.trg_misuse VALUES ('trg:mis:4', 'a', '1')$$,
                           'trg_before', 'trg_misuse');
DROP TRIGGER trg_before ON public.trg_misuse;
CREATE TRIGGER trg_args AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid');
SELECT * FROM trg_error_of($$INSERT INTO public.trg_misuse VALUES ('trg:mis:4', 'a', '1')$$,
                           'trg_args', 'trg_misuse');
DROP TRIGGER trg_args ON public.trg_misuse;
CREATE TRIGGER trg_column AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'nope');
SELECT * FROM trg_error_of($$INSERT INTO public.trg_misuse VALUES ('trg:mis:4', 'a', '1')$$,
                           'trg_column', 'trg_misuse');
DROP TRIGGER trg_column ON public.trg_misuse;
CREATE TRIGGER trg_values AFTER INSERT ON public.trg_misuse
    FOR EACH ROW EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step');
SELECT 'null id' AS "case", * FROM trg_error_of($$INSERT INTO public.trg_misuse VALUES (NULL, 'a', '1')$$,
                                              'trg_values', 'trg_misuse')
UNION ALL
SELECT 'null key', * FROM trg_error_of($$INSERT INTO public.trg_misuse VALUES ('trg:mis:4', NULL, '1')$$,
                                       'trg_values', 'trg_misuse')
UNION ALL
SELECT 'id too long', * FROM trg_error_of($$INSERT INTO public.trg_misuse VALUES (repeat('x', 513), 'a', '1')$$,
                                          'trg_values', 'trg_misuse')
UNION ALL
SELECT 'empty id', * FROM trg_error_of($$INSERT INTO public.trg_misuse VALUES ('', 'a', '1')$$,
                                       'trg_values', 'trg_misuse');
DROP TRIGGER trg_values ON public.trg_misuse;

DROP TABLE public.trg_misuse;
DROP FUNCTION public.trg_error_of(text, text, text);

-- clean up: later tests count every stored workflow
SELECT count(wf_delete(id)) AS deleted FROM wf_workflow
 WHERE id LIKE 'trg:mis:%' OR id = repeat('🧾', 128);
SELECT count(*) AS leftovers FROM wf_workflow
 WHERE id LIKE 'trg:mis:%' OR id = repeat('🧾', 128);
