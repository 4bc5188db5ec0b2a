/**
 * BufferPool lending: rent rounds a length up to its power-of-two class, return takes the array back,
 * and each class lends its arrays owner slot first, then LIFO, to one holder at a time.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool, type TypedArray, type TypedArrayConstructor } from '../src/index.js';

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

rent.run();
