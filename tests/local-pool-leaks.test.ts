import { test } from 'uvu';
import * as assert from 'uvu/assert';
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

test.run();
