// The TypeScript types: types-check.ts uses the store and the KV store as
// awaitly's SnapshotStore, WorkflowLock and durable.run expect; tsc must
// accept it (strict).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

test('the .d.ts fits awaitly 1.35.0\'s types (tsc --strict)', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('tsconfig.json', import.meta.url))], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
});
