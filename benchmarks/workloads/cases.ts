/**
 * The `workload_*` benchmark cases: ns per regex search with the search scratch from each source.
 *
 * - `workload_alloc`: eight fresh typed arrays per search (no pool).
 * - `workload_pool`: one scratch object from this isolate's `getLocalPool` pool.
 * - `workload_buffer`: the eight arrays rented from `getLocalBufferPool` pools.
 *
 * One call of `fn` is one pass of the workload (every pattern over the same 100 short corpus lines:
 * 1,500 searches), so ns/iter = ns per search. `extra()` reports the garbage collections seen while
 * the case ran, per million searches: their count and total duration (see `GcMeter` for why these
 * come from `v8.GCProfiler` rather than perf_hooks `gc` entries, which it matches in count).
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

/**
 * The case whose GC meter is running. Only one runs at a time, switched in `fn()` when another case
 * starts calling: so a CLI that validates every case first and reads `extra()` at the very end still
 * charges each collection to the case that was running (and the harness's own collections between
 * two cases to the earlier one).
 */
let running: { meter: GcMeter } | undefined;

function workloadCase(source: ScratchSource, options: WorkloadOptions): BenchCase {
  const workload = new Workload(source, options);
  const self = { meter: new GcMeter() };
  let passes = 0;
  const pause = () => {
    if (running === self) {
      self.meter.stop();
      running = undefined;
    }
  };
  return {
    name: `workload_${source}`,
    group: 'workload',
    batch: workload.searches,
    fn() {
      if (running !== self) {
        running?.meter.stop();
        running = self;
        self.meter.start();
      }
      workload.pass();
      passes++;
    },
    validate() {
      pause();
      workload.validate();
      passes = 0;
      self.meter.reset();
    },
    teardown: pause,
    extra() {
      // Synchronous: safe to call from benny's `complete` callback.
      pause();
      const millions = (passes * workload.searches) / 1e6;
      return {
        searches: passes * workload.searches,
        gc_per_1M: millions > 0 ? round(self.meter.events / millions) : 0,
        gc_ms_per_1M: millions > 0 ? round(self.meter.ms / millions) : 0,
      };
    },
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
