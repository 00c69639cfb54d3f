// bench/node/measure.mjs: one measurement, in a process of its own.
//
//   node measure.mjs '{"op": "workflow", "side": "wf_save", "n": 100, "clients": 8, "workflows": 10, "seed": 1}'
//   node measure.mjs '{"op": "save" | "load", "side": "workflow_persist", "bytes": 1024, "clients": 8, "seconds": 5, "seed": 1}'
//
// Connection from PGHOST, PGPORT, PGUSER, PGDATABASE; DBOS_URL and
// ABSURD_URL for those engines' own databases; PG_POSTMASTER_PID (optional)
// to add the server's CPU time to the result.  Prints one JSON object.
//
// "workflow": each of `clients` concurrent clients runs `workflows`
// workflows of n steps one after the other; a warm-up workflow per client
// runs first (untimed).  After the timed part one workflow is read back and
// checked (the side must have stored what it was given), then every
// workflow is deleted.  Throughput is steps per second of wall time.
//
// "save" / "load" (sides awaitly-postgres, workflow_persist: wf_save and
// wf_load, adapter): for `seconds`, every client saves (or loads) whole
// snapshots of about `bytes` bytes under one of 200 ids, picked at random
// among 20 different documents (a save always brings new content to the
// id's stored one, 19 times in 20).  Throughput is operations per second.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { validateSnapshot } from 'awaitly/persistence';
import { serverCpu as serverCpuOf } from './cpu.mjs';
import { adapterStore, openSide, plainStore, wfStore } from './sides.mjs';
import { canonical, rng, snapshotOfSize, stepValues } from './snapshot.mjs';

const cfg = JSON.parse(process.argv[2]);
const serverCpu = () => serverCpuOf(Number(process.env.PG_POSTMASTER_PID || 0));

// time fn(), with the client's and the server's CPU
async function timed(fn) {
    const s0 = serverCpu(), c0 = process.cpuUsage(), t0 = performance.now();
    const ops = await fn();
    const t1 = performance.now(), c1 = process.cpuUsage(c0), s1 = serverCpu();
    return {
        ops,
        seconds: (t1 - t0) / 1000,
        client_cpu: (c1.user + c1.system) / 1e6,
        server_cpu: s0 === null ? null : s1 - s0,
    };
}

async function workflowOp() {
    const { side, n, clients, workflows, seed } = cfg;
    const values = [];
    for (let c = 0; c < clients; c++) values.push(stepValues(seed * 1000 + c, n));
    const s = await openSide(side, clients, { values, dbosUrl: process.env.DBOS_URL, absurdUrl: process.env.ABSURD_URL });
    const tag = `${side}-${n}-${clients}-${seed}-${process.pid}`;
    const ids = [];
    const id = (c, w) => `bench-${tag}-${c}-${w}`;
    try {
        const warm = Math.min(n, 20);
        await Promise.all(values.map(async (_, c) => { ids.push(`warm-${tag}-${c}`); await s.run(`warm-${tag}-${c}`, warm, c); }));
        const r = await timed(async () => {
            await Promise.all(values.map(async (_, c) => {
                for (let w = 0; w < workflows; w++) {
                    ids.push(id(c, w));
                    await s.run(id(c, w), n, c);
                }
            }));
            return clients * workflows * n;
        });
        const got = await s.verify(id(clients - 1, workflows - 1), n, clients - 1);
        if (got) {
            const v = validateSnapshot(got);
            if (!v.valid) throw new Error(`${side}: the stored snapshot fails awaitly's validateSnapshot: ${JSON.stringify(v.errors)}`);
        }
        await s.cleanup(ids);
        return { ...cfg, ...r, doc_bytes: got ? JSON.stringify(got).length : null };
    } finally {
        await s.close();
    }
}

async function saveLoadOp() {
    const { op, side, bytes, clients, seconds, seed } = cfg;
    const pool = new pg.Pool({ max: clients });
    const store = side === 'awaitly-postgres' ? plainStore(pool)
        : side === 'adapter' ? await adapterStore(pool) : wfStore(pool);
    const docs = [];
    for (let i = 0; i < 20; i++) docs.push(snapshotOfSize(`doc-${i}`, seed * 100 + i, bytes));
    const ids = [];
    for (let i = 0; i < 200; i++) ids.push(`${op}-${side}-${bytes}-${seed}-${i}`);
    try {
        for (let i = 0; i < ids.length; i++) await store.save(ids[i], docs[i % 20]);   // every id exists
        const loop = (ms, c) => async () => {
            const r = rng(seed * 7919 + c);
            const end = performance.now() + ms;
            let ops = 0;
            while (performance.now() < end) {
                const i = Math.floor(r() * ids.length);
                if (op === 'save') await store.save(ids[i], docs[Math.floor(r() * 20)]);
                else if ((await store.load(ids[i])) === null) throw new Error(`${side}: ${ids[i]} did not load`);
                ops++;
            }
            return ops;
        };
        const all = async (ms) => (await Promise.all(Array.from({ length: clients }, (_, c) => loop(ms, c)()))).reduce((a, b) => a + b, 0);
        await all(Math.min(1000, seconds * 200));   // warm-up
        const r = await timed(() => all(seconds * 1000));
        // what every id holds now must load back as one of the documents
        const got = await store.load(ids[0]);
        const want = new Set(docs.map(canonical));
        if (!want.has(canonical(got))) throw new Error(`${side}: ${ids[0]} does not load as any saved document`);
        await store.remove(ids);
        return { ...cfg, ...r, doc_bytes: JSON.stringify(docs[0]).length };
    } finally {
        if (store.close) await store.close();
        await pool.end().catch(() => {});
    }
}

try {
    const res = cfg.op === 'workflow' ? await workflowOp() : await saveLoadOp();
    process.stdout.write(JSON.stringify(res) + '\n');
    process.exit(0);
} catch (e) {
    console.error(`measure ${JSON.stringify(cfg)}: ${e.stack || e}`);
    process.exit(1);
}
