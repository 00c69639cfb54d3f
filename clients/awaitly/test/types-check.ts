// Compiled (not run) by types.test.mjs: the package's types fit awaitly's.
import { ok } from 'awaitly';
import { durable, type WorkflowLock } from 'awaitly/durable';
import type { SnapshotStore, WorkflowSnapshot } from 'awaitly/persistence';
import { createWorkflow, type ResumeState } from 'awaitly/workflow';
import pg from 'pg';
import { workflowPersist, workflowPersistKV, type KeyValueStore } from 'awaitly-workflow-persist';

export async function check(): Promise<void> {
    const store = workflowPersist({ connectionString: 'postgresql://localhost/app', namespace: 'orders', prefix: 'o:' });
    const asStore: SnapshotStore = store;
    const locking = workflowPersist({ pool: new pg.Pool(), lock: true });
    const asLock: WorkflowLock = locking;
    const result = await durable.run({}, async ({ step }) => {
        const n = await step('one', async () => ok(1), { key: 'one' });
        return n + 1;
    }, { id: 'order-1', store: locking });
    if (result.ok) { const two: number = result.value; void two; }

    const { resumeState } = await createWorkflow('w', {}).runWithState(async () => 1);
    await store.save('r-1', resumeState);
    const back: ResumeState | null = await store.loadResumeState('r-1');
    const snap: WorkflowSnapshot | null = await store.load('order-1');
    const items: Array<{ id: string; updatedAt: string }> = await store.list({ prefix: 'o', limit: 10 });

    const kv: KeyValueStore = workflowPersistKV({ prefix: 'kv:' });
    await kv.set('k', 'v', { ttl: 60 });
    const v: string | null = await kv.get('k');
    const gone: boolean = await kv.delete('k');
    const keys: string[] = await kv.keys('k*');
    void [asStore, asLock, back, snap, items, v, gone, keys];
    await store.close();
}
