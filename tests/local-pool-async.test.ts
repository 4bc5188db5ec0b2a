import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, Lease, LocalPool, PoolError } from '../src/index.js';

async function rejectsWith(promise: Promise<unknown>, check: (error: unknown) => boolean): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(check(error), `unexpected rejection: ${String(error)}`);
    return;
  }
  assert.unreachable('expected a rejection');
}

const isCode = (code: string) => (e: unknown) => e instanceof PoolError && e.code === code;

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

waits('rejects with ERR_TIMEOUT after timeout ms and leaves the queue', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  const a = pool.acquire();
  await rejectsWith(pool.acquireAsync({ timeout: 5 }), isCode(ErrorCode.TIMEOUT));
  assert.is(pool.stats.waiting, 0);
  pool.release(a);
  assert.is(pool.stats.idle, 1); // nobody took it: the timed-out waiter is gone
});

waits('rejects with the abort reason, before or while waiting', async () => {
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

waits('close rejects waiters with ERR_CLOSED; acquireAsync after close rejects too', async () => {
  const pool = new LocalPool({ create: () => ({}), limit: 1 });
  pool.acquire();
  const waiting = pool.acquireAsync();
  pool.close();
  await rejectsWith(waiting, isCode(ErrorCode.CLOSED));
  await rejectsWith(pool.acquireAsync(), isCode(ErrorCode.CLOSED));
});

waits('a bad timeout is a RangeError', async () => {
  const pool = new LocalPool({ create: () => ({}) });
  await rejectsWith(pool.acquireAsync({ timeout: -1 }), (e) => e instanceof RangeError && /`timeout`.*received -1/.test((e as Error).message));
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
  assert.throws(() => pool.release(b), (e: unknown) => e instanceof PoolError && e.code === ErrorCode.DOUBLE_RELEASE);
});

waits.run();

const conveniences = suite('LocalPool.use and lease');

conveniences('use releases after a synchronous callback and returns its result', () => {
  const pool = new LocalPool({ create: () => ({ v: 1 }) });
  const r = pool.use((o) => o.v + 1);
  assert.is(r, 2);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.stats.idle, 1);
});

conveniences('use releases when the callback throws', () => {
  const pool = new LocalPool({ create: () => ({}) });
  assert.throws(() => pool.use(() => { throw new Error('inside'); }), /inside/);
  assert.is(pool.stats.lent, 0);
});

conveniences('use waits for an async callback before releasing', async () => {
  const pool = new LocalPool({ create: () => ({}) });
  let lentDuring = -1;
  const r = await pool.use(async () => {
    await null;
    lentDuring = pool.stats.lent;
    return 'done';
  });
  assert.is(r, 'done');
  assert.is(lentDuring, 1);
  assert.is(pool.stats.lent, 0);
});

conveniences('use releases when an async callback rejects', async () => {
  const pool = new LocalPool({ create: () => ({}) });
  await rejectsWith(pool.use(async () => { throw new Error('async inside'); }), (e) => (e as Error).message === 'async inside');
  assert.is(pool.stats.lent, 0);
});

conveniences('use rejects a non-function', () => {
  const pool = new LocalPool({ create: () => ({}) });
  assert.throws(() => pool.use(5 as unknown as () => void), /use\(\) takes a function, received 5/);
});

conveniences('a lease gives its object back at the end of a using block', () => {
  const pool = new LocalPool({ create: () => ({ n: 1 }) });
  let inner: Lease<{ n: number }> | undefined;
  {
    using lease = pool.lease();
    inner = lease;
    assert.is(lease.value.n, 1);
    assert.is(pool.stats.lent, 1);
  }
  assert.is(pool.stats.lent, 0);
  assert.not.ok(inner.active);
});

conveniences('a released lease refuses its value and releases only once', () => {
  const pool = new LocalPool({ create: () => ({}) });
  const lease = pool.lease();
  assert.ok(lease.active);
  lease.release();
  lease[Symbol.dispose]();
  assert.is(pool.stats.idle, 1);
  assert.throws(() => lease.value, (e: unknown) => e instanceof PoolError && e.code === ErrorCode.LEASE_RELEASED);
});

conveniences.run();
