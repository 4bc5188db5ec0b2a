/**
 * Transfer round trips: a 16 KiB Uint8Array posted to a worker with its buffer in the transfer list
 * and posted back, one message at a time, as a worker pool (piscina, tinypool) moves a job's data.
 * `transfer_alloc` allocates a fresh array per message and lets the one that comes back go (the
 * group's ratio baseline); `transfer_pool` rents it from a BufferPool and returns what comes back
 * (a new object over the pool's memory, which `return()` knows by its mark). Same worker script,
 * same size, same message; each case starts its own worker in `validate()` and stops it in `teardown()`.
 *
 * An iteration is one round trip: post, the worker's write and post back, this isolate's
 * 'message' event. benny awaits each call (an async case), and may call `fn` twice at once before
 * timing, so replies are matched to their calls by order: each call's round trips are sequential,
 * and a reply resolves the oldest round trip waiting.
 */
import { Worker } from 'node:worker_threads';
import { BufferPool } from 'isopool';
import type { BenchCase } from './case.js';

/** Round trips per call: each is tens of µs, so benny's few ns a call vanish in far fewer than 1,000. */
export const BATCH = 100;

/** The message size: `pool`'s example checks out a 16 KiB buffer for another thread. */
export const BYTES = 16384;

/** Where every case XORs what came back. Exported so nothing here is dead code to the optimiser. */
export let sink = 0;

/** One worker and the round trips waiting for it, oldest first. */
class Echo {
  private readonly _worker: Worker;
  private readonly _waiting: Array<(a: Uint8Array) => void> = [];

  constructor() {
    this._worker = new Worker(new URL('./transfer-worker.js', import.meta.url));
    this._worker.unref();
    this._worker.on('message', (a: Uint8Array) => this._waiting.shift()!(a));
  }

  /** Posts `a` (its buffer transferred) and resolves with the array that comes back. */
  roundTrip(a: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    return new Promise((resolve) => {
      this._waiting.push(resolve);
      this._worker.postMessage(a, [a.buffer]);
    });
  }

  stop(): void {
    void this._worker.terminate();
  }
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`validation failed: ${what}`);
}

function transferAlloc(): BenchCase {
  let echo: Echo | undefined;
  let trips = 0;
  return {
    name: 'transfer_alloc',
    group: 'transfer',
    batch: BATCH,
    async fn() {
      for (let i = 0; i < BATCH; i++) {
        const a = new Uint8Array(BYTES);
        a[0] = i;
        const back = await echo!.roundTrip(a);
        sink ^= back[1]!;
      }
      trips += BATCH;
    },
    async validate() {
      echo = new Echo();
      const a = new Uint8Array(BYTES);
      a[0] = 9;
      const back = await echo.roundTrip(a);
      check(a.length === 0 && back.length === BYTES && back[1] === 9, 'transfer_alloc: the array went to the worker and came back');
      await this.fn();
      check(trips === BATCH, `transfer_alloc: one call makes ${BATCH} round trips`);
    },
    teardown() {
      echo?.stop();
    },
    extra: () => ({ bytes: BYTES }),
  };
}

function transferPool(): BenchCase {
  let echo: Echo | undefined;
  const pool = new BufferPool(Uint8Array);
  return {
    name: 'transfer_pool',
    group: 'transfer',
    batch: BATCH,
    async fn() {
      for (let i = 0; i < BATCH; i++) {
        const a = pool.rent(BYTES);
        a[0] = i;
        const back = await echo!.roundTrip(a);
        sink ^= back[1]!;
        pool.return(back);
      }
    },
    async validate() {
      echo = new Echo();
      const a = pool.rent(BYTES);
      a[0] = 9;
      const back = await echo.roundTrip(a);
      check(a.length === 0 && back.length === BYTES && back[1] === 9, 'transfer_pool: the array went to the worker and came back');
      pool.return(back);
      check(pool.rent(BYTES) === back, 'transfer_pool: what came back is lent again');
      pool.return(back);
      const before = pool.stats;
      await this.fn();
      const after = pool.stats;
      check(after.transferred - before.transferred === BATCH, `transfer_pool: one call takes back ${BATCH} transferred arrays`);
      check(after.created === before.created && after.lent === 0, 'transfer_pool: a batch makes no array and leaves none lent');
    },
    teardown() {
      echo?.stop();
    },
    extra: () => ({ bytes: BYTES, transferred: pool.stats.transferred }),
  };
}

/** The transfer cases, the baseline first. */
export function transferCases(): BenchCase[] {
  return [transferAlloc(), transferPool()];
}
