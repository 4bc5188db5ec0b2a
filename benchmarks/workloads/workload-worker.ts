/**
 * One worker of `runWorkloadWorkers` (workers.ts), on the harness (../harness-worker.ts): builds and
 * validates its own workload, then searches in chunks of one pass until the stop flag. Operations
 * are searches; the matches of its last pass go out with the report.
 */
import { harnessData, timedLoop } from '../harness-worker.js';
import type { WorkloadJob } from './workers.js';
import { Workload } from './workload.js';

/** Passes run before the barrier: enough for the engine's hot functions to be optimised. */
const WARMUP_PASSES = 10;

const { source, lines } = harnessData<WorkloadJob>().data;
const workload = new Workload(source, lines === undefined ? {} : { lines });
workload.validate();
const perPass = workload.searches;

timedLoop(
  (n) => {
    // n is always a whole number of passes: the chunk and the warm-up are multiples of a pass.
    for (let done = 0; done < n; done += perPass) workload.pass();
  },
  { chunk: perPass, warmup: WARMUP_PASSES * perPass, extra: () => ({ matches: workload.matches }) },
);
