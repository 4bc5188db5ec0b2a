/**
 * One worker of fact `spin-mutex-2-workers` (facts.ts), on the worker harness (../harness-worker.ts):
 * attaches to the run's spin mutex stack and, until STOP, takes indices off it and puts them back,
 * one per lock (`batch` 1) or MUTEX_BATCH per lock. One harness operation is one index taken and
 * put back, so ns per operation per thread compares with the single-threaded facts.
 */
import { harnessData, timedLoop } from '../harness-worker.js';
import { MUTEX_BATCH, SpinMutexStack } from '../structures/bare-free-lists.js';

export interface SpinMutexJob {
  sab: SharedArrayBuffer;
  capacity: number;
  /** Indices moved per lock: 1 or MUTEX_BATCH. */
  batch: number;
}

/**
 * Operations between two reads of STOP, a multiple of MUTEX_BATCH: one Atomics.load per 1,024
 * operations (fact `atomics-op`) is < 1 % of even the batched figure.
 */
const CHUNK = 1024;
/** Operations before the barrier: enough for the loop to be optimised. */
const WARMUP = 64 * CHUNK;

const job = harnessData<SpinMutexJob>().data;
const stack = new SpinMutexStack(job.capacity, job.sab);
const held = new Int32Array(MUTEX_BATCH);
let sink = 0;

function unbatched(n: number): void {
  for (let i = 0; i < n; i++) {
    const index = stack.pop();
    sink ^= index;
    stack.push(index);
  }
}

function batched(n: number): void {
  for (let done = 0; done < n; done += MUTEX_BATCH) {
    const k = stack.popBatch(held, MUTEX_BATCH);
    sink ^= held[0]!;
    stack.pushBatch(held, k);
  }
}

timedLoop(job.batch === 1 ? unbatched : batched, { chunk: CHUNK, warmup: WARMUP, extra: () => ({ sink }) });
