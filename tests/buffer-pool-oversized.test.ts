/** BufferPool oversized requests: lengths above `maxLength` are served exactly and never pooled. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool, ErrorCode } from '../src/index.js';
import { throwsCode } from './helpers/errors.js';

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

oversized.run();
