/**
 * LocalPool leak tracking (`leaks: { onLeak, sample }`): objects lent and never released are
 * reported when the collector finds them, free their room under `limit`, and cost the owner slot nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspectLocalPool } from '../src/local/local-pool.js';
import { LocalPool, type LeakReport } from '../src/index.js';
import { collectUntil } from './helpers/gc.js';

function acquireAndDrop(pool: LocalPool<object>, count: number): void {
  for (let i = 0; i < count; i++) pool.acquire();
}

test('an object lent and never released is reported with where it was acquired', async () => {
  const reports: LeakReport[] = [];
  const pool = new LocalPool<object>({ create: () => ({ big: new Array(100).fill(0) }), name: 'scratch', leaks: { onLeak: (r) => reports.push(r), sample: 1 } });
  acquireAndDrop(pool, 1);
  assert.ok(await collectUntil(() => reports.length === 1), 'the leak was not reported');
  const report = reports[0]!;
  assert.is(report.pool, 'scratch');
  assert.match(report.stack, /acquireAndDrop/);
  assert.ok(report.acquiredAt <= Date.now());
  assert.is(pool.stats.leaked, 1);
  assert.is(pool.stats.lent, 0); // the leaked object left `live`
});

test('released objects are not reported', async () => {
  const reports: LeakReport[] = [];
  const pool = new LocalPool<object>({ create: () => ({}), max: 0, leaks: { onLeak: (r) => reports.push(r), sample: 1 } });
  for (let i = 0; i < 10; i++) pool.release(pool.acquire());
  await collectUntil(() => false, 5);
  assert.is(reports.length, 0);
  assert.is(pool.stats.discarded, 10);
});

test('a sampled object released, then trimmed and collected, is not reported as a leak (guards a would-be bug: the tracker still holding a trimmed object)', async () => {
  const reports: unknown[] = [];
  const pool = new LocalPool<object>({ create: () => ({ p: new Array(32).fill(0) }), leaks: { onLeak: (r) => void reports.push(r), sample: 1 } });
  const objs = [pool.acquire(), pool.acquire()];
  for (const o of objs) pool.release(o);
  objs.length = 0;
  pool.trim(0);
  await collectUntil(() => false, 6);
  assert.is(reports.length, 0);
});

test('sampling tracks one acquire in 1/sample', async () => {
  const reports: LeakReport[] = [];
  const pool = new LocalPool<object>({ create: () => ({}), leaks: { onLeak: (r) => reports.push(r), sample: 0.25 } });
  acquireAndDrop(pool, 40);
  assert.ok(await collectUntil(() => reports.length === 10), `expected 10 reports, got ${reports.length}`);
  await collectUntil(() => false, 3);
  assert.is(reports.length, 10);
});

test('a leak frees room under limit for a waiter', async () => {
  const pool = new LocalPool<object>({ create: () => ({}), limit: 1, leaks: { onLeak() {}, sample: 1 } });
  acquireAndDrop(pool, 1);
  let got: object | undefined;
  const waiting = pool.acquireAsync().then((o) => (got = o));
  assert.ok(await collectUntil(() => got !== undefined), 'the waiter was not served after the leak');
  await waiting;
  assert.is(pool.stats.lent, 1);
});

test('a leak frees room for a waiter even when onLeak throws, and the error still surfaces (regression: a throwing onLeak stranded the waiters its leak made room for)', async () => {
  const errors: unknown[] = [];
  const onError = (e: unknown) => void errors.push(e);
  process.on('uncaughtException', onError);
  try {
    const pool = new LocalPool<object>({
      create: () => ({}),
      limit: 1,
      leaks: {
        sample: 1,
        onLeak() {
          throw new Error('onLeak failed');
        },
      },
    });
    (() => pool.acquire())();
    let served = false;
    const waiting = pool.acquireAsync().then(() => (served = true));
    assert.ok(await collectUntil(() => served), 'the waiter was not served');
    await waiting;
    await collectUntil(() => errors.length > 0, 5);
    assert.ok(errors.some((e) => (e as Error).message === 'onLeak failed'), 'the onLeak error was swallowed');
  } finally {
    process.off('uncaughtException', onError);
  }
});

test('a tracked pool serves acquire/release pairs from the owner slot between samples (regression: leak tracking turned the owner slot off and cost every acquire the cold path)', () => {
  const pool = new LocalPool<object>({ create: () => ({}), leaks: { onLeak() {}, sample: 1 / 4 }, checked: false });
  const a = pool.acquire(); // acquire 1: made on the cold path
  pool.release(a);
  let fromSlot = 0;
  for (let i = 0; i < 100; i++) {
    if (inspectLocalPool(pool).slot === 'full') fromSlot++;
    const o = pool.acquire(); // acquires 2 to 101
    assert.is(o, a);
    pool.release(o);
  }
  // Acquires 4, 8, ..., 100 are due for sampling: their releases before leave the slot empty, so
  // they take the cold path. The 75 others are served by the slot.
  assert.is(fromSlot, 75);
  assert.is(pool.stats.created, 1);
});

test('sample: 1 sees every leak, of objects the owner slot would have served too, and a pool at its limit never runs dry (regression: 0 of 100 such leaks were reported)', async () => {
  let reported = 0;
  const pool = new LocalPool<object>({ create: () => ({ pad: new Array(16).fill(0) }), limit: 10, leaks: { onLeak: () => void reported++, sample: 1 } });
  for (let round = 1; round <= 100; round++) {
    for (let i = 0; i < 99; i++) pool.release(pool.acquire());
    acquireAndDrop(pool, 1); // 1 acquire in 100 leaks: a pair's object, served right after a release
    assert.ok(await collectUntil(() => reported === round), `leak ${round} was not reported (${reported} were)`);
  }
  assert.is(pool.stats.leaked, 100);
  assert.is(pool.stats.lent, 0);
  assert.ok(pool.tryAcquire() !== undefined, 'the pool ran dry');
});

test.run();
