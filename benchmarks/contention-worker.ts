/**
 * One worker of the contention table (benchmarks/contention.ts), on the harness (harness-worker.ts):
 * attach to the run's SharedPool (or create its own), then acquire+release pairs until STOP.
 */
import { harnessData, timedLoop } from './harness-worker.js';
import { BURST, WARMUP_PAIRS, type ContentionJob, type SharedPoolLike, type SharedPoolModule } from './contention.js';

/**
 * Pairs between two looks at STOP, a multiple of BURST: one Atomics.load (~15 ns, benchmarks/README.md,
 * fact `atomics-op`) per 1,024 pairs is < 1 % of even the cheapest pair (~4 ns through the cache).
 */
const CHUNK = 1024;

const job = harnessData<ContentionJob>().data;
const { SharedPool } = (await import(job.poolModule)) as SharedPoolModule;
if (SharedPool === undefined) throw new Error(`contention worker: ${job.poolModule} exports no SharedPool`);

const pool: SharedPoolLike =
  job.handle !== undefined
    ? SharedPool.attach(job.handle, job.cache === undefined ? {} : { cache: job.cache })
    : SharedPool.create({
        blockSize: job.blockSize,
        blocks: job.blocks,
        strategy: job.strategy,
        ...(job.cache === undefined ? {} : { cache: job.cache }),
      });

let touched = 0;
const held: Array<ReturnType<SharedPoolLike['acquire']>> = [];

function pairs(n: number): void {
  for (let i = 0; i < n; i++) {
    const b = pool.acquire();
    // Touch the block, as a user would: the pair must hand out real memory.
    touched ^= b.bytes[0]! ^ b.index;
    pool.release(b);
  }
}

function bursts(n: number): void {
  for (let done = 0; done < n; done += BURST) {
    const k = Math.min(BURST, n - done);
    for (let i = 0; i < k; i++) {
      const b = pool.acquire();
      touched ^= b.bytes[0]! ^ b.index;
      held[i] = b;
    }
    for (let i = 0; i < k; i++) pool.release(held[i]!);
  }
}

timedLoop(job.pattern === 'burst' ? bursts : pairs,
  {
    chunk: CHUNK,
    warmup: WARMUP_PAIRS,
    extra: () => {
      const s = pool.stats;
      pool.close();
      return { retries: s.retries ?? 0, waits: s.waits ?? 0, touched };
    },
  },
);
