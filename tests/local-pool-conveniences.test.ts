/** LocalPool conveniences: `use` (acquire, run, release in finally) and `lease` (`using` disposal). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, Lease, LocalPool } from '../src/index.js';
import { rejectsWith } from './helpers/async.js';
import { isCode } from './helpers/errors.js';

const use = suite('LocalPool.use');

use('use releases after a synchronous callback and returns its result', () => {
  const pool = new LocalPool({ create: () => ({ v: 1 }) });
  const r = pool.use((o) => o.v + 1);
  assert.is(r, 2);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.stats.idle, 1);
});

use('use releases when the callback throws', () => {
  const pool = new LocalPool({ create: () => ({}) });
  assert.throws(() => pool.use(() => { throw new Error('inside'); }), /inside/);
  assert.is(pool.stats.lent, 0);
});

use("use reports both the callback's error and the release's in an AggregateError (regression: the release's error replaced the callback's)", () => {
  const pool = new LocalPool<object>({
    create: () => ({}),
    reset: () => {
      throw new Error('reset failed');
    },
  });
  try {
    pool.use(() => {
      throw new Error('the real error');
    });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, AggregateError);
    assert.equal((error as AggregateError).errors.map((e: Error) => e.message), ['the real error', 'reset failed']);
  }
});

use('use waits for an async callback before releasing', async () => {
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

use('use releases when an async callback rejects', async () => {
  const pool = new LocalPool({ create: () => ({}) });
  await rejectsWith(pool.use(async () => { throw new Error('async inside'); }), (e) => (e as Error).message === 'async inside');
  assert.is(pool.stats.lent, 0);
});

use("use releases the object when the result's `then` getter throws (regression: the object stayed lent forever)", () => {
  const pool = new LocalPool({ create: () => ({}) });
  const result = Object.defineProperty({}, 'then', {
    get() {
      throw new Error('then getter');
    },
  });
  assert.throws(() => pool.use(() => result), /then getter/);
  assert.equal([pool.stats.lent, pool.stats.idle], [0, 1]);
});

use('use releases once whatever a thenable result does: a throwing then, callbacks called twice, both called', async () => {
  const pool = new LocalPool({ create: () => ({}), checked: true }); // checked: a second release would throw
  const throwing = { then() { throw new Error('then threw'); } };
  await rejectsWith(pool.use(() => throwing) as unknown as Promise<unknown>, (e) => (e as Error).message === 'then threw');
  const twice = { then(ok: (v: number) => void) { ok(1); ok(2); } };
  assert.is(await (pool.use(() => twice) as unknown as Promise<number>), 1);
  const both = { then(ok: (v: number) => void, fail: (e: unknown) => void) { ok(3); fail(new Error('late')); } };
  assert.is(await (pool.use(() => both) as unknown as Promise<number>), 3);
  const after = { then(ok: (v: number) => void) { ok(4); throw new Error('after'); } };
  assert.is(await (pool.use(() => after) as unknown as Promise<number>), 4);
  assert.equal([pool.stats.lent, pool.stats.idle], [0, 1]);
});

use('use rejects a non-function', () => {
  const pool = new LocalPool({ create: () => ({}) });
  assert.throws(() => pool.use(5 as unknown as () => void), /use\(\) takes a function, received 5/);
});

use.run();

const lease = suite('LocalPool.lease');

lease('a lease gives its object back at the end of a using block', () => {
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

lease('a released lease refuses its value and releases only once', () => {
  const pool = new LocalPool({ create: () => ({}) });
  const lease = pool.lease();
  assert.ok(lease.active);
  lease.release();
  lease[Symbol.dispose]();
  assert.is(pool.stats.idle, 1);
  assert.throws(() => lease.value, isCode(ErrorCode.LEASE_RELEASED));
});

lease.run();
