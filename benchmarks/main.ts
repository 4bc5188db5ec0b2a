/**
 * The bench CLI's body (cli.ts is the executable shim): the report `npm run bench` prints, in order:
 *
 *   1. the header (report.ts): Node, V8, CPU, cores, date, and how the figures are made;
 *   2. one `cargo bench` line per case (cargo-line.ts), with a ratio column against the run's
 *      reference case; each case validated, then timed by benny (runner.ts) in a fresh child process
 *      (child-process.ts) unless `--in-process`; then mempool's table in its own row order, with
 *      mempool's figures beside this run's (mempool-table.ts);
 *   3. the workload across workers and the contention table (worker-tables.ts), timed on the worker
 *      harness (harness.ts), not by benny;
 *   4. libtest's `test result:` line; then `--json` (report.ts) and `--chart` (chart.ts).
 *
 * A case that fails validation or timing, or a suite that is not in the build, prints a FAILED line
 * and makes the exit status 1: nothing is skipped quietly. Bad flags (args.ts): a message and the
 * usage on stderr, exit status 2.
 */
import { matches, parseArgs, USAGE, UsageError, type CliOptions } from './args.js';
import { failedLine, padFor } from './cargo-line.js';
import { writeChart } from './chart.js';
import { serveCaseInChild, timeCaseInChild, timeCasesInChild } from './child-process.js';
import { STRATEGIES } from './contention.js';
import {
  caseEntry,
  caseLine,
  errorText,
  headerLines,
  machineInfo,
  newReport,
  referenceFor,
  runningLine,
  summaryLine,
  writeJsonReport,
} from './report.js';
import { MEMPOOL_ROWS, mempoolRows, mempoolTable } from './mempool-table.js';
import { FULL_TIMING, QUICK_TIMING, runCase, type CaseResultNs } from './runner.js';
import { selectCases } from './suites.js';
import { USED_GROUP } from './used.cases.js';
import { parseMajors, runMatrix } from './matrix.js';
import { runModule } from './module-run.js';
import { contentionSection, workloadSection } from './worker-tables.js';
import { THROUGHPUT_NAME } from './workload-throughput.js';

/** The contention strategies a filter selects: all with no filter, else those whose row name matches. */
function contentionStrategies(opts: CliOptions): string[] {
  if (opts.filters.length === 0) return [...STRATEGIES];
  return STRATEGIES.filter((s) => matches(`contention_${s}`, opts.filters, opts.exact));
}

/** Why a run stops before it starts: filters that match no case, table row or section. */
function filterError(unmatched: readonly string[], exact: boolean): string {
  const list = unmatched.map((f) => JSON.stringify(f)).join(', ');
  return `--filter ${list} match${unmatched.length === 1 ? 'es' : ''} no ${exact ? 'name exactly' : 'name'}`;
}

/** Times the `_used` rows in one child process; each row's result or error by name. */
async function timeUsedRows(names: readonly string[], quick: boolean, workers: number): Promise<Map<string, CaseResultNs | Error>> {
  const results = await timeCasesInChild(names, quick, workers);
  return new Map(names.map((n, i) => [n, results[i]!]));
}

/** Runs the CLI on `argv` (without node and the script); resolves with the exit status. */
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
  if (opts.runCase !== undefined) return serveCaseInChild(opts.runCase, opts.quick, workers, opts.module);
  if (opts.node !== undefined) {
    let majors: number[];
    try {
      majors = parseMajors(opts.node);
    } catch (err) {
      process.stderr.write(`isopool-bench: error: ${errorText(err)}\n`);
      return 2;
    }
    return runMatrix({ majors, runs: opts.runs, quick: opts.quick }, out);
  }
  if (opts.module !== undefined) return runModule({ ...opts, module: opts.module }, machine, workers);
  const selection = await selectCases(opts.filters, opts.exact, { quick: opts.quick, workers });
  const { cases } = selection;
  const contention = contentionStrategies(opts);
  // The workload across workers runs whenever the workload module is in the build (a workload suite
  // that failed to load has printed its FAILED lines) and the filter selects it.
  const throughput = selection.inBuild.has('workload') && matches(THROUGHPUT_NAME, opts.filters, opts.exact);
  const names = [...selection.names, THROUGHPUT_NAME, ...STRATEGIES.map((s) => `contention_${s}`)];
  const unmatched = opts.filters.filter((f) => !names.some((n) => matches(n, [f], opts.exact)));
  if (unmatched.length > 0) {
    process.stderr.write(`isopool-bench: error: ${filterError(unmatched, opts.exact)}; the names are:\n  ${names.join('\n  ')}\n`);
    return 2;
  }

  const report = newReport(machine, opts.quick);
  report.missing = selection.missing;
  for (const line of headerLines(machine, opts.quick)) out(line);
  out();

  const missingNames = report.missing.flatMap((m) => m.cases);
  const pad = padFor([...cases.map((c) => c.name), ...missingNames]);
  const more = [throughput ? 'the workload across workers' : '', contention.length > 0 ? 'the contention harness' : ''].filter(Boolean);
  out(`${runningLine(cases.length + missingNames.length)}${more.length > 0 ? ` and ${more.join(' and ')}` : ''}`);

  // ns/iter of every case timed so far, for the ratio column (references run first in their group).
  const nsByName = new Map<string, number>();
  const timed: CaseResultNs[] = [];
  const timing = opts.quick ? QUICK_TIMING : FULL_TIMING;
  // The `_used` rows share one child (it runs the used program once, then times them all).
  const usedNames = cases.filter((c) => c.group === USED_GROUP).map((c) => c.name);
  let usedResults: Map<string, CaseResultNs | Error> | undefined;
  for (const c of cases) {
    try {
      let r: CaseResultNs;
      if (opts.inProcess) r = await runCase(c, timing);
      else if (c.group === USED_GROUP) {
        usedResults ??= await timeUsedRows(usedNames, opts.quick, workers);
        const got = usedResults.get(c.name)!;
        if (got instanceof Error) throw got;
        r = got;
      } else r = await timeCaseInChild(c.name, opts.quick, workers);
      nsByName.set(r.name, r.ns);
      const referenceNs = nsByName.get(referenceFor(r.group));
      timed.push(r);
      out(caseLine(r, referenceNs, pad));
      report.cases.push(caseEntry(r, referenceNs));
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
  if (MEMPOOL_ROWS.some((r) => r.isopool !== 'tls_get_put' && nsByName.has(r.isopool))) {
    report.mempool = mempoolRows(nsByName);
    out();
    for (const line of mempoolTable(report.mempool)) out(line);
  }

  const section = { out, report, machine, workers, quick: opts.quick, pad };
  if (throughput) await workloadSection(section);
  if (contention.length > 0) await contentionSection(section, contention);

  const failed = report.failed.length + missingNames.length;
  report.ok = failed === 0;
  out();
  out(summaryLine(report.ok, failed, timed.length, selection.filteredOut));

  if (opts.json !== undefined) writeJsonReport(opts.json, report);
  if (opts.chart !== undefined) {
    if (report.cases.length > 0) writeChart(opts.chart, report.cases, machine);
    else process.stderr.write('isopool-bench: no case was timed, no chart written\n');
  }
  return report.ok ? 0 : 1;
}
