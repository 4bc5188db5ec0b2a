/**
 * SharedPool waiting: acquireSync (Atomics.wait) and acquireAsync (one shared Atomics.waitAsync per
 * isolate) over every strategy: timeouts, aborts, close, wake-ups from other isolates and workers; the
 * races a wake-up must survive (lost wake-ups, stale arms, hoarding waiters), forced by injecting
 * another isolate's operation at the exact point of the race through inspectSharedPool, never by
 * timing; and waiting where Atomics.wait or waitAsync is missing, or the waiter table is full.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { ErrorCode, PoolError, SharedPool, type Block } from '../src/index.js';
import { H, WAITER_SLOTS } from '../src/shared/layout.js';
import { inspectSharedPool } from '../src/shared/shared-pool.js';
import { blockOutcome, rejection } from './helpers/async.js';
import { thrownCode } from './helpers/errors.js';
import { exited, owners, SHARED_WORKER, STRATEGIES, waitingIs, wordAtLeast } from './helpers/shared.js';
import { CTL } from './workers/shared-worker.js';

/**
 * Makes the waiter's first two shared pops race another isolate `x` that holds one block: x takes
 * the free block before the pop (FREE_COUNT 1 -> 0), then frees its other one after (0 -> 1). With
 * FREE_COUNT as the futex word the waiter slept on the value it had read, 1, and missed the release.
 */
function injectAba(w: SharedPool, x: SharedPool): void {
  const xb = [x.acquire()];
  const free = inspectSharedPool(w).free;
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
  for (const cache of [0, 4]) {
    const test = suite(`SharedPool waiting (${strategy}, cache ${cache})`);
    const make = (blocks = 8): SharedPool => SharedPool.create({ blockSize: 100, blocks, cache, strategy });

    test('acquireSync and acquireAsync time out with ERR_TIMEOUT when nothing is released', async () => {
      const pool = make(1);
      const only = pool.acquire();
      assert.is(thrownCode(() => pool.acquireSync({ timeout: 1 })), ErrorCode.TIMEOUT);
      const e = await rejection(pool.acquireAsync({ timeout: 1 }));
      assert.is((e as PoolError).code, ErrorCode.TIMEOUT);
      assert.is(pool.stats.waiting, 0);
      pool.release(only);
      assert.is(pool.acquireSync({ timeout: 0 }).index, only.index);
    });

    test('a release from another attachment wakes an async waiter with that block', async () => {
      const a = make(2);
      const b = SharedPool.attach(a.handle, { cache });
      const held = [a.acquire(), a.acquire()];
      const waiting = b.acquireAsync();
      const second = b.acquireAsync({ timeout: 60_000 });
      assert.is(b.stats.waiting, 2);
      a.release(held[1]!);
      const got = await waiting;
      assert.is(got.index, held[1]!.index);
      a.release(held[0]!);
      assert.is((await second).index, held[0]!.index);
      assert.is(b.stats.waiting, 0);
    });

    test('an abort signal rejects a waiter with its reason, and the block goes to the next', async () => {
      const pool = make(1);
      const only = pool.acquire();
      const ac = new AbortController();
      const first = pool.acquireAsync({ signal: ac.signal });
      const second = pool.acquireAsync();
      ac.abort(new Error('stop'));
      assert.is(((await rejection(first)) as Error).message, 'stop');
      assert.is(((await rejection(pool.acquireAsync({ signal: ac.signal }))) as Error).message, 'stop');
      pool.release(only);
      assert.is((await second).index, only.index);
    });

    test('close rejects async waiters with ERR_CLOSED', async () => {
      const pool = make(1);
      pool.acquire();
      const w = pool.acquireAsync();
      pool.close();
      assert.is(((await rejection(w)) as PoolError).code, ErrorCode.CLOSED);
      assert.is(((await rejection(pool.acquireAsync())) as PoolError).code, ErrorCode.CLOSED);
    });

    test('a worker blocked in acquireSync is woken by a release here and gets the block', async () => {
      const pool = make(2);
      const held = [pool.acquire(), pool.acquire()];
      held[0]!.bytes[0] = 42;
      const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
      // A short timeout: a release that fails to wake the sleeper shows as ERR_TIMEOUT, not a hang.
      const worker = new Worker(SHARED_WORKER, { workerData: { mode: 'wait', handle: pool.handle, cache, ctl, me: 0, timeout: 2_000 } });
      const message = new Promise<{ index?: number; byte?: number; error?: string }>((resolve) => worker.once('message', resolve));
      await wordAtLeast(ctl, CTL.READY, 1);
      // Release only once the worker counts as waiting (past its last try, about to sleep or asleep),
      // so the block can reach it only through the wake-up.
      await waitingIs(pool, 1);
      pool.release(held[0]!);
      const got = await message;
      assert.is(got.error, undefined);
      assert.is(got.index, held[0]!.index);
      assert.is(got.byte, 42);
      await exited(worker);
      const id = Atomics.load(ctl, CTL.ID);
      assert.is(pool.reclaim(id), 1);
    });

    test.run();
  }
}

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool waiting: races with other isolates (${strategy})`);

  test('a woken async waiter takes a block idle in its own cache before asking the shared list', async () => {
    const w = SharedPool.create({ blockSize: 64, blocks: 64, cache: 32, strategy });
    const x = SharedPool.attach(w.handle, { cache: 0 });
    const held = Array.from({ length: 64 }, () => x.acquire());
    const waiting = w.acquireAsync({ timeout: 10_000 });
    assert.is(w.stats.waiting, 1);
    for (const b of held.splice(0, 16)) x.release(b);
    // Before the wake-up is delivered, a plain acquire here refills a batch (8: an eighth of the pool).
    const mine = w.acquire();
    assert.is(w.stats.cachedHere, 7);
    const free = w.stats.free;
    const b = await waiting;
    assert.is(w.stats.free, free, 'the waiter was served from the shared list, not the cache');
    assert.is(w.stats.cachedHere, 6);
    assert.is(owners(w)[b.index], w.ownerId);
    assert.ok(b.index !== mine.index);
    w.release(b);
    w.release(mine);
    for (const h of held) x.release(h);
    w.flush();
    assert.is(w.stats.free, 64);
  });

  test('a wake-up that reaches an isolate whose waiters have left is passed on to a waiter of another attachment', async () => {
    const w = SharedPool.create({ blockSize: 64, blocks: 1, cache: 0, strategy });
    const only = w.acquire();
    const ac = new AbortController();
    const gone = w.acquireAsync({ signal: ac.signal });
    assert.ok(inspectSharedPool(w).waiting.armed, 'the async waiter armed a waitAsync');
    ac.abort(new Error('gone'));
    assert.is(((await rejection(gone)) as Error).message, 'gone');
    assert.ok(inspectSharedPool(w).waiting.armed, 'the wait stays armed after its waiter left');
    // The worker's waitAsync is armed after this isolate's stale one, so the release's one notify
    // reaches the stale one first: the worker gets the block only if that wake-up is passed on. A
    // short timeout makes a swallowed wake-up show as ERR_TIMEOUT, not a hang.
    const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
    const worker = new Worker(SHARED_WORKER, { workerData: { mode: 'waitAsync', handle: w.handle, cache: 0, ctl, me: 0, timeout: 3_000 } });
    const message = new Promise<{ index?: number; error?: string }>((resolve) => worker.once('message', resolve));
    await wordAtLeast(ctl, CTL.ARMED, 1);
    assert.is(Atomics.load(ctl, CTL.ARMED), 1, 'the worker was served before it waited');
    w.release(only);
    const got = await message;
    assert.is(got.error, undefined);
    assert.is(got.index, only.index);
    await worker.terminate();
    assert.is(w.reclaim(Atomics.load(ctl, CTL.ID)), 1);
  });

  test('acquireSync sleeps on the push generation (regression: a free count going 1 -> 0 -> 1 before it slept hid a release, a lost wake-up)', () => {
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

  test('acquireAsync arms on the push generation (regression: a free count going 1 -> 0 -> 1 before it armed hid a release, a lost wake-up)', async () => {
    const w = SharedPool.create({ blockSize: 64, blocks: 2, cache: 4, strategy });
    const x = SharedPool.attach(w.handle, { cache: 0 });
    injectAba(w, x);
    const got = await blockOutcome(w.acquireAsync({ timeout: 2_000 }));
    assert.type(got, 'number');
    assert.is(owners(w)[got as number], w.ownerId);
  });

  test('a new async waiter re-tries after counting itself, even while a wait armed for timed-out waiters is pending (regression: a stale waitAsync arm skipped the re-check, and a release in that gap was missed)', async () => {
    const w = SharedPool.create({ blockSize: 64, blocks: 1, cache: 0, strategy });
    const x = SharedPool.attach(w.handle, { cache: 0 });
    const only = x.acquire();
    assert.is(await blockOutcome(w.acquireAsync({ timeout: 1 })), ErrorCode.TIMEOUT);
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
    assert.is(await blockOutcome(w.acquireAsync({ timeout: 2_000 })), only.index);
  });

  test('two releases serve two waiting isolates one block each, none refilled into a cache (regression: a woken waiter hoarded a batch)', async () => {
    const a = SharedPool.create({ blockSize: 64, blocks: 64, cache: 0, strategy });
    const held = Array.from({ length: 64 }, () => a.acquire());
    const b = SharedPool.attach(a.handle, { cache: 32 });
    const c = SharedPool.attach(a.handle, { cache: 32 });
    const pb = blockOutcome(b.acquireAsync({ timeout: 2_000 }));
    const pc = blockOutcome(c.acquireAsync({ timeout: 2_000 }));
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

  test('a woken acquireSync takes exactly one block, tagged as lent, never a cache refill (regression: a woken waiter hoarded a batch)', () => {
    const a = SharedPool.create({ blockSize: 64, blocks: 64, cache: 0, strategy });
    const held = Array.from({ length: 64 }, () => a.acquire());
    const b = SharedPool.attach(a.handle, { cache: 32 });
    // Free two blocks while b's first try runs: b is then counted as a waiter and serves itself.
    const free = inspectSharedPool(b).free;
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

  test.run();
}

const env = suite('SharedPool waiting: arguments, environments and the waiter table');

env('acquireAsync rejects a bad timeout instead of throwing', async () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 1 });
  assert.instance(await rejection(pool.acquireAsync({ timeout: Number.NaN })), RangeError);
});

env('acquireSync throws ERR_WAIT_NOT_ALLOWED where Atomics.wait cannot block (a browser main thread)', () => {
  const real = Atomics.wait;
  (Atomics as { wait: unknown }).wait = () => {
    throw new TypeError('Atomics.wait cannot be called in this context');
  };
  let pool: SharedPool;
  try {
    pool = SharedPool.create({ blockSize: 64, blocks: 1, strategy: 'mutex' });
  } finally {
    (Atomics as { wait: unknown }).wait = real;
  }
  pool.acquire();
  assert.is(thrownCode(() => pool.acquireSync({ timeout: 1 })), ErrorCode.WAIT_NOT_ALLOWED);
});

env('acquireAsync polls where Atomics.waitAsync does not exist, and still gets the block', async () => {
  const real = Atomics.waitAsync;
  (Atomics as { waitAsync: unknown }).waitAsync = undefined;
  try {
    const pool = SharedPool.create({ blockSize: 64, blocks: 1 });
    const b = pool.acquire();
    const w = pool.acquireAsync();
    const other = SharedPool.attach(pool.handle);
    other.release(b.index);
    assert.is((await w).index, b.index);
  } finally {
    (Atomics as { waitAsync: unknown }).waitAsync = real;
  }
});

env('with every waiter slot taken, a waiter still waits and times out cleanly (untracked)', async () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 1, cache: 4 });
  const a = new Int32Array(pool.handle.sab);
  const only = pool.acquire();
  for (let k = 0; k < WAITER_SLOTS; k++) a[H.WAITER_TABLE + 2 * k] = 1000 + k;
  assert.is(await blockOutcome(pool.acquireAsync({ timeout: 1 })), ErrorCode.TIMEOUT);
  assert.is(pool.stats.waiting, 0);
  a[H.WAITER_TABLE] = 0;
  const w = pool.acquireAsync({ timeout: 2_000 });
  assert.is(a[H.WAITER_TABLE], pool.ownerId);
  assert.is(a[H.WAITER_TABLE + 1], 1);
  pool.release(only);
  assert.is(await blockOutcome(w), only.index);
  assert.is(a[H.WAITER_TABLE], 0);
  assert.is(a[H.WAITER_TABLE + 1], 0);
  assert.is(pool.stats.waiting, 0);
});

env.run();
