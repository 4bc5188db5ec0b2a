/** BufferPool lifecycle: `stats` summed over the classes, `trim` per class, and `close`. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool, ErrorCode } from '../src/index.js';
import { throwsCode } from './helpers/errors.js';

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

lifecycle.run();
