/**
 * Node-only helpers for the SharedPool suites: the strategies every contract runs over, the owner
 * table read through the buffer's header (the layout README.md documents), and handshakes with
 * workers/shared-worker.ts over Atomics words, never sleeps.
 */
import type { Worker } from 'node:worker_threads';
import { SharedPool, type Block, type Strategy } from '../../src/index.js';
import { H } from '../../src/shared/layout.js';

export const STRATEGIES: Strategy[] = ['mutex', 'treiber', 'mpmc', 'bitmap'];

/** The worker script the SharedPool suites start (modes `stress`, `hold`, `busy`, `wait`). */
export const SHARED_WORKER = new URL('../workers/shared-worker.js', import.meta.url);

/** The worker script of the fault suites (modes `churn`, `race`, `posted`). */
export const FAULT_WORKER = new URL('../workers/shared-fault-worker.js', import.meta.url);

/**
 * Every block the shared list can lend, taken once each through a fresh cache-less attachment (the
 * proof that nothing is lost or reachable twice), then given back. Returns how many; throws on a
 * block lent twice.
 */
export function drain(pool: SharedPool): number {
  const probe = SharedPool.attach(pool.handle, { cache: 0 });
  const got: Block[] = [];
  for (let b = probe.tryAcquire(); b !== undefined; b = probe.tryAcquire()) got.push(b);
  const distinct = new Set(got.map((b) => b.index)).size;
  for (const b of got) probe.release(b);
  probe.close();
  if (distinct !== got.length) throw new Error(`drain: ${got.length - distinct} blocks were lent twice`);
  return got.length;
}

/**
 * Owner words of the whole table, read through the header (what `reclaim` and the tests trust):
 * 0 free, +id lent by isolate id, -id idle in its cache.
 */
export function owners(pool: SharedPool): Int32Array {
  const a = new Int32Array(pool.handle.sab);
  return a.subarray(a[H.OWNER_OFFSET]! >> 2, (a[H.OWNER_OFFSET]! >> 2) + pool.blocks);
}

/** Resolves once `ctl[at]` reads at least `atLeast`, sleeping in Atomics.waitAsync between changes. */
export function wordAtLeast(ctl: Int32Array, at: number, atLeast: number): Promise<void> {
  const seen = Atomics.load(ctl, at);
  if (seen >= atLeast) return Promise.resolve();
  const r = Atomics.waitAsync(ctl, at, seen);
  return (r.async ? r.value : Promise.resolve()).then(() => wordAtLeast(ctl, at, atLeast));
}

/** Resolves once `pool.stats.waiting` (waiters in every isolate) reads `n`, yielding to the event loop between reads. */
export async function waitingIs(pool: SharedPool, n: number): Promise<void> {
  while (pool.stats.waiting !== n) await new Promise((resolve) => setImmediate(resolve));
}

/** The worker's exit code; rejects on an uncaught error in it. */
export function exited(worker: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.once('exit', resolve);
    worker.once('error', reject);
  });
}

