# Act 5 (sourced by scripts/demo.sh): awaitly's own durable.run (awaitly
# 1.35.0 from npm) through the shipped adapter (clients/awaitly), its worker
# killed with SIGKILL after two steps, then run again: the steps the
# database holds are not run a second time.  Needs Node.js, npm and the npm
# registry; without them the act says so and is skipped.
say "Act 5: awaitly's durable.run through awaitly-workflow-persist: kill -9, resume"
demo_awaitly() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
        { echo "(skipped: Node.js and npm are not installed)"; return 0; }
    app="$DEMO_DIR/awaitly"
    mkdir "$app"
    tar -C clients/awaitly --exclude=./node_modules -cf - . | tar -C "$app" -xf -
    (cd "$app" && npm_config_cache="$DEMO_DIR/npm-cache" npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
        { echo "(skipped: npm ci could not install awaitly and pg from the npm registry)"; return 0; }
    # the worker: four steps of an order; with "crash" it hangs at the third
    cat > "$app/order.mjs" <<'JS'
import { ok } from 'awaitly';
import { durable } from 'awaitly/durable';
import { workflowPersist } from 'awaitly-workflow-persist';

const crash = process.argv[2] === 'crash';
const store = workflowPersist({ lock: true });
const result = await durable.run({}, async ({ step }) => {
    const done = [];
    for (const [i, name] of ['reserve', 'charge', 'ship', 'email'].entries()) {
        done.push(await step(name, async () => {
            if (crash && name === 'ship') { console.log('[worker] ship ... (killed here)'); await new Promise(() => {}); }
            console.log(`[worker] ${name}: running`);
            return ok({ step: name, n: i + 1 });
        }, { key: name }));
    }
    return done.map((d) => d.step).join(', ');
}, { id: 'order:77', store, lockTtlMs: 1000 });
console.log('[worker] result:', JSON.stringify(result));
await store.close();
JS
    (cd "$app" && exec node order.mjs crash) > "$DEMO_DIR/worker.out" 2>&1 &
    worker=$!
    for _ in $(seq 1 100); do
        grep -q 'killed here' "$DEMO_DIR/worker.out" && break
        sleep 0.1
    done
    cat "$DEMO_DIR/worker.out"
    printf '\n[demo] kill -9 the worker (pid %s)\n' "$worker"
    kill -9 "$worker" 2>/dev/null
    wait "$worker" 2>/dev/null
    $PSQL -c "SELECT step_key, result->'value' AS value FROM workflow_persist.wf_steps('order:77')"
    # the dead worker's lease (lockTtlMs 1 s) must expire before another may run it
    for _ in $(seq 1 50); do
        [ "$($PSQL -At -c "SELECT lease_expires_at < clock_timestamp() FROM workflow_persist.wf_workflow WHERE id = 'order:77'")" = t ] && break
        sleep 0.1
    done
    echo '[demo] run it again: reserve and charge come from the database'
    (cd "$app" && node order.mjs)
    $PSQL -At -c "SELECT '[demo] order:77 still stored: ' || workflow_persist.wf_exists('order:77') || ' (durable.run deletes a completed run)'"
}
demo_awaitly
