import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX, ErrorCode, LocalPool, PoolError } from '../src/index.js';

interface Obj {
  id: number;
  dirty: boolean;
}

function counter() {
  let next = 0;
  const disposed: Obj[] = [];
  return {
    create: (): Obj => ({ id: next++, dirty: false }),
    dispose: (o: Obj) => void disposed.push(o),
    disposed,
    get made() {
      return next;
    },
  };
}

function throwsCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, PoolError);
    assert.is((error as PoolError).code, code);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

const basics = suite('LocalPool basics');

basics('acquire makes an object with create when the pool is empty', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create });
  const a = pool.acquire();
  assert.equal(a, { id: 0, dirty: false });
  assert.is(c.made, 1);
});

basics('a released object is the next one acquired (owner slot)', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create });
  const a = pool.acquire();
  pool.release(a);
  assert.is(pool.acquire(), a);
  assert.is(c.made, 1);
});

basics('objects released together come back last-in first-out', () => {
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

basics('never lends one object to two holders at once', () => {
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

basics('stats count hits, misses, created, idle, lent and the high-water mark', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  pool.release(b);
  pool.acquire();
  const s = pool.stats;
  assert.equal(
    { hits: s.hits, misses: s.misses, created: s.created, idle: s.idle, lent: s.lent, highWater: s.highWater },
    { hits: 1, misses: 2, created: 2, idle: 1, lent: 1, highWater: 2 },
  );
  assert.is(s.discarded, 0);
  assert.is(s.waiting, 0);
});

basics('the high-water mark counts objects lent from a prefilled stack', () => {
  const pool = new LocalPool({ create: () => ({}), prefill: 4, max: 4 });
  assert.is(pool.stats.highWater, 0);
  const a = pool.acquire();
  const b = pool.acquire();
  assert.is(pool.stats.highWater, 2);
  pool.release(a);
  pool.release(b);
  pool.acquire();
  assert.is(pool.stats.highWater, 2);
  assert.is(pool.stats.created, 4);
});

basics('surplus over max is disposed', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 2 });
  const objs = [pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()];
  for (const o of objs) pool.release(o);
  assert.is(pool.stats.idle, 2);
  assert.equal(c.disposed, [objs[2], objs[3]]);
  assert.is(pool.stats.discarded, 2);
  assert.is(pool.stats.lent, 0);
});

basics('max: 0 retains nothing: every release disposes', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 0 });
  const a = pool.acquire();
  pool.release(a);
  assert.equal(c.disposed, [a]);
  assert.is.not(pool.acquire(), a);
  assert.is(pool.stats.idle, 0);
});

basics('default max is DEFAULT_MAX idle objects', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose });
  const objs = Array.from({ length: DEFAULT_MAX + 5 }, () => pool.acquire());
  for (const o of objs) pool.release(o);
  assert.is(pool.stats.idle, DEFAULT_MAX);
  assert.is(c.disposed.length, 5);
});

basics('prefill creates objects up front and lends them without create', () => {
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

basics('grow: n creates n objects on a miss, keeping the extra idle', () => {
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

basics("grow: 'double' doubles the live count on each miss", () => {
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

basics('growth never exceeds limit nor the room for idle objects', () => {
  const c = counter();
  const limited = new LocalPool({ create: c.create, grow: 10, limit: 3 });
  limited.acquire();
  assert.is(c.made, 3);
  const c2 = counter();
  const small = new LocalPool({ create: c2.create, grow: 10, max: 2 });
  small.acquire();
  assert.is(c2.made, 2); // one lent + max - 1 on the stack: the owner slot fills only on release
});

basics('acquire at limit throws ERR_POOL_EXHAUSTED; tryAcquire returns undefined', () => {
  const pool = new LocalPool({ create: () => ({}), limit: 2 });
  const a = pool.acquire();
  pool.acquire();
  throwsCode(() => pool.acquire(), ErrorCode.POOL_EXHAUSTED);
  assert.is(pool.tryAcquire(), undefined);
  pool.release(a);
  assert.is(pool.tryAcquire(), a);
});

basics('the exhaustion message names the limit', () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1, name: 'scratch' });
  pool.acquire();
  try {
    pool.acquire();
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /scratch is exhausted: all 1 objects \(option `limit`\)/);
  }
});

basics('tryAcquire serves the slot and the stack like acquire', () => {
  const pool = new LocalPool({ create: () => ({}) });
  const a = pool.tryAcquire()!;
  const b = pool.tryAcquire()!;
  pool.release(a);
  pool.release(b);
  assert.is(pool.tryAcquire(), a);
  assert.is(pool.tryAcquire(), b);
});

basics('create returning a non-object is a TypeError', () => {
  const pool = new LocalPool({ create: () => 42 as unknown as object });
  assert.throws(() => pool.acquire(), (e: Error) => e instanceof TypeError && /must return an object, returned 42/.test(e.message));
});

basics('an error from create propagates and leaves the counts balanced', () => {
  let n = 0;
  const pool = new LocalPool({
    create: () => {
      if (++n === 3) throw new Error('boom');
      return { n };
    },
    grow: 4,
  });
  assert.throws(() => pool.acquire(), /boom/);
  // the two made before the throw stay pooled and accounted
  assert.is(pool.stats.idle, 2);
  assert.is(pool.stats.created, 2);
  assert.is(pool.stats.lent, 0);
});

basics.run();

const release = suite('LocalPool release policy');

release('reset runs on every release', () => {
  const seen: Obj[] = [];
  const c = counter();
  const pool = new LocalPool<Obj>({ create: c.create, reset: (o) => void seen.push(o) });
  const a = pool.acquire();
  pool.release(a);
  pool.release(pool.acquire());
  assert.equal(seen, [a, a]);
  assert.is(pool.acquire(), a);
});

release('reset returning false discards and disposes the object; it is never lent again', () => {
  const c = counter();
  const pool = new LocalPool<Obj>({ create: c.create, dispose: c.dispose, reset: (o) => !o.dirty });
  const a = pool.acquire();
  a.dirty = true;
  pool.release(a);
  assert.equal(c.disposed, [a]);
  assert.is.not(pool.acquire(), a);
  assert.is(pool.stats.discarded, 1);
  assert.is(pool.stats.lent, 1);
});

release('reset throwing discards the object and rethrows', () => {
  const c = counter();
  const pool = new LocalPool<Obj>({
    create: c.create,
    dispose: c.dispose,
    reset: () => {
      throw new Error('bad reset');
    },
  });
  const a = pool.acquire();
  assert.throws(() => pool.release(a), /bad reset/);
  assert.equal(c.disposed, [a]);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.stats.idle, 0);
});

release('releasing the object already in the owner slot throws ERR_DOUBLE_RELEASE (always on)', () => {
  const pool = new LocalPool({ create: () => ({}), checked: false });
  const a = pool.acquire();
  pool.release(a);
  throwsCode(() => pool.release(a), ErrorCode.DOUBLE_RELEASE);
});

release('releasing the object on top of the stack throws ERR_DOUBLE_RELEASE (always on)', () => {
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

release('releasing undefined or null is a TypeError and changes nothing', () => {
  const pool = new LocalPool({ create: () => ({}) });
  pool.acquire();
  assert.throws(() => pool.release(undefined as unknown as object), TypeError);
  assert.throws(() => pool.release(null as unknown as object), /received null/);
  assert.is(pool.stats.lent, 1);
  assert.is(pool.stats.idle, 0);
});

release('releasing a primitive reaches the checked path as a TypeError', () => {
  const pool = new LocalPool({ create: () => ({}), checked: true });
  pool.acquire();
  assert.throws(() => pool.release(7 as unknown as object), (e: Error) => e instanceof TypeError && /received 7/.test(e.message));
});

release('checked mode: a second release of a lent object throws ERR_DOUBLE_RELEASE', () => {
  const pool = new LocalPool({ create: () => ({}), checked: true });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  pool.release(b);
  pool.acquire(); // b comes back out; a stays idle below it
  throwsCode(() => pool.release(a), ErrorCode.DOUBLE_RELEASE);
});

release('checked mode: an object the pool never made throws ERR_FOREIGN_OBJECT', () => {
  const pool = new LocalPool({ create: () => ({}), checked: true });
  pool.acquire();
  throwsCode(() => pool.release({}), ErrorCode.FOREIGN_OBJECT);
  const other = new LocalPool({ create: () => ({}), checked: true });
  throwsCode(() => pool.release(other.acquire()), ErrorCode.FOREIGN_OBJECT);
});

release('checked mode still lends LIFO and reuses objects', () => {
  let made = 0;
  const pool = new LocalPool({ create: () => ({ n: made++ }), checked: true });
  const a = pool.acquire();
  pool.release(a);
  assert.is(pool.acquire(), a);
  assert.is(made, 1);
});

release('checked mode can be switched on by ISOPOOL_CHECKED=1', () => {
  const before = process.env['ISOPOOL_CHECKED'];
  process.env['ISOPOOL_CHECKED'] = '1';
  try {
    const pool = new LocalPool({ create: () => ({}) });
    throwsCode(() => pool.release({}), ErrorCode.FOREIGN_OBJECT);
    const explicit = new LocalPool({ create: () => ({}), checked: false });
    explicit.acquire();
    explicit.release({}); // unchecked: accepted (documented limitation)
    assert.is(explicit.stats.idle, 1);
  } finally {
    if (before === undefined) delete process.env['ISOPOOL_CHECKED'];
    else process.env['ISOPOOL_CHECKED'] = before;
  }
});

release('soft retention keeps surplus objects through WeakRefs and revives them', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 1, soft: true });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  pool.release(b); // over max: held softly, not disposed
  assert.is(c.disposed.length, 0);
  assert.is(pool.stats.soft, 1);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.acquire(), a);
  assert.is(pool.acquire(), b); // revived, not created
  assert.is(c.made, 2);
  assert.is(pool.stats.lent, 2);
});

release('soft retention is bounded: past its cap surplus is disposed', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 1, soft: true });
  const held = Array.from({ length: 20 }, () => pool.acquire());
  for (const o of held) pool.release(o);
  // max 1 idle + 8 soft (cap = max(8, max * 8)); the rest are disposed
  assert.is(pool.stats.idle, 1);
  assert.is(pool.stats.soft, 8);
  assert.is(c.disposed.length, 11);
});

release('soft objects respect limit when revived', () => {
  const pool = new LocalPool({ create: () => ({}), max: 0, soft: true, limit: 1 });
  const a = pool.acquire();
  pool.release(a);
  assert.is(pool.stats.soft, 1);
  assert.is(pool.acquire(), a);
  assert.is(pool.tryAcquire(), undefined);
});

release.run();

const lifecycle = suite('LocalPool trim and close');

lifecycle('trim(keep) disposes idle objects beyond keep, oldest first', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose });
  const objs = [pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()];
  for (const o of objs) pool.release(o);
  assert.is(pool.trim(1), 3);
  assert.is(pool.stats.idle, 1);
  assert.equal(c.disposed, [objs[1], objs[2], objs[3]]);
  assert.is(pool.acquire(), objs[0]);
});

lifecycle('trim() with no argument empties the pool, slot included', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose });
  const a = pool.acquire();
  pool.release(a);
  assert.is(pool.trim(), 1);
  assert.equal(c.disposed, [a]);
  assert.is(pool.stats.idle, 0);
  assert.is.not(pool.acquire(), a);
});

lifecycle('close disposes idle objects and later acquires throw ERR_CLOSED', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  pool.close();
  assert.equal(c.disposed, [a]);
  assert.ok(pool.closed);
  throwsCode(() => pool.acquire(), ErrorCode.CLOSED);
  throwsCode(() => pool.tryAcquire(), ErrorCode.CLOSED);
  // an object lent before close is disposed when it comes back
  pool.release(b);
  assert.equal(c.disposed, [a, b]);
  assert.is(pool.stats.lent, 0);
  pool.close(); // idempotent
  assert.is(c.disposed.length, 2);
});

lifecycle('close disposes softly retained objects that are still alive', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 0, soft: true });
  const a = pool.acquire();
  pool.release(a);
  pool.close();
  assert.equal(c.disposed, [a]);
});

lifecycle('a throwing dispose does not stop close from disposing the rest', () => {
  const disposed: object[] = [];
  const pool = new LocalPool<{ bad: boolean }>({
    create: () => ({ bad: false }),
    dispose: (o) => {
      disposed.push(o);
      if (o.bad) throw new Error('dispose failed');
    },
  });
  const objs = [pool.acquire(), pool.acquire(), pool.acquire()];
  objs[0]!.bad = true;
  objs[1]!.bad = true;
  for (const o of objs) pool.release(o);
  assert.throws(() => pool.close(), (e: Error) => e instanceof AggregateError && e.errors.length === 2);
  assert.is(disposed.length, 3);
  const single = new LocalPool({ create: () => ({}), dispose: () => { throw new Error('only one'); } });
  single.release(single.acquire());
  assert.throws(() => single.close(), /only one/);
});

lifecycle.run();

const batch = suite('LocalPool batch sources');

batch('createBatch refills several objects in one call', () => {
  const calls: number[] = [];
  let next = 0;
  const pool = new LocalPool<{ n: number }>({
    createBatch: (n, out) => {
      calls.push(n);
      for (let i = 0; i < n; i++) out[i] = { n: next++ };
      return n;
    },
    grow: 8,
  });
  const seen = new Set<object>();
  for (let i = 0; i < 8; i++) seen.add(pool.acquire());
  assert.equal(calls, [8]);
  assert.is(seen.size, 8);
  pool.acquire();
  assert.equal(calls, [8, 8]);
});

batch('createBatch returning 0 means exhausted', () => {
  const pool = new LocalPool<object>({ createBatch: () => 0 });
  assert.is(pool.tryAcquire(), undefined);
  try {
    pool.acquire();
    assert.unreachable();
  } catch (error) {
    assert.is((error as PoolError).code, ErrorCode.POOL_EXHAUSTED);
    assert.match((error as Error).message, /source has no more objects/);
  }
});

batch('disposeBatch takes the older half of the stack when a release overflows', () => {
  const spilled: object[][] = [];
  const pool = new LocalPool<{ n: number }>({ create: (() => { let n = 0; return () => ({ n: n++ }); })(), max: 5, disposeBatch: (objs) => void spilled.push([...objs]) });
  const objs = Array.from({ length: 6 }, () => pool.acquire());
  for (const o of objs) pool.release(o);
  // slot = objs[0]; stack = [1,2,3,4] full; releasing objs[5] spills [1,2] and keeps [3,4,5]
  assert.equal(spilled, [[objs[1], objs[2]]]);
  assert.is(pool.stats.idle, 4);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.stats.discarded, 0);
  assert.is(pool.acquire(), objs[0]);
  assert.is(pool.acquire(), objs[5]);
});

batch.run();
