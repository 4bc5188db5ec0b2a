/**
 * The bench CLI's body (benchmarks/cli.ts is the executable shim): the report `npm run bench` prints. One line per case in `cargo bench` form (the form
 * of mempool's table), a ratio column against `tls_get_put`, then the worker contention table.
 *
 *   - benny underneath: each case loops a batch per call; ns/iter = 1e9 / (benny ops/s) / batch.
 *   - Each case is validated right before it is timed; a case that fails validation, or a suite that
 *     is not in the build, prints a FAILED line and makes the exit status 1. Nothing is skipped quietly.
 *   - Bad flags: a message and the usage on stderr, exit status 2.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus, platform, arch } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './case.js';
import { runContention, STRATEGIES, workerCounts } from './contention.js';
import { loadWorkloadWorkers, runThroughput, THROUGHPUT_NAME, throughputTable, type ThroughputRow } from './throughput.js';
import {
  cargoLine,
  cargoWidth,
  contentionTable,
  failedLine,
  formatRatio,
  headerLines,
  matches,
  padFor,
  parseArgs,
  REFERENCE_CASE,
  referenceFor,
  USAGE,
  UsageError,
  type CliOptions,
  type ContentionRow,
  type MachineInfo,
} from './format.js';
import { FULL_TIMING, QUICK_TIMING, runCase, type CaseResultNs } from './runner.js';
import { allSuites, MissingSuiteError } from './suites.js';

/** Timed part of one contention row: long enough for ~10^6 pairs at 100+ ns, short enough for 24+ rows. */
const CONTENTION_MS = 500;
/** --quick: enough to see the harness work end to end; the figures are rough. */
const CONTENTION_QUICK_MS = 100;

type ContentionResult = ContentionRow & { retries: number; waits: number };

export interface Report {
  tool: 'isopool-bench';
  version: string;
  machine: MachineInfo;
  quick: boolean;
  reference: string;
  cases: Array<{
    name: string;
    group: string;
    batch: number;
    nsPerIter: number;
    plusMinusNs: number;
    marginPct: number;
    iterPerSec: number;
    samples: number;
    ratio: number | null;
    /** The case `ratio` is taken against. */
    ratioTo: string;
    extra?: Record<string, number | string>;
  }>;
  failed: Array<{ name: string; error: string }>;
  missing: Array<{ suite: string; module: string; cases: string[] }>;
  throughput: null | {
    harness: string;
    durationMs: number;
    rows: ThroughputRow[];
  };
  contention: null | {
    harness: string;
    durationMs: number;
    maxWorkers: number;
    rows: ContentionResult[];
  };
  ok: boolean;
}

function machineInfo(): MachineInfo {
  const cpu = cpus()[0]?.model.trim() || 'unknown CPU';
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu,
    cores: availableParallelism(),
    platform: `${platform()} ${arch()}`,
    date: new Date().toISOString(),
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function writeFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** benny's own chart, fed with iterations/s (not calls/s) so cases with different batches compare. */
async function writeChart(file: string, results: CaseResultNs[], machine: MachineInfo): Promise<void> {
  const mod = (await import('benny/lib/internal/prepareFileContent.js')) as unknown as {
    default: { default?: unknown } | ((summary: unknown, opts: unknown) => string);
  };
  // CommonJS seen from ESM: `exports.default` may sit one level down.
  const d = mod.default as { default?: unknown };
  const prepare = (typeof d === 'function' ? d : d.default) as (summary: unknown, opts: unknown) => string;
  const fastest = results.reduce((best, r, i) => (r.iterPerSec > results[best]!.iterPerSec ? i : best), 0);
  const slowest = results.reduce((worst, r, i) => (r.iterPerSec < results[worst]!.iterPerSec ? i : worst), 0);
  const top = results[fastest]!.iterPerSec;
  const summary = {
    name: `isopool-bench: iterations/s (Node ${machine.node}, ${machine.cpu}, ${machine.date})`,
    date: new Date(machine.date),
    results: results.map((r) => ({
      name: r.name,
      ops: Math.round(r.iterPerSec),
      margin: r.marginPct,
      percentSlower: Number(((1 - r.iterPerSec / top) * 100).toFixed(2)),
    })),
    fastest: { name: results[fastest]!.name, index: fastest },
    slowest: { name: results[slowest]!.name, index: slowest },
  };
  writeFile(file, prepare(summary, { format: 'chart.html', details: false, version: null }));
}

/** Report order of case groups; unknown groups go last, in suite order (the sort is stable). */
const GROUP_ORDER = ['mempool', 'shared', 'peers', 'alloc', 'workload'];

function groupRank(group: string): number {
  const i = GROUP_ORDER.indexOf(group);
  return i < 0 ? GROUP_ORDER.length : i;
}

/** The contention strategies a filter selects: all with no filter, else those whose row name matches. */
function contentionStrategies(opts: CliOptions): string[] {
  if (opts.filters.length === 0) return [...STRATEGIES];
  return STRATEGIES.filter((s) => matches(`contention_${s}`, opts.filters, opts.exact));
}

/** What a child process timing one case prints as its last stdout line. */
type ChildMessage = { ok: true; result: CaseResultNs } | { ok: false; error: string };

/** The prefix of that line, so stray output from a case cannot be mistaken for it. */
const CHILD_TAG = 'isopool-bench-result ';

/** In a child (`--run-case <name>`): load the suites, time that one case, print the result line. */
async function childMain(opts: CliOptions, name: string, workers: number): Promise<number> {
  let msg: ChildMessage;
  try {
    let found: BenchCase | undefined;
    for (const s of allSuites()) {
      let cases: BenchCase[];
      try {
        cases = await s.load({ quick: opts.quick, workers });
      } catch (err) {
        if (err instanceof MissingSuiteError) continue;
        throw err;
      }
      found = cases.find((c) => c.name === name);
      if (found !== undefined) break;
    }
    if (found === undefined) throw new Error(`no case named ${name} in this build`);
    msg = { ok: true, result: await runCase(found, opts.quick ? QUICK_TIMING : FULL_TIMING) };
  } catch (err) {
    msg = { ok: false, error: errorText(err) };
  }
  process.stdout.write(`\n${CHILD_TAG}${JSON.stringify(msg)}\n`);
  return msg.ok ? 0 : 1;
}

/**
 * Times one case in a fresh `node` process running this CLI with `--run-case`. A process per case
 * keeps one case's type feedback out of the next one's code: SharedPool's cached path measured
 * 11.6 ns after the cache-off cases in one process against 3.8-4.1 ns alone (benchmarks/shared.cases.ts,
 * 2026-11-21); LocalPool, reusify and the allocation cases share code and the heap the same way.
 */
function runCaseInChild(name: string, opts: CliOptions, workers: number): Promise<CaseResultNs> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const args = [...process.execArgv, cli, '--run-case', name, '--workers', String(workers), ...(opts.quick ? ['--quick'] : [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const line = stdout.split('\n').reverse().find((l) => l.startsWith(CHILD_TAG));
      if (line === undefined) {
        const why = err ? errorText(err) : 'no result line';
        reject(new Error(`${name}: the child process failed (${why})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
        return;
      }
      const msg = JSON.parse(line.slice(CHILD_TAG.length)) as ChildMessage;
      if (msg.ok) resolve(msg.result);
      else reject(new Error(msg.error));
    });
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`isopool-bench: error: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const machine = machineInfo();
  const workers = opts.workers ?? machine.cores;
  if (opts.runCase !== undefined) return childMain(opts, opts.runCase, workers);
  const timing = opts.quick ? QUICK_TIMING : FULL_TIMING;
  const report: Report = {
    tool: 'isopool-bench',
    version: packageVersion(),
    machine,
    quick: opts.quick,
    reference: REFERENCE_CASE,
    cases: [],
    failed: [],
    missing: [],
    throughput: null,
    contention: null,
    ok: true,
  };

  for (const line of headerLines(machine, opts.quick)) out(line);
  out();

  // Load every suite first: the names pad to one width, and a missing suite is known before timing.
  const cases: BenchCase[] = [];
  let filteredOut = 0;
  const suites = allSuites();
  for (const s of suites) {
    try {
      for (const c of await s.load({ quick: opts.quick, workers })) {
        if (matches(c.name, opts.filters, opts.exact)) cases.push(c);
        else filteredOut++;
      }
    } catch (err) {
      if (!(err instanceof MissingSuiteError)) throw err;
      const wanted = err.expected.filter((n) => matches(n, opts.filters, opts.exact));
      if (wanted.length > 0) report.missing.push({ suite: err.suite, module: err.module, cases: wanted });
    }
  }
  // mempool's table first, allocation (which leaves garbage behind for the collector) after the pools;
  // inside a group its reference case first, so every ratio can be printed as its line is.
  const refRank = (c: BenchCase) => (c.name === referenceFor(c.group) ? 0 : 1);
  cases.sort((a, b) => groupRank(a.group) - groupRank(b.group) || refRank(a) - refRank(b));
  const contention = contentionStrategies(opts);
  const missingNames = report.missing.flatMap((m) => m.cases);
  const pad = padFor([...cases.map((c) => c.name), ...missingNames]);
  const workloadLoaded = suites.find((s) => s.name === 'workload')?.loaded !== undefined;
  const throughput = workloadLoaded && matches(THROUGHPUT_NAME, opts.filters, opts.exact);
  const more = [throughput ? 'the workload across workers' : '', contention.length > 0 ? 'the contention harness' : ''].filter(Boolean);
  out(`running ${cases.length + missingNames.length} benchmarks${more.length > 0 ? ` and ${more.join(' and ')}` : ''}`);

  // ns/iter of every case timed so far, for the ratio column (references run first in their group).
  const nsByName = new Map<string, number>();
  const timed: CaseResultNs[] = [];
  for (const c of cases) {
    try {
      // In process, or validated and timed by a child of its own (validation happens there too).
      const r = opts.inProcess ? await runCase(c, timing) : await runCaseInChild(c.name, opts, workers);
      nsByName.set(r.name, r.ns);
      const ratioTo = referenceFor(r.group);
      const referenceNs = nsByName.get(ratioTo);
      timed.push(r);
      const extra = r.extra ? '  ' + Object.entries(r.extra).map(([k, v]) => `${k}=${v}`).join(' ') : '';
      out(`${cargoLine(r.name, r.ns, r.plusMinus, pad).padEnd(cargoWidth(pad))}  ${formatRatio(r.ns, referenceNs).padStart(7)}${extra}`);
      report.cases.push({
        name: r.name,
        group: r.group,
        batch: r.batch,
        nsPerIter: r.ns,
        plusMinusNs: r.plusMinus,
        marginPct: r.marginPct,
        iterPerSec: r.iterPerSec,
        samples: r.samples,
        ratio: referenceNs === undefined ? null : r.ns / referenceNs,
        ratioTo,
        ...(r.extra ? { extra: r.extra } : {}),
      });
    } catch (err) {
      report.failed.push({ name: c.name, error: errorText(err) });
      out(failedLine(c.name, errorText(err), pad));
    }
  }
  for (const m of report.missing) {
    for (const name of m.cases) out(failedLine(name, `suite ${m.suite} missing: ${m.module} is not in this build`, pad));
  }
  const absent = [...new Set(timed.map((r) => referenceFor(r.group)))].filter((n) => !nsByName.has(n));
  if (absent.length > 0) out(`(ratio "-": ${absent.join(', ')} not in this run)`);

  // The workload across workers runs whenever its cases could be loaded (a missing workload suite
  // has already printed its FAILED lines) and the filter selects it.
  if (throughput) {
    const durationMs = opts.quick ? CONTENTION_QUICK_MS : CONTENTION_MS;
    out();
    out(
      `workload across workers: worker_threads harness (not benny), ${durationMs} ms per row after an Atomics barrier, ` +
        `1..${workers} workers on ${machine.cores} cores, each with its own scratch`,
    );
    try {
      const run = await loadWorkloadWorkers();
      const rows: ThroughputRow[] = [];
      await runThroughput(run, {
        counts: workerCounts(workers),
        durationMs,
        onRow(row) {
          rows.push(row);
          const table = throughputTable(rows);
          if (rows.length === 1) {
            out(table[0]);
            out(table[1]);
          }
          out(table[table.length - 1]);
        },
      });
      report.throughput = { harness: 'worker_threads + Atomics barrier, fixed duration (not benny)', durationMs, rows };
    } catch (err) {
      report.failed.push({ name: THROUGHPUT_NAME, error: errorText(err) });
      out(failedLine(THROUGHPUT_NAME, errorText(err), pad));
    }
  }

  if (contention.length > 0) {
    const durationMs = opts.quick ? CONTENTION_QUICK_MS : CONTENTION_MS;
    out();
    out(
      `contention: own worker_threads harness (not benny), ${durationMs} ms per row after an Atomics barrier, ` +
        `1..${workers} workers on ${machine.cores} cores; "one each" = every worker on its own pool (no-sharing ceiling)`,
    );
    try {
      const rows: ContentionResult[] = [];
      let printedHead = false;
      await runContention({
        workers,
        durationMs,
        strategies: contention,
        onRow(row) {
          rows.push(row);
          const table = contentionTable(rows);
          if (!printedHead) {
            out(table[0]);
            out(table[1]);
            printedHead = true;
          }
          // Fixed minimum widths keep rows printed one at a time aligned with the head.
          out(table[table.length - 1]);
        },
      });
      report.contention = { harness: 'worker_threads + Atomics barrier, fixed duration (not benny)', durationMs, maxWorkers: workers, rows };
    } catch (err) {
      report.failed.push({ name: 'contention', error: errorText(err) });
      out(failedLine('contention', errorText(err), pad));
    }
  }

  const failed = report.failed.length + missingNames.length;
  report.ok = failed === 0;
  out();
  out(
    `test result: ${report.ok ? 'ok' : 'FAILED'}. 0 passed; ${failed} failed; 0 ignored; ${timed.length} measured; ${filteredOut} filtered out`,
  );

  if (opts.json !== undefined) writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.chart !== undefined) {
    if (timed.length > 0) await writeChart(opts.chart, timed, machine);
    else process.stderr.write('isopool-bench: no case was timed, no chart written\n');
  }
  return report.ok ? 0 : 1;
}
