/**
 * The workload across workers: searches per second with N workers, each with its own scratch (its
 * own `getLocalPool` pool, its own BufferPools, or fresh allocation). `runWorkloadWorkers`
 * (benchmarks/workloads/workers.ts) times one row on the worker harness (harness.ts); this file calls
 * it for every scratch source and N = 1, 2, 4, ... up to --workers, and checks what comes back
 * before it becomes a row (tables.ts prints them). Not benny.
 */

/** The row name `--filter` selects this table by. */
export const THROUGHPUT_NAME = 'workload_workers';

/** The module whose `runWorkloadWorkers` this table calls, relative to this file (compiled). */
export const WORKERS_MODULE = './workloads/workers.js';

/** Scratch sources of the workload: fresh allocation, getLocalPool, BufferPool. */
export const SOURCES = ['alloc', 'pool', 'buffer'] as const;

/**
 * The part of `runWorkloadWorkers`' result this table reads. The module is loaded by a computed
 * specifier, like the workload suite (suites.ts), so that a build without it still runs the rest;
 * its contract is therefore written here and checked on every result.
 */
export interface WorkloadWorkersResult {
  workers: number;
  source: string;
  searches: number;
  searchesPerSecond: number;
  perWorker: number[];
}

export type RunWorkloadWorkers = (opts: { workers: number; durationMs: number; source: string }) => Promise<WorkloadWorkersResult>;

export interface ThroughputRow {
  source: string;
  workers: number;
  searchesPerSec: number;
  /** ns per search per worker: workers / (searches per second), in ns. */
  nsPerSearchPerThread: number;
  /** Slowest worker's rate over the fastest's (1 = even). */
  fairness: number;
  searches: number;
}

/** Loads `runWorkloadWorkers`; throws an Error naming the module when it is not in the build. */
export async function loadWorkloadWorkers(): Promise<RunWorkloadWorkers> {
  const url = new URL(WORKERS_MODULE, import.meta.url);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url.href)) as Record<string, unknown>;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'ERR_MODULE_NOT_FOUND' && (e.message ?? '').includes(url.pathname)) {
      throw new Error('benchmarks/workloads/workers.ts is not in this build');
    }
    throw err;
  }
  const run = mod['runWorkloadWorkers'];
  if (typeof run !== 'function') throw new Error('benchmarks/workloads/workers.ts exports no function `runWorkloadWorkers`');
  return run as RunWorkloadWorkers;
}

/** Runs every source at every worker count; checks each result before it becomes a row. */
export async function runThroughput(
  run: RunWorkloadWorkers,
  opts: { counts: readonly number[]; durationMs: number; sources?: readonly string[]; onRow?: (row: ThroughputRow) => void },
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const source of opts.sources ?? SOURCES) {
    for (const n of opts.counts) {
      const r = await run({ workers: n, durationMs: opts.durationMs, source });
      const ok =
        r !== null &&
        typeof r === 'object' &&
        r.workers === n &&
        r.searchesPerSecond > 0 &&
        Number.isFinite(r.searchesPerSecond) &&
        Array.isArray(r.perWorker) &&
        r.perWorker.length === n &&
        r.perWorker.every((x) => x > 0);
      if (!ok) {
        throw new Error(`runWorkloadWorkers({ workers: ${n}, source: '${source}' }) returned no usable result: ${JSON.stringify(r)}`);
      }
      const row: ThroughputRow = {
        source,
        workers: n,
        searchesPerSec: r.searchesPerSecond,
        nsPerSearchPerThread: (1e9 * n) / r.searchesPerSecond,
        fairness: Math.min(...r.perWorker) / Math.max(...r.perWorker),
        searches: r.searches,
      };
      rows.push(row);
      opts.onRow?.(row);
    }
  }
  return rows;
}
