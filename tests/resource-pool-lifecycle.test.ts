/**
 * ResourcePool lifecycle: `min` kept warm in the background, `idleTimeout` and `maxLifetime`
 * observed, `drain` (waiters rejected, lent resources awaited, everything destroyed, every timer
 * cleared), and no housekeeping timer keeping a Node process alive.
 *
 * Where time is the behaviour (idleTimeout, maxLifetime) these tests use short real timeouts, an
 * exact lower bound (never early) and a generous upper one (the machine is shared and noisy); they
 * wait for the pool's calls (`create`, `destroy`) as events, never by sleeping.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ErrorCode, ResourcePool } from '../src/index.js';
import { inspectResourcePool } from '../src/resource/resource-pool.js';
import { rejection } from './helpers/async.js';
import { Calls, deferred, manualCreate, settle } from './helpers/calls.js';
import { isCode } from './helpers/errors.js';

interface Res {
  id: number;
  born: number;
}

/** Slack on top of a timeout before a test calls it late: a loaded 2-core VM can stall a timer for a while. */
const SLACK_MS = 2_000;

function source() {
  let next = 0;
  const made = new Calls<Res>();
  const destroyed = new Calls<{ r: Res; at: number }>();
  return {
    create: async (): Promise<Res> => {
      const r = { id: next++, born: performance.now() };
      made.record(r);
      return r;
    },
    destroy: (r: Res) => destroyed.record({ r, at: performance.now() }),
    made,
    destroyed,
  };
}

const warm = suite('ResourcePool min');

warm('min resources are made in the background after construction, and made again when one goes', async () => {
  const s = source();
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, min: 2, max: 4 });
  assert.is(s.made.count, 0, 'the constructor runs no user code');
  await s.made.until(2);
  await settle();
  assert.equal([pool.stats.idle, pool.stats.created], [2, 2]);
  pool.destroy(await pool.acquire());
  await s.made.until(3);
  await settle();
  assert.is(pool.stats.idle, 2);
  assert.is(s.made.count, 3, 'no more than min');
  await pool.drain();
});

const idle = suite('ResourcePool idleTimeout');

idle('idle resources above min are destroyed no sooner than idleTimeout after their release, and min stay', async () => {
  const s = source();
  const IDLE_MS = 120;
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, min: 1, max: 4, idleTimeout: IDLE_MS });
  const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  const releasedAt = performance.now();
  for (const r of held) pool.release(r);
  assert.ok(inspectResourcePool(pool).reaperArmed);
  const [first, second] = await s.destroyed.until(2, IDLE_MS * 1.5 + SLACK_MS);
  for (const d of [first!, second!]) assert.ok(d.at - releasedAt >= IDLE_MS, `destroyed after ${d.at - releasedAt} ms idle`);
  await settle();
  assert.is(pool.stats.idle, 1);
  assert.is(s.destroyed.count, 2);
  assert.ok(!inspectResourcePool(pool).reaperArmed, 'at min the reaper stops');
  assert.is(inspectResourcePool(pool).timers, 0);
  await pool.drain();
});

idle('a resource used again is idle from its last release, not its first', async () => {
  const s = source();
  const IDLE_MS = 150;
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, idleTimeout: IDLE_MS });
  const r = await pool.acquire();
  pool.release(r);
  const kept = new Calls<number>();
  // Keep using it for about 2 × idleTimeout, one macrotask turn apart; it must not be reaped meanwhile.
  const until = performance.now() + IDLE_MS * 2;
  while (performance.now() < until) {
    const again = await pool.acquire();
    assert.is(again, r);
    await new Promise((resolve) => setTimeout(resolve, 10));
    pool.release(again);
    kept.record(1);
  }
  const lastRelease = performance.now();
  assert.is(s.destroyed.count, 0);
  const [d] = await s.destroyed.until(1, IDLE_MS * 1.5 + SLACK_MS);
  assert.ok(d!.at - lastRelease >= IDLE_MS);
  await pool.drain();
});

const lifetime = suite('ResourcePool maxLifetime');

lifetime('an idle resource is destroyed when its lifetime ends, then min is made again', async () => {
  const s = source();
  const LIFE_MS = 100;
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, min: 1, maxLifetime: LIFE_MS, idleTimeout: Infinity });
  const [first] = await s.made.until(1);
  const [d] = await s.destroyed.until(1, LIFE_MS + SLACK_MS);
  assert.is(d!.r, first);
  assert.ok(d!.at - first!.born >= LIFE_MS - 1, `lived ${d!.at - first!.born} ms`); // timers round to whole ms
  await s.made.until(2);
  await pool.drain();
});

lifetime('a lent resource past its lifetime is destroyed on release instead of kept, and never lent again', async () => {
  const s = source();
  const LIFE_MS = 40;
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, maxLifetime: LIFE_MS });
  const r = await pool.acquire();
  await new Promise((resolve) => setTimeout(resolve, LIFE_MS + 20)); // time is the behaviour here
  pool.release(r);
  assert.equal(s.destroyed.args.map((d) => d.r), [r]);
  assert.is(pool.stats.idle, 0);
  const next = await pool.acquire();
  assert.is.not(next, r);
  pool.release(next);
  await pool.drain();
});

const draining = suite('ResourcePool.drain');

draining('rejects waiters, destroys idle resources at once, waits for lent ones, then refuses acquires', async () => {
  const s = source();
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy, max: 3 });
  const [a, b, c] = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
  pool.release(c);
  const waiter = [pool.acquire(), pool.acquire()][1]!; // the first takes c, the second waits
  let drained = false;
  const done = pool.drain().then(() => (drained = true));
  assert.ok(isCode(ErrorCode.CLOSED)(await rejection(waiter)));
  pool.release(c);
  assert.equal(s.destroyed.args.map((d) => d.r), [c], 'released while draining: destroyed at once');
  pool.release(b);
  await settle();
  assert.is(drained, false, 'a is still lent');
  assert.ok(isCode(ErrorCode.CLOSED)(await rejection(pool.acquire())));
  pool.release(a);
  await done;
  assert.equal(s.destroyed.args.map((d) => d.r), [c, b, a]);
  assert.equal([pool.stats.idle, pool.stats.lent, pool.stats.pending, pool.stats.destroyed], [0, 0, 0, 3]);
  assert.ok(pool.closed);
});

draining('destroys what is idle when it starts', async () => {
  const s = source();
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy });
  const r = await pool.acquire();
  pool.release(r);
  const done = pool.drain();
  assert.equal(s.destroyed.args.map((d) => d.r), [r]);
  await done;
});

draining('clears every timer: reaper, lifetimes, warm-up retry; nothing armed after it resolves', async () => {
  let fail = false;
  const errors = new Calls<unknown>();
  const pool = new ResourcePool({
    create: async () => {
      if (fail) throw new Error('down');
      return {};
    },
    min: 2,
    max: 3,
    idleTimeout: 60_000,
    maxLifetime: 60_000,
    onError: errors.record,
  });
  const extra = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  for (const r of extra) pool.release(r);
  fail = true;
  pool.destroy(await pool.acquire());
  pool.destroy(await pool.acquire()); // below min: a background create fails, a retry is scheduled
  await errors.until(1);
  const armed = inspectResourcePool(pool);
  assert.ok(armed.reaperArmed === false || armed.timers >= 2);
  assert.ok(armed.timers >= 2, `lifetime and retry timers armed: ${armed.timers}`);
  await pool.drain();
  assert.equal(inspectResourcePool(pool), { timers: 0, reaperArmed: false });
});

draining('waits for a create in flight and destroys what it makes', async () => {
  const { create, calls } = manualCreate<Res>();
  const destroyed = new Calls<Res>();
  const pool = new ResourcePool({ create, destroy: destroyed.record });
  const waiting = pool.acquire();
  await calls.until(1);
  let drained = false;
  const done = pool.drain().then(() => (drained = true));
  assert.ok(isCode(ErrorCode.CLOSED)(await rejection(waiting)));
  await settle();
  assert.is(drained, false);
  const late = { id: 0, born: 0 };
  calls.args[0]!.resolve(late);
  await done;
  assert.equal(destroyed.args, [late]);
});

draining('with a timeout: rejects ERR_TIMEOUT naming what is left; a later release still destroys; every call shares one outcome', async () => {
  const s = source();
  const pool = new ResourcePool({ create: s.create, destroy: s.destroy });
  const r = await pool.acquire();
  const untimed = pool.drain();
  const error = await rejection(pool.drain({ timeout: 10 }));
  assert.ok(isCode(ErrorCode.TIMEOUT)(error));
  assert.match((error as Error).message, /drain\(\) timed out after 10 ms with 1 lent/);
  pool.release(r);
  await untimed;
  await pool.drain({ timeout: 10 });
  assert.equal(s.destroyed.args.map((d) => d.r), [r]);
  assert.is(inspectResourcePool(pool).timers, 0);
});

draining('a destroy in flight is waited for', async () => {
  const closing = deferred<void>();
  const pool = new ResourcePool({ create: async () => ({}), destroy: () => closing.promise });
  pool.release(await pool.acquire());
  let drained = false;
  const done = pool.drain().then(() => (drained = true));
  await settle();
  assert.equal([drained, pool.stats.destroying], [false, 1]);
  closing.resolve();
  await done;
  assert.is(pool.stats.destroyed, 1);
});

const exit = suite('ResourcePool and the Node process');

exit('idle resources, the reaper and lifetime timers do not keep a process alive', async () => {
  const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
  // Reaper every 15 s, lifetimes of 60 s: a ref'd timer would hold the process far past the bound.
  const script = `
    const { ResourcePool } = await import(${JSON.stringify(index)});
    const pool = new ResourcePool({ create: async () => ({}), min: 2, max: 4, idleTimeout: 60000, maxLifetime: 60000 });
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const r of held) pool.release(r);
    process.stdout.write('idle ' + pool.stats.idle);
  `;
  const started = performance.now();
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  assert.is(out.trim(), 'idle 3');
  assert.ok(performance.now() - started < 10_000);
});

warm.run();
idle.run();
lifetime.run();
draining.run();
exit.run();
