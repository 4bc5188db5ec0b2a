/**
 * SharedPool's front slot (shared-pool.ts's essay): the block of the last cold acquire, lent and
 * taken back without the cache while its owner word says this isolate holds it. What it must never
 * do: keep a block another isolate holds, swallow a double release, starve a waiter, or lose a block
 * on flush and close.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, SharedPool } from '../src/index.js';
import { inspectSharedPool } from '../src/shared/shared-pool.js';
import { thrownCode } from './helpers/errors.js';
import { owners, STRATEGIES } from './helpers/shared.js';

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool front slot (${strategy})`);
  const make = (blocks = 8): SharedPool => SharedPool.create({ blockSize: 16, blocks, cache: 4, strategy });
  /** Every block once: free on the shared list or idle in `pool`'s cache and front. */
  const allHome = (pool: SharedPool, blocks: number): void => {
    const s = pool.stats;
    assert.is(s.free + s.cachedHere, blocks, `free ${s.free} + cached ${s.cachedHere}`);
    assert.is(s.lentHere, 0);
  };

  test('a pair after the first acquire lends the same block again as a hit, tagged +id while lent and -id while idle', () => {
    const pool = make();
    const words = owners(pool);
    const b = pool.acquire();
    assert.is(words[b.index], pool.ownerId);
    pool.release(b);
    assert.is(words[b.index], -pool.ownerId);
    const hits = pool.stats.hits;
    for (let i = 0; i < 5; i++) {
      const again = pool.acquire();
      assert.is(again, b);
      assert.is(words[b.index], pool.ownerId);
      pool.release(again);
    }
    assert.is(pool.stats.hits, hits + 5);
    allHome(pool, 8);
  });

  test('nested use: the outer block keeps the front, the inner ones come from the cache, all distinct', () => {
    const pool = make();
    const outer = pool.acquire();
    const inner = [pool.acquire(), pool.acquire()];
    assert.equal(new Set([outer, ...inner].map((b) => b.index)).size, 3);
    for (const b of inner) pool.release(b);
    pool.release(outer);
    assert.is(pool.acquire(), outer, 'the front still serves the outer block');
    const again = pool.acquire();
    assert.ok(inner.includes(again), 'an inner block comes back from the cache');
    pool.release(again);
    pool.release(outer);
    allHome(pool, 8);
  });

  test('a second release of the idle front block is refused, and the block is lent once after it', () => {
    const pool = make();
    const b = pool.acquire();
    pool.release(b);
    assert.is(thrownCode(() => pool.release(b)), ErrorCode.DOUBLE_RELEASE);
    assert.is(thrownCode(() => pool.release(b.index)), ErrorCode.DOUBLE_RELEASE);
    const got = Array.from({ length: 8 }, () => pool.acquire());
    assert.equal(new Set(got.map((x) => x.index)).size, 8);
    assert.is(pool.tryAcquire(), undefined);
    for (const x of got) pool.release(x);
    allHome(pool, 8);
  });

  test('a front block released by another isolate and lent there: a stale release here is refused, the front never serves it', () => {
    const a = make();
    const other = SharedPool.attach(structuredClone(a.handle), { cache: 0 });
    const x = a.acquire();
    other.release(x.index); // handed over and released there
    // The other isolate lends blocks until it holds x again.
    const held = [];
    for (let i = 0; i < 8; i++) {
      const b = other.tryAcquire();
      if (b === undefined) break;
      held.push(b);
      if (b.index === x.index) break;
    }
    assert.ok(held.some((b) => b.index === x.index), 'the other isolate got the block');
    assert.is(thrownCode(() => a.release(x)), ErrorCode.DOUBLE_RELEASE);
    assert.is(owners(a)[x.index], other.ownerId, 'still the other isolate\'s');
    for (let i = 0; i < 6; i++) {
      const b = a.tryAcquire();
      if (b === undefined) break;
      assert.is.not(b.index, x.index, 'never lent here while the other isolate holds it');
      a.release(b);
    }
    for (const b of held) other.release(b);
    a.flush();
    assert.is(a.stats.free, 8);
  });

  test('a release while another isolate waits goes to the shared list and serves the waiter, not the front', async () => {
    const a = make(2);
    const other = SharedPool.attach(structuredClone(a.handle), { cache: 0 });
    const x = a.acquire();
    const y = a.acquire();
    const waited = other.acquireAsync({ timeout: 5_000 });
    // The waiter has counted itself (WAITERS) before acquireAsync returned its promise.
    assert.ok(other.stats.waiting >= 1);
    a.release(x);
    const got = await waited;
    assert.is(got.index, x.index);
    assert.is(owners(a)[x.index], other.ownerId);
    other.release(got);
    a.release(y);
    a.flush();
    assert.is(a.stats.free, 2);
  });

  test('flush and close send the idle front block back; after close nothing is lent here', () => {
    const pool = make();
    pool.release(pool.acquire());
    assert.ok(pool.stats.cachedHere >= 1);
    pool.flush();
    assert.is(pool.stats.cachedHere, 0);
    assert.is(pool.stats.free, 8);
    const b = pool.acquire();
    pool.release(b);
    pool.close();
    assert.is(pool.stats.free, 8);
    assert.is(thrownCode(() => pool.acquire()), ErrorCode.CLOSED);
    assert.is(thrownCode(() => pool.tryAcquire()), ErrorCode.CLOSED);
  });

  test('a block lent before close is released after it to the shared list, not into the front', () => {
    const pool = make();
    const b = pool.acquire();
    pool.close();
    pool.release(b);
    assert.is(owners(pool)[b.index], 0);
    assert.is(pool.stats.free, 8);
    assert.is(thrownCode(() => pool.release(b)), ErrorCode.DOUBLE_RELEASE);
  });

  test('stats.hits stays exact across the front counter\'s wrap at 2^30 and 2^31; the counter stays below 2^30', () => {
    const pool = make();
    pool.release(pool.acquire()); // a miss: binds the front
    for (const start of [2 ** 30 - 3, 2 ** 31 - 2]) {
      inspectSharedPool(pool).advanceFrontHits(start - pool.stats.hits);
      assert.is(pool.stats.hits, start);
      for (let i = 0; i < 6; i++) pool.release(i % 2 === 0 ? pool.acquire() : pool.tryAcquire()!);
      assert.is(pool.stats.hits, start + 6, `from ${start}`);
      assert.ok(inspectSharedPool(pool).frontHits < 2 ** 30);
    }
    allHome(pool, 8);
  });

  test.run();
}
