/**
 * LocalPool sizing: how `max`, `limit`, `prefill` and `grow` decide how many objects a pool makes,
 * keeps idle and lends, and what it does at its `limit` (the options' checks are in
 * local-pool-options.test.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX, ErrorCode, LocalPool } from '../src/index.js';
import { counter } from './helpers/counter.js';
import { throwsCode } from './helpers/errors.js';

const retention = suite('LocalPool sizing: max, the idle objects kept');

retention('surplus over max is disposed', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 2 });
  const objs = [pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()];
  for (const o of objs) pool.release(o);
  assert.is(pool.stats.idle, 2);
  assert.equal(c.disposed, [objs[2], objs[3]]);
  assert.is(pool.stats.discarded, 2);
  assert.is(pool.stats.lent, 0);
});

retention('max: 0 retains nothing: every release disposes', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 0 });
  const a = pool.acquire();
  pool.release(a);
  assert.equal(c.disposed, [a]);
  assert.is.not(pool.acquire(), a);
  assert.is(pool.stats.idle, 0);
});

retention('default max is DEFAULT_MAX idle objects', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose });
  const objs = Array.from({ length: DEFAULT_MAX + 5 }, () => pool.acquire());
  for (const o of objs) pool.release(o);
  assert.is(pool.stats.idle, DEFAULT_MAX);
  assert.is(c.disposed.length, 5);
});

retention.run();

const growth = suite('LocalPool sizing: prefill and grow, the objects made');

growth('prefill creates objects up front and lends them without create', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, prefill: 3, max: 3 });
  assert.is(c.made, 3);
  assert.is(pool.stats.idle, 3);
  pool.acquire();
  pool.acquire();
  pool.acquire();
  assert.is(c.made, 3);
  pool.acquire();
  assert.is(c.made, 4);
});

growth('grow: n creates n objects on a miss, keeping the extra idle', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, grow: 4 });
  pool.acquire();
  assert.is(c.made, 4);
  assert.is(pool.stats.idle, 3);
  assert.is(pool.stats.misses, 1);
  pool.acquire();
  pool.acquire();
  pool.acquire();
  assert.is(c.made, 4);
  assert.is(pool.stats.hits, 3);
});

growth("grow: 'double' doubles the live count on each miss", () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, grow: 'double', max: 64 });
  const sizes: number[] = [];
  for (let i = 0; i < 15; i++) {
    pool.acquire();
    sizes.push(c.made);
  }
  // 1, 2, 4, 8, 16: each miss doubles what is live.
  assert.equal([...new Set(sizes)], [1, 2, 4, 8, 16]);
});

growth('growth never exceeds limit nor the room for idle objects', () => {
  const c = counter();
  const limited = new LocalPool({ create: c.create, grow: 10, limit: 3 });
  limited.acquire();
  assert.is(c.made, 3);
  const c2 = counter();
  const small = new LocalPool({ create: c2.create, grow: 10, max: 2, checked: false }); // checked mode has no slot: room for 3
  small.acquire();
  assert.is(c2.made, 2); // one lent + max - 1 on the stack: the owner slot fills only on release
});

growth('a prefill above the default max raises the default: the pool keeps what it prefilled (regression: new LocalPool({ create, prefill: 20 }) threw)', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, prefill: DEFAULT_MAX + 4 });
  assert.is(pool.stats.idle, DEFAULT_MAX + 4);
  const objs = Array.from({ length: DEFAULT_MAX + 4 }, () => pool.acquire());
  for (const o of objs) pool.release(o);
  assert.is(pool.stats.idle, DEFAULT_MAX + 4);
  assert.equal([c.made, c.disposed.length], [DEFAULT_MAX + 4, 0]);
  assert.throws(() => new LocalPool({ create: c.create, prefill: 20, max: 19 }), (e: unknown) => e instanceof RangeError && /`prefill` \(20\) must not exceed `max` \(19\)/.test((e as Error).message));
});

growth.run();

const seeded = suite('LocalPool sizing: initial, objects the caller already has');

seeded('initial objects are idle from the start, counted as created, and lent before any new one', () => {
  const c = counter();
  const mine = [{ id: 100, dirty: false }, { id: 101, dirty: false }];
  const pool = new LocalPool({ create: c.create, initial: mine, prefill: 1 });
  assert.equal([pool.stats.created, pool.stats.idle, pool.stats.lent], [3, 3, 0]);
  const lent = [pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()];
  assert.equal(lent.map((o) => o.id), [101, 100, 0, 1]);
  for (const o of lent) pool.release(o);
  assert.equal([pool.stats.created, pool.stats.lent], [4, 0]);
});

seeded('releasing the initial objects before lending them is refused, not counted (regression: seeding by release drove stats.lent negative)', () => {
  const mine = [{}, {}];
  const pool = new LocalPool<object>({ create: () => ({}), checked: false });
  throwsCode(() => pool.release(mine[0]!), ErrorCode.DOUBLE_RELEASE);
  const seededPool = new LocalPool<object>({ create: () => ({}), initial: mine });
  assert.equal([seededPool.stats.idle, seededPool.stats.lent], [2, 0]);
});

seeded('without create, the initial objects are the whole pool: then it is exhausted', async () => {
  const mine = [{ n: 1 }, { n: 2 }];
  const pool = new LocalPool({ initial: mine });
  const a = pool.acquire();
  const b = pool.acquire();
  throwsCode(() => pool.acquire(), ErrorCode.POOL_EXHAUSTED, /source has no more objects/);
  assert.is(pool.tryAcquire(), undefined);
  pool.release(a);
  assert.is(await pool.acquireAsync(), a);
  pool.release(b);
  pool.release(a);
  assert.is(pool.stats.idle, 2);
});

seeded('checked mode knows the initial objects: they are lent and released, and foreign ones are refused', () => {
  const mine = [{}, {}];
  const pool = new LocalPool<object>({ initial: mine, checked: true });
  const x = pool.acquire();
  assert.ok(mine.includes(x));
  pool.release(x);
  throwsCode(() => pool.release(x), ErrorCode.DOUBLE_RELEASE);
  throwsCode(() => pool.release({}), ErrorCode.FOREIGN_OBJECT);
});

seeded('initial must be an array of distinct objects within max and limit; a bigger one raises the default max', () => {
  const create = () => ({});
  assert.throws(() => new LocalPool({ create, initial: {} as unknown as object[] }), /option `initial` must be an array of objects, received an object/);
  assert.throws(() => new LocalPool({ create, initial: [{}, 3 as unknown as object] }), /option `initial` must hold objects, received 3 at index 1/);
  const o = {};
  assert.throws(() => new LocalPool({ create, initial: [o, {}, o] }), /holds one object twice \(at index 2 again\)/);
  assert.throws(() => new LocalPool({ create, initial: [Promise.resolve({})] }), /option `initial` holds at index 0 a promise/);
  assert.throws(() => new LocalPool({ create, initial: [{}, {}], prefill: 1, max: 2 }), /`prefill` \+ `initial.length` \(3\) must not exceed `max` \(2\)/);
  assert.throws(() => new LocalPool({ create, initial: [{}, {}], limit: 1 }), /`prefill` \+ `initial.length` \(2\) must not exceed `limit` \(1\)/);
  const big = new LocalPool({ create, initial: Array.from({ length: DEFAULT_MAX * 2 }, () => ({})) });
  assert.is(big.stats.idle, DEFAULT_MAX * 2);
});

seeded.run();

const limit = suite('LocalPool sizing: limit, the objects live at once');

limit('acquire at limit throws ERR_POOL_EXHAUSTED; tryAcquire returns undefined', () => {
  const pool = new LocalPool({ create: () => ({}), limit: 2 });
  const a = pool.acquire();
  pool.acquire();
  throwsCode(() => pool.acquire(), ErrorCode.POOL_EXHAUSTED);
  assert.is(pool.tryAcquire(), undefined);
  pool.release(a);
  assert.is(pool.tryAcquire(), a);
});

limit('the exhaustion message names the limit', () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1, name: 'scratch' });
  pool.acquire();
  try {
    pool.acquire();
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /scratch is exhausted: all 1 objects \(option `limit`\)/);
  }
});

limit.run();
