// WorkflowLock on the extension's leases: two processes running durable.run
// on one id, tryAcquire/renew/release, and a save fenced by the lease.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { workflowPersist } from 'awaitly-workflow-persist';
import { child, freshId, pool, snapshot, sql } from './helpers.mjs';

after(() => { rmSync(dir, { recursive: true, force: true }); return pool.end(); });
const dir = mkdtempSync(path.join(tmpdir(), 'awaitly-wfp-lock-'));
const step = (v) => ({ ok: true, value: v });

test('two processes: the second durable.run of an id is refused while the first holds it', async () => {
    const id = freshId('contend');
    const log = path.join(dir, 'contend.log');
    // a run that crashed earlier left the workflow behind (a fresh id: the last test)
    await workflowPersist({ pool }).save(id, snapshot({ 'step-0': step('from before') }));

    const holder = child('durable-child.mjs', [id, '3', 'hold', log]);
    assert.equal(await holder.next(), 'holding');
    const other = child('durable-child.mjs', [id, '3', 'hold', log]);
    const refused = JSON.parse(await other.next());
    assert.deepEqual(await other.exited, { code: 0, signal: null });
    assert.equal(refused.ok, false);
    assert.equal(refused.error.type, 'CONCURRENT_EXECUTION');
    assert.equal(refused.error.reason, 'cross-process');

    holder.send('go');
    holder.proc.stdin.end();
    assert.equal(JSON.parse(await holder.next()).ok, true);
    assert.deepEqual(await holder.exited, { code: 0, signal: null });
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['1', '2', '3'], 'only the holder ran the steps');
    assert.deepEqual(await sql('SELECT count(*)::int AS n FROM workflow_persist.wf_workflow WHERE id = $1', [id]), [{ n: 0 }]);
});

test('tryAcquire, renew and release on a workflow', async () => {
    const id = freshId('lease');
    const a = workflowPersist({ pool, lock: true });
    const b = workflowPersist({ pool, lock: true });
    await a.save(id, snapshot({ s: step(1) }));
    const { ownerToken } = await a.tryAcquire(id, { ttlMs: 60000 });
    assert.equal(await b.tryAcquire(id, { ttlMs: 60000 }), null, 'held by another store');
    assert.equal(await b.renew(id, 'not-the-token', { ttlMs: 60000 }), false);
    assert.equal(await a.renew(id, ownerToken, { ttlMs: 60000 }), true);
    await b.release(id, 'not-the-token');   // ignored: not the current lease
    assert.equal(await b.tryAcquire(id), null);
    await a.release(id, ownerToken);
    assert.equal(await a.renew(id, ownerToken), false, 'released');
    assert.ok((await b.tryAcquire(id)).ownerToken);
});

test('a store whose lease was taken over cannot save', async () => {
    const id = freshId('fence');
    const a = workflowPersist({ pool, lock: true });
    const b = workflowPersist({ pool, lock: true });
    await a.save(id, snapshot({ s: step(1) }));
    const { ownerToken } = await a.tryAcquire(id);
    await a.save(id, snapshot({ s: step(1), t: step(2) }));   // under the lease
    await sql('SELECT workflow_persist.wf_lease_release($1, $2)', [id, ownerToken]);   // as if it expired
    assert.ok(await b.tryAcquire(id));
    await assert.rejects(a.save(id, snapshot({ s: step(1), t: step(2), u: step(3) })), { code: '55P03' });
    assert.deepEqual(Object.keys((await b.load(id)).steps).sort(), ['s', 't']);
});

test('a fresh id is locked before its first save', async () => {
    const id = freshId('placeholder');
    const a = workflowPersist({ pool, lock: true });
    const b = workflowPersist({ pool, lock: true });
    const { ownerToken } = await a.tryAcquire(id, { ttlMs: 60000 });
    assert.equal(await b.tryAcquire(id, { ttlMs: 60000 }), null);
    assert.equal(await b.load(id), null, 'a placeholder is no workflow');
    await a.release(id, ownerToken);
    assert.deepEqual(await sql('SELECT count(*)::int AS n FROM workflow_persist.wf_workflow WHERE id = $1', [id]), [{ n: 0 }]);
    assert.ok(await b.tryAcquire(id));
});
