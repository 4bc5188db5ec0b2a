/**
 * Randomized model test: thousands of random acquire / tryAcquire / release / trim / close sequences
 * against a reference model that only tracks sets. Proves that no object is ever lent twice, that the
 * counts always balance, and that at the end every object made was disposed exactly once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, LocalPool, PoolError } from '../src/index.js';

/** mulberry32: a small seeded PRNG so that a failure names a reproducible seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Obj {
  id: number;
  bad: boolean;
}

function runSequence(seed: number): void {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const limit = pick([Infinity, 1, 3, 8]);
  const max = pick([0, 1, 2, 4, 16]);
  const prefill = Math.min(max, limit === Infinity ? 3 : limit, pick([0, 0, 2]));
  const checked = rand() < 0.5;
  const withReset = rand() < 0.5;
  const grow = pick([1, 1, 3, 'double'] as const);
  const soft = rand() < 0.3;
  // A batch source (as a SharedPool cache uses): objects go home through disposeBatch and come back
  // through createBatch, instead of being created and disposed.
  const batchSource = !soft && rand() < 0.3;

  let made = 0;
  const disposed = new Map<number, number>();
  const home: Obj[] = [];
  const atHome = new Set<Obj>();
  const pool = new LocalPool<Obj>({
    create: batchSource ? undefined : () => ({ id: made++, bad: false }),
    createBatch: batchSource
      ? (n, out) => {
          let k = 0;
          for (; k < n && (home.length > 0 || made < 12); k++) {
            const o = home.pop() ?? { id: made++, bad: false };
            atHome.delete(o);
            o.bad = false;
            out[k] = o;
          }
          return k;
        }
      : undefined,
    disposeBatch: batchSource
      ? (objs) => {
          for (const o of objs) {
            assert.not.ok(atHome.has(o), `object ${o.id} sent home twice`);
            atHome.add(o);
            home.push(o);
          }
        }
      : undefined,
    dispose: batchSource ? undefined : (o) => disposed.set(o.id, (disposed.get(o.id) ?? 0) + 1),
    reset: withReset ? (o) => !o.bad : undefined,
    max,
    limit,
    prefill,
    checked,
    grow,
    soft,
  });

  const lent = new Set<Obj>(); // the model: what the test holds
  const ctx = `seed ${seed} (max ${max}, limit ${limit}, prefill ${prefill}, checked ${checked}, reset ${withReset}, grow ${grow}, soft ${soft}, batch ${batchSource})`;
  const released: Obj[] = []; // objects given back and not lent since: releasing one again is a double release
  const steps = 40 + Math.floor(rand() * 60);
  let closed = false;

  let justStored: Obj | undefined; // set by a release step that left the object idle in the pool
  for (let step = 0; step < steps; step++) {
    const r = rand();
    const storedBefore = justStored;
    justStored = undefined;
    if (r < 0.45) {
      let o: Obj | undefined;
      try {
        o = rand() < 0.5 ? pool.acquire() : pool.tryAcquire();
      } catch (error) {
        const code = (error as PoolError).code;
        if (closed) assert.is(code, ErrorCode.CLOSED, ctx);
        else {
          assert.is(code, ErrorCode.POOL_EXHAUSTED, ctx);
          if (!batchSource) assert.is(lent.size, limit, `exhausted below limit: ${ctx}`);
        }
        continue;
      }
      if (o === undefined) {
        if (!batchSource) assert.is(lent.size, limit, `tryAcquire gave nothing below limit: ${ctx}`);
        continue;
      }
      assert.not.ok(atHome.has(o), `object ${o.id} lent while at home: ${ctx}`);
      const at = released.indexOf(o);
      if (at >= 0) released.splice(at, 1);
      assert.not.ok(closed, `lent after close: ${ctx}`);
      assert.not.ok(lent.has(o), `object ${o.id} lent twice: ${ctx}`);
      assert.not.ok(disposed.has(o.id), `disposed object ${o.id} lent again: ${ctx}`);
      lent.add(o);
    } else if (r < 0.85 && lent.size > 0) {
      const o = pick([...lent]);
      lent.delete(o);
      if (withReset && rand() < 0.2) o.bad = true;
      const idleBefore = pool.stats.idle;
      pool.release(o);
      released.push(o);
      if (pool.stats.idle === idleBefore + 1 && !closed) justStored = o;
      if ((o.bad || closed) && !batchSource) assert.is(disposed.get(o.id), 1, `rejected object not disposed: ${ctx}`);
      if ((o.bad || closed) && batchSource) assert.ok(atHome.has(o), `rejected object not sent home: ${ctx}`);
    } else if (r < 0.9 && checked) {
      // Misuse in checked mode: a foreign object, or one already given back; the pool must refuse it.
      if (released.length > 0 && rand() < 0.6) {
        const again = pick(released);
        assert.throws(() => pool.release(again), (e: unknown) => e instanceof PoolError && e.code === ErrorCode.DOUBLE_RELEASE, ctx);
      } else {
        assert.throws(() => pool.release({ id: -1, bad: false }), (e: unknown) => e instanceof PoolError && e.code === ErrorCode.FOREIGN_OBJECT, ctx);
      }
    } else if (r < 0.9 && storedBefore !== undefined) {
      // Unchecked misuse the pool always catches: the object the previous step stored as idle is in
      // the owner slot or on top of the stack.
      const again = storedBefore;
      justStored = storedBefore; // refused: it is still idle where it was
      assert.throws(() => pool.release(again), (e: unknown) => e instanceof PoolError && e.code === ErrorCode.DOUBLE_RELEASE, ctx);
    } else if (r < 0.96) {
      const keep = pick([0, 1, 2]);
      pool.trim(keep);
      assert.ok(pool.stats.idle <= keep, ctx);
    } else if (r < 0.98) {
      pool.close();
      closed = true;
    }
    const s = pool.stats;
    assert.is(s.lent, lent.size, `lent count off: ${ctx}`);
    assert.ok(s.idle <= Math.max(max, 0), `idle ${s.idle} over max: ${ctx}`);
    assert.ok(s.lent + s.idle <= limit, `live over limit: ${ctx}`);
    assert.ok(s.highWater >= s.lent, `high-water below lent: ${ctx}`);
    if (batchSource) {
      // every object made is in exactly one place: lent, idle here, or home
      assert.is(s.lent + s.idle + home.length, made, `objects unaccounted for: ${ctx}`);
      continue;
    }
    assert.is(s.created, made, ctx);
    // every object made is lent, idle, softly held, or discarded
    assert.ok(s.created - s.discarded - s.lent - s.idle >= 0, ctx);
    assert.ok(s.created - s.discarded - s.lent - s.idle <= s.soft, `objects unaccounted for: ${ctx}`);
  }

  for (const o of lent) pool.release(o);
  pool.close();
  for (const [id, n] of disposed) assert.is(n, 1, `object ${id} disposed ${n} times: ${ctx}`);
  const s = pool.stats;
  assert.is(s.lent, 0, ctx);
  assert.is(s.idle, 0, ctx);
  if (batchSource) {
    // Nothing lost: every object ever made is home, exactly once.
    assert.is(home.length, made, `objects missing from home: ${ctx}`);
    assert.is(atHome.size, made, ctx);
    return;
  }
  // Nothing lost: everything made was discarded; all of it through dispose, except soft objects the
  // collector may already have taken (those have nothing left to dispose).
  assert.is(s.discarded, made, ctx);
  assert.ok(disposed.size <= made, ctx);
  if (!soft) assert.is(disposed.size, made, `objects lost: ${ctx}`);
}

test('random acquire/release/trim/close sequences keep every invariant (3,000 seeds)', () => {
  for (let seed = 1; seed <= 3000; seed++) runSequence(seed);
});

test.run();
