/**
 * Standalone check of the workload targets (issue 5), side by side in one run:
 *   npm run build && node benchmarks/build/workloads/measure.js [--rounds N] [--passes N] [--workers N]
 *
 * Each round times every scratch source in turn (round-robin, so drift on a shared machine hits all
 * of them alike) over `passes` passes of the workload (1,500 searches each), counting garbage
 * collections (GcMeter: v8.GCProfiler, cross-checked against perf_hooks `gc` entries) during each
 * source's interval. Prints the median ns per
 * search, GC events and GC ms per million searches, and the target ratios:
 *   pooled (LocalPool) >= 1.5x faster than alloc; >= 10x fewer GC events; BufferPool within 1.2x of pooled.
 * With `--workers N`, also searches/second for 1..N workers, each with its own getLocalPool scratch.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { SCRATCH_SOURCES, type ScratchSource } from './regex/regex.js';
import { GcMeter, Workload } from './workload.js';
import { runWorkloadWorkers } from './workers.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const rounds = arg('rounds', 5);
const passes = arg('passes', 200);
const maxWorkers = arg('workers', 0);

interface Sample {
  ns: number;
  gcEvents: number;
  gcMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

const workloads = new Map<ScratchSource, Workload>(SCRATCH_SOURCES.map((s) => [s, new Workload(s)]));
for (const w of workloads.values()) {
  w.validate();
  for (let i = 0; i < 20; i++) w.pass(); // warm-up: optimise before timing
}

const samples = new Map<ScratchSource, Sample[]>(SCRATCH_SOURCES.map((s) => [s, []]));
const gc = new GcMeter();
// Cross-check: perf_hooks `gc` entries over the whole run (delivered once the event loop turns).
let hookEvents = 0;
let meterEvents = 0;
const hooks = new PerformanceObserver((list) => void (hookEvents += list.getEntries().length));
hooks.observe({ entryTypes: ['gc'] });
for (let r = 0; r < rounds; r++) {
  for (const source of SCRATCH_SOURCES) {
    const w = workloads.get(source)!;
    gc.reset();
    gc.start();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < passes; i++) w.pass();
    const ns = Number(process.hrtime.bigint() - t0);
    gc.stop();
    meterEvents += gc.events;
    const searches = passes * w.searches;
    samples.get(source)!.push({ ns: ns / searches, gcEvents: (gc.events * 1e6) / searches, gcMs: (gc.ms * 1e6) / searches });
  }
}

// Let perf_hooks deliver its queued entries (they come through setImmediate), then compare.
for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
hooks.disconnect();

const cpu = (await import('node:os')).cpus()[0]?.model ?? 'unknown CPU';
console.log(`regex workload, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu}`);
console.log(`${rounds} rounds x ${passes} passes x ${workloads.get('pool')!.searches} searches per source; medians`);
console.log('source   ns/search  gc/1M  gc_ms/1M');
const med = new Map<ScratchSource, Sample>();
for (const source of SCRATCH_SOURCES) {
  const s = samples.get(source)!;
  const m = { ns: median(s.map((x) => x.ns)), gcEvents: median(s.map((x) => x.gcEvents)), gcMs: median(s.map((x) => x.gcMs)) };
  med.set(source, m);
  console.log(`${source.padEnd(8)} ${m.ns.toFixed(0).padStart(9)}  ${m.gcEvents.toFixed(1).padStart(5)}  ${m.gcMs.toFixed(2).padStart(8)}`);
}
console.log(`GC events over the timed run: GCProfiler ${meterEvents}, perf_hooks gc entries ${hookEvents} (the latter may include a few from between intervals)`);
const alloc = med.get('alloc')!;
const pool = med.get('pool')!;
const buffer = med.get('buffer')!;
const speedup = alloc.ns / pool.ns;
const gcRatio = pool.gcEvents === 0 ? Infinity : alloc.gcEvents / pool.gcEvents;
const bufferRatio = buffer.ns / pool.ns;
console.log(`alloc / pool time:       ${speedup.toFixed(2)}x  (target >= 1.5x) ${speedup >= 1.5 ? 'met' : 'NOT met'}`);
console.log(`alloc / pool GC events:  ${gcRatio === Infinity ? 'inf (pool: none)' : gcRatio.toFixed(1) + 'x'}  (target >= 10x) ${gcRatio >= 10 ? 'met' : 'NOT met'}`);
console.log(`buffer / pool time:      ${bufferRatio.toFixed(2)}x  (target <= 1.2x) ${bufferRatio <= 1.2 ? 'met' : 'NOT met'}`);

for (let n = 1; n <= maxWorkers; n++) {
  const r = await runWorkloadWorkers({ workers: n, durationMs: 1000, source: 'pool' });
  console.log(`${n} worker(s), pool scratch: ${Math.round(r.searchesPerSecond).toLocaleString('en-US')} searches/s (${r.perWorker.map((x) => Math.round(x).toLocaleString('en-US')).join(' + ')})`);
}
