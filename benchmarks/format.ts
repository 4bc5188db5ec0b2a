/**
 * Pure helpers of the bench CLI: argument parsing and the `cargo bench` line format. No I/O here, so
 * tests/bench-cli.test.ts can check them directly.
 *
 * The line format is libtest's, which mempool's README shows:
 *
 *     test bench::mutex_get_put ... bench:          46 ns/iter (+/- 4)
 *
 * libtest pads names on the right to the longest name of the run and right-aligns the number in 11
 * columns with `,` thousands separators. One departure, on purpose: libtest rounds to whole ns, which
 * turns every owner-slot row here (1-5 ns) into the same two digits; below 10 ns we print two
 * decimals, as current libtest does for sub-ns results. Everything else is cargo's layout, and the
 * ratio column comes after it so a cargo-line parser still reads the line.
 */

/** The case every ratio is taken against (mempool's table has it too). */
export const REFERENCE_CASE = 'tls_get_put';

/**
 * Groups whose iterations are not get/put pairs take their ratio against their own baseline: a regex
 * search over a pool round trip says nothing, a pooled search over a search with fresh scratch does.
 */
export const GROUP_REFERENCE: Readonly<Record<string, string>> = { workload: 'workload_alloc' };

/** The case a row's ratio is taken against. */
export function referenceFor(group: string): string {
  return GROUP_REFERENCE[group] ?? REFERENCE_CASE;
}

/** libtest's width for the ns/iter field. */
const NS_WIDTH = 11;

export interface CliOptions {
  filters: string[];
  exact: boolean;
  json: string | undefined;
  chart: string | undefined;
  quick: boolean;
  workers: number | undefined;
  help: boolean;
  /** Time every case in the CLI's own process instead of one child process each. */
  inProcess: boolean;
  /** Internal: this process is a child timing one case (see main.ts). */
  runCase: string | undefined;
}

/** A bad command line: the CLI prints the message and the usage, and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: isopool-bench [options]

Runs isopool's benchmark suites (benny, batched, ns/iter in cargo-bench form) and the
worker contention harness.

Options:
  --filter <substr>  run only cases whose name contains <substr> (repeatable: any may match)
  --exact            --filter must equal the whole case name
  --json <file>      also write machine-readable results to <file>
  --chart <file>     also write benny's HTML bar chart (iterations/s) to <file>
  --quick            short runs (smoke test; numbers are rough)
  --workers <N>      most workers in the contention and workload runs (default: core count)
  --in-process       time every case in this process (default: a fresh child process per case,
                     so no case inherits another's type feedback or garbage)
  --help             print this and exit

Exit status: 0 ok, 1 a case failed validation or a suite is missing, 2 bad arguments.`;

function takeValue(argv: readonly string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`option ${flag} needs a value`);
  return v;
}

/** Parses the command line; throws `UsageError` for anything it does not know. Accepts `--flag=value`. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    filters: [],
    exact: false,
    json: undefined,
    chart: undefined,
    quick: false,
    workers: undefined,
    help: false,
    inProcess: false,
    runCase: undefined,
  };
  const args: string[] = [];
  for (const a of argv) {
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 2) args.push(a.slice(0, eq), a.slice(eq + 1));
    else args.push(a);
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '--filter': {
        const v = takeValue(args, i++, a);
        if (v === '') throw new UsageError('option --filter needs a non-empty substring');
        opts.filters.push(v);
        break;
      }
      case '--exact':
        opts.exact = true;
        break;
      case '--json':
        opts.json = takeValue(args, i++, a);
        break;
      case '--chart':
        opts.chart = takeValue(args, i++, a);
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--workers': {
        const v = takeValue(args, i++, a);
        const n = Number(v);
        if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > 256) {
          throw new UsageError(`option --workers must be an integer from 1 to 256, received ${JSON.stringify(v)}`);
        }
        opts.workers = n;
        break;
      }
      case '--in-process':
        opts.inProcess = true;
        break;
      case '--run-case':
        opts.runCase = takeValue(args, i++, a);
        break;
      case '--help':
      case '-h':
        opts.help = true;
        break;
      default:
        throw new UsageError(
          a.startsWith('-') ? `unknown option ${JSON.stringify(a)}` : `unexpected argument ${JSON.stringify(a)} (use --filter <substr>)`,
        );
    }
  }
  if (opts.exact && opts.filters.length === 0) throw new UsageError('option --exact needs at least one --filter');
  return opts;
}

/** Whether a case runs under the filters: none given, or any of them matching (substring or exact). */
export function matches(name: string, filters: readonly string[], exact: boolean): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => (exact ? name === f : name.includes(f)));
}

/** `1234567` -> `1,234,567`: libtest's `fmt_thousands_sep`. */
export function thousands(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${out}` : out;
}

/** A ns figure as the line prints it: whole ns with separators from 10 up, two decimals below. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns) || ns < 0) throw new RangeError(`formatNs: expected a finite ns >= 0, received ${ns}`);
  if (ns < 10) {
    const fixed = ns.toFixed(2);
    // 9.996 rounds to "10.00": print it as whole ns like every other figure from 10 up.
    return fixed === '10.00' ? '10' : fixed;
  }
  return thousands(Math.round(ns));
}

/** The +/- at the precision of its figure: whole ns when the figure is printed whole. */
export function formatPlusMinus(plusMinus: number, ns: number): string {
  if (!Number.isFinite(plusMinus) || plusMinus < 0) {
    throw new RangeError(`formatPlusMinus: expected a finite +/- >= 0, received ${plusMinus}`);
  }
  const whole = !formatNs(ns).includes('.');
  return whole ? thousands(Math.round(plusMinus)) : plusMinus.toFixed(2);
}

/** The cargo line for one case, names padded to `pad` like libtest. */
export function cargoLine(name: string, ns: number, plusMinus: number, pad: number): string {
  const num = formatNs(ns).padStart(NS_WIDTH);
  return `test ${`bench::${name}`.padEnd(pad)} ... bench: ${num} ns/iter (+/- ${formatPlusMinus(plusMinus, ns)})`;
}

/** The line for a case that could not be timed (failed validation, missing suite). */
export function failedLine(name: string, why: string, pad: number): string {
  return `test ${`bench::${name}`.padEnd(pad)} ... FAILED (${why})`;
}

/**
 * Width of a cargo line whose +/- has up to 8 characters, so the ratio column after it lines up:
 * `test ` + name + ` ... bench: ` + 11 + ` ns/iter (+/- ` + 8 + `)`.
 */
export function cargoWidth(pad: number): number {
  return 5 + pad + 12 + NS_WIDTH + 14 + 8 + 1;
}

/** The width names pad to: `bench::` plus the longest name. */
export function padFor(names: readonly string[]): number {
  return names.reduce((w, n) => Math.max(w, 'bench::'.length + n.length), 0);
}

/** The ratio column: `  12.34x` against the reference, or `-` when the reference did not run. */
export function formatRatio(ns: number, referenceNs: number | undefined): string {
  if (referenceNs === undefined || !(referenceNs > 0)) return '-';
  const r = ns / referenceNs;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}x`;
}

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

export interface MachineInfo {
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  platform: string;
  date: string;
}

/** The report's header: what a reader needs to compare two runs (and why they mostly can't). */
export function headerLines(m: MachineInfo, quick: boolean): string[] {
  return [
    `isopool-bench: Node ${m.node}, V8 ${m.v8}, ${m.cpu}, ${m.cores} cores, ${m.platform}, ${m.date}`,
    `benny, each call loops a batch; ns/iter = 1e9 / (ops/s) / batch, +/- = benny's 95% margin of error.` +
      (quick ? ' QUICK RUN: rough numbers.' : ''),
    `ratio column: ns/iter / ${REFERENCE_CASE}'s ns/iter (workload rows: / workload_alloc's); results are comparable only within one run.`,
  ];
}

/** One row of the contention table (the worker harness, not benny). */
export interface ContentionRow {
  strategy: string;
  cache: boolean;
  /** `pair`: acquire one, release it; `burst`: acquire 64, release 64 (through the shared list). */
  pattern: string;
  /** `shared`: all workers on one SharedPool; `own`: each worker on its own pool (no-sharing ceiling). */
  mode: 'shared' | 'own';
  workers: number;
  /** Acquire/release pairs per second, all workers together, in millions. */
  mops: number;
  /** All workers' elapsed ns over all their pairs. */
  nsPerPairPerThread: number;
  /** Fewest pairs a worker did over the most (1 = even). */
  fairness: number;
  /** Total pairs done. */
  pairs: number;
}

/** Minimum column widths of the contention table, so rows printed one at a time line up. */
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
