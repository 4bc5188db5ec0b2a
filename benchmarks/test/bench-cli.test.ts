/**
 * The bench CLI: its pure helpers, the case runner, suite loading, and the compiled CLI itself run in
 * --quick mode on two cases. Format and shape only: nothing here asserts on speed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from '../case.js';
import { matches, parseArgs, UsageError } from '../args.js';
import { cargoLine, cargoWidth, failedLine, formatNs, formatPlusMinus, formatRatio, padFor, thousands } from '../cargo-line.js';
import { headerLines, runningLine } from '../report.js';
import { contentionTable, throughputTable } from '../tables.js';
import { localCases } from '../local.cases.js';
import { nsPerIter, QUICK_TIMING, runCase } from '../runner.js';
import { dynamicSuite, MissingSuiteError } from '../suites.js';
import { runContention, WARMUP_PAIRS, workerCounts } from '../contention.js';
import { runWorkers } from '../harness.js';
import { runThroughput, type RunWorkloadWorkers } from '../workload-throughput.js';
import { CLI, runCli } from './helpers/run-cli.js';

/** A cargo bench line as libtest prints it (plus our ratio column after it). */
const CARGO = /^test bench::(\w+) +\.\.\. bench: +(\d[\d,]*|\d\.\d\d) ns\/iter \(\+\/- (\d[\d,]*|\d+\.\d\d)\) +(\S+)$/;


// -------------------------------------------------------------------------------------------------
const format = suite('format: cargo lines and numbers');

format('thousands separates like libtest', () => {
  assert.is(thousands(0), '0');
  assert.is(thousands(999), '999');
  assert.is(thousands(1000), '1,000');
  assert.is(thousands(1234567), '1,234,567');
});

format('formatNs prints whole ns from 10 up and two decimals below', () => {
  assert.is(formatNs(46.4), '46');
  assert.is(formatNs(1599.6), '1,600');
  assert.is(formatNs(3.214), '3.21');
  assert.is(formatNs(0.004), '0.00');
  assert.is(formatNs(9.996), '10');
  assert.throws(() => formatNs(Number.NaN), RangeError);
  assert.throws(() => formatNs(-1), RangeError);
});

format('cargoLine reproduces mempool\'s README line exactly', () => {
  const line = cargoLine('mutex_get_put', 46, 4, padFor(['mutex_get_put']));
  assert.is(line, 'test bench::mutex_get_put ... bench:          46 ns/iter (+/- 4)');
});

format('the +/- takes the precision of its figure', () => {
  assert.is(formatPlusMinus(4.4, 46), '4');
  assert.is(formatPlusMinus(1234.4, 46000), '1,234');
  assert.is(formatPlusMinus(0.126, 3.2), '0.13');
  assert.is(formatPlusMinus(12.5, 3.2), '12.50');
  assert.throws(() => formatPlusMinus(Number.NaN, 3), RangeError);
});

format('names pad to the longest one, so the columns line up', () => {
  const pad = padFor(['tls_get', 'array_stack_get_put']);
  const a = cargoLine('tls_get', 1.5, 0.1, pad);
  const b = cargoLine('array_stack_get_put', 5400, 12, pad);
  assert.is(a.indexOf(' ... '), b.indexOf(' ... '));
  assert.is(a.indexOf(' ns/iter'), b.indexOf(' ns/iter'));
  assert.ok(a.length <= cargoWidth(pad) && b.length <= cargoWidth(pad));
  assert.ok(failedLine('tls_get', 'why', pad).startsWith('test bench::tls_get             ... FAILED (why)'));
});

format('formatRatio is relative to the reference, "-" without one', () => {
  assert.is(formatRatio(5, 2.5), '2.00x');
  assert.is(formatRatio(25, 2), '12.5x');
  assert.is(formatRatio(1600, 2), '800x');
  assert.is(formatRatio(1, 50), '0.02x');
  assert.is(formatRatio(8.39, 5765), '0.0015x'); // a pooled round trip against a 16 KiB allocation
  assert.is(formatRatio(5, undefined), '-');
  assert.is(formatRatio(5, 0), '-');
});

format('nsPerIter divides benny\'s ops/s by the batch and scales the margin', () => {
  const { ns, plusMinus } = nsPerIter(1e6, 5, 1000); // 1e6 calls/s of 1,000 iterations: 1 ns each
  assert.ok(Math.abs(ns - 1) < 1e-12);
  assert.ok(Math.abs(plusMinus - 0.05) < 1e-12);
  assert.throws(() => nsPerIter(0, 1, 1000), /did not run/);
  assert.throws(() => nsPerIter(Number.POSITIVE_INFINITY, 1, 1000), /did not run/);
  assert.throws(() => nsPerIter(10, 1, 0), /batch/);
});

format('the header names Node, V8, CPU, cores and date, and says ratios are per run', () => {
  const lines = headerLines({ node: 'v20.0.0', v8: '11.3', cpu: 'Some CPU', cores: 2, platform: 'linux x64', date: '2026-11-21T00:00:00.000Z' }, true);
  assert.match(lines[0]!, /Node v20\.0\.0, V8 11\.3, Some CPU, 2 cores, linux x64, 2026-11-21/);
  assert.ok(lines.some((l) => /QUICK/.test(l)));
  assert.ok(lines.some((l) => /comparable only within one run/.test(l)));
});

format('the contention table keeps its columns aligned row by row', () => {
  const row = { strategy: 'mutex', cache: true, pattern: 'pair', mode: 'shared' as const, workers: 2, mops: 12.345, nsPerPairPerThread: 162.2, fairness: 0.954, pairs: 1 };
  const one = contentionTable([row]);
  const two = contentionTable([row, { ...row, strategy: 'treiber', cache: false, mode: 'own' as const, nsPerPairPerThread: 4.5 }]);
  assert.is(one.length, 3);
  assert.is(one[0], two[0]);
  assert.match(two[2]!, /^mutex +on +pair +one shared +2 +12\.35 +162 +95%$/);
  assert.match(two[3]!, /^treiber +off +pair +one each +2 +12\.35 +4\.50 +95%$/);
});

format.run();

// -------------------------------------------------------------------------------------------------
const args = suite('parseArgs: flags');

args('reads every flag, in both --flag value and --flag=value forms', () => {
  const o = parseArgs(['--filter', 'tls', '--filter=mutex', '--json', 'a.json', '--chart=c.html', '--quick', '--workers', '3', '--in-process']);
  assert.is(o.inProcess, true);
  assert.is(parseArgs([]).inProcess, false);
  assert.is(parseArgs(['--run-case', 'tls_get']).runCase, 'tls_get');
  assert.equal(o.filters, ['tls', 'mutex']);
  assert.is(o.json, 'a.json');
  assert.is(o.chart, 'c.html');
  assert.is(o.quick, true);
  assert.is(o.workers, 3);
  assert.is(o.help, false);
  assert.is(parseArgs(['--help']).help, true);
});

args('rejects unknown flags, missing values and bad worker counts with a UsageError naming them', () => {
  const bad: Array<[string[], RegExp]> = [
    [['--fliter', 'x'], /unknown option "--fliter"/],
    [['tls'], /unexpected argument "tls"/],
    [['--filter'], /--filter needs a value/],
    [['--json', '--quick'], /--json needs a value/],
    [['--workers', '0'], /--workers must be an integer from 1 to 256, received "0"/],
    [['--workers', '1.5'], /received "1\.5"/],
    [['--workers', 'two'], /received "two"/],
    [['--exact'], /--exact needs at least one --filter/],
  ];
  for (const [argv, re] of bad) {
    assert.throws(() => parseArgs(argv), (e: Error) => e instanceof UsageError && re.test(e.message), argv.join(' '));
  }
});

args('filters match substrings, any of them; --exact matches whole names', () => {
  assert.ok(matches('tls_get_put', [], false));
  assert.ok(matches('shared_tls_get_put', ['tls_get_put'], false));
  assert.not.ok(matches('shared_tls_get_put', ['tls_get_put'], true));
  assert.ok(matches('mutex_get_put', ['nope', 'mutex'], false));
  assert.not.ok(matches('mutex_get_put', ['nope'], false));
});

args('worker counts double up to the maximum, which is always included', () => {
  assert.equal(workerCounts(1), [1]);
  assert.equal(workerCounts(2), [1, 2]);
  assert.equal(workerCounts(6), [1, 2, 4, 6]);
  assert.equal(workerCounts(8), [1, 2, 4, 8]);
});

args.run();

// -------------------------------------------------------------------------------------------------
const cases = suite('localCases and runCase: validation before timing');

cases('every local case validates: it lends, takes back and loops its whole batch', () => {
  const all = localCases();
  assert.equal(
    all.map((c) => c.name),
    ['tls_get_put', 'tls_get', 'tls_lease_using', 'using_noop', 'buffer_rent_return', 'owner_slot_get_put', 'array_stack_get_put', 'reusify_get_put', 'isopool_reusify_get_put', 'alloc_small', 'alloc_u8_16k'],
  );
  for (const c of all) {
    assert.ok(c.batch >= 1000, `${c.name} batch`);
    c.validate();
    c.teardown?.();
  }
});

cases('a case that fails validation is never timed, and the error names it', async () => {
  let calls = 0;
  const broken: BenchCase = {
    name: 'broken_get_put',
    group: 'test',
    batch: 1000,
    fn() {
      calls++;
    },
    validate() {
      throw new Error('validation failed: broken_get_put hands out nothing');
    },
  };
  let err: unknown;
  try {
    await runCase(broken, QUICK_TIMING);
  } catch (e) {
    err = e;
  }
  assert.instance(err, Error);
  assert.match((err as Error).message, /broken_get_put hands out nothing/);
  assert.is(calls, 0);
});

cases('runCase times a case with benny and reports ns per iteration of its batch', async () => {
  let sink = 0;
  let validated = false;
  let tornDown = false;
  const r = await runCase(
    {
      name: 'xor_loop',
      group: 'test',
      batch: 1000,
      fn() {
        for (let i = 0; i < 1000; i++) sink ^= i;
      },
      validate() {
        validated = true;
      },
      teardown() {
        tornDown = true;
      },
      extra: () => ({ sink }),
    },
    QUICK_TIMING,
  );
  assert.ok(validated && tornDown);
  assert.is(r.name, 'xor_loop');
  assert.ok(r.ns > 0 && Number.isFinite(r.ns));
  assert.ok(r.samples > 0);
  assert.ok(Math.abs(r.iterPerSec - r.callsPerSec * 1000) < 1e-6 * r.iterPerSec);
  assert.ok(Math.abs(r.ns - 1e9 / r.iterPerSec) < 1e-9 * r.ns);
  assert.type(r.extra?.['sink'], 'number');
});

cases('a case that throws while being timed fails with its own error, and is still torn down (regression: benny rejected with a benchmark.js Event and the message was lost)', async () => {
  let calls = 0;
  let tornDown = false;
  let err: unknown;
  try {
    await runCase(
      {
        name: 'throws_later',
        group: 'test',
        batch: 1000,
        fn() {
          if (++calls > 3) throw new Error('throws_later: lost its objects');
        },
        validate() {},
        teardown() {
          tornDown = true;
        },
      },
      QUICK_TIMING,
    );
  } catch (e) {
    err = e;
  }
  assert.match(String(err), /throws_later: lost its objects/);
  assert.ok(tornDown);
});

cases('a bad batch is refused before anything runs', async () => {
  let err: unknown;
  try {
    await runCase({ name: 'no_batch', group: 't', batch: 0, fn() {}, validate() {} }, QUICK_TIMING);
  } catch (e) {
    err = e;
  }
  assert.match(String(err), /no_batch: batch must be a positive integer/);
});

cases.run();

// -------------------------------------------------------------------------------------------------
const suites = suite('suites: a suite missing from the build');

/** What loading `s` throws (undefined when it loads). */
async function loadError(s: ReturnType<typeof dynamicSuite>): Promise<unknown> {
  try {
    await s.load({ quick: true, workers: 1 });
  } catch (e) {
    return e;
  }
  return undefined;
}

suites('is a MissingSuiteError naming the module and the cases it should provide', async () => {
  const err = await loadError(dynamicSuite('ghost', './ghost.cases.js', 'ghostCases', ['ghost_get_put']));
  assert.instance(err, MissingSuiteError);
  assert.equal((err as MissingSuiteError).expected, ['ghost_get_put']);
  assert.match((err as Error).message, /benchmarks\/ghost\.cases\.ts is not in this build/);
});

suites('a module without the expected export is missing too, by name', async () => {
  const err = await loadError(dynamicSuite('local', './local.cases.js', 'noSuchExport', ['x']));
  assert.instance(err, MissingSuiteError);
  assert.match((err as Error).message, /does not export a function `noSuchExport`/);
});

suites('the workload across workers: results are checked before they become rows', async () => {
  const good: RunWorkloadWorkers = async ({ workers, source }) => ({
    workers,
    source,
    searches: 1000 * workers,
    searchesPerSecond: 1e6 * workers,
    perWorker: Array.from({ length: workers }, (_, i) => 1e6 * (i === 0 ? 1 : 0.5)),
  });
  const rows = await runThroughput(good, { counts: [1, 2], durationMs: 1, sources: ['pool'] });
  assert.equal(rows.map((r) => [r.source, r.workers, r.nsPerSearchPerThread, r.fairness]), [
    ['pool', 1, 1000, 1],
    ['pool', 2, 1000, 0.5],
  ]);
  const table = throughputTable(rows);
  assert.match(table[2]!, /^pool +1 +1,000,000 +1,000 +100%$/);
  assert.match(table[3]!, /^pool +2 +2,000,000 +1,000 +50%$/);

  const wrongCount: RunWorkloadWorkers = async (o) => ({ ...(await good(o)), perWorker: [1] });
  const zero: RunWorkloadWorkers = async (o) => ({ ...(await good(o)), searchesPerSecond: 0 });
  for (const bad of [wrongCount, zero]) {
    let err: unknown;
    try {
      await runThroughput(bad, { counts: [2], durationMs: 1, sources: ['pool'] });
    } catch (e) {
      err = e;
    }
    assert.match(String(err), /returned no usable result/);
  }
});

suites.run();

// -------------------------------------------------------------------------------------------------
const cli = suite('isopool-bench: the compiled CLI');

cli('--quick on two cases prints the header, cargo lines with ratios, and writes JSON and a chart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isopool-bench-'));
  try {
    const json = join(dir, 'out', 'r.json');
    const chart = join(dir, 'c.html');
    const { code, stdout } = await runCli(['--quick', '--exact', '--filter', 'tls_get_put', '--filter', 'array_stack_get_put', '--json', json, '--chart', chart]);
    assert.is(code, 0, stdout);
    const lines = stdout.split('\n');
    assert.match(lines[0]!, /^isopool-bench: Node v\d+\.\d+\.\d+, V8 [\d.]+\S*, .+, \d+ cores, \S+ \S+, \d{4}-\d\d-\d\dT/);
    assert.ok(lines.includes('running 2 benchmarks'), stdout);
    const rows = lines.filter((l) => l.startsWith('test bench::'));
    assert.is(rows.length, 2, stdout);
    const parsed = rows.map((l) => CARGO.exec(l));
    assert.ok(parsed.every((m) => m !== null), rows.join('\n'));
    assert.equal(parsed.map((m) => m![1]), ['tls_get_put', 'array_stack_get_put']);
    assert.is(parsed[0]![4], '1.00x');
    assert.match(parsed[1]![4]!, /^\d+(\.\d+)?x$/);
    assert.match(stdout, /\ntest result: ok\. 0 passed; 0 failed; 0 ignored; 2 measured; \d+ filtered out\n/);
    assert.not.match(stdout, /contention/);

    const report = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
    assert.is(report['tool'], 'isopool-bench');
    assert.is(report['quick'], true);
    assert.is(report['ok'], true);
    assert.is(report['reference'], 'tls_get_put');
    assert.is(report['contention'], null);
    assert.equal(report['failed'], []);
    const machine = report['machine'] as Record<string, unknown>;
    for (const k of ['node', 'v8', 'cpu', 'platform', 'date']) assert.type(machine[k], 'string', k);
    assert.type(machine['cores'], 'number');
    const rs = report['cases'] as Array<Record<string, unknown>>;
    assert.equal(rs.map((r) => r['name']), ['tls_get_put', 'array_stack_get_put']);
    for (const r of rs) {
      for (const k of ['nsPerIter', 'plusMinusNs', 'marginPct', 'iterPerSec', 'samples', 'batch', 'ratio']) {
        assert.type(r[k], 'number', `${String(r['name'])}.${k}`);
      }
    }
    assert.equal(rs.map((r) => r['group']), ['mempool', 'peers']);
    assert.is(rs[0]!['ratio'], 1);
    assert.equal(rs.map((r) => r['ratioTo']), ['tls_get_put', 'tls_get_put']);
    const html = readFileSync(chart, 'utf8');
    assert.equal([...html.matchAll(/<g class="case" data-case="([^"]+)"/g)].map((m) => m[1]), ['tls_get_put', 'array_stack_get_put']);
    assert.not.match(html, /<script|<link|<img|src=|@import|url\(/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

cli('--in-process times the cases in the CLI\'s own process, same report format', async () => {
  const { code, stdout } = await runCli(['--quick', '--in-process', '--exact', '--filter', 'tls_get_put', '--filter', 'owner_slot_get_put']);
  assert.is(code, 0, stdout);
  const rows = stdout.split('\n').filter((l) => l.startsWith('test bench::'));
  assert.equal(rows.map((l) => CARGO.exec(l)?.[1]), ['tls_get_put', 'owner_slot_get_put']);
});

cli('a child asked for a case the build does not have reports the failure on its result line and exits 1', async () => {
  const { code, stdout } = await runCli(['--quick', '--run-case', 'no_such_case']);
  assert.is(code, 1);
  const line = stdout.split('\n').find((l) => l.startsWith('isopool-bench-result '));
  assert.ok(line !== undefined, stdout);
  assert.equal(JSON.parse(line!.slice('isopool-bench-result '.length)), { ok: false, error: 'no case named no_such_case in this build' });
});

cli('a bad flag is a clear error on stderr and exit status 2, with nothing timed', async () => {
  const { code, stdout, stderr } = await runCli(['--quick', '--wrokers', '2']);
  assert.is(code, 2);
  assert.is(stdout, '');
  assert.match(stderr, /^isopool-bench: error: unknown option "--wrokers"/);
  assert.match(stderr, /Usage: isopool-bench/);
});

cli('the package bin isopool-bench is the compiled CLI, with a node shebang; npm run bench runs it', () => {
  const dir = fileURLToPath(new URL('../../', import.meta.url));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; bin?: Record<string, string> };
  const root = JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  assert.is(pkg.name, 'isopool-bench');
  const bin = pkg.bin?.['isopool-bench'];
  assert.is(bin, 'build/cli.js');
  assert.is(join(dir, bin!), CLI);
  assert.is(readFileSync(CLI, 'utf8').split('\n')[0], '#!/usr/bin/env node');
  assert.match(root.scripts?.['bench'] ?? '', /node benchmarks\/build\/cli\.js/);
});

cli('--help prints the usage and exits 0', async () => {
  const { code, stdout } = await runCli(['--help']);
  assert.is(code, 0);
  assert.match(stdout, /--filter <substr>/);
  assert.match(stdout, /--workers <N>/);
});

cli('a filter that matches nothing is an error: exit status 2, every name listed, nothing run or written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isopool-bench-'));
  try {
    const chart = join(dir, 'c.html');
    const { code, stdout, stderr } = await runCli(['--quick', '--exact', '--filter', 'no_such_case', '--chart', chart]);
    assert.is(code, 2, stderr);
    assert.is(stdout, '');
    assert.match(stderr, /^isopool-bench: error: --filter "no_such_case" matches no name exactly; the names are:\n/);
    for (const name of ['tls_get_put', 'isopool_reusify_get_put', 'workload_alloc', 'workload_workers', 'contention_bitmap']) {
      assert.ok(stderr.includes(`\n  ${name}\n`), `${name} listed`);
    }
    assert.not.ok(existsSync(chart));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

cli('one filter of several that matches nothing is an error too, naming only that one', async () => {
  const { code, stdout, stderr } = await runCli(['--quick', '--filter', 'tls_get_put', '--filter', 'tsl_get']);
  assert.is(code, 2, stderr);
  assert.is(stdout, '');
  assert.match(stderr, /^isopool-bench: error: --filter "tsl_get" matches no name; the names are:/);
});

cli('the run line counts in English: running 1 benchmark, running 0 or 2 benchmarks', () => {
  assert.is(runningLine(1), 'running 1 benchmark');
  assert.is(runningLine(0), 'running 0 benchmarks');
  assert.is(runningLine(2), 'running 2 benchmarks');
});

cli.run();

// -------------------------------------------------------------------------------------------------
const harness = suite('runWorkers and runContention: the worker harness (a stub pool, no SharedPool needed)');

harness('every row counts exactly the pairs its workers ran, on one shared pool or one pool each', async () => {
  const stubUrl = new URL('./helpers/stub-shared-pool.js', import.meta.url).href;
  const stub = (await import(stubUrl)) as typeof import('./helpers/stub-shared-pool.js');
  const rows = await runContention({ workers: 2, durationMs: 20, strategies: ['stub'], poolModule: stubUrl });
  assert.equal(
    rows.map((r) => `${r.cache ? 'on' : 'off'}/${r.pattern}/${r.mode}/${r.workers}`),
    [
      'on/pair/shared/1', 'on/pair/shared/2', 'on/pair/own/2',
      'on/burst/shared/1', 'on/burst/shared/2', 'on/burst/own/2',
      'off/pair/shared/1', 'off/pair/shared/2', 'off/pair/own/2',
    ],
  );
  // The main thread creates one pool per shared row; workers of "own" rows create theirs elsewhere.
  const sharedRows = rows.filter((r) => r.mode === 'shared');
  assert.is(stub.created.length, sharedRows.length);
  sharedRows.forEach((row, i) => {
    const pool = stub.created[i]!;
    // Every worker attached to the one pool, and every pair it reported (plus its warm-up) went through it.
    assert.is(pool.attached, 1 + row.workers);
    assert.is(pool.releases, row.pairs + row.workers * WARMUP_PAIRS);
    assert.is(pool.stats.free, 4096);
  });
  for (const r of rows) {
    assert.ok(r.pairs > 0 && r.pairs % 1024 === 0, `pairs ${r.pairs}`);
    assert.ok(r.mops > 0 && Number.isFinite(r.mops));
    assert.ok(r.nsPerPairPerThread > 0 && Number.isFinite(r.nsPerPairPerThread));
    assert.ok(r.fairness > 0 && r.fairness <= 1);
    assert.is(r.strategy, 'stub');
  }
});

harness('a module without SharedPool is an error, not an empty table', async () => {
  let err: unknown;
  try {
    await runContention({ workers: 1, durationMs: 1, poolModule: new URL('../args.js', import.meta.url).href });
  } catch (e) {
    err = e;
  }
  assert.match(String(err), /exports no SharedPool/);
});

harness('runWorkers: every operation a worker reports happened between the barrier and STOP', async () => {
  const counter = new SharedArrayBuffer(4);
  const got = await runWorkers({
    script: new URL('./workers/harness-fixture.js', import.meta.url),
    workers: 3,
    durationMs: 10,
    data: { mode: 'count', counter },
  });
  assert.is(got.length, 3);
  const ops = got.reduce((s, r) => s + r.ops, 0);
  assert.is(Atomics.load(new Int32Array(counter), 0), ops + 3 * 640);
  for (const r of got) {
    assert.ok(r.ops % 64 === 0 && r.ns > 0);
    assert.type(r.extra['seen'], 'number');
  }
});

harness('runWorkers: a worker that dies before the barrier fails the round instead of hanging it', async () => {
  let err: unknown;
  try {
    await runWorkers({
      script: new URL('./workers/harness-fixture.js', import.meta.url),
      workers: 2,
      durationMs: 10,
      data: { mode: 'throw', counter: new SharedArrayBuffer(4) },
    });
  } catch (e) {
    err = e;
  }
  assert.match(String(err), /fixture worker failed before the barrier/);
});

harness('runContention on the real SharedPool: every strategy, shared and own pools, every worker counted, every block back after each shared run', async () => {
  const rows = await runContention({ workers: 2, durationMs: 10 });
  // 4 strategies x (cache on: pair, burst; cache off: pair) x (1 shared, 2 shared, 2 own).
  assert.is(rows.length, 4 * 3 * 3);
  assert.equal([...new Set(rows.map((r) => r.strategy))], ['mutex', 'treiber', 'mpmc', 'bitmap']);
  for (const r of rows) {
    assert.ok(r.pairs >= r.workers * 1024, `${r.strategy} ${r.pattern} ${r.mode} ${r.workers}: ${r.pairs} pairs`);
    assert.ok(r.pairs % 1024 === 0);
    assert.ok(r.mops > 0 && r.nsPerPairPerThread > 0 && r.fairness > 0 && r.fairness <= 1);
  }
  // With the cache off every pair goes through the shared free list: no cached path to hide in.
  assert.ok(rows.some((r) => !r.cache));
});

harness.run();
