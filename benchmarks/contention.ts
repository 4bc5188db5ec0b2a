/**
 * The contention harness: N workers hammering one SharedPool for a fixed time. benny times only
 * in-process code, so this part is not benny: it runs on the worker harness (harness.ts), which spawns
 * `worker_threads`, lines them up on an Atomics barrier, lets them run acquire+release pairs for
 * `durationMs`, and divides.
 *
 * Two access patterns: `pair` (acquire one block, touch it, release it: the pattern pooled code runs
 * most, which a warm cache serves from its owner slot without touching the shared list) and `burst`
 * (acquire BURST blocks, then release them all: more than the cache holds, so every burst refills
 * from and spills to the shared free list in batches). `burst` runs with the cache on only; with the
 * cache off every acquire is already a shared-list pop.
 *
 * For every strategy, with the per-isolate cache on (the pool's default) and off (`cache: 0`), and
 * for N = 1, 2, 4, ... up to `--workers` (and `--workers` itself), it reports:
 *   - `one shared`: all N workers attached to one SharedPool (the contended case);
 *   - `one each`:   each worker on its own SharedPool of the same strategy (no sharing: the ceiling
 *                   the shared figure would reach if contention cost nothing; skipped for N = 1,
 *                   where it is the shared run).
 * Figures per row: total Mops/s (sum over workers of pairs / own elapsed time), ns per pair per
 * thread (all workers' elapsed time over all their pairs), and fairness (fewest pairs any worker did
 * over the most: 100 % is even, a few % means a worker was starved, by the pool or by the OS). On a machine with fewer free cores than workers
 * these measure the OS scheduler as much as the pool: say how many cores the run had.
 *
 * Written against the SharedPool contract (src/shared/shared-pool.ts): `create`, `attach`,
 * `acquire`, `release`, `close`, `stats.retries`, `stats.waits`.
 */
import { runWorkers } from './harness.js';

/** One row of the contention table (the worker harness, not benny). */
export interface ContentionRow {
  strategy: string;
  cache: boolean;
  /** `pair`: acquire one, release it; `burst`: acquire 64, release 64 (through the shared list). */
  pattern: string;
  /** `shared`: all workers on one SharedPool; `own`: each worker on its own pool (no-sharing ceiling). */
  mode: 'shared' | 'own';
  workers: number;
  /** Acquire/release pairs per second, all workers together, in millions. */
  mops: number;
  /** All workers' elapsed ns over all their pairs. */
  nsPerPairPerThread: number;
  /** Fewest pairs a worker did over the most (1 = even). */
  fairness: number;
  /** Total pairs done. */
  pairs: number;
}

/** A contention row with the pool's own contention counters, summed over workers. */
export type ContentionResult = ContentionRow & { retries: number; waits: number };

/** The slice of the SharedPool contract the harness uses. */
export interface SharedPoolLike {
  readonly handle: unknown;
  acquire(): { readonly index: number; readonly bytes: Uint8Array };
  release(block: { readonly index: number } | number): void;
  close(): void;
  readonly stats: { free: number; waits?: number; retries?: number };
}

export interface SharedPoolModule {
  SharedPool?: {
    create(opts: { blockSize: number; blocks: number; cache?: number; strategy?: string }): SharedPoolLike;
    attach(handle: unknown, opts?: { cache?: number }): SharedPoolLike;
  };
}

/** What each contention worker receives (as the harness's `data`). */
export interface ContentionJob {
  /** URL of the module exporting SharedPool (the build's index unless a test swaps it). */
  poolModule: string;
  /** The shared pool's handle; undefined: create an own pool. */
  handle: unknown;
  strategy: string;
  /** undefined: the pool's default cache; 0: off. */
  cache: number | undefined;
  pattern: Pattern;
  blockSize: number;
  blocks: number;
}

export type Pattern = 'pair' | 'burst';

/**
 * Blocks one `burst` holds at once: twice SharedPool's default cache (32), so a burst always
 * overflows the cache and its refills and spills (16 indices a batch) reach the shared free list.
 */
export const BURST = 64;

/** Pairs each worker runs before the barrier, so timed work starts with optimised code. */
export const WARMUP_PAIRS = 50_000;

export const STRATEGIES = ['mutex', 'treiber', 'mpmc', 'bitmap'] as const;

/** Small blocks: the harness measures the free list, not memory bandwidth. */
const BLOCK_SIZE = 64;
/**
 * Enough blocks that no worker ever finds the pool empty: a wait would measure the wait, not the free
 * list. Each worker holds at most BURST blocks and caches at most a few dozen more; 192 a worker
 * leaves room, and 4,096 covers the usual 1-16 workers.
 */
function blocksFor(workers: number): number {
  return Math.max(4096, workers * 192);
}

export interface ContentionOptions {
  /** Most workers. */
  workers: number;
  /** Timed part of each run. */
  durationMs: number;
  /** Strategies to run (default all four). */
  strategies?: readonly string[];
  /** URL of the module exporting SharedPool; default the installed isopool's. */
  poolModule?: string;
  /** The (cache, pattern) runs per strategy; default cache on with `pair` and `burst`, and off with `pair`. */
  variants?: ReadonlyArray<readonly [number | undefined, Pattern]>;
  /** Called after each row, for streaming output. */
  onRow?: (row: ContentionResult) => void;
}

/** The runs per strategy: the cache on (the pool's default) with both patterns, then off. */
const DEFAULT_VARIANTS: ReadonlyArray<readonly [number | undefined, Pattern]> = [
  [undefined, 'pair'],
  [undefined, 'burst'],
  [0, 'pair'],
];

/** 1, 2, 4, ... below `max`, then `max`. */
export function workerCounts(max: number): number[] {
  const out: number[] = [];
  for (let n = 1; n < max; n *= 2) out.push(n);
  out.push(max);
  return out;
}

/** The isopool this package resolves (where SharedPool is exported from), as the workers must import it. */
export const BUILD_INDEX = import.meta.resolve('isopool');

/** Loads SharedPool from `moduleUrl`, or returns undefined when it has none (this build, before SharedPool). */
export async function loadSharedPool(moduleUrl: string = BUILD_INDEX): Promise<SharedPoolModule['SharedPool']> {
  const mod = (await import(moduleUrl)) as SharedPoolModule;
  return mod.SharedPool;
}

async function oneRun(
  poolModule: string,
  SharedPool: NonNullable<SharedPoolModule['SharedPool']>,
  strategy: string,
  cache: number | undefined,
  pattern: Pattern,
  mode: 'shared' | 'own',
  n: number,
  durationMs: number,
): Promise<ContentionResult> {
  const blocks = blocksFor(n);
  const shared =
    mode === 'shared'
      ? SharedPool.create({ blockSize: BLOCK_SIZE, blocks, strategy, ...(cache === undefined ? {} : { cache }) })
      : undefined;
  try {
    const data: ContentionJob = { poolModule, handle: shared?.handle, strategy, cache, pattern, blockSize: BLOCK_SIZE, blocks };
    const got = await runWorkers({ script: new URL('./contention-worker.js', import.meta.url), workers: n, durationMs, data });
    // Every worker closed its attachment (flushing its cache) before reporting: a shared pool must
    // have every block back. A run that lost or duplicated blocks measured something else.
    if (shared !== undefined && shared.stats.free !== blocks) {
      throw new Error(`contention: ${strategy} (cache ${cache === 0 ? 'off' : 'on'}, ${pattern}, ${n} workers) has ${shared.stats.free} of ${blocks} blocks free after every worker closed`);
    }
    return {
      strategy,
      cache: cache !== 0,
      pattern,
      mode,
      workers: n,
      // Sum of each worker's own rate: the pool's throughput while all of them were running.
      mops: got.reduce((s, r) => s + r.ops / (r.ns / 1e9), 0) / 1e6,
      // Thread time over pairs: a starved worker cannot skew it the way a mean of ratios would.
      nsPerPairPerThread: got.reduce((s, r) => s + r.ns, 0) / got.reduce((s, r) => s + r.ops, 0),
      fairness: Math.min(...got.map((r) => r.ops)) / Math.max(...got.map((r) => r.ops)),
      pairs: got.reduce((s, r) => s + r.ops, 0),
      retries: got.reduce((s, r) => s + (r.extra['retries'] ?? 0), 0),
      waits: got.reduce((s, r) => s + (r.extra['waits'] ?? 0), 0),
    };
  } finally {
    shared?.close();
  }
}

/** Runs the whole table. Throws if this build has no SharedPool. */
export async function runContention(opts: ContentionOptions): Promise<ContentionResult[]> {
  const poolModule = opts.poolModule ?? BUILD_INDEX;
  const SharedPool = await loadSharedPool(poolModule);
  if (SharedPool === undefined) throw new Error('this build of isopool exports no SharedPool');
  const rows: ContentionResult[] = [];
  for (const strategy of opts.strategies ?? STRATEGIES) {
    const variants = opts.variants ?? DEFAULT_VARIANTS;
    for (const [cache, pattern] of variants) {
      for (const n of workerCounts(opts.workers)) {
        for (const mode of ['shared', 'own'] as const) {
          if (mode === 'own' && n === 1) continue;
          const row = await oneRun(poolModule, SharedPool, strategy, cache, pattern, mode, n, opts.durationMs);
          rows.push(row);
          opts.onRow?.(row);
        }
      }
    }
  }
  return rows;
}
