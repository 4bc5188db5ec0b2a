/**
 * `isopool-bench --module`: loading and checking the user's module, the cases it gets, what the
 * collector columns measure, the verdict's rule (on figures given, never on timings taken here),
 * and the CLI end to end (the verdict's direction is not asserted: it depends on the machine).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { measureAllocation } from '../allocation.js';
import { describeObject, loadUserModule, moduleCases, ModuleError } from '../module-cases.js';
import { PAYS_BELOW, verdict } from '../module-run.js';
import type { CaseResultNs } from '../runner.js';
import { runCli } from './helpers/run-cli.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));


// -------------------------------------------------------------------------------------------------
const load = suite('--module: loading and checking the module');

load('an ESM module with create, and a CommonJS one with create and reset, load', async () => {
  const esm = await loadUserModule(fixture('scratch-16k.mjs'));
  assert.is(esm.reset, undefined);
  assert.is(describeObject(esm.sample), 'Uint8Array(16384), 16,384 bytes');
  assert.equal(esm.typedArray?.length, 16384);
  const cjs = await loadUserModule(fixture('parser-state.cjs'));
  assert.type(cjs.reset, 'function');
  assert.is(describeObject(cjs.sample), 'an object of class ParserState');
  assert.is(cjs.typedArray, undefined);
  assert.is(describeObject({ x: 1, y: 2 }), 'an object { x, y }');
});

const rejects = async (name: string, message: RegExp) => {
  try {
    await loadUserModule(fixture(name));
  } catch (err) {
    assert.instance(err, ModuleError);
    assert.match((err as Error).message, message);
    return;
  }
  assert.unreachable(`${name} loaded`);
};

load('a module that cannot be measured fails with a sentence naming what is missing', async () => {
  await rejects('no-create.mjs', /must export a function create\(\) that makes one object to pool; it exports make, reset$/);
  await rejects('create-number.mjs', /create\(\) must return an object to pool, received number 42$/);
  await rejects('bad-reset.mjs', /its export reset must be a function reset\(obj\) \(run on release\), received string zero it$/);
  await rejects('singleton.mjs', /create\(\) returned the same object twice/);
  await rejects('missing.mjs', /cannot load .*missing\.mjs/);
});

load('the cases: allocation, a LocalPool, and a BufferPool only for a typed array; each validates', async () => {
  const typed = moduleCases(await loadUserModule(fixture('scratch-16k.mjs')), true);
  assert.equal(typed.map((c) => c.name), ['module_alloc', 'module_pool', 'module_buffer']);
  const plain = moduleCases(await loadUserModule(fixture('point.mjs')), true);
  assert.equal(plain.map((c) => c.name), ['module_alloc', 'module_pool']);
  for (const c of [...typed, ...plain]) {
    assert.is(c.group, 'module');
    c.validate();
    c.teardown?.();
  }
});

load.run();

// -------------------------------------------------------------------------------------------------
const meter = suite('--module: the collector columns');

let kept: unknown = null;
meter('bytes per 1M iterations: an allocating loop shows its objects, a reusing one about nothing', () => {
  const allocating = measureAllocation(() => {
    for (let i = 0; i < 1000; i++) kept = { a: i, b: i };
  }, { batch: 1000, budgetMs: 20 });
  const reusing = measureAllocation(() => {
    for (let i = 0; i < 1000; i++) kept = i;
  }, { batch: 1000, budgetMs: 20 });
  // A two-field object is a few machine words: between 16 and 200 bytes on any 64-bit V8. The
  // window's own bookkeeping (the profiler, the clock) is a few hundred kB at most, spread over the
  // iterations of a short window: a few bytes an iteration (1.5 and 4.1 on Node 24 and 26 under
  // load, in CI), against the object's tens.
  assert.ok(allocating.bytesPer1M > 16e6 && allocating.bytesPer1M < 200e6, `${allocating.bytesPer1M}`);
  assert.ok(reusing.bytesPer1M < 8e6, `${reusing.bytesPer1M}`);
  assert.ok(allocating.bytesPer1M > 4 * reusing.bytesPer1M, `${allocating.bytesPer1M} vs ${reusing.bytesPer1M}`);
  assert.ok(allocating.iterations >= 1000 && allocating.iterations <= 1e6);
});

meter('off-heap bytes the case reports are added; a bad batch is a RangeError', () => {
  let made = 0;
  const r = measureAllocation(() => void (made += 1000), { batch: 1000, budgetMs: 1, offHeapBytes: () => made * 4096 });
  assert.ok(Math.abs(r.bytesPer1M - 4096e6) < 1e6 * 64, `${r.bytesPer1M}`);
  assert.throws(() => measureAllocation(() => undefined, { batch: 0, budgetMs: 1 }), RangeError);
});

meter.run();

// -------------------------------------------------------------------------------------------------
const rule = suite('--module: the verdict');

function result(name: string, ns: number, plusMinus: number, gc?: number, bytes?: number): CaseResultNs {
  return {
    name,
    group: 'module',
    batch: 1000,
    ns,
    plusMinus,
    marginPct: (plusMinus / ns) * 100,
    iterPerSec: 1e9 / ns,
    callsPerSec: 1e6 / ns,
    samples: 10,
    ...(gc === undefined ? {} : { extra: { gc_per_1M: gc, gc_ms_per_1M: 1, alloc_bytes_per_1M: bytes ?? 0 } }),
  };
}

rule('pays: the fastest pooled case is clearly faster, by more than the margin; the line gives the ratio and the GC saved', () => {
  const v = verdict(result('module_alloc', 3000, 150, 476.92, 16.5e9), [result('module_pool', 6, 0.5, 0, 0), result('module_buffer', 40, 2, 0, 0)]);
  assert.ok(v.pays);
  assert.is(v.ratio, 6 / 3000);
  assert.is(
    v.line,
    'verdict: pooling pays for this object: a LocalPool round trip is 500.0x faster than allocating one (6.00 ns against 3,000 ns, ratio 0.0020), and 0 GC events per 1M iterations instead of 476.92 (allocating: 16,500 MB)',
  );
});

rule('does not pay: allocation is faster', () => {
  const v = verdict(result('module_alloc', 12, 1, 10, 40e6), [result('module_pool', 30, 2, 0, 0)]);
  assert.not.ok(v.pays);
  assert.is(
    v.line,
    'verdict: pooling does not pay for this object: allocating one (12 ns) is 2.5x faster than a LocalPool round trip (30 ns, ratio 2.5): it is cheap to make and its garbage dies young (10 GC events and 40 MB allocated per 1M iterations)',
  );
});

rule(`does not pay: faster only within the margins, or by less than ${Math.round((1 - PAYS_BELOW) * 100)}%`, () => {
  const noisy = verdict(result('module_alloc', 20, 4), [result('module_buffer', 15, 3)]);
  assert.not.ok(noisy.pays);
  assert.is(
    noisy.line,
    "verdict: pooling does not pay for this object: a BufferPool round trip (15 ns, ratio 0.75) is not clearly faster than allocating one (20 ns): the difference is within this run's noise or under 10%",
  );
  const slight = verdict(result('module_alloc', 100, 0.1), [result('module_pool', 95, 0.1)]);
  assert.not.ok(slight.pays);
  assert.match(slight.line, /is not clearly faster than allocating one/);
  // Slower, but within the margins: too close to tell, not "allocation is faster".
  const close = verdict(result('module_alloc', 17, 2), [result('module_pool', 17.7, 2)]);
  assert.match(close.line, /LocalPool round trip \(18 ns, ratio 1\.0\) is not clearly faster/);
  assert.throws(() => verdict(result('module_alloc', 1, 0), []), RangeError);
});

rule.run();

// -------------------------------------------------------------------------------------------------
const cli = suite('--module: the CLI');

const LINE = /^test bench::(module_\w+) +\.\.\. bench: +[\d,.]+ ns\/iter \(\+\/- [\d,.]+\) +\S+x  gc_per_1M=[\d.]+ gc_ms_per_1M=[\d.]+ alloc_bytes_per_1M=\d+$/;

cli('a typed-array module: three cases in child processes, the collector columns, a verdict, JSON with it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isopool-module-'));
  try {
    const json = join(dir, 'm.json');
    const { code, stdout, stderr } = await runCli(['--quick', '--module', fixture('scratch-16k.mjs'), '--json', json]);
    assert.is(code, 0, stderr);
    const lines = stdout.split('\n');
    assert.ok(lines.some((l) => l.startsWith('module: ') && l.endsWith('create() makes Uint8Array(16384), 16,384 bytes; reset: no')), stdout);
    assert.ok(lines.includes('running 3 benchmarks'), stdout);
    assert.ok(lines.includes("ratio column: ns/iter / module_alloc's ns/iter; results are comparable only within one run."), stdout);
    const rows = lines.filter((l) => l.startsWith('test bench::'));
    assert.equal(rows.map((l) => LINE.exec(l)?.[1]), ['module_alloc', 'module_pool', 'module_buffer']);
    const verdicts = lines.filter((l) => l.startsWith('verdict: '));
    assert.is(verdicts.length, 1);
    assert.match(verdicts[0]!, /^verdict: pooling (pays|does not pay) for this object: .*ratio \d/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { verdict: { pays: boolean; line: string }; module: { object: string }; cases: { ratioTo: string }[] };
    assert.is(report.verdict.line, verdicts[0]);
    assert.is(report.verdict.pays, verdicts[0]!.startsWith('verdict: pooling pays'));
    assert.is(report.module.object, 'Uint8Array(16384), 16,384 bytes');
    assert.equal(report.cases.map((c) => c.ratioTo), ['module_alloc', 'module_alloc', 'module_alloc']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

cli('a plain object in process: two cases, no BufferPool row', async () => {
  const { code, stdout, stderr } = await runCli(['--quick', '--in-process', '--module', fixture('point.mjs')]);
  assert.is(code, 0, stderr);
  const rows = stdout.split('\n').filter((l) => l.startsWith('test bench::'));
  assert.equal(rows.map((l) => LINE.exec(l)?.[1]), ['module_alloc', 'module_pool']);
});

cli('a module without create() exits 2 with the reason on stderr, nothing on stdout', async () => {
  const { code, stdout, stderr } = await runCli(['--quick', '--module', fixture('no-create.mjs')]);
  assert.is(code, 2);
  assert.is(stdout, '');
  assert.match(stderr, /^isopool-bench: error: --module .*no-create\.mjs must export a function create\(\)/);
});

cli('--module with --filter is a usage error', async () => {
  const { code, stderr } = await runCli(['--module', fixture('point.mjs'), '--filter', 'tls']);
  assert.is(code, 2);
  assert.match(stderr, /--module runs its own cases .*--filter does not apply/);
});

cli.run();
