/**
 * ResourcePool failures: a `create` that throws, rejects, makes no object or overruns
 * `createTimeout` rejects the acquire waiting for it with ERR_CREATE_FAILED (its `cause` the
 * original), frees its slot, and the pool serves again once `create` works; a `destroy` that throws,
 * rejects or hangs goes to `onError` and frees its slot all the same; background (min) failures go to
 * `onError` and are retried with backoff; a seeded random run of every call and every failure keeps
 * the books balanced at each step.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, PoolError, ResourcePool, type ResourcePoolStats } from '../src/index.js';
import { inspectResourcePool } from '../src/resource/resource-pool.js';
import { rejection } from './helpers/async.js';
import { Calls, deferred, manualCreate, settle } from './helpers/calls.js';
import { isCode } from './helpers/errors.js';

interface Res {
  id: number;
}

/** The books every state must balance: counts >= 0, live <= max, everything made accounted for. */
function checkBooks(s: ResourcePoolStats, max: number, where: string): void {
  for (const [key, value] of Object.entries(s)) assert.ok(value >= 0, `${where}: ${key} is ${value}`);
  const usable = s.idle + s.lent + s.validating + s.creating;
  assert.ok(usable <= max, `${where}: ${usable} resources over max ${max}`);
  assert.is(s.created - s.destroyed, s.idle + s.lent + s.validating + s.destroying, `${where}: created - destroyed`);
}

const creating = suite('ResourcePool create failures');

creating('a rejecting create rejects the acquire waiting for it with ERR_CREATE_FAILED and the cause; the next one works', async () => {
  const { create, calls } = manualCreate<Res>();
  const pool = new ResourcePool({ create, max: 1 });
  const first = pool.acquire();
  await calls.until(1);
  const cause = new Error('ECONNREFUSED');
  calls.args[0]!.reject(cause);
  const error = await rejection(first);
  assert.ok(isCode(ErrorCode.CREATE_FAILED)(error));
  assert.is((error as PoolError).cause, cause);
  assert.match((error as Error).message, /create failed: ECONNREFUSED/);
  assert.equal([pool.stats.creating, pool.stats.createFailures, pool.stats.pending], [0, 1, 0]);
  const second = pool.acquire();
  await calls.until(2);
  calls.args[1]!.resolve({ id: 1 });
  assert.equal(await second, { id: 1 }, 'the slot under max was freed');
});

creating('a create that throws, or makes no object, fails the same way', async () => {
  const made: unknown[] = [
    () => {
      throw new Error('sync throw');
    },
    () => null,
    () => 42,
  ];
  let k = 0;
  const pool = new ResourcePool({ create: () => (made[k++] as () => Res)(), max: 1 });
  const errors = [await rejection(pool.acquire()), await rejection(pool.acquire()), await rejection(pool.acquire())];
  assert.ok(errors.every(isCode(ErrorCode.CREATE_FAILED)));
  assert.match(String((errors[0] as PoolError).cause), /sync throw/);
  assert.match(String((errors[1] as PoolError).cause), /must make an object, made null/);
  assert.match(String((errors[2] as PoolError).cause), /made 42/);
  assert.is(pool.stats.createFailures, 3);
});

creating('a create that makes a resource the pool holds fails and leaves it alone; one it destroyed may come back', async () => {
  const shared = { id: 0 };
  const destroyed = new Calls<Res>();
  const pool = new ResourcePool<Res>({ create: () => shared, destroy: destroyed.record, max: 2 });
  const first = await pool.acquire();
  const error = await rejection(pool.acquire());
  assert.ok(isCode(ErrorCode.CREATE_FAILED)(error));
  assert.match(String((error as PoolError).cause), /already holds/);
  assert.is(destroyed.count, 0);
  pool.release(first);
  assert.equal([pool.stats.idle, pool.stats.created], [1, 1]);
  pool.destroy(await pool.acquire());
  assert.is(await pool.acquire(), shared, 'destroyed, then made again (a reconnected client object)');
  assert.equal([pool.stats.created, pool.stats.destroyed, pool.stats.lent], [2, 1, 1]);
});

creating('a create that overruns createTimeout fails its acquire with a timeout cause; its late resource is destroyed', async () => {
  const { create, calls } = manualCreate<Res>();
  const destroyed = new Calls<Res>();
  const pool = new ResourcePool({ create, destroy: destroyed.record, createTimeout: 10, max: 1 });
  const error = await rejection(pool.acquire());
  assert.ok(isCode(ErrorCode.CREATE_FAILED)(error));
  assert.ok(isCode(ErrorCode.TIMEOUT)((error as PoolError).cause));
  assert.match(String(((error as PoolError).cause as Error).message), /create did not settle within 10 ms/);
  assert.is(pool.stats.creating, 0, 'the slot is free at once');
  const late = { id: 0 };
  calls.args[0]!.resolve(late);
  await destroyed.until(1);
  assert.equal(destroyed.args, [late]);
  const next = pool.acquire();
  await calls.until(2);
  calls.args[1]!.resolve({ id: 1 });
  assert.equal(await next, { id: 1 });
  assert.is(inspectResourcePool(pool).timers, 0, 'no create deadline is left armed');
});

creating('a create that always fails empties the waiter queue, one rejection per failure, and never wedges it', async () => {
  let failing = true;
  let n = 0;
  const pool = new ResourcePool<Res>({
    create: async () => {
      if (failing) throw new Error('down');
      return { id: n++ };
    },
    max: 2,
  });
  const waiters = Array.from({ length: 10 }, () => pool.acquire());
  const outcomes = await Promise.all(waiters.map((p) => p.then(() => 'ok', (e: unknown) => (e as PoolError).code)));
  assert.equal(outcomes, Array(10).fill(ErrorCode.CREATE_FAILED));
  assert.equal([pool.stats.pending, pool.stats.creating, pool.stats.createFailures], [0, 0, 10]);
  failing = false;
  const back = await Promise.all([pool.acquire(), pool.acquire()]);
  assert.equal(back.map((r) => r.id).sort(), [0, 1]);
  checkBooks(pool.stats, 2, 'after recovery');
});

creating('a failed create does not reject a waiter that another create in flight will serve', async () => {
  const { create, calls } = manualCreate<Res>();
  const errors = new Calls<PoolError>();
  const pool = new ResourcePool({ create, max: 3, min: 2, onError: errors.record });
  await calls.until(2); // the warm-up creates, in the background
  const waiting = pool.acquire(); // covered by them: no third create
  await settle();
  assert.is(calls.count, 2);
  calls.args[0]!.reject(new Error('first refused'));
  await errors.until(1);
  assert.is(pool.stats.pending, 1, 'still waiting: the second create can serve it');
  calls.args[1]!.resolve({ id: 1 });
  assert.equal(await waiting, { id: 1 });
  assert.is(errors.args[0]!.code, ErrorCode.CREATE_FAILED);
  await pool.drain({ timeout: 1000 }).catch(() => undefined);
});

const destroying = suite('ResourcePool destroy failures and onError');

destroying('a destroy that throws, rejects or hangs goes to onError and frees its slot', async () => {
  const errors = new Calls<PoolError>();
  const outcomes = [
    () => {
      throw new Error('close threw');
    },
    () => Promise.reject(new Error('close rejected')),
    () => new Promise<void>(() => undefined),
  ];
  let k = 0;
  let n = 0;
  const pool = new ResourcePool<Res>({ create: async () => ({ id: n++ }), destroy: () => outcomes[k++]!(), onError: errors.record, createTimeout: 20, max: 1 });
  for (let i = 0; i < outcomes.length; i++) pool.destroy(await pool.acquire());
  await errors.until(3);
  assert.equal(errors.args.map((e) => e.code), Array(3).fill(ErrorCode.DESTROY_FAILED));
  assert.match(String((errors.args[0]!.cause as Error).message), /close threw/);
  assert.match(String((errors.args[1]!.cause as Error).message), /close rejected/);
  assert.ok(isCode(ErrorCode.TIMEOUT)(errors.args[2]!.cause), 'the hung destroy overran createTimeout');
  assert.equal([pool.stats.destroyFailures, pool.stats.destroying, pool.stats.destroyed], [3, 0, 3]);
  assert.is((await pool.acquire()).id, 3, 'max 1, and the slot came back every time');
});

destroying('a destroy in flight holds its slot under max until it settles', async () => {
  const closing = deferred<void>();
  let n = 0;
  const pool = new ResourcePool<Res>({ create: async () => ({ id: n++ }), destroy: () => closing.promise, max: 1 });
  pool.destroy(await pool.acquire());
  const waiting = pool.acquire();
  await settle();
  assert.equal([pool.stats.destroying, pool.stats.creating, pool.stats.pending], [1, 0, 1]);
  closing.resolve();
  assert.is((await waiting).id, 1);
});

destroying('an onError that throws is ignored; without onError failures are only counted', async () => {
  const pool = new ResourcePool<Res>({
    create: async () => ({ id: 0 }),
    destroy: () => {
      throw new Error('x');
    },
    onError: () => {
      throw new Error('the hook itself fails');
    },
  });
  pool.destroy(await pool.acquire());
  assert.is(pool.stats.destroyFailures, 1);
  const quiet = new ResourcePool<Res>({
    create: async () => ({ id: 0 }),
    destroy: () => {
      throw new Error('x');
    },
  });
  quiet.destroy(await quiet.acquire());
  assert.is(quiet.stats.destroyFailures, 1);
});

destroying('a failing warm-up create goes to onError and is retried with backoff until it works', async () => {
  const errors = new Calls<PoolError>();
  let attempts = 0;
  const made = new Calls<Res>();
  const pool = new ResourcePool<Res>({
    create: async () => {
      if (++attempts <= 2) throw new Error(`refused ${attempts}`);
      const r = { id: attempts };
      made.record(r);
      return r;
    },
    min: 1,
    onError: errors.record,
  });
  await made.until(1);
  assert.equal(errors.args.map((e) => [e.code, (e.cause as Error).message]), [
    [ErrorCode.CREATE_FAILED, 'refused 1'],
    [ErrorCode.CREATE_FAILED, 'refused 2'],
  ]);
  await settle();
  assert.equal([pool.stats.idle, pool.stats.createFailures, pool.stats.pending], [1, 2, 0]);
  await pool.drain();
  assert.is(inspectResourcePool(pool).timers, 0);
});

destroying('the first create that works again ends the warm-up backoff: min is made at once', async () => {
  let fail = true;
  const errors = new Calls<PoolError>();
  const pool = new ResourcePool<object>({
    create: async () => {
      if (fail) throw new Error('down');
      return {};
    },
    min: 2,
    idleTimeout: Infinity,
    createTimeout: Infinity, // no create deadlines: the one timer left to count is the retry
    onError: errors.record,
  });
  await errors.until(2);
  assert.is(inspectResourcePool(pool).timers, 1, 'a warm-up retry is scheduled');
  fail = false;
  const r = await pool.acquire(); // its create is not held back, and it works
  assert.is(inspectResourcePool(pool).timers, 0, 'the retry was cancelled');
  await settle();
  assert.equal([pool.stats.created, pool.stats.idle], [2, 1]);
  pool.release(r);
  await pool.drain();
});

const random = suite('ResourcePool under random calls and failures');

/** A seeded PRNG (mulberry32), so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

random('every step keeps the books; at the end every acquire settled and drain leaves nothing', async () => {
  const seen = { createFailures: 0, destroyFailures: 0, validationFailures: 0, timeouts: 0, created: 0 };
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const rand = prng(seed);
    let n = 0;
    const errors = new Calls<PoolError>();
    const pool = new ResourcePool<Res>({
      create: () => {
        const roll = rand();
        if (roll < 0.15) return Promise.reject(new Error('create rejected'));
        if (roll < 0.2) throw new Error('create threw');
        if (roll < 0.25) return new Promise<Res>(() => undefined); // overruns createTimeout
        return roll < 0.6 ? { id: n++ } : Promise.resolve({ id: n++ });
      },
      destroy: () => {
        const roll = rand();
        if (roll < 0.1) throw new Error('destroy threw');
        if (roll < 0.2) return Promise.reject(new Error('destroy rejected'));
        return roll < 0.6 ? undefined : Promise.resolve();
      },
      validate: () => {
        const roll = rand();
        if (roll < 0.1) return false;
        if (roll < 0.15) throw new Error('validate threw');
        return roll < 0.6 ? true : Promise.resolve(roll < 0.9);
      },
      min: 1,
      max: 3,
      createTimeout: 5,
      onError: errors.record,
    });
    const held: Res[] = [];
    const pending: Array<Promise<unknown>> = [];
    for (let step = 0; step < 300; step++) {
      const roll = rand();
      if (roll < 0.4) pending.push(pool.acquire({ timeout: 50 }).then((r) => held.push(r), () => undefined));
      else if (roll < 0.7 && held.length > 0) pool.release(held.splice(Math.floor(rand() * held.length), 1)[0]!);
      else if (roll < 0.8 && held.length > 0) pool.destroy(held.splice(Math.floor(rand() * held.length), 1)[0]!);
      else await settle();
      checkBooks(pool.stats, 3, `seed ${seed} step ${step}`);
    }
    await Promise.all(pending);
    for (const r of held.splice(0)) pool.release(r);
    checkBooks(pool.stats, 3, `seed ${seed} end`);
    assert.is(pool.stats.pending, 0, `seed ${seed}: no acquire left waiting`);
    await pool.drain({ timeout: 5_000 });
    const s = pool.stats;
    assert.equal([s.idle, s.lent, s.creating, s.validating, s.destroying], [0, 0, 0, 0, 0], `seed ${seed}: drained`);
    assert.is(inspectResourcePool(pool).timers, 0, `seed ${seed}: no timer left`);
    assert.ok(errors.args.every((e) => e instanceof PoolError));
    for (const key of Object.keys(seen) as Array<keyof typeof seen>) seen[key] += s[key];
  }
  // The run must have met every failure it is about, or it proves nothing.
  for (const [key, total] of Object.entries(seen)) assert.ok(total > 0, `no ${key} in any seed`);
});

creating.run();
destroying.run();
random.run();
