/**
 * The workload across N workers: each worker compiles the patterns, loads the corpus and gets its
 * own scratch (its own `getLocalPool` pool, or its own BufferPools, or none for `alloc`: every
 * isolate has its own copy of those modules), then searches for a fixed time. benny times only
 * in-process code, so this runs its own harness: workers say they are ready by message and park
 * on an Atomics start line; a stop flag in the same SharedArrayBuffer ends the run, each worker
 * timing itself from the start line to the pass where it saw the stop.
 *
 * Result: searches per second summed over workers, and per worker.
 */
import { Worker } from 'node:worker_threads';
import type { ScratchSource } from './regex/regex.js';

/** Control words in the shared Int32Array. */
export const CONTROL = {
  /** 0 until the start line; workers wait on it. */
  GO: 0,
  /** 0 until time is up; workers check it after each pass. */
  STOP: 1,
  LENGTH: 2,
} as const;

export interface WorkloadWorkersOptions {
  /** Workers to start (>= 1). */
  workers: number;
  /** How long they search, in ms, from the start line. */
  durationMs: number;
  /** Where each worker's scratch comes from (default `pool`: its own getLocalPool scratch). */
  source?: ScratchSource;
  /** Short lines per pass (default 100, with every pattern: 1,500 searches a pass). */
  lines?: number;
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

/** Message a workload worker posts: first `{ ready: true }`, then its result. */
export interface WorkerReport {
  searches: number;
  elapsedNs: number;
  /** Matches in its last pass: the same in every worker, or a worker searched something else. */
  matches: number;
}

/** Runs the workload in `workers` workers for `durationMs` and reports the throughput. */
export async function runWorkloadWorkers(options: WorkloadWorkersOptions): Promise<WorkloadWorkersResult> {
  const { workers, durationMs } = options;
  const source = options.source ?? 'pool';
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`runWorkloadWorkers: option \`workers\` must be an integer >= 1, received ${String(workers)}`);
  if (!(durationMs > 0)) throw new RangeError(`runWorkloadWorkers: option \`durationMs\` must be > 0, received ${String(durationMs)}`);
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.LENGTH * 4));
  const url = new URL('./workload-worker.js', import.meta.url);
  const started = Array.from({ length: workers }, () => new Worker(url, { workerData: { control, source, lines: options.lines } }));
  try {
    // Each worker posts `{ ready: true }` once warmed up (then parks on GO), later its report. A
    // worker that fails (bad corpus, a validation error) rejects both, so nothing waits forever.
    const ready: Promise<void>[] = [];
    const reports = started.map((w) => {
      let onReady!: () => void;
      let onFail!: (e: unknown) => void;
      ready.push(new Promise<void>((resolve, reject) => ((onReady = resolve), (onFail = reject))));
      return new Promise<WorkerReport>((resolve, reject) => {
        const fail = (e: unknown) => (onFail(e), reject(e));
        w.on('message', (m: WorkerReport | { ready: true }) => ('ready' in m ? onReady() : resolve(m)));
        w.once('error', fail);
        w.once('exit', (code) => fail(new Error(`workload worker exited with code ${code} before reporting`)));
      });
    });
    for (const r of reports) r.catch(() => {}); // surfaced through `ready` or `Promise.all` below
    await Promise.all(ready);
    // INVARIANT: GO goes 0 -> 1 once; every worker waits on it with expected value 0.
    Atomics.store(control, CONTROL.GO, 1);
    // INVARIANT: after the store: a parked worker wakes to GO = 1, one not yet parked loads 1 and never waits.
    Atomics.notify(control, CONTROL.GO);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    // INVARIANT: STOP goes 0 -> 1 once; workers only read it.
    Atomics.store(control, CONTROL.STOP, 1);
    const done = await Promise.all(reports);
    const perWorker = done.map((r) => (r.searches * 1e9) / r.elapsedNs);
    if (new Set(done.map((r) => r.matches)).size !== 1) throw new Error('runWorkloadWorkers: workers disagree on the match count');
    return {
      workers,
      source,
      durationMs,
      searches: done.reduce((s, r) => s + r.searches, 0),
      searchesPerSecond: perWorker.reduce((s, x) => s + x, 0),
      perWorker,
    };
  } finally {
    await Promise.all(started.map((w) => w.terminate()));
  }
}
