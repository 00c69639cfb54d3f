# Act 2 (sourced by scripts/demo.sh): an order workflow checkpointed step by
# step, its worker killed in the middle of a step, then resumed: completed
# steps come back from the database and are skipped.
say "Act 2: checkpoint, crash, resume"

cat > "$DEMO_DIR/worker.sql" <<'SQL'
SET search_path = workflow_persist, public;
-- notice a dead client quickly instead of finishing the step
SET client_connection_check_interval = '100ms';
\echo '[worker] reserve stock'
SELECT wf_save_step('order:42', 'reserve', '{"ok": true, "value": {"sku": "A-1", "qty": 2}}') AS version;
\echo '[worker] charge card'
SELECT wf_save_step('order:42', 'charge', '{"ok": true, "value": {"txn": "t-981", "amount": 59.90}}') AS version;
\echo '[worker] ship ... (the worker dies during this step)'
BEGIN;
SELECT wf_save_step('order:42', 'ship', '{"ok": true, "value": {"tracking": "never-committed"}}') AS version;
SELECT pg_sleep(60);
COMMIT;
SQL
$PSQL -f "$DEMO_DIR/worker.sql" &
worker=$!
# wait until "charge" is committed and the "ship" transaction is under way
for _ in $(seq 1 100); do
    n=$($PSQL -At -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")
    [ "$n" = 1 ] && break
    sleep 0.1
done
printf '\n[demo] kill -9 the worker (pid %s) in the middle of "ship"\n' "$worker"
kill -9 "$worker" 2>/dev/null
wait "$worker" 2>/dev/null
# the server notices the dead client and rolls its transaction back
for _ in $(seq 1 100); do
    n=$($PSQL -At -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")
    [ "$n" = 0 ] && break
    sleep 0.1
done

$PSQL <<'SQL'
SET search_path = workflow_persist, public;
\echo
\echo '[restart] what survived the crash: wf_load(''order:42'')'
SELECT jsonb_pretty(wf_load('order:42')) AS snapshot;
\echo
\echo '[restart] resume: run only the steps the snapshot does not hold'
DO $$
DECLARE
    plan text[] := ARRAY['reserve', 'charge', 'ship', 'email'];
    done jsonb := workflow_persist.wf_load('order:42')->'steps';
    step text;
BEGIN
    FOREACH step IN ARRAY plan LOOP
        IF done ? step THEN
            RAISE NOTICE 'skip %: already recorded', step;
        ELSE
            RAISE NOTICE 'run  %', step;
            PERFORM workflow_persist.wf_save_step('order:42', step,
                jsonb_build_object('ok', true, 'value', jsonb_build_object('step', step, 'done', true)));
        END IF;
    END LOOP;
END
$$;
\echo
\echo '[restart] the engine marks the run completed (wf_merge keeps every step)'
SELECT wf_merge('order:42', jsonb_build_object('formatVersion', 1, 'steps', '{}'::jsonb,
       'execution', jsonb_build_object('status', 'completed',
                                        'lastUpdated', '2026-11-22T10:05:00.000Z',
                                        'completedAt', '2026-11-22T10:05:00.000Z'))) AS version;
\echo
\echo '[inspect] wf_list(): every workflow, newest first'
SELECT id, status, version, step_count, size_bytes FROM wf_list();
\echo '[inspect] wf_steps(''order:42''): in the order they were recorded'
SELECT pos, step_key, ok, result->'value' AS value FROM wf_steps('order:42');
SQL
