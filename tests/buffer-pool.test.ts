import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import {
  BufferPool,
  DEFAULT_MAX_BYTES,
  DEFAULT_PER_CLASS,
  ErrorCode,
  getLocalBufferPool,
  PoolError,
  type TypedArray,
  type TypedArrayConstructor,
} from '../src/index.js';

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, PoolError);
    assert.is((error as PoolError).code, code);
    if (message !== undefined) assert.match((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

// -------------------------------------------------------------------------------------------------
const rent = suite('BufferPool rent and return');

rent('rent rounds the request up to the next power of two', () => {
  const pool = new BufferPool(Uint8Array);
  for (const [want, got] of [[0, 1], [1, 1], [2, 2], [3, 4], [5, 8], [64, 64], [65, 128], [1000, 1024]] as const) {
    const a = pool.rent(want);
    assert.instance(a, Uint8Array);
    assert.is(a.length, got, `rent(${want})`);
    assert.is(pool.classLength(want), got);
    pool.return(a);
  }
});

rent('a returned array is lent again for any request of its class (owner slot first)', () => {
  const pool = new BufferPool(Float64Array);
  const a = pool.rent(100);
  pool.return(a);
  assert.is(pool.rent(65), a);
  assert.is.not(pool.rent(100), a, 'a second rent while the first is out gets another array');
});

rent('classes are separate: a 64-element array never serves a 128-element request', () => {
  const pool = new BufferPool(Int32Array);
  const small = pool.rent(64);
  pool.return(small);
  const big = pool.rent(128);
  assert.is.not(big, small);
  assert.is(big.length, 128);
  assert.is(pool.rent(64), small);
});

rent('several arrays of one class come back LIFO and none is lent twice', () => {
  const pool = new BufferPool(Uint32Array);
  const held = Array.from({ length: 6 }, () => pool.rent(32));
  assert.is(new Set(held).size, 6);
  for (const a of held) pool.return(a);
  const again = Array.from({ length: 6 }, () => pool.rent(32));
  assert.is(new Set(again).size, 6);
  assert.equal(new Set(again), new Set(held));
  assert.is(pool.stats.created, 6);
});

rent('every element type works, BigInt arrays included, and rent gives that type', () => {
  const ctors: TypedArrayConstructor<TypedArray>[] = [
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  ];
  for (const ctor of ctors) {
    const pool = new BufferPool(ctor, { zero: 'return' });
    const a = pool.rent(10);
    assert.is(a.constructor, ctor);
    assert.is(a.length, 16);
    (a as { fill(v: unknown): unknown }).fill(typeof a[0] === 'bigint' ? 7n : 7);
    pool.return(a);
    const b = pool.rent(16);
    assert.is(b, a);
    assert.ok(Array.from(b as ArrayLike<number | bigint>).every((v) => v == 0), `${ctor.name} cleared`);
  }
});

rent('the pool is typed by its constructor: no casts at the call site', () => {
  const pool = new BufferPool(Uint32Array);
  const a: Uint32Array = pool.rent(8);
  a[0] = 0xffffffff;
  assert.is(a[0], 0xffffffff);
  pool.return(a);
});

// -------------------------------------------------------------------------------------------------
const zero = suite('BufferPool zeroing');

zero("zero 'never' (the default) leaves what the last holder wrote", () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(4);
  a.fill(9);
  pool.return(a);
  assert.equal(Array.from(pool.rent(4)), [9, 9, 9, 9]);
});

zero("zero 'return' clears when taken back", () => {
  const pool = new BufferPool(Uint8Array, { zero: 'return' });
  const a = pool.rent(4);
  a.fill(9);
  pool.return(a);
  assert.equal(Array.from(a), [0, 0, 0, 0], 'cleared before the next rent');
});

zero("zero 'rent' clears when lent, not before", () => {
  const pool = new BufferPool(Int32Array, { zero: 'rent' });
  const a = pool.rent(4);
  a.fill(-1);
  pool.return(a);
  assert.equal(Array.from(a), [-1, -1, -1, -1], 'still dirty while idle');
  assert.equal(Array.from(pool.rent(4)), [0, 0, 0, 0]);
});

// -------------------------------------------------------------------------------------------------
const misuse = suite('BufferPool misuse');

misuse('an array of the right type and class size that the pool did not rent is ERR_FOREIGN_OBJECT', () => {
  const pool = new BufferPool(Uint8Array);
  throwsCode(() => pool.return(new Uint8Array(16)), ErrorCode.FOREIGN_OBJECT, /a Uint8Array of length 16 that it did not rent/);
});

misuse('an array rented from another BufferPool is foreign here', () => {
  const a = new BufferPool(Uint8Array);
  const b = new BufferPool(Uint8Array);
  const arr = a.rent(8);
  throwsCode(() => b.return(arr), ErrorCode.FOREIGN_OBJECT);
  a.return(arr);
});

misuse('a view, a Buffer, a plain array and a non-object are foreign', () => {
  const pool = new BufferPool(Uint8Array);
  const own = pool.rent(16);
  throwsCode(() => pool.return(own.subarray(0, 8)), ErrorCode.FOREIGN_OBJECT);
  throwsCode(() => pool.return(Buffer.alloc(16)), ErrorCode.FOREIGN_OBJECT, /a Buffer of length 16/);
  throwsCode(() => pool.return([1, 2] as unknown as Uint8Array), ErrorCode.FOREIGN_OBJECT, /an array that it did not rent/);
  throwsCode(() => pool.return(42 as unknown as Uint8Array), ErrorCode.FOREIGN_OBJECT, /42/);
  pool.return(own);
});

misuse('an array whose buffer was detached has no class size: ERR_FOREIGN_OBJECT', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(32);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  assert.is(a.length, 0);
  throwsCode(() => pool.return(a), ErrorCode.FOREIGN_OBJECT, /no class size/);
});

misuse('returning the array just returned throws ERR_DOUBLE_RELEASE even unchecked', () => {
  const pool = new BufferPool(Uint8Array, { checked: false });
  const a = pool.rent(8);
  pool.return(a);
  throwsCode(() => pool.return(a), ErrorCode.DOUBLE_RELEASE);
});

misuse('regression (typedarray-pool hands one buffer out twice): a double return never lends one array to two holders', () => {
  // typedarray-pool: `pool.free(buf); pool.free(buf);` pushes buf on its free list twice, so the next
  // two `pool.malloc(n)` calls return the same memory. Here, in checked mode, the second return
  // throws wherever the array sits (not only when it is the most recent one).
  const pool = new BufferPool(Uint8Array, { checked: true });
  const [a, b, c] = [pool.rent(8), pool.rent(8), pool.rent(8)];
  pool.return(b);
  pool.return(a);
  pool.return(c); // `a` is buried: neither the owner slot nor the top of the stack
  throwsCode(() => pool.return(a), ErrorCode.DOUBLE_RELEASE);
  const x = pool.rent(8);
  const y = pool.rent(8);
  assert.is.not(x, y);
  const z = pool.rent(8);
  assert.ok(z !== x && z !== y, 'a third holder gets a third array');
});

misuse('checked mode is switched on by ISOPOOL_CHECKED=1 when the option is absent', () => {
  const before = process.env['ISOPOOL_CHECKED'];
  process.env['ISOPOOL_CHECKED'] = '1';
  try {
    const pool = new BufferPool(Uint16Array);
    const [a, b, c] = [pool.rent(4), pool.rent(4), pool.rent(4)];
    pool.return(b);
    pool.return(a);
    pool.return(c);
    throwsCode(() => pool.return(a), ErrorCode.DOUBLE_RELEASE);
  } finally {
    if (before === undefined) delete process.env['ISOPOOL_CHECKED'];
    else process.env['ISOPOOL_CHECKED'] = before;
  }
});

// -------------------------------------------------------------------------------------------------
const oversized = suite('BufferPool oversized requests');

oversized('a request above maxLength gets exactly that length, unpooled', () => {
  const pool = new BufferPool(Uint8Array, { maxLength: 64 });
  const a = pool.rent(100);
  assert.is(a.length, 100);
  assert.is(pool.classLength(100), 100);
  assert.is(pool.stats.oversized, 1);
  pool.return(a); // accepted and dropped
  const b = pool.rent(100);
  assert.is.not(b, a, 'never pooled');
  assert.is(pool.stats.created, 0, 'no class pool made anything');
});

oversized('returning an oversized array twice is ERR_DOUBLE_RELEASE; an unknown long one is foreign', () => {
  const pool = new BufferPool(Uint8Array, { maxLength: 64 });
  const a = pool.rent(65);
  pool.return(a);
  throwsCode(() => pool.return(a), ErrorCode.DOUBLE_RELEASE, /oversized/);
  throwsCode(() => pool.return(new Uint8Array(128)), ErrorCode.FOREIGN_OBJECT);
});

oversized('the largest class itself is pooled', () => {
  const pool = new BufferPool(Uint8Array, { maxLength: 64 });
  const a = pool.rent(64);
  pool.return(a);
  assert.is(pool.rent(33), a);
  assert.is(pool.maxLength, 64);
});

oversized('requests past 2^32 - 1 take the cold path and still allocate (or fail as the engine does)', () => {
  const pool = new BufferPool(Uint8Array, { maxLength: 1 });
  assert.throws(() => pool.rent(2 ** 53), RangeError);
});

// -------------------------------------------------------------------------------------------------
const options = suite('BufferPool options');

options('defaults: 1 MiB largest class, 8 arrays per class', () => {
  assert.is(DEFAULT_MAX_BYTES, 2 ** 20);
  assert.is(DEFAULT_PER_CLASS, 8);
  assert.is(new BufferPool(Uint8Array).maxLength, 2 ** 20);
  assert.is(new BufferPool(Float64Array).maxLength, 2 ** 17);
  const pool = new BufferPool(Uint8Array);
  const held = Array.from({ length: 10 }, () => pool.rent(4));
  for (const a of held) pool.return(a);
  assert.is(pool.stats.idle, 8);
  assert.is(pool.stats.discarded, 2);
});

options('perClass bounds the idle arrays of each class; 0 keeps none', () => {
  const pool = new BufferPool(Uint8Array, { perClass: 2 });
  const held = [pool.rent(4), pool.rent(4), pool.rent(4), pool.rent(8)];
  for (const a of held) pool.return(a);
  const s = pool.stats;
  assert.is(s.idle, 3);
  assert.is(s.idleElements, 4 + 4 + 8);
  const none = new BufferPool(Uint8Array, { perClass: 0 });
  const a = none.rent(4);
  none.return(a);
  assert.is.not(none.rent(4), a);
  assert.is(none.stats.idle, 0);
});

options('bad arguments are TypeError / RangeError naming the option and the value', () => {
  const cases: [() => unknown, RegExp, ErrorConstructor][] = [
    [() => new BufferPool(null as unknown as Uint8ArrayConstructor), /typed array constructor .* received null/, TypeError],
    [() => new BufferPool(Array as unknown as Uint8ArrayConstructor), /typed array constructor .* received a function \(Array\)/, TypeError],
    [() => new BufferPool(DataView as unknown as Uint8ArrayConstructor), /received a function \(DataView\)/, TypeError],
    [() => new BufferPool(Uint8Array, 5 as unknown as object), /options must be an object, received 5/, TypeError],
    [() => new BufferPool(Uint8Array, { maxLength: 100 }), /`maxLength` must be a power of two, received 100/, RangeError],
    [() => new BufferPool(Uint8Array, { maxLength: 0 }), /`maxLength` must be between 1 and 1073741824, received 0/, RangeError],
    [() => new BufferPool(Uint8Array, { maxLength: 2 ** 31 }), /`maxLength`/, RangeError],
    [() => new BufferPool(Uint8Array, { perClass: -1 }), /`perClass` must be between 0 and \d+, received -1/, RangeError],
    [() => new BufferPool(Uint8Array, { zero: 'always' as 'rent' }), /`zero` must be 'never', 'rent' or 'return', received "always"/, RangeError],
    [() => new BufferPool(Uint8Array, { checked: 1 as unknown as boolean }), /`checked` must be a boolean, received 1/, TypeError],
  ];
  for (const [fn, message, type] of cases) {
    try {
      fn();
      assert.unreachable(String(message));
    } catch (error) {
      assert.instance(error, type, String(message));
      assert.match((error as Error).message, message);
    }
  }
});

options('bad rent lengths are TypeError / RangeError naming minLength and the value', () => {
  const pool = new BufferPool(Uint8Array);
  assert.throws(() => pool.rent(-1), (e: Error) => e instanceof RangeError && /`minLength` must be between 0 and \d+, received -1/.test(e.message));
  assert.throws(() => pool.rent(1.5), (e: Error) => e instanceof RangeError && /`minLength` must be an integer, received 1.5/.test(e.message));
  assert.throws(() => pool.rent(NaN), (e: Error) => e instanceof RangeError && /received NaN/.test(e.message));
  assert.throws(() => pool.rent('8' as unknown as number), (e: Error) => e instanceof TypeError && /`minLength` must be a number, received "8"/.test(e.message));
  assert.throws(() => pool.classLength(-3), RangeError);
  assert.throws(() => pool.trim(-1), RangeError);
});

// -------------------------------------------------------------------------------------------------
const lifecycle = suite('BufferPool stats, trim and close');

lifecycle('stats sum every class: hits, misses, created, lent, idle', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(4);
  const b = pool.rent(100);
  pool.return(a);
  pool.rent(4);
  const s = pool.stats;
  assert.is(s.created, 2);
  assert.is(s.misses, 2);
  assert.is(s.hits, 1);
  assert.is(s.lent, 2);
  assert.is(s.idle, 0);
  assert.is(s.oversized, 0);
  assert.is(s.highWater, 2, 'the sum of the classes\' high-water marks');
  assert.is(s.waiting, 0);
  assert.is(s.leaked, 0);
  pool.return(b);
});

lifecycle('trim drops idle arrays down to keep per class', () => {
  const pool = new BufferPool(Uint8Array);
  const held = [pool.rent(4), pool.rent(4), pool.rent(4), pool.rent(16)];
  for (const a of held) pool.return(a);
  assert.is(pool.trim(1), 2);
  assert.is(pool.stats.idle, 2);
  assert.is(pool.trim(), 2);
  assert.is(pool.stats.idleElements, 0);
});

lifecycle('close drops idle arrays; rent throws ERR_CLOSED; return is accepted and dropped', () => {
  const pool = new BufferPool(Uint8Array, { maxLength: 16 });
  const out = pool.rent(8);
  const idle = pool.rent(8);
  pool.return(idle);
  pool.close();
  assert.ok(pool.closed);
  assert.is(pool.stats.idle, 0);
  throwsCode(() => pool.rent(8), ErrorCode.CLOSED);
  throwsCode(() => pool.rent(100), ErrorCode.CLOSED, /BufferPool<Uint8Array> is closed/);
  pool.return(out);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.type, Uint8Array);
});

// -------------------------------------------------------------------------------------------------
const local = suite('getLocalBufferPool');

local('one default pool per element type per isolate, created on first use', () => {
  const u8 = getLocalBufferPool(Uint8Array, { perClass: 3 });
  assert.is(getLocalBufferPool(Uint8Array), u8);
  assert.is(getLocalBufferPool(Uint8Array, { perClass: 99 }), u8, 'later options are ignored');
  const f64: BufferPool<Float64Array<ArrayBuffer>> = getLocalBufferPool(Float64Array);
  assert.is.not(f64 as unknown, u8 as unknown);
  assert.is(f64.type, Float64Array);
});

local('a closed default pool is replaced on the next call', () => {
  const first = getLocalBufferPool(Int16Array);
  first.close();
  const second = getLocalBufferPool(Int16Array);
  assert.is.not(second, first);
  assert.not.ok(second.closed);
});

local('each worker gets its own default pool: arrays never cross isolates', async () => {
  // Each worker rents, fills with its id, returns, rents again and reports whether it got its own
  // array back with its own bytes. The barrier makes both workers hold their arrays at once.
  const mine = getLocalBufferPool(Uint8Array);
  const createdBefore = mine.stats.created;
  const barrier = new Int32Array(new SharedArrayBuffer(4));
  const url = new URL('./workers/buffer-pool-worker.js', import.meta.url);
  const results = await Promise.all(
    [1, 2].map(
      (id) =>
        new Promise<{ id: number; same: boolean; reused: boolean; bytes: number[] }>((resolve, reject) => {
          const w = new Worker(url, { workerData: { id, barrier, parties: 2 } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  for (const r of results) {
    assert.ok(r.same, 'getLocalBufferPool returns one pool within the worker');
    assert.ok(r.reused, 'the worker got its own array back');
    assert.equal(r.bytes, [r.id, r.id, r.id, r.id], 'no other isolate wrote into it');
  }
  assert.is(getLocalBufferPool(Uint8Array), mine);
  assert.is(mine.stats.created, createdBefore, 'the workers made nothing in this isolate\'s pool');
});

rent.run();
zero.run();
misuse.run();
oversized.run();
options.run();
lifecycle.run();
local.run();
