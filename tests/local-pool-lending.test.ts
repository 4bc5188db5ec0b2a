/**
 * LocalPool lending: acquire and tryAcquire through the owner slot and the LIFO stack, and the
 * release checks that are on in every mode (primitives and null, an object already idle, a release
 * while nothing is lent).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, LocalPool } from '../src/index.js';
import { counter, type Obj } from './helpers/counter.js';
import { throwsCode } from './helpers/errors.js';

const lending = suite('LocalPool lending: owner slot and stack');

lending('acquire makes an object with create when the pool is empty', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create });
  const a = pool.acquire();
  assert.equal(a, { id: 0, dirty: false });
  assert.is(c.made, 1);
});

lending('a released object is the next one acquired (owner slot)', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create });
  const a = pool.acquire();
  pool.release(a);
  assert.is(pool.acquire(), a);
  assert.is(c.made, 1);
});

lending('objects released together come back last-in first-out', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create });
  const [a, b, d] = [pool.acquire(), pool.acquire(), pool.acquire()];
  pool.release(a);
  pool.release(b);
  pool.release(d);
  // The slot is bound to d, the object lent last: a and b go on the stack, d back to the slot.
  assert.is(pool.acquire(), d);
  assert.is(pool.acquire(), b);
  assert.is(pool.acquire(), a);
  assert.is(c.made, 3);
});

lending('never lends one object to two holders at once', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create });
  const held = new Set<Obj>();
  for (let i = 0; i < 50; i++) {
    const o = pool.acquire();
    assert.not.ok(held.has(o));
    held.add(o);
  }
  assert.is(held.size, 50);
});

lending('tryAcquire serves the slot and the stack like acquire', () => {
  const pool = new LocalPool({ create: () => ({}) });
  const a = pool.tryAcquire()!;
  const b = pool.tryAcquire()!;
  pool.release(a);
  pool.release(b);
  assert.is(pool.tryAcquire(), b);
  assert.is(pool.tryAcquire(), a);
});

lending.run();

const checks = suite('LocalPool lending: release checks that are always on');

checks('releasing the object already in the owner slot throws ERR_DOUBLE_RELEASE (always on)', () => {
  const pool = new LocalPool({ create: () => ({}), checked: false });
  const a = pool.acquire();
  pool.release(a);
  throwsCode(() => pool.release(a), ErrorCode.DOUBLE_RELEASE);
});

checks('releasing the object on top of the stack throws ERR_DOUBLE_RELEASE (always on)', () => {
  const pool = new LocalPool({ create: () => ({}), checked: false });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  pool.release(b);
  throwsCode(() => pool.release(b), ErrorCode.DOUBLE_RELEASE);
  // and the pool still lends a and b once each
  const x = pool.acquire();
  const y = pool.acquire();
  assert.is.not(x, y);
});

checks('releasing undefined or null is a TypeError and changes nothing', () => {
  const pool = new LocalPool({ create: () => ({}) });
  pool.acquire();
  assert.throws(() => pool.release(undefined as unknown as object), TypeError);
  assert.throws(() => pool.release(null as unknown as object), /received null/);
  assert.is(pool.stats.lent, 1);
  assert.is(pool.stats.idle, 0);
});

checks('release(null) or release(undefined) with the owner slot full is a TypeError, and acquire never returns null (regression: null went on the stack and acquire returned it)', () => {
  const pool = new LocalPool({ create: () => ({}) });
  const a = pool.acquire();
  pool.acquire();
  pool.release(a);
  assert.throws(() => pool.release(null as unknown as object), TypeError);
  assert.throws(() => pool.release(undefined as unknown as object), TypeError);
  assert.is(pool.acquire(), a);
  assert.ok(pool.acquire() !== null);
  assert.is(pool.stats.lent, 3);
});

const PRIMITIVES: readonly unknown[] = [5, 'str', true, Symbol('s'), 10n, 0, ''];

checks('release(5), strings, booleans, symbols and bigints are a TypeError in unchecked mode, wherever the slot is (regression: release(5) filled the empty owner slot, stats.lent went to -1, and the next acquire returned 5)', () => {
  const pool = new LocalPool<object>({ create: () => ({}), checked: false });
  const a = pool.acquire(); // the slot is bound to a, lent: empty
  for (const p of PRIMITIVES) assert.throws(() => pool.release(p as object), (e: unknown) => e instanceof TypeError && /takes an object it lent/.test((e as Error).message));
  assert.is(pool.stats.lent, 1);
  const b = pool.acquire();
  pool.release(a); // a idle in the slot; b lent: the push path
  for (const p of PRIMITIVES) assert.throws(() => pool.release(p as object), TypeError);
  pool.release(b);
  for (const p of PRIMITIVES) assert.throws(() => pool.release(p as object), TypeError);
  assert.equal([pool.stats.lent, pool.stats.idle], [0, 2]);
  assert.is(typeof pool.acquire(), 'object');
  assert.is(typeof pool.acquire(), 'object');
});

checks('a release while nothing is lent throws ERR_DOUBLE_RELEASE in every mode and stats.lent never goes negative (regression: releasing never-lent objects drove stats.lent to -1)', () => {
  const fresh = new LocalPool<object>({ create: () => ({}), checked: false });
  throwsCode(() => fresh.release({}), ErrorCode.DOUBLE_RELEASE, /while none is lent/);
  const prefilled = new LocalPool<object>({ create: () => ({}), prefill: 3, checked: false });
  throwsCode(() => prefilled.release({}), ErrorCode.DOUBLE_RELEASE, /while none is lent/);
  const used = new LocalPool<object>({ create: () => ({}), max: 0, checked: false });
  used.release(used.acquire());
  throwsCode(() => used.release({}), ErrorCode.DOUBLE_RELEASE);
  const checked = new LocalPool<object>({ create: () => ({}), checked: true });
  throwsCode(() => checked.release({}), ErrorCode.FOREIGN_OBJECT);
  for (const pool of [fresh, prefilled, used, checked]) assert.is(pool.stats.lent, 0);
});

checks('with only the owner slot\'s object lent, releasing any other object throws ERR_DOUBLE_RELEASE (unchecked)', () => {
  const pool = new LocalPool<object>({ create: () => ({}), checked: false });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  throwsCode(() => pool.release(a), ErrorCode.DOUBLE_RELEASE, /already idle/);
  throwsCode(() => pool.release({}), ErrorCode.DOUBLE_RELEASE, /the one object lent is another/);
  pool.release(b);
  assert.equal([pool.stats.lent, pool.stats.idle], [0, 2]);
});

checks('a second release of the object the owner slot lent is refused however many other objects came and went between', () => {
  const pool = new LocalPool<object>({ create: () => ({}), checked: false });
  const a = pool.acquire();
  pool.release(a); // a is idle in the slot
  const others = [pool.acquire(), pool.acquire(), pool.acquire()]; // a, then two new objects
  assert.is(others[0], a);
  pool.release(others[2]!);
  pool.release(others[1]!);
  pool.release(a);
  throwsCode(() => pool.release(a), ErrorCode.DOUBLE_RELEASE, /already idle/);
  assert.is(pool.stats.lent, 0);
});

checks('functions can be pooled: they take the cold path where the push path tests for objects', () => {
  const pool = new LocalPool<() => number>({ create: () => () => 1 });
  const f = pool.acquire();
  const g = pool.acquire();
  pool.release(f);
  pool.release(g);
  assert.equal([pool.stats.lent, pool.stats.idle], [0, 2]);
  assert.ok(pool.acquire() === g && pool.acquire() === f, 'last in, first out, as objects are');
});

checks.run();
