/**
 * LocalPool soft retention (`soft: true`): idle objects past `max` held through WeakRefs, revived
 * before the source is asked, bounded, disposed on close, and counted when the collector takes them.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalPool } from '../src/index.js';
import { counter } from './helpers/counter.js';
import { collectUntil } from './helpers/gc.js';

const soft = suite('LocalPool soft retention');

soft('soft retention keeps surplus objects through WeakRefs and revives them', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 1, soft: true });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  pool.release(b); // over max: held softly, not disposed
  assert.is(c.disposed.length, 0);
  assert.is(pool.stats.soft, 1);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.acquire(), a);
  assert.is(pool.acquire(), b); // revived, not created
  assert.is(c.made, 2);
  assert.is(pool.stats.lent, 2);
});

soft('soft retention is bounded: past its cap surplus is disposed', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 1, soft: true });
  const held = Array.from({ length: 20 }, () => pool.acquire());
  for (const o of held) pool.release(o);
  // max 1 idle + 8 soft (cap = max(8, max * 8)); the rest are disposed
  assert.is(pool.stats.idle, 1);
  assert.is(pool.stats.soft, 8);
  assert.is(c.disposed.length, 11);
});

soft('soft objects respect limit when revived', () => {
  const pool = new LocalPool({ create: () => ({}), max: 0, soft: true, limit: 1 });
  const a = pool.acquire();
  pool.release(a);
  assert.is(pool.stats.soft, 1);
  assert.is(pool.acquire(), a);
  assert.is(pool.tryAcquire(), undefined);
});

soft('close disposes softly retained objects that are still alive', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose, max: 0, soft: true });
  const a = pool.acquire();
  pool.release(a);
  pool.close();
  assert.equal(c.disposed, [a]);
});

soft('softly held objects the collector took count as discarded, so the books balance (regression: they were never counted as discarded)', async () => {
  const pool = new LocalPool<object>({ create: () => ({ payload: new Array(64).fill(1) }), max: 0, soft: true });
  const held = [pool.acquire(), pool.acquire(), pool.acquire()];
  for (const o of held) pool.release(o);
  held.length = 0;
  assert.is(pool.stats.soft, 3);
  await collectUntil(() => false, 6);
  pool.acquire();
  const s = pool.stats;
  assert.is(s.created - s.discarded, s.lent + s.idle + s.soft, `unbalanced: ${JSON.stringify(s)}`);
});

soft('revive and close skip the objects the collector took, and count them as discarded', async () => {
  // Released from a function that has returned, so no suspended frame of this test keeps one alive.
  // A FinalizationRegistry says when the collector has taken them (a WeakRef's deref would keep
  // its target alive through the collection that follows it in the same job).
  const pool = new LocalPool<object>({ create: () => ({ payload: new Array(64).fill(1) }), max: 0, soft: true });
  const closing = new LocalPool<object>({ create: () => ({ payload: new Array(64).fill(1) }), max: 0, soft: true });
  let collected = 0;
  const watch = new FinalizationRegistry(() => collected++);
  const releaseThree = (p: LocalPool<object>): void => {
    const held = [p.acquire(), p.acquire(), p.acquire()];
    for (const o of held) {
      watch.register(o, undefined);
      p.release(o);
    }
  };
  releaseThree(pool);
  releaseThree(closing);
  assert.ok(await collectUntil(() => collected === 6), `the collector took ${collected} of 6 softly held objects`);
  pool.acquire(); // revive finds every ref cleared, then creates
  assert.is(pool.stats.created, 4);
  assert.is(pool.stats.discarded, 3);
  assert.is(pool.stats.soft, 0);
  closing.close(); // nothing alive to dispose; the cleared refs are counted
  assert.is(closing.stats.discarded, 3);
  assert.is(closing.stats.soft, 0);
});

soft.run();
