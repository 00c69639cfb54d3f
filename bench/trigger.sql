-- bench/trigger.sql: the tables of bench/trigger.sh.
--
-- Four identical business tables, one per way of writing a row:
--   bt.plain          no trigger (the baseline)
--   bt.two, two_side  the same row inserted into a second plain table too
--   bt.ck             the C checkpoint trigger (wf_attach_checkpoint)
--   bt.pl             a PL/pgSQL AFTER trigger calling wf_save_step
CREATE SCHEMA bt;

CREATE TABLE bt.plain (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id int NOT NULL,
    step     text NOT NULL,
    payload  jsonb NOT NULL
);
CREATE TABLE bt.two (LIKE bt.plain INCLUDING ALL);
CREATE TABLE bt.two_side (LIKE bt.plain INCLUDING ALL);
CREATE TABLE bt.ck (LIKE bt.plain INCLUDING ALL);
CREATE TABLE bt.pl (LIKE bt.plain INCLUDING ALL);

SELECT workflow_persist.wf_attach_checkpoint('bt.ck', 'order_id', 'step', 'payload');

CREATE FUNCTION bt.pl_checkpoint() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM workflow_persist.wf_save_step(NEW.order_id::text, NEW.step,
        jsonb_build_object('ok', true, 'value', NEW.payload));
    RETURN NULL;
END
$$;
CREATE TRIGGER pl_checkpoint AFTER INSERT OR UPDATE ON bt.pl
    FOR EACH ROW EXECUTE FUNCTION bt.pl_checkpoint();
