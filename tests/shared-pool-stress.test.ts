/**
 * SharedPool under real worker_threads, over every strategy: long runs with hand-offs between
 * workers that must lose and double no block, and workers terminated while holding, caching, or
 * inside a free-list operation, whose blocks reclaim must bring back. Synchronised by Atomics words.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { SharedPool, type Strategy } from '../src/index.js';
import { MAX_OWNER_ID } from '../src/shared/ownership.js';
import { FAULT_WORKER, owners, SHARED_WORKER, STRATEGIES, wordAtLeast } from './helpers/shared.js';
import { CTL, INBOX_WORDS, STRESS_PROGRESS } from './workers/shared-worker.js';

const WORKERS = 4;
const PAIRS = 100_000;

interface StressReport {
  ownerId: number;
  acquired: number;
  sent: number;
  received: number;
  failures: string;
  cachedHere: number;
  lentHere: number;
}

function finish<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    let message: T | undefined;
    worker.once('message', (m: T) => (message = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 && message !== undefined ? resolve(message) : reject(new Error(`worker exited ${code}`))));
  });
}

/** Seconds without one more acquire, in any worker, after which a stress run counts as stalled. */
const STALL_S = 30;

/**
 * Rejects, with what the pool's words say, if the workers stop acquiring for STALL_S seconds (a
 * block lost, or a loop that never ends): a failure with evidence instead of a suite that hangs.
 * Never resolves otherwise; its timer stops when the workers exit.
 */
function stalled(pool: SharedPool, ctl: Int32Array, workers: Worker[]): Promise<never> {
  return new Promise((_, reject) => {
    let last = -1;
    let still = 0;
    const timer = setInterval(() => {
      const progress = workers.map((_, me) => Atomics.load(ctl, STRESS_PROGRESS + 8 * me));
      const sum = progress.reduce((s, p) => s + p, 0);
      still = sum === last ? still + 1 : 0;
      last = sum;
      if (still < STALL_S) return;
      clearInterval(timer);
      const table = Array.from(owners(pool));
      const words = `free ${table.filter((w) => w === 0).length}, lent ${table.filter((w) => w > 0 && w <= MAX_OWNER_ID).length}, cached ${table.filter((w) => w < 0).length}, in transit ${table.filter((w) => w > MAX_OWNER_ID).length}`;
      for (const w of workers) void w.terminate();
      reject(new Error(`stress run stalled for ${STALL_S} s: acquires per worker ${progress.join(', ')}; stats.free ${pool.stats.free}; owner words: ${words}`));
    }, 1000);
    let exited = 0;
    for (const w of workers) w.once('exit', () => ++exited === workers.length && clearInterval(timer));
  });
}

/** Four workers, 100,000 pairs each, every 8th-ish block handed to the next worker and released there. */
async function stress(strategy: Strategy, cache: number): Promise<void> {
  // Cache on: enough blocks that caches + holds + inboxes never exhaust the pool (so no hoarding
  // deadlock); cache off: scarce, so acquires meet an empty list and hand-offs race for blocks.
  const blocks = cache > 0 ? 512 : 48;
  const pool = SharedPool.create({ blockSize: 64, blocks, cache: 0, strategy });
  const ctl = new Int32Array(new SharedArrayBuffer(4 * (16 + 8 * WORKERS)));
  const inbox = new Int32Array(new SharedArrayBuffer(4 * INBOX_WORDS * WORKERS));
  const workers = Array.from({ length: WORKERS }, (_, me) =>
    new Worker(SHARED_WORKER, { workerData: { mode: 'stress', handle: pool.handle, cache, ctl, inbox, me, workers: WORKERS, pairs: PAIRS } }),
  );
  const reports = await Promise.race([Promise.all(workers.map((w) => finish<StressReport>(w))), stalled(pool, ctl, workers)]);
  const failures = reports.map((r) => r.failures).filter((f) => f !== '');
  assert.equal(failures, [], `${strategy}/${cache}: a block was held by two isolates`);
  // (A worker's own lentHere may count blocks still in the next worker's inbox when it reports; the
  // owner table below, read after every worker exited, is the check.)
  for (const r of reports) assert.is(r.acquired, PAIRS);
  const sent = reports.reduce((s, r) => s + r.sent, 0);
  assert.is(reports.reduce((s, r) => s + r.received, 0), sent);
  assert.ok(sent > 0, 'blocks were handed between workers');
  // Quiescence: every block is free or idle in a (now exited) worker's cache.
  const cached = reports.reduce((s, r) => s + r.cachedHere, 0);
  assert.is(pool.stats.free + cached, blocks, `${strategy}/${cache}: free ${pool.stats.free} + cached ${cached}`);
  const table = owners(pool);
  for (const r of reports) assert.is(table.filter((w) => w === -r.ownerId).length, r.cachedHere, 'owner table against a cache');
  assert.is(table.filter((w) => w > 0).length, 0, 'blocks still marked lent at quiescence');
  for (const r of reports) pool.reclaim(r.ownerId);
  assert.is(pool.stats.free, blocks);
  const all = Array.from({ length: blocks }, () => pool.acquire().index);
  assert.is(new Set(all).size, blocks);
}

const test = suite('SharedPool under real worker_threads');

for (const cache of [32, 0]) {
  test(`4 workers x 100,000 pairs with hand-offs lose and double no block (every strategy, cache ${cache})`, async () => {
    // Two configurations at a time: 8 workers on this 2-core box, enough contention, bounded time.
    for (let i = 0; i < STRATEGIES.length; i += 2) {
      await Promise.all(STRATEGIES.slice(i, i + 2).map((s) => stress(s, cache)));
    }
  });
}

for (const strategy of STRATEGIES) {
  test(`a terminated worker's held and cached blocks all come back through reclaim (${strategy})`, async () => {
    const pool = SharedPool.create({ blockSize: 64, blocks: 64, strategy });
    const ctl = new Int32Array(new SharedArrayBuffer(4 * 16));
    const worker = new Worker(SHARED_WORKER, { workerData: { mode: 'hold', handle: pool.handle, cache: 16, ctl, me: 0, hold: 5, cacheFill: 9 } });
    const report = new Promise<{ ownerId: number; lentHere: number; cachedHere: number }>((resolve) => worker.once('message', resolve));
    await wordAtLeast(ctl, CTL.READY, 1);
    const r = await report;
    assert.is(r.lentHere, 5);
    assert.ok(r.cachedHere > 0);
    assert.is(pool.stats.free, 64 - 5 - r.cachedHere);
    await worker.terminate();
    assert.is(pool.reclaim(r.ownerId), 5 + r.cachedHere);
    assert.is(pool.stats.free, 64);
    assert.ok(Array.from(owners(pool)).every((w) => w === 0));
  });
}

for (const strategy of ['mutex', 'bitmap'] as Strategy[]) {
  test(`a worker terminated mid-work, even inside a free-list operation, loses nothing after reclaim (${strategy})`, async () => {
    for (const cache of [0, 8]) {
      const blocks = 16;
      const pool = SharedPool.create({ blockSize: 64, blocks, strategy, cache: 0 });
      const ctl = new Int32Array(new SharedArrayBuffer(4 * 16));
      const worker = new Worker(SHARED_WORKER, { workerData: { mode: 'busy', handle: pool.handle, cache, ctl, me: 0 } });
      await wordAtLeast(ctl, CTL.PROGRESS, 20);
      await worker.terminate();
      pool.reclaim(Atomics.load(ctl, CTL.ID));
      assert.is(pool.stats.free, blocks);
      assert.ok(Array.from(owners(pool)).every((w) => w === 0));
      const all = Array.from({ length: blocks }, () => pool.acquire().index);
      assert.is(new Set(all).size, blocks);
    }
  });
}

test('two workers bursting on one pool with blocks to spare never find it exhausted (regression: a pop starved by a busy neighbour gave up, and acquire() threw ERR_POOL_EXHAUSTED with 4,096 blocks free)', async () => {
  for (const strategy of STRATEGIES) {
    for (const cache of [32, 0]) {
      const pool = SharedPool.create({ blockSize: 64, blocks: 1024, cache: 0, strategy });
      const workers = [0, 1].map(() => new Worker(FAULT_WORKER, { workerData: { mode: 'burst', handle: pool.handle, cache, ctl: new Int32Array(new SharedArrayBuffer(64)), ms: 400 } }));
      const got = await Promise.all(workers.map((w) => finish<{ bursts: number; refused: string }>(w)));
      for (const g of got) {
        assert.is(g.refused, '', `${strategy}/${cache}: an acquire threw with blocks to spare`);
        assert.ok(g.bursts > 0);
      }
    }
  }
});

test.run();
