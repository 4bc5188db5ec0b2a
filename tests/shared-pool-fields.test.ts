/**
 * SharedPool typed fields (`fields` option, src/shared/fields.ts): the record's layout beside the
 * block's bytes, every element type's reads and writes, what an attaching isolate sees, the bad
 * schemas refused, and syncpool's producer/consumer example with two real workers and nothing
 * serialised.
 */
import { Worker } from 'node:worker_threads';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, SharedPool } from '../src/index.js';
import { H } from '../src/shared/layout.js';
import { thrownCode } from './helpers/errors.js';
import { drain, exited, STRATEGIES } from './helpers/shared.js';
import { expected, QUEUE, RECORD_FIELDS } from './workers/fields-worker.js';

const FIELDS_WORKER = new URL('./workers/fields-worker.js', import.meta.url);

const ALL = { a: 'i8', b: 'u8', c: 'i16', d: 'u16', e: 'i32', f: 'u32', g: 'f32', h: 'f64', i: 'i64', j: 'u64' } as const;

const layout = suite('SharedPool fields: layout and access');

layout('fields sit at natural alignment in declaration order, before bytes that keep blockSize and 8-byte alignment', () => {
  const pool = SharedPool.create({ blockSize: 40, blocks: 4, cache: 0, fields: { tag: 'u8', score: 'f64', id: 'u32', n: 'i16' } });
  const b = pool.acquire();
  // tag at 0, score at 8, id at 16, n at 20: 22 bytes, rounded to 24.
  assert.is(b.bytes.length, 40);
  assert.is(b.bytes.byteOffset % 64, 24);
  const view = new DataView(pool.handle.sab, b.bytes.byteOffset - 24, 24);
  b.fields.tag = 0xab;
  b.fields.score = 2.5;
  b.fields.id = 0xdeadbeef;
  b.fields.n = -2;
  assert.is(view.getUint8(0), 0xab);
  assert.is(view.getFloat64(8, true), 2.5);
  assert.is(view.getUint32(16, true), 0xdeadbeef);
  assert.is(view.getInt16(20, true), -2);
  assert.ok(b.bytes.every((x) => x === 0), 'writing fields touched the bytes');
  assert.equal(pool.fields, { tag: 'u8', score: 'f64', id: 'u32', n: 'i16' });
});

layout('every type reads back what it stores, wrapping as its typed array does; i64 and u64 are bigints', () => {
  const pool = SharedPool.create({ blockSize: 8, blocks: 2, cache: 0, fields: ALL });
  const f = pool.acquire().fields;
  f.a = 200;
  f.b = 300;
  f.c = 40000;
  f.d = -1;
  f.e = 2 ** 31;
  f.f = -1;
  f.g = 0.1;
  f.h = 0.1;
  f.i = -(2n ** 63n);
  f.j = 2n ** 64n - 1n;
  assert.equal([f.a, f.b, f.c, f.d, f.e, f.f, f.g, f.h, f.i, f.j], [-56, 44, -25536, 65535, -(2 ** 31), 2 ** 32 - 1, Math.fround(0.1), 0.1, -(2n ** 63n), 2n ** 64n - 1n]);
  assert.throws(() => ((f as { i: unknown }).i = 1), TypeError);
  const seen: string[] = [];
  for (const k in f) seen.push(k);
  assert.equal(seen, Object.keys(ALL), 'for...in lists the fields, in order, and nothing else');
  assert.equal(JSON.parse(JSON.stringify(f)).j, String(2n ** 64n - 1n));
  assert.throws(() => ((f as Record<string, unknown>).misspelt = 1), TypeError);
});

layout("each block has its own record, and the fields object is the block's own, every time", () => {
  const pool = SharedPool.create({ blockSize: 16, blocks: 8, cache: 4, fields: { id: 'u32' } });
  const blocks = Array.from({ length: 8 }, () => pool.acquire());
  blocks.forEach((b, i) => (b.fields.id = i * 11));
  assert.equal(blocks.map((b) => b.fields.id), [0, 11, 22, 33, 44, 55, 66, 77]);
  for (const b of blocks) pool.release(b);
  const again = pool.acquire();
  assert.is(again.fields.id, again.index * 11, 'a record keeps its values across lendings');
  assert.is(again.fields, blocks[again.index]!.fields);
});

layout('a pool without fields gives every block an empty frozen fields object, and its record takes no bytes', () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 2, cache: 0 });
  const b = pool.acquire();
  assert.equal(b.fields, {});
  assert.ok(Object.isFrozen(b.fields));
  assert.is(b.bytes.byteOffset % 64, 0);
  assert.equal(pool.fields, {});
});

layout('an attaching isolate sees the same fields, from the schema kept in the buffer, over every strategy', () => {
  for (const strategy of STRATEGIES) {
    const pool = SharedPool.create({ blockSize: 32, blocks: 4, cache: 0, strategy, fields: { id: 'u32', score: 'f64', seq: 'i64', tag: 'u8' } });
    const b = pool.acquire();
    b.fields.id = 9;
    b.fields.seq = -3n;
    const other = SharedPool.attach(pool.handle, { cache: 0 });
    assert.equal(other.fields, pool.fields, strategy);
    const there = other.adopt(b.index);
    assert.is(there.fields.id, 9);
    assert.is(there.fields.seq, -3n);
    there.fields.score = 1.25;
    assert.is(b.fields.score, 1.25);
    other.release(there);
    assert.is(drain(pool), 4);
  }
});

layout("a posted Block carries no fields (structured clone drops accessors): the receiver adopts it for its own", () => {
  const pool = SharedPool.create({ blockSize: 16, blocks: 2, cache: 0, fields: { id: 'u32' } });
  const b = pool.acquire();
  b.fields.id = 5;
  const copy = structuredClone(b) as unknown as { fields?: unknown; index: number };
  assert.is(copy.fields, undefined);
  assert.is(pool.adopt(copy.index).fields.id, 5);
});

const bad = suite('SharedPool fields: bad schemas');

bad('an unknown type is refused with a TypeError naming the field and the type', () => {
  const e = (() => {
    try {
      SharedPool.create({ blockSize: 8, blocks: 2, fields: { id: 'u128' as 'u32' } });
    } catch (error) {
      return error as Error;
    }
    return undefined;
  })();
  assert.instance(e, TypeError);
  assert.match(e!.message, /`id`/);
  assert.match(e!.message, /u128/);
});

bad('a bad name is refused with a TypeError naming it: not an identifier, reserved, too long', () => {
  for (const name of ['1st', 'a-b', '', 'toJSON', 'constructor', '__proto__x'.slice(0, 9), 'x'.repeat(65)]) {
    let e: unknown;
    try {
      SharedPool.create({ blockSize: 8, blocks: 2, fields: { [name]: 'u8' } });
    } catch (error) {
      e = error;
    }
    assert.instance(e, TypeError, name);
    assert.ok((e as Error).message.includes(JSON.stringify(name)), (e as Error).message);
  }
});

bad('fields that are not an object of types are refused with a TypeError; more than 64 fields too', () => {
  for (const fields of [null, 'id:u32', ['u32'], 7]) {
    assert.throws(() => SharedPool.create({ blockSize: 8, blocks: 2, fields: fields as never }), (e: Error) => e instanceof TypeError && /fields/.test(e.message));
  }
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, 'u8' as const]));
  assert.throws(() => SharedPool.create({ blockSize: 8, blocks: 2, fields: many }), (e: Error) => e instanceof TypeError && /65 fields/.test(e.message));
});

bad('attach refuses a buffer whose schema text was damaged (ERR_BAD_HANDLE), and one whose record size disagrees', () => {
  const pool = SharedPool.create({ blockSize: 8, blocks: 2, cache: 0, fields: { id: 'u32', score: 'f64' } });
  const a = new Int32Array(pool.handle.sab);
  const text = new Uint8Array(pool.handle.sab, a[H.FIELDS_OFFSET]!, a[H.FIELDS_BYTES]!);
  const saved = text[3]!;
  text[3] = 'x'.charCodeAt(0); // `id:x32,...`
  assert.is(thrownCode(() => SharedPool.attach(pool.handle)), ErrorCode.BAD_HANDLE);
  text[3] = saved;
  a[H.RECORD_BYTES] = 8;
  assert.is(thrownCode(() => SharedPool.attach(pool.handle)), ErrorCode.BAD_HANDLE);
  a[H.RECORD_BYTES] = 16;
  assert.is(SharedPool.attach(pool.handle, { cache: 0 }).fields.score, 'f64');
});

const example = suite("SharedPool fields: syncpool's producer and consumer, in two workers");

example('128 records from a producer worker to a consumer worker through 8 blocks: every field and name read back, nothing lost', async () => {
  for (const strategy of STRATEGIES) {
    const pool = SharedPool.create({ blockSize: 32, blocks: 8, cache: 0, strategy, fields: RECORD_FIELDS });
    const records = 128;
    const queue = new Int32Array(new SharedArrayBuffer(4 * (QUEUE.SLOTS + records)));
    const producer = new Worker(FIELDS_WORKER, { workerData: { mode: 'produce', handle: pool.handle, queue, records } });
    const consumer = new Worker(FIELDS_WORKER, { workerData: { mode: 'consume', handle: pool.handle, queue, records } });
    assert.equal(await Promise.all([exited(producer), exited(consumer)]), [0, 0], strategy);
    assert.is(Atomics.load(queue, QUEUE.CONSUMED), records);
    assert.is(Atomics.load(queue, QUEUE.BAD), 0, `${strategy}: records read back wrong`);
    assert.ok(new Set(Array.from(queue.subarray(QUEUE.SLOTS))).size <= 8, 'the records went through the 8 blocks');
    assert.is(drain(pool), 8, `${strategy}: a block was lost`);
    const probe = SharedPool.attach(pool.handle, { cache: 0 });
    const all = Array.from({ length: 8 }, () => probe.acquire());
    assert.is(all.find((b) => b.index === queue[QUEUE.SLOTS + records - 1])!.fields.seq, expected(records - 1).seq, 'the last record stays in its block');
  }
});

layout.run();
bad.run();
example.run();
