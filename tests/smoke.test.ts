import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalPool } from '../src/index.js';

test('acquire returns what create made, release gives it back to the slot', () => {
  const pool = new LocalPool({ create: () => ({ n: 0 }) });
  const a = pool.acquire();
  pool.release(a);
  assert.is(pool.acquire(), a);
});

test.run();
