// bench/node/sides.mjs: the ways a Node.js client persists a workflow.
//
// Every side runs "a workflow of n trivial steps" for one client: the step
// returns its (pre-computed) value and the side persists it as its engine
// or store does.  All of them talk to the same server through `pg`.
//
//   awaitly-postgres  the published awaitly-postgres store's save: the
//                     whole snapshot, JSON.stringify'd, upserted into a
//                     plain jsonb table after every step (durable.run)
//   wf_save           the same snapshots through wf_save
//   wf_save_step      one wf_save_step per step (the step's result only)
//   adapter           the shipped awaitly adapter (clients/awaitly/, npm
//                     awaitly-workflow-persist), given the same snapshots
//                     durable.run would give it
//   dbos              DBOS Transact: a registered workflow, DBOS.runStep per step
//   absurd            Absurd: a registered task, ctx.step per step; the
//                     client spawns it, claims it and executes it
import pg from 'pg';
import { afterStep, canonical, emptySnapshot, firstDifference, stepKey } from './snapshot.mjs';

// awaitly-postgres' table and statements (its ensureTable, save, load)
export const PLAIN_TABLE = 'awaitly_snapshots';
export const PLAIN_DDL = `
CREATE TABLE IF NOT EXISTS ${PLAIN_TABLE} (
    id TEXT PRIMARY KEY,
    snapshot JSONB NOT NULL,
    updated_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS ${PLAIN_TABLE}_updated_at_idx ON ${PLAIN_TABLE} (updated_at DESC)`;
const PLAIN_SAVE = `INSERT INTO ${PLAIN_TABLE} (id, snapshot, updated_at)
         VALUES ($1, $2, NOW())
         ON CONFLICT (id) DO UPDATE SET snapshot = $2, updated_at = NOW()`;
const PLAIN_LOAD = `SELECT snapshot FROM ${PLAIN_TABLE} WHERE id = $1`;

export const ADAPTER_PACKAGE = 'awaitly-workflow-persist';
export const ABSURD_QUEUE = 'bench';

// the sides that save the whole snapshot after each step
export const WHOLE = new Set(['awaitly-postgres', 'wf_save', 'adapter']);

function check(cond, what) {
    if (!cond) throw new Error(`verification failed: ${what}`);
}

// A store-like side: save(id, snapshot), load(id), remove(ids)
function sqlStore(pool, save, load, remove) {
    return {
        save: (id, snap) => pool.query(save, [id, JSON.stringify(snap)]),
        load: async (id) => (await pool.query(load, [id])).rows[0]?.doc ?? null,
        remove: (ids) => pool.query(remove, [ids]),
    };
}

export function plainStore(pool) {
    return sqlStore(pool, PLAIN_SAVE, `SELECT snapshot AS doc FROM ${PLAIN_TABLE} WHERE id = $1`,
        `DELETE FROM ${PLAIN_TABLE} WHERE id = ANY ($1)`);
}

export function wfStore(pool) {
    return sqlStore(pool, 'SELECT workflow_persist.wf_save($1, $2)', 'SELECT workflow_persist.wf_load($1) AS doc',
        'SELECT count(workflow_persist.wf_delete(id)) FROM unnest($1::text[]) AS id');
}

export async function adapterStore(pool) {
    let mod;
    try {
        mod = await import(ADAPTER_PACKAGE);
    } catch (e) {
        throw new Error(`the adapter side needs the npm package ${ADAPTER_PACKAGE} (bench/client.sh packs and installs clients/awaitly/): ${e.message}`);
    }
    const make = mod.workflowPersist ?? mod.default?.workflowPersist;
    if (typeof make !== 'function') throw new Error(`${ADAPTER_PACKAGE} exports no workflowPersist()`);
    const store = make({ pool });
    for (const m of ['save', 'load', 'delete']) {
        if (typeof store[m] !== 'function') throw new Error(`${ADAPTER_PACKAGE}'s store has no ${m}()`);
    }
    return {
        save: (id, snap) => store.save(id, snap),
        load: (id) => store.load(id),
        remove: async (ids) => { for (const id of ids) await store.delete(id); },
        close: async () => { if (typeof store.close === 'function') await store.close(); },
    };
}

// openSide(name, clients, env) -> { run(id, n, c, w), verify(id, n, c, w), cleanup(ids), close() }
// env: { values: [per client: step values], dbosUrl, absurdUrl }
export async function openSide(name, clients, env) {
    const values = env.values;
    if (WHOLE.has(name) || name === 'wf_save_step') {
        const pool = new pg.Pool({ max: clients });
        let store = null;
        if (name === 'awaitly-postgres') store = plainStore(pool);
        else if (name === 'wf_save') store = wfStore(pool);
        else if (name === 'adapter') store = await adapterStore(pool);
        const last = new Map();   // id -> the last snapshot saved
        return {
            async run(id, n, c) {
                if (store === null) {   // wf_save_step: the step's result only
                    for (let i = 0; i < n; i++) {
                        await pool.query('SELECT workflow_persist.wf_save_step($1, $2, $3)',
                            [id, stepKey(i), JSON.stringify({ ok: true, value: values[c][i] })]);
                    }
                    return;
                }
                let snap = emptySnapshot(id, c);
                for (let i = 0; i < n; i++) {
                    snap = afterStep(snap, stepKey(i), values[c][i]);
                    await store.save(id, snap);
                }
                last.set(id, snap);
            },
            async verify(id, n, c) {
                const got = store ? await store.load(id)
                    : (await pool.query('SELECT workflow_persist.wf_load($1) AS doc', [id])).rows[0].doc;
                check(got && Object.keys(got.steps).length === n, `${name}: ${id} has ${got ? Object.keys(got.steps).length : 'no'} steps, not ${n}`);
                if (store) {
                    const d = firstDifference(got, last.get(id));
                    check(d === null, `${name}: ${id} does not load as it was saved (loaded vs saved at ${d})`);
                } else {
                    for (let i = 0; i < n; i++) {
                        check(canonical(got.steps[stepKey(i)]) === canonical({ ok: true, value: values[c][i] }),
                            `${name}: ${id} step ${stepKey(i)} differs`);
                    }
                    check(got.execution.currentStepId === stepKey(n - 1), `${name}: ${id} execution.currentStepId`);
                }
                return got;
            },
            async cleanup(ids) {
                if (store) await store.remove(ids);
                else await wfStore(pool).remove(ids);
                last.clear();
            },
            async close() {
                if (store?.close) await store.close();
                await pool.end().catch(() => {});
            },
        };
    }
    if (name === 'dbos') return openDbos(clients, env);
    if (name === 'absurd') return openAbsurd(clients, env);
    throw new Error(`unknown side ${name}`);
}

async function openDbos(clients, env) {
    const { DBOS } = await import('@dbos-inc/dbos-sdk');
    const values = env.values;
    DBOS.setConfig({
        name: 'wfp-bench',
        systemDatabaseUrl: env.dbosUrl,
        systemDatabasePoolSize: Math.max(clients + 2, 10),
        logLevel: 'error',
    });
    const workflow = DBOS.registerWorkflow(async (n, c) => {
        for (let i = 0; i < n; i++) {
            await DBOS.runStep(async () => values[c][i], { name: stepKey(i) });
        }
        return n;
    }, { name: 'benchWorkflow' });
    await DBOS.launch();
    return {
        async run(id, n, c) {
            const done = await DBOS.withNextWorkflowID(id, () => workflow(n, c));
            check(done === n, `dbos: workflow ${id} returned ${done}`);
        },
        async verify(id, n, c) {
            const steps = await DBOS.listWorkflowSteps(id);
            check(steps && steps.length === n, `dbos: ${id} has ${steps?.length} steps, not ${n}`);
            for (let i = 0; i < n; i++) {
                check(canonical(steps[i].output) === canonical(values[c][i]), `dbos: ${id} step ${i} output differs`);
            }
        },
        async cleanup() {},
        async close() { await DBOS.shutdown(); },
    };
}

async function openAbsurd(clients, env) {
    const { Absurd } = await import('absurd-sdk');
    const values = env.values;
    const pool = new pg.Pool({ connectionString: env.absurdUrl, max: clients + 1 });
    const app = new Absurd({ db: pool, queueName: ABSURD_QUEUE, log: { log() {}, info() {}, warn: console.warn, error: console.error } });
    app.registerTask({ name: 'bench-task' }, async (params, ctx) => {
        for (let i = 0; i < params.n; i++) {
            await ctx.step(stepKey(i), async () => values[params.c][i]);
        }
        return params.n;
    });
    const tasks = new Map();   // our id -> Absurd's {taskID, runID}
    return {
        async run(id, n, c) {
            const spawned = await app.spawn('bench-task', { n, c });
            tasks.set(id, spawned);
            // claim a task (any: the clients' tasks are alike) and run it to its end
            for (;;) {
                const [task] = await app.claimTasks({ batchSize: 1, claimTimeout: 300, workerId: `client-${c}` });
                if (task) { await app.executeTask(task, 300); break; }
            }
        },
        async verify(id, n) {
            const { taskID, runID } = tasks.get(id);
            const res = await app.fetchTaskResult(taskID);
            check(res && res.state === 'completed' && res.result === n, `absurd: task of ${id} is ${JSON.stringify(res)}`);
            const rows = (await pool.query('SELECT checkpoint_name, state FROM absurd.get_task_checkpoint_states($1, $2, $3)',
                [ABSURD_QUEUE, taskID, runID])).rows;
            check(rows.length === n, `absurd: ${id} has ${rows.length} checkpoints, not ${n}`);
        },
        async cleanup() { tasks.clear(); },
        async close() { await app.close(); await pool.end().catch(() => {}); },
    };
}
