/**
 * The two tables timed on the worker harness (not benny), as fixed-width text: the workload across
 * workers and the contention table. Every column has a minimum width, so a table printed one row at
 * a time as its runs finish (worker-tables.ts does) stays aligned with its head. Pure, tested directly.
 */
import { formatNs } from './cargo-line.js';
import type { ContentionRow } from './contention.js';
import type { ThroughputRow } from './workload-throughput.js';

/** Minimum column widths of the contention table. */
const CONTENTION_WIDTHS = [8, 5, 7, 10, 7, 9, 14, 8] as const;

/** The contention table, fixed columns, one row per run. */
export function contentionTable(rows: readonly ContentionRow[]): string[] {
  const head = ['strategy', 'cache', 'pattern', 'pool', 'workers', 'Mops/s', 'ns/pair/thread', 'fairness'];
  const body = rows.map((r) => [
    r.strategy,
    r.cache ? 'on' : 'off',
    r.pattern,
    r.mode === 'shared' ? 'one shared' : 'one each',
    String(r.workers),
    r.mops.toFixed(2),
    formatNs(r.nsPerPairPerThread),
    `${Math.round(r.fairness * 100)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, CONTENTION_WIDTHS[i]!, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

/** Minimum column widths of the workload table. */
const THROUGHPUT_WIDTHS = [7, 7, 14, 16, 8] as const;

/** The workload-across-workers table, fixed columns, one row per source and worker count. */
export function throughputTable(rows: readonly ThroughputRow[]): string[] {
  const head = ['scratch', 'workers', 'searches/s', 'ns/search/thread', 'fairness'];
  const body = rows.map((r) => [
    r.source,
    String(r.workers),
    Math.round(r.searchesPerSec).toLocaleString('en-US'),
    formatNs(r.nsPerSearchPerThread),
    `${Math.round(r.fairness * 100)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, THROUGHPUT_WIDTHS[i]!, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}
