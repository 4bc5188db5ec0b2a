/** LocalPool reset: what a release does with an object that `reset` accepts, rejects or throws on. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalPool } from '../src/index.js';
import { counter, type Obj } from './helpers/counter.js';

const reset = suite('LocalPool reset');

reset('reset runs on every release', () => {
  const seen: Obj[] = [];
  const c = counter();
  const pool = new LocalPool<Obj>({ create: c.create, reset: (o) => void seen.push(o) });
  const a = pool.acquire();
  pool.release(a);
  pool.release(pool.acquire());
  assert.equal(seen, [a, a]);
  assert.is(pool.acquire(), a);
});

reset('reset returning false discards and disposes the object; it is never lent again', () => {
  const c = counter();
  const pool = new LocalPool<Obj>({ create: c.create, dispose: c.dispose, reset: (o) => !o.dirty });
  const a = pool.acquire();
  a.dirty = true;
  pool.release(a);
  assert.equal(c.disposed, [a]);
  assert.is.not(pool.acquire(), a);
  assert.is(pool.stats.discarded, 1);
  assert.is(pool.stats.lent, 1);
});

reset('reset throwing discards the object and rethrows', () => {
  const c = counter();
  const pool = new LocalPool<Obj>({
    create: c.create,
    dispose: c.dispose,
    reset: () => {
      throw new Error('bad reset');
    },
  });
  const a = pool.acquire();
  assert.throws(() => pool.release(a), /bad reset/);
  assert.equal(c.disposed, [a]);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.stats.idle, 0);
});

reset.run();
