// The KeyValueStore: values kept exactly, ttl in seconds done by the
// extension (an expired key is invisible at once, its rows stay until the
// cleanup), glob patterns.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ok } from 'awaitly';
import { createWorkflow, serializeResumeState } from 'awaitly/workflow';
import { workflowPersistKV } from 'awaitly-workflow-persist';
import { freshId, pool, sql } from './helpers.mjs';

after(() => pool.end());

test('get, set, exists, delete keep the value exactly', async () => {
    const kv = workflowPersistKV({ pool, prefix: `${freshId('kv')}/` });
    const { resumeState } = await createWorkflow('kv', {}).runWithState(async ({ step }) => {
        await step('a', async () => ok({ n: 1.50, s: 'é ☃ "q" \\ \n' }), { key: 'a' });
        return 1;
    });
    const value = JSON.stringify(serializeResumeState(resumeState));
    assert.equal(await kv.get('workflow:state:wf-1'), null);
    assert.equal(await kv.exists('workflow:state:wf-1'), false);
    await kv.set('workflow:state:wf-1', value);
    assert.equal(await kv.get('workflow:state:wf-1'), value);
    assert.equal(await kv.exists('workflow:state:wf-1'), true);
    await kv.set('workflow:state:wf-1', 'not JSON at all {');
    assert.equal(await kv.get('workflow:state:wf-1'), 'not JSON at all {');
    assert.equal(await kv.delete('workflow:state:wf-1'), true);
    assert.equal(await kv.delete('workflow:state:wf-1'), false);
    assert.equal(await kv.get('workflow:state:wf-1'), null);
});

test('keys: globs, the store prefix taken off', async () => {
    const kv = workflowPersistKV({ pool, prefix: `${freshId('keys')}*/` });   // a glob character in the prefix is literal
    for (const k of ['workflow:state:a1', 'workflow:state:a2', 'workflow:state:b1', 'other:x', 'lit[1]']) await kv.set(k, k);
    const sorted = async (p) => (await kv.keys(p)).sort();
    assert.deepEqual(await sorted('workflow:state:*'), ['workflow:state:a1', 'workflow:state:a2', 'workflow:state:b1']);
    assert.deepEqual(await sorted('*:a?'), ['workflow:state:a1', 'workflow:state:a2']);
    assert.deepEqual(await sorted('workflow:state:[ab]1'), ['workflow:state:a1', 'workflow:state:b1']);
    assert.deepEqual(await sorted('workflow:state:[^a]*'), ['workflow:state:b1']);
    assert.deepEqual(await sorted('lit\\[1]'), ['lit[1]']);
    assert.deepEqual(await sorted('other:x'), ['other:x']);
    assert.deepEqual(await sorted('other:.'), [], '. is no wildcard');
    assert.equal((await kv.keys('*')).length, 5);
});

test('a key set with a ttl expires on the server\'s clock; set without one clears it', async () => {
    const prefix = `${freshId('ttl')}/`;
    const kv = workflowPersistKV({ pool, prefix });
    await kv.set('short', 'v1', { ttl: 1 });
    await kv.set('long', 'v2', { ttl: 3600 });
    await kv.set('cleared', 'v3', { ttl: 1 });
    await kv.set('cleared', 'v3 again');   // no ttl: no expiry any more
    const expiry = async (k) => (await sql('SELECT expires_at FROM workflow_persist.wf_info($1)', [prefix + k]))[0].expires_at;
    const [short, long] = [await expiry('short'), await expiry('long')];
    assert.equal(await expiry('cleared'), null);
    assert.ok(long - short > 3590 * 1000, 'the ttls are 3600 s and 1 s');
    assert.equal(await kv.get('short'), 'v1');
    // wait until the server's clock has passed the expiry
    while (!(await sql('SELECT clock_timestamp() > $1 AS past', [short]))[0].past) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await kv.get('short'), null);
    assert.equal(await kv.exists('short'), false);
    assert.deepEqual((await kv.keys('*')).sort(), ['cleared', 'long']);
    assert.equal(await kv.get('cleared'), 'v3 again');
    // invisible, not deleted: the rows wait for the cleanup
    assert.deepEqual(await sql('SELECT count(*)::int AS n FROM workflow_persist.wf_workflow WHERE id = $1', [prefix + 'short']), [{ n: 1 }]);
    assert.equal(await kv.delete('short'), false, 'an expired key is gone for delete too');
    await kv.set('short', 'new');   // a write to an expired key starts afresh
    assert.equal(await kv.get('short'), 'new');
    assert.equal(await expiry('short'), null);
});
