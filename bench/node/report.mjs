// bench/node/report.mjs: issue 14's table and the detail tables, from the
// results of main.mjs.  Also runnable on a kept raw file:
//
//   node bench/node/report.mjs bench/out/client-<time>.json [docs/performance.md]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BEGIN = '<!-- bench/client.sh: begin (generated, do not edit by hand) -->';
export const END = '<!-- bench/client.sh: end -->';

const median = (a) => {
    const s = [...a].sort((x, y) => x - y), m = s.length >> 1;
    return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const range = (a) => (a.length > 1 ? ` (${f0(Math.min(...a))}-${f0(Math.max(...a))})` : '');
// a markdown table; the first `labels` columns are left-aligned
const table = (head, rows, labels = 1) => [
    '| ' + head.join(' | ') + ' |',
    '|' + head.map((_, i) => (i < labels ? ' --- |' : ' ---: |')).join(''),
    ...rows.map((r) => '| ' + r.join(' | ') + ' |'),
].join('\n');
const SIDE_NAMES = {
    'awaitly-postgres': 'awaitly-postgres store', wf_save: '`wf_save`', wf_save_step: '`wf_save_step`',
    adapter: 'shipped adapter', dbos: 'DBOS `runStep`', absurd: 'Absurd `ctx.step`', workflow_persist: '`wf_save` / `wf_load`',
};

export function report(results, meta) {
    const conf = meta.conf;
    const runs = [...new Set(results.map((r) => r.seed ?? r.run))].sort((a, b) => a - b);
    const wf = results.filter((r) => r.op === 'workflow');
    const rate = (r) => r.ops / r.seconds;
    const cell = (rs) => rs.map(rate);
    const pick = (rs, where) => rs.filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));
    // median over the rounds of the paired ratio a / b (same round, same parameters)
    const paired = (rs, where, a, b, key = 'side') => median(runs.map((run) => {
        const x = pick(rs, { ...where, [key]: a, seed: run })[0], y = pick(rs, { ...where, [key]: b, seed: run })[0];
        return x && y ? rate(x) / rate(y) : NaN;
    }).filter(Number.isFinite));
    const has = (side) => conf.sides.includes(side) && wf.some((r) => r.side === side);
    const bigN = Math.max(...conf.ns);
    const C = conf.clients;
    const byClients = (fn) => C.map((c) => `${f2(fn(c))}x (${c} client${c > 1 ? 's' : ''})`).join(', ');

    // ------------------------------------------------------------ issue 14's table
    const rows = [];
    const verdict = (vals, target, le = false) => {
        const v = vals.filter(Number.isFinite);
        if (v.length === 0) return 'not measured';
        return v.every((x) => (le ? x <= target : x >= target)) ? 'met' : '**missed**';
    };
    const wfRatio = (a, b, c) => paired(wf, { n: bigN, clients: c }, a, b);
    if (has('wf_save') && has('awaitly-postgres')) {
        const v = C.map((c) => wfRatio('wf_save', 'awaitly-postgres', c));
        rows.push([`awaitly's \`durable.run\` pattern (whole snapshot re-saved after each of ${f0(bigN)} steps of ~200 B) through \`wf_save\`, vs the awaitly-postgres store`,
            '1.10x, 1.41x', byClients((c) => v[C.indexOf(c)]), '>= 3x at 1 and 8 clients', verdict(v, 3)]);
    }
    if (has('awaitly-postgres')) {
        const step = has('wf_save_step') ? ` (\`wf_save_step\` from the same client: ${C.map((c) => f2(wfRatio('wf_save_step', 'awaitly-postgres', c)) + 'x').join(' / ')})` : '';
        if (has('adapter')) {
            const v = C.map((c) => wfRatio('adapter', 'awaitly-postgres', c));
            rows.push(['the same through the shipped awaitly adapter (delta writes)', '-', byClients((c) => v[C.indexOf(c)]) + step, '>= 10x', verdict(v, 10)]);
        } else {
            rows.push(['the same through the shipped awaitly adapter (delta writes)', '- (`wf_save_step`: 10.1x / 11.2x)', 'not measured: no adapter yet' + step, '>= 10x', 'not measured']);
        }
    }
    const sl = results.filter((r) => r.op === 'save' || r.op === 'load');
    const slRatio = (op, bytes, c, side = 'workflow_persist') => paired(sl, { op, bytes, clients: c }, side, 'awaitly-postgres');
    const maxSaveC = Math.max(...conf.saveClients);
    for (const [op, what, filed] of [['save', 'whole save', '0.43x / 0.68x'], ['load', 'load', '0.91x / 0.61x']]) {
        if (!sl.some((r) => r.op === op)) continue;
        const v = conf.sizes.map((b) => slRatio(op, b, maxSaveC));
        rows.push([`${what} of a ${conf.sizes.map((b) => f0(b / 1024) + ' KB').join(' / ')} snapshot, ${maxSaveC} client${maxSaveC > 1 ? 's' : ''}, vs the awaitly-postgres store`,
            filed, v.map((x) => f2(x) + 'x').join(' / '), '>= 1.0x', verdict(v, 1)]);
    }
    for (const [eng, label, filed, target] of [['dbos', 'DBOS Transact `DBOS.runStep` (npm `@dbos-inc/dbos-sdk`)', '4.2x (1 client), 2.2x (8)', 5],
        ['absurd', 'Absurd `ctx.step` (npm `absurd-sdk`)', '2.9x, 2.8x', 3]]) {
        if (!has('wf_save_step')) continue;
        if (!has(eng)) {
            rows.push([`per-step checkpoint vs ${label}`, filed, 'not measured (see the notes)', `>= ${target}x at both`, 'not measured']);
            continue;
        }
        const v = C.map((c) => wfRatio('wf_save_step', eng, c));
        rows.push([`per-step checkpoint (\`wf_save_step\`) vs ${label}, ${f0(bigN)}-step workflows, same client machine`, filed, byClients((c) => v[C.indexOf(c)]), `>= ${target}x at both`, verdict(v, target)]);
    }
    const pb = results.filter((r) => r.op === 'pgbench');
    const pbRatio = (row, sc, c) => median(pick(pb, { row, sc, clients: c }).map((r) => r.wf / r.base));
    const pbCell = (row, sc) => C.map((c) => `${f2(pbRatio(row, sc, c))} (${c})`).join(', ');
    const pbV = (row, sc) => C.map((c) => pbRatio(row, sc, c));
    if (pb.length) {
        rows.push(['pgbench: `wf_save_step` of a 1 KB step vs inserting it as one row into a plain table, commit flush on', '0.81 (1 client), 0.64 (8)', pbCell('step', 'on'), '>= 0.9', verdict(pbV('step', 'on'), 0.9)]);
        rows.push(['the same with `synchronous_commit = off` (the work itself, no flush)', '0.68, 0.53', pbCell('step', 'off'), '>= 0.8', verdict(pbV('step', 'off'), 0.8)]);
        rows.push(['pgbench: 1 KB `wf_save` vs a raw upsert', '0.86, 0.68', pbCell('save', 'on'), '>= 0.9', verdict(pbV('save', 'on'), 0.9)]);
    }
    const tr = results.filter((r) => r.op === 'trigger');
    const us = (tps) => 1e6 / tps;
    const trAdds = (c) => {
        const rs = pick(tr, { clients: c });
        const two = median(rs.map((r) => us(r.two) - us(r.plain))), ck = median(rs.map((r) => us(r.ck) - us(r.plain)));
        return { two, ck, ratio: two > 0 ? ck / two : NaN };
    };
    if (tr.length) {
        const v = C.map((c) => trAdds(c).ratio);
        rows.push(['checkpoint trigger: what it adds to an INSERT vs what inserting the same row into a second table adds (synchronous_commit off)', '9.5x (1 client), 17x (8)',
            C.map((c) => (Number.isFinite(trAdds(c).ratio) ? `${f2(trAdds(c).ratio)}x (${c})` : `n/a (${c}: the 2nd table added nothing measurable)`)).join(', '), '<= 2x', verdict(v, 2, true)]);
    }
    const issue = table(['what (Node client unless noted)', 'when filed', 'now (this run)', 'target', ''], rows);

    // ------------------------------------------------------------ details
    const sides = conf.sides.filter(has);
    const wfRows = [];
    const cpuRows = [];
    for (const n of conf.ns) {
        for (const c of C) {
            const at = (side) => pick(wf, { side, n, clients: c });
            wfRows.push([f0(n), c, ...sides.map((s) => f0(median(cell(at(s)))) + range(cell(at(s))))]);
            cpuRows.push([f0(n), c, ...sides.map((s) => {
                const rs = at(s);
                const cl = median(rs.map((r) => (1e6 * r.client_cpu) / r.ops)), sv = median(rs.map((r) => (1e6 * r.server_cpu) / r.ops));
                const wall = median(rs.map((r) => (1e6 * r.seconds * r.clients) / r.ops));
                return `${f0(wall)} / ${f0(cl)} / ${Number.isFinite(sv) ? f0(sv) : '-'}`;
            })]);
        }
    }
    const ratioCols = [['wf_save', 'awaitly-postgres'], ['adapter', 'awaitly-postgres'], ['wf_save_step', 'awaitly-postgres'], ['wf_save_step', 'dbos'], ['wf_save_step', 'absurd']]
        .filter(([a, b]) => has(a) && has(b));
    const ratioRows = [];
    for (const n of conf.ns) for (const c of C) ratioRows.push([f0(n), c, ...ratioCols.map(([a, b]) => f2(paired(wf, { n, clients: c }, a, b)))]);
    const slRows = [];
    const slSides = ['awaitly-postgres', 'workflow_persist', 'adapter'].filter((s) => sl.some((r) => r.side === s));
    for (const op of ['save', 'load']) {
        for (const bytes of conf.sizes) {
            for (const c of conf.saveClients) {
                const at = (side) => cell(pick(sl, { op, bytes, clients: c, side }));
                if (!at('awaitly-postgres').length) continue;
                const realBytes = pick(sl, { op, bytes, clients: c })[0]?.doc_bytes;
                slRows.push([op, `${f0(realBytes)} B`, c, ...slSides.map((s) => f0(median(at(s))) + range(at(s))),
                    ...slSides.slice(1).map((s) => f2(slRatio(op, bytes, c, s)))]);
            }
        }
    }
    const pbRows = [];
    for (const [row, sc, what] of [['step', 'on', '`wf_save_step` 1 KB vs one-row INSERT'], ['step', 'off', 'the same, synchronous_commit off'], ['save', 'on', '1 KB `wf_save` vs raw upsert']]) {
        for (const c of C) {
            const rs = pick(pb, { row, sc, clients: c });
            if (!rs.length) continue;
            pbRows.push([what, c, f0(median(rs.map((r) => r.wf))) + range(rs.map((r) => r.wf)), f0(median(rs.map((r) => r.base))) + range(rs.map((r) => r.base)), f2(pbRatio(row, sc, c))]);
        }
    }
    const trRows = C.filter((c) => pick(tr, { clients: c }).length).map((c) => {
        const rs = pick(tr, { clients: c }), a = trAdds(c);
        const col = (k) => f0(median(rs.map((r) => r[k]))) + range(rs.map((r) => r[k]));
        return [String(c), col('plain'), col('two'), col('ck'), f0(a.two) + ' µs', f0(a.ck) + ' µs', Number.isFinite(a.ratio) ? f2(a.ratio) : 'n/a'];
    });

    const m = meta;
    const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
    const machine = `${m.cpu}, ${m.cores} cores, ${m.ram_gib.toFixed(0)} GiB RAM, ${m.kernel}; ${m.postgres.replace(/ on .*/, '')}, `
        + `workflow_persist ${m.extension}; Node.js ${m.node}, pg ${m.packages.pg}, @dbos-inc/dbos-sdk ${m.packages['@dbos-inc/dbos-sdk']}, `
        + `absurd-sdk ${m.packages['absurd-sdk']}, awaitly ${m.packages.awaitly}`
        + (m.packages['awaitly-workflow-persist'] ? `, awaitly-workflow-persist ${m.packages['awaitly-workflow-persist']}` : '');
    const set = Object.entries(m.settings).map(([k, v]) => `${k}=${v}`).join(', ');
    const md = [
        '## The client path (issue 14)',
        '',
        `Generated by \`bench/client.sh\` on ${m.finished.slice(0, 10)} (${m.minutes.toFixed(0)} minutes; ${conf.runs} round${conf.runs > 1 ? 's' : ''}; `
            + `workflow sizes ${conf.ns.join(' / ')} steps at ${C.join(' and ')} clients, at least ${f0(conf.minSteps)} steps per client and measurement; `
            + `whole saves and loads ${conf.saveT} s per measurement; pgbench ${conf.pgbenchT} s per run). Run it again to refresh this section; `
            + 'bench/README.md says how. Ratios are workflow_persist / baseline (above 1: workflow_persist is faster), except the trigger row (a ratio of costs: below 1 is better).',
        '',
        `**Machine:** ${machine}. PostgreSQL defaults on a fresh cluster (${set}); data directory on ${m.data_fs || 'the scratch directory'}. `
            + `Load average ${load(m.load_before)} before the run and ${load(m.load_after)} after it (\`uptime\`: "${m.uptime_before}" / "${m.uptime_after}").`
            + (Number.isFinite(m.foreign_cores) ? ` Other work used on average ${m.foreign_cores.toFixed(2)} of the ${m.cores} cores during the run (the machine's busy CPU time less the server's and the benchmark's)${m.foreign_cores > 0.1 ? ': the machine was shared, read the ranges' : ''}; CPU steal ${m.steal_pct.toFixed(1)}%.` : '')
            + (m.shared_note ? ` ${m.shared_note}` : '')
            + (m.absurd_sql_note ? ` Absurd's schema: ${m.absurd_sql_note}.` : ''),
        '',
        issue,
        '',
        ...(m.notes.length ? [m.notes.map((n) => `- ${n}`).join('\n'), ''] : []),
        '### How it is measured',
        '',
        '- One throwaway PostgreSQL 15 cluster (initdb, defaults, fsync on), every side in the same run. Every measurement runs in a Node.js process of its own, '
            + 'after a `VACUUM` and a `CHECKPOINT`; the rounds interleave the sides (their order rotates from round to round), and a figure is the median over the rounds '
            + '(min-max beside it); a ratio is the median of the ratios paired within each round.',
        '- A workflow is n trivial steps (the step returns a pre-computed value of ~150 B; ~200 B of JSON per step with its key, mixing word-list text and random hex ids). '
            + '*awaitly-postgres*: after every step the whole snapshot (awaitly `WorkflowSnapshot`: formatVersion 1, steps of `{"ok": true, "value": ...}`, '
            + 'execution {status, lastUpdated, currentStepId}, metadata) is rebuilt as durable.run does, `JSON.stringify`\'d and upserted with the published store\'s statement '
            + '(`INSERT INTO awaitly_snapshots (id, snapshot, updated_at) VALUES ($1, $2, NOW()) ON CONFLICT (id) DO UPDATE SET snapshot = $2, updated_at = NOW()`, '
            + 'its table: `id text PRIMARY KEY, snapshot jsonb, updated_at timestamptz` and its `updated_at` index). *`wf_save`*: the same snapshots through '
            + '`SELECT workflow_persist.wf_save($1, $2)`. *`wf_save_step`*: `SELECT workflow_persist.wf_save_step($1, $2, $3)` with the step\'s `{"ok": true, "value": ...}` only. '
            + '*adapter*: the same snapshots given to the shipped adapter\'s `save()`. *DBOS*: a registered workflow calling `DBOS.runStep` per step (its system database in the same cluster). '
            + '*Absurd*: a registered task calling `ctx.step` per step; the client spawns it, claims it and executes it (its schema in a database of its own).',
        '- Each of c concurrent clients (its own connection) runs ceil(min steps / n) workflows one after the other; throughput is steps per second of wall time over all clients. '
            + 'A warm-up workflow per client runs first, untimed. Afterwards one workflow is read back and checked (every step there, the snapshot as saved, awaitly\'s `validateSnapshot` passes), and all are deleted.',
        '- Whole saves and loads: for the stated seconds every client saves (loads) snapshots of about 1 KB (4 steps) or 16 KB (79 steps) under one of 200 ids, '
            + 'picked among 20 different documents, so that a save nearly always brings new content (the worst case for the store, as B1 below).',
        '- pgbench rows: `pgbench -M prepared`, 1 client or 8 on 2 threads, the documents of `bench/setup.sql`; the trigger row uses `bench/trigger.sql` '
            + '(what `bench/trigger.sh` measures, with fewer rounds) and compares what each configuration adds to the plain insert\'s cost per transaction (1,000,000 / tps µs).',
        '',
        '### Workflows: steps per second',
        '',
        table(['steps', 'clients', ...sides.map((s) => SIDE_NAMES[s])], wfRows, 2),
        '',
        ...(ratioCols.length ? [table(['steps', 'clients', ...ratioCols.map(([a, b]) => `${SIDE_NAMES[a]} / ${SIDE_NAMES[b]}`)], ratioRows, 2), ''] : []),
        'Time per step, µs: wall time × clients / steps, then the client\'s CPU (the Node.js process: building and `JSON.stringify`ing snapshots, the driver, the engine), '
            + 'then the server\'s CPU (every PostgreSQL process) per step. On 2 cores with 8 clients the wall time includes waiting for a CPU.',
        '',
        table(['steps', 'clients', ...sides.map((s) => SIDE_NAMES[s])], cpuRows, 2),
        '',
        ...(slRows.length ? ['### Whole saves and loads: operations per second', '',
            table(['op', 'size', 'clients', ...slSides.map((s) => SIDE_NAMES[s]), ...slSides.slice(1).map((s) => `${SIDE_NAMES[s]} / awaitly-postgres`)], slRows, 3), ''] : []),
        ...(pbRows.length ? ['### pgbench', '', table(['what', 'clients', 'workflow_persist tps', 'baseline tps', 'ratio'], pbRows, 2), ''] : []),
        ...(trRows.length ? ['### Checkpoint trigger (synchronous_commit off)', '',
            table(['clients', 'plain INSERT tps', '+ same row into a 2nd table tps', 'C trigger tps', '2nd table adds', 'C trigger adds', 'ratio'], trRows), ''] : []),
    ].join('\n');
    const terminal = [issue, '', ...(m.notes.length ? m.notes : []), '', `machine: ${machine}`, `load average: ${load(m.load_before)} before, ${load(m.load_after)} after` + (Number.isFinite(m.foreign_cores) ? `; other work used ${m.foreign_cores.toFixed(2)} of ${m.cores} cores on average` : '')].join('\n');
    return { markdown: md, terminal };
}

// replace the generated section of `file` (between BEGIN and END)
export function writeReport(file, markdown) {
    const text = readFileSync(file, 'utf8');
    const a = text.indexOf(BEGIN), b = text.indexOf(END);
    if (a < 0 || b < a) throw new Error(`${file} has no ${BEGIN} ... ${END} section to replace`);
    writeFileSync(file, text.slice(0, a + BEGIN.length) + '\n' + markdown + '\n' + text.slice(b));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const { meta, results } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
    const r = report(results, meta);
    console.log(r.terminal);
    if (process.argv[3]) writeReport(process.argv[3], r.markdown);
}
