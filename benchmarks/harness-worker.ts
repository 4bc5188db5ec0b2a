/**
 * The worker side of the harness (benchmarks/harness.ts): a worker script calls `timedLoop` once.
 *
 *     import { harnessData, timedLoop } from '../harness-worker.js';
 *     const { data } = harnessData<MyData>();
 *     timedLoop((n) => { for (let i = 0; i < n; i++) work(); }, { chunk: 1024, warmup: 50_000 });
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CTRL, type HarnessData, type WorkerResult } from './harness.js';

/** This worker's `workerData`, typed. */
export function harnessData<D>(): HarnessData<D> {
  return workerData as HarnessData<D>;
}

export interface TimedLoopOptions {
  /** Operations per call of `step` between two reads of STOP. */
  chunk: number;
  /** Operations run before the barrier, so the timed part starts with optimised code. */
  warmup: number;
  /** Read after the loop, posted with the report. */
  extra?: () => Record<string, number>;
}

/** Warm up, meet the others at the barrier, run `step(chunk)` until STOP, post the report. */
export function timedLoop(step: (n: number) => void, opts: TimedLoopOptions): WorkerResult {
  const ctrl = new Int32Array(harnessData<unknown>().ctrl);
  for (let done = 0; done < opts.warmup; done += opts.chunk) step(Math.min(opts.chunk, opts.warmup - done));
  // INVARIANT: READY counts workers that finished warming up; the main thread waits for all of them.
  Atomics.add(ctrl, CTRL.READY, 1);
  Atomics.notify(ctrl, CTRL.READY);
  // INVARIANT: GO goes 0 -> 1 once; a worker sleeps here until it does ('not-equal' if it already
  // has), so all workers start the timed part within one wake-up of each other.
  Atomics.wait(ctrl, CTRL.GO, 0);
  const t0 = process.hrtime.bigint();
  let ops = 0;
  // INVARIANT: STOP goes 0 -> 1 once, after the round's duration; one load per chunk. At least one
  // chunk runs, so a worker the OS did not schedule until STOP still reports a rate, not 0/0.
  do {
    step(opts.chunk);
    ops += opts.chunk;
  } while (Atomics.load(ctrl, CTRL.STOP) === 0);
  const result: WorkerResult = { ops, ns: Number(process.hrtime.bigint() - t0), extra: opts.extra?.() ?? {} };
  parentPort!.postMessage(result);
  return result;
}
