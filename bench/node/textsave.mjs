// bench/node/textsave.mjs: durable.run's pattern (the whole snapshot
// re-saved after every step) through wf_save(text) (an untyped parameter,
// as node-postgres sends it), through wf_save($2::jsonb) (the jsonb path
// such a client took before the text overload) and into the published
// awaitly-postgres store's table.  Run by bench/text_save.sh (which
// starts the server and sets PGHOST/PGPORT); N, ROUNDS, CLIENTS.
import pg from 'pg';
import { afterStep, emptySnapshot, stepKey, stepValues } from './snapshot.mjs';
import { PLAIN_DDL, PLAIN_TABLE } from './sides.mjs';

const N = Number(process.env.N ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CLIENTS = (process.env.CLIENTS ?? '1 8').split(/\s+/).filter(Boolean).map(Number);

const SIDES = {
    'awaitly-postgres': `INSERT INTO ${PLAIN_TABLE} (id, snapshot, updated_at) VALUES ($1, $2, NOW())
         ON CONFLICT (id) DO UPDATE SET snapshot = $2, updated_at = NOW()`,
    'wf_save(text)': 'SELECT workflow_persist.wf_save($1, $2)',
    'wf_save(jsonb)': 'SELECT workflow_persist.wf_save($1, $2::jsonb)',
};
const names = Object.keys(SIDES);

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const admin = new pg.Client();
await admin.connect();
await admin.query(PLAIN_DDL);
const values = [];
for (let c = 0; c < Math.max(...CLIENTS); c++) values.push(stepValues(1000 + c, N));

// one measurement: c clients, each one workflow of N steps; steps/s
async function measure(side, c, round) {
    const pools = [];
    for (let i = 0; i < c; i++) {
        const cl = new pg.Client();
        await cl.connect();
        pools.push(cl);
    }
    await admin.query('CHECKPOINT');
    const t0 = process.hrtime.bigint();
    await Promise.all(pools.map(async (cl, i) => {
        const id = `r${round}-${side}-${c}-${i}`;
        let snap = emptySnapshot(id, i);
        for (let s = 0; s < N; s++) {
            snap = afterStep(snap, stepKey(s), values[i][s]);
            await cl.query(SIDES[side], [id, JSON.stringify(snap)]);
        }
    }));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    // read one back: every step there
    const id = `r${round}-${side}-${c}-0`;
    const got = side === 'awaitly-postgres'
        ? (await admin.query(`SELECT snapshot AS d FROM ${PLAIN_TABLE} WHERE id = $1`, [id])).rows[0].d
        : (await admin.query('SELECT workflow_persist.wf_load($1) AS d', [id])).rows[0].d;
    if (Object.keys(got.steps).length !== N) throw new Error(`${side}: ${id} has ${Object.keys(got.steps).length} steps`);
    for (const cl of pools) await cl.end();
    await admin.query(`DELETE FROM ${PLAIN_TABLE}`);
    await admin.query('SELECT count(workflow_persist.wf_delete(id)) FROM workflow_persist.wf_workflow');
    await admin.query('VACUUM');
    return (N * c) / secs;
}

const results = {};   // `${side}/${c}` -> [steps/s per round]
for (let r = 0; r < ROUNDS; r++) {
    for (const c of CLIENTS) {
        const order = names.map((_, i) => names[(i + r) % names.length]);
        for (const side of order) {
            const v = await measure(side, c, r);
            (results[`${side}/${c}`] ??= []).push(v);
            console.log(`round ${r + 1} clients ${c} ${side}: ${v.toFixed(1)} steps/s`);
        }
    }
}
await admin.end();

console.log(`\n| clients | awaitly-postgres | wf_save(jsonb) (before) | wf_save(text) | text / jsonb | text / awaitly-postgres | jsonb / awaitly-postgres |`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
for (const c of CLIENTS) {
    const g = (s) => results[`${s}/${c}`];
    const ratio = (a, b) => median(g(a).map((x, i) => x / g(b)[i])).toFixed(2);
    const fig = (s) => `${median(g(s)).toFixed(0)} (${Math.min(...g(s)).toFixed(0)}-${Math.max(...g(s)).toFixed(0)})`;
    console.log(`| ${c} | ${fig('awaitly-postgres')} | ${fig('wf_save(jsonb)')} | ${fig('wf_save(text)')} | ` +
        `${ratio('wf_save(text)', 'wf_save(jsonb)')} | ${ratio('wf_save(text)', 'awaitly-postgres')} | ${ratio('wf_save(jsonb)', 'awaitly-postgres')} |`);
}
