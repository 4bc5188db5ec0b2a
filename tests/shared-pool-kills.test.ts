/**
 * SharedPool under real `worker.terminate()` at random moments, over every strategy: on each of two
 * pools a survivor worker churns throughout (stamping every block it holds), while victims churn
 * beside it (cache on and off) and are terminated one after another; last the survivor. Each kill
 * checks that the survivor keeps making progress and the main thread's calls return before any
 * reclaim (no wedge, within a deadline), that no block was held by two isolates at once (stamps),
 * and after the reclaims that every block comes back exactly once. Prints the totals per strategy
 * (the README's Reliability table).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { SharedPool, type Block, type Strategy } from '../src/index.js';
import { H, MUTEX } from '../src/shared/layout.js';
import { TRANSIT } from '../src/shared/ownership.js';
import { drain, FAULT_WORKER, owners, STRATEGIES } from './helpers/shared.js';
import { FCTL, stampAt } from './workers/shared-fault-worker.js';

const BLOCKS = 16;
/** Victims per pool; each strategy runs two pools at once (workers with and without a cache). */
const VICTIMS = 26;
/**
 * How long a live worker may go without progress before it counts as wedged. Not a speed claim: a
 * wedged call never returns; a live one passes 256 iterations in well under a millisecond, and
 * one held up by a dead lock holder waits PATIENCE_MS (100 ms) once.
 */
const DEADLINE_MS = 10_000;

interface Outcome {
  kills: number;
  midOperation: number;
  wedges: number;
  lost: number;
  doubleLends: number;
}

/** Resolves true once `ctl[at]` reads at least `n`, false if `ms` pass first. */
async function reaches(ctl: Int32Array, at: number, n: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    const seen = Atomics.load(ctl, at);
    if (seen >= n) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    const r = Atomics.waitAsync(ctl, at, seen, left);
    if (r.async) await r.value;
  }
}

interface Churner {
  worker: Worker;
  ctl: Int32Array;
  stamp: number;
}

function churner(pool: SharedPool, cache: number, stamp: number): Churner {
  const ctl = new Int32Array(new SharedArrayBuffer(16 * 4));
  ctl[FCTL.GO] = 1;
  const worker = new Worker(FAULT_WORKER, { workerData: { mode: 'churn', handle: pool.handle, cache, ctl, stamp } });
  worker.on('error', () => {}); // terminate() is the only way out
  return { worker, ctl, stamp };
}

/** Whether the dead isolate left a trace of an operation in flight: a lock it holds, a block in transit. */
function midOperation(pool: SharedPool, id: number): boolean {
  const a = new Int32Array(pool.handle.sab);
  if (pool.strategy === 'mutex' && Atomics.load(a, (a[H.FREE_OFFSET]! >> 2) + MUTEX.LOCK) >>> 1 === id) return true;
  return Array.from(owners(pool)).some((w) => w === (TRANSIT | id));
}

/** The main thread's round of calls while a worker lies dead: all must return (bounded). */
function mainRound(pool: SharedPool, words: Int32Array): number {
  let fails = 0;
  const got: Block[] = [];
  for (let i = 0; i < 4; i++) {
    const b = pool.tryAcquire();
    if (b === undefined) break;
    if (Atomics.compareExchange(words, stampAt(b), 0, 99) !== 0) fails++;
    got.push(b);
  }
  for (const b of got) {
    Atomics.store(words, stampAt(b), 0);
    pool.release(b);
  }
  return fails;
}

/** Clears the stamps a terminated worker left on the blocks it held (before reclaim lends them again). */
function clearStamps(pool: SharedPool, words: Int32Array, stamp: number): void {
  for (let k = 0; k < pool.blocks; k++) {
    const at = (words[H.BLOCKS_OFFSET]! + k * words[H.STRIDE]!) >> 2;
    Atomics.compareExchange(words, at, stamp, 0);
  }
}

/**
 * Terminates `dying` at a random moment (after 1 to 6 x 256 iterations); `survivor` (if any) must
 * keep making progress, and the main thread's calls return, before the reclaim.
 */
async function kill(pool: SharedPool, words: Int32Array, dying: Churner, survivor: Churner | undefined, out: Outcome): Promise<void> {
  if (survivor !== undefined) go(survivor, 1);
  assert.ok(await reaches(dying.ctl, FCTL.PROGRESS, 1 + Math.floor(Math.random() * 6), DEADLINE_MS), 'the worker started');
  const id = Atomics.load(dying.ctl, FCTL.ID);
  await dying.worker.terminate();
  out.kills++;
  if (midOperation(pool, id)) out.midOperation++;
  out.doubleLends += mainRound(pool, words);
  if (survivor !== undefined && !(await reaches(survivor.ctl, FCTL.PROGRESS, Atomics.load(survivor.ctl, FCTL.PROGRESS) + 2, DEADLINE_MS))) out.wedges++;
  out.doubleLends += Atomics.load(dying.ctl, FCTL.FAILS);
  clearStamps(pool, words, dying.stamp);
  pool.reclaim(id);
  if (survivor !== undefined) go(survivor, 0);
}

/** Lets a churner run (1) or pause at its next progress mark (0). */
function go(c: Churner, on: number): void {
  Atomics.store(c.ctl, FCTL.GO, on);
  Atomics.notify(c.ctl, FCTL.GO);
}

/** One pool: a survivor churns throughout while `VICTIMS` workers churn beside it and are killed one by one; then the survivor. */
async function run(strategy: Strategy, cache: number, out: Outcome): Promise<void> {
  const pool = SharedPool.create({ blockSize: 64, blocks: BLOCKS, cache: 0, strategy });
  const words = new Int32Array(pool.handle.sab);
  const survivor = churner(pool, cache, 1);
  for (let v = 0; v < VICTIMS - 1; v++) await kill(pool, words, churner(pool, v % 2 === 0 ? 0 : 8, 2 + v), survivor, out);
  go(survivor, 1);
  await kill(pool, words, survivor, undefined, out);
  out.lost += BLOCKS - drain(pool);
  assert.ok(Array.from(owners(pool)).every((w) => w === 0), `${strategy}: every owner word reads free`);
}

const test = suite('SharedPool under worker.terminate() at random moments');

for (const strategy of STRATEGIES) {
  test(`${2 * VICTIMS} kills (${strategy}): no wedge, no block lent twice, nothing lost after reclaim`, async () => {
    const out: Outcome = { kills: 0, midOperation: 0, wedges: 0, lost: 0, doubleLends: 0 };
    await Promise.all([run(strategy, 0, out), run(strategy, 8, out)]);
    console.log(`  kills ${strategy}: ${out.kills} kills, ${out.midOperation} left an operation in flight, ${out.wedges} wedges, ${out.lost} blocks lost, ${out.doubleLends} double lends`);
    assert.is(out.kills, 2 * VICTIMS);
    assert.is(out.wedges, 0, 'a live isolate stopped making progress after a kill');
    assert.is(out.doubleLends, 0, 'a block was held by two isolates');
    assert.is(out.lost, 0, 'blocks were lost after reclaim');
  });
}

test.run();
