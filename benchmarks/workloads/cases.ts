/**
 * The `workload_*` benchmark cases: ns per regex search with the search scratch from each source.
 *
 * - `workload_alloc`: eight fresh typed arrays per search (no pool).
 * - `workload_pool`: one scratch object from this isolate's `getLocalPool` pool.
 * - `workload_buffer`: the eight arrays rented from `getLocalBufferPool` pools.
 *
 * One call of `fn` is one pass of the workload (every pattern over the same 100 short corpus lines:
 * 1,500 searches), so ns/iter = ns per search. `extra()` reports the garbage collections seen while
 * the case ran (perf_hooks `gc` entries), per million searches: their count and total duration.
 */
import type { BenchCase } from '../case.js';
import { SCRATCH_SOURCES, type ScratchSource } from './regex/regex.js';
import { GcMeter, Workload, type WorkloadOptions } from './workload.js';

export interface WorkloadCaseOptions extends WorkloadOptions {
  /** Which scratch sources to include (default: all three). */
  sources?: readonly ScratchSource[];
}

/** Builds one case per scratch source. Loading the corpus and compiling happen here, not in timing. */
export function workloadCases(options: WorkloadCaseOptions = {}): BenchCase[] {
  return (options.sources ?? SCRATCH_SOURCES).map((source) => workloadCase(source, options));
}

function workloadCase(source: ScratchSource, options: WorkloadOptions): BenchCase {
  const workload = new Workload(source, options);
  const gc = new GcMeter();
  let passes = 0;
  return {
    name: `workload_${source}`,
    group: 'workload',
    batch: workload.searches,
    fn() {
      workload.pass();
      passes++;
    },
    validate() {
      workload.validate();
      // Counting starts once validation is done, right before timing.
      passes = 0;
      gc.reset();
      gc.start();
    },
    teardown() {
      gc.stop();
    },
    extra() {
      gc.stop();
      const millions = (passes * workload.searches) / 1e6;
      return {
        searches: passes * workload.searches,
        gc_per_1M: millions > 0 ? round(gc.events / millions) : 0,
        gc_ms_per_1M: millions > 0 ? round(gc.ms / millions) : 0,
      };
    },
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
