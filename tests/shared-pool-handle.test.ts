/**
 * SharedPool handles: `create` checks its options and needs SharedArrayBuffer, `attach` refuses
 * anything but a live handle of this layout, and isolate ids stay within the range the lock word holds.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, PoolError, SharedPool, type Strategy } from '../src/index.js';
import { H } from '../src/shared/layout.js';
import { thrownCode } from './helpers/errors.js';

const handles = suite('SharedPool create and attach');

handles('create names the option and the value it rejects', () => {
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 0, blocks: 1 }))!, /RangeError: .*`blockSize`.*received 0/);
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 70000 }))!, /RangeError: .*`blocks`.*received 70000/);
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 1, cache: -1 }))!, /`cache`/);
  assert.match(thrownCode(() => SharedPool.create({ blockSize: 8, blocks: 1, strategy: 'spin' as Strategy }))!, /`strategy`.*"spin"/);
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
  assert.is(SharedPool.attach(copy(() => {})).blocks, 4);
});

handles("an isolate id past the mutex lock word's range is refused", () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 1 });
  Atomics.store(new Int32Array(pool.handle.sab), H.NEXT_ID, 2 ** 30 - 1);
  assert.is(thrownCode(() => SharedPool.attach(pool.handle)), ErrorCode.BAD_HANDLE);
});

handles.run();
