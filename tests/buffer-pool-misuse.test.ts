/**
 * BufferPool misuse: returns of arrays it did not rent (ERR_FOREIGN_OBJECT) and of arrays already
 * returned (ERR_DOUBLE_RELEASE), unchecked and in checked mode.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool, ErrorCode } from '../src/index.js';
import { withEnv } from './helpers/env.js';
import { throwsCode } from './helpers/errors.js';

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

misuse('rent never lends an array whose buffer was detached while it sat idle: it is dropped (regression: rent lent a length-0 array)', () => {
  for (const options of [{ zero: 'never' }, { zero: 'rent' }, { checked: true }] as const) {
    const pool = new BufferPool(Uint8Array, options);
    const [a, b] = [pool.rent(16), pool.rent(16)];
    pool.return(a);
    pool.return(b); // b in the owner slot, a on the stack
    // Stale references detach both idle arrays' buffers (as a transfer to a worker would).
    structuredClone([a.buffer, b.buffer], { transfer: [a.buffer, b.buffer] });
    const c = pool.rent(16);
    assert.is(c.length, 16);
    assert.ok(c !== a && c !== b, 'a new array');
    const s = pool.stats;
    assert.equal([s.discarded, s.lent, s.idle, s.created], [2, 1, 0, 3]);
    pool.return(c);
  }
});

misuse('returning the array just returned throws ERR_DOUBLE_RELEASE even unchecked', () => {
  const pool = new BufferPool(Uint8Array, { checked: false });
  const a = pool.rent(8);
  pool.return(a);
  throwsCode(() => pool.return(a), ErrorCode.DOUBLE_RELEASE);
});

misuse("in checked mode a second return throws wherever the array sits, so no array is lent to two holders (regression: typedarray-pool's double free hands one buffer out twice)", () => {
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
  withEnv('ISOPOOL_CHECKED', '1', () => {
    const pool = new BufferPool(Uint16Array);
    const [a, b, c] = [pool.rent(4), pool.rent(4), pool.rent(4)];
    pool.return(b);
    pool.return(a);
    pool.return(c);
    throwsCode(() => pool.return(a), ErrorCode.DOUBLE_RELEASE);
  });
});

misuse.run();
