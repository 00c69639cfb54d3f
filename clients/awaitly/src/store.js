// workflowPersist(): awaitly's SnapshotStore (and, with lock: true, its
// WorkflowLock) on workflow_persist.  durable.run saves the whole snapshot
// after every step; this store remembers, per id, the version it last wrote
// and the JSON text of each step, and sends only what changed through one
// wf_merge fenced by that version.  It saves the whole snapshot (wf_save)
// when it knows nothing of the id, when a step or a metadata key was
// removed, when the snapshot has warnings or members wf_merge does not
// keep, and after a version conflict (40001: someone else wrote; wf_save
// returns the version to go on from).
import { randomUUID } from 'node:crypto';
import { deserializeResumeState, isResumeState, isSerializedResumeState, serializeResumeState } from 'awaitly/workflow';
import { WF, connect } from './db.js';

const HEAD = new Set(['formatVersion', 'steps', 'execution', 'metadata', 'workflowName']);
const REMEMBERED = 1000;   // ids whose last write is remembered (oldest forgotten first)
// two step results with the same members, each the same value (===)
const same = (a, b) => {
    for (const k in b) if (a[k] !== b[k]) return false;
    for (const k in a) if (!(k in b)) return false;
    return true;
};

export function workflowPersist(options = {}) {
    const { prefix = '', lock = false } = options;
    const db = connect(options);
    const owner = `awaitly-workflow-persist:${process.pid}:${randomUUID()}`;
    const known = new Map();    // id -> { version, steps: Map(key -> { step, json }), meta: [keys], name }
    const leases = new Map();   // id -> the token of the lease this store holds
    const write = async (sql, id, doc, extra = []) => Number((await db.query(sql,
        [id, JSON.stringify(doc), leases.get(id) ?? null, ...extra])).rows[0].v);
    const whole = (id, doc) => write(`SELECT ${WF}wf_save($1, $2, lease_token => $3%NS) AS v`, id, doc);
    const merge = (id, doc, version) => write(
        `SELECT ${WF}wf_merge($1, $2, lease_token => $3, expected_version => $4%NS) AS v`, id, doc, [version]);

    // Only a plain snapshot (no warnings, no members wf_merge would drop) goes as a delta.
    const plain = (snap) => snap.execution && Object.keys(snap).every((k) => HEAD.has(k));
    // Each step's JSON (a step whose members are the very values last written keeps its JSON:
    // durable.run rebuilds the step objects around the same values), and the delta from the
    // last write: null when it must be a whole save (nothing known, a step or metadata key gone).
    function compare(last, snap) {
        const steps = new Map(), changed = {};
        let kept = 0;
        for (const k in snap.steps) {
            const was = last?.steps.get(k), step = snap.steps[k];
            const now = was && same(was.step, step) ? was : { step, json: JSON.stringify(step) };
            steps.set(k, now);
            if (was) kept++;
            if (was?.json !== now.json) changed[k] = step;
        }
        const meta = snap.metadata ?? {};
        const go = last && plain(snap) && kept === last.steps.size && last.name === snap.workflowName &&
            last.meta.every((k) => k in meta);
        return { steps, delta: go ? { formatVersion: 1, workflowName: snap.workflowName, steps: changed,
            execution: snap.execution, metadata: snap.metadata } : null };
    }

    const store = {
        async save(id, state) {
            const wid = prefix + id, last = known.get(wid);
            known.delete(wid);
            if (isResumeState(state)) return void await whole(wid, serializeResumeState(state));
            const { steps, delta } = compare(last, state);
            const version = (delta && await merge(wid, delta, last.version).catch((e) => { if (e.code !== '40001') throw e; }))
                ?? await whole(wid, state);   // nothing known, a step or metadata key gone, or 40001
            if (!plain(state)) return;
            known.set(wid, { version, steps, meta: Object.keys(state.metadata ?? {}), name: state.workflowName });
            if (known.size > REMEMBERED) known.delete(known.keys().next().value);
        },
        async load(id) {
            known.delete(prefix + id);   // the next save is whole: someone else may have written
            const doc = (await db.query(`SELECT ${WF}wf_load($1%NS) AS doc`, [prefix + id])).rows[0].doc;
            return doc && isSerializedResumeState(doc) ? deserializeResumeState(doc) : doc;
        },
        async loadResumeState(id) {
            const loaded = await store.load(id);
            return loaded && isResumeState(loaded) ? loaded : null;
        },
        async delete(id) {
            known.delete(prefix + id);
            await db.query(`SELECT ${WF}wf_delete($1%NS)`, [prefix + id]);
        },
        async list({ prefix: p = '', limit = 100 } = {}) {
            const { rows } = await db.query(`SELECT id, updated_at FROM ${WF}wf_list(prefix => $1, max_rows => $2%NS)`,
                [prefix + p, limit]);
            return rows.map((r) => ({ id: r.id.slice(prefix.length), updatedAt: r.updated_at.toISOString() }));
        },
        close: () => db.close(),
    };
    if (!lock) return store;
    return Object.assign(store, {
        async tryAcquire(id, { ttlMs = 60000 } = {}) {
            const token = (await db.query(`SELECT ${WF}wf_lease_acquire($1, $2, $3 * interval '1 millisecond'%NS) AS t`,
                [prefix + id, owner, ttlMs])).rows[0].t;
            if (token) leases.set(prefix + id, token);
            return token ? { ownerToken: token } : null;
        },
        async release(id, token) {
            if (leases.get(prefix + id) === token) leases.delete(prefix + id);
            await db.query(`SELECT ${WF}wf_lease_release($1, $2%NS)`, [prefix + id, token]);
        },
        async renew(id, token, { ttlMs = 60000 } = {}) {
            return (await db.query(`SELECT ${WF}wf_lease_renew($1, $2, $3 * interval '1 millisecond'%NS) AS ok`,
                [prefix + id, token, ttlMs])).rows[0].ok;
        },
    });
}
