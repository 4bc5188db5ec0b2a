/**
 * The workload's benchmark cases (the BenchCase contract) and its worker runner: shape and honesty
 * (validation really checks), never speed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { workloadCases } from '../workloads/cases.js';
import { PATTERNS } from '../workloads/corpus.js';
import { runWorkloadWorkers } from '../workloads/workers.js';
import { DEFAULT_LINES, GcMeter, Workload } from '../workloads/workload.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const cases = suite('workloadCases');

cases('one case per scratch source, in the workload group, a pass of searches per call', () => {
  const list = workloadCases();
  assert.equal(list.map((c) => c.name), ['workload_alloc', 'workload_pool', 'workload_buffer']);
  for (const c of list) {
    assert.is(c.group, 'workload');
    assert.is(c.batch, DEFAULT_LINES * PATTERNS.length);
    assert.ok(c.batch >= 1000, 'batched enough to amortise benny per call');
  }
  assert.equal(workloadCases({ sources: ['pool'], lines: 10 }).map((c) => [c.name, c.batch]), [['workload_pool', 10 * PATTERNS.length]]);
});

cases('validate, a few calls, then extra() reports searches and GC per million searches', () => {
  for (const c of workloadCases({ lines: 20 })) {
    c.validate();
    c.fn();
    c.fn();
    const extra = c.extra!();
    assert.is(extra['searches'], 2 * c.batch, c.name);
    assert.type(extra['gc_per_1M'], 'number');
    assert.type(extra['gc_ms_per_1M'], 'number');
    assert.ok((extra['gc_per_1M'] as number) >= 0 && (extra['gc_ms_per_1M'] as number) >= 0);
    c.teardown!();
  }
});

cases('each collection is charged to the case whose fn() ran last, even when every case was validated first', () => {
  const [a, b] = workloadCases({ sources: ['pool', 'buffer'], lines: 5 });
  a!.validate();
  b!.validate();
  collect(); // before any fn(): nobody's
  a!.fn();
  collect(); // a's
  b!.fn(); // a's meter stops here
  const first = a!.extra!();
  collect(); // b's
  collect(); // b's
  assert.equal(a!.extra!(), first, 'a no longer counts');
  const perMillionA = 1e6 / a!.batch;
  assert.is(first['gc_per_1M'], Math.round(perMillionA * 100) / 100, 'exactly one collection charged to a');
  const bx = b!.extra!();
  assert.is(bx['gc_per_1M'], Math.round((2 * 1e6) / b!.batch * 100) / 100, 'exactly two charged to b');
});

cases('extra() before any timed call reports zeros, not NaN', () => {
  const [c] = workloadCases({ sources: ['alloc'], lines: 5 });
  c!.validate();
  assert.equal(c!.extra!(), { searches: 0, gc_per_1M: 0, gc_ms_per_1M: 0 });
});

cases.run();

const workload = suite('Workload');

workload('validate() fails loudly when the engine disagrees with RegExp', () => {
  const w = new Workload('pool', { lines: 20 });
  const broken = w.regexes[0]!;
  broken.indices = () => null;
  assert.throws(() => w.validate(), /regex workload \(pool\): \/\[A-Za-z_\$\]\[\\w\$\]\*\/ on .*: RegExp \[\[/);
});

workload('validate() fails when the timed pass finds other matches than the checked ones (a pass that measures nothing)', () => {
  const w = new Workload('buffer', { lines: 20 });
  w.pass = () => 0;
  assert.throws(() => w.validate(), /exec\(\) and indices\(\) disagree/);
});

workload('validate() fails when nothing matches', () => {
  const w = new Workload('alloc', { lines: 1 });
  for (const r of w.regexes) r.indices = () => null;
  Object.defineProperty(w, 'lines', { value: ['\u0000'] });
  assert.throws(() => w.validate(), /no pattern matched any line/);
});

workload('a pass counts the same matches for every scratch source', () => {
  const counts = (['alloc', 'pool', 'buffer'] as const).map((s) => new Workload(s, { lines: 30 }).pass());
  assert.ok(counts[0]! > 0);
  assert.equal(counts, [counts[0], counts[0], counts[0]]);
});

workload('GcMeter counts collections while started, synchronously, and stop/start are idempotent', () => {
  const meter = new GcMeter();
  meter.stop();
  meter.start();
  meter.start();
  collect();
  meter.stop();
  meter.stop();
  assert.is(meter.events, 1);
  assert.ok(meter.ms > 0);
  collect();
  assert.is(meter.events, 1, 'nothing counted while stopped');
  meter.start();
  collect();
  meter.stop();
  assert.is(meter.events, 2, 'intervals add up');
  meter.reset();
  assert.is(meter.events, 0);
  assert.is(meter.ms, 0);
});

workload.run();

const workers = suite('runWorkloadWorkers');

workers('two workers each search with their own scratch and report throughput', async () => {
  const r = await runWorkloadWorkers({ workers: 2, durationMs: 50, source: 'pool', lines: 10 });
  assert.is(r.workers, 2);
  assert.is(r.source, 'pool');
  assert.is(r.perWorker.length, 2);
  assert.ok(r.searches >= 2 * 10 * PATTERNS.length, 'each worker finished at least one pass');
  assert.ok(r.perWorker.every((x) => x > 0));
  assert.ok(Math.abs(r.searchesPerSecond - r.perWorker[0]! - r.perWorker[1]!) < 1e-6 * r.searchesPerSecond);
});

workers('a worker that fails rejects the run instead of hanging it', async () => {
  try {
    await runWorkloadWorkers({ workers: 1, durationMs: 10, source: 'nope' as 'pool', lines: 5 });
    assert.unreachable('should reject');
  } catch (error) {
    assert.match((error as Error).message, /scratch must be one of/);
  }
});

workers('bad options are RangeErrors naming the option', async () => {
  for (const [opts, re] of [
    [{ workers: 0, durationMs: 10 }, /`workers` must be an integer >= 1, received 0/],
    [{ workers: 1.5, durationMs: 10 }, /`workers`/],
    [{ workers: 1, durationMs: 0 }, /`durationMs` must be > 0, received 0/],
  ] as const) {
    try {
      await runWorkloadWorkers(opts);
      assert.unreachable();
    } catch (error) {
      assert.instance(error, RangeError);
      assert.match((error as Error).message, re);
    }
  }
});

workers.run();
