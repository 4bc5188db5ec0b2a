/**
 * The async cases: ResourcePool's idle path (an `acquire` that finds an idle resource, then its
 * `release`) against a bare `await` (the group's ratio baseline: no async pool can beat one), and
 * against generic-pool and tarn doing the same (dev dependencies, for comparison only).
 *
 * Each case is an async function looping `BATCH` iterations; benny times it as a deferred benchmark
 * (runner.ts), so one call costs a promise settling on top of the batch: spread over 1,000
 * iterations. Every iteration awaits exactly once (the acquire) and reads the resource into `sink`.
 * The loops are written out case by case, as in local.cases.ts, so that no shared helper's call
 * sites see every pool type.
 *
 * `validate()` checks, before any timing, that each pool really lends and takes back (two resources
 * held at once are distinct, a released one is lent again) and that a batch awaits `BATCH` acquires,
 * creates nothing (every acquire found an idle resource) and leaves nothing lent.
 */
import genericPool from 'generic-pool';
import { Pool as TarnPool } from 'tarn';
import { ResourcePool } from 'isopool';
import type { BenchCase } from './case.js';

/** Iterations per call: >= 1,000, so the deferred call's own promise is spread thin. */
export const BATCH = 1000;

/** The pooled resource: an id to prove identity. */
class Conn {
  static made = 0;
  readonly v: number;
  constructor() {
    this.v = ++Conn.made;
  }
}

/** Where every case XORs what it read. Exported so nothing here is dead code to the optimiser. */
export let sink = 0;

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`validation failed: ${what}`);
}

/** Two overlapping acquires are distinct resources, and a released one is lent again. */
async function checkLending(name: string, get: () => Promise<Conn>, put: (c: Conn) => void): Promise<void> {
  const a = await get();
  const b = await get();
  check(a instanceof Conn && b instanceof Conn, `${name}: acquire() resolves with pooled resources`);
  check(a !== b, `${name}: two resources held at once are distinct`);
  put(b);
  put(a);
  const again = await get();
  check(again === a || again === b, `${name}: a released resource is lent again`);
  put(again);
}

/** One call performs `BATCH` acquires (counted by `acquires`), creates nothing, and leaves `lent()` at 0. */
async function checkBatch(name: string, fn: () => Promise<void>, acquires: () => number, lent: () => number): Promise<void> {
  const before = acquires();
  const made = Conn.made;
  await fn();
  const did = acquires() - before;
  check(did === BATCH, `${name}: one call performs ${BATCH} acquires (did ${did})`);
  check(Conn.made === made, `${name}: every acquire found an idle resource (created ${Conn.made - made})`);
  check(lent() === 0, `${name}: nothing stays lent (lent ${lent()})`);
}

// -------------------------------------------------------------------------------------------------

/** The floor: one `await` of a value per iteration, as every async acquire costs at least. */
function resourceAwait(): BenchCase {
  const conn = new Conn();
  let awaits = 0;
  return {
    name: 'resource_await',
    group: 'resource',
    batch: BATCH,
    async fn() {
      for (let i = 0; i < BATCH; i++) {
        const c = await conn;
        sink ^= c.v;
      }
      awaits += BATCH;
    },
    async validate() {
      await checkBatch('resource_await', () => this.fn() as Promise<void>, () => awaits, () => 0);
    },
  };
}

function resourceIdle(): BenchCase {
  const pool = new ResourcePool<Conn>({ create: async () => new Conn(), destroy: async () => undefined });
  let acquires = 0;
  return {
    name: 'resource_idle_get_put',
    group: 'resource',
    batch: BATCH,
    async fn() {
      for (let i = 0; i < BATCH; i++) {
        const c = await pool.acquire();
        sink ^= c.v;
        pool.release(c);
      }
      acquires += BATCH;
    },
    async validate() {
      await checkLending('resource_idle_get_put', () => pool.acquire(), (c) => pool.release(c));
      await checkBatch('resource_idle_get_put', () => this.fn() as Promise<void>, () => acquires, () => pool.stats.lent);
    },
    teardown() {
      void pool.drain();
    },
  };
}

/** The same with a synchronous `validate` (a flag check, as a client's `isReady` is): its cost on the idle path. */
function resourceIdleValidate(): BenchCase {
  let checks = 0;
  const pool = new ResourcePool<Conn>({
    create: async () => new Conn(),
    destroy: async () => undefined,
    validate: (c) => (checks++, c.v > 0),
  });
  return {
    name: 'resource_idle_validate_get_put',
    group: 'resource',
    batch: BATCH,
    async fn() {
      for (let i = 0; i < BATCH; i++) {
        const c = await pool.acquire();
        sink ^= c.v;
        pool.release(c);
      }
    },
    async validate() {
      await checkLending('resource_idle_validate_get_put', () => pool.acquire(), (c) => pool.release(c));
      await checkBatch('resource_idle_validate_get_put', () => this.fn() as Promise<void>, () => checks, () => pool.stats.lent);
    },
    teardown() {
      void pool.drain();
    },
  };
}

function genericPoolGetPut(): BenchCase {
  const pool = genericPool.createPool<Conn>({ create: async () => new Conn(), destroy: async () => undefined }, { max: 10 });
  let acquires = 0;
  return {
    name: 'generic_pool_get_put',
    group: 'resource',
    batch: BATCH,
    async fn() {
      for (let i = 0; i < BATCH; i++) {
        const c = await pool.acquire();
        sink ^= c.v;
        void pool.release(c);
      }
      acquires += BATCH;
    },
    async validate() {
      await checkLending('generic_pool_get_put', () => pool.acquire(), (c) => void pool.release(c));
      await checkBatch('generic_pool_get_put', () => this.fn() as Promise<void>, () => acquires, () => pool.borrowed);
    },
    teardown() {
      void pool.drain().then(() => pool.clear());
    },
  };
}

function tarnGetPut(): BenchCase {
  const pool = new TarnPool<Conn>({ create: async () => new Conn(), destroy: () => undefined, min: 0, max: 10 });
  let acquires = 0;
  return {
    name: 'tarn_get_put',
    group: 'resource',
    batch: BATCH,
    async fn() {
      for (let i = 0; i < BATCH; i++) {
        const c = await pool.acquire().promise;
        sink ^= c.v;
        pool.release(c);
      }
      acquires += BATCH;
    },
    async validate() {
      await checkLending('tarn_get_put', () => pool.acquire().promise, (c) => void pool.release(c));
      await checkBatch('tarn_get_put', () => this.fn() as Promise<void>, () => acquires, () => pool.numUsed());
    },
    teardown() {
      void pool.destroy();
    },
  };
}

/** The async cases in report order: the baseline first, then isopool, then its peers. */
export function resourceCases(): BenchCase[] {
  return [resourceAwait(), resourceIdle(), resourceIdleValidate(), genericPoolGetPut(), tarnGetPut()];
}
