/**
 * SharedPool handles: `create` checks its options and needs SharedArrayBuffer, `attach` refuses
 * anything but a live handle of this layout, and isolate ids stay within the range the lock word holds.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { ErrorCode, PoolError, SharedPool, type Block, type SharedPoolHandle, type Strategy } from '../src/index.js';
import { H, MPMC, MUTEX, TREIBER } from '../src/shared/layout.js';
import { thrownCode } from './helpers/errors.js';
import { FAULT_WORKER } from './helpers/shared.js';

const handles = suite('SharedPool create and attach');

/** The PoolError `attach` throws for `handle` (undefined if it attaches). */
function attachError(handle: SharedPoolHandle): PoolError | undefined {
  try {
    SharedPool.attach(handle);
  } catch (error) {
    return error as PoolError;
  }
  return undefined;
}

handles('create names the option and the value it rejects', () => {
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 0, blocks: 1 }))!, /RangeError: .*`blockSize`.*received 0/);
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 70000 }))!, /RangeError: .*`blocks`.*received 70000/);
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 1, cache: -1 }))!, /`cache`/);
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 1, strategy: 'spin' as Strategy }))!, /`strategy`.*"spin"/);
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 1, strategy: null as never }))!, /RangeError: .*`strategy`.*received null/);
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 2 ** 30, blocks: 4 }))!, /RangeError: .*need/);
  assert.match(thrownCode(() => SharedPool.create(null as never))!, /TypeError/);
  assert.match(thrownCode(() => SharedPool.attach(SharedPool.create({ blockSize: 8, blocks: 1 }).handle, null as never))!, /TypeError/);
});

handles('create throws ERR_SAB_UNAVAILABLE naming both headers when SharedArrayBuffer is missing', () => {
  const g = globalThis as { crossOriginIsolated?: unknown; SharedArrayBuffer?: unknown };
  g.crossOriginIsolated = false;
  try {
    assert.is(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 1 })), ErrorCode.SAB_UNAVAILABLE);
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

handles('attach throws ERR_BAD_HANDLE for a plain object, a random buffer, a truncated one, a wrong version', () => {
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
  for (const handle of bad) assert.is(thrownCode(() => SharedPool.attach(handle as never)), ErrorCode.BAD_HANDLE, JSON.stringify(handle));
  assert.match(thrownCode(() => SharedPool.attach(copy((a) => (a[H.VERSION] = 99))))!, /BAD_HANDLE/);
});

handles('create refuses `strategy: null` (regression: it passed as the default)', () => {
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 4, strategy: null as never }))!, /RangeError: isopool: option `strategy` must be one of .*, received null/);
  assert.is(SharedPool.create({ blockSize: 8, blocks: 4, strategy: undefined }).strategy, 'bitmap');
});

handles('attach refuses a negative next-owner-id word (regression: it handed out ownerId 0 or less, whose blocks then looked free)', () => {
  for (const next of [-1, -2, -(2 ** 31)]) {
    const pool = SharedPool.create({ blockSize: 64, blocks: 4 });
    Atomics.store(new Int32Array(pool.handle.sab), H.NEXT_ID, next);
    const e = attachError(pool.handle);
    assert.is(e?.code, ErrorCode.BAD_HANDLE);
    assert.match(e!.message, /next-owner-id word is -/);
  }
});

handles('attach refuses states no run of the pool can reach: owner words, locks, heads, counters, slots, bits', () => {
  const damaged: [Strategy, (a: Int32Array, free: number, owner: number, bits: number) => void, RegExp][] = [
    ['bitmap', (a, _f, o) => (a[o + 2] = 7), /owner word is 7/],
    ['bitmap', (a, _f, o) => (a[o + 1] = -9), /owner word is -9/],
    ['bitmap', (a, _f, o) => (a[o] = (1 << 30) | 5), /owner word/],
    ['bitmap', (a, _f, _o, b) => (a[b] = -1), /past the last block/],
    ['bitmap', (a) => (a[H.WAITERS] = -5), /waiter count/],
    ['bitmap', (a) => (a[H.WAITER_TABLE] = 77), /waiter slot 0/],
    ['bitmap', (a) => (a[H.WAITER_TABLE + 3] = -1), /waiter slot 1/],
    ['mutex', (a, f) => (a[f + MUTEX.LOCK] = 40 << 1), /lock word/],
    ['mutex', (a, f) => (a[f + MUTEX.TOP] = 99), /stack top/],
    ['mutex', (a, f) => (a[f + MUTEX.STACK] = 12), /out of range/],
    ['treiber', (a, f) => (a[f + TREIBER.HEAD] = 7), /head names block 6 of 6/],
    ['treiber', (a, f) => (a[f + TREIBER.NEXT + 1] = 40), /link is out of range/],
    ['mpmc', (a, f) => (a[f + MPMC.ENQ] = 900), /counters are 900 apart/],
    ['mpmc', (a, f) => (a[f + MPMC.CELLS + 2] = 30), /cell 2 names a block/],
  ];
  for (const [strategy, damage, message] of damaged) {
    const pool = SharedPool.create({ blockSize: 64, blocks: 6, strategy });
    const a = new Int32Array(pool.handle.sab);
    damage(a, a[H.FREE_OFFSET]! >> 2, a[H.OWNER_OFFSET]! >> 2, a[H.BITS_OFFSET]! >> 2);
    const e = attachError(pool.handle);
    assert.is(e?.code, ErrorCode.BAD_HANDLE, `${strategy} ${message}`);
    assert.match(e!.message, message);
  }
});

handles('a copy of a pool (SharedArrayBuffer.slice()) is refused where the pool is open, and no pool takes the other\'s Blocks (regression: it passed the identity check and accepted the original\'s Blocks)', async () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 4, cache: 0 });
  const sab = pool.handle.sab;
  const copy = { sab: sab.slice() as SharedArrayBuffer };
  assert.is(thrownCode(() => SharedPool.attach(copy)), ErrorCode.BAD_HANDLE);
  assert.match(thrownCode(() => SharedPool.attach({ sab: sab.slice(0) as SharedArrayBuffer }))!, /BAD_HANDLE/);
  assert.is(SharedPool.attach(structuredClone(pool.handle)).blocks, 4, 'the pool itself, cloned, still attaches');
  // A Block made over the copy's bytes is another pool's, for the original.
  const b = pool.acquire();
  const overCopy = { index: b.index, bytes: new Uint8Array(copy.sab, b.bytes.byteOffset, 64), generation: b.generation } as Block;
  assert.is(thrownCode(() => pool.release(overCopy)), ErrorCode.FOREIGN_OBJECT);
  // In a worker that never saw the original, the copy attaches (a pool of its own), and refuses the original's Block.
  const worker = new Worker(FAULT_WORKER, { workerData: { mode: 'posted', handle: copy, cache: 0, ctl: new Int32Array(new SharedArrayBuffer(64)), block: b, action: 'release' } });
  const got = await new Promise<{ ok: boolean; code?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(got, { ok: false, code: ErrorCode.FOREIGN_OBJECT });
  pool.release(b);
});

handles("an isolate id past the mutex lock word's range is refused", () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 1 });
  Atomics.store(new Int32Array(pool.handle.sab), H.NEXT_ID, 2 ** 30 - 1);
  assert.is(thrownCode(() => SharedPool.attach(pool.handle)), ErrorCode.BAD_HANDLE);
});

handles('create and attach refuse an unknown option, naming it and the option meant (regression: a typo like blockSise was silently ignored)', () => {
  const unknown = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof TypeError && pattern.test((e as Error).message));
  unknown(() => SharedPool.create({ blockSize: 64, blocks: 4, caches: 2 } as never), /unknown option `caches` for SharedPool\.create\(\) \(did you mean `cache`\?\)/);
  unknown(() => SharedPool.create({ blockSize: 64, blocks: 4, size: 8 } as never), /unknown option `size` for SharedPool\.create\(\)/);
  const pool = SharedPool.create({ blockSize: 64, blocks: 4 });
  unknown(() => SharedPool.attach(pool.handle, { strategy: 'mutex' } as never), /unknown option `strategy` for SharedPool\.attach\(\)/);
  pool.close();
});

handles.run();
