/**
 * isopool/reusify: reusify's own test.js (shipped in its npm package) run unchanged against it and
 * against reusify itself, then what the drop-in adds: a bound on idle objects, and a double release
 * that throws instead of corrupting the list.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode } from '../src/index.js';
import { DEFAULT_REUSIFY_MAX, reusify } from '../src/reusify.js';
import { throwsCode } from './helpers/errors.js';

const require = createRequire(import.meta.url);
const REUSIFY_TEST = require.resolve('reusify/test.js');

interface TapeResult {
  name: string;
  assertions: number;
  failures: string[];
}

/**
 * Runs reusify's test.js with `require('tape')` answered by a minimal tape (the assertions it uses:
 * plan, pass, equal, notEqual, notOk, end, with tape's meanings: strict equality, a plan that must be
 * met exactly) and `require('./')` answered by `impl`. Its text is not edited.
 */
function runReusifyTestJs(impl: unknown): TapeResult[] {
  const results: TapeResult[] = [];
  const tape = (name: string, fn: (t: unknown) => void) => {
    const r: TapeResult = { name, assertions: 0, failures: [] };
    let planned: number | undefined;
    let ended = false;
    const check = (ok: boolean, msg: string | undefined, what: string) => {
      r.assertions++;
      if (!ok) r.failures.push(`${what}${msg === undefined ? '' : `: ${msg}`}`);
    };
    const t = {
      plan: (n: number) => void (planned = n),
      pass: (msg?: string) => check(true, msg, 'pass'),
      equal: (a: unknown, b: unknown, msg?: string) => check(a === b, msg, 'equal'),
      notEqual: (a: unknown, b: unknown, msg?: string) => check(a !== b, msg, 'notEqual'),
      notOk: (v: unknown, msg?: string) => check(!v, msg, 'notOk'),
      end: () => void (ended = true),
    };
    fn(t);
    if (planned !== undefined && planned !== r.assertions) r.failures.push(`plan != count: planned ${planned}, ran ${r.assertions}`);
    if (planned === undefined && !ended) r.failures.push('test ended without t.end() or a plan');
    results.push(r);
  };
  const fakeRequire = (id: string): unknown => {
    if (id === 'tape') return tape;
    if (id === './') return impl;
    throw new Error(`reusify test.js required ${id}`);
  };
  new Function('require', readFileSync(REUSIFY_TEST, 'utf8'))(fakeRequire);
  return results;
}

const own = suite("reusify's own test.js");

own('passes against reusify itself through the same harness (the harness is faithful)', () => {
  const results = runReusifyTestJs(require('reusify'));
  assert.equal(results.map((r) => r.name), ['reuse objects', 'reuse more than 2 objects']);
  assert.equal(results.map((r) => r.failures), [[], []]);
});

own('passes against isopool/reusify, with as many assertions as reusify makes', () => {
  const theirs = runReusifyTestJs(require('reusify'));
  const mine = runReusifyTestJs(reusify);
  assert.equal(mine.map((r) => r.failures), [[], []]);
  assert.equal(mine.map((r) => r.assertions), theirs.map((r) => r.assertions));
});

own.run();

// -------------------------------------------------------------------------------------------------

let made = 0;
class Node {
  next: Node | null = null;
  readonly id = ++made;
}

const order = suite('isopool/reusify: what it lends');

order('makes the spare up front, hands it out first, and clears next on get', () => {
  const before = made;
  const pool = reusify(Node);
  assert.is(made, before + 1);
  const a = pool.get();
  assert.is(a.id, before + 1);
  a.next = new Node();
  pool.release(a);
  const b = pool.get(); // the spare made by the first get
  const c = pool.get(); // a, released with a `next` its holder wrote
  assert.is.not(b, a);
  assert.is(c, a);
  assert.is(c.next, null);
});

order('a burst released is lent again in release order, after the spare', () => {
  const pool = reusify(Node);
  const held = Array.from({ length: 6 }, () => pool.get());
  for (const n of held) pool.release(n);
  const spare = pool.get();
  assert.not.ok(held.includes(spare));
  assert.equal(Array.from({ length: 6 }, () => pool.get()), held);
});

order('bursts released after partial reuse come back in release order (max 100)', () => {
  const pool = reusify(Node, { max: 100 });
  const early = Array.from({ length: 10 }, () => pool.get());
  for (const n of early) pool.release(n);
  pool.get(); // the spare
  const firstFive = Array.from({ length: 5 }, () => pool.get());
  assert.equal(firstFive, early.slice(0, 5));
  const burst = Array.from({ length: 60 }, () => pool.get()); // the rest of early, then new ones
  assert.equal(burst.slice(0, 5), early.slice(5));
  for (const n of burst) pool.release(n);
  assert.equal(Array.from({ length: 61 }, () => pool.get()).slice(1), burst);
});

order('the steady get/release pattern makes nothing new', () => {
  const pool = reusify(Node);
  const warm = pool.get();
  pool.release(warm);
  const before = made;
  for (let i = 0; i < 1000; i++) pool.release(pool.get());
  assert.is(made, before);
});

order.run();

// -------------------------------------------------------------------------------------------------

const bounds = suite('isopool/reusify: bounded');

bounds(`keeps at most max idle objects (default ${DEFAULT_REUSIFY_MAX}), spare included; the rest go to the collector`, () => {
  for (const max of [2, 5, DEFAULT_REUSIFY_MAX]) {
    const pool = max === DEFAULT_REUSIFY_MAX ? reusify(Node) : reusify(Node, { max });
    const held = Array.from({ length: 50 }, () => pool.get());
    for (const n of held) pool.release(n);
    // max idle objects: the spare plus max - 1 of the released ones come back before anything new.
    const before = made;
    const again = Array.from({ length: max }, () => pool.get());
    assert.is(made - before, 1, `max ${max}: only the last get makes a new spare`);
    assert.is(again.filter((n) => held.includes(n)).length, max - 1, `max ${max}`);
    const next = pool.get();
    assert.not.ok(held.includes(next), `max ${max}: the ${max + 1}th get is a new object`);
  }
});

bounds('options are checked: max an integer from 2, the constructor a function', () => {
  assert.throws(() => reusify(Node, { max: 1 }), (e: unknown) => e instanceof RangeError && /`max`.*received 1/.test(e.message));
  assert.throws(() => reusify(Node, { max: 2.5 }), (e: unknown) => e instanceof RangeError && /`max`/.test(e.message));
  assert.throws(() => reusify(Node, { max: '4' as unknown as number }), (e: unknown) => e instanceof TypeError && /`max`.*received/.test(e.message));
  assert.throws(() => reusify(Node, null as unknown as {}), (e: unknown) => e instanceof TypeError && /options must be an object/.test(e.message));
  assert.throws(() => reusify(undefined as unknown as new () => Node), (e: unknown) => e instanceof TypeError && /constructor, received undefined/.test(e.message));
});

bounds.run();

// -------------------------------------------------------------------------------------------------

const twice = suite('isopool/reusify: a double release throws ERR_DOUBLE_RELEASE, wherever the object sits');

twice('released twice in a row (the tail of the idle list)', () => {
  const pool = reusify(Node);
  const a = pool.get();
  pool.release(a);
  throwsCode(() => pool.release(a), ErrorCode.DOUBLE_RELEASE);
});

twice('released twice with others in between (the middle of the idle list)', () => {
  const pool = reusify(Node);
  const [a, b, c] = [pool.get(), pool.get(), pool.get()];
  pool.release(a);
  pool.release(b);
  pool.release(c);
  throwsCode(() => pool.release(b), ErrorCode.DOUBLE_RELEASE);
  throwsCode(() => pool.release(c), ErrorCode.DOUBLE_RELEASE);
  // Nothing was lent twice: the next gets are the spare, then a, b, c once each.
  const lent = Array.from({ length: 4 }, () => pool.get());
  assert.is(new Set(lent).size, 4);
  assert.equal(lent.slice(1), [a, b, c]);
});

twice('released after it became the spare', () => {
  const pool = reusify(Node);
  const a = pool.get();
  pool.get(); // the spare made by the first get
  pool.release(a);
  pool.get(); // a becomes the spare
  throwsCode(() => pool.release(a), ErrorCode.DOUBLE_RELEASE);
});

twice('an object whose holder pointed next at an idle object is accepted, and the idle list stays whole', () => {
  const pool = reusify(Node);
  const [a, b, c] = [pool.get(), pool.get(), pool.get()];
  pool.release(b);
  a.next = b; // an idle object: only the cold path's walk tells a from a double release
  pool.release(a);
  c.next = new Node();
  pool.release(c);
  const lent = Array.from({ length: 4 }, () => pool.get());
  assert.equal(lent.slice(1), [b, a, c]);
  assert.ok(lent.every((n) => n.next === null));
  assert.is(new Set(lent).size, 4);
});

twice('release(undefined) is a TypeError, as in LocalPool', () => {
  const pool = reusify(Node);
  assert.throws(() => pool.release(undefined as unknown as Node), (e: unknown) => e instanceof TypeError && /received undefined/.test(e.message));
});

twice.run();
