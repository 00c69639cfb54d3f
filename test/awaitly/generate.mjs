#!/usr/bin/env node
// test/awaitly/generate.mjs: differential conformance corpus against awaitly.
//
// Generates, from a fixed seed, a few thousand JSON documents (snapshots,
// near-snapshots, junk) and (base, delta) pairs as JSON *text*, runs
// awaitly 1.35.0's own validateSnapshot / looksLikeWorkflowSnapshot /
// assertValidSnapshot / mergeSnapshots on JSON.parse of that text, and
// writes test/awaitly/corpus.tsv, which sql/snapshot_conformance.sql loads
// and replays against the extension.  See README.md next to this file.
//
// Usage:  AWAITLY_DIR=/path/to/unpacked/awaitly/package node generate.mjs
//
// The expected results are awaitly's, with exactly two adjustments, both
// required by the contract (shared spec, snapshot-format.md):
//
//  (a) Step order.  awaitly reports steps in JavaScript's property order
//      (integer-like keys ascending first, then insertion order); our
//      contract is jsonb key order (shorter key first, then bytewise on
//      UTF-8), the order a stored snapshot is read back in.  The script
//      asks awaitly for each step's messages separately, checks that their
//      concatenation in JS order is exactly awaitly's list, and then
//      re-emits the per-step groups in jsonb order.  Nothing else moves.
//
//  (b) Merge refusals.  Where the spec says we refuse a merge but awaitly
//      would not throw (it spreads an array or a string into index keys,
//      or silently treats a falsy scalar as absent: non-object root, steps,
//      delta execution or metadata; non-array warnings; non-object
//      warnings entries), the expected result is "error" and the row's
//      note says why.  Where awaitly throws, the spec always refuses too
//      (checked).
//
// Also avoided rather than adjusted: numbers JSON.stringify cannot round-
// trip (Infinity, integers beyond 2^53, long decimals) in anything a merge
// copies; strings jsonb cannot hold (\u0000, lone surrogates); objects with
// an own "toString"/"valueOf" key where awaitly would render them with
// String() (JavaScript then throws "Cannot convert object to primitive
// value", whereas the spec says such an object prints "[object Object]";
// sql/snapshot_validate.sql and sql/snapshot_merge.sql cover that case by hand).
//
// Output: one row per case, tab-separated, PostgreSQL COPY text format
// (backslash, tab, newline and carriage return escaped):
//   id  kind  input  input2  expected  note
// kind "snapshot": input is a document, input2 \N, expected is
//   {"errors": [...], "looksLike": bool} (errors in jsonb step order).
// kind "merge": input/input2 are base/delta, expected is
//   {"result": <merged>} or {"error": "<why>"}.

import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AWAITLY_DIR = process.env.AWAITLY_DIR ||
	path.join(HERE, 'node_modules', 'awaitly');
const OUT = process.env.CORPUS_OUT || path.join(HERE, 'corpus.tsv');
const SEED = Number(process.env.SEED || 20240611);
const N_SNAPSHOTS = Number(process.env.N_SNAPSHOTS || 2200);
const N_MERGES = Number(process.env.N_MERGES || 900);

const pkg = JSON.parse(readFileSync(path.join(AWAITLY_DIR, 'package.json'), 'utf8'));
if (pkg.name !== 'awaitly' || pkg.version !== '1.35.0')
	throw new Error(`need awaitly 1.35.0 in ${AWAITLY_DIR}, found ${pkg.name} ${pkg.version}`);
const aw = await import(pathToFileURL(path.join(AWAITLY_DIR, 'dist', 'persistence.js')).href);

// ---------------------------------------------------------------------------
// Deterministic randomness (mulberry32)
// ---------------------------------------------------------------------------
let rngState = SEED >>> 0;
function rand() {
	rngState = (rngState + 0x6D2B79F5) >>> 0;
	let t = rngState;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rand() * a.length)];
const chance = (p) => rand() < p;
// weighted choice: [[weight, value-or-thunk], ...]
function weighted(options) {
	const total = options.reduce((s, [w]) => s + w, 0);
	let r = rand() * total;
	for (const [w, v] of options) {
		if ((r -= w) < 0)
			return typeof v === 'function' ? v() : v;
	}
	const last = options[options.length - 1][1];
	return typeof last === 'function' ? last() : last;
}

// ---------------------------------------------------------------------------
// JSON text builder.  Values are plain JS scalars, or
//   raw(text)            a literal written as is (number spellings, etc.)
//   obj([[k, v], ...])   an object, keys in this order, duplicates allowed
//   arr([v, ...])        an array
// ---------------------------------------------------------------------------
const raw = (s) => ({ $raw: s });
const obj = (pairs) => ({ $obj: pairs });
const arr = (items) => ({ $arr: items });

let wsChance = 0;
const ws = () => (wsChance && chance(wsChance) ? pick([' ', '\n', '  ', '\t', '\r\n']) : '');

function emit(v) {
	if (v === null || typeof v === 'boolean')
		return String(v);
	if (typeof v === 'number') {
		if (!Number.isFinite(v))
			throw new Error('non-finite number in builder');
		return JSON.stringify(v);
	}
	if (typeof v === 'string')
		return JSON.stringify(v);
	if (v.$raw !== undefined)
		return v.$raw;
	if (v.$arr)
		return '[' + ws() + v.$arr.map((x) => emit(x) + ws()).join(',' + ws()) + ']';
	if (v.$obj)
		return '{' + ws() + v.$obj.map(([k, x]) => JSON.stringify(k) + ws() + ':' + ws() + emit(x) + ws()).join(',' + ws()) + '}';
	throw new Error('bad builder value');
}

// ---------------------------------------------------------------------------
// Pools of awkward pieces
// ---------------------------------------------------------------------------
const KEY_POOL = [
	'a', 'b', 'c', 'ab', 'fetch', 'fetchUser', 'step-1', 'user:42', 'hook:h-1',
	'approve', 'charge', 'ship', '0', '1', '2', '9', '10', '11', '99', '100',
	'01', '-1', '1.5', '1e3', ' 1', '4294967294', '4294967295', '9007199254740993',
	'a"b', '"', '""', 'a\\b', '\\', 'line\nbreak', 'tab\there', 'cr\rx', '\u0001',
	'😀', '😀x', 'x😀', 'é', 'e\u0301', '日本語', 'Ω', '\u00a0', '', ' ', '  ',
	'__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'length',
	'%s', '%d %n %%', '{}', 'steps["x"]', 'null', 'undefined', 'true',
	'[object Object]', 'ok', 'error', 'cause', 'value', 'status',
];
// keys safe where awaitly would String() the object holding them
const RENDER_UNSAFE_KEYS = new Set(['toString', 'valueOf']);

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:. ';
const UNI = ['é', 'ß', 'Ω', '日', '本', '😀', '🎉', '\u200b', 'ñ', '€', '\u2028', '"', '\\', '\n', '\t', '/'];

function randomString(max = 8) {
	const n = int(0, max);
	let s = '';
	for (let i = 0; i < n; i++)
		s += chance(0.15) ? pick(UNI) : ALPHABET[int(0, ALPHABET.length - 1)];
	return s;
}
function randomKey() {
	return chance(0.6) ? pick(KEY_POOL) : randomString(10);
}

// Numbers spelled every which way.  "safe" ones survive JSON.parse ->
// JSON.stringify -> jsonb with the same numeric value.
function safeNumber() {
	return weighted([
		[4, () => raw(String(int(-1000, 1000)))],
		[2, () => raw(pick(['0', '-0', '1', '1.0', '1.50', '2.5', '-3.25', '1e2', '1E2', '1e+2', '25e-1', '0.5', '100', '0.125']))],
		[2, () => raw((int(-99999, 99999) / 100).toString())],
		[1, () => raw(String(int(0, 2 ** 31)))],
	]);
}
function anyNumber() {
	return weighted([
		[3, safeNumber],
		[2, () => raw(randomDecimalText())],
		[1, () => raw(pick(['1e400', '-1e400', '1e-400', '5e-324', '2e-324', '1.7976931348623157e308',
			'1.7976931348623159e308', '123456789012345678901234567890', '9007199254740993',
			'0.1000000000000000055511151231257827', '1e21', '1e-7', '0.0000001', '-0.0']))],
	]);
}
function randomDecimalText() {
	let s = chance(0.3) ? '-' : '';
	const intDigits = int(1, 22);
	s += String(int(chance(0.2) ? 0 : 1, 9));
	if (s.endsWith('0') && s.length <= 2) {
		// "0" may only be followed by a fraction or exponent
	} else {
		for (let i = 1; i < intDigits; i++)
			s += String(int(0, 9));
	}
	if (chance(0.6)) {
		s += '.';
		const f = int(1, 20);
		for (let i = 0; i < f; i++)
			s += String(int(0, 9));
	}
	if (chance(0.5))
		s += pick(['e', 'E']) + pick(['', '+', '-']) + String(int(0, 330));
	return s;
}
// a random double rendered by JS itself in one of its notations
// a random double, from random bits or a power of two, as JS prints it
function randomDoubleText() {
	if (chance(0.3)) {
		const f = new Float64Array(1);
		const u = new BigUint64Array(f.buffer);
		f[0] = 2 ** int(-1074, 1023);
		u[0] += BigInt(int(-1, 1));
		return raw(String(f[0]));
	}
	const f = new Float64Array(1);
	const w = new Uint32Array(f.buffer);
	do {
		w[0] = int(0, 2 ** 32 - 1);
		w[1] = int(0, 2 ** 32 - 1);
	} while (!Number.isFinite(f[0]));
	return raw(String(f[0]));
}
function jsRenderedNumber() {
	const x = (rand() - 0.5) * 10 ** int(-25, 25);
	return raw(weighted([
		[2, () => String(x)],
		[1, () => x.toExponential(int(0, 16))],
		[1, () => x.toPrecision(int(1, 21))],
	]));
}

function randomScalar(safe) {
	return weighted([
		[3, () => randomString()],
		[3, () => (safe ? safeNumber() : anyNumber())],
		[1, true], [1, false], [1, null],
		[1, () => pick(['', 'true', '1', 'null', 'undefined', '[object Object]', 'running', '2024-01-01T00:00:00.000Z'])],
	]);
}

// random JSON value; renderSafe avoids own toString/valueOf keys
function randomValue(depth, safe, renderSafe = false) {
	if (depth <= 0 || chance(0.45))
		return randomScalar(safe);
	if (chance(0.5)) {
		const n = int(0, 3);
		const items = [];
		for (let i = 0; i < n; i++)
			items.push(randomValue(depth - 1, safe, renderSafe));
		return arr(items);
	}
	const n = int(0, 3);
	const pairs = [];
	for (let i = 0; i < n; i++) {
		let k = randomKey();
		if (renderSafe && RENDER_UNSAFE_KEYS.has(k))
			k = 'k' + i;
		pairs.push([k, randomValue(depth - 1, safe, renderSafe)]);
	}
	return obj(pairs);
}

function deepValue(depth, safe) {
	// a long chain of arrays or objects, with a leaf at the bottom
	let v = randomScalar(safe);
	const kind = pick(['arr', 'obj', 'mix']);
	for (let i = 0; i < depth; i++) {
		const useArr = kind === 'arr' || (kind === 'mix' && i % 2 === 0);
		v = useArr ? arr([v]) : obj([['d', v]]);
	}
	return v;
}

const ISO_GOOD = ['2024-01-01T00:00:00.000Z', '2026-11-22T10:00:05.123Z', '1970-01-01T00:00:00Z',
	'2024-02-29T23:59:59.999+05:30', '+275760-09-13T00:00:00.000Z'];
const ISO_ODD = ['', 'garbage', 'yesterday', '2024-02-30T00:00:00Z', '2024-01-01', '2024-01-01 00:00:00',
	'1700000000000', '2024-13-01T00:00:00Z', 'T', ' '];

// ---------------------------------------------------------------------------
// Snapshot pieces
// ---------------------------------------------------------------------------
// Merge cases copy step values whole; smaller values keep the corpus small.
let LEAN = false;

function serializedCause(depth = 0) {
	if (LEAN)
		return obj([['type', 'error'], ['name', 'Error'], ['message', randomString(6)]]);
	if (chance(0.5)) {
		const pairs = [['type', 'error'], ['name', pick(['Error', 'TypeError', 'CardError'])],
			['message', randomString(8)]];
		if (chance(0.3))
			pairs.push(['stack', 'Error: x\n  at f']);
		if (depth < 3 && chance(0.25))
			pairs.push(['cause', serializedCause(depth + 1)]);
		return obj(pairs);
	}
	const pairs = [['type', 'thrown'], ['originalType', pick(['string', 'number', 'Object', 'null'])],
		['stringRepresentation', randomString(8)]];
	if (chance(0.5))
		pairs.push(['value', randomValue(1, true)]);
	if (chance(0.2))
		pairs.push(['truncated', true]);
	return obj(pairs);
}

function errorValue(safe) {
	return weighted([
		[3, () => randomString(10)],
		[2, () => obj([['type', 'PENDING_APPROVAL'], ['stepKey', randomKey()], ['reason', randomString(8)]])],
		[1, () => obj([['type', 'APPROVAL_REJECTED'], ['stepKey', randomKey()]])],
		[1, () => obj([['type', 'PENDING_HOOK'], ['hookId', 'h-' + int(1, 99)]])],
		[2, () => randomValue(LEAN ? 1 : 2, safe)],
	]);
}

// one StepResult, valid or broken
function stepValue(mode, safe) {
	const bad = mode === 'valid' ? 0 : mode === 'wild' ? 0.5 : 0.18;
	if (chance(bad)) {
		return weighted([
			[2, null], [1, true], [1, false], [1, () => randomScalar(safe)],
			[1, () => arr([])], [1, () => arr([obj([['ok', true]])])],
			[1, () => arr([randomScalar(safe), randomScalar(safe)])],
			[2, () => obj([['value', randomValue(2, safe)]])],
			[1, () => obj([])],
			[3, () => obj([['ok', pick([raw('"true"'), raw('"false"'), raw('1'), raw('0'), null,
				raw('[]'), raw('{}'), raw('[true]'), raw('"ok"')])], ['value', 1]])],
			[3, () => obj([['ok', false]])],
			[2, () => obj([['ok', false], ['error', errorValue(safe)]])],
			[2, () => obj([['ok', false], ['cause', serializedCause()]])],
			[1, () => obj([['ok', false], ['error', null], ['cause', null]])],
			[1, () => obj([['ok', false], ['error', null]])],
			[1, () => obj([['ok', true], ['ok', 'x']])],		// duplicate: last wins
			[1, () => obj([['ok', 'x'], ['ok', false], ['error', 1], ['cause', 2]])],
			[0.3, () => obj([['ok', true], ['value', deepValue(int(20, 200), safe)]])],
		]);
	}
	if (chance(0.6)) {
		const pairs = [['ok', true]];
		if (chance(0.85))
			pairs.push(['value', randomValue(LEAN ? 1 : 2, safe)]);
		if (chance(0.1))
			pairs.push(['error', 'ignored when ok']);
		return obj(pairs);
	}
	const pairs = [['ok', false], ['error', errorValue(safe)], ['cause', serializedCause()]];
	if (chance(0.8))
		pairs.push(['meta', obj([['origin', pick(['result', 'throw'])]])]);
	if (chance(0.3))
		pairs.reverse();
	return obj(pairs);
}

function stepsValue(mode, safe, keyPool) {
	const shape = mode === 'valid' ? 'object' : weighted([
		[40, 'object'], [2, 'absent'], [2, 'null'], [2, 'scalar'], [3, 'array'], [1, 'emptyArray']]);
	if (shape === 'absent')
		return undefined;
	if (shape === 'null')
		return null;
	if (shape === 'scalar')
		return pick([raw('"steps"'), raw('1'), raw('true'), raw('false'), raw('""'), raw('0')]);
	if (shape === 'emptyArray')
		return arr([]);
	const n = weighted([[10, () => int(0, 3)], [3, () => int(4, 6)], [0.2, () => int(7, 25)]]);
	if (shape === 'array') {
		const items = [];
		for (let i = 0; i < Math.min(n, 14); i++)
			items.push(stepValue(mode, safe));
		return arr(items);
	}
	const pairs = [];
	for (let i = 0; i < n; i++)
		pairs.push([keyPool ? pick(keyPool) : randomKey(), stepValue(mode, safe)]);
	if (mode !== 'valid' && pairs.length && chance(0.08))
		pairs.push([pairs[0][0], stepValue(mode, safe)]);	// duplicate key
	return obj(pairs);
}

function executionValue(mode, safe) {
	const shape = mode === 'valid' ? 'object' : weighted([
		[30, 'object'], [2, 'absent'], [2, 'null'], [2, 'scalar'], [2, 'array']]);
	if (shape === 'absent')
		return undefined;
	if (shape === 'null')
		return null;
	if (shape === 'scalar')
		return pick([raw('"running"'), raw('1'), raw('true'), raw('false'), raw('""')]);
	if (shape === 'array')
		return pick([arr([]), arr(['running', '2024-01-01T00:00:00Z']), arr([obj([['status', 'running']])])]);
	const bad = mode === 'valid' ? 0 : 0.25;
	const pairs = [];
	if (!chance(bad / 2))
		pairs.push(['status', chance(bad) ? pick([null, 'Running', 'running ', '', 'paused', raw('1'),
			raw('true'), arr(['running']), obj([]), 'RUNNING', 'complete']) : pick(['running', 'completed', 'failed'])]);
	if (!chance(bad / 2))
		pairs.push(['lastUpdated', chance(bad) ? pick([null, raw('0'), raw('1700000000000'), raw('true'),
			arr([]), obj([]), arr(['2024'])]) : pick([...ISO_GOOD, ...ISO_GOOD, ...ISO_ODD])]);
	if (chance(0.3))
		pairs.push(['completedAt', chance(0.8) ? pick(ISO_GOOD) : randomScalar(safe)]);
	if (chance(0.3))
		pairs.push(['currentStepId', chance(0.8) ? randomKey() : randomScalar(safe)]);
	if (chance(0.05))
		pairs.push(['extra', randomValue(2, safe)]);
	if (chance(0.3))
		pairs.reverse();
	if (mode !== 'valid' && chance(0.05))
		pairs.push(['status', pick(['running', 'nope'])]);		// duplicate: last wins
	return obj(pairs);
}

const FV_VARIANTS = ['1', '1.0', '1.00', '1e0', '1E0', '1e+0', '10e-1', '0.1e1', '100e-2', '1.0000000000000001',
	'0.99999999999999999', '1.000000000000001', '0.9999999999999999', '"1"', '"1.0"', '""', '"one"', '" 1"', '2', '2.50', '0', '-0',
	'-1', '1e21', '1e+21', '1e20', '123456789012345678901', '0.0000001', '0.000001', '1e-7', '1.5e-7',
	'1e400', '-1e400', '1e-400', '5e-324', '2e-324', '1.7976931348623157e308', '1.7976931348623159e308',
	'true', 'false', 'null', '[]', '[1]', '[null]', '[1,2]', '[[1,[2,null]],null]', '[[],[[]]]', '{}',
	'{"a":1}', '{"formatVersion":1}', '[{}]', '[{},1]', '["a",true,false]', '[null,null]', '[[null]]',
	'[1e21,1e-7,-0,2.50]', '[""]', '["",""]', '0.1', '0.30000000000000004', '123e-20', '-1.5e-10',
	'9007199254740993', '1e-6', '1e-5', '12345.678e3', '4.35', '0.000001234', '1e100', '-2.5e-7',
	'"a\\"b"', '"%s"', '"😀"', '"line\\nbreak"', '[1,[2,[3,[4]]]]', '[{"toStringX":1}]',
	// decimals exactly halfway between two doubles (JS prints the short form)
	'3.756e22', '-3.756e+22', '31554151913856591.22489', '2.06108501213184e+29', '9007199254740993',
	// powers of two whose shortest form lies in the wider gap above them
	'7.120236347223045e-307', '7.291122019556398e-304', '8.209073602596753e-289', '5.858190679279809e-244',
	'[3.756e22,7.120236347223045e-307]'];

function formatVersionValue(mode) {
	if (mode === 'valid' || mode === 'merge-wild' || mode === 'merge')
		return raw(chance(0.9) ? '1' : pick(['1.0', '1e0', '10e-1', '1.00', '0.1e1']));
	return weighted([
		[45, raw('1')],
		[3, undefined],
		[20, () => raw(pick(FV_VARIANTS))],
		[6, () => raw(randomDecimalText())],
		[6, jsRenderedNumber],
		[4, randomDoubleText],
		// short decimals at large magnitudes: often exactly halfway between doubles
		[3, () => raw(`${int(1, 9999)}e${int(16, 300)}`)],
		[3, () => arr(Array.from({ length: int(1, 5) }, () => weighted([
			[3, () => raw(randomDecimalText())], [1, jsRenderedNumber], [1, null], [1, () => randomString(4)],
			[1, () => arr([raw(randomDecimalText()), null])], [1, () => obj([])], [1, true]])))],
		[2, () => randomValue(3, false, true)],
		[1, () => randomString(8)],
		[1, () => deepValue(int(10, 200), false)],
	]);
}

// Whole snapshot document (as builder value, or undefined for "nothing")
function snapshotDoc(mode, opts = {}) {
	const safe = !!opts.safe;
	if (mode !== 'valid' && !opts.noRootJunk && chance(0.04)) {
		const junk = pick([raw('null'), raw('true'), raw('false'), raw('0'), raw('1'), raw('-0'), raw('"x"'),
			raw('""'), raw('"{}"'), raw('1e400'), raw('[]'), raw('[1]'), raw('[null]'),
			() => arr([obj([['formatVersion', 1], ['steps', obj([])], ['execution', obj([['status', 'running'], ['lastUpdated', '']])]])]),
			raw('{}')]);
		return typeof junk === 'function' ? junk() : junk;
	}
	const pairs = [];
	const fv = formatVersionValue(mode);
	if (fv !== undefined)
		pairs.push(['formatVersion', fv]);
	if (chance(0.3))
		pairs.push(['workflowName', chance(0.9) ? randomString(10) : randomScalar(safe)]);
	const steps = stepsValue(mode, safe, opts.keyPool);
	if (steps !== undefined)
		pairs.push(['steps', steps]);
	const exec = executionValue(mode, safe);
	if (exec !== undefined)
		pairs.push(['execution', exec]);
	if (chance(opts.metadataChance ?? 0.3))
		pairs.push(['metadata', metadataValue(mode, safe)]);
	if (chance(opts.warningsChance ?? 0.2))
		pairs.push(['warnings', warningsValue(mode, safe, opts.warnKeyPool)]);
	if (chance(0.1))
		pairs.push([pick(['extra', 'version', 'createdAt', '__proto__', 'constructor']), randomValue(2, safe)]);
	if (chance(0.3))
		shuffle(pairs);
	if (mode !== 'valid' && chance(0.05) && pairs.length) {
		// duplicate a root key; the last one wins in JSON.parse and in jsonb
		const [k] = pick(pairs);
		const replacement = k === 'formatVersion' ? formatVersionValue(mode)
			: k === 'steps' ? stepsValue(mode, safe, opts.keyPool)
			: k === 'execution' ? executionValue(mode, safe) : randomValue(2, safe);
		if (replacement !== undefined)
			pairs.push([k, replacement]);
	}
	return obj(pairs);
}

function shuffle(a) {
	for (let i = a.length - 1; i > 0; i--) {
		const j = int(0, i);
		[a[i], a[j]] = [a[j], a[i]];
	}
	return a;
}

function metadataValue(mode, safe) {
	const bad = mode === 'merge-wild' ? 0.15 : mode === 'valid' ? 0 : 0.1;
	if (chance(bad))
		return pick([null, raw('"meta"'), raw('""'), raw('0'), raw('1'), raw('false'), raw('true'), arr([]),
			arr([raw('1'), raw('2')]), raw('"ab"')]);
	if (chance(0.1))
		return null;
	if (chance(0.1))
		return obj([]);
	const pairs = [];
	const n = int(1, 3);
	for (let i = 0; i < n; i++) {
		const k = chance(0.6) ? pick(['workflowId', 'definitionHash', 'input', 'version', 'attempt', 'tags', 'owner', 'nested', 'x', '0', '10']) : randomKey();
		pairs.push([k, weighted([[3, () => randomValue(2, safe)], [1, null],
			[1, () => obj([['a', randomScalar(safe)], ['b', obj([['c', 1]])]])]])]);
	}
	return obj(pairs);
}

function warningEntry(mode, safe, stepKeys) {
	const bad = mode === 'merge-wild' ? 0.12 : mode === 'valid' ? 0 : 0.08;
	if (chance(bad))
		return pick([null, raw('1'), raw('"w"'), raw('true'), arr([]), arr([obj([['stepId', 'a']])])]);
	const pairs = [['type', chance(0.95) ? 'lossy_value' : randomScalar(safe)]];
	const sid = weighted([
		[8, () => (stepKeys && stepKeys.length && chance(0.7) ? pick(stepKeys) : randomKey())],
		[1, undefined],
		[1, null],
		[1, () => raw(pick(['1', '0', '10', '1.0', '1.50', '2.5', '-0', '1e2', '1e21', '1e-7', '0.5']))],
		[1, () => pick([true, false])],
		[1, () => pick([arr([]), arr(['a']), arr(['a', 'b']), arr([raw('1')]), arr([null]), arr([arr([])]), obj([]), obj([['a', 1]])])],
	]);
	if (sid !== undefined)
		pairs.push(['stepId', sid]);
	pairs.push(['path', pick(['value', 'value.x', 'error.cause', '', randomString(6)])]);
	pairs.push(['reason', chance(0.9) ? pick(['non-json', 'circular', 'encode-failed']) : randomScalar(safe)]);
	if (chance(0.2))
		shuffle(pairs);
	return obj(pairs);
}

function warningsValue(mode, safe, stepKeys) {
	const bad = mode === 'merge-wild' ? 0.15 : mode === 'valid' ? 0 : 0.1;
	if (chance(bad))
		return pick([null, obj([]), obj([['0', obj([['stepId', 'a']])]]), raw('"w"'), raw('""'), raw('0'),
			raw('1'), raw('false'), raw('true')]);
	const n = weighted([[1, 0], [6, () => int(1, 3)], [1, () => int(4, 7)]]);
	return arr(Array.from({ length: n }, () => warningEntry(mode, safe, stepKeys)));
}

// ---------------------------------------------------------------------------
// jsonb key order and the reordering of awaitly's per-step messages
// ---------------------------------------------------------------------------
function jsonbKeyCmp(a, b) {
	const ba = Buffer.from(a, 'utf8');
	const bb = Buffer.from(b, 'utf8');
	if (ba.length !== bb.length)
		return ba.length - bb.length;
	return Buffer.compare(ba, bb);
}

const isObjectish = (v) => typeof v === 'object' && v !== null;
const isPlainObject = (v) => isObjectish(v) && !Array.isArray(v);
const VALID_EXEC = { status: 'running', lastUpdated: '' };

function validateInJsonbOrder(doc) {
	const r = aw.validateSnapshot(doc);
	const errors = r.valid ? [] : r.errors;
	if (!isObjectish(doc) || !('steps' in doc) || !isObjectish(doc.steps))
		return errors;
	const prefix = ('formatVersion' in doc && doc.formatVersion === 1) ? 0 : 1;
	const groups = Object.entries(doc.steps).map(([k, v]) => {
		const single = aw.validateSnapshot({ formatVersion: 1, steps: { [k]: v }, execution: VALID_EXEC });
		return [k, single.valid ? [] : single.errors];
	});
	const flat = groups.flatMap(([, g]) => g);
	const section = errors.slice(prefix, prefix + flat.length);
	if (JSON.stringify(section) !== JSON.stringify(flat))
		throw new Error('step messages do not split into per-step groups: ' + JSON.stringify(errors));
	const jsOrder = groups.map(([k]) => k).join('\u0000');
	groups.sort(([a], [b]) => jsonbKeyCmp(a, b));
	if (groups.map(([k]) => k).join('\u0000') !== jsOrder && flat.length > 0)
		stats.reordered++;
	return [...errors.slice(0, prefix), ...groups.flatMap(([, g]) => g),
		...errors.slice(prefix + flat.length)];
}

// ---------------------------------------------------------------------------
// The spec's merge refusals (adjustment (b))
// ---------------------------------------------------------------------------
function specRefusesMerge(base, delta) {
	for (const [side, s] of [['base', base], ['delta', delta]]) {
		if (!isPlainObject(s))
			return `${side} is not an object`;
	}
	for (const [side, s] of [['base', base], ['delta', delta]]) {
		if (!Object.hasOwn(s, 'steps'))
			return `${side} has no steps`;
		if (!isPlainObject(s.steps))
			return `${side} steps is not an object`;
	}
	if (Object.hasOwn(delta, 'execution') && delta.execution !== null && !isPlainObject(delta.execution))
		return 'delta execution is not an object';
	for (const [side, s] of [['base', base], ['delta', delta]]) {
		if (Object.hasOwn(s, 'metadata') && s.metadata !== null && !isPlainObject(s.metadata))
			return `${side} metadata is not an object`;
	}
	for (const [side, s] of [['base', base], ['delta', delta]]) {
		if (Object.hasOwn(s, 'warnings') && s.warnings !== null) {
			if (!Array.isArray(s.warnings))
				return `${side} warnings is not an array`;
			if (s.warnings.some((w) => !isPlainObject(w)))
				return `${side} warnings entry is not an object`;
		}
	}
	return null;
}

// Every number token of a JSON text (strings skipped).
function numberTokens(t) {
	const out = [];
	const re = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
	let m;
	while ((m = re.exec(t)) !== null)
		if (m[0][0] !== '"')
			out.push(m[0]);
	return out;
}
// A decimal number text in a canonical form: sign, digits, exponent.
function canonicalDecimal(s) {
	const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(s);
	if (!m)
		throw new Error('not a number: ' + s);
	let digits = m[2] + (m[3] || '');
	let exp = Number(m[4] || 0) - (m[3] || '').length;
	digits = digits.replace(/^0+/, '');
	if (digits === '')
		return '0';
	while (digits.endsWith('0')) {
		digits = digits.slice(0, -1);
		exp++;
	}
	return `${m[1]}${digits}e${exp}`;
}
// Does JSON.stringify(JSON.parse(tok)) denote the same decimal value?
function numberRoundTrips(tok) {
	const d = Number(tok);
	return Number.isFinite(d) && canonicalDecimal(JSON.stringify(d)) === canonicalDecimal(tok).replace(/^-0$/, '0');
}

// ---------------------------------------------------------------------------
// Case generation
// ---------------------------------------------------------------------------
const rows = [];
const seen = new Set();
const stats = { snapshot: 0, merge: 0, valid: 0, invalid: 0, looksLike: 0, reordered: 0, mergeErrors: 0, mergeRefusedBySpecOnly: 0 };

function addSnapshotCase(text, note) {
	if (seen.has('s' + text))
		return;
	seen.add('s' + text);
	const doc = JSON.parse(text);
	const errors = validateInJsonbOrder(doc);
	const looksLike = aw.looksLikeWorkflowSnapshot(doc);
	// assertValidSnapshot must agree with validateSnapshot (awaitly order)
	const r = aw.validateSnapshot(doc);
	try {
		aw.assertValidSnapshot(doc);
		if (!r.valid)
			throw new Error('assertValidSnapshot accepted an invalid snapshot');
	} catch (e) {
		if (e.name !== 'SnapshotFormatError')
			throw e;
		if (e.message !== 'Invalid snapshot format: ' + r.errors[0] ||
			JSON.stringify(e.errors) !== JSON.stringify(r.errors))
			throw new Error('assertValidSnapshot disagrees with validateSnapshot');
	}
	stats.snapshot++;
	stats[errors.length ? 'invalid' : 'valid']++;
	if (looksLike)
		stats.looksLike++;
	rows.push(['snapshot', text, null, JSON.stringify({ errors, looksLike }), note]);
}

function addMergeCase(baseText, deltaText, note) {
	if (![...numberTokens(baseText), ...numberTokens(deltaText)].every(numberRoundTrips))
		return;				// a number JSON.stringify would change
	const key = 'm' + baseText + '\u0000' + deltaText;
	if (seen.has(key))
		return;
	seen.add(key);
	const base = JSON.parse(baseText);
	const delta = JSON.parse(deltaText);
	const refusal = specRefusesMerge(base, delta);
	let expected;
	let jsError = null;
	let merged;
	try {
		merged = aw.mergeSnapshots(base, delta);
	} catch (e) {
		jsError = e;
	}
	if (jsError && !refusal)
		throw new Error(`awaitly throws (${jsError.message}) where the spec merges: ${baseText} | ${deltaText}`);
	if (refusal) {
		expected = { error: refusal };
		stats.mergeErrors++;
		if (!jsError) {
			stats.mergeRefusedBySpecOnly++;
			note += '; spec refuses, awaitly would not throw';
		} else
			note += '; awaitly throws too';
	} else {
		expected = { result: JSON.parse(JSON.stringify(merged)) };
	}
	stats.merge++;
	rows.push(['merge', baseText, deltaText, JSON.stringify(expected), note]);
}

function text(v, whitespace = 0) {
	wsChance = whitespace;
	const t = emit(v);
	wsChance = 0;
	return t;
}

// 1. Hand-picked shapes first (each rule of the spec at least once)
const VALID_EXEC_TEXT = '{"status":"running","lastUpdated":"2024-01-01T00:00:00.000Z"}';
for (const fv of FV_VARIANTS)
	addSnapshotCase(`{"formatVersion":${fv},"steps":{},"execution":${VALID_EXEC_TEXT}}`, 'formatVersion spelling');
for (const root of ['null', 'true', 'false', '0', '-0', '1', '1.5', '1e400', '""', '"x"', '"{}"', '[]', '[1]', '[null]',
	'[{}]', '{}', '[[]]', `[{"formatVersion":1,"steps":{},"execution":${VALID_EXEC_TEXT}}]`])
	addSnapshotCase(root, 'root shape');
for (const steps of ['null', '1', '0', 'true', 'false', '""', '"ab"', '[]', '[null]', '[{"ok":true}]', '[1,{"ok":1},[]]',
	'{}', '{"a":null}', '{"a":1}', '{"a":"x"}', '{"a":true}', '{"a":[]}', '{"a":[{"ok":true}]}', '{"a":{}}',
	'{"a":{"ok":"true"}}', '{"a":{"ok":null}}', '{"a":{"ok":1}}', '{"a":{"ok":[]}}', '{"a":{"ok":{}}}',
	'{"a":{"ok":false}}', '{"a":{"ok":false,"error":null}}', '{"a":{"ok":false,"cause":null}}',
	'{"a":{"ok":false,"error":null,"cause":null}}', '{"a":{"ok":true}}', '{"a":{"ok":true,"value":null}}',
	'{"10":null,"9":null,"ab":null,"b":null,"":null,"01":null,"1":null}',
	'{"b":{"ok":false},"a":{"ok":false},"10":{"ok":false},"2":{"ok":false}}',
	'{"a\\"b":null,"line\\nbreak":1,"😀":[],"":{"ok":0},"\\\\":{},"tab\\t":{"ok":false}}',
	'{"a":null,"a":{"ok":true}}', '{"a":{"ok":true},"a":null}', '{"a":{"ok":"x","ok":true}}',
	'{"__proto__":null,"constructor":1,"toString":{"ok":false},"hasOwnProperty":{"ok":true}}',
	'{"4294967295":null,"4294967294":null,"9007199254740993":null,"-1":null,"1.5":null}'])
	addSnapshotCase(`{"formatVersion":1,"steps":${steps},"execution":${VALID_EXEC_TEXT}}`, 'steps shape');
for (const exec of ['null', '1', 'true', '"running"', '""', '[]', '["running","x"]', '[{"status":"running"}]',
	'{}', '{"status":"running"}', '{"lastUpdated":"x"}', '{"status":null,"lastUpdated":null}',
	'{"status":"Running","lastUpdated":1}', '{"status":"running ","lastUpdated":""}',
	'{"status":["running"],"lastUpdated":["x"]}', '{"status":"completed","lastUpdated":"garbage"}',
	'{"status":"failed","lastUpdated":"x","status":"paused"}', '{"status":1,"lastUpdated":{}}',
	'{"status":"running","lastUpdated":"x","completedAt":1,"currentStepId":2}'])
	addSnapshotCase(`{"formatVersion":1,"steps":{},"execution":${exec}}`, 'execution shape');
for (const doc of ['{"formatVersion":1}', '{"steps":{}}', '{"execution":{}}', '{"formatVersion":"1","steps":{},"execution":{}}',
	'{"formatVersion":1,"steps":null,"execution":null}', '{"formatVersion":1,"steps":[],"execution":null}',
	'{"formatVersion":1,"steps":{},"execution":[]}', '{"formatVersion":1,"steps":"x","execution":{}}',
	'{"formatVersion":1.0,"steps":[],"execution":"x"}', '{"formatVersion":true,"steps":{},"execution":{}}',
	'{"formatVersion":1,"steps":{},"execution":{},"formatVersion":2}',
	'{"formatVersion":2,"steps":{},"execution":{},"formatVersion":1}',
	'{"formatVersion":1,"steps":{},"execution":null,"execution":{"status":"running","lastUpdated":""}}',
	'{"formatVersion":[1],"steps":{},"execution":{}}', '{"formatVersion":1e0,"steps":{},"execution":{}}',
	'{"formatVersion":1,"steps":{},"execution":{},"workflowName":1,"metadata":[],"warnings":"x"}'])
	addSnapshotCase(doc, 'looksLike clauses');
addSnapshotCase(text(obj([['formatVersion', 1], ['steps', obj([['deep', obj([['ok', true], ['value', deepValue(2000, false)]])]])],
	['execution', obj([['status', 'running'], ['lastUpdated', '']])]])), 'deep step value');
addSnapshotCase(text(obj([['formatVersion', deepValue(500, false)], ['steps', obj([])]])), 'deep formatVersion');
{
	const pairs = [];
	for (let i = 0; i < 300; i++)
		pairs.push([String(i * 7 % 301), i % 3 === 0 ? obj([['ok', false]]) : obj([['ok', true]])]);
	addSnapshotCase(text(obj([['formatVersion', 1], ['steps', obj(pairs)], ['execution', obj([['status', 'failed']])]])),
		'300 numeric step keys');
}

// 2. Random snapshots
while (stats.snapshot < N_SNAPSHOTS) {
	const mode = weighted([[3, 'valid'], [8, 'near'], [2, 'wild']]);
	addSnapshotCase(text(snapshotDoc(mode), chance(0.1) ? 0.2 : 0), `random ${mode}`);
}

// 3. Merge pairs: hand-picked
const B = (extra = '') => `{"formatVersion":1,"steps":{"a":{"ok":true,"value":1}}${extra}}`;
const MERGE_HAND = [
	[B(), B()],
	[B(), '{"steps":{}}'],
	['{"steps":{}}', '{"steps":{}}'],
	[B(',"execution":{"status":"running","x":1}'), '{"steps":{}}'],
	[B(), '{"steps":{},"execution":null}'],
	[B(), '{"steps":{},"execution":{}}'],
	[B(), '{"steps":{},"execution":{"status":"failed","lastUpdated":"t","extra":{"n":[1,2]}}}'],
	[B(',"metadata":{}'), '{"steps":{}}'],
	['{"steps":{}}', '{"steps":{},"metadata":{}}'],
	[B(',"metadata":null'), '{"steps":{},"metadata":null}'],
	[B(',"metadata":{"a":1,"b":{"x":1,"y":2},"c":3}'), '{"steps":{},"metadata":{"b":{"y":3},"c":null,"d":4}}'],
	[B(',"warnings":[]'), '{"steps":{},"warnings":[]}'],
	[B(',"warnings":null'), '{"steps":{},"warnings":null}'],
	[B(',"warnings":[{"stepId":"a"},{"stepId":"b"},{"stepId":1},{"stepId":null},{}]'),
		'{"steps":{"a":{"ok":true},"1":{"ok":true},"null":{"ok":true},"undefined":{"ok":true}},"warnings":[{"stepId":"a"}]}'],
	[B(',"warnings":[{"stepId":[]},{"stepId":["a","b"]},{"stepId":{}},{"stepId":true},{"stepId":1.50},{"stepId":1e21}]'),
		'{"steps":{"":1,"a,b":1,"[object Object]":1,"true":1,"1.5":1,"1e+21":1}}'],
	[B(',"workflowName":"w","extra":1,"formatVersion":7'), '{"steps":{},"workflowName":"v","other":[1]}'],
	['{"formatVersion":"x","steps":{"a":{"ok":true,"value":{"deep":{"x":1}}},"b":{"ok":false}}}',
		'{"formatVersion":2,"steps":{"a":{"ok":true}},"execution":{"status":"running"}}'],
	['{"steps":{"__proto__":{"ok":true}},"metadata":{"__proto__":1}}', '{"steps":{"constructor":1},"metadata":{"toString":2}}'],
	// refusals
	['[]', B()], [B(), '[]'], ['null', B()], [B(), '1'], [B(), '"x"'], ['true', 'false'],
	['{}', B()], [B(), '{}'], ['{"steps":null}', B()], [B(), '{"steps":null}'], ['{"steps":[]}', B()],
	[B(), '{"steps":[{"ok":true}]}'], [B(), '{"steps":"ab"}'], ['{"steps":1}', B()], ['{"steps":""}', B()],
	[B(), '{"steps":{},"execution":[]}'], [B(), '{"steps":{},"execution":"ab"}'], [B(), '{"steps":{},"execution":0}'],
	[B(), '{"steps":{},"execution":false}'], [B(), '{"steps":{},"execution":true}'],
	[B(',"execution":"ab"'), '{"steps":{}}'],
	[B(',"metadata":[]'), '{"steps":{}}'], [B(), '{"steps":{},"metadata":"ab"}'], [B(',"metadata":0'), '{"steps":{}}'],
	[B(',"metadata":false'), '{"steps":{}}'], [B(), '{"steps":{},"metadata":""}'], [B(',"metadata":1'), '{"steps":{},"metadata":{}}'],
	[B(',"warnings":{}'), '{"steps":{}}'], [B(), '{"steps":{},"warnings":"ab"}'], [B(',"warnings":0'), '{"steps":{}}'],
	[B(',"warnings":false'), '{"steps":{}}'], [B(), '{"steps":{},"warnings":""}'], [B(), '{"steps":{},"warnings":1}'],
	[B(',"warnings":[null]'), '{"steps":{}}'], [B(), '{"steps":{},"warnings":[1]}'], [B(), '{"steps":{},"warnings":["ab"]}'],
	[B(',"warnings":[[]]'), '{"steps":{}}'], [B(), '{"steps":{},"warnings":[{},null]}'],
];
for (const [b, d] of MERGE_HAND)
	addMergeCase(b, d, 'hand');

// 4. Random merge pairs, sharing step keys so that replacement happens
LEAN = true;
while (stats.merge < N_MERGES) {
	const keyPool = Array.from({ length: int(1, 8) }, randomKey);
	const wild = chance(0.2);
	const mode = wild ? 'merge-wild' : pick(['valid', 'merge']);
	const opts = { safe: true, keyPool, warnKeyPool: keyPool, metadataChance: 0.6, warningsChance: 0.6, noRootJunk: !wild };
	const base = snapshotDoc(mode, opts);
	const delta = chance(0.3) ? obj([['steps', stepsValue('valid', true, keyPool)]]) : snapshotDoc(mode, opts);
	addMergeCase(text(base, chance(0.05) ? 0.2 : 0), text(delta), `random ${mode}`);
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------
const copyEscape = (s) => (s === null ? '\\N'
	: s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));
const lines = rows.map((r, i) => [String(i + 1), ...r].map((f) => copyEscape(f)).join('\t'));
writeFileSync(OUT, lines.join('\n') + '\n');
process.stderr.write(`wrote ${rows.length} cases to ${OUT}: ${JSON.stringify(stats)}\n`);
