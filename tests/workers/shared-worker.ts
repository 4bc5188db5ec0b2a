/**
 * Worker for the SharedPool tests. Modes:
 * - `stress`: acquire/release `pairs` blocks, stamping each with this worker's number and checking the
 *   stamp before release; every 8th block goes to the next worker's inbox and is released there.
 * - `hold`: lend `hold` blocks and cache `cache` more, publish the owner id, then park until terminated.
 * - `busy`: acquire and release forever (publishing progress) until terminated.
 * - `wait`: announce, then acquireSync({ timeout }); report the block it got, or the error code.
 * - `waitAsync`: acquireAsync({ timeout }); ARMED says its waitAsync is pending (1; 2 if it was
 *   served at once); report the block it got, or the error code.
 * Synchronisation is by Atomics on shared words only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedPool, type Block, type SharedPoolHandle } from '../../src/index.js';
import { inspectSharedPool } from '../../src/shared/shared-pool.js';

/** Words of the control array shared with the test. */
export const CTL = { DONE: 0, EVENT: 1, ID: 2, READY: 3, PROGRESS: 4, PARK: 5, ARMED: 6 } as const;
/** In `stress` mode, worker `me` publishes its acquire count at ctl[STRESS_PROGRESS + 8 * me]. */
export const STRESS_PROGRESS = 16;
export const INBOX_CAP = 64;
/** Int32 words per inbox: head, tail (each on its own line), ring. */
export const INBOX_WORDS = 32 + INBOX_CAP;

interface Data {
  mode: 'stress' | 'hold' | 'busy' | 'wait' | 'waitAsync';
  handle: SharedPoolHandle;
  cache: number;
  ctl: Int32Array;
  me: number;
  workers: number;
  pairs: number;
  inbox: Int32Array;
  hold: number;
  cacheFill: number;
  /** `wait` and `waitAsync` modes: the acquire's timeout in ms. */
  timeout: number;
}

const data = workerData as Data;
if (data !== null && typeof data === 'object' && 'mode' in data) run(data);

function run(d: Data): void {
  const pool = SharedPool.attach(d.handle, { cache: d.cache });
  const ctl = d.ctl;
  Atomics.store(ctl, CTL.ID + 8 * d.me, pool.ownerId);
  if (d.mode === 'stress') stress(pool, d);
  else if (d.mode === 'hold') hold(pool, d);
  else if (d.mode === 'busy') busy(pool, d);
  else if (d.mode === 'waitAsync') waitAsyncOne(pool, d);
  else waitOne(pool, d);
}

function stress(pool: SharedPool, d: Data): void {
  const words = new Int32Array(d.handle.sab);
  const stamp = (b: Block | number): number => {
    const bytes = typeof b === 'number' ? blockBytes(pool, b) : b.bytes;
    return bytes.byteOffset >> 2;
  };
  const mine = d.me + 1;
  const next = (d.me + 1) % d.workers;
  const held: Block[] = [];
  let acquired = 0;
  let sent = 0;
  let received = 0;
  let failures = '';
  let seed = d.me * 7919 + 1;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const fail = (msg: string): void => {
    if (failures === '') failures = msg;
  };
  const letGo = (b: Block): void => {
    const was = Atomics.compareExchange(words, stamp(b), mine, 0);
    if (was !== mine) fail(`block ${b.index} stamped ${was} when worker ${mine} released it`);
    pool.release(b);
  };
  const drain = (): void => {
    const box = d.inbox;
    const base = d.me * INBOX_WORDS;
    let h = Atomics.load(box, base);
    const t = Atomics.load(box, base + 16);
    while (h !== t) {
      const i = Atomics.load(box, base + 32 + (h & (INBOX_CAP - 1)));
      h++;
      received++;
      const was = Atomics.compareExchange(words, stamp(i), mine, 0);
      if (was !== mine) fail(`block ${i} stamped ${was} when worker ${mine} received it`);
      // Half by index from a foreign isolate, half adopted first (then it is this isolate's to cache).
      if ((h & 1) === 0) pool.release(i);
      else pool.release(pool.adopt(i));
    }
    Atomics.store(box, base, h);
  };
  const send = (b: Block): boolean => {
    const box = d.inbox;
    const base = next * INBOX_WORDS;
    const t = Atomics.load(box, base + 16);
    if (t - Atomics.load(box, base) >= INBOX_CAP) return false;
    const was = Atomics.compareExchange(words, stamp(b), mine, next + 1);
    if (was !== mine) fail(`block ${b.index} stamped ${was} when worker ${mine} sent it`);
    Atomics.store(box, base + 32 + (t & (INBOX_CAP - 1)), b.index);
    Atomics.store(box, base + 16, t + 1);
    Atomics.add(d.ctl, CTL.EVENT, 1);
    Atomics.notify(d.ctl, CTL.EVENT);
    sent++;
    return true;
  };

  while (acquired < d.pairs) {
    drain();
    const b = pool.tryAcquire();
    if (b !== undefined) {
      acquired++;
      // The test's watchdog reads this to tell a stalled run from a slow one.
      if ((acquired & 255) === 0) Atomics.store(d.ctl, STRESS_PROGRESS + 8 * d.me, acquired);
      const was = Atomics.compareExchange(words, stamp(b), 0, mine);
      if (was !== 0) fail(`block ${b.index} stamped ${was} when worker ${mine} acquired it`);
      held.push(b);
    }
    const r = rand() >>> 8; // the LCG's low bits cycle fast
    if (held.length > 0 && (b === undefined || held.length > 1 + (r & 3))) {
      const x = held.splice(r % held.length, 1)[0]!;
      if ((r & 0x70) !== 0 || !send(x)) letGo(x);
    }
  }
  for (const b of held) letGo(b);
  Atomics.add(d.ctl, CTL.DONE, 1);
  Atomics.add(d.ctl, CTL.EVENT, 1);
  Atomics.notify(d.ctl, CTL.EVENT);
  // Keep receiving until every worker has stopped sending (each counts DONE after its last send).
  for (;;) {
    const e = Atomics.load(d.ctl, CTL.EVENT);
    drain();
    if (Atomics.load(d.ctl, CTL.DONE) === d.workers) break;
    Atomics.wait(d.ctl, CTL.EVENT, e);
  }
  drain();
  const s = pool.stats;
  parentPort!.postMessage({ ownerId: pool.ownerId, acquired, sent, received, failures, cachedHere: s.cachedHere, lentHere: s.lentHere });
}

function blockBytes(pool: SharedPool, index: number): Uint8Array {
  const g = new Int32Array(pool.handle.sab, 0, 16);
  // Header words 5 (stride) and 8 (blocks offset); see src/shared/layout.ts.
  return new Uint8Array(pool.handle.sab, g[8]! + index * g[5]!, pool.blockSize);
}

function hold(pool: SharedPool, d: Data): void {
  const held: Block[] = [];
  for (let i = 0; i < d.hold + d.cacheFill; i++) held.push(pool.acquire());
  for (const b of held.splice(d.hold)) pool.release(b);
  const s = pool.stats;
  parentPort!.postMessage({ ownerId: pool.ownerId, lentHere: s.lentHere, cachedHere: s.cachedHere });
  Atomics.store(d.ctl, CTL.READY, 1);
  Atomics.notify(d.ctl, CTL.READY);
  for (;;) Atomics.wait(d.ctl, CTL.PARK, 0);
}

function busy(pool: SharedPool, d: Data): void {
  const held: Block[] = [];
  for (let n = 1; ; n++) {
    const b = pool.tryAcquire();
    if (b !== undefined) held.push(b);
    if (held.length > (n & 3) || b === undefined) {
      const x = held.pop();
      if (x !== undefined) pool.release((n & 8) === 0 ? x : x.index);
    }
    if ((n & 1023) === 0) {
      Atomics.add(d.ctl, CTL.PROGRESS, 1);
      Atomics.notify(d.ctl, CTL.PROGRESS);
    }
    if ((n & 0xffff) === 0) pool.flush();
  }
}

function waitOne(pool: SharedPool, d: Data): void {
  Atomics.store(d.ctl, CTL.READY, 1);
  Atomics.notify(d.ctl, CTL.READY);
  let b: Block;
  try {
    b = pool.acquireSync({ timeout: d.timeout });
  } catch (error) {
    parentPort!.postMessage({ ownerId: pool.ownerId, error: (error as { code?: string }).code ?? String(error) });
    return;
  }
  parentPort!.postMessage({ ownerId: pool.ownerId, index: b.index, byte: b.bytes[0] });
}

function waitAsyncOne(pool: SharedPool, d: Data): void {
  const got = pool.acquireAsync({ timeout: d.timeout });
  // INVARIANT: acquireAsync arms its Atomics.waitAsync before it returns, so once ARMED reads 1 this
  // isolate's wait is in PUSH_GEN's waiter list, behind any wait armed before it.
  Atomics.store(d.ctl, CTL.ARMED, inspectSharedPool(pool).waiting.armed ? 1 : 2);
  Atomics.notify(d.ctl, CTL.ARMED);
  got.then(
    (b) => parentPort!.postMessage({ ownerId: pool.ownerId, index: b.index, byte: b.bytes[0] }),
    (error: unknown) => parentPort!.postMessage({ ownerId: pool.ownerId, error: (error as { code?: string }).code ?? String(error) }),
  );
}
