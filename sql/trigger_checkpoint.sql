-- wf_checkpoint_trigger(): every row inserted or updated in a business table
-- records a step {"ok": true, "value": ...} of the workflow named by its id
-- column, in the same transaction, through the code of wf_save_step.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never

-- the snapshot without its clock
CREATE FUNCTION public.trg_doc(id text) RETURNS jsonb
LANGUAGE sql AS $$ SELECT workflow_persist.wf_load(id) #- '{execution,lastUpdated}' $$;

---------------------------------------------------------------------------
-- whole-row mode: the value is to_jsonb(row)
---------------------------------------------------------------------------
CREATE TABLE public.trg_order_events (order_id text, step text, amount numeric, note text);
SELECT wf_attach_checkpoint('public.trg_order_events', 'order_id', 'step');

BEGIN;
INSERT INTO public.trg_order_events VALUES ('trg:cp:o1', 'reserve', 19.90, 'two items');
-- lastUpdated is the transaction's now(), as wf_save_step sets it
SELECT wf_load('trg:cp:o1') -> 'execution' ->> 'lastUpdated'
       = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_updated_is_now;
COMMIT;
SELECT trg_doc('trg:cp:o1');
SELECT status, version, step_count FROM wf_info('trg:cp:o1');

-- a second step: version 2, currentStepId follows
INSERT INTO public.trg_order_events VALUES ('trg:cp:o1', 'charge', 19.90, NULL);
SELECT pos, step_key, ok, result FROM wf_steps('trg:cp:o1');
SELECT version, wf_load('trg:cp:o1') -> 'execution' ->> 'currentStepId' AS current FROM wf_info('trg:cp:o1');

-- UPDATE of a column: the whole row changed, the step is rewritten
UPDATE public.trg_order_events SET note = 'paid' WHERE order_id = 'trg:cp:o1' AND step = 'charge';
SELECT version FROM wf_info('trg:cp:o1');
SELECT wf_step_result('trg:cp:o1', 'charge');

-- UPDATE that changes nothing: nothing written, the version stays
UPDATE public.trg_order_events SET note = note WHERE order_id = 'trg:cp:o1';
SELECT version FROM wf_info('trg:cp:o1');
UPDATE public.trg_order_events SET amount = 19.90 WHERE order_id = 'trg:cp:o1';
SELECT version FROM wf_info('trg:cp:o1');

-- UPDATE of the key: the row is recorded under its new key (the old step stays)
UPDATE public.trg_order_events SET step = 'charge:retry' WHERE order_id = 'trg:cp:o1' AND step = 'charge';
SELECT pos, step_key FROM wf_steps('trg:cp:o1');
SELECT version FROM wf_info('trg:cp:o1');

-- UPDATE of the id: the row is recorded in the other workflow
UPDATE public.trg_order_events SET order_id = 'trg:cp:o1b' WHERE order_id = 'trg:cp:o1' AND step = 'reserve';
SELECT trg_doc('trg:cp:o1b');
SELECT version FROM wf_info('trg:cp:o1');

-- the stored snapshot is a valid awaitly snapshot
SELECT wf_is_valid(wf_load('trg:cp:o1'), true) AS strict_valid;

---------------------------------------------------------------------------
-- value-column mode: values of several types
---------------------------------------------------------------------------
CREATE TYPE public.trg_parcel AS (carrier text, weight_kg numeric, tracked boolean);
CREATE TABLE public.trg_values (
    wid text, step text,
    v_jsonb jsonb, v_json json, v_int int, v_text text,
    v_comp public.trg_parcel, v_arr int[]);
-- one trigger per value column (wf_attach_checkpoint makes one per table)
CREATE TRIGGER t_jsonb AFTER INSERT OR UPDATE ON public.trg_values FOR EACH ROW
    WHEN (NEW.wid = 'trg:cp:v:jsonb') EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', 'v_jsonb');
CREATE TRIGGER t_json AFTER INSERT OR UPDATE ON public.trg_values FOR EACH ROW
    WHEN (NEW.wid = 'trg:cp:v:json') EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', 'v_json');
CREATE TRIGGER t_int AFTER INSERT OR UPDATE ON public.trg_values FOR EACH ROW
    WHEN (NEW.wid = 'trg:cp:v:int') EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', 'v_int');
CREATE TRIGGER t_text AFTER INSERT OR UPDATE ON public.trg_values FOR EACH ROW
    WHEN (NEW.wid = 'trg:cp:v:text') EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', 'v_text');
CREATE TRIGGER t_comp AFTER INSERT OR UPDATE ON public.trg_values FOR EACH ROW
    WHEN (NEW.wid = 'trg:cp:v:comp') EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', 'v_comp');
CREATE TRIGGER t_arr AFTER INSERT OR UPDATE ON public.trg_values FOR EACH ROW
    WHEN (NEW.wid = 'trg:cp:v:arr') EXECUTE FUNCTION wf_checkpoint_trigger('wid', 'step', 'v_arr');

INSERT INTO public.trg_values (wid, step, v_jsonb) VALUES
    ('trg:cp:v:jsonb', 'object', '{"b": [1, 2.50], "a": "x"}'),
    ('trg:cp:v:jsonb', 'string', '"s"'),
    ('trg:cp:v:jsonb', 'number', '1.50'),
    ('trg:cp:v:jsonb', 'json null', 'null'),
    ('trg:cp:v:jsonb', 'sql null', NULL),
    ('trg:cp:v:jsonb', 'ok not boolean', '{"ok": "yes", "value": 1}');
INSERT INTO public.trg_values (wid, step, v_json) VALUES
    ('trg:cp:v:json', 'object', '{"b": 1, "a": {"c": null}}'),
    ('trg:cp:v:json', 'sql null', NULL);
INSERT INTO public.trg_values (wid, step, v_int) VALUES
    ('trg:cp:v:int', 'int', 42), ('trg:cp:v:int', 'sql null', NULL);
INSERT INTO public.trg_values (wid, step, v_text) VALUES
    ('trg:cp:v:text', 'text', 'he said "hi"'),
    -- text that looks like a StepResult is a string, not a StepResult
    ('trg:cp:v:text', 'json-looking text', '{"ok":false}'),
    ('trg:cp:v:text', 'sql null', NULL);
INSERT INTO public.trg_values (wid, step, v_comp) VALUES
    ('trg:cp:v:comp', 'parcel', ROW('DHL', 1.25, true)),
    ('trg:cp:v:comp', 'sql null', NULL);
INSERT INTO public.trg_values (wid, step, v_arr) VALUES
    ('trg:cp:v:arr', 'array', ARRAY[3, 1, 2]);
SELECT w.id, s.pos, s.step_key, s.result
  FROM (VALUES ('trg:cp:v:jsonb'), ('trg:cp:v:json'), ('trg:cp:v:int'), ('trg:cp:v:text'),
               ('trg:cp:v:comp'), ('trg:cp:v:arr')) AS w(id),
       LATERAL wf_steps(w.id) AS s
 ORDER BY w.id, s.pos;

-- value mode: an UPDATE of another column writes nothing; of the value, a step
SELECT version FROM wf_info('trg:cp:v:int');
UPDATE public.trg_values SET v_text = 'unrelated' WHERE wid = 'trg:cp:v:int';
SELECT version FROM wf_info('trg:cp:v:int');
UPDATE public.trg_values SET v_int = v_int WHERE wid = 'trg:cp:v:int';
SELECT version FROM wf_info('trg:cp:v:int');
-- NULL to NULL is no change either
UPDATE public.trg_values SET v_int = NULL WHERE wid = 'trg:cp:v:int' AND step = 'sql null';
SELECT version FROM wf_info('trg:cp:v:int');
UPDATE public.trg_values SET v_int = 43 WHERE wid = 'trg:cp:v:int' AND step = 'int';
SELECT version, wf_step_result('trg:cp:v:int', 'int') FROM wf_info('trg:cp:v:int');
-- a value set back to NULL records {"ok":true,"value":null}
UPDATE public.trg_values SET v_int = NULL WHERE wid = 'trg:cp:v:int' AND step = 'int';
SELECT version, wf_step_result('trg:cp:v:int', 'int') FROM wf_info('trg:cp:v:int');

---------------------------------------------------------------------------
-- StepResult passthrough: a value whose "ok" is a boolean is recorded as is
---------------------------------------------------------------------------
CREATE TABLE public.trg_results (wid text, step text, result jsonb);
SELECT wf_attach_checkpoint('public.trg_results', 'wid', 'step', 'result');
INSERT INTO public.trg_results VALUES
    ('trg:cp:r1', 'fetch', '{"ok": true, "value": {"rows": 3}}'),
    ('trg:cp:r1', 'no value', '{"ok": true}'),
    ('trg:cp:r1', 'charge', '{"ok": false, "error": "CARD_DECLINED", "cause": {"type": "thrown", "stringRepresentation": "declined"}}');
SELECT pos, step_key, ok, result FROM wf_steps('trg:cp:r1');
SELECT status, version, step_count FROM wf_info('trg:cp:r1');
-- a StepResult that is not a valid one is refused like wf_save_step refuses
-- it (22023), and the business row goes with it
INSERT INTO public.trg_results VALUES ('trg:cp:r1', 'bad', '{"ok": false}');
\echo :SQLSTATE
SELECT wf_save_step('trg:cp:r1', 'bad', '{"ok": false}');
\echo :SQLSTATE
SELECT count(*) AS bad_rows FROM public.trg_results WHERE step = 'bad';
SELECT wf_step_result('trg:cp:r1', 'bad');

---------------------------------------------------------------------------
-- multi-row INSERT: one step per row
---------------------------------------------------------------------------
-- several steps of one workflow in one statement
INSERT INTO public.trg_results VALUES
    ('trg:cp:m1', 's1', '1'), ('trg:cp:m1', 's2', '2'), ('trg:cp:m1', 's3', '3');
SELECT pos, step_key, result FROM wf_steps('trg:cp:m1');
SELECT version, step_count FROM wf_info('trg:cp:m1');
-- several workflows in one statement
INSERT INTO public.trg_results
SELECT 'trg:cp:m2:' || i, 'step' || j, to_jsonb(i * 10 + j)
  FROM generate_series(1, 3) AS i, generate_series(1, 2) AS j;
SELECT id, version, step_count FROM wf_list(prefix => 'trg:cp:m2:') ORDER BY id;
SELECT wf_step_result('trg:cp:m2:3', 'step2');
-- the same key twice in one statement: the last row wins, the version counts both
INSERT INTO public.trg_results VALUES ('trg:cp:m3', 'k', '"first"'), ('trg:cp:m3', 'k', '"second"');
SELECT version, step_count, wf_step_result('trg:cp:m3', 'k') FROM wf_info('trg:cp:m3');
-- INSERT ... SELECT and COPY go through the trigger too
COPY public.trg_results FROM stdin;
trg:cp:m4	copied	{"n": 1}
trg:cp:m4	copied too	\N
\.
SELECT pos, step_key, result FROM wf_steps('trg:cp:m4');

---------------------------------------------------------------------------
-- the checkpoint commits or rolls back with the business change
---------------------------------------------------------------------------
BEGIN;
INSERT INTO public.trg_results VALUES ('trg:cp:rb1', 'a', '1');
SELECT wf_exists('trg:cp:rb1') AS visible_inside;
ROLLBACK;
SELECT wf_exists('trg:cp:rb1') AS after_rollback;
SELECT count(*) FROM public.trg_results WHERE wid = 'trg:cp:rb1';

-- a rolled back update of an existing workflow leaves it as it was
SELECT version FROM wf_info('trg:cp:m1');
BEGIN;
UPDATE public.trg_results SET result = '"changed"' WHERE wid = 'trg:cp:m1';
SELECT version FROM wf_info('trg:cp:m1');
ROLLBACK;
SELECT version, wf_step_result('trg:cp:m1', 's1') FROM wf_info('trg:cp:m1');

-- ROLLBACK TO SAVEPOINT undoes the row and its checkpoint only
BEGIN;
INSERT INTO public.trg_results VALUES ('trg:cp:rb2', 'kept', '1');
SAVEPOINT s;
INSERT INTO public.trg_results VALUES ('trg:cp:rb2', 'undone', '2');
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT pos, step_key FROM wf_steps('trg:cp:rb2');
SELECT version FROM wf_info('trg:cp:rb2');

-- a failing statement leaves nothing: the third row's checkpoint fails
-- (the workflow it names is completed), the first two go with it
SELECT wf_save('trg:cp:finished', '{"formatVersion":1,"steps":{},"execution":{"status":"completed","lastUpdated":"2026-01-01T00:00:00.000Z"}}');
SET workflow_persist.finished_read_only = on;   -- as before 1.0: finished runs are read-only
INSERT INTO public.trg_results VALUES
    ('trg:cp:rb3', 'a', '1'), ('trg:cp:rb3', 'b', '2'), ('trg:cp:finished', 'late', '3');
\echo :SQLSTATE
SELECT wf_exists('trg:cp:rb3') AS rb3_exists;
SELECT count(*) FROM public.trg_results WHERE wid IN ('trg:cp:rb3', 'trg:cp:finished');
SELECT version, step_count FROM wf_info('trg:cp:finished');
RESET workflow_persist.finished_read_only;

---------------------------------------------------------------------------
-- an integer id column: the id is its text
---------------------------------------------------------------------------
CREATE TABLE public.trg_int_ids (order_no int, stage text, payload jsonb);
SELECT wf_attach_checkpoint('public.trg_int_ids', 'order_no', 'stage', 'payload');
INSERT INTO public.trg_int_ids VALUES (910042, 'picked', '{"bin": "A7"}'), (-7, 'picked', 'true');
SELECT trg_doc('910042');
SELECT wf_step_result('-7', 'picked');
UPDATE public.trg_int_ids SET order_no = order_no + 1 WHERE order_no = 910042;
SELECT wf_step_result('910043', 'picked');

---------------------------------------------------------------------------
-- a partitioned table: the trigger is cloned to every partition
---------------------------------------------------------------------------
CREATE TABLE public.trg_parted (wid text, step text, region text, v jsonb) PARTITION BY LIST (region);
CREATE TABLE public.trg_parted_eu PARTITION OF public.trg_parted FOR VALUES IN ('eu');
-- a partition whose columns are laid out differently from its parent's
CREATE TABLE public.trg_parted_us (dropped int, v jsonb, region text, step text, wid text);
ALTER TABLE public.trg_parted_us DROP COLUMN dropped;
ALTER TABLE public.trg_parted ATTACH PARTITION public.trg_parted_us FOR VALUES IN ('us');
SELECT wf_attach_checkpoint('public.trg_parted', 'wid', 'step', 'v');
INSERT INTO public.trg_parted VALUES
    ('trg:cp:p1', 'eu step', 'eu', '"e"'), ('trg:cp:p1', 'us step', 'us', '"u"');
SELECT pos, step_key, result FROM wf_steps('trg:cp:p1');

DROP TABLE public.trg_order_events, public.trg_values, public.trg_results,
    public.trg_int_ids, public.trg_parted;
DROP TYPE public.trg_parcel;
DROP FUNCTION public.trg_doc(text);

-- clean up: later tests count every stored workflow
SELECT count(wf_delete(id)) AS deleted FROM wf_workflow
 WHERE id LIKE 'trg:cp:%' OR id IN ('910042', '910043', '-7');
SELECT count(*) AS leftovers FROM wf_workflow
 WHERE id LIKE 'trg:cp:%' OR id IN ('910042', '910043', '-7');
