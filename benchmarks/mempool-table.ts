/**
 * mempool's table, in mempool's row order, with mempool's own figure beside each row: the section
 * `npm run bench` prints after the case lines. Pure, tested directly.
 *
 * mempool's figures are quoted from its README (section "Benchmarks"), at
 * https://github.com/BurntSushi/mempool/blob/19ff2b09305adf5ad929ea1cc95affa6bb82cc7a/README.md:
 *
 *     test bench::crossbeam_ms_get_put      ... bench:         105 ns/iter (+/- 4)
 *     test bench::crossbeam_seg_get_put     ... bench:          87 ns/iter (+/- 25)
 *     test bench::crossbeam_treiber_get_put ... bench:          93 ns/iter (+/- 1)
 *     test bench::mempool_get_put_tls       ... bench:           1 ns/iter (+/- 0)
 *     test bench::mpmc_get_put              ... bench:          30 ns/iter (+/- 0)
 *     test bench::mutex_get_put             ... bench:          46 ns/iter (+/- 0)
 *
 * Those are Rust on its author's machine years ago: only ratios within each table compare, so
 * each side gets a column of ratios to its own thread-local row (mempool's is 1 ns, so its ratios
 * are its figures).
 */
import { formatNs, formatRatio } from './cargo-line.js';

export interface MempoolRow {
  /** mempool's bench name. */
  readonly mempool: string;
  /** The isopool-bench case timed for it. */
  readonly isopool: string;
  /** mempool's ns/iter and +/-, from its README. */
  readonly mempoolNs: number;
  readonly mempoolPlusMinus: number;
}

/** mempool's rows, in its README's order, with the case that stands for each here. */
export const MEMPOOL_ROWS: readonly MempoolRow[] = [
  { mempool: 'crossbeam_ms_get_put', isopool: 'ms_get_put', mempoolNs: 105, mempoolPlusMinus: 4 },
  { mempool: 'crossbeam_seg_get_put', isopool: 'seg_get_put', mempoolNs: 87, mempoolPlusMinus: 25 },
  { mempool: 'crossbeam_treiber_get_put', isopool: 'treiber_get_put', mempoolNs: 93, mempoolPlusMinus: 1 },
  { mempool: 'mempool_get_put_tls', isopool: 'tls_get_put', mempoolNs: 1, mempoolPlusMinus: 0 },
  { mempool: 'mpmc_get_put', isopool: 'mpmc_get_put', mempoolNs: 30, mempoolPlusMinus: 0 },
  { mempool: 'mutex_get_put', isopool: 'mutex_get_put', mempoolNs: 46, mempoolPlusMinus: 0 },
];

/** Where the quoted figures come from, printed under the table. */
export const MEMPOOL_SOURCE = 'github.com/BurntSushi/mempool README.md, section Benchmarks, commit 19ff2b0';

/** One row as printed and as the JSON report keeps it. */
export interface MempoolTableRow extends MempoolRow {
  readonly ns: number | null;
  readonly ratio: number | null;
  readonly mempoolRatio: number;
}

/** The six rows with this run's figures (null for a case the filters left out or that failed). */
export function mempoolRows(nsByName: ReadonlyMap<string, number>): MempoolTableRow[] {
  const tls = nsByName.get('tls_get_put');
  const mempoolTls = MEMPOOL_ROWS.find((r) => r.isopool === 'tls_get_put')!.mempoolNs;
  return MEMPOOL_ROWS.map((r) => {
    const ns = nsByName.get(r.isopool) ?? null;
    return { ...r, ns, ratio: ns === null || tls === undefined ? null : ns / tls, mempoolRatio: r.mempoolNs / mempoolTls };
  });
}

/** The table as fixed-width lines: header, rule, six rows, the source. */
export function mempoolTable(rows: readonly MempoolTableRow[]): string[] {
  const head = ['mempool row', 'isopool row', 'ns/iter', 'x tls', 'mempool ns/iter', 'x tls'];
  const body = rows.map((r) => [
    r.mempool,
    r.isopool,
    r.ns === null ? '-' : formatNs(r.ns),
    r.ns === null || r.ratio === null ? '-' : formatRatio(r.ratio, 1),
    `${r.mempoolNs} (+/- ${r.mempoolPlusMinus})`,
    formatRatio(r.mempoolRatio, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [
    `mempool's table in its row order; mempool's figures quoted from ${MEMPOOL_SOURCE} (Rust, its author's machine: compare the x tls columns, each against its own table's tls row)`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ];
}
