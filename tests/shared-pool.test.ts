import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { ErrorCode, PoolError, SharedPool, type Block, type Strategy } from '../src/index.js';
import { H } from '../src/shared/layout.js';
import { CTL } from './workers/shared-worker.js';

const STRATEGIES: Strategy[] = ['mutex', 'treiber', 'mpmc', 'bitmap'];
const WORKER = new URL('./workers/shared-worker.js', import.meta.url);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof PoolError ? error.code : `${(error as Error).name}: ${(error as Error).message}`;
  }
  return undefined;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Owner words of the whole table, read through the header (what `reclaim` and the tests trust). */
function owners(pool: SharedPool): Int32Array {
  const a = new Int32Array(pool.handle.sab);
  return a.subarray(a[H.OWNER_OFFSET]! >> 2, (a[H.OWNER_OFFSET]! >> 2) + pool.blocks);
}

function waitForWord(ctl: Int32Array, at: number, value: number): Promise<void> {
  const r = Atomics.waitAsync(ctl, at, value);
  return r.async ? r.value.then(() => undefined) : Promise.resolve();
}

function exited(worker: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.once('exit', resolve);
    worker.once('error', reject);
  });
}

for (const strategy of STRATEGIES) {
  for (const cache of [0, 4]) {
    const test = suite(`SharedPool contract (${strategy}, cache ${cache})`);
    const make = (blocks = 8): SharedPool => SharedPool.create({ blockSize: 100, blocks, cache, strategy });

    test('lends every block exactly once, then reports exhaustion as a value or a PoolError', () => {
      const pool = make();
      const got = Array.from({ length: 8 }, () => pool.acquire());
      assert.equal(new Set(got.map((b) => b.index)).size, 8);
      assert.is(pool.tryAcquire(), undefined);
      assert.is(code(() => pool.acquire()), ErrorCode.POOL_EXHAUSTED);
      for (const b of got) pool.release(b);
      assert.is(pool.stats.free + pool.stats.cachedHere, 8);
    });

    test('gives each block a view of exactly blockSize bytes, not overlapping, made once per index', () => {
      const pool = make();
      const got = Array.from({ length: 8 }, () => pool.acquire());
      for (const b of got) {
        assert.is(b.bytes.length, 100);
        assert.is(b.bytes.byteOffset % 64, 0);
        b.bytes.fill(b.index + 1);
      }
      for (const b of got) assert.ok(b.bytes.every((x) => x === b.index + 1));
      for (const b of got) pool.release(b);
      const again = Array.from({ length: 8 }, () => pool.acquire());
      for (const b of again) assert.is(got.find((g) => g.index === b.index), b);
      assert.ok(Object.isFrozen(again[0]));
    });

    test('throws ERR_DOUBLE_RELEASE on a second release, by block or by index', () => {
      const pool = make();
      const b = pool.acquire();
      pool.release(b);
      assert.is(code(() => pool.release(b)), ErrorCode.DOUBLE_RELEASE);
      assert.is(code(() => pool.release(b.index)), ErrorCode.DOUBLE_RELEASE);
      const never = make();
      assert.is(code(() => never.release(3)), ErrorCode.DOUBLE_RELEASE);
    });

    test('takes a release from another attachment (another isolate) and counts the block free again', () => {
      const a = make(4);
      const b = SharedPool.attach(structuredClone(a.handle), { cache });
      assert.is.not(a.ownerId, b.ownerId);
      const x = a.acquire();
      assert.is(a.stats.lentHere, 1);
      b.release(x.index);
      assert.is(a.stats.lentHere, 0);
      assert.is(code(() => a.release(x)), ErrorCode.DOUBLE_RELEASE);
      const y = a.acquire();
      b.release(y); // a Block object made by the other attachment
      a.flush();
      b.flush();
      assert.is(a.stats.free, 4);
    });

    test('adopt makes a handed-over block this attachment\'s, and its release stays here', () => {
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
      assert.is(code(() => b.adopt(mine)), ErrorCode.DOUBLE_RELEASE);
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

    test('flush returns cached blocks; close stops lending but still takes releases', () => {
      const pool = make(8);
      const x = pool.acquire();
      const y = pool.acquire();
      pool.release(y);
      pool.flush();
      assert.is(pool.stats.cachedHere, 0);
      assert.is(pool.stats.free, 7);
      pool.close();
      pool.close();
      assert.ok(pool.closed);
      assert.is(code(() => pool.acquire()), ErrorCode.CLOSED);
      assert.is(code(() => pool.tryAcquire()), ErrorCode.CLOSED);
      pool.release(x);
      assert.is(pool.stats.free, 8);
    });

    test('acquireSync and acquireAsync time out with ERR_TIMEOUT when nothing is released', async () => {
      const pool = make(1);
      const only = pool.acquire();
      assert.is(code(() => pool.acquireSync({ timeout: 1 })), ErrorCode.TIMEOUT);
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

    test('with 64 blocks and a 32-block cache, batches of 8 move between attachments and every block comes back', () => {
      const a = SharedPool.create({ blockSize: 100, blocks: 64, cache: cache === 0 ? 0 : 32, strategy });
      const b = SharedPool.attach(a.handle, { cache: cache === 0 ? 0 : 32 });
      const fromA = [a.acquire()];
      if (cache !== 0) assert.is(a.stats.cachedHere, 7, 'one refill moved a batch of 8 (an eighth of the pool)');
      const fromB: Block[] = [];
      for (let i = 1; i < 32; i++) fromA.push(a.acquire());
      for (let i = 0; i < 32; i++) fromB.push(b.acquire());
      assert.is(a.tryAcquire(), undefined);
      assert.is(new Set([...fromA, ...fromB].map((x) => x.index)).size, 64);
      // Cross releases (b's blocks released by a and the reverse) then own releases, spilling in batches.
      for (const x of fromB.splice(0, 16)) a.release(x.index);
      for (const x of fromA.splice(0, 16)) b.release(x.index);
      for (const x of fromA) a.release(x);
      for (const x of fromB) b.release(x);
      assert.is(a.stats.lentHere + b.stats.lentHere, 0);
      assert.is(a.stats.free + a.stats.cachedHere + b.stats.cachedHere, 64);
      a.flush();
      b.flush();
      assert.is(a.stats.free, 64);
      assert.ok(Array.from(owners(a)).every((w) => w === 0));
    });

    test('a worker blocked in acquireSync is woken by a release here and gets the block', async () => {
      const pool = make(2);
      const held = [pool.acquire(), pool.acquire()];
      held[0]!.bytes[0] = 42;
      const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
      // A short timeout: a release that fails to wake the sleeper shows as ERR_TIMEOUT, not a hang.
      const worker = new Worker(WORKER, { workerData: { mode: 'wait', handle: pool.handle, cache, ctl, me: 0, timeout: 2_000 } });
      const message = new Promise<{ index?: number; byte?: number; error?: string }>((resolve) => worker.once('message', resolve));
      await waitForWord(ctl, CTL.READY, 0);
      // Release only once the worker counts as waiting (past its last try, about to sleep or asleep),
      // so the block can reach it only through the wake-up.
      while (pool.stats.waiting !== 1) await new Promise((resolve) => setImmediate(resolve));
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

const errors = suite('SharedPool errors');

errors('create names the option and the value it rejects', () => {
  assert.match(code(() => SharedPool.create({ blockSize: 0, blocks: 1 }))!, /RangeError: .*`blockSize`.*received 0/);
  assert.match(code(() => SharedPool.create({ blockSize: 8, blocks: 70000 }))!, /RangeError: .*`blocks`.*received 70000/);
  assert.match(code(() => SharedPool.create({ blockSize: 8, blocks: 1, cache: -1 }))!, /`cache`/);
  assert.match(code(() => SharedPool.create({ blockSize: 8, blocks: 1, strategy: 'spin' as Strategy }))!, /`strategy`.*"spin"/);
  assert.match(code(() => SharedPool.create({ blockSize: 2 ** 30, blocks: 4 }))!, /RangeError: .*need/);
  assert.match(code(() => SharedPool.create(null as never))!, /TypeError/);
  assert.match(code(() => SharedPool.attach(SharedPool.create({ blockSize: 8, blocks: 1 }).handle, null as never))!, /TypeError/);
});

errors('create throws ERR_SAB_UNAVAILABLE naming both headers when SharedArrayBuffer is missing', () => {
  const g = globalThis as { crossOriginIsolated?: unknown; SharedArrayBuffer?: unknown };
  g.crossOriginIsolated = false;
  try {
    assert.is(code(() => SharedPool.create({ blockSize: 8, blocks: 1 })), ErrorCode.SAB_UNAVAILABLE);
  } finally {
    delete g.crossOriginIsolated;
  }
  const saved = g.SharedArrayBuffer;
  g.SharedArrayBuffer = undefined;
  try {
    const e = (() => {
      try {
        SharedPool.create({ blockSize: 8, blocks: 1 });
      } catch (error) {
        return error as PoolError;
      }
      return undefined;
    })();
    assert.is(e?.code, ErrorCode.SAB_UNAVAILABLE);
    assert.match(e!.message, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(e!.message, /Cross-Origin-Embedder-Policy: require-corp/);
  } finally {
    g.SharedArrayBuffer = saved;
  }
});

errors('attach throws ERR_BAD_HANDLE for a plain object, a random buffer, a truncated one, a wrong version', () => {
  const good = SharedPool.create({ blockSize: 64, blocks: 4, strategy: 'treiber' });
  const sab = good.handle.sab;
  const copy = (edit: (a: Int32Array) => void, bytes = sab.byteLength): { sab: SharedArrayBuffer } => {
    const c = new SharedArrayBuffer(bytes);
    new Uint8Array(c).set(new Uint8Array(sab, 0, Math.min(bytes, sab.byteLength)));
    edit(new Int32Array(c, 0, bytes >> 2));
    return { sab: c };
  };
  const random = new SharedArrayBuffer(4096);
  const r = new Uint8Array(random);
  for (let i = 0; i < r.length; i++) r[i] = (i * 151 + 7) & 255;
  const bad: unknown[] = [
    {},
    null,
    42,
    { sab: new ArrayBuffer(4096) },
    { sab: random },
    { sab: new SharedArrayBuffer(16) },
    copy(() => {}, sab.byteLength - 64),
    copy(() => {}, sab.byteLength + 64),
    copy((a) => (a[H.VERSION] = 99)),
    copy((a) => (a[H.BLOCKS] = 0)),
    copy((a) => (a[H.STRATEGY] = 9)),
    copy((a) => (a[H.FREE_OFFSET]! += 64)),
  ];
  for (const handle of bad) assert.is(code(() => SharedPool.attach(handle as never)), ErrorCode.BAD_HANDLE, JSON.stringify(handle));
  assert.match(code(() => SharedPool.attach(copy((a) => (a[H.VERSION] = 99))))!, /BAD_HANDLE/);
  assert.is(SharedPool.attach(copy(() => {})).blocks, 4);
});

errors('release and adopt reject indices out of range, non-blocks and blocks of another pool', () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 4 });
  const other = SharedPool.create({ blockSize: 64, blocks: 4 });
  const x = other.acquire();
  assert.match(code(() => pool.release(4))!, /RangeError/);
  assert.match(code(() => pool.release(1.5))!, /RangeError/);
  assert.match(code(() => pool.release(null as never))!, /TypeError/);
  assert.match(code(() => pool.adopt('1' as never))!, /TypeError/);
  assert.is(code(() => pool.release(x)), ErrorCode.FOREIGN_OBJECT);
  assert.is(code(() => pool.release({ index: 0 } as Block)), ErrorCode.FOREIGN_OBJECT);
  assert.is(code(() => pool.release({ index: 0, bytes: new Uint8Array(8) })), ErrorCode.FOREIGN_OBJECT);
  assert.match(code(() => pool.reclaim(pool.ownerId))!, /RangeError/);
  assert.match(code(() => pool.reclaim(1e6))!, /RangeError/);
  assert.match(code(() => pool.acquireSync({ timeout: -1 }))!, /RangeError: .*`timeout`/);
});

errors('acquireAsync rejects a bad timeout instead of throwing', async () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 1 });
  assert.instance(await rejection(pool.acquireAsync({ timeout: Number.NaN })), RangeError);
});

errors('acquireSync throws ERR_WAIT_NOT_ALLOWED where Atomics.wait cannot block (a browser main thread)', () => {
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
  assert.is(code(() => pool.acquireSync({ timeout: 1 })), ErrorCode.WAIT_NOT_ALLOWED);
});

errors('acquireAsync polls where Atomics.waitAsync does not exist, and still gets the block', async () => {
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

errors('an isolate id past the mutex lock word\'s range is refused', () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 1 });
  Atomics.store(new Int32Array(pool.handle.sab), H.NEXT_ID, 2 ** 30 - 1);
  assert.is(code(() => SharedPool.attach(pool.handle)), ErrorCode.BAD_HANDLE);
});

errors.run();
