// workflowPersistKV(): awaitly's KeyValueStore (awaitly 1.13.0's signature,
// the last release that had it; createStatePersistence stores strings in
// it) on workflow_persist.  A key is a workflow whose snapshot carries the
// value as metadata.value; a ttl is the workflow's expiry, so an expired
// key is invisible at once and its rows go with the store's cleanup.
import { WF, connect } from './db.js';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// a Redis-style glob (* ? [set] \x) as an anchored regular expression
const globRegex = (g) => g.replace(/\\(.)|([*?])|(\[\^?\]?[^\]]*\])|(.)/gs,
    (m, esc, wild, set, c) => (set ?? (wild === '*' ? '.*' : wild ? '.' : escape(esc ?? c))));

export function workflowPersistKV(options = {}) {
    const { prefix = '' } = options;
    const db = connect(options);
    const one = async (sql, params) => Object.values((await db.query(sql, params)).rows[0])[0];
    const doc = (value) => JSON.stringify({
        formatVersion: 1, steps: {}, metadata: { value: String(value) },
        execution: { status: 'running', lastUpdated: new Date().toISOString() },
    });
    return {
        get: async (key) => (await one(`SELECT ${WF}wf_load($1%NS) -> 'metadata' ->> 'value'`, [prefix + key])) ?? null,
        // ttl in seconds; none (or 0) clears an earlier expiry, as a Redis SET does
        async set(key, value, { ttl } = {}) {
            await db.query(`SELECT ${WF}wf_set_ttl($1, $3::float8 * interval '1 second'%NS)
                              FROM (SELECT ${WF}wf_save($1, $2%NS)) AS saved`, [prefix + key, doc(value), ttl || null]);
        },
        delete: (key) => one(`SELECT ${WF}wf_delete($1%NS)`, [prefix + key]),
        exists: (key) => one(`SELECT ${WF}wf_exists($1%NS)`, [prefix + key]),
        async keys(pattern) {
            const literal = pattern.match(/^[^*?[\\]*/)[0];
            const { rows } = await db.query(`SELECT id FROM ${WF}wf_list(prefix => $1, max_rows => 2147483647%NS)
                                              WHERE id ~ $2`, [prefix + literal, `^${escape(prefix)}${globRegex(pattern)}$`]);
            return rows.map((r) => r.id.slice(prefix.length));
        },
        close: () => db.close(),
    };
}
