// The adapter as an application's role: only what wf_grant_access grants
// (README, "Let an application's role use it"), no superuser.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { workflowPersist, workflowPersistKV } from 'awaitly-workflow-persist';
import { freshId, pool, snapshot } from './helpers.mjs';

const ROLE = 'wfp_client_app';
let app;
before(async () => {
    await pool.query(`DO $$ BEGIN CREATE ROLE ${ROLE} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    await pool.query(`SELECT workflow_persist.wf_grant_access('${ROLE}')`);
    app = new pg.Pool({ user: ROLE, max: 2 });
});
after(async () => { await app.end(); await pool.end(); });

test('every method works with the grants of wf_grant_access', async () => {
    const [{ current_user: who, rolsuper }] = (await app.query(
        'SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user')).rows;
    assert.deepEqual([who, rolsuper], [ROLE, false]);
    const store = workflowPersist({ pool: app, lock: true, prefix: `${freshId('role')}/` });
    await store.save('w', snapshot({ a: { ok: true, value: 1 } }));
    await store.save('w', snapshot({ a: { ok: true, value: 1 }, b: { ok: true, value: 2 } }));   // a delta
    assert.deepEqual(Object.keys((await store.load('w')).steps).sort(), ['a', 'b']);
    assert.deepEqual((await store.list()).map((r) => r.id), ['w']);
    const { ownerToken } = await store.tryAcquire('w', { ttlMs: 60000 });
    assert.equal(await store.renew('w', ownerToken, { ttlMs: 60000 }), true);
    await store.save('w', snapshot({ a: { ok: true, value: 1 }, b: { ok: true, value: 2 }, c: { ok: true, value: 3 } }));
    await store.release('w', ownerToken);
    await store.delete('w');
    assert.equal(await store.load('w'), null);

    const kv = workflowPersistKV({ pool: app, prefix: `${freshId('role-kv')}/` });
    await kv.set('k', 'v', { ttl: 60 });
    await kv.set('k', 'v2');
    assert.equal(await kv.get('k'), 'v2');
    assert.equal(await kv.exists('k'), true);
    assert.deepEqual(await kv.keys('*'), ['k']);
    assert.equal(await kv.delete('k'), true);
});
