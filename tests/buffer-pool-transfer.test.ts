/**
 * BufferPool transfer round trips: an array posted to a worker with its buffer in the transfer list
 * and posted back is a new object over the pool's memory, and `return()` takes it back, once per
 * lending. Copies, arrays never rented, other pools' arrays and memory that left while idle stay
 * refused; a class never takes back more arrays than it lent.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { BufferPool, ErrorCode } from '../src/index.js';
import { MARK_BYTES } from '../src/buffer/transfer-marks.js';
import { throwsCode } from './helpers/errors.js';
import { collectUntil } from './helpers/gc.js';

const ECHO_WORKER = new URL('./workers/echo-worker.js', import.meta.url);

/** Posts `arrays` to the echo worker, each with its buffer transferred, and resolves with what comes back. */
async function roundTrip(arrays: Uint8Array[]): Promise<Uint8Array[]> {
  const worker = new Worker(ECHO_WORKER);
  try {
    const back = new Array<Uint8Array>(arrays.length);
    let pending = arrays.length;
    const done = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: { id: number; array: Uint8Array }) => {
        back[m.id] = m.array;
        if (--pending === 0) resolve();
      });
      worker.once('error', reject);
    });
    arrays.forEach((array, id) => worker.postMessage({ id, array }, [array.buffer as ArrayBuffer]));
    await done;
    return back;
  } finally {
    await worker.terminate();
  }
}

/** The array a transfer leaves in this isolate: a new object over the same memory (no worker needed). */
function transferred<A extends Uint8Array | Float64Array>(a: A): A {
  return structuredClone(a, { transfer: [a.buffer as ArrayBuffer] });
}

const transfer = suite('BufferPool transfer round trips');

transfer('a 16 KiB array posted to a worker and back is taken back, and lent again with what the worker wrote', async () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(16384);
  a.fill(41);
  const [back] = await roundTrip([a]);
  assert.is(a.length, 0, 'the original object is detached');
  assert.is.not(back, a);
  pool.return(back!);
  const s = pool.stats;
  assert.equal([s.lent, s.idle, s.transferred, s.discarded], [0, 1, 1, 0]);
  const again = pool.rent(16384);
  assert.is(again, back, 'the object that came back is the one lent next (owner slot)');
  assert.ok(again.every((x) => x === 42), 'the memory the worker wrote');
});

transfer('64 arrays of mixed classes in flight at once all come back, and the books balance', async () => {
  const pool = new BufferPool(Uint8Array, { perClass: 64 });
  const sizes = Array.from({ length: 64 }, (_, i) => 1 + ((i * 97) % 5000));
  const out = sizes.map((n) => pool.rent(n));
  const back = await roundTrip(out);
  assert.is(pool.stats.lent, 64);
  for (const b of back) pool.return(b);
  const s = pool.stats;
  assert.equal([s.lent, s.idle, s.transferred, s.created], [0, 64, 64, 64]);
  // Each class lends what came back, and nothing twice.
  const lent = new Set(sizes.map((n) => pool.rent(n)));
  assert.is(lent.size, 64);
  for (const b of lent) assert.ok(back.includes(b), 'a rent made a new array while one came back idle');
});

transfer('a second return of the array that came back is ERR_DOUBLE_RELEASE; the detached original is refused', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(64);
  const b = transferred(a);
  pool.return(b);
  throwsCode(() => pool.return(b), ErrorCode.DOUBLE_RELEASE);
  throwsCode(() => pool.return(a), ErrorCode.FOREIGN_OBJECT, /no class size \(was its buffer detached\?\)/);
  assert.equal([pool.stats.lent, pool.stats.idle], [0, 1]);
});

transfer('in checked mode a second return of a transferred array is caught wherever it sits', () => {
  const pool = new BufferPool(Uint8Array, { checked: true });
  const [a, b, c] = [pool.rent(8), pool.rent(8), pool.rent(8)];
  const a2 = transferred(a);
  pool.return(a2);
  pool.return(b);
  pool.return(c);
  throwsCode(() => pool.return(a2), ErrorCode.DOUBLE_RELEASE);
  assert.equal([pool.stats.lent, pool.stats.idle, pool.stats.transferred], [0, 3, 1]);
});

transfer('a copy of a lent array (structuredClone without transfer) is ERR_FOREIGN_OBJECT: the lent array still holds the memory', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(32);
  const copy = structuredClone(a);
  assert.is(copy.buffer.byteLength, 32 + MARK_BYTES, 'the copy carries the mark');
  throwsCode(() => pool.return(copy), ErrorCode.FOREIGN_OBJECT, /copies an array it lent/);
  pool.return(a);
  assert.equal([pool.stats.lent, pool.stats.transferred], [0, 0]);
});

transfer('a class never takes back more arrays than it lent: of a transferred array and a copy made on the way, one is taken', () => {
  for (const copyFirst of [true, false]) {
    const pool = new BufferPool(Uint8Array);
    const keep = pool.rent(16); // another array of the class stays lent, so the books could go wrong
    const a = pool.rent(16);
    const moved = transferred(a);
    const copy = structuredClone(moved); // the worker kept a copy and sent it too
    const [first, second] = copyFirst ? [copy, moved] : [moved, copy];
    pool.return(first);
    throwsCode(() => pool.return(second), ErrorCode.FOREIGN_OBJECT, /copies an array it lent/);
    assert.equal([pool.stats.lent, pool.stats.idle, pool.stats.transferred], [1, 1, 1]);
    pool.return(keep);
    assert.equal([pool.stats.lent, pool.stats.idle], [0, 2]);
  }
});

transfer('arrays never rented are refused whatever their shape: plain, a forged trailer, another pool\'s, an overwritten mark', () => {
  const pool = new BufferPool(Uint8Array);
  const other = new BufferPool(Uint8Array);
  const lent = pool.rent(16);
  const forged = new Uint8Array(new ArrayBuffer(16 + MARK_BYTES), 0, 16);
  throwsCode(() => pool.return(forged), ErrorCode.FOREIGN_OBJECT, /that it did not rent/);
  throwsCode(() => pool.return(new Uint8Array(16)), ErrorCode.FOREIGN_OBJECT);
  const theirs = transferred(other.rent(16));
  throwsCode(() => pool.return(theirs), ErrorCode.FOREIGN_OBJECT, /that it did not rent/);
  other.return(theirs);
  // The same memory behind a view that is not the whole array: a subarray, an offset view.
  const moved = transferred(lent);
  throwsCode(() => pool.return(moved.subarray(0, 8)), ErrorCode.FOREIGN_OBJECT);
  throwsCode(() => pool.return(new Uint8Array(moved.buffer, 8, 8)), ErrorCode.FOREIGN_OBJECT);
  throwsCode(() => pool.return(new Uint16Array(moved.buffer, 0, 8) as unknown as Uint8Array), ErrorCode.FOREIGN_OBJECT);
  // A holder that wrote over the trailer has erased the mark: the memory is no longer recognised.
  const scribbled = structuredClone(moved);
  new Uint8Array(scribbled.buffer).fill(0);
  throwsCode(() => pool.return(scribbled), ErrorCode.FOREIGN_OBJECT, /that it did not rent/);
  pool.return(moved);
  assert.equal([pool.stats.lent, pool.stats.transferred], [0, 1]);
});

transfer('memory that left while idle (a reference kept after return) is ERR_DOUBLE_RELEASE, and the books stay as they were', () => {
  for (const checked of [false, true]) {
    const pool = new BufferPool(Uint8Array, { checked });
    const [a, b] = [pool.rent(16), pool.rent(16)];
    pool.return(a); // idle now
    const stale = transferred(a);
    throwsCode(() => pool.return(stale), ErrorCode.DOUBLE_RELEASE, /left the pool while it was idle/);
    assert.equal([pool.stats.lent, pool.stats.idle, pool.stats.transferred], [1, 1, 0]);
    const c = pool.rent(16); // the detached idle array is dropped, a new one lent
    assert.ok(c !== a && c !== stale && c.length === 16);
    throwsCode(() => pool.return(stale), ErrorCode.FOREIGN_OBJECT, /did not rent/);
    pool.return(b);
    pool.return(c);
    assert.equal([pool.stats.lent, pool.stats.discarded], [0, 1]);
  }
});

transfer('an array dropped by trim is forgotten: its memory coming back later is foreign', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(16);
  pool.return(a);
  pool.trim();
  throwsCode(() => pool.return(transferred(a)), ErrorCode.FOREIGN_OBJECT, /did not rent/);
});

transfer('the original object collected before the memory comes back: the lending is still taken back once', async () => {
  const pool = new BufferPool(Uint8Array);
  const keep = pool.rent(8);
  // A FinalizationRegistry says when the collector took it (a WeakRef's deref would keep it alive
  // through the collection that follows in the same job).
  let collected = false;
  const watch = new FinalizationRegistry(() => (collected = true));
  const back = await (async () => {
    const a = pool.rent(8);
    watch.register(a, undefined);
    a[0] = 5;
    const [b] = await roundTrip([a]);
    return b!;
  })();
  // The owner slot is bound to the last array lent: lend and take back another, so nothing holds the first.
  pool.return(pool.rent(8));
  assert.ok(await collectUntil(() => collected), 'the original object was collected');
  const copy = structuredClone(back);
  pool.return(back);
  assert.equal([pool.stats.lent, pool.stats.transferred, back[0]], [1, 1, 6]);
  throwsCode(() => pool.return(copy), ErrorCode.FOREIGN_OBJECT, /copies/);
  pool.return(keep);
  assert.is(pool.stats.lent, 0);
});

transfer('an oversized array comes back too: taken and dropped once, ERR_DOUBLE_RELEASE after', () => {
  const pool = new BufferPool(Uint8Array, { maxLength: 16 });
  const a = pool.rent(100);
  assert.is(a.buffer.byteLength, 100 + MARK_BYTES);
  const b = transferred(a);
  pool.return(b);
  throwsCode(() => pool.return(b), ErrorCode.DOUBLE_RELEASE, /oversized array it already took back/);
  throwsCode(() => pool.return(structuredClone(b)), ErrorCode.FOREIGN_OBJECT);
  const c = pool.rent(100);
  pool.return(c);
  throwsCode(() => pool.return(transferred(c)), ErrorCode.FOREIGN_OBJECT, /did not rent/);
  assert.equal([pool.stats.oversized, pool.stats.transferred, pool.stats.idle], [2, 1, 0]);
});

transfer("zero: 'return' clears what comes back from a transfer; Float64Array round trips too", () => {
  const pool = new BufferPool(Float64Array, { zero: 'return' });
  const a = pool.rent(8);
  a.fill(1.5);
  const b = transferred(a);
  pool.return(b);
  assert.ok(b.every((x) => x === 0));
  assert.is(pool.rent(8), b);
});

transfer('transfer: false makes plain arrays and refuses what comes back; so does a pool of a subclass', () => {
  const plain = new BufferPool(Uint8Array, { transfer: false });
  const a = plain.rent(16);
  assert.is(a.buffer.byteLength, 16);
  throwsCode(() => plain.return(transferred(a)), ErrorCode.FOREIGN_OBJECT);
  class Bytes extends Uint8Array {}
  const sub = new BufferPool(Bytes);
  const s = sub.rent(16);
  assert.is(s.buffer.byteLength, 16);
  sub.return(s);
  assert.throws(() => new BufferPool(Uint8Array, { transfer: 'yes' as unknown as boolean }), (e: unknown) => e instanceof TypeError && /`transfer`.*"yes"/.test((e as Error).message));
});

transfer.run();
