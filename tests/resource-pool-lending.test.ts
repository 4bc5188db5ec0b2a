/**
 * ResourcePool lending: resources made lazily and reused most-recent first, `max` live, FIFO waiters
 * ended by a release, a timeout or an abort; `validate` before an idle resource is lent (sync or
 * async, refusals destroyed and another tried); misuse of `release` / `destroy`; `use`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, PoolError, ResourcePool } from '../src/index.js';
import { inspectResourcePool } from '../src/resource/resource-pool.js';
import { rejection } from './helpers/async.js';
import { Calls, deferred, settle, type Deferred } from './helpers/calls.js';
import { isCode } from './helpers/errors.js';

interface Res {
  id: number;
}

function source() {
  let next = 0;
  const destroyed = new Calls<Res>();
  return { create: async (): Promise<Res> => ({ id: next++ }), destroy: destroyed.record, destroyed, made: () => next };
}

const lending = suite('ResourcePool lending');

lending('creates nothing until asked, then one resource per concurrent holder, reused most-recent first', async () => {
  const s = source();
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, max: 4 });
  await settle();
  assert.is(s.made(), 0);
  for (let i = 0; i < 5; i++) pool.release(await pool.acquire());
  assert.is(s.made(), 1);
  const [a, b] = [await pool.acquire(), await pool.acquire()];
  assert.is.not(a, b);
  pool.release(a);
  pool.release(b);
  assert.is(await pool.acquire(), b, 'the most recently released is lent first');
  assert.is(pool.stats.idle, 1);
  assert.is(pool.stats.lent, 1);
});

lending('an idle acquire arms no timer, with or without options', async () => {
  const pool = new ResourcePool({ create: async () => ({}), idleTimeout: Infinity, acquireTimeout: 1000 });
  pool.release(await pool.acquire());
  const before = inspectResourcePool(pool).timers;
  const r = await pool.acquire();
  assert.is(inspectResourcePool(pool).timers, before);
  pool.release(r);
  const again = await pool.acquire({ timeout: 500, signal: new AbortController().signal });
  assert.is(again, r);
  assert.is(inspectResourcePool(pool).timers, before);
  pool.release(r);
  await pool.drain();
});

lending('max bounds live resources; waiters are served FIFO by releases', async () => {
  const s = source();
  const pool = new ResourcePool({ create: s.create, max: 2 });
  const a = await pool.acquire();
  const b = await pool.acquire();
  const order: string[] = [];
  const first = pool.acquire().then((r) => (order.push('first'), r));
  const second = pool.acquire().then((r) => (order.push('second'), r));
  await settle();
  assert.is(pool.stats.pending, 2);
  assert.is(s.made(), 2);
  pool.release(b);
  pool.release(a);
  assert.is(await first, b);
  assert.is(await second, a);
  assert.equal(order, ['first', 'second']);
  assert.is(pool.stats.pending, 0);
});

lending('an acquire times out with ERR_TIMEOUT (default acquireTimeout, or its own timeout), counted in stats', async () => {
  const pool = new ResourcePool({ create: async () => ({}), max: 1, acquireTimeout: 20 });
  const held = await pool.acquire();
  const byDefault = await rejection(pool.acquire());
  assert.ok(isCode(ErrorCode.TIMEOUT)(byDefault));
  assert.match((byDefault as Error).message, /acquire\(\) timed out after 20 ms/);
  const own = await rejection(pool.acquire({ timeout: 1 }));
  assert.match((own as Error).message, /after 1 ms/);
  assert.is(pool.stats.timeouts, 2);
  assert.is(pool.stats.pending, 0);
  pool.release(held);
  assert.is(await pool.acquire({ timeout: 0 }), held, 'timeout 0 still takes an idle resource');
});

lending('an abort rejects with the signal\'s reason, before or while waiting', async () => {
  const pool = new ResourcePool({ create: async () => ({}), max: 1 });
  const held = await pool.acquire();
  const early = new AbortController();
  early.abort(new Error('gone before'));
  assert.match(String(await rejection(pool.acquire({ signal: early.signal }))), /gone before/);
  const late = new AbortController();
  const waiting = pool.acquire({ signal: late.signal });
  await settle();
  late.abort(new Error('gone while waiting'));
  assert.match(String(await rejection(waiting)), /gone while waiting/);
  assert.is(pool.stats.pending, 0);
  pool.release(held);
  assert.is(pool.stats.idle, 1, 'the release found no waiter left');
});

const validating = suite('ResourcePool validate');

validating('runs before an idle resource is lent, not on a fresh one; a refusal destroys it and another is tried', async () => {
  const s = source();
  const checked = new Calls<Res>();
  const bad = new Set<number>();
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, validate: (r) => (checked.record(r), !bad.has(r.id)) });
  const a = await pool.acquire();
  const b = await pool.acquire();
  assert.is(checked.count, 0, 'fresh resources are lent unchecked');
  pool.release(a);
  pool.release(b);
  bad.add(b.id);
  assert.is(await pool.acquire(), a, 'b (on top) was refused, a lent');
  assert.equal(s.destroyed.args, [b]);
  assert.is(pool.stats.validationFailures, 1);
  bad.add(a.id);
  pool.release(a);
  const c = await pool.acquire();
  assert.is(c.id, 2, 'every idle one refused: a new one is made');
  assert.is(pool.stats.destroyed, 2);
  assert.is(pool.stats.created, 3);
});

validating('an async validate holds the resource until it answers, and serves waiters in order', async () => {
  const answers: Array<Deferred<boolean>> = [];
  let n = 0;
  const pool = new ResourcePool<Res>({
    create: async () => ({ id: n++ }),
    validate: () => {
      const d = deferred<boolean>();
      answers.push(d);
      return d.promise;
    },
    max: 2,
  });
  const a = await pool.acquire();
  pool.release(a);
  const got = pool.acquire();
  await settle();
  assert.is(pool.stats.validating, 1);
  assert.is(pool.stats.idle, 0);
  answers[0]!.resolve(true);
  assert.is(await got, a);
  pool.release(a);
  const refused = pool.acquire();
  await settle();
  answers[1]!.resolve(false);
  const fresh = await refused;
  assert.is(fresh.id, 1);
  assert.is(pool.stats.validationFailures, 1);
  assert.is(pool.stats.validating, 0);
});

validating('a validate that throws, rejects or answers a non-boolean refuses the resource and tells onError', async () => {
  const errors = new Calls<PoolError>();
  const verdicts: Array<() => unknown> = [
    () => {
      throw new Error('sync boom');
    },
    () => Promise.reject(new Error('async boom')),
    () => 'yes',
  ];
  let k = 0;
  const pool = new ResourcePool<Res>({ create: source().create, validate: () => verdicts[k++]!() as boolean, onError: errors.record });
  pool.release(await pool.acquire()); // fresh: not validated
  pool.release(await pool.acquire()); // refused (sync throw): a fresh one is lent
  pool.release(await pool.acquire()); // refused (rejection)
  pool.release(await pool.acquire()); // refused ('yes')
  assert.is(pool.stats.validationFailures, 3);
  assert.equal(errors.args.map((e) => e.code), [ErrorCode.VALIDATE_FAILED, ErrorCode.VALIDATE_FAILED, ErrorCode.VALIDATE_FAILED]);
  assert.match(String((errors.args[0]!.cause as Error).message), /sync boom/);
  assert.match(String((errors.args[1]!.cause as Error).message), /async boom/);
  assert.match(String((errors.args[2]!.cause as Error).message), /must return a boolean .* returned "yes"/);
});

validating('a resource whose async validate answers after drain started is destroyed, not lent or kept', async () => {
  const answer = deferred<boolean>();
  const s = source();
  const pool = new ResourcePool<Res>({ create: s.create, destroy: s.destroy, validate: () => answer.promise });
  const r = await pool.acquire();
  pool.release(r);
  const waiting = pool.acquire();
  await settle();
  const drained = pool.drain();
  assert.match(String(await rejection(waiting)), /drained/);
  answer.resolve(true);
  await drained;
  assert.equal(s.destroyed.args, [r]);
});

const misuse = suite('ResourcePool release and destroy misuse');

misuse('release or destroy of what is not lent: TypeError for non-objects, ERR_FOREIGN_OBJECT, ERR_DOUBLE_RELEASE', async () => {
  const pool = new ResourcePool({ create: source().create });
  const r = await pool.acquire();
  for (const method of ['release', 'destroy'] as const) {
    assert.throws(() => pool[method](undefined as never), (e: unknown) => e instanceof TypeError && new RegExp(`${method}\\(\\) takes a resource this pool lent, received undefined`).test((e as Error).message));
    assert.throws(() => pool[method]({ id: 99 }), isCode(ErrorCode.FOREIGN_OBJECT));
  }
  pool.release(r);
  assert.throws(() => pool.release(r), (e: unknown) => isCode(ErrorCode.DOUBLE_RELEASE)(e) && /released already/.test((e as Error).message));
  assert.throws(() => pool.destroy(r), isCode(ErrorCode.DOUBLE_RELEASE));
  const again = await pool.acquire();
  pool.destroy(again);
  assert.throws(() => pool.release(again), (e: unknown) => isCode(ErrorCode.DOUBLE_RELEASE)(e) && /destroyed/.test((e as Error).message));
  assert.is(pool.stats.lent, 0, 'a refused call changes no count');
});

misuse('destroy takes a broken resource out and frees its slot for a waiter', async () => {
  const s = source();
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, max: 1 });
  const broken = await pool.acquire();
  const waiting = pool.acquire();
  pool.destroy(broken);
  const next = await waiting;
  assert.is.not(next, broken);
  assert.equal(s.destroyed.args, [broken]);
  assert.is(pool.stats.destroyed, 1);
});

const use = suite('ResourcePool.use');

use('acquires, runs, releases, and returns the result (sync or async)', async () => {
  const pool = new ResourcePool({ create: source().create });
  assert.is(await pool.use((r) => r.id + 1), 1);
  assert.is(await pool.use(async (r) => r.id + 2), 2);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.stats.idle, 1);
});

use('releases when fn throws, and does not release what fn destroyed', async () => {
  const s = source();
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy });
  assert.match(String(await rejection(pool.use(() => Promise.reject(new Error('query failed'))))), /query failed/);
  assert.is(pool.stats.idle, 1);
  let seen: Res | undefined;
  await pool.use((r) => {
    seen = r;
    pool.destroy(r);
  });
  assert.equal(s.destroyed.args, [seen]);
  assert.is(pool.stats.lent, 0);
  assert.is(pool.stats.idle, 0);
});

lending.run();
validating.run();
misuse.run();
use.run();
