/**
 * The worker harness: N `worker_threads` run a loop for a fixed time, started together by an
 * Atomics barrier and stopped by a shared flag. benny times only in-process code; whatever runs
 * across workers (the SharedPool contention table, the workload's searches per second, fact
 * `spin-mutex-2-workers` of benchmarks/README.md) runs here, and its report says so.
 *
 * The main side (`runWorkers`) spawns the workers with `{ ctrl, data }` as workerData; the worker side
 * (`timedLoop` in harness-worker.ts) warms up, counts itself in at READY, blocks until GO, runs
 * chunks until STOP, and posts `{ ops, ns, extra }`. Each worker measures its own elapsed time, from
 * the barrier to the chunk that saw STOP, so a slow start-up never counts against the loop.
 */
import { Worker } from 'node:worker_threads';

/** Indices into the control Int32Array shared with every worker of a run. */
export const CTRL = {
  /** Workers that are warmed up and waiting at the barrier. */
  READY: 0,
  /** 0 until the main thread opens the barrier, then 1. */
  GO: 1,
  /** 0 until the run's time is up, then 1. */
  STOP: 2,
  /**
   * Int32 slots in the control buffer. One cache line per word would be tidier, but each is written
   * twice a run (and STOP read once a chunk), so false sharing between them costs nothing measurable.
   */
  LENGTH: 4,
} as const;

/** What a worker's script receives as `workerData`. */
export interface HarnessData<D> {
  ctrl: SharedArrayBuffer;
  data: D;
}

/** What one worker reports. */
export interface WorkerResult {
  /** Operations done in the timed part (a multiple of the chunk size). */
  ops: number;
  /** The worker's own elapsed ns from the barrier to the end of its last chunk. */
  ns: number;
  /** Whatever else the worker script reports (counters, a checksum). */
  extra: Record<string, number>;
}

/** How long to wait for workers to start and warm up before calling the run broken. */
const READY_TIMEOUT_MS = 60_000;

export interface RunWorkersOptions<D> {
  /** The worker script (compiled JS), which calls `timedLoop`. */
  script: URL;
  workers: number;
  durationMs: number;
  /** Passed to every worker as `workerData.data`; must be structured-cloneable. */
  data: D;
}

/** Runs one timed round on `workers` workers; resolves with each worker's report, in spawn order. */
export async function runWorkers<D>(opts: RunWorkersOptions<D>): Promise<WorkerResult[]> {
  if (!Number.isInteger(opts.workers) || opts.workers < 1) {
    throw new RangeError(`runWorkers: option \`workers\` must be an integer >= 1, received ${String(opts.workers)}`);
  }
  if (!(opts.durationMs > 0)) throw new RangeError(`runWorkers: option \`durationMs\` must be > 0, received ${String(opts.durationMs)}`);
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.LENGTH * 4));
  const workerData: HarnessData<D> = { ctrl: ctrl.buffer as SharedArrayBuffer, data: opts.data };
  const workers: Worker[] = [];
  const reports: Promise<WorkerResult>[] = [];
  for (let i = 0; i < opts.workers; i++) {
    const w = new Worker(opts.script, { workerData });
    workers.push(w);
    reports.push(
      new Promise<WorkerResult>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`harness worker exited with code ${code} before reporting`)));
      }),
    );
  }
  // Marks every report handled: a round that fails early must not leave unhandled rejections behind
  // (Promise.all below still sees them).
  for (const p of reports) p.catch(() => undefined);
  // A worker that dies before the barrier must not leave us waiting for it.
  const failed = Promise.race(reports).then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      // INVARIANT: READY only grows (each worker adds 1 once, then notifies); wait without blocking
      // the event loop, which delivers worker errors, until every worker has counted itself in.
      const ready = Atomics.load(ctrl, CTRL.READY);
      if (ready >= opts.workers) break;
      if (Date.now() > deadline) throw new Error(`harness: only ${ready} of ${opts.workers} workers reached the barrier`);
      const r = Atomics.waitAsync(ctrl, CTRL.READY, ready, 1000);
      const early = await Promise.race([r.async ? r.value : Promise.resolve(r.value), failed]);
      if (early instanceof Error) throw early;
    }
    // INVARIANT: every worker waits while GO == 0; one store and one notify release them together.
    Atomics.store(ctrl, CTRL.GO, 1);
    Atomics.notify(ctrl, CTRL.GO);
    await new Promise((r) => setTimeout(r, opts.durationMs));
    // INVARIANT: workers read STOP between chunks; once it is 1 they finish the chunk and report.
    Atomics.store(ctrl, CTRL.STOP, 1);
    return await Promise.all(reports);
  } finally {
    // Whatever happened, release anyone still at the barrier or in the loop, then make sure they go.
    Atomics.store(ctrl, CTRL.GO, 1);
    Atomics.store(ctrl, CTRL.STOP, 1);
    Atomics.notify(ctrl, CTRL.GO);
    await Promise.allSettled(workers.map((w) => w.terminate()));
  }
}
