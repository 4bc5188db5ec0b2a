/**
 * Worker for the SharedPool growth suite (tests/shared-pool-growth.test.ts). Modes:
 * - `grab`: waits for GO, then takes `count` blocks with `acquire()` (growing the pool when it finds
 *   none free), stamping each one's first word with its ownerId by CAS (a stamp already there is a
 *   block held by two isolates: FAILS); an acquire that throws counts in THROWS. Counts DONE, waits
 *   for RELEASE, clears its stamps, releases everything and posts its ownerId.
 * - `fill`: waits for GO, then takes blocks with `tryAcquire()` until the pool refuses (it grows one chunk after
 *   another on the way), counting each in PROGRESS, then sets DONE and sleeps until terminated: the
 *   test kills it at some PROGRESS, often inside a growth.
 * Synchronisation is by Atomics on the ctl words only, never sleeps.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedPool, type Block, type SharedPoolHandle } from '../../src/shared/shared-pool.js';

/** Words of the control array each worker shares with the test. */
export const GCTL = { ID: 0, GO: 1, DONE: 2, RELEASE: 3, FAILS: 4, THROWS: 5, PROGRESS: 6 } as const;

interface Data {
  mode: 'grab' | 'fill';
  handle: SharedPoolHandle;
  cache: number;
  /** The test's words (GO, DONE, RELEASE shared by every worker of a round). */
  ctl: Int32Array;
  /** This worker's own words (ID, FAILS, THROWS, PROGRESS). */
  own: Int32Array;
  count: number;
}

const data = workerData as Data;
if (data !== null && typeof data === 'object' && 'mode' in data) run(data);

function run(d: Data): void {
  const pool = SharedPool.attach(d.handle, { cache: d.cache });
  Atomics.store(d.own, GCTL.ID, pool.ownerId);
  Atomics.notify(d.own, GCTL.ID);
  if (d.mode === 'grab') grab(pool, d);
  else fill(pool, d);
}

function waitFor(a: Int32Array, at: number): void {
  // INVARIANT: the test raises the word once and notifies; a bounded wait per look.
  while (Atomics.load(a, at) === 0) Atomics.wait(a, at, 0, 1000);
}

function grab(pool: SharedPool, d: Data): void {
  const words = new Int32Array(d.handle.sab);
  const held: Block[] = [];
  waitFor(d.ctl, GCTL.GO);
  for (let i = 0; i < d.count; i++) {
    let b: Block;
    try {
      b = pool.acquire();
    } catch {
      Atomics.add(d.own, GCTL.THROWS, 1);
      continue;
    }
    // INVARIANT: 0 -> ownerId: fails only if another isolate holds the block now.
    if (Atomics.compareExchange(words, b.bytes.byteOffset >> 2, 0, pool.ownerId) !== 0) Atomics.add(d.own, GCTL.FAILS, 1);
    held.push(b);
  }
  Atomics.add(d.ctl, GCTL.DONE, 1);
  Atomics.notify(d.ctl, GCTL.DONE);
  waitFor(d.ctl, GCTL.RELEASE);
  for (const b of held) {
    // INVARIANT: ownerId -> 0 before the release: the next holder finds it clear.
    if (Atomics.compareExchange(words, b.bytes.byteOffset >> 2, pool.ownerId, 0) !== pool.ownerId) Atomics.add(d.own, GCTL.FAILS, 1);
    pool.release(b);
  }
  pool.flush();
  parentPort!.postMessage({ ownerId: pool.ownerId });
}

function fill(pool: SharedPool, d: Data): void {
  waitFor(d.ctl, GCTL.GO);
  while (pool.tryAcquire() !== undefined) {
    // INVARIANT: progress only grows; the test kills the worker once it reads some value.
    Atomics.add(d.own, GCTL.PROGRESS, 1);
    Atomics.notify(d.own, GCTL.PROGRESS);
  }
  Atomics.store(d.own, GCTL.DONE, 1);
  Atomics.notify(d.own, GCTL.DONE);
  for (;;) Atomics.wait(d.own, GCTL.RELEASE, 0);
}
