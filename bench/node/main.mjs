// bench/node/main.mjs: the client-path benchmark's driver (bench/client.sh
// starts the server and calls this).  Runs every part in rounds, each
// measurement in a process of its own (measure.mjs) after a VACUUM and a
// CHECKPOINT, so that no measurement inherits another's garbage, dirty
// buffers or engine threads; then prints the table of issue 14 and writes
// the report (report.mjs).
//
// Environment (defaults in parentheses; QUICK=1 changes the defaults to a
// run of a few minutes):
//   RUNS (3)            rounds; every figure is the median over the rounds
//   NS ("10 100 1000")  steps per workflow
//   CLIENTS ("1 8")     concurrent clients of the workflow part
//   MIN_STEPS (1000)    each client runs ceil(MIN_STEPS / n) workflows
//   SIDES ("awaitly-postgres wf_save wf_save_step adapter dbos absurd")
//   SIZES ("1024 16384"), SAVE_CLIENTS ("1 8"), SAVE_T (5 s): whole saves and loads
//   PGBENCH_T (5 s)     seconds per pgbench run; PGBENCH_TX: transactions per client instead
//   PARTS ("workflow save load pgbench trigger")
//   ADAPTER=1           the adapter is installed (bench/client.sh does it)
//   ABSURD_SQL          Absurd's schema file (absurd.sql); Absurd is skipped without it
//   PG_BIN              PostgreSQL's bindir (pgbench); BENCH_DIR scratch directory
//   OUT                 the page to write (docs/performance.md); empty: print only
//   RAW                 where to keep the raw results (JSON)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { machineCpu, ownCpu, serverCpu } from './cpu.mjs';
import { ABSURD_QUEUE, PLAIN_DDL } from './sides.mjs';
import { report, writeReport } from './report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const env = process.env;
const QUICK = env.QUICK === '1';
const list = (v, d) => (v ?? d).split(/[\s,]+/).filter(Boolean);
const num = (v, d) => (v === undefined || v === '' ? d : Number(v));

const conf = {
    runs: num(env.RUNS, QUICK ? 1 : 3),
    ns: list(env.NS, QUICK ? '10 100' : '10 100 1000').map(Number),
    clients: list(env.CLIENTS, '1 8').map(Number),
    minSteps: num(env.MIN_STEPS, QUICK ? 200 : 1000),
    sides: list(env.SIDES, 'awaitly-postgres wf_save wf_save_step adapter dbos absurd'),
    sizes: list(env.SIZES, '1024 16384').map(Number),
    saveClients: list(env.SAVE_CLIENTS, '1 8').map(Number),
    saveT: num(env.SAVE_T, QUICK ? 2 : 5),
    pgbenchT: num(env.PGBENCH_T, QUICK ? 2 : 5),
    parts: list(env.PARTS, 'workflow save load pgbench trigger'),
};
const notes = [];
if (conf.sides.includes('adapter') && env.ADAPTER !== '1') {
    conf.sides = conf.sides.filter((s) => s !== 'adapter');
    notes.push(existsSync(path.join(ROOT, 'clients/awaitly/package.json'))
        ? 'The shipped adapter (clients/awaitly/) was not measured: it was not installed (run bench/client.sh, which packs and installs it).'
        : 'The shipped adapter was not measured: clients/awaitly/ does not exist yet. Once it does, bench/client.sh packs it, installs it and measures it (side "adapter").');
}
if (conf.sides.includes('absurd') && !env.ABSURD_SQL) {
    conf.sides = conf.sides.filter((s) => s !== 'absurd');
    notes.push('Absurd was not measured: its SQL schema is not in its npm package; pass the path of absurd.sql from its repository as ABSURD_SQL.');
}
const STORE_SIDES = ['awaitly-postgres', 'workflow_persist', ...(conf.sides.includes('adapter') ? ['adapter'] : [])];
const DBOS_DB = 'wfp_bench_dbos', ABSURD_DB = 'wfp_bench_absurd';
const url = (db) => `postgresql://${env.PGUSER || 'postgres'}@${env.PGHOST || '127.0.0.1'}:${env.PGPORT || 5432}/${db}`;
const scratch = env.BENCH_DIR || mkdtempSync(path.join(os.tmpdir(), 'wfp-bench-client-'));
const log = (...a) => console.error(...a);

// ---------------------------------------------------------------- setup
const admin = new pg.Client();
await admin.connect();
const extra = [];   // connections to the engines' databases, for VACUUM
await admin.query(PLAIN_DDL);
if (conf.parts.includes('pgbench') || conf.parts.includes('trigger')) {
    await admin.query(readFileSync(path.join(ROOT, 'bench/setup.sql'), 'utf8'));
    await admin.query('DROP SCHEMA IF EXISTS bt CASCADE');
    await admin.query(readFileSync(path.join(ROOT, 'bench/trigger.sql'), 'utf8'));
}
async function freshDb(name) {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const c = new pg.Client({ connectionString: url(name) });
    await c.connect();
    extra.push(c);
    return c;
}
const workflowSides = conf.parts.includes('workflow') ? conf.sides : [];
if (workflowSides.includes('dbos')) await freshDb(DBOS_DB);
if (workflowSides.includes('absurd')) {
    const c = await freshDb(ABSURD_DB);
    await c.query(readFileSync(env.ABSURD_SQL, 'utf8'));
    await c.query('SELECT absurd.create_queue($1)', [ABSURD_QUEUE]);
}

async function reset() {
    await admin.query('VACUUM');
    for (const c of extra) await c.query('VACUUM');
    await admin.query('CHECKPOINT');
}

// one measurement in a child process
function measure(cfg) {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--no-deprecation', path.join(HERE, 'measure.mjs'), JSON.stringify(cfg)], {
            stdio: ['ignore', 'pipe', 'inherit'],
            env: { ...env, DBOS_URL: url(DBOS_DB), ABSURD_URL: url(ABSURD_DB) },
        });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.on('error', reject);
        child.on('close', (code) => {
            if (code !== 0) return reject(new Error(`measurement failed (exit ${code}): ${JSON.stringify(cfg)}`));
            resolve(JSON.parse(out.trim().split('\n').pop()));
        });
    });
}

// ---------------------------------------------------------------- pgbench
const PGBENCH = path.join(env.PG_BIN || '', 'pgbench');
let scriptNo = 0;
function pgbench(script, clients, seconds, pgoptions = '') {
    const file = path.join(scratch, `pgbench-${++scriptNo}.sql`);
    writeFileSync(file, script + '\n', { mode: 0o644 });
    const length = env.PGBENCH_TX ? ['-t', env.PGBENCH_TX] : ['-T', String(seconds)];
    const r = spawnSync(PGBENCH, ['-n', '-M', 'prepared', '-c', String(clients), '-j', String(Math.min(clients, 2)),
        ...length, '-f', file], { env: { ...env, PGOPTIONS: pgoptions }, encoding: 'utf8' });
    const m = /^tps = ([0-9.]+)/m.exec(r.stdout || '');
    if (r.status !== 0 || !m) throw new Error(`pgbench failed: ${r.stderr || r.stdout || r.error}`);
    return Number(m[1]);
}
const RAND = '\\set w random(1, 200)\n\\set k random(1, 1000000000)\n\\set v random(1, 1000)\n';
const PB = {
    // a 1 KB step: recorded with wf_save_step, or inserted as one row
    step: RAND + "SELECT workflow_persist.wf_save_step('pb-' || :w, 'x' || :k, v) FROM bench.steps WHERE i = :v;",
    insert: RAND + "INSERT INTO bench.raw_steps SELECT 'pb-' || :w, 'x' || :k, v FROM bench.steps WHERE i = :v ON CONFLICT DO NOTHING;",
    // a 1 KB snapshot: wf_save, or upserted as one jsonb document
    save: "\\set i random(1, 20)\n\\set id random(1, 200)\nSELECT workflow_persist.wf_save('pb1k-' || :id, doc) FROM bench.docs WHERE kind = '1k' AND i = :i;",
    upsert: "\\set i random(1, 20)\n\\set id random(1, 200)\nINSERT INTO bench.raw SELECT 'pb1k-' || :id, doc FROM bench.docs WHERE kind = '1k' AND i = :i ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;",
};
// bench/trigger.sh's rows: a plain insert, the same row into a second
// table too, the C checkpoint trigger
const ROW = "\\set o random(1, 10000)\n\\set k random(1, 2000000000)\n";
const PAYLOAD = `'{"sku": "A-1", "qty": 2, "amount": 19.99}'`;
const TRIG = {
    plain: ROW + `INSERT INTO bt.plain (order_id, step, payload) VALUES (:o, 's' || :k, ${PAYLOAD});`,
    two: ROW + `WITH side AS (INSERT INTO bt.two_side (order_id, step, payload) VALUES (:o, 's' || :k, ${PAYLOAD}))
INSERT INTO bt.two (order_id, step, payload) VALUES (:o, 's' || :k, ${PAYLOAD});`,
    ck: ROW + `INSERT INTO bt.ck (order_id, step, payload) VALUES (:o, 's' || :k, ${PAYLOAD});`,
};
const SC_OFF = '-c synchronous_commit=off';

// ---------------------------------------------------------------- the rounds
const meta = {
    started: new Date().toISOString(),
    uptime_before: spawnSync('uptime', { encoding: 'utf8' }).stdout.trim(),
    load_before: os.loadavg(),
};
const results = [];
const PM = Number(env.PG_POSTMASTER_PID || 0);
const cpu0 = { machine: machineCpu(), server: serverCpu(PM), own: ownCpu() };
const rotate = (a, k) => a.map((_, i) => a[(i + k) % a.length]);
const t0 = Date.now();
const record = (r) => { results.push(r); return r; };

if (conf.parts.includes('pgbench') || conf.parts.includes('trigger')) {
    log('warming up the pgbench tables (every workflow and table exists before timing)');
    for (const s of [PB.step, PB.insert, PB.save, PB.upsert, TRIG.plain, TRIG.two, TRIG.ck]) pgbench(s, 8, 1);
    await admin.query('VACUUM ANALYZE');
}

for (let run = 1; run <= conf.runs; run++) {
    if (conf.parts.includes('workflow')) {
        for (const n of conf.ns) {
            for (const c of conf.clients) {
                for (const side of rotate(conf.sides, run - 1)) {
                    await reset();
                    const r = record(await measure({ op: 'workflow', side, n, clients: c, workflows: Math.max(1, Math.ceil(conf.minSteps / n)), seed: run }));
                    log(`round ${run}: ${side}, ${n} steps, ${c} client(s): ${(r.ops / r.seconds).toFixed(0)} steps/s`);
                }
            }
        }
    }
    for (const op of ['save', 'load']) {
        if (!conf.parts.includes(op)) continue;
        for (const bytes of conf.sizes) {
            for (const c of conf.saveClients) {
                for (const side of rotate(STORE_SIDES, run - 1)) {
                    await reset();
                    const r = record(await measure({ op, side, bytes, clients: c, seconds: conf.saveT, seed: run }));
                    log(`round ${run}: ${op} of ${bytes} B, ${side}, ${c} client(s): ${(r.ops / r.seconds).toFixed(0)} ${op}s/s`);
                }
            }
        }
    }
    if (conf.parts.includes('pgbench')) {
        for (const [row, wf, base, opts] of [['step', 'step', 'insert', ''], ['step', 'step', 'insert', SC_OFF], ['save', 'save', 'upsert', '']]) {
            for (const c of conf.clients) {
                const pair = run % 2 ? [wf, base] : [base, wf];
                const tps = {};
                for (const s of pair) { await admin.query('CHECKPOINT'); tps[s] = pgbench(PB[s], c, conf.pgbenchT, opts); }
                record({ op: 'pgbench', row, sc: opts ? 'off' : 'on', clients: c, run, wf: tps[wf], base: tps[base] });
                log(`round ${run}: pgbench ${row} (synchronous_commit ${opts ? 'off' : 'on'}), ${c} client(s): ${tps[wf].toFixed(0)} vs ${tps[base].toFixed(0)} tps`);
            }
        }
    }
    if (conf.parts.includes('trigger')) {
        for (const c of conf.clients) {
            const tps = {};
            for (const s of rotate(['plain', 'two', 'ck'], run - 1)) { await admin.query('CHECKPOINT'); tps[s] = pgbench(TRIG[s], c, conf.pgbenchT, SC_OFF); }
            record({ op: 'trigger', clients: c, run, ...tps });
            log(`round ${run}: trigger, ${c} client(s): plain ${tps.plain.toFixed(0)}, 2nd table ${tps.two.toFixed(0)}, C trigger ${tps.ck.toFixed(0)} tps`);
        }
    }
}

// ---------------------------------------------------------------- the machine
const q1 = async (sql) => (await admin.query(sql)).rows[0];
await admin.query("SELECT workflow_persist.wf_exists('bench-settings')");   // loads the library: its settings exist
const settings = {};
for (const s of ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression', 'default_toast_compression', 'jit', 'workflow_persist.validation']) {
    settings[s] = (await q1(`SELECT current_setting('${s}', true) AS v`)).v;
}
const pkg = (name) => { try { return JSON.parse(readFileSync(path.join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return null; } };
const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0]?.model;
const fs = spawnSync('findmnt', ['-no', 'FSTYPE,SOURCE', '-T', scratch], { encoding: 'utf8' });
const cpu1 = { machine: machineCpu(), server: serverCpu(PM), own: ownCpu() };
const wall = (Date.now() - t0) / 1000;
Object.assign(meta, {
    // CPU that neither the server nor this benchmark used: other work on the machine
    foreign_cores: PM ? (cpu1.machine.busy - cpu0.machine.busy - (cpu1.server - cpu0.server) - (cpu1.own - cpu0.own)) / wall : null,
    steal_pct: (100 * (cpu1.machine.steal - cpu0.machine.steal)) / (wall * os.cpus().length),
    finished: new Date().toISOString(),
    minutes: (Date.now() - t0) / 60000,
    uptime_after: spawnSync('uptime', { encoding: 'utf8' }).stdout.trim(),
    load_after: os.loadavg(),
    cpu: cpuModel,
    cores: os.cpus().length,
    ram_gib: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    postgres: (await q1('SELECT version() AS v')).v,
    extension: (await q1("SELECT extversion AS v FROM pg_extension WHERE extname = 'workflow_persist'")).v,
    settings,
    data_fs: fs.status === 0 ? fs.stdout.trim().replace(/\s+/g, ' ') : null,
    node: process.version,
    packages: { pg: pkg('pg'), '@dbos-inc/dbos-sdk': pkg('@dbos-inc/dbos-sdk'), 'absurd-sdk': pkg('absurd-sdk'), awaitly: pkg('awaitly'), 'awaitly-workflow-persist': pkg('awaitly-workflow-persist') },
    absurd_sql: env.ABSURD_SQL || null,
    absurd_sql_note: env.ABSURD_SQL_NOTE || null,
    shared_note: env.SHARED_NOTE || null,
    notes,
    conf,
});
await admin.end();
for (const c of extra) await c.end();

if (env.RAW) writeFileSync(env.RAW, JSON.stringify({ meta, results }, null, 1) + '\n');
const r = report(results, meta);
process.stdout.write(r.terminal + '\n');
if (env.OUT) {
    writeReport(path.resolve(ROOT, env.OUT), r.markdown);
    log(`wrote ${env.OUT}`);
}
