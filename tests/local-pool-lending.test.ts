/**
 * LocalPool lending: acquire and tryAcquire through the owner slot and the LIFO stack, and the
 * release checks that are on in every mode (the object in the slot or on top of the stack, null).
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
  // a fills the slot; b and d go on the stack. The slot is served first, then the stack top.
  assert.is(pool.acquire(), a);
  assert.is(pool.acquire(), d);
  assert.is(pool.acquire(), b);
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
  assert.is(pool.tryAcquire(), a);
  assert.is(pool.tryAcquire(), b);
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

checks.run();
