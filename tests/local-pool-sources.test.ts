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

batch('disposeBatch takes the older half of the stack when a release overflows, and counts it discarded (regression: spilled objects were not counted)', () => {
  const spilled: object[][] = [];
  const pool = new LocalPool<{ n: number }>({ create: (() => { let n = 0; return () => ({ n: n++ }); })(), max: 5, disposeBatch: (objs) => void spilled.push([...objs]) });
  const objs = Array.from({ length: 6 }, () => pool.acquire());
  for (const o of objs) pool.release(o);
  // slot = objs[0]; stack = [1,2,3,4] full; releasing objs[5] spills [1,2] and keeps [3,4,5]
  assert.equal(spilled, [[objs[1], objs[2]]]);
  const s = pool.stats;
  assert.equal({ created: s.created, discarded: s.discarded, idle: s.idle, lent: s.lent }, { created: 6, discarded: 2, idle: 4, lent: 0 });
  assert.is(pool.acquire(), objs[0]);
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
