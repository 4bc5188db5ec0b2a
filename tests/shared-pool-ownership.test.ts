/**
 * SharedPool ownership, over every strategy: `adopt` takes over a block another isolate lent (its
 * release then stays here, after close too), and `reclaim` returns what a dead isolate held or
 * cached, waiter counts included.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { ErrorCode, PoolError, SharedPool } from '../src/index.js';
import { inspectSharedPool } from '../src/shared/shared-pool.js';
import { thrownCode } from './helpers/errors.js';
import { owners, SHARED_WORKER, STRATEGIES, waitingIs } from './helpers/shared.js';
import { CTL } from './workers/shared-worker.js';

for (const strategy of STRATEGIES) {
  for (const cache of [0, 4]) {
    const test = suite(`SharedPool ownership (${strategy}, cache ${cache})`);
    const make = (blocks = 8): SharedPool => SharedPool.create({ blockSize: 100, blocks, cache, strategy });

    test("adopt makes a handed-over block this attachment's, and its release stays here", () => {
      const a = make(4);
      const b = SharedPool.attach(a.handle, { cache });
      const x = a.acquire();
      const mine = b.adopt(x.index);
      assert.is(mine.index, x.index);
      assert.is(b.adopt(mine), mine);
      assert.is(b.stats.lentHere, 1);
      assert.is(a.stats.lentHere, 0);
      b.release(mine);
      assert.is(b.stats.lentHere, 0);
      assert.is(b.stats.free + b.stats.cachedHere, 4);
      assert.is(thrownCode(() => b.adopt(mine)), ErrorCode.DOUBLE_RELEASE);
    });

    test('reclaim returns every block another attachment held or cached, and only those', () => {
      const a = make(8);
      const dead = SharedPool.attach(a.handle, { cache });
      const mine = a.acquire();
      const held = [dead.acquire(), dead.acquire(), dead.acquire()];
      dead.release(held.pop()!);
      const tagged = Array.from(owners(a)).filter((w) => Math.abs(w) === dead.ownerId).length;
      assert.is(a.reclaim(dead.ownerId), tagged);
      assert.ok(tagged >= 2);
      assert.is(a.stats.free + a.stats.cachedHere, 7);
      assert.is(owners(a)[mine.index], a.ownerId);
      assert.is(a.reclaim(dead.ownerId), 0);
      a.release(mine);
      a.flush();
      assert.is(a.stats.free, 8);
      assert.ok(Array.from(owners(a)).every((w) => w === 0));
    });

    test.run();
  }
}

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool ownership: adopted blocks (${strategy})`);

  test('an adopted block released after close goes back to the shared list (regression: it went into the closed cache and was stranded as cached)', () => {
    const a = SharedPool.create({ blockSize: 64, blocks: 4, cache: 32, strategy });
    const b = SharedPool.attach(a.handle, { cache: 0 });
    const x = b.acquire();
    const mine = a.adopt(x.index);
    const lent = a.acquire();
    a.close();
    a.release(mine);
    a.release(lent);
    assert.is(owners(a)[x.index], 0);
    assert.is(b.stats.free, 4);
    assert.is(a.stats.cachedHere, 0);
    assert.is((() => {
      try {
        a.release(mine);
      } catch (e) {
        return (e as PoolError).code;
      }
      return 'none';
    })(), ErrorCode.DOUBLE_RELEASE);
  });

  test('adopted blocks released into the cache keep its lent count at zero (regression: the count went negative)', () => {
    const p = SharedPool.create({ blockSize: 64, blocks: 64, cache: 4, strategy });
    const q = SharedPool.attach(p.handle, { cache: 0 });
    for (let i = 0; i < 10; i++) p.release(p.adopt(q.acquire().index));
    assert.is(inspectSharedPool(p).cache!.stats.lent, 0);
    p.flush();
    assert.is(p.stats.free, 64);
  });

  test.run();
}

const dead = suite('SharedPool ownership: waiter counts of dead isolates');

dead('reclaim takes back the waiter count of a worker terminated inside acquireSync, and the cache works again (regression: WAITERS stayed up for good and every release in every isolate bypassed its cache)', async () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 2, cache: 32 });
  const held = [pool.acquire(), pool.acquire()];
  const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
  const worker = new Worker(SHARED_WORKER, { workerData: { mode: 'wait', handle: pool.handle, cache: 32, ctl, me: 0, timeout: 60_000 } });
  await waitingIs(pool, 1);
  // terminate() skips acquireSync's finally: the bug left WAITERS at 1 for good, and every release
  // in every isolate then bypassed its cache.
  await worker.terminate();
  assert.is(pool.stats.waiting, 1);
  assert.is(pool.reclaim(Atomics.load(ctl, CTL.ID)), 0);
  assert.is(pool.stats.waiting, 0);
  for (const b of held) pool.release(b);
  const before = pool.stats.hits;
  for (let i = 0; i < 100; i++) pool.release(pool.acquire());
  assert.ok(pool.stats.hits - before >= 99, `cache hits ${pool.stats.hits - before} of 100`);
});

dead.run();

const snapshot = suite('SharedPool ownership: owners() reads who holds what from the owner table');

snapshot('owners() lists { ownerId, lent, cached } for every isolate holding or caching blocks, by id; free and released blocks are nobody\'s', () => {
  for (const strategy of STRATEGIES) {
    const pool = SharedPool.create({ blockSize: 16, blocks: 64, cache: 8, strategy });
    const other = SharedPool.attach(pool.handle, { cache: 0 });
    const third = SharedPool.attach(pool.handle, { cache: 4 });
    assert.equal(pool.owners(), [], `${strategy}: a fresh pool`);
    const mine = [pool.acquire(), pool.acquire(), pool.acquire()];
    const theirs = [other.acquire(), other.acquire()];
    const want = [
      { ownerId: pool.ownerId, lent: 3, cached: pool.stats.cachedHere },
      { ownerId: other.ownerId, lent: 2, cached: 0 },
    ];
    assert.ok(want[0]!.cached > 0, 'the refill left blocks idle in the cache');
    assert.equal(pool.owners(), want, strategy);
    assert.equal(third.owners(), want, 'every attachment reads the same table');
    pool.release(mine.pop()!);
    other.release(theirs.pop()!);
    pool.flush();
    assert.equal(pool.owners(), [
      { ownerId: pool.ownerId, lent: 2, cached: 0 },
      { ownerId: other.ownerId, lent: 1, cached: 0 },
    ]);
    other.reclaim(pool.ownerId); // as if this isolate had died
    assert.equal(other.owners(), [{ ownerId: other.ownerId, lent: 1, cached: 0 }], `${strategy}: reclaimed blocks are nobody's`);
  }
});

snapshot.run();
