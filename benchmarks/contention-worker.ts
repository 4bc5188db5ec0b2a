/**
 * One worker of the contention harness (benchmarks/contention.ts). Not a test file, not a benny case.
 *
 * Protocol over `ctrl` (an Int32Array on a SharedArrayBuffer, see CTRL in contention.ts):
 * attach (or create its own pool), warm up, count itself in at READY and notify, block on GO until
 * the main thread opens the barrier, then acquire+release in chunks until STOP, and post
 * `{ pairs, ns, retries, waits }` back. Its own elapsed time is measured between the barrier and
 * the chunk that saw STOP.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CTRL, WARMUP_PAIRS, type SharedPoolLike, type SharedPoolModule, type WorkerJob, type WorkerReport } from './contention.js';

/** Pairs between two looks at STOP: one Atomics.load per 1,024 pairs is < 1 % of the cheapest pair. */
const CHUNK = 1024;

const job = workerData as WorkerJob;
const ctrl = new Int32Array(job.ctrl);
const { SharedPool } = (await import(job.poolModule)) as SharedPoolModule;
if (SharedPool === undefined) throw new Error(`contention worker: ${job.poolModule} exports no SharedPool`);

const pool: SharedPoolLike =
  job.handle !== undefined
    ? SharedPool.attach(job.handle, { cache: job.cache })
    : SharedPool.create({ blockSize: job.blockSize, blocks: job.blocks, cache: job.cache, strategy: job.strategy });

let touched = 0;
function pairs(n: number): void {
  for (let i = 0; i < n; i++) {
    const b = pool.acquire();
    // Touch the block, as a user would: the pair must hand out real memory.
    touched ^= b.bytes[0]! ^ b.index;
    pool.release(b);
  }
}

pairs(WARMUP_PAIRS);

// INVARIANT: READY counts workers that finished warming up; the main thread waits for it to reach
// the worker count before it stores GO.
Atomics.add(ctrl, CTRL.READY, 1);
Atomics.notify(ctrl, CTRL.READY);
// INVARIANT: GO goes 0 -> 1 once; a worker blocks here until it does (wait returns 'not-equal' if it
// already has), so every worker starts timed work within one wake-up of the others.
Atomics.wait(ctrl, CTRL.GO, 0);

const t0 = process.hrtime.bigint();
let done = 0;
// INVARIANT: STOP goes 0 -> 1 once, after the run's duration; a worker finishes its chunk and stops.
while (Atomics.load(ctrl, CTRL.STOP) === 0) {
  pairs(CHUNK);
  done += CHUNK;
}
const ns = Number(process.hrtime.bigint() - t0);
const stats = pool.stats;
pool.close();
const report: WorkerReport = { pairs: done, ns, retries: stats.retries ?? 0, waits: stats.waits ?? 0, touched };
parentPort!.postMessage(report);
