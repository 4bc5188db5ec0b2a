/**
 * SharedPool across Web Workers, page side and worker side.
 *
 * The ring: the page creates a SharedPool and posts its handle to 4 workers joined in a ring by
 * MessageChannels. Each worker acquires blocks, stamps them, and posts their indices to the next
 * worker, which checks the stamp, clears it and releases the block: so every block handed on is
 * acquired in one isolate and released in another (by index, or after `adopt`). Each worker also
 * cycles blocks of its own. The stamp is the same check as the Node stress test: word 0 of a block
 * holds its holder's id + 1 while it is held and 0 while it is free, and every change is a
 * compareExchange that must see the expected value, so a block lent to two holders at once, or
 * released while another holds it, is caught in the act and counted as a violation.
 *
 * Workers wait for blocks with `acquireAsync` (never a blocking wait), so a waiting worker still
 * receives and releases the blocks handed to it: the ring cannot deadlock on its own traffic.
 */
import { SharedPool, type Block, type SharedPoolHandle, type Strategy } from '../../../src/index.js';
import { withWorkers } from './rpc.js';
import { errorInfo, web, type ErrorInfo, type Port } from './web.js';

/** Word 0 of a block: 0 free, holder id + 1 while held. */
const STAMP = 0;
/** Word 1 of a block: how many times it was stamped, to see that blocks really circulate. */
const TURNS = 1;

const views = new WeakMap<Block, Int32Array>();

function stampView(block: Block): Int32Array {
  let view = views.get(block);
  if (view === undefined) {
    const { bytes } = block;
    if (bytes.byteOffset % 4 !== 0 || bytes.byteLength < 8) {
      throw new Error(`block ${block.index}: bytes at offset ${bytes.byteOffset}, length ${bytes.byteLength}; the stamp needs 8 aligned bytes`);
    }
    view = new Int32Array(bytes.buffer, bytes.byteOffset, 2);
    views.set(block, view);
  }
  return view;
}

export interface RingWorkerArgs {
  readonly handle: SharedPoolHandle;
  /** 1-based id of this worker (the page is not a ring member). */
  readonly me: number;
  /** The worker that sends to this one. */
  readonly prev: number;
  readonly rounds: number;
  /** Blocks handed on per round. */
  readonly batch: number;
  readonly cache: number;
  readonly out: Port;
  readonly in: Port;
}

export interface RingWorkerResult {
  readonly me: number;
  readonly ownerId: number;
  readonly strategy: Strategy;
  /** Blocks acquired here and handed to the next worker. */
  readonly sent: number;
  /** Blocks handed here and released here. */
  readonly received: number;
  /** Blocks acquired and released here. */
  readonly cycled: number;
  /** Stamp checks that failed, with what was seen (the first few). */
  readonly violations: number;
  readonly firstViolations: string[];
  /** Acquires that had to wait (acquireAsync). */
  readonly waited: number;
  /** Blocks still cached here after `flush()` (must be 0). */
  readonly cachedAfterFlush: number;
  readonly lentAfterFlush: number;
}

/** Worker side of the ring. */
export async function ringWorker(args: RingWorkerArgs): Promise<RingWorkerResult> {
  const pool = SharedPool.attach(args.handle, { cache: args.cache });
  const sab = (args.handle as { sab?: unknown }).sab;
  if (!(sab instanceof SharedArrayBuffer)) throw new Error('the SharedPool handle has no `sab` SharedArrayBuffer');
  const mine = args.me + 1;
  let violations = 0;
  const firstViolations: string[] = [];
  const violation = (what: string): void => {
    violations++;
    if (firstViolations.length < 5) firstViolations.push(`worker ${args.me}: ${what}`);
  };
  const stamp = (block: Block): void => {
    const view = stampView(block);
    const seen = Atomics.compareExchange(view, STAMP, 0, mine);
    if (seen !== 0) violation(`block ${block.index} lent here while held by ${seen - 1}`);
    Atomics.add(view, TURNS, 1);
  };
  const unstamp = (block: Block, holder: number): void => {
    const seen = Atomics.compareExchange(stampView(block), STAMP, holder + 1, 0);
    if (seen !== holder + 1) violation(`block ${block.index} expected held by ${holder}, stamp says ${seen - 1}`);
  };

  let waited = 0;
  const take = async (): Promise<Block> => {
    const block = pool.tryAcquire();
    if (block !== undefined) return block;
    waited++;
    return pool.acquireAsync({ timeout: 20_000 });
  };

  const expected = args.rounds * args.batch;
  let received = 0;
  let messages = 0;
  let allReceived!: () => void;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  args.in.addEventListener('message', (event) => {
    // [index, byteOffset] pairs: the offset lets this isolate read the stamp of a block it holds
    // only by index (offsets into one SharedArrayBuffer are the same in every isolate).
    const pairs = event.data as number[];
    // Alternate the two ways of taking over a block from another isolate.
    const byAdopt = messages++ % 2 === 1;
    for (let i = 0; i < pairs.length; i += 2) {
      const index = pairs[i]!;
      if (byAdopt) {
        const block = pool.adopt(index);
        if (block.index !== index || block.bytes.byteOffset !== pairs[i + 1]) violation(`adopt(${index}) gave block ${block.index} at ${block.bytes.byteOffset}`);
        unstamp(block, args.prev);
        pool.release(block);
      } else {
        const seen = Atomics.compareExchange(new Int32Array(sab, pairs[i + 1]!, 2), STAMP, args.prev + 1, 0);
        if (seen !== args.prev + 1) violation(`block ${index} expected held by ${args.prev}, stamp says ${seen - 1}`);
        pool.release(index);
      }
    }
    received += pairs.length / 2;
    if (received >= expected) allReceived();
  });
  args.in.start();
  if (expected === 0) allReceived();

  let sent = 0;
  let cycled = 0;
  for (let round = 0; round < args.rounds; round++) {
    const handed: number[] = [];
    for (let k = 0; k < args.batch; k++) {
      const block = await take();
      stamp(block);
      handed.push(block.index, block.bytes.byteOffset);
    }
    args.out.postMessage(handed);
    sent += handed.length / 2;
    // And a block of its own, acquired and released here.
    const own = await take();
    stamp(own);
    unstamp(own, args.me);
    pool.release(own);
    cycled++;
  }
  await done;
  pool.flush();
  const { cachedHere, lentHere } = pool.stats;
  const result: RingWorkerResult = {
    me: args.me,
    ownerId: pool.ownerId,
    strategy: pool.strategy,
    sent,
    received,
    cycled,
    violations,
    firstViolations,
    waited,
    cachedAfterFlush: cachedHere,
    lentAfterFlush: lentHere,
  };
  pool.close();
  return result;
}

export interface RingOptions {
  readonly strategy: Strategy;
  readonly workers: number;
  readonly blocks: number;
  readonly rounds: number;
  readonly batch: number;
  readonly cache: number;
}

export interface RingResult {
  readonly strategy: Strategy;
  readonly pageOwnerId: number;
  readonly workers: RingWorkerResult[];
  /** After every worker flushed and closed: the page's view of the pool. */
  readonly free: number;
  readonly cachedHere: number;
  readonly blocks: number;
  /** Distinct indices the page could acquire afterwards before the pool ran out. */
  readonly drained: number;
  readonly drainedDistinct: number;
  /** tryAcquire() after draining every block. */
  readonly afterDrain: 'undefined' | 'block';
  /** Blocks whose stamp word was not 0 at the end (held on paper by nobody). */
  readonly stampedAtEnd: number;
  /** Sum of every block's turns: one per stamp, so sent + cycled over all workers. */
  readonly turns: number;
}

/** Page side of the ring (see the essay at the top of this file). */
export async function runRing(o: RingOptions): Promise<RingResult> {
  const pool = SharedPool.create({ blockSize: 64, blocks: o.blocks, cache: 0, strategy: o.strategy });
  const results = await withWorkers(o.workers, (ws) => {
    const channels = ws.map(() => new web.MessageChannel());
    return Promise.all(
      ws.map((w, i) => {
        const me = i + 1;
        const prev = ((i + o.workers - 1) % o.workers) + 1;
        // Worker i sends on channel i and receives on channel i - 1.
        const out = channels[i]!.port1;
        const inn = channels[(i + o.workers - 1) % o.workers]!.port2;
        const args: RingWorkerArgs = { handle: pool.handle, me, prev, rounds: o.rounds, batch: o.batch, cache: o.cache, out, in: inn };
        return w.call<RingWorkerResult>('ring', args, [out, inn]);
      }),
    );
  });
  const { free, cachedHere } = pool.stats;
  const drainedBlocks: Block[] = [];
  for (let b = pool.tryAcquire(); b !== undefined; b = pool.tryAcquire()) {
    drainedBlocks.push(b);
    if (drainedBlocks.length > o.blocks) break; // a pool that lends more than it has: stop, and fail below
  }
  const afterDrain = drainedBlocks.length > o.blocks ? 'block' : pool.tryAcquire() === undefined ? 'undefined' : 'block';
  let stampedAtEnd = 0;
  let turns = 0;
  for (const b of drainedBlocks) {
    const view = stampView(b);
    if (Atomics.load(view, STAMP) !== 0) stampedAtEnd++;
    turns += Atomics.load(view, TURNS);
  }
  const drainedDistinct = new Set(drainedBlocks.map((b) => b.index)).size;
  for (const b of drainedBlocks) pool.release(b);
  const result: RingResult = {
    strategy: pool.strategy,
    pageOwnerId: pool.ownerId,
    workers: results,
    free,
    cachedHere,
    blocks: o.blocks,
    drained: drainedBlocks.length,
    drainedDistinct,
    afterDrain,
    stampedAtEnd,
    turns,
  };
  pool.close();
  return result;
}

export interface WakeResult {
  readonly exhausted: ErrorInfo | undefined;
  readonly tryWhenOut: 'undefined' | 'block';
  /** acquireSync() on the page's main thread with every block out. */
  readonly syncRefused: ErrorInfo | undefined;
  /** The block index the worker released. */
  readonly released: number;
  /** The index acquireAsync() resolved with. */
  readonly woke: number;
  readonly waitsAfter: number;
}

/** Worker side of the wake test: attach, release one of the page's blocks by index, detach. */
export function releaseFromWorker(args: { handle: SharedPoolHandle; index: number }): number {
  const pool = SharedPool.attach(args.handle, { cache: 0 });
  pool.release(args.index);
  const id = pool.ownerId;
  pool.close();
  return id;
}

/**
 * The page takes every block, shows that acquire() throws, tryAcquire() returns undefined and
 * acquireSync() is refused on the main thread; then waits with acquireAsync() while a worker
 * releases one of the page's blocks, which must be the block the wait gets.
 */
export async function runWake(): Promise<WakeResult> {
  const BLOCKS = 4;
  const pool = SharedPool.create({ blockSize: 64, blocks: BLOCKS, cache: 0, strategy: 'mutex' });
  const held: Block[] = [];
  for (let i = 0; i < BLOCKS; i++) held.push(pool.acquire());
  let exhausted: ErrorInfo | undefined;
  try {
    pool.acquire();
  } catch (err) {
    exhausted = errorInfo(err);
  }
  const tryWhenOut = pool.tryAcquire() === undefined ? 'undefined' : 'block';
  let syncRefused: ErrorInfo | undefined;
  try {
    pool.acquireSync({ timeout: 1_000 });
  } catch (err) {
    syncRefused = errorInfo(err);
  }
  const pending = pool.acquireAsync({ timeout: 20_000 });
  const released = held[2]!.index;
  const woke = await withWorkers(1, async ([w]) => {
    await w!.call<number>('releaseFromWorker', { handle: pool.handle, index: released });
    return (await pending).index;
  });
  const waitsAfter = pool.stats.waits;
  pool.close();
  return { exhausted, tryWhenOut, syncRefused, released, woke, waitsAfter };
}

/** On a page without cross-origin isolation: what SharedPool.create does. */
export function createWithoutIsolation(): { threw: ErrorInfo | undefined } {
  try {
    const pool = SharedPool.create({ blockSize: 64, blocks: 4 });
    pool.close();
    return { threw: undefined };
  } catch (err) {
    return { threw: errorInfo(err) };
  }
}
