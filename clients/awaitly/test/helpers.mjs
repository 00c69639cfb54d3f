// Shared by the tests: a pool on the test server (the PG* environment,
// set by scripts/clients-test.sh), ids no other test uses, a spy on the
// statements a store sends, child processes, and documents compared as
// jsonb compares them.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const pool = new pg.Pool({ max: 4 });
let n = 0;
export const freshId = (what) => `test:${what}:${process.pid}:${Date.now()}:${++n}`;
export const sql = async (text, params = []) => (await pool.query(text, params)).rows;

// a pool that records the workflow_persist function each statement calls, and its parameters
export function spyPool() {
    const calls = [];
    return {
        calls,
        query(text, params) {
            calls.push({ fn: text.match(/wf_[a-z_]+/)?.[0], params });
            return pool.query(text, params);
        },
        end: async () => {},
    };
}

// Recursively key-sorted JSON (jsonb sorts keys; undefined members vanish as in JSON)
export function canonical(v) {
    if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
    if (v !== null && typeof v === 'object') {
        return '{' + Object.keys(v).filter((k) => v[k] !== undefined).sort()
            .map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
    }
    return JSON.stringify(v);
}

// A node child running fixtures/<name>; lines() yields what it prints, one line at a time.
export function child(name, args, env = {}) {
    const proc = spawn(process.execPath, [fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)), ...args],
        { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    return { proc, exited, next: async () => (await lines.next()).value, send: (line) => proc.stdin.write(line + '\n') };
}

export function snapshot(steps, extra = {}) {
    return {
        formatVersion: 1,
        steps,
        execution: { status: 'running', lastUpdated: new Date().toISOString(), currentStepId: Object.keys(steps).at(-1) },
        metadata: { version: 1, lastStepKey: Object.keys(steps).at(-1) },
        ...extra,
    };
}
