/**
 * Fact measurements inside one isolate without Atomics (benchmarks/README.md, Facts): the loop
 * itself, an owner slot, an array stack, FinalizationRegistry, benny's cost per call, and `using`
 * as this repo's TypeScript compiles it. Every figure includes the loop (fact `empty-loop`).
 *
 * Every loop is written out in its own measurement on purpose: one shared loop helper would be one
 * call site seeing every kind of body, and its polymorphism would be timed with them. facts.ts runs
 * each measurement in a child process of its own.
 */
import type { BenchCase } from '../case.js';
import { runCase, type Timing } from '../runner.js';
import { LocalPool } from 'isopool';
import { check, nsPerIteration, type Measure } from './fact-timing.js';

/** benny's timing for fact `benny-call`: FULL_TIMING's samples, a shorter run (the per-call cost does not depend on it). */
const BENNY_TIMING: Timing = { minTime: 0.05, maxTime: 0.5, minSamples: 10 };

class Obj {
  static made = 0;
  readonly v = ++Obj.made;
}

/** A hand-written owner slot with a LIFO fallback: LocalPool's hot path without policies. */
class OwnerSlot {
  slot: Obj | undefined = undefined;
  readonly stack: Obj[] = [];
  get(): Obj {
    const o = this.slot;
    if (o !== undefined) {
      this.slot = undefined;
      return o;
    }
    return this.stack.pop() ?? new Obj();
  }
  put(o: Obj): void {
    if (this.slot === undefined) this.slot = o;
    else this.stack.push(o);
  }
}

/** The measurements, in the order facts.ts prints them. */
export const LOCAL_MEASURES: readonly Measure[] = [
  { id: 'empty-loop', variant: '', unit: 'ns/iteration', run: () => nsPerIteration((n) => {
    let x = 0;
    for (let i = 0; i < n; i++) x ^= i;
    return x;
  }, 50_000_000) },
  { id: 'owner-slot', variant: '', unit: 'ns/pair', run() {
    const pool = new OwnerSlot();
    const made = Obj.made;
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) {
        const o = pool.get();
        x ^= o.v;
        pool.put(o);
      }
      return x;
    }, 20_000_000);
    check(Obj.made - made === 1, `owner slot made ${Obj.made - made} objects`);
    return ns;
  } },
  { id: 'array-pop-push', variant: '', unit: 'ns/pair', run() {
    const stack: Obj[] = [new Obj()];
    const made = Obj.made;
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) {
        const o = stack.pop() ?? new Obj();
        x ^= o.v;
        stack.push(o);
      }
      return x;
    }, 20_000_000);
    check(Obj.made === made && stack.length === 1, 'array stack reused its one object');
    return ns;
  } },
  { id: 'finalization-registry', variant: '', unit: 'ns/pair', run() {
    const registry = new FinalizationRegistry<number>(() => undefined);
    const targets = Array.from({ length: 64 }, () => new Obj());
    return nsPerIteration((n) => {
      let found = 0;
      for (let i = 0; i < n; i++) {
        const t = targets[i & 63]!;
        registry.register(t, i, t);
        if (registry.unregister(t)) found++;
      }
      check(found === n, 'every unregister found what register registered');
      return found;
    }, 300_000);
  } },
  { id: 'benny-call', variant: '', unit: 'ns/call', async run() {
    let calls = 0;
    const c: BenchCase = { name: 'benny_call', group: 'facts', batch: 1, fn() { calls++; }, validate() {} };
    const r = await runCase(c, BENNY_TIMING);
    check(calls > 0, 'benny called the case');
    return r.ns;
  } },
  { id: 'using-lowered', variant: 'using lease', unit: 'ns/lease', run() {
    const pool = new LocalPool<Obj>({ create: () => new Obj() });
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) {
        using lease = pool.lease();
        x ^= lease.value.v;
      }
      return x;
    }, 1_000_000);
    check(pool.stats.lent === 0 && pool.stats.created === 1, 'every lease gave its object back');
    return ns;
  } },
  { id: 'using-lowered', variant: 'lease, try/finally', unit: 'ns/lease', run() {
    const pool = new LocalPool<Obj>({ create: () => new Obj() });
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) {
        const lease = pool.lease();
        try {
          x ^= lease.value.v;
        } finally {
          lease[Symbol.dispose]();
        }
      }
      return x;
    }, 1_000_000);
    check(pool.stats.lent === 0 && pool.stats.created === 1, 'every lease gave its object back');
    return ns;
  } },
  { id: 'using-lowered', variant: 'acquire, try/finally', unit: 'ns/lease', run() {
    const pool = new LocalPool<Obj>({ create: () => new Obj() });
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) {
        const o = pool.acquire();
        try {
          x ^= o.v;
        } finally {
          pool.release(o);
        }
      }
      return x;
    }, 20_000_000);
    check(pool.stats.lent === 0 && pool.stats.created === 1, 'every object came back');
    return ns;
  } },
];
