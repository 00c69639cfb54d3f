// bench/node/snapshot.mjs: the documents of the client benchmark.
//
// Deterministic (a seeded generator), so that every side of a run, and
// every run, stores the same bytes.  A step is what awaitly's durable.run
// records: {"ok": true, "value": ...}, about 200 bytes of JSON with its key,
// mixing text that compresses (words from a small vocabulary, repeated
// status strings) with random ids that do not.  Snapshots have the shape
// durable.run saves after each step (awaitly 1.35.0, WorkflowSnapshot):
// formatVersion 1, workflowName, steps, execution {status, lastUpdated,
// currentStepId}, metadata {workflowId, definitionHash, input, version,
// lastStepKey}.

// mulberry32: small, fast, good enough for test data
export function rng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const WORDS = ('order parcel carrier depot north south invoice payment captured reserved ' +
    'warehouse shelf customer address confirmed pending retry webhook delivered label ' +
    'refund partial quantity item stock sync region queue batch priority standard express')
    .split(' ');
const STATUSES = ['reserved', 'charged', 'packed', 'shipped', 'notified'];

function hex(r, n) {
    let s = '';
    while (s.length < n) s += Math.floor(r() * 4294967296).toString(16).padStart(8, '0');
    return s.slice(0, n);
}

function words(r, n) {
    const w = [];
    for (let i = 0; i < n; i++) w.push(WORDS[Math.floor(r() * WORDS.length)]);
    return w.join(' ');
}

export function stepKey(i) {
    return 'step-' + String(i + 1).padStart(5, '0');
}

// the value a trivial step returns: ~150 bytes of JSON
export function stepValue(r) {
    return {
        id: hex(r, 32),
        ref: 'ord_' + hex(r, 12),
        status: STATUSES[Math.floor(r() * STATUSES.length)],
        note: words(r, 6 + Math.floor(r() * 3)),
        qty: 1 + Math.floor(r() * 9),
        amount: Math.round(r() * 100000) / 100,
    };
}

// the values of n steps, from a seed
export function stepValues(seed, n) {
    const r = rng(seed);
    const v = [];
    for (let i = 0; i < n; i++) v.push(stepValue(r));
    return v;
}

export function emptySnapshot(id, seed) {
    const r = rng(seed ^ 0x5bd1e995);
    return {
        formatVersion: 1,
        workflowName: id,
        steps: {},
        execution: { status: 'running', lastUpdated: new Date().toISOString() },
        metadata: {
            workflowId: id,
            definitionHash: hex(r, 16),
            input: { orderId: 'ord_' + hex(r, 12), lines: 3, region: 'north' },
            version: 1,
        },
    };
}

// What durable.run saves after step `key`: a new object every time, with a
// new steps object (durable.run rebuilds it from its resume state), the
// step values shared.
export function afterStep(prev, key, value) {
    return {
        ...prev,
        steps: { ...prev.steps, [key]: { ok: true, value } },
        execution: { status: 'running', lastUpdated: new Date().toISOString(), currentStepId: key },
        metadata: { ...prev.metadata, lastStepKey: key },
    };
}

// A complete snapshot of about `bytes` bytes of JSON (whole-save and load rows)
export function snapshotOfSize(id, seed, bytes) {
    const r = rng(seed);
    let s = emptySnapshot(id, seed);
    for (let i = 0; JSON.stringify(s).length < bytes; i++) s = afterStep(s, stepKey(i), stepValue(r));
    return s;
}

// Recursively key-sorted JSON: jsonb sorts keys, so documents are compared
// in this form.
export function canonical(v) {
    if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
    if (v !== null && typeof v === 'object') {
        return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
    }
    return JSON.stringify(v);
}

// the first path at which two JSON values differ (for error messages), or null
export function firstDifference(a, b, at = '$') {
    if (canonical(a) === canonical(b)) return null;
    if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
        for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
            const d = firstDifference(a[k], b[k], `${at}.${k}`);
            if (d) return d;
        }
    }
    return `${at}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
}
