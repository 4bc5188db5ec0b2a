/**
 * LocalPool sources: where objects come from (`create`, `createBatch`) and where a batch source's
 * objects go back (`disposeBatch`), including what a throwing or empty source leaves behind.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, LocalPool, PoolError } from '../src/index.js';

const create = suite('LocalPool sources: create');

create('create returning a non-object is a TypeError', () => {
  const pool = new LocalPool({ create: () => 42 as unknown as object });
  assert.throws(() => pool.acquire(), (e: Error) => e instanceof TypeError && /must return an object, returned 42/.test(e.message));
});

create('an async create is refused with a TypeError that points to an async pool (regression: the Promise was pooled and acquire() returned it)', async () => {
  const pool = new LocalPool<object>({ create: (async () => ({})) as unknown as () => object });
  assert.throws(() => pool.acquire(), (e: Error) => e instanceof TypeError && /`create` returned a promise .*async pool \(ResourcePool\)/.test(e.message));
  const thenable = new LocalPool<object>({ create: () => ({ then() {} }) });
  assert.throws(() => thenable.acquire(), TypeError);
  assert.equal([pool.stats.created, pool.stats.lent, thenable.stats.created], [0, 0, 0]);
  await Promise.resolve();
});

create('checked mode refuses a create that returns an object the pool already holds (regression: one object was lent to two holders)', () => {
  const shared = {};
  const pool = new LocalPool<object>({ create: () => shared, checked: true });
  const a = pool.acquire();
  assert.throws(() => pool.acquire(), (e: Error) => e instanceof TypeError && /`create` gave an object this pool already holds/.test(e.message));
  assert.equal([pool.stats.created, pool.stats.lent], [1, 1]);
  pool.release(a);
});

create('an error from create propagates and leaves the counts balanced', () => {
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

create.run();

const batch = suite('LocalPool sources: createBatch and disposeBatch');

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

batch('createBatch returning more than asked is a RangeError and nothing is taken, so limit holds (regression: the surplus was pooled past limit)', () => {
  const pool = new LocalPool<object>({
    createBatch: (n, out) => {
      for (let i = 0; i < n + 3; i++) out[i] = {};
      return n + 3;
    },
    limit: 2,
  });
  assert.throws(() => pool.acquire(), (e: Error) => e instanceof RangeError && /`createBatch\(1, out\)` must return how many objects it made, an integer from 0 to 1, returned 4/.test(e.message));
  assert.equal([pool.stats.created, pool.stats.idle, pool.stats.lent], [0, 0, 0]);
});

batch('createBatch returning a count that is not an integer from 0 to n is a RangeError', () => {
  for (const bad of [-1, 0.5, NaN, '1', undefined, Infinity]) {
    const pool = new LocalPool<object>({ createBatch: (_n, out) => ((out[0] = {}), bad as number) });
    assert.throws(() => pool.acquire(), RangeError, `createBatch returning ${String(bad)}`);
    assert.is(pool.stats.created, 0);
  }
});

batch('createBatch putting a primitive or a promise in out is a TypeError; the objects before it stay pooled (regression: primitives were lent)', () => {
  for (const bad of [7, null, 'x', Promise.resolve({})]) {
    const pool = new LocalPool<object>({
      createBatch: (n, out) => {
        out[0] = { ok: true };
        out[1] = bad as object;
        return Math.min(n, 2);
      },
      grow: 2,
    });
    assert.throws(() => pool.acquire(), (e: Error) => e instanceof TypeError && /`createBatch` .*out\[1\]/.test(e.message));
    assert.equal([pool.stats.created, pool.stats.idle], [1, 1]);
    assert.equal(pool.acquire(), { ok: true });
  }
});

batch('checked mode refuses a batch with one object twice (the second is idle in the pool); one it lent may come back through the source, as a block another isolate released comes back to a SharedPool cache under ISOPOOL_CHECKED=1', () => {
  const o = {};
  const twice = new LocalPool<object>({ createBatch: (_n, out) => ((out[0] = o), (out[1] = o), 2), grow: 2, checked: true });
  assert.throws(() => twice.acquire(), /`createBatch` gave an object this pool already holds/);
  assert.equal([twice.stats.created, twice.stats.idle], [1, 1]);
  const idle = { n: 1 };
  const again = new LocalPool<object>({ createBatch: (_n, out) => ((out[0] = idle), 1), checked: true });
  const lent = again.acquire();
  assert.is(again.acquire(), lent, 'the lent object came back through the source and is lent again');
  again.release(lent);
  assert.throws(() => again.release(lent), /not lent/, 'and it is lent once, not twice');
});

batch('disposeBatch takes the older half of the stack when a release overflows, and counts it discarded (regression: spilled objects were not counted)', () => {
  const spilled: object[][] = [];
  const pool = new LocalPool<{ n: number }>({ create: (() => { let n = 0; return () => ({ n: n++ }); })(), max: 5, disposeBatch: (objs) => void spilled.push([...objs]), checked: false });
  const objs = Array.from({ length: 6 }, () => pool.acquire());
  for (const o of objs) pool.release(o);
  // stack = [0,1,2,3] full, so objs[4] fills the slot; releasing objs[5] spills [0,1] and keeps [2,3,5]
  assert.equal(spilled, [[objs[0], objs[1]]]);
  const s = pool.stats;
  assert.equal({ created: s.created, discarded: s.discarded, idle: s.idle, lent: s.lent }, { created: 6, discarded: 2, idle: 4, lent: 0 });
  assert.is(pool.acquire(), objs[4]);
  assert.is(pool.acquire(), objs[5]);
});

batch('a throwing disposeBatch leaves the released object idle and nothing counted as lent (regression: the object was lost and stayed counted as lent)', () => {
  const pool = new LocalPool<object>({
    create: () => ({}),
    max: 2,
    disposeBatch: () => {
      throw new Error('spill failed');
    },
  });
  const objs = [pool.acquire(), pool.acquire(), pool.acquire()];
  pool.release(objs[0]!);
  pool.release(objs[1]!);
  assert.throws(() => pool.release(objs[2]!), /spill failed/);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.stats.idle, 2);
});

batch("trim, close and a reset that rejects hand a batch source's objects back through disposeBatch (regression: trim and close disposed them instead)", () => {
  const home: object[] = [];
  const pool = new LocalPool<object>({ create: () => ({}), disposeBatch: (objs) => void home.push(...objs) });
  const objs = [pool.acquire(), pool.acquire(), pool.acquire()];
  for (const o of objs) pool.release(o);
  assert.is(pool.trim(1), 2);
  assert.is(home.length, 2);
  pool.close();
  assert.is(home.length, 3);
  assert.equal(new Set(home), new Set(objs));
  const rejecting = new LocalPool<object>({ create: () => ({}), reset: () => false, disposeBatch: (objs) => void home.push(...objs) });
  const r = rejecting.acquire();
  rejecting.release(r);
  assert.is(home.at(-1), r);
});

batch.run();
