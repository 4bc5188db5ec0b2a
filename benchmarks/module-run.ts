/**
 * The `--module` run: the header, what the module's `create()` makes, its cases (module-cases.ts)
 * in cargo lines with the ratio column and the collector's columns, one verdict line, libtest's
 * closing line; then `--json` and `--chart` as in a full run. No worker tables: the question is
 * about one object in one isolate.
 *
 * The verdict compares the fastest pooled case with allocating one per iteration. Pooling pays when
 * the pooled round trip is faster by more than both cases' error margins and takes at most
 * PAYS_BELOW of the allocation's time; otherwise it does not, and the line says whether allocation
 * was clearly faster (beyond both margins) or the two were too close to tell.
 */
import { failedLine, formatNs, padFor } from './cargo-line.js';
import { writeChart } from './chart.js';
import { timeCaseInChild } from './child-process.js';
import type { CliOptions } from './args.js';
import { describeObject, loadUserModule, moduleCases, ModuleError } from './module-cases.js';
import { caseEntry, caseLine, errorText, headerLines, newReport, runningLine, summaryLine, writeJsonReport, type MachineInfo } from './report.js';
import { FULL_TIMING, QUICK_TIMING, runCase, type CaseResultNs } from './runner.js';

/** A pooled round trip must take at most this share of an allocation's time to count as paying. */
export const PAYS_BELOW = 0.9;

const LABEL: Readonly<Record<string, string>> = { module_pool: 'LocalPool', module_buffer: 'BufferPool' };

/** A case's GC events per 1M iterations, or undefined when it has none (no allocation columns). */
function gcPer1M(r: CaseResultNs): number | undefined {
  const gc = r.extra?.['gc_per_1M'];
  return typeof gc === 'number' ? gc : undefined;
}

/** A case's MB allocated per 1M iterations, for the verdict's sentence. */
function mbPer1M(r: CaseResultNs): string {
  const bytes = r.extra?.['alloc_bytes_per_1M'];
  return typeof bytes === 'number' ? `${(bytes / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB` : '? MB';
}

function events(n: number): string {
  return `${n} GC event${n === 1 ? '' : 's'}`;
}

export interface Verdict {
  readonly pays: boolean;
  /** The fastest pooled case's ns over the allocation's. */
  readonly ratio: number;
  readonly line: string;
}

/** The verdict for `alloc` (module_alloc) against the pooled cases (at least one). */
export function verdict(alloc: CaseResultNs, pooled: readonly CaseResultNs[]): Verdict {
  if (pooled.length === 0) throw new RangeError('verdict: no pooled case to compare');
  const best = pooled.reduce((a, b) => (b.ns < a.ns ? b : a));
  const label = LABEL[best.name] ?? best.name;
  const ratio = best.ns / alloc.ns;
  const clear = best.ns + best.plusMinus < alloc.ns - alloc.plusMinus;
  const a = `${formatNs(alloc.ns)} ns`;
  const b = `${formatNs(best.ns)} ns`;
  const gcA = gcPer1M(alloc);
  const gcB = gcPer1M(best);
  const gc = gcA === undefined ? '' : `${events(gcA)} and ${mbPer1M(alloc)} allocated per 1M iterations`;
  if (clear && ratio <= PAYS_BELOW) {
    const saved = gcA === undefined || gcB === undefined ? '' : `, and ${events(gcB)} per 1M iterations instead of ${gcA} (allocating: ${mbPer1M(alloc)})`;
    return {
      pays: true,
      ratio,
      line: `verdict: pooling pays for this object: a ${label} round trip is ${(1 / ratio).toFixed(1)}x faster than allocating one (${b} against ${a}, ratio ${ratio.toPrecision(2)})${saved}`,
    };
  }
  const allocClearlyFaster = alloc.ns + alloc.plusMinus < best.ns - best.plusMinus;
  const why = allocClearlyFaster
    ? `allocating one (${a}) is ${ratio.toFixed(1)}x faster than a ${label} round trip (${b}, ratio ${ratio.toPrecision(2)}): it is cheap to make and its garbage dies young${gc === '' ? '' : ` (${gc})`}`
    : `a ${label} round trip (${b}, ratio ${ratio.toPrecision(2)}) is not clearly faster than allocating one (${a}): the difference is within this run's noise or under ${Math.round((1 - PAYS_BELOW) * 100)}%`;
  return { pays: false, ratio, line: `verdict: pooling does not pay for this object: ${why}` };
}

/** Runs `--module`; resolves with the exit status (2 for a module that cannot be measured). */
export async function runModule(opts: CliOptions & { module: string }, machine: MachineInfo, workers: number): Promise<number> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  let user;
  try {
    user = await loadUserModule(opts.module);
  } catch (err) {
    if (!(err instanceof ModuleError)) throw err;
    process.stderr.write(`isopool-bench: error: ${err.message}\n`);
    return 2;
  }
  const cases = moduleCases(user, opts.quick);
  const report = newReport(machine, opts.quick);
  report.module = { file: user.file, object: describeObject(user.sample), reset: user.reset !== undefined };
  for (const line of headerLines(machine, opts.quick, 'module_alloc')) out(line);
  out(`module: ${user.file}: create() makes ${describeObject(user.sample)}; reset: ${user.reset ? 'yes' : 'no'}`);
  out();
  out(runningLine(cases.length));
  const pad = padFor(cases.map((c) => c.name));
  const timing = opts.quick ? QUICK_TIMING : FULL_TIMING;
  const timed: CaseResultNs[] = [];
  for (const c of cases) {
    try {
      const r = opts.inProcess ? await runCase(c, timing) : await timeCaseInChild(c.name, opts.quick, workers, user.file);
      timed.push(r);
      const reference = timed.find((t) => t.name === 'module_alloc')?.ns;
      out(caseLine(r, reference, pad));
      report.cases.push(caseEntry(r, reference));
    } catch (err) {
      report.failed.push({ name: c.name, error: errorText(err) });
      out(failedLine(c.name, errorText(err), pad));
    }
  }
  const alloc = timed.find((r) => r.name === 'module_alloc');
  const pooled = timed.filter((r) => r.name !== 'module_alloc');
  out();
  if (alloc !== undefined && pooled.length > 0) {
    const v = verdict(alloc, pooled);
    out(v.line);
    report.verdict = { pays: v.pays, ratio: v.ratio, line: v.line };
  } else {
    out('verdict: none: a case failed (see its line)');
  }
  report.ok = report.failed.length === 0;
  out(summaryLine(report.ok, report.failed.length, timed.length, 0));
  if (opts.json !== undefined) writeJsonReport(opts.json, report);
  if (opts.chart !== undefined && report.cases.length > 0) writeChart(opts.chart, report.cases, machine, `isopool-bench --module ${opts.module}`);
  return report.ok ? 0 : 1;
}
