// The SnapshotStore: what load returns after each kind of save, when the
// adapter sends a delta and when the whole snapshot, list, ResumeState.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createWorkflow, isResumeState } from 'awaitly/workflow';
import { ok } from 'awaitly';
import { workflowPersist, workflowPersistKV } from 'awaitly-workflow-persist';
import { canonical, freshId, pool, snapshot, spyPool, sql } from './helpers.mjs';

after(() => pool.end());
const step = (v) => ({ ok: true, value: v });

test('every save loads back as it was saved, by delta or whole', async () => {
    const spy = spyPool();
    const store = workflowPersist({ pool: spy });
    const id = freshId('roundtrip');
    const saves = [
        ['wf_save', snapshot({ a: step(1) })],                                     // nothing known yet
        ['wf_merge', snapshot({ a: step(1), b: step({ x: [1, 2] }) })],             // b added
        ['wf_merge', snapshot({ a: step('changed'), b: step({ x: [1, 2] }) })],     // a changed in place
        ['wf_save', snapshot({ b: step({ x: [1, 2] }) })],                          // a removed (a retry)
        ['wf_merge', snapshot({ b: step({ x: [1, 2] }), c: step(null) }, { metadata: { version: 1, lastStepKey: 'c', extra: 'e' } })],
        ['wf_save', snapshot({ b: step({ x: [1, 2] }), c: step(null) })],           // metadata key "extra" removed
        ['wf_save', snapshot({ b: step(2) }, { warnings: [{ type: 'lossy_value', stepId: 'b', path: 'value', reason: 'non-json' }] })],
        ['wf_save', snapshot({ b: step(2), d: step(4) })],                          // after warnings: whole again
        ['wf_merge', snapshot({ b: step(2), d: step(4), e: step(5) })],
    ];
    for (const [fn, snap] of saves) {
        spy.calls.length = 0;
        await store.save(id, snap);
        assert.deepEqual(spy.calls.map((c) => c.fn), [fn], `${Object.keys(snap.steps)}`);
        assert.equal(canonical((await sql('SELECT workflow_persist.wf_load($1) AS d', [id]))[0].d), canonical(snap));
    }
    assert.equal(canonical(await store.load(id)), canonical(saves.at(-1)[1]));
    await store.close();
});

test('a write by someone else makes the delta fail (40001) and the whole snapshot go', async () => {
    const spy = spyPool();
    const store = workflowPersist({ pool: spy });
    const id = freshId('conflict');
    await store.save(id, snapshot({ a: step(1) }));
    await store.save(id, snapshot({ a: step(1), b: step(2) }));
    await sql(`SELECT workflow_persist.wf_save_step($1, 'b', '{"ok": true, "value": "theirs"}')`, [id]);
    spy.calls.length = 0;
    const mine = snapshot({ a: step(1), b: step(2), c: step(3) });
    await store.save(id, mine);
    assert.deepEqual(spy.calls.map((c) => c.fn), ['wf_merge', 'wf_save']);
    assert.equal(canonical((await sql('SELECT workflow_persist.wf_load($1) AS d', [id]))[0].d), canonical(mine));
    // the version is known again: the next save is a delta
    spy.calls.length = 0;
    await store.save(id, snapshot({ a: step(1), b: step(2), c: step(3), d: step(4) }));
    assert.deepEqual(spy.calls.map((c) => c.fn), ['wf_merge']);
    // after a load (someone may have written) the next save is whole
    await store.load(id);
    spy.calls.length = 0;
    await store.save(id, snapshot({ a: step(1), b: step(2), c: step(3), d: step(4), e: step(5) }));
    assert.deepEqual(spy.calls.map((c) => c.fn), ['wf_save']);
    await store.close();
});

test('workflowName survives delta saves', async () => {
    const store = workflowPersist({ pool });
    const id = freshId('name');
    await store.save(id, snapshot({ a: step(1) }, { workflowName: id }));
    const last = snapshot({ a: step(1), b: step(2) }, { workflowName: id });
    await store.save(id, last);
    assert.equal(canonical(await store.load(id)), canonical(last));
});

test('load of an unknown id is null, delete removes, prefix keeps stores apart', async () => {
    const a = workflowPersist({ pool, prefix: 'tenant-a/' });
    const b = workflowPersist({ pool, prefix: 'tenant-b/' });
    const id = freshId('prefix');
    assert.equal(await a.load(id), null);
    await a.save(id, snapshot({ x: step('a') }));
    assert.equal(await b.load(id), null);
    assert.deepEqual((await a.load(id)).steps, { x: step('a') });
    assert.deepEqual(await sql('SELECT workflow_persist.wf_exists($1) AS e', [`tenant-a/${id}`]), [{ e: true }]);
    await a.delete(id);
    assert.equal(await a.load(id), null);
    await a.delete(id);   // deleting what is not there is no error
});

test('list: newest first, prefix and limit, ids without the store prefix', async () => {
    const tag = freshId('list');
    const store = workflowPersist({ pool, prefix: `${tag}/` });
    for (const id of ['o-1', 'o-2', 'o-3', 'p-1', 'o-4']) await store.save(id, snapshot({ s: step(id) }));
    const all = await store.list();
    assert.deepEqual(all.map((r) => r.id), ['o-4', 'p-1', 'o-3', 'o-2', 'o-1']);
    for (const r of all) assert.equal(new Date(r.updatedAt).toISOString(), r.updatedAt);
    assert.deepEqual((await store.list({ prefix: 'o-', limit: 2 })).map((r) => r.id), ['o-4', 'o-3']);
    assert.deepEqual((await store.list({ prefix: 'o-', limit: 10 })).map((r) => r.id), ['o-4', 'o-3', 'o-2', 'o-1']);
    assert.deepEqual((await store.list({ prefix: 'p-' })).map((r) => r.id), ['p-1']);
    assert.deepEqual(await store.list({ prefix: 'q-' }), []);
});

test('a ResumeState saved is a ResumeState loaded', async () => {
    const store = workflowPersist({ pool });
    const id = freshId('resume');
    const workflow = createWorkflow('resume', {});
    const { resumeState } = await workflow.runWithState(async ({ step: s }) => {
        await s('first', async () => ok({ n: 1 }), { key: 'first' });
        await s('second', async () => ok([2, 'two']), { key: 'second' });
        return 'done';
    });
    await store.save(id, resumeState);
    const loaded = await store.loadResumeState(id);
    assert.ok(isResumeState(loaded));
    assert.deepEqual([...loaded.steps.keys()], ['first', 'second']);
    assert.deepEqual([...loaded.steps.values()].map((e) => e.result), [...resumeState.steps.values()].map((e) => e.result));
});

test('namespaces keep one id apart', async () => {
    const id = freshId('ns');
    const a = workflowPersist({ pool, namespace: 'ns-a' });
    const b = workflowPersist({ pool, namespace: 'ns-b' });
    await a.save(id, snapshot({ s: step('a') }));
    await b.save(id, snapshot({ s: step('b') }));
    assert.deepEqual((await a.load(id)).steps.s, step('a'));
    assert.deepEqual((await b.load(id)).steps.s, step('b'));
    assert.deepEqual((await a.list({ prefix: id })).map((r) => r.id), [id]);
    const [ka, kb] = [workflowPersistKV({ pool, namespace: 'ns-a' }), workflowPersistKV({ pool, namespace: 'ns-b' })];
    await ka.set(`${id}:k`, 'in a', { ttl: 60 });
    assert.equal(await ka.get(`${id}:k`), 'in a');
    assert.equal(await kb.exists(`${id}:k`), false);
    assert.deepEqual(await ka.keys(`${id}:*`), [`${id}:k`]);
    assert.equal(await kb.delete(`${id}:k`), false);
});
