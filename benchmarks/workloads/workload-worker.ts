/**
 * One worker of `runWorkloadWorkers`: validates and warms up its own workload, parks on the start
 * line, searches until the stop flag, and reports its searches and its own elapsed time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ScratchSource } from './regex/regex.js';
import { CONTROL, type WorkerReport } from './workers.js';
import { Workload } from './workload.js';

const { control, source, lines } = workerData as { control: Int32Array; source: ScratchSource; lines: number | undefined };

const workload = new Workload(source, lines === undefined ? {} : { lines });
workload.validate();
for (let i = 0; i < 10; i++) workload.pass();
parentPort!.postMessage({ ready: true });

// INVARIANT: GO is 0 until the main thread stores 1 and notifies; waiting on 0 cannot miss it.
while (Atomics.load(control, CONTROL.GO) === 0) Atomics.wait(control, CONTROL.GO, 0);

const t0 = process.hrtime.bigint();
let searches = 0;
// INVARIANT: STOP is written once by the main thread; a pass (~1,500 searches) between checks.
while (Atomics.load(control, CONTROL.STOP) === 0) {
  workload.pass();
  searches += workload.searches;
}
const report: WorkerReport = { searches, elapsedNs: Number(process.hrtime.bigint() - t0), matches: workload.matches };
parentPort!.postMessage(report);
