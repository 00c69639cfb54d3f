// awaitly's durable.run (1.35.0, from npm) through the adapter: a process
// killed with SIGKILL after step k resumes without running steps 1..k again;
// the steps after the first go to the server as deltas.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ok } from 'awaitly';
import { durable } from 'awaitly/durable';
import { workflowPersist } from 'awaitly-workflow-persist';
import { child, freshId, pool, spyPool, sql } from './helpers.mjs';

after(() => { rmSync(dir, { recursive: true, force: true }); return pool.end(); });
const dir = mkdtempSync(path.join(tmpdir(), 'awaitly-wfp-'));
const executed = (log) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);

test('a run killed with SIGKILL after step k resumes at step k+1', async () => {
    const id = freshId('crash');
    const [n, k] = [12, 7];
    const log = path.join(dir, 'crash.log');

    const first = child('durable-child.mjs', [id, String(n), `crash:${k}`, log]);
    assert.equal(await first.next(), `persisted ${k}`);
    first.proc.kill('SIGKILL');
    assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' });
    assert.deepEqual(executed(log), [1, 2, 3, 4, 5, 6, 7]);
    const [stored] = await sql('SELECT workflow_persist.wf_load($1) AS doc', [id]);
    assert.deepEqual(Object.keys(stored.doc.steps).sort(), Array.from({ length: k }, (_, i) => `step-${i + 1}`).sort());
    assert.equal(stored.doc.metadata.lastStepKey, `step-${k}`);

    const second = child('durable-child.mjs', [id, String(n), 'run', log]);
    const result = JSON.parse(await second.next());
    assert.deepEqual(await second.exited, { code: 0, signal: null });
    assert.deepEqual(result, { ok: true, value: Array.from({ length: n }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b) });
    assert.deepEqual(executed(log), Array.from({ length: n }, (_, i) => i + 1), 'steps 1..k ran once, k+1..n once');
    // durable.run deletes a workflow that completed
    assert.deepEqual(await sql('SELECT workflow_persist.wf_exists($1) AS e', [id]), [{ e: false }]);
});

test('with the lock, a crashed run holds its id until its lease expires, then resumes', async () => {
    const id = freshId('crash-lock');
    const log = path.join(dir, 'crash-lock.log');
    const env = { WFP_TEST_LOCK: '1', WFP_TEST_LOCK_TTL_MS: '1500' };
    const first = child('durable-child.mjs', [id, '5', 'crash:2', log], env);
    assert.equal(await first.next(), 'persisted 2');
    first.proc.kill('SIGKILL');
    await first.exited;
    const early = child('durable-child.mjs', [id, '5', 'run', log], env);
    assert.equal(JSON.parse(await early.next()).error?.type, 'CONCURRENT_EXECUTION', 'the dead run\'s lease still holds');
    await early.exited;
    // wait until the server's clock has passed the dead run's lease
    const expired = async () => (await sql(`SELECT lease_expires_at < clock_timestamp() AS e
                                              FROM workflow_persist.wf_workflow WHERE id = $1`, [id]))[0].e;
    while (!(await expired())) await new Promise((r) => setTimeout(r, 100));
    const second = child('durable-child.mjs', [id, '5', 'run', log], env);
    assert.deepEqual(JSON.parse(await second.next()), { ok: true, value: 1 + 4 + 9 + 16 + 25 });
    await second.exited;
    assert.deepEqual(executed(log), [1, 2, 3, 4, 5]);
});

test('durable.run sends one whole snapshot, then one delta per step', async () => {
    const spy = spyPool();
    const store = workflowPersist({ pool: spy });
    const id = freshId('deltas');
    const result = await durable.run({}, async ({ step }) => {
        for (let i = 1; i <= 20; i++) await step(`s${i}`, async () => ok({ i, text: 'x'.repeat(100) }), { key: `s-${i}` });
        return 'done';
    }, { id, store });
    assert.deepEqual(result, { ok: true, value: 'done' });
    const writes = spy.calls.filter((c) => c.fn === 'wf_save' || c.fn === 'wf_merge');
    assert.deepEqual(writes.map((c) => c.fn), ['wf_save', ...Array(19).fill('wf_merge')]);
    writes.slice(1).forEach((c, i) => {
        assert.deepEqual(Object.keys(JSON.parse(c.params[1]).steps), [`s-${i + 2}`], 'only the new step is sent');
        assert.equal(c.params[3], i + 1, 'fenced by the version last written');
    });
    assert.deepEqual(spy.calls.at(-1).fn, 'wf_delete');
    await store.close();
});
