/**
 * The contention harness: N workers hammering one SharedPool for a fixed time. benny times only
 * in-process code, so this part is not benny: it spawns `worker_threads`, lines them up on an Atomics
 * barrier, lets them run acquire+release pairs for `durationMs`, and divides.
 *
 * For every strategy, with the per-isolate cache on (the pool's default) and off (`cache: 0`), and
 * for N = 1, 2, 4, ... up to `--workers` (and `--workers` itself), it reports:
 *   - `one shared`: all N workers attached to one SharedPool (the contended case);
 *   - `one each`:   each worker on its own SharedPool of the same strategy (no sharing: the ceiling
 *                   the shared figure would reach if contention cost nothing; skipped for N = 1,
 *                   where it is the shared run).
 * Figures per row: total Mops/s (sum over workers of pairs / own elapsed time) and ns per pair per
 * thread (mean over workers of elapsed / pairs). On a machine with fewer free cores than workers
 * these measure the OS scheduler as much as the pool: say how many cores the run had.
 *
 * Written against the SharedPool contract (src/shared/shared-pool.ts): `create`, `attach`,
 * `acquire`, `release`, `close`, `stats.retries`, `stats.waits`.
 */
import { Worker } from 'node:worker_threads';
import type { ContentionRow } from './format.js';

/** Indices into the control Int32Array shared with every worker of a run. */
export const CTRL = {
  /** Workers that are warmed up and waiting at the barrier. */
  READY: 0,
  /** 0 until the main thread opens the barrier, then 1. */
  GO: 1,
  /** 0 until the run's time is up, then 1. */
  STOP: 2,
  /** Int32 slots in the control buffer: one 64-byte line each would be tidier, but these words are
   * written twice a run, so false sharing costs nothing measurable. */
  LENGTH: 4,
} as const;

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

export interface WorkerJob {
  ctrl: SharedArrayBuffer;
  /** URL of the module exporting SharedPool (the build's index unless a test swaps it). */
  poolModule: string;
  /** The shared pool's handle; undefined: create an own pool. */
  handle: unknown;
  strategy: string;
  /** undefined: the pool's default cache; 0: off. */
  cache: number | undefined;
  blockSize: number;
  blocks: number;
}

export interface WorkerReport {
  pairs: number;
  ns: number;
  retries: number;
  waits: number;
  touched: number;
}

/** Pairs each worker runs before the barrier, so timed work starts with optimised code. */
export const WARMUP_PAIRS = 50_000;

export const STRATEGIES = ['mutex', 'treiber', 'mpmc', 'bitmap'] as const;

/** Small blocks: the harness measures the free list, not memory bandwidth. */
const BLOCK_SIZE = 64;
/**
 * Enough blocks that no worker ever finds the pool empty (each isolate's cache may hold a few
 * dozen; 256 workers' worth would still fit): a wait would measure the wait, not the free list.
 */
const BLOCKS = 4096;
/** How long to wait for workers to start and warm up before calling the run broken. */
const READY_TIMEOUT_MS = 60_000;

export interface ContentionOptions {
  /** Most workers. */
  workers: number;
  /** Timed part of each run. */
  durationMs: number;
  /** Strategies to run (default all four). */
  strategies?: readonly string[];
  /** URL of the module exporting SharedPool; default this build's `src/index.js`. */
  poolModule?: string;
  /** Called after each row, for streaming output. */
  onRow?: (row: ContentionRow & { retries: number; waits: number }) => void;
}

/** 1, 2, 4, ... below `max`, then `max`. */
export function workerCounts(max: number): number[] {
  const out: number[] = [];
  for (let n = 1; n < max; n *= 2) out.push(n);
  out.push(max);
  return out;
}

/** This build's index, where SharedPool is exported from. */
export const BUILD_INDEX = new URL('../src/index.js', import.meta.url).href;

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
  mode: 'shared' | 'own',
  n: number,
  durationMs: number,
): Promise<ContentionRow & { retries: number; waits: number }> {
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.LENGTH * 4));
  const shared =
    mode === 'shared' ? SharedPool.create({ blockSize: BLOCK_SIZE, blocks: BLOCKS, strategy, ...(cache === undefined ? {} : { cache }) }) : undefined;
  const job: WorkerJob = {
    ctrl: ctrl.buffer as SharedArrayBuffer,
    poolModule,
    handle: shared?.handle,
    strategy,
    cache,
    blockSize: BLOCK_SIZE,
    blocks: BLOCKS,
  };
  const url = new URL('./contention-worker.js', import.meta.url);
  const workers: Worker[] = [];
  const reports: Promise<WorkerReport>[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(url, { workerData: job });
    workers.push(w);
    reports.push(
      new Promise<WorkerReport>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`contention worker exited with code ${code} before reporting`)));
      }),
    );
  }
  // Marks every report handled: a run that fails early must not leave unhandled rejections behind
  // (Promise.all below still sees them).
  for (const p of reports) p.catch(() => undefined);
  // A worker that dies before the barrier must not leave us waiting for it: race the reports.
  const failed = Promise.race(reports).then(
    () => undefined,
    (err: unknown) => err,
  );
  try {
    // INVARIANT: READY only grows; wait (without blocking the event loop, which delivers worker
    // errors) until every worker has counted itself in.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const ready = Atomics.load(ctrl, CTRL.READY);
      if (ready >= n) break;
      if (Date.now() > deadline) throw new Error(`contention: only ${ready} of ${n} workers reached the barrier`);
      const r = Atomics.waitAsync(ctrl, CTRL.READY, ready, 1000);
      const early = await Promise.race([r.async ? r.value : Promise.resolve(r.value), failed]);
      if (early instanceof Error) throw early;
    }
    // INVARIANT: every worker waits on GO == 0; store 1 and wake them all at once.
    Atomics.store(ctrl, CTRL.GO, 1);
    Atomics.notify(ctrl, CTRL.GO);
    await new Promise((r) => setTimeout(r, durationMs));
    // INVARIANT: workers poll STOP between chunks; once set they finish the chunk and report.
    Atomics.store(ctrl, CTRL.STOP, 1);
    const got = await Promise.all(reports);
    const pairs = got.reduce((s, r) => s + r.pairs, 0);
    const perSec = got.reduce((s, r) => s + r.pairs / (r.ns / 1e9), 0);
    const nsPer = got.reduce((s, r) => s + r.ns / r.pairs, 0) / got.length;
    return {
      strategy,
      cache: cache !== 0,
      mode,
      workers: n,
      mops: perSec / 1e6,
      nsPerPairPerThread: nsPer,
      pairs,
      retries: got.reduce((s, r) => s + r.retries, 0),
      waits: got.reduce((s, r) => s + r.waits, 0),
    };
  } finally {
    Atomics.store(ctrl, CTRL.GO, 1);
    Atomics.store(ctrl, CTRL.STOP, 1);
    Atomics.notify(ctrl, CTRL.GO);
    await Promise.allSettled(workers.map((w) => w.terminate()));
    shared?.close();
  }
}

/** Runs the whole table. Throws if this build has no SharedPool. */
export async function runContention(opts: ContentionOptions): Promise<Array<ContentionRow & { retries: number; waits: number }>> {
  const poolModule = opts.poolModule ?? BUILD_INDEX;
  const SharedPool = await loadSharedPool(poolModule);
  if (SharedPool === undefined) throw new Error('this build exports no SharedPool (src/shared/shared-pool.ts is not merged yet)');
  const rows: Array<ContentionRow & { retries: number; waits: number }> = [];
  for (const strategy of opts.strategies ?? STRATEGIES) {
    for (const cache of [undefined, 0]) {
      for (const n of workerCounts(opts.workers)) {
        for (const mode of ['shared', 'own'] as const) {
          if (mode === 'own' && n === 1) continue;
          const row = await oneRun(poolModule, SharedPool, strategy, cache, mode, n, opts.durationMs);
          rows.push(row);
          opts.onRow?.(row);
        }
      }
    }
  }
  return rows;
}
