/** BufferPool zeroing: the `zero` option decides whether an array is cleared never, on return, or on rent. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool } from '../src/index.js';

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

zero.run();
