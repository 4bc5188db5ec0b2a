/**
 * WaiterQueue: the one queue behind LocalPool.acquireAsync and SharedPool.acquireAsync (FIFO,
 * settled once, timer and AbortSignal, one timeout rule), and the pools' use of it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, LocalPool, PoolError, SharedPool } from '../src/index.js';
import { checkWaitOptions, MAX_TIMEOUT, WaiterQueue } from '../src/waiter-queue.js';
import { isCode } from './helpers/errors.js';

const timeoutError = (ms: number) => new PoolError(ErrorCode.TIMEOUT, `timed out after ${ms} ms`);

async function settled<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

const queue = suite('WaiterQueue');

queue('serves waiters first come, first served, each once', async () => {
  const q = new WaiterQueue<number>({}, timeoutError);
  const a = q.wait(checkWaitOptions(undefined, 'test'));
  const b = q.wait(checkWaitOptions({}, 'test'));
  assert.is(q.size, 2);
  assert.ok(q.resolveNext(1));
  assert.ok(q.resolveNext(2));
  assert.not.ok(q.resolveNext(3), 'nobody is left to serve');
  assert.is(await a, 1);
  assert.is(await b, 2);
  assert.is(q.size, 0);
});

queue('a waiter whose timer ran out is skipped, and the hooks see every arrival and departure', async () => {
  let first = 0;
  let settledCount = 0;
  const q = new WaiterQueue<number>({ onFirst: () => first++, onSettle: () => settledCount++ }, timeoutError);
  const late = settled(q.wait(checkWaitOptions({ timeout: 1 }, 'test')));
  const patient = q.wait(checkWaitOptions({ timeout: 5_000 }, 'test'));
  assert.is(first, 1);
  const r = await late;
  assert.ok(isCode(ErrorCode.TIMEOUT)(r.error));
  assert.is(q.size, 1);
  assert.ok(q.resolveNext(7));
  assert.is(await patient, 7);
  assert.is(settledCount, 2);
  assert.is(first, 1);
});

queue('aborting rejects with the signal reason; rejectNext and rejectAll reject in order', async () => {
  const q = new WaiterQueue<number>({}, timeoutError);
  const ac = new AbortController();
  const aborted = settled(q.wait(checkWaitOptions({ signal: ac.signal }, 'test')));
  const x = settled(q.wait(checkWaitOptions(undefined, 'test')));
  const y = settled(q.wait(checkWaitOptions(undefined, 'test')));
  const z = settled(q.wait(checkWaitOptions(undefined, 'test')));
  ac.abort(new Error('stop'));
  assert.is(((await aborted).error as Error).message, 'stop');
  assert.ok(q.rejectNext('x'));
  const reasons = ['y', 'z'];
  q.rejectAll(() => reasons.shift());
  assert.equal([(await x).error, (await y).error, (await z).error], ['x', 'y', 'z']);
  assert.not.ok(q.rejectNext('nobody'));
});

queue('the timeout rule: 0 to 2^31-1 ms or Infinity; anything else is a RangeError naming it', () => {
  assert.is(checkWaitOptions({ timeout: MAX_TIMEOUT }, 'test').timeout, MAX_TIMEOUT);
  assert.is(checkWaitOptions({ timeout: Infinity }, 'test').timeout, Infinity);
  assert.is(checkWaitOptions({ timeout: 0 }, 'test').timeout, 0);
  for (const bad of [2 ** 31, -1, NaN, '5', null]) {
    assert.throws(() => checkWaitOptions({ timeout: bad }, 'test'), (e: unknown) => e instanceof RangeError && /`timeout`/.test((e as Error).message));
  }
});

queue('a signal that is not an AbortSignal is a TypeError naming `signal`; options must be an object', () => {
  for (const bad of [{}, 'abort', 42, { aborted: false }]) {
    assert.throws(() => checkWaitOptions({ signal: bad }, 'test'), (e: unknown) => e instanceof TypeError && /`signal`/.test((e as Error).message));
  }
  for (const bad of [null, 42, 'x']) {
    assert.throws(() => checkWaitOptions(bad, 'test'), (e: unknown) => e instanceof TypeError && /options must be an object/.test((e as Error).message));
  }
});

queue('a signal whose addEventListener throws rejects that call and counts nothing', async () => {
  let first = 0;
  const q = new WaiterQueue<number>({ onFirst: () => first++ }, timeoutError);
  const signal = { aborted: false, addEventListener() { throw new Error('no listeners'); }, removeEventListener() {} } as unknown as AbortSignal;
  const r = await settled(q.wait(checkWaitOptions({ signal, timeout: 50 }, 'test')));
  assert.is((r.error as Error).message, 'no listeners');
  assert.is(q.size, 0);
  assert.is(first, 0);
});

queue('a signal whose removeEventListener throws does not lose the value handed over', async () => {
  const signal = {
    aborted: false,
    addEventListener() {},
    removeEventListener() {
      throw new Error('cannot remove');
    },
  } as unknown as AbortSignal;
  const q = new WaiterQueue<number>({}, timeoutError);
  const p = q.wait(checkWaitOptions({ signal }, 'test'));
  assert.ok(q.resolveNext(5));
  assert.is(await p, 5);
  assert.is(q.size, 0);
});

queue.run();

const pools = suite('WaiterQueue in the pools');

pools('LocalPool: a signal whose addEventListener throws leaves stats.waiting at 0, and the next waiter is served', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  const held = pool.acquire();
  const signal = { aborted: false, addEventListener() { throw new Error('no listeners'); }, removeEventListener() {} } as unknown as AbortSignal;
  const r = await settled(pool.acquireAsync({ signal }));
  assert.is((r.error as Error).message, 'no listeners');
  assert.is(pool.stats.waiting, 0);
  const next = pool.acquireAsync({ timeout: 1_000 });
  pool.release(held);
  assert.is(await next, held);
});

pools('SharedPool.acquireAsync and acquireSync refuse a timeout over 2^31-1 ms, as LocalPool does (regression: SharedPool passed it to setTimeout, which fired at once)', async () => {
  const shared = SharedPool.create({ blockSize: 64, blocks: 1 });
  const local = new LocalPool({ create: () => ({}) });
  for (const acquireAsync of [() => shared.acquireAsync({ timeout: 2 ** 31 }), () => local.acquireAsync({ timeout: 2 ** 31 })]) {
    const r = await settled(acquireAsync() as Promise<unknown>);
    assert.ok(r.error instanceof RangeError, `expected a RangeError, got ${String(r.error)}`);
  }
  assert.throws(() => shared.acquireSync({ timeout: 2 ** 31 }), RangeError);
  shared.close();
});

pools('SharedPool.acquireAsync(null) and (42) are refused, not taken as "no options"', async () => {
  const shared = SharedPool.create({ blockSize: 64, blocks: 1 });
  for (const bad of [null, 42]) {
    const r = await settled(shared.acquireAsync(bad as never));
    assert.ok(r.error instanceof TypeError, `acquireAsync(${String(bad)}) gave ${String(r.error)}`);
  }
  assert.throws(() => shared.acquireSync(null as never), TypeError);
  shared.close();
});

pools('SharedPool.acquireAsync refuses an unknown option as LocalPool does, naming the one meant', async () => {
  const shared = SharedPool.create({ blockSize: 64, blocks: 1 });
  const r = await settled(shared.acquireAsync({ singal: undefined } as never));
  assert.ok(r.error instanceof TypeError && /unknown option `singal` for SharedPool\.acquireAsync\(\) \(did you mean `signal`\?\)/.test((r.error as Error).message), String(r.error));
  shared.close();
});

pools.run();
