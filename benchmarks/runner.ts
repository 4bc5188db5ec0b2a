/**
 * Times one BenchCase with benny (benchmark.js underneath) and converts benny's figures to ns/iter.
 *
 * Each case runs as its own benny suite, right after its own `validate()`: a case is never timed
 * unless it has just proved it does its work, its line is printed as soon as it is done, and its
 * `teardown()` runs before the next case starts allocating.
 *
 * benchmark.js calls the test function as `bench.fn()` (it inlines the source only for functions
 * with their own `toString` or with setup/teardown, neither of which benny gives it), so the case's
 * `fn` keeps its closure. Its "Running suite" line goes to stderr: stdout is the report.
 */
import { add, configure, suite } from 'benny';
import type { CaseResult, Summary } from 'benny/lib/internal/common-types.js';
import type { BenchCase } from './case.js';

/**
 * From benny's figures for one case to ns per iteration: benny's `ops` counts calls of the case's
 * `fn`, each of which loops `batch` iterations; `margin` is benny's relative margin of error in percent
 * (95 % confidence). Returns ns/iter and the +/- in ns.
 */
export function nsPerIter(opsPerSec: number, marginPct: number, batch: number): { ns: number; plusMinus: number } {
  if (!(opsPerSec > 0) || !Number.isFinite(opsPerSec)) {
    throw new RangeError(`benny reported ${opsPerSec} ops/s: the case did not run`);
  }
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer, received ${batch}`);
  const ns = 1e9 / opsPerSec / batch;
  return { ns, plusMinus: (ns * Math.max(0, marginPct)) / 100 };
}

export interface Timing {
  /** benchmark.js options: seconds, samples. */
  minTime: number;
  maxTime: number;
  minSamples: number;
}

/** Full run: 2 s a case at most is enough for a stable median on a quiet machine, 10+ samples for the margin. */
export const FULL_TIMING: Timing = { minTime: 0.05, maxTime: 2, minSamples: 10 };
/** --quick: a smoke test, ~0.1 s a case; the numbers are rough. */
export const QUICK_TIMING: Timing = { minTime: 0.01, maxTime: 0.05, minSamples: 5 };

export interface CaseResultNs {
  name: string;
  group: string;
  batch: number;
  /** ns per iteration (one get+put, one allocation, one search...). */
  ns: number;
  /** benny's 95 % margin of error, in ns. */
  plusMinus: number;
  /** benny's relative margin of error, percent. */
  marginPct: number;
  /** Iterations per second (benny's ops/s times the batch). */
  iterPerSec: number;
  /** benny's ops/s: calls of `fn` per second. */
  callsPerSec: number;
  samples: number;
  extra?: Record<string, number | string>;
}

/**
 * benny rejects with whatever benchmark.js emitted: an Error, or (when `fn` throws in benchmark.js's
 * first cycle) its `error` Event, with the Error at `event.target.error`. Always give back an Error.
 */
function benchmarkError(name: string, err: unknown): Error {
  if (err instanceof Error) return err;
  const inner = (err as { target?: { error?: unknown } } | null)?.target?.error;
  if (inner instanceof Error) return inner;
  return new Error(`${name}: benny failed: ${String(inner ?? err)}`);
}

/** Validates, times, tears down. Throws (with the case name) if validation fails or benny ran nothing. */
export async function runCase(c: BenchCase, timing: Timing): Promise<CaseResultNs> {
  if (!Number.isInteger(c.batch) || c.batch < 1) {
    throw new Error(`${c.name}: batch must be a positive integer, received ${String(c.batch)}`);
  }
  try {
    await c.validate();
    // A sync case's wrapper returns nothing; an async case's returns its promise, which benny sees
    // and times as a deferred benchmark (each call ends when the promise settles). benny calls an
    // async function twice to learn that, before timing and without awaiting the first call.
    const fn = () => c.fn();
    let summary: Summary;
    const log = console.log;
    // benny announces each suite on stdout; stdout is the report.
    console.log = () => undefined;
    try {
      // minDisplayPrecision: benny rounds ops/s to this many decimals; slow cases (a few calls a
      // second) would otherwise lose digits before the division by the batch.
      summary = await suite(c.name, configure({ minDisplayPrecision: 6 }), add(c.name, fn, timing));
    } catch (err) {
      throw benchmarkError(c.name, err);
    } finally {
      console.log = log;
    }
    const r: CaseResult | undefined = summary.results[0];
    if (r === undefined || r.samples === 0) throw new Error(`${c.name}: benny produced no samples`);
    const { ns, plusMinus } = nsPerIter(r.ops, r.margin, c.batch);
    const out: CaseResultNs = {
      name: c.name,
      group: c.group,
      batch: c.batch,
      ns,
      plusMinus,
      marginPct: r.margin,
      iterPerSec: r.ops * c.batch,
      callsPerSec: r.ops,
      samples: r.samples,
    };
    if (c.extra) out.extra = c.extra();
    return out;
  } finally {
    // Whatever happened, the case gives back what it holds before the next one starts.
    c.teardown?.();
  }
}
