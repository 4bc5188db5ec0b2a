/**
 * Worker for the SharedPool fault suites (kills, races, posted Blocks). Modes:
 * - `churn`: acquire and release forever, stamping each held block with `stamp` in its first word by
 *   CAS: a block whose stamp is not 0 when acquired is held by another isolate (a double lend), which
 *   sets FAILS. Publishes PROGRESS every 256 iterations, and pauses there while GO reads 0 (so a
 *   survivor burns no core while the test starts the next victim); runs until terminated.
 * - `race`: one side of a double release: `side` 0 holds a block from its cache and releases it
 *   (the cached path), side 1 releases the same index at once; both then acquire and stamp a few
 *   blocks to catch a block lent twice. `rounds` rounds, synchronised by a barrier on ctl words.
 * - `posted`: receives a Block posted by the test (in workerData) and releases or adopts it as told.
 * - `burst`: for `ms` milliseconds, acquire 64 blocks with `acquire()`, then release them; posts how
 *   many bursts ran and how many acquires threw (with blocks to spare, none may).
 * Synchronisation is by Atomics on shared words only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PoolError } from '../../src/errors.js';
import { SharedPool, type Block, type SharedPoolHandle } from '../../src/shared/shared-pool.js';

/** Words of each worker's control array. */
export const FCTL = { ID: 0, PROGRESS: 1, FAILS: 2, ARRIVE: 3, INDEX: 4, GO: 5, REFUSED: 6 } as const;

interface Data {
  mode: 'churn' | 'race' | 'posted' | 'burst';
  handle: SharedPoolHandle;
  cache: number;
  ctl: Int32Array;
  stamp: number;
  side: number;
  rounds: number;
  block: Block;
  action: 'release' | 'adopt';
  ms: number;
}

const data = workerData as Data;
if (data !== null && typeof data === 'object' && 'mode' in data) run(data);

function run(d: Data): void {
  const pool = SharedPool.attach(d.handle, { cache: d.cache });
  Atomics.store(d.ctl, FCTL.ID, pool.ownerId);
  Atomics.notify(d.ctl, FCTL.ID);
  if (d.mode === 'churn') churn(pool, d);
  else if (d.mode === 'race') race(pool, d);
  else if (d.mode === 'burst') burst(pool, d);
  else posted(pool, d);
}

/** The Int32 index of a block's first word in the pool's buffer (blocks are 64-byte aligned). */
export function stampAt(b: Block): number {
  return b.bytes.byteOffset >> 2;
}

function churn(pool: SharedPool, d: Data): void {
  const words = new Int32Array(d.handle.sab);
  const held: Block[] = [];
  for (let n = 1; ; n++) {
    const b = pool.tryAcquire();
    if (b !== undefined) {
      // INVARIANT: 0 -> stamp: fails only if another isolate holds the block now.
      if (Atomics.compareExchange(words, stampAt(b), 0, d.stamp) !== 0) Atomics.add(d.ctl, FCTL.FAILS, 1);
      held.push(b);
    }
    if (held.length > (n & 3) || b === undefined) {
      const x = held.pop();
      if (x !== undefined) {
        // INVARIANT: stamp -> 0 before the release: the next holder finds it clear.
        if (Atomics.compareExchange(words, stampAt(x), d.stamp, 0) !== d.stamp) Atomics.add(d.ctl, FCTL.FAILS, 1);
        pool.release((n & 8) === 0 ? x : x.index);
      }
    }
    if ((n & 255) === 0) {
      Atomics.add(d.ctl, FCTL.PROGRESS, 1);
      Atomics.notify(d.ctl, FCTL.PROGRESS);
      while (Atomics.load(d.ctl, FCTL.GO) === 0) Atomics.wait(d.ctl, FCTL.GO, 0);
    }
    if ((n & 0x3fff) === 0) pool.flush();
  }
}

/**
 * Waits until `ctl[ARRIVE]` counts `parties` arrivals for this round; each round adds `parties`.
 * Spins first, so that both sides leave within nanoseconds of each other when both are on a core.
 */
function barrier(ctl: Int32Array, parties: number): void {
  const mine = Atomics.add(ctl, FCTL.ARRIVE, 1) + 1;
  const target = Math.ceil(mine / parties) * parties;
  Atomics.notify(ctl, FCTL.ARRIVE);
  for (let spin = 0, seen = Atomics.load(ctl, FCTL.ARRIVE); seen < target; spin++, seen = Atomics.load(ctl, FCTL.ARRIVE)) {
    if (spin > 20_000) Atomics.wait(ctl, FCTL.ARRIVE, seen, 50);
  }
}

function race(pool: SharedPool, d: Data): void {
  const words = new Int32Array(d.handle.sab);
  const tryRelease = (b: Block | number): boolean => {
    try {
      pool.release(b);
      return true;
    } catch (error) {
      if (!(error instanceof PoolError)) throw error;
      return false;
    }
  };
  for (let r = 0; r < d.rounds; r++) {
    let mine: Block | undefined;
    if (d.side === 0) {
      mine = pool.acquire();
      pool.release(mine);
      mine = pool.acquire(); // from this isolate's cache: its release is the plain cached path
      Atomics.store(d.ctl, FCTL.INDEX, mine.index);
    }
    barrier(d.ctl, 2);
    const ok = d.side === 0 ? tryRelease(mine!) : tryRelease(Atomics.load(d.ctl, FCTL.INDEX));
    if (!ok) Atomics.add(d.ctl, FCTL.REFUSED, 1);
    barrier(d.ctl, 2);
    // Both sides lend what they can and stamp it: a block lent twice shows as a stamp collision.
    const got: Block[] = [];
    for (let i = 0; i < 4; i++) {
      const b = pool.tryAcquire();
      if (b === undefined) break;
      if (Atomics.compareExchange(words, stampAt(b), 0, d.stamp) !== 0) Atomics.add(d.ctl, FCTL.FAILS, 1);
      got.push(b);
    }
    barrier(d.ctl, 2);
    for (const b of got) {
      Atomics.compareExchange(words, stampAt(b), d.stamp, 0);
      pool.release(b);
    }
    barrier(d.ctl, 2);
  }
  pool.flush();
  parentPort!.postMessage({ ownerId: pool.ownerId });
}

function posted(pool: SharedPool, d: Data): void {
  try {
    if (d.action === 'adopt') pool.release(pool.adopt(d.block));
    else pool.release(d.block);
    parentPort!.postMessage({ ok: true, keys: Object.keys(d.block).sort() });
  } catch (error) {
    parentPort!.postMessage({ ok: false, code: (error as PoolError).code ?? String(error) });
  }
}

function burst(pool: SharedPool, d: Data): void {
  const held: Block[] = [];
  const end = performance.now() + d.ms;
  let bursts = 0;
  let refused = '';
  while (performance.now() < end) {
    try {
      for (let i = 0; i < 64; i++) held.push(pool.acquire());
    } catch (error) {
      if (!(error instanceof PoolError)) throw error;
      refused ||= error.code;
    }
    while (held.length > 0) pool.release(held.pop()!);
    bursts++;
  }
  parentPort!.postMessage({ bursts, refused });
}
