/**
 * LocalPool waiting: `acquireAsync` at `limit`, served FIFO by releases, new objects or leaks, and
 * ended by a timeout, an abort signal or close; its queue stays bounded under sustained contention
 * (WaiterQueue itself is covered in waiter-queue.test.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, LocalPool } from '../src/index.js';
import { inspectLocalPool } from '../src/local/local-pool.js';
import { rejectsWith } from './helpers/async.js';
import { isCode } from './helpers/errors.js';

const waits = suite('LocalPool.acquireAsync');

waits('resolves at once when an object is available', async () => {
  const pool = new LocalPool({ create: () => ({}) });
  const a = pool.acquire();
  pool.release(a);
  assert.is(await pool.acquireAsync(), a);
});

waits('waits at limit and is served by the next release, in FIFO order', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  const a = pool.acquire();
  const order: number[] = [];
  const first = pool.acquireAsync().then((o) => (order.push(1), o));
  const second = pool.acquireAsync().then((o) => (order.push(2), o));
  assert.is(pool.stats.waiting, 2);
  pool.release(a);
  assert.is(await first, a);
  pool.release(a);
  assert.is(await second, a);
  assert.equal(order, [1, 2]);
  assert.is(pool.stats.waiting, 0);
  assert.is(pool.stats.lent, 1);
});

waits('a waiter is served by a new object when a release is discarded by reset', async () => {
  let made = 0;
  const pool = new LocalPool<{ n: number }>({ create: () => ({ n: made++ }), limit: 1, reset: () => false });
  const a = pool.acquire();
  const waiting = pool.acquireAsync();
  pool.release(a); // rejected by reset: the slot in `limit` frees up, so the waiter gets a new object
  const b = await waiting;
  assert.is.not(b, a);
  assert.is(b.n, 1);
  assert.is(pool.stats.lent, 1);
});

waits('a create error while serving a waiter rejects that waiter', async () => {
  let fail = false;
  const pool = new LocalPool<object>({
    create: () => {
      if (fail) throw new Error('no more');
      return {};
    },
    limit: 1,
    reset: () => false,
  });
  const a = pool.acquire();
  const waiting = pool.acquireAsync();
  fail = true;
  pool.release(a);
  await rejectsWith(waiting, (e) => (e as Error).message === 'no more');
  assert.is(pool.stats.waiting, 0);
});

waits('in checked mode a handed-over object is lent exactly once', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1, checked: true });
  const a = pool.acquire();
  const waiting = pool.acquireAsync();
  pool.release(a);
  const b = await waiting;
  assert.is(b, a);
  pool.release(b);
  assert.throws(() => pool.release(b), isCode(ErrorCode.DOUBLE_RELEASE));
});

waits('the waiter queue stays bounded under sustained contention (regression: it grew without bound, settled records included)', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  let held = pool.acquire();
  let next = pool.acquireAsync();
  let most = 0;
  for (let i = 0; i < 3000; i++) {
    const after = pool.acquireAsync(); // always one more waiting: the queue never empties
    pool.release(held);
    held = await next;
    next = after;
    most = Math.max(most, inspectLocalPool(pool).waiterRecords);
  }
  pool.release(held);
  await next;
  assert.ok(most > 1, `the queue held ${most} records: the test did not keep it busy`);
  assert.ok(most < 2100, `the queue held ${most} records, settled ones included`);
});

waits.run();

const ends = suite('LocalPool.acquireAsync: timeouts, aborts and close');

ends('rejects with ERR_TIMEOUT after timeout ms and leaves the queue', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  const a = pool.acquire();
  await rejectsWith(pool.acquireAsync({ timeout: 5 }), isCode(ErrorCode.TIMEOUT));
  assert.is(pool.stats.waiting, 0);
  pool.release(a);
  assert.is(pool.stats.idle, 1); // nobody took it: the timed-out waiter is gone
});

ends('a bad timeout is a RangeError', async () => {
  const pool = new LocalPool({ create: () => ({}) });
  await rejectsWith(pool.acquireAsync({ timeout: -1 }), (e) => e instanceof RangeError && /`timeout`.*received -1/.test((e as Error).message));
});

ends('timeout: Infinity waits until served; a timeout over 2^31-1 ms and null options are refused (regression: timeout Infinity timed out after 1 ms)', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  const a = pool.acquire();
  const waiting = pool.acquireAsync({ timeout: Infinity });
  // A real 20 ms on the clock: the bug fired Infinity's timer after 1 ms.
  await new Promise((resolve) => setTimeout(resolve, 20));
  pool.release(a);
  assert.is(await waiting, a);
  try {
    await pool.acquireAsync({ timeout: 2 ** 31 });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /`timeout` must be a number of ms from 0 to 2147483647, or Infinity, received 2147483648/);
  }
  await pool.acquireAsync(null as unknown as {}).then(
    () => assert.unreachable(),
    (e: unknown) => assert.match((e as Error).message, /acquireAsync\(\) options must be an object, received null/),
  );
});

ends('a signal that is not an AbortSignal, given with a timeout, rejects at once with a TypeError naming it, and no timer fires later (regression: the timer threw an uncaught TypeError that crashed Node)', async () => {
  const uncaught: unknown[] = [];
  const onError = (e: unknown) => void uncaught.push(e);
  process.on('uncaughtException', onError);
  try {
    const pool = new LocalPool({ create: () => ({}), limit: 1 });
    const held = pool.acquire();
    for (const signal of [{}, 'abort', { aborted: false }]) {
      await rejectsWith(pool.acquireAsync({ signal: signal as AbortSignal, timeout: 5 }), (e) => e instanceof TypeError && /option `signal` of LocalPool\.acquireAsync\(\) must be an AbortSignal/.test((e as Error).message));
      assert.is(pool.stats.waiting, 0);
    }
    // Past the timeouts those calls asked for: a timer left behind would have fired by now.
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(uncaught, []);
    const next = pool.acquireAsync({ timeout: 1_000 });
    pool.release(held);
    assert.is(await next, held);
  } finally {
    process.off('uncaughtException', onError);
  }
});

ends('a signal whose addEventListener throws rejects that call, leaves stats.waiting at 0, and idle objects are lent at once after it (regression: stats.waiting stuck at -1 made every acquireAsync wait)', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 2 });
  const held = pool.acquire();
  pool.acquire();
  const signal = { aborted: false, addEventListener() { throw new Error('no listeners'); }, removeEventListener() {} } as unknown as AbortSignal;
  await rejectsWith(pool.acquireAsync({ signal, timeout: 50 }), (e) => (e as Error).message === 'no listeners');
  assert.is(pool.stats.waiting, 0);
  pool.release(held);
  assert.is(await pool.acquireAsync(), held); // idle, so served at once
});

ends('an unknown acquireAsync option is a TypeError naming the one meant (regression: { timout: 5 } waited forever)', async () => {
  const pool = new LocalPool({ create: () => ({}) });
  await rejectsWith(pool.acquireAsync({ timout: 5 } as never), (e) => e instanceof TypeError && /unknown option `timout` for LocalPool\.acquireAsync\(\) \(did you mean `timeout`\?\)/.test((e as Error).message));
});

ends('rejects with the abort reason, before or while waiting', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  const a = pool.acquire();
  const pre = new AbortController();
  pre.abort(new Error('already'));
  await rejectsWith(pool.acquireAsync({ signal: pre.signal }), (e) => (e as Error).message === 'already');
  const ctl = new AbortController();
  const waiting = pool.acquireAsync({ signal: ctl.signal });
  const later = pool.acquireAsync();
  ctl.abort(new Error('stop'));
  await rejectsWith(waiting, (e) => (e as Error).message === 'stop');
  pool.release(a);
  assert.is(await later, a); // the aborted waiter was skipped
});

ends('close rejects waiters with ERR_CLOSED; acquireAsync after close rejects too', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  pool.acquire();
  const waiting = pool.acquireAsync();
  pool.close();
  await rejectsWith(waiting, isCode(ErrorCode.CLOSED));
  await rejectsWith(pool.acquireAsync(), isCode(ErrorCode.CLOSED));
});

ends.run();
