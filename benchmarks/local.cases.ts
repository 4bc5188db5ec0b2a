/**
 * The single-isolate cases: isopool's LocalPool against a hand-written owner slot, a plain array
 * stack, reusify (fastify's pool; a dependency of isopool-bench, for comparison only) beside
 * isopool/reusify (the drop-in for it), and plain allocation.
 *
 * Every case loops `BATCH` iterations per call (benny adds ~6.5 ns a call: benchmarks/README.md,
 * fact `benny-call`) and feeds something from each object it gets into `sink`, a module variable, so
 * the optimiser cannot drop the work. Allocation cases also store the new object in a module
 * variable: an object that never escapes can be scalar-replaced by V8's escape analysis, and then
 * nothing is allocated at all.
 *
 * The loops are written out case by case on purpose: one shared loop helper would be one function
 * whose call sites see every pool type, and the polymorphism would be timed with the pools.
 *
 * Each get/put case hands out objects with distinct ids; `validate()` checks, before any timing, that
 * the pool really lends and takes back (two objects held at once are distinct, the released one comes
 * back, the batch leaves nothing lent) and that `fn()` touched the objects the expected number of times.
 */
import reusify from 'reusify';
import { BufferPool, definePool, getLocalPool, LocalPool } from 'isopool';
import { reusify as isopoolReusify } from 'isopool/reusify';
import type { BenchCase } from './case.js';

/**
 * Iterations per benny call: >= 1,000 so benny's per-call cost (fact `benny-call` in
 * benchmarks/README.md, ~6.5 ns) is under 1 % of even a 1 ns iteration.
 */
export const BATCH = 1000;

/** The pooled object: an id to prove identity, `next` for reusify's intrusive list. */
export class Obj {
  static made = 0;
  readonly v: number;
  next: Obj | null = null;
  constructor() {
    this.v = ++Obj.made;
  }
}

/** Where every case XORs what it read. Exported so nothing here is dead code to the optimiser. */
export let sink = 0;
/** Where allocation cases park their newest object, so it escapes. */
export let escape: unknown = null;

export function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`validation failed: ${what}`);
}

/**
 * Two overlapping gets must be distinct objects, and released objects must be handed out again
 * (within three gets: reusify keeps one spare at the head of its list, so FIFO order is allowed).
 */
export function checkLending(name: string, get: () => Obj, put: (o: Obj) => void): void {
  const a = get();
  const b = get();
  check(a instanceof Obj && b instanceof Obj, `${name}: get() returns pooled objects`);
  check(a !== b, `${name}: two objects held at once are distinct`);
  put(b);
  put(a);
  const again = [get(), get(), get()];
  check(new Set(again).size === 3, `${name}: three objects held at once are distinct`);
  check(again.includes(a) || again.includes(b), `${name}: a released object is handed out again`);
  for (const o of again) put(o);
}

/**
 * Runs `fn` once and checks it did `BATCH` iterations (by the counter `iterations` reads); for pool
 * cases (`reuses`), also that the batch created no object: every get was served by a put.
 */
export function checkBatch(name: string, fn: () => void, iterations: () => number, reuses: boolean): void {
  const before = iterations();
  const made = Obj.made;
  fn();
  const did = iterations() - before;
  check(did === BATCH, `${name}: one call performs ${BATCH} iterations (did ${did})`);
  if (reuses) check(Obj.made === made, `${name}: the batch reuses objects (created ${Obj.made - made})`);
}

// -------------------------------------------------------------------------------------------------

function tlsGetPut(): BenchCase {
  const pool = new LocalPool<Obj>({ create: () => new Obj() });
  return {
    name: 'tls_get_put',
    group: 'mempool',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const o = pool.acquire();
        sink ^= o.v;
        pool.release(o);
      }
    },
    validate() {
      checkLending('tls_get_put', () => pool.acquire(), (o) => pool.release(o));
      checkBatch('tls_get_put', () => this.fn(), () => pool.stats.hits, true);
      const lent = pool.stats.lent;
      check(lent === 0, `tls_get_put: nothing stays lent (lent ${lent})`);
    },
    teardown() {
      pool.close();
    },
  };
}

/**
 * mempool's "tls 1 ns/iter" row times `get()` on the owner thread: it returns a shared reference to
 * the thread's value and takes nothing back, because nothing was taken. isopool's equivalent is the
 * per-isolate lookup, `getLocalPool(token)`: it returns this isolate's value for the key (the pool),
 * shared by every caller in the isolate, no put. It is here so the mempool table can be read side by
 * side; it is not an object round trip, which is what `tls_get_put` times.
 */
function tlsGet(): BenchCase {
  const token = definePool<Obj>({ create: () => new Obj(), name: 'bench.tls_get' });
  const first = getLocalPool(token);
  let gets = 0;
  return {
    name: 'tls_get',
    group: 'mempool',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        sink ^= getLocalPool(token) === first ? i : 0;
      }
      gets += BATCH;
    },
    validate() {
      check(getLocalPool(token) === first, 'tls_get: the lookup returns this isolate\'s pool every time');
      checkBatch('tls_get', () => this.fn(), () => gets, true);
    },
    teardown() {
      first.close();
    },
  };
}

/**
 * `tls_lease_using`: the `using lease = pool.lease()` convenience, compiled by TypeScript for ES2022
 * (Node 20 has no native `using`): a Lease allocation plus TypeScript's disposal helpers per pair.
 * It is here to put a number on "costs more than acquire/release" (README, Limitations).
 */
function tlsLeaseUsing(): BenchCase {
  const pool = new LocalPool<Obj>({ create: () => new Obj() });
  return {
    name: 'tls_lease_using',
    group: 'mempool',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        using lease = pool.lease();
        sink ^= lease.value.v;
      }
    },
    validate() {
      pool.release(pool.acquire()); // the first acquire is a miss; count hits from a warm pool
      checkBatch('tls_lease_using', () => this.fn(), () => pool.stats.hits, true);
      const lent = pool.stats.lent;
      check(lent === 0, `tls_lease_using: every lease gave its object back (lent ${lent})`);
    },
    teardown() {
      pool.close();
    },
  };
}

/** The disposable `using_noop` declares: a fixed object whose dispose only counts. */
const noop = {
  v: 1,
  disposals: 0,
  [Symbol.dispose](): void {
    noop.disposals++;
  },
};

/**
 * `using_noop`: `using` of a fixed object whose dispose does nothing but count, compiled as
 * `tls_lease_using` is. No pool at all: the floor any `using`-based lease pays before its own work,
 * so `tls_lease_using` minus this row is what the lease itself costs.
 */
function usingNoop(): BenchCase {
  return {
    name: 'using_noop',
    group: 'mempool',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        using d = noop;
        sink ^= d.v;
      }
    },
    validate() {
      const before = noop.disposals;
      this.fn();
      check(noop.disposals - before === BATCH, `using_noop: every declaration was disposed once (${noop.disposals - before} of ${BATCH})`);
    },
  };
}

/** Elements of the array `buffer_rent_return` rents: a 4 KiB scratch buffer, one class of a BufferPool. */
export const RENT_LENGTH = 4096;

/** `buffer_rent_return`: BufferPool's rent + return pair, a LocalPool pair behind a class lookup. */
function bufferRentReturn(): BenchCase {
  const pool = new BufferPool(Uint8Array);
  return {
    name: 'buffer_rent_return',
    group: 'mempool',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const a = pool.rent(RENT_LENGTH);
        sink ^= a.length;
        pool.return(a);
      }
    },
    validate() {
      const a = pool.rent(RENT_LENGTH);
      const b = pool.rent(RENT_LENGTH);
      check(a !== b && a.length === RENT_LENGTH, 'buffer_rent_return: two arrays rented at once are distinct, of the class length');
      pool.return(b);
      pool.return(a);
      checkBatch('buffer_rent_return', () => this.fn(), () => pool.stats.hits, false);
      check(pool.stats.lent === 0 && pool.stats.created === 2, 'buffer_rent_return: the batch made no array and left none lent');
    },
    teardown() {
      pool.close();
    },
  };
}

// -------------------------------------------------------------------------------------------------

/** The baseline LocalPool's hot path is measured against: one field, then an array (no policies). */
export class OwnerSlot {
  slot: Obj | undefined = undefined;
  readonly stack: Obj[] = [];
  hits = 0;
  get(): Obj {
    const o = this.slot;
    if (o !== undefined) {
      this.slot = undefined;
      this.hits++;
      return o;
    }
    return this.stack.pop() ?? new Obj();
  }
  put(o: Obj): void {
    if (this.slot === undefined) this.slot = o;
    else this.stack.push(o);
  }
}

function ownerSlotGetPut(): BenchCase {
  const pool = new OwnerSlot();
  return {
    name: 'owner_slot_get_put',
    group: 'peers',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const o = pool.get();
        sink ^= o.v;
        pool.put(o);
      }
    },
    validate() {
      checkLending('owner_slot_get_put', () => pool.get(), (o) => pool.put(o));
      checkBatch('owner_slot_get_put', () => this.fn(), () => pool.hits, true);
    },
  };
}

function arrayStackGetPut(): BenchCase {
  const stack: Obj[] = [];
  let gets = 0;
  const get = (): Obj => stack.pop() ?? new Obj();
  return {
    name: 'array_stack_get_put',
    group: 'peers',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const o = stack.pop() ?? new Obj();
        sink ^= o.v;
        stack.push(o);
      }
      gets += BATCH;
    },
    validate() {
      checkLending('array_stack_get_put', get, (o) => stack.push(o));
      checkBatch('array_stack_get_put', () => this.fn(), () => gets, true);
    },
  };
}

function reusifyGetPut(): BenchCase {
  const pool = reusify(Obj);
  let gets = 0;
  return {
    name: 'reusify_get_put',
    group: 'peers',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const o = pool.get();
        sink ^= o.v;
        pool.release(o);
      }
      gets += BATCH;
    },
    validate() {
      checkLending('reusify_get_put', () => pool.get(), (o) => pool.release(o));
      checkBatch('reusify_get_put', () => this.fn(), () => gets, true);
    },
  };
}

/** isopool/reusify, the drop-in for reusify: the same loop as `reusify_get_put`, side by side. */
function isopoolReusifyGetPut(): BenchCase {
  const pool = isopoolReusify(Obj);
  let gets = 0;
  return {
    name: 'isopool_reusify_get_put',
    group: 'peers',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const o = pool.get();
        sink ^= o.v;
        pool.release(o);
      }
      gets += BATCH;
    },
    validate() {
      checkLending('isopool_reusify_get_put', () => pool.get(), (o) => pool.release(o));
      checkBatch('isopool_reusify_get_put', () => this.fn(), () => gets, true);
    },
  };
}

// -------------------------------------------------------------------------------------------------

/** What a pool saves a small object: `new` per iteration, plus the collector's share. */
function allocSmall(): BenchCase {
  return {
    name: 'alloc_small',
    group: 'alloc',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const o = new Obj();
        sink ^= o.v;
        escape = o;
      }
    },
    validate() {
      checkBatch('alloc_small', () => this.fn(), () => Obj.made, false);
    },
    teardown() {
      escape = null;
    },
  };
}

/** What a pool saves a 16 KiB scratch buffer (mempool's use: per-search scratch), GC included. */
function allocU8(): BenchCase {
  let made = 0;
  return {
    name: 'alloc_u8_16k',
    group: 'alloc',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const b = new Uint8Array(16384);
        b[i & 16383] = 1;
        sink ^= b.length;
        escape = b;
      }
      made += BATCH;
    },
    validate() {
      checkBatch('alloc_u8_16k', () => this.fn(), () => made, false);
      check(escape instanceof Uint8Array && escape.length === 16384, 'alloc_u8_16k: allocates 16 KiB arrays');
    },
    teardown() {
      escape = null;
    },
  };
}

/** The local cases in report order: the mempool rows first, then baselines and peers. */
export function localCases(): BenchCase[] {
  return [tlsGetPut(), tlsGet(), tlsLeaseUsing(), usingNoop(), bufferRentReturn(), ownerSlotGetPut(), arrayStackGetPut(), reusifyGetPut(), isopoolReusifyGetPut(), allocSmall(), allocU8()];
}
