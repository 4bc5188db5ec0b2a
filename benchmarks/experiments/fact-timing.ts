/**
 * What every fact measurement shares: the Measure shape facts.ts runs, and `nsPerIteration`, which
 * warms a measurement's own loop up, times it SAMPLES times, and divides. It only calls the
 * measurement's `run(n)`; the loops themselves are written out in each measurement (see
 * fact-measures-local.ts). Each run returns what it XORed together, kept in `sink`, so the optimiser
 * cannot drop the work. A measurement that finds its structure broken afterwards throws (`check`).
 */

export interface Measure {
  /** The fact id benchmarks/README.md cites. */
  id: string;
  /** Which figure of the fact, when it has several. */
  variant: string;
  unit: string;
  /** ns per unit. */
  run(): number | Promise<number>;
}

/** Timed samples in one process (the median is kept); facts.ts takes the median over processes. */
const SAMPLES = 3;

let sink = 0;

export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`fact measurement broken: ${what}`);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Warms `run` up on n/4 iterations, then times SAMPLES runs of n: median ns per iteration. */
export function nsPerIteration(run: (n: number) => number, n: number): number {
  sink ^= run(Math.max(1, n >> 2));
  const xs: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const t0 = process.hrtime.bigint();
    sink ^= run(n);
    xs.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return median(xs);
}

/** Read by facts.ts after a run, so `sink` is never dead to the optimiser. */
export function sinkValue(): number {
  return sink;
}
