/**
 * The report's two sections timed on the worker harness (harness.ts), not by benny: the workload
 * across workers, then the contention table. Each prints a line saying how it was timed, then its
 * table one row at a time as the runs finish (a full contention table takes minutes), and fills its
 * part of the JSON report. A section that fails prints a FAILED line and goes into the report's
 * `failed` list; it never stops the other.
 */
import { failedLine } from './cargo-line.js';
import { runContention, workerCounts, type ContentionResult } from './contention.js';
import { errorText, type MachineInfo, type Report } from './report.js';
import { contentionTable, throughputTable } from './tables.js';
import { loadWorkloadWorkers, runThroughput, THROUGHPUT_NAME, type ThroughputRow } from './workload-throughput.js';

/** Timed part of one row: long enough for ~10^6 pairs at 100+ ns, short enough for 24+ rows. */
const ROW_MS = 500;
/** --quick: enough to see the harness work end to end; the figures are rough. */
const ROW_QUICK_MS = 100;

export interface SectionContext {
  out: (line?: string) => void;
  report: Report;
  machine: MachineInfo;
  /** Most workers (--workers, default the core count). */
  workers: number;
  quick: boolean;
  /** Name padding of the cargo lines, for a FAILED line. */
  pad: number;
}

/** Prints a table as it grows: its head with the first row, then each new last row. */
function tablePrinter(out: (line?: string) => void): (table: readonly string[]) => void {
  let printedHead = false;
  return (table) => {
    if (!printedHead) {
      out(table[0]);
      out(table[1]);
      printedHead = true;
    }
    out(table[table.length - 1]);
  };
}

/** The workload across workers: every scratch source at 1, 2, 4, ... workers. */
export async function workloadSection(ctx: SectionContext): Promise<void> {
  const { out, report, machine, workers } = ctx;
  const durationMs = ctx.quick ? ROW_QUICK_MS : ROW_MS;
  out();
  out(
    `workload across workers: worker_threads harness (not benny), ${durationMs} ms per row after an Atomics barrier, ` +
      `1..${workers} workers on ${machine.cores} cores, each with its own scratch`,
  );
  try {
    const run = await loadWorkloadWorkers();
    const rows: ThroughputRow[] = [];
    const print = tablePrinter(out);
    await runThroughput(run, {
      counts: workerCounts(workers),
      durationMs,
      onRow(row) {
        rows.push(row);
        print(throughputTable(rows));
      },
    });
    report.throughput = { harness: 'worker_threads + Atomics barrier, fixed duration (not benny)', durationMs, rows };
  } catch (err) {
    report.failed.push({ name: THROUGHPUT_NAME, error: errorText(err) });
    out(failedLine(THROUGHPUT_NAME, errorText(err), ctx.pad));
  }
}

/** The contention table: `strategies` on one shared SharedPool and on one each, 1, 2, 4, ... workers. */
export async function contentionSection(ctx: SectionContext, strategies: readonly string[]): Promise<void> {
  const { out, report, machine, workers } = ctx;
  const durationMs = ctx.quick ? ROW_QUICK_MS : ROW_MS;
  out();
  out(
    `contention: own worker_threads harness (not benny), ${durationMs} ms per row after an Atomics barrier, ` +
      `1..${workers} workers on ${machine.cores} cores; "one each" = every worker on its own pool (no-sharing ceiling)`,
  );
  try {
    const rows: ContentionResult[] = [];
    const print = tablePrinter(out);
    await runContention({
      workers,
      durationMs,
      strategies,
      onRow(row) {
        rows.push(row);
        print(contentionTable(rows));
      },
    });
    report.contention = { harness: 'worker_threads + Atomics barrier, fixed duration (not benny)', durationMs, maxWorkers: workers, rows };
  } catch (err) {
    report.failed.push({ name: 'contention', error: errorText(err) });
    out(failedLine('contention', errorText(err), ctx.pad));
  }
}
