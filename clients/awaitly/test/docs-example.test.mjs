// docs/clients.md's complete example runs as shown and prints what the page shows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

test('docs/clients.md: the complete example', () => {
    const page = readFileSync(new URL('../../../docs/clients.md', import.meta.url), 'utf8');
    const [, code, output] = page.match(/<!-- clients\.md: example -->\n```js\n([\s\S]*?)```\n```\n([\s\S]*?)```/);
    // inside the package, so that its imports resolve as in a user's project
    const file = fileURLToPath(new URL(`docs-example-${process.pid}.mjs`, import.meta.url));
    writeFileSync(file, code);
    try {
        const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, output);
    } finally {
        rmSync(file);
    }
});

test('docs/clients.md: the line counts are the adapter\'s', () => {
    const page = readFileSync(new URL('../../../docs/clients.md', import.meta.url), 'utf8');
    const code = (text) => text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//')).length;
    const source = (f) => readFileSync(new URL(`../src/${f}`, import.meta.url), 'utf8');
    const count = (f) => code(source(f));
    const lock = code(source('store.js').slice(source('store.js').indexOf('if (!lock) return store;')));
    const n = Object.fromEntries(['store.js', 'kv.js', 'db.js', 'index.js', 'index.d.ts'].map((f) => [f, count(f)]));
    const total = n['store.js'] + n['kv.js'] + n['db.js'] + n['index.js'];
    const said = page.replace(/\s+/g, ' ');
    assert.ok(said.includes(`${total} lines of code`), `total ${total}`);
    assert.ok(said.includes(`WorkflowLock\`, with the delta writes) is ${n['store.js']}, the \`WorkflowLock\` part ${lock} of them,`),
        `store.js ${n['store.js']}, the lock ${lock}`);
    assert.ok(said.includes(`(\`KeyValueStore\`) ${n['kv.js']},`), `kv.js ${n['kv.js']}`);
    assert.ok(said.includes(`shared) ${n['db.js']} and \`index.js\` ${n['index.js']}`), `db.js ${n['db.js']}`);
    assert.ok(said.includes(`(\`index.d.ts\`) are ${n['index.d.ts']} more`), `index.d.ts ${n['index.d.ts']}`);
});
