-- wf_attach_checkpoint / wf_detach_checkpoint: the trigger wf_checkpoint,
-- with every identifier quoted, so awkward table and column names work.
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never

CREATE TYPE public."Parcel ""Info""" AS ("Carrier" text, "weight kg" numeric);
CREATE TABLE public."Order ""Lines"" X" (
    "Order ID" text,
    "step ""name""" text,
    "Value; DROP TABLE x" public."Parcel ""Info""",
    "MixedCase" int);

---------------------------------------------------------------------------
-- value-column mode
---------------------------------------------------------------------------
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'Order ID', 'step "name"',
                            'Value; DROP TABLE x');
SELECT tgname, tgenabled, pg_get_triggerdef(oid)
  FROM pg_trigger WHERE tgrelid = 'public."Order ""Lines"" X"'::regclass;
INSERT INTO public."Order ""Lines"" X" VALUES
    ('trg:att:''1''', 'pack "box"', ROW('DHL', 1.5), 1),
    ('trg:att:''1''', 'label', NULL, 2);
SELECT pos, step_key, result FROM wf_steps('trg:att:''1''');
-- an UPDATE of another column records nothing
UPDATE public."Order ""Lines"" X" SET "MixedCase" = 3;
SELECT version FROM wf_info('trg:att:''1''');

-- attached twice: 42710
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'Order ID', 'step "name"');
\echo :SQLSTATE

SELECT wf_detach_checkpoint('public."Order ""Lines"" X"');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'public."Order ""Lines"" X"'::regclass;
-- detached: rows are no longer recorded
INSERT INTO public."Order ""Lines"" X" VALUES ('trg:att:''1''', 'after detach', NULL, 4);
SELECT version, step_count FROM wf_info('trg:att:''1''');
-- nothing to detach: 42704
SELECT wf_detach_checkpoint('public."Order ""Lines"" X"');
\echo :SQLSTATE

---------------------------------------------------------------------------
-- whole-row mode: the row's own column names are the value's keys
---------------------------------------------------------------------------
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'Order ID', 'step "name"');
SELECT pg_get_triggerdef(oid)
  FROM pg_trigger WHERE tgrelid = 'public."Order ""Lines"" X"'::regclass;
INSERT INTO public."Order ""Lines"" X" VALUES ('trg:att:2', 'ship', ROW('UPS', 2), 5);
SELECT wf_step_result('trg:att:2', 'ship');
SELECT wf_detach_checkpoint('public."Order ""Lines"" X"');

---------------------------------------------------------------------------
-- column names are exact (no case folding, no quote stripping): 42703
---------------------------------------------------------------------------
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'order id', 'step "name"');
\echo :SQLSTATE
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', '"Order ID"', 'step "name"');
\echo :SQLSTATE
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'Order ID', 'step ""name""');
\echo :SQLSTATE
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'Order ID', 'step "name"', 'mixedcase');
\echo :SQLSTATE
-- system columns are not columns a trigger can read
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'ctid', 'step "name"');
\echo :SQLSTATE
-- a dropped column is gone
ALTER TABLE public."Order ""Lines"" X" DROP COLUMN "MixedCase";
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'Order ID', 'step "name"', 'MixedCase');
\echo :SQLSTATE
-- NULL arguments: 22004 (a NULL value column means whole-row mode)
SELECT wf_attach_checkpoint(NULL, 'Order ID', 'step "name"');
\echo :SQLSTATE
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', NULL, 'step "name"');
\echo :SQLSTATE
SELECT wf_attach_checkpoint('public."Order ""Lines"" X"', 'Order ID', NULL);
\echo :SQLSTATE
-- a table that does not exist is refused by regclass itself
SELECT wf_attach_checkpoint('public."order ""lines"" x"', 'Order ID', 'step "name"');
\echo :SQLSTATE
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'public."Order ""Lines"" X"'::regclass;

---------------------------------------------------------------------------
-- a schema and a table name that need quoting, and a table on the path
---------------------------------------------------------------------------
CREATE SCHEMA "Trg Schema";
CREATE TABLE "Trg Schema"."Events.2026" ("ID" int, "Key" text, "Body" jsonb);
SELECT wf_attach_checkpoint('"Trg Schema"."Events.2026"', 'ID', 'Key', 'Body');
INSERT INTO "Trg Schema"."Events.2026" VALUES (77001, 'k', '{"ok": true, "value": "passthrough"}');
SELECT wf_step_result('77001', 'k');
SELECT wf_detach_checkpoint('"Trg Schema"."Events.2026"');
SET search_path = "Trg Schema", workflow_persist, public;
SELECT wf_attach_checkpoint('"Events.2026"', 'ID', 'Key');
INSERT INTO "Events.2026" VALUES (77002, 'k', '1');
SELECT wf_step_result('77002', 'k');
SELECT wf_detach_checkpoint('"Events.2026"');
SET search_path = workflow_persist, public;

-- a temporary table
CREATE TEMP TABLE "trg temp" (id text, k text);
SELECT wf_attach_checkpoint('"trg temp"', 'id', 'k');
INSERT INTO "trg temp" VALUES ('trg:att:temp', 'k');
SELECT wf_step_result('trg:att:temp', 'k');

DROP TABLE public."Order ""Lines"" X", "trg temp";
DROP SCHEMA "Trg Schema" CASCADE;
DROP TYPE public."Parcel ""Info""";

-- clean up: later tests count every stored workflow
SELECT count(wf_delete(id)) AS deleted FROM wf_workflow
 WHERE id LIKE 'trg:att:%' OR id IN ('77001', '77002');
SELECT count(*) AS leftovers FROM wf_workflow
 WHERE id LIKE 'trg:att:%' OR id IN ('77001', '77002');
