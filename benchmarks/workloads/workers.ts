/**
 * The workload across N workers, on the worker harness (benchmarks/harness.ts): each worker compiles
 * the patterns, loads the corpus and gets its own scratch (its own `getLocalPool` pool, its own
 * BufferPools, or none for `alloc`: every isolate has its own copy of those modules), validates it
 * against RegExp, warms up, and searches from the harness's barrier until its stop flag.
 *
 * One harness operation is one search; a chunk is one pass of the workload (every pattern over every
 * line), so the stop flag is read once a pass. Each worker also reports the matches of its last pass:
 * every worker searches the same lines with the same patterns, so they must all agree.
 *
 * Result: searches per second summed over workers, and per worker.
 */
import { runWorkers } from '../harness.js';
import type { ScratchSource } from './regex/regex.js';

export interface WorkloadWorkersOptions {
  /** Workers to start (>= 1). */
  workers: number;
  /** How long they search, in ms, from the barrier. */
  durationMs: number;
  /** Where each worker's scratch comes from (default `pool`: its own getLocalPool scratch). */
  source?: ScratchSource;
  /** Short lines per pass (default 100, with every pattern: 1,500 searches a pass). */
  lines?: number;
}

/** What each workload worker receives as the harness's `data`. */
export interface WorkloadJob {
  source: ScratchSource;
  lines: number | undefined;
}

export interface WorkloadWorkersResult {
  workers: number;
  source: ScratchSource;
  durationMs: number;
  /** Searches done by all workers. */
  searches: number;
  /** Sum over workers of each worker's searches / its own elapsed time. */
  searchesPerSecond: number;
  /** Each worker's searches per second. */
  perWorker: number[];
}

/** Runs the workload in `workers` workers for `durationMs` and reports the throughput. */
export async function runWorkloadWorkers(options: WorkloadWorkersOptions): Promise<WorkloadWorkersResult> {
  const { workers, durationMs } = options;
  const source = options.source ?? 'pool';
  const data: WorkloadJob = { source, lines: options.lines };
  const got = await runWorkers({ script: new URL('./workload-worker.js', import.meta.url), workers, durationMs, data });
  if (new Set(got.map((r) => r.extra['matches'])).size !== 1) throw new Error('runWorkloadWorkers: workers disagree on the match count');
  const perWorker = got.map((r) => (r.ops * 1e9) / r.ns);
  return {
    workers,
    source,
    durationMs,
    searches: got.reduce((s, r) => s + r.ops, 0),
    searchesPerSecond: perWorker.reduce((s, x) => s + x, 0),
    perWorker,
  };
}
