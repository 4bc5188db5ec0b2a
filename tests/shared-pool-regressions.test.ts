/**
 * Regression tests for bugs a review found in SharedPool (2026-11-21), each named after its bug.
 * Another isolate's operations are injected at the exact point of a race (what a second thread can
 * do at any time), so the interleaving is forced rather than hoped for; no sleeps, no timings.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { ErrorCode, PoolError, SharedPool, type Block, type Strategy } from '../src/index.js';
import { H, WAITER_SLOTS } from '../src/shared/layout.js';
import { inspectSharedPool } from '../src/shared/shared-pool.js';
import { CTL } from './workers/shared-worker.js';

const WORKER = new URL('./workers/shared-worker.js', import.meta.url);

const STRATEGIES: Strategy[] = ['mutex', 'treiber', 'mpmc', 'bitmap'];


function owners(pool: SharedPool): Int32Array {
  const a = new Int32Array(pool.handle.sab);
  return a.subarray(a[H.OWNER_OFFSET]! >> 2, (a[H.OWNER_OFFSET]! >> 2) + pool.blocks);
}

async function outcome(p: Promise<Block>): Promise<number | string> {
  return p.then(
    (b) => b.index,
    (e: unknown) => (e instanceof PoolError ? e.code : String(e)),
  );
}

/**
 * Makes the waiter's first two shared pops race another isolate `x` that holds one block: x takes
 * the free block before the pop (FREE_COUNT 1 -> 0), then frees its other one after (0 -> 1). With
 * FREE_COUNT as the futex word the waiter slept on the value it had read, 1, and missed the release.
 */
function injectAba(w: SharedPool, x: SharedPool): void {
  const xb = [x.acquire()];
  const free = inspectSharedPool(w).freeList;
  const orig = free.pop.bind(free);
  let calls = 0;
  free.pop = (n, out, tag) => {
    if (++calls > 2) return orig(n, out, tag);
    const stolen = x.acquire();
    const r = orig(n, out, tag);
    x.release(xb.shift()!);
    xb.push(stolen);
    return r;
  };
}

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool regressions (${strategy})`);

  test('lost wake-up: acquireSync sleeps on the push generation, so a free count going 1 -> 0 -> 1 before it sleeps cannot hide a release', () => {
    const w = SharedPool.create({ blockSize: 64, blocks: 2, cache: 0, strategy });
    const x = SharedPool.attach(w.handle, { cache: 0 });
    injectAba(w, x);
    // The bug made the waiter sleep through its whole timeout with a block free, then find it on
    // the retry: record how each sleep ended instead of timing it.
    const results: string[] = [];
    const wait = Atomics.wait;
    (Atomics as { wait: unknown }).wait = (ta: Int32Array, at: number, value: number, timeout?: number): string => {
      const r = wait(ta, at, value, timeout);
      results.push(r);
      return r;
    };
    let b: Block;
    try {
      b = w.acquireSync({ timeout: 500 });
    } finally {
      Atomics.wait = wait;
    }
    assert.is(owners(w)[b.index], w.ownerId);
    assert.not.ok(results.includes('timed-out'), `a sleep ran out its timeout with a block free: ${results.join(', ')}`);
  });

  test('lost wake-up: acquireAsync arms on the push generation, so a free count going 1 -> 0 -> 1 before it arms cannot hide a release', async () => {
    const w = SharedPool.create({ blockSize: 64, blocks: 2, cache: 4, strategy });
    const x = SharedPool.attach(w.handle, { cache: 0 });
    injectAba(w, x);
    const got = await outcome(w.acquireAsync({ timeout: 2_000 }));
    assert.type(got, 'number');
    assert.is(owners(w)[got as number], w.ownerId);
  });

  test('stale waitAsync arm: a new async waiter re-tries after counting itself, even while a wait armed for timed-out waiters is pending', async () => {
    const w = SharedPool.create({ blockSize: 64, blocks: 1, cache: 0, strategy });
    const x = SharedPool.attach(w.handle, { cache: 0 });
    const only = x.acquire();
    assert.is(await outcome(w.acquireAsync({ timeout: 1 })), ErrorCode.TIMEOUT);
    assert.ok(inspectSharedPool(w).waiting.armed, 'the timed-out waiter left its wait armed');
    // x releases between the new waiter's failed try and its WAITERS increment: WAITERS is 0, so
    // the push notifies nobody. The bug: the armed isolate skipped its re-check and timed out.
    const orig = w.tryAcquire.bind(w);
    let inject = true;
    w.tryAcquire = () => {
      const r = orig();
      if (r === undefined && inject) {
        inject = false;
        x.release(only);
      }
      return r;
    };
    assert.is(await outcome(w.acquireAsync({ timeout: 2_000 })), only.index);
  });

  test('woken waiter hoards a batch: two releases serve two waiting isolates one block each, none refilled into a cache', async () => {
    const a = SharedPool.create({ blockSize: 64, blocks: 64, cache: 0, strategy });
    const held = Array.from({ length: 64 }, () => a.acquire());
    const b = SharedPool.attach(a.handle, { cache: 32 });
    const c = SharedPool.attach(a.handle, { cache: 32 });
    const pb = outcome(b.acquireAsync({ timeout: 2_000 }));
    const pc = outcome(c.acquireAsync({ timeout: 2_000 }));
    a.release(held.pop()!);
    a.release(held.pop()!);
    const [rb, rc] = await Promise.all([pb, pc]);
    assert.type(rb, 'number');
    assert.type(rc, 'number');
    assert.is(owners(a)[rb as number], b.ownerId);
    assert.is(owners(a)[rc as number], c.ownerId);
    assert.is(b.stats.cachedHere + c.stats.cachedHere, 0);
    assert.is(b.stats.waiting, 0);
  });

  test('woken waiter hoards a batch: acquireSync takes exactly one block, tagged as lent, never a cache refill', () => {
    const a = SharedPool.create({ blockSize: 64, blocks: 64, cache: 0, strategy });
    const held = Array.from({ length: 64 }, () => a.acquire());
    const b = SharedPool.attach(a.handle, { cache: 32 });
    // Free two blocks while b's first try runs: b is then counted as a waiter and serves itself.
    const free = inspectSharedPool(b).freeList;
    const orig = free.pop.bind(free);
    let first = true;
    free.pop = (n, out, tag) => {
      const r = orig(n, out, tag);
      if (first) {
        first = false;
        a.release(held.pop()!);
        a.release(held.pop()!);
      }
      return r;
    };
    const got = b.acquireSync({ timeout: 2_000 });
    assert.is(owners(a)[got.index], b.ownerId);
    assert.is(b.stats.cachedHere, 0);
    assert.is(a.stats.free, 1);
  });

  test('adopted block released after close: it goes back to the shared list instead of being stranded as cached', () => {
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

  test('adopted blocks released into the cache keep its lent count at zero, never negative', () => {
    const p = SharedPool.create({ blockSize: 64, blocks: 64, cache: 4, strategy });
    const q = SharedPool.attach(p.handle, { cache: 0 });
    for (let i = 0; i < 10; i++) p.release(p.adopt(q.acquire().index));
    assert.is(inspectSharedPool(p).cache!.stats.lent, 0);
    p.flush();
    assert.is(p.stats.free, 64);
  });

  test('one-word hot release: once another isolate\'s pop came back short, a cached isolate\'s release feeds the shared list, and caching resumes after a push', () => {
    const a = SharedPool.create({ blockSize: 64, blocks: 8, cache: 4, strategy });
    const b = SharedPool.attach(a.handle, { cache: 0 });
    const x = a.acquire();
    const y = a.acquire();
    const rest: Block[] = [];
    for (let got = b.tryAcquire(); got !== undefined; got = b.tryAcquire()) rest.push(got);
    assert.is(rest.length + a.stats.cachedHere, 6);
    a.flush();
    while (rest.length < 6) rest.push(b.acquire());
    assert.is(b.tryAcquire(), undefined, 'the short pop marks the list dry');
    a.release(x);
    assert.is(a.stats.cachedHere, 0);
    assert.is(b.tryAcquire()?.index, x.index, 'the release went to the shared list');
    b.release(rest.pop()!);
    a.release(y);
    assert.is(a.stats.cachedHere, 1, 'a push cleared the flag: caching again');
  });

  test.run();
}

const waiters = suite('SharedPool regressions (waiter counts)');

waiters('terminated waiter keeps WAITERS up: reclaim takes back the count of a worker killed inside acquireSync, and the cache works again', async () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 2, cache: 32 });
  const held = [pool.acquire(), pool.acquire()];
  const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
  const worker = new Worker(WORKER, { workerData: { mode: 'wait', handle: pool.handle, cache: 32, ctl, me: 0, timeout: 60_000 } });
  while (pool.stats.waiting !== 1) await new Promise((resolve) => setImmediate(resolve));
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

waiters('with every waiter slot taken, a waiter still waits and times out cleanly (untracked)', async () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 1, cache: 4 });
  const a = new Int32Array(pool.handle.sab);
  const only = pool.acquire();
  for (let k = 0; k < WAITER_SLOTS; k++) a[H.WAITER_TABLE + 2 * k] = 1000 + k;
  assert.is(await outcome(pool.acquireAsync({ timeout: 1 })), ErrorCode.TIMEOUT);
  assert.is(pool.stats.waiting, 0);
  a[H.WAITER_TABLE] = 0;
  const w = pool.acquireAsync({ timeout: 2_000 });
  assert.is(a[H.WAITER_TABLE], pool.ownerId);
  assert.is(a[H.WAITER_TABLE + 1], 1);
  pool.release(only);
  assert.is(await outcome(w), only.index);
  assert.is(a[H.WAITER_TABLE], 0);
  assert.is(a[H.WAITER_TABLE + 1], 0);
  assert.is(pool.stats.waiting, 0);
});

waiters.run();
