// bench/node/awaitly-adapter.mjs: a 1,000-step durable.run (awaitly 1.35.0)
// through the shipped adapter (clients/awaitly, awaitly-workflow-persist:
// delta writes) against the same durable.run through the awaitly-postgres
// store pattern (the whole snapshot upserted into a jsonb table after every
// step), at 1 and 8 concurrent clients, each client running its own
// workflow.  A benchmark, not a test: it prints the times and their ratio.
//
//   BENCH_SCRIPT=awaitly-adapter.mjs OUT= bench/client.sh
//
// (bench/client.sh builds and installs the extension, installs bench/node's
// packages, packs and installs the adapter, starts a throwaway server with
// default settings and runs this.)  Environment: STEPS (1000), CLIENTS
// ("1 8"), RUNS (3; each figure is the median of the rounds).
import { ok } from 'awaitly';
import { durable } from 'awaitly/durable';
import pg from 'pg';
import { ADAPTER_PACKAGE, PLAIN_DDL, PLAIN_TABLE } from './sides.mjs';
import { stepKey, stepValues } from './snapshot.mjs';

const env = process.env;
const STEPS = Number(env.STEPS || 1000);
const CLIENTS = (env.CLIENTS || '1 8').split(/[\s,]+/).filter(Boolean).map(Number);
const RUNS = Number(env.RUNS || 3);
const { workflowPersist } = await import(ADAPTER_PACKAGE);

// awaitly-postgres' SnapshotStore: its table, its upsert, its load and delete
function plainStore(pool) {
    return {
        save: async (id, snap) => {
            await pool.query(`INSERT INTO ${PLAIN_TABLE} (id, snapshot, updated_at) VALUES ($1, $2, NOW())
                              ON CONFLICT (id) DO UPDATE SET snapshot = $2, updated_at = NOW()`, [id, JSON.stringify(snap)]);
        },
        load: async (id) => (await pool.query(`SELECT snapshot FROM ${PLAIN_TABLE} WHERE id = $1`, [id])).rows[0]?.snapshot ?? null,
        delete: async (id) => { await pool.query(`DELETE FROM ${PLAIN_TABLE} WHERE id = $1`, [id]); },
        list: async () => [],
        close: async () => {},
    };
}

// one client: a durable.run of STEPS trivial steps; every save must succeed
async function runOne(store, id, values) {
    let saved = 0;
    const result = await durable.run({}, async ({ step }) => {
        for (let i = 0; i < STEPS; i++) await step(stepKey(i), async () => ok(values[i]), { key: stepKey(i) });
        return STEPS;
    }, {
        id, store,
        onEvent: (e) => {
            if (e.type === 'persist_success') saved++;
            if (e.type === 'persist_error') throw new Error(`${id}: a save failed: ${e.error?.message}`);
        },
    });
    if (!result.ok || result.value !== STEPS || saved !== STEPS) {
        throw new Error(`${id}: ${JSON.stringify(result).slice(0, 200)}, ${saved} saves`);
    }
}

async function measure(side, clients, round) {
    const pool = new pg.Pool({ max: clients });
    const store = side === 'adapter' ? workflowPersist({ pool }) : plainStore(pool);
    const values = Array.from({ length: clients }, (_, c) => stepValues(1000 + c, STEPS));
    await pool.query(`VACUUM ${PLAIN_TABLE}`);
    await pool.query('CHECKPOINT').catch(() => {});   // superuser only
    const t0 = performance.now();
    await Promise.all(values.map((v, c) => runOne(store, `bench:${side}:${clients}:${round}:${c}`, v)));
    const seconds = (performance.now() - t0) / 1000;
    await store.close();
    await pool.end();
    return seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const admin = new pg.Client();
await admin.connect();
await admin.query(PLAIN_DDL);
await admin.end();

console.log(`durable.run of ${STEPS} steps per client, ${RUNS} round(s), median seconds (steps/s over all clients)`);
console.log('clients | awaitly-postgres pattern | adapter (awaitly-workflow-persist) | ratio');
for (const clients of CLIENTS) {
    const t = { 'awaitly-postgres': [], adapter: [] };
    for (let r = 0; r < RUNS; r++) {
        for (const side of r % 2 ? ['adapter', 'awaitly-postgres'] : ['awaitly-postgres', 'adapter']) {
            t[side].push(await measure(side, clients, r));
            console.error(`  round ${r + 1}, ${clients} client(s), ${side}: ${t[side].at(-1).toFixed(2)} s`);
        }
    }
    const [p, a] = [median(t['awaitly-postgres']), median(t.adapter)];
    const rate = (s) => Math.round((clients * STEPS) / s);
    console.log(`${clients} | ${p.toFixed(2)} s (${rate(p)}) | ${a.toFixed(2)} s (${rate(a)}) | ${(p / a).toFixed(1)}x`);
}
