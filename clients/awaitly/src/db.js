// The connection both stores share: a pg pool (the caller's, or one of our
// own that close() ends) and the namespace every call names.  SQL texts
// mark where the namespace goes with %NS; without a namespace the
// extension's default (the workflow_persist.namespace setting) applies.
import pg from 'pg';

export const WF = 'workflow_persist.';

export function connect({ pool, connectionString, namespace } = {}) {
    const own = pool ? null : new pg.Pool(connectionString ? { connectionString } : {});
    const db = pool ?? own;
    return {
        query(text, params) {
            if (namespace == null) return db.query(text.replaceAll('%NS', ''), params);
            const all = [...params, namespace];
            return db.query(text.replaceAll('%NS', `, namespace => $${all.length}`), all);
        },
        close: async () => { if (own) await own.end(); },
    };
}
