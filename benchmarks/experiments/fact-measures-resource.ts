/**
 * Fact measurements behind ResourcePool's idle path (benchmarks/README.md, Facts): what a clock read
 * costs (the reaper exists so that `release` reads none: src/resource/reaper.ts) and what one `await`
 * costs (the floor of any async acquire, and the unit the idle path is priced in). Every loop is
 * written out in its own measurement, as in fact-measures-local.ts.
 */
import { check, median, nsPerIteration, type Measure } from './fact-timing.js';

/** Timed samples of the async loop in one process; facts.ts takes the median over processes. */
const AWAIT_SAMPLES = 3;

/** The measurements, in the order facts.ts prints them. */
export const RESOURCE_MEASURES: readonly Measure[] = [
  { id: 'clock-read', variant: 'performance.now()', unit: 'ns/read', run: () => nsPerIteration((n) => {
    let x = 0;
    for (let i = 0; i < n; i++) x ^= performance.now();
    return x;
  }, 5_000_000) },
  { id: 'clock-read', variant: 'Date.now()', unit: 'ns/read', run: () => nsPerIteration((n) => {
    let x = 0;
    for (let i = 0; i < n; i++) x ^= Date.now();
    return x;
  }, 5_000_000) },
  { id: 'await-tick', variant: '', unit: 'ns/await', async run() {
    const value = { v: 1 };
    const loop = async (n: number): Promise<number> => {
      let x = 0;
      for (let i = 0; i < n; i++) x ^= (await value).v;
      return x;
    };
    const n = 1_000_000;
    check((await loop(n >> 2)) === 0, 'an even count of XORs of 1 is 0');
    const xs: number[] = [];
    for (let s = 0; s < AWAIT_SAMPLES; s++) {
      const t0 = process.hrtime.bigint();
      await loop(n);
      xs.push(Number(process.hrtime.bigint() - t0) / n);
    }
    return median(xs);
  } },
];
