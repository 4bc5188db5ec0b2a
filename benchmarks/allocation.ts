/**
 * What a case costs the collector, per 1M iterations: garbage collections, their time, and bytes
 * allocated. `--module` prints these beside each case's ns/iter.
 *
 * Collections come from `v8.GCProfiler` (why not perf_hooks: see GcMeter in workloads/workload.ts).
 * Bytes are V8 heap bytes, measured: the growth of `usedHeapSize` over the window plus what every
 * collection in it freed (its before minus its after), which counts short-lived garbage the
 * window's end no longer holds. Backing stores of typed arrays longer than 64 bytes live outside
 * the heap, and V8 frees them on a background task after the collection, so heap statistics miss
 * them: the caller adds them as `offHeapBytes()`, the byteLength of every such array its case made.
 *
 * The window runs the case's `fn` (a batch per call) for about `budgetMs`, up to 1M iterations, and
 * scales to 1M. It includes nothing of benny: it runs after timing, in the case's own process.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

export interface AllocationOptions {
  /** Iterations performed by one call of `fn`. */
  readonly batch: number;
  /** How long to run `fn` for, about; at least one call. */
  readonly budgetMs: number;
  /** Off-heap bytes the case has allocated so far (a counter the case keeps); read before and after. */
  readonly offHeapBytes?: () => number;
}

export interface AllocationPer1M {
  /** Iterations the window ran. */
  readonly iterations: number;
  readonly gcPer1M: number;
  readonly gcMsPer1M: number;
  readonly bytesPer1M: number;
}

interface GcStatistics {
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

/** Most iterations a window runs: the figures are per 1M, so more says nothing new. */
const MAX_ITERATIONS = 1_000_000;

/** Runs `fn` for the window and returns collections, their ms and bytes allocated, per 1M iterations. */
export function measureAllocation(fn: () => void, options: AllocationOptions): AllocationPer1M {
  const { batch, budgetMs } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`measureAllocation: batch must be a positive integer, received ${batch}`);
  const offHeap = options.offHeapBytes ?? (() => 0);
  const profiler = new GCProfiler();
  const offHeap0 = offHeap();
  const used0 = getHeapStatistics().used_heap_size;
  profiler.start();
  const end = performance.now() + budgetMs;
  let iterations = 0;
  do {
    fn();
    iterations += batch;
  } while (iterations < MAX_ITERATIONS && performance.now() < end);
  const stats = (profiler.stop() as { statistics: GcStatistics[] } | undefined)?.statistics ?? [];
  const used1 = getHeapStatistics().used_heap_size;
  let freed = 0;
  let gcMs = 0;
  for (const gc of stats) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    gcMs += gc.cost / 1000; // `cost` is in microseconds
  }
  const bytes = Math.max(0, used1 - used0 + freed) + (offHeap() - offHeap0);
  const scale = 1e6 / iterations;
  return { iterations, gcPer1M: stats.length * scale, gcMsPer1M: gcMs * scale, bytesPer1M: bytes * scale };
}
