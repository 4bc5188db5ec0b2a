/**
 * SharedPool: fixed-size blocks in one SharedArrayBuffer, lent to any isolate that attaches to it,
 * with a per-isolate cache in front so the common acquire/release touches no Atomics.
 *
 * ## The trick
 *
 * Each isolate's cache is a `LocalPool` of Block objects (owner slot + LIFO stack) whose source is the
 * shared free list: a miss refills a batch through `createBatch` (one lock or CAS round for up to
 * `batch` indices) and a release past `cache` spills the older half through `disposeBatch`. The hot
 * path is LocalPool's plus one plain (non-Atomics) read and write of the block's owner word, which is
 * what lets any isolate release any block and lets double releases be caught every time.
 *
 * ## Ownership
 *
 * One Int32 per block (the owner table) says where the block is: `0` on the shared free list, `+id`
 * lent by isolate `id`, `-id` idle in isolate `id`'s cache. Ids come from a header counter, one per
 * create/attach, and are never reused, so a stale id cannot alias a new isolate.
 *
 * - Only isolate `id` moves its blocks between `+id` and `-id`, with plain reads and writes: nothing
 *   else writes a word holding `-id`, and the only other writer of `+id` is a release or `adopt`
 *   from another isolate, a compareExchange away from `+id`.
 * - Transitions to and from `0` belong to the free list (see free-list.ts), always by CAS or under
 *   its lock, so two isolates racing to release one block cannot both win.
 * - Releasing a block whose word is `0` or negative throws `ERR_DOUBLE_RELEASE`: it is not lent.
 *   That catches a second release only while the block has not been lent again. The owner word
 *   says who holds a block, not which lending: once the block is lent again (to any isolate, from a
 *   cache or the shared list) its word is positive, and a stale second release of it is accepted,
 *   freeing the new holder's block, which can then be lent to a third holder (a review's repro,
 *   2026-11-21). A per-block lend generation in the handle would catch it, at a cost on the hot
 *   path that has not been measured; not done. The plain hot path has one more blind spot: two
 *   isolates releasing the same block at the same instant with no synchronisation between them (a
 *   data race in the caller).
 *
 * ## Who calls reclaim
 *
 * An isolate that dies (a worker that exits, throws or is terminated) leaves its lent and cached
 * blocks tagged with its id. The isolate that created the worker learns that id when the worker
 * posts `pool.ownerId` after attaching (or reads it from a shared word the worker writes), and calls
 * `pool.reclaim(id)` from `worker.on('exit')`, never earlier (not on 'error', not after
 * `terminate()` is called but before 'exit'). Calling it for a live isolate is a bug with no
 * safety net, nothing detects it: that isolate goes on using and lending the blocks it held or
 * cached, which the free list lends again, so one block has two holders (checking the owner word on
 * every cached acquire to catch it would cost the hot path; see the numbers below). With the
 * `mutex` and `bitmap` free lists a worker terminated anywhere, even inside a free-list operation,
 * loses nothing; `treiber` can lose the batch a worker was moving when it was killed, and `mpmc`
 * can wedge for good: every later pop that reaches the cell it claimed spins forever (see their
 * essays).
 *
 * ## Waiting
 *
 * The futex word is PUSH_GEN, a header word on its own line that every push freeing a block bumps
 * with Atomics.add after the free list holds the block, and that never goes back. A waiter bumps
 * WAITERS, reads PUSH_GEN, tries once more, and sleeps on the value it read (Atomics.wait, or one
 * Atomics.waitAsync per isolate for all its async waiters, with a ref'd interval holding Node's event
 * loop open). A push bumps PUSH_GEN, then if WAITERS > 0 notifies as many sleepers as blocks it
 * freed. FREE_COUNT is only a statistic: it was the futex word until a review (2026-11-21) showed it
 * can go 1 -> 0 -> 1 between a waiter's read and its sleep (another isolate takes the block and
 * frees a different one, notifying before the waiter sleeps), which lost the wake-up. A woken waiter
 * takes exactly one block, tagged `+id`, never a cache batch, so one release serves one waiter and
 * the rest of a batch stays on the list for the others: a release wakes exactly the waiters it can
 * serve.
 *
 * A release goes to the cache only while the WAITERS word reads 0: no waiter anywhere, and no pop
 * has come back short (the WAITERS_DRY bit, set by a short pop, cleared by the next push that frees
 * a block). One plain read of one header word on the hot release; it read FREE_COUNT too until
 * 2026-11-21 (see the commit that moved to the flag for the numbers). A waiter can only be waiting
 * when the list is empty, and then every release in every isolate goes to the list (and the
 * releasing isolate flushes its cache), so idle cached blocks cannot starve a waiter elsewhere.
 * Left: a block cached just before the list ran dry stays cached until that isolate releases again
 * or calls flush(), and a push racing a short pop can leave the flag set with blocks free, which
 * costs one slow release (that release's push clears it).
 *
 * A worker terminated while it waits skips the `finally` that undoes its WAITERS increment, and a
 * WAITERS stuck above 0 sends every release in every isolate to the shared list (the cache is off
 * for good: ~277 ns a pair instead of ~4, review of 2026-11-21). So each isolate with waiters
 * also counts them in one of WAITER_SLOTS header slots it claims by id, and `reclaim(id)`
 * subtracts that count. Left: an isolate that found all slots taken, or died between its WAITERS
 * update and its slot update, still leaks one count each, which costs speed only, never a block or
 * a wake-up. FREE_COUNT, a statistic now, can drift by the batch a dead isolate was moving; reclaim
 * does not recompute it (a concurrent lock-free push between its two steps would make the recount
 * wrong for good).
 *
 * ## Alternatives rejected (Node 20.20.2, 2-vCPU AMD EPYC VM, 2026-11-21)
 *
 * - Every acquire/release through the shared list: ~10 ns an Atomics op (DESIGN.md) puts a pair at
 *   tens of ns at best; the cache keeps a pair at a few ns (`benchmarks/shared.cases.ts`).
 * - An owner table in each isolate instead of the buffer: a release from another isolate could not
 *   check or change it, so double releases across isolates would go unseen.
 * - A second cache implementation beside LocalPool: the slot + stack + batch hooks already exist.
 *
 * The default strategy, and the numbers behind it, are documented at DEFAULT_STRATEGY below.
 */
import { checkInteger, describe, ErrorCode, PoolError } from '../errors.js';
import { LocalPool } from '../local-pool.js';
import { BitmapFreeList } from './bitmap.js';
import { type FreeList, type FreeListBase } from './free-list.js';
import {
  computeGeometry,
  type Geometry,
  H,
  MAX_BLOCKS,
  MAX_TOTAL_BYTES,
  readHeader,
  STRATEGIES,
  type Strategy,
  WAITER_SLOTS,
  WAITERS_COUNT,
  WAITERS_DRY,
  writeHeader,
} from './layout.js';
import { MpmcFreeList } from './mpmc.js';
import { MutexFreeList } from './mutex.js';
import { TreiberFreeList } from './treiber.js';

export type { Strategy } from './layout.js';

/**
 * The free list used when `strategy` is not given: `bitmap`. Measured with
 * `node build/benchmarks/experiments/shared-sanity.js 5` (Node 20.20.2, 2-vCPU AMD EPYC VM shared with
 * other jobs, 2026-11-21; noisy, read the ratios), ns per get+put pair, cache off:
 *
 * | free list | 1 isolate | 2 workers, per pair per worker |
 * |---|---|---|
 * | bitmap  | 100.5 | 339.7 |
 * | treiber | 111.8 | 329.2 |
 * | mutex   | 125.1 (98.2 alone in its process) | 520.6 |
 * | mpmc    | 136.8 | 487.3 |
 *
 * bitmap and treiber tie within the noise and beat the other two under contention; bitmap is also
 * ABA-free and loses nothing when a worker is terminated mid-operation, treiber neither. The cached
 * path (`shared_tls_get_put`) measured 3.84-4.11 ns against LocalPool's 1.52-1.76 in the same runs,
 * each alone in its process: ~2.4x, not yet the 2x target.
 */
export const DEFAULT_STRATEGY: Strategy = 'bitmap';

/**
 * Blocks one isolate's cache keeps idle by default. A refill or spill moves half of it, 16 indices,
 * the batch DESIGN.md measured at 5 ns a block alone and 21 ns with two workers on one lock (against
 * 35 and 248 unbatched).
 */
export const DEFAULT_CACHE = 32;

/** Largest `cache`: more idle blocks than this per isolate is a second pool, not a cache. */
const MAX_CACHE = 1 << 16;

/** Largest isolate id: the mutex keeps `id << 1` in its lock word. */
const MAX_OWNER_ID = (1 << 30) - 1;

/**
 * Poll interval of acquireAsync where Atomics.waitAsync does not exist (some browsers): long enough
 * not to burn a core, short enough that a released block is not left idle for long.
 */
const ASYNC_POLL_MS = 4;

/** A block of the pool: its index and a Uint8Array over its bytes (one object per index per isolate). */
export interface Block {
  readonly index: number;
  readonly bytes: Uint8Array;
}

/** What `create` returns as `pool.handle`: structured-cloneable, for postMessage or workerData. */
export interface SharedPoolHandle {
  readonly sab: SharedArrayBuffer;
}

export interface SharedPoolOptions {
  /** Bytes in each block (views are exactly this long; blocks are laid 64-byte aligned). */
  blockSize: number;
  /** Number of blocks, 1 to 65,535. */
  blocks: number;
  /** Blocks this isolate's cache keeps idle; 0 turns the cache off. Default 32. */
  cache?: number;
  /** Free-list algorithm; default `DEFAULT_STRATEGY`. */
  strategy?: Strategy;
}

export interface AttachOptions {
  /** Blocks this isolate's cache keeps idle; 0 turns the cache off. Default 32. */
  cache?: number;
}

export interface SharedAcquireOptions {
  /** Aborting rejects the wait with the signal's reason. */
  signal?: AbortSignal;
  /** Milliseconds to wait before failing with `PoolError` `ERR_TIMEOUT`. */
  timeout?: number;
}

export interface SharedPoolStats {
  /** Blocks on the shared free list (all isolates): owner words that read 0, a scan of the owner table. */
  readonly free: number;
  /** Blocks idle in this isolate's cache. */
  readonly cachedHere: number;
  /** Blocks lent by this isolate and not yet released (a scan of the owner table). */
  readonly lentHere: number;
  /** Times this isolate went to sleep waiting for a block. */
  readonly waits: number;
  /** Contention in this isolate: failed CAS rounds, lock spins, stall retries. */
  readonly retries: number;
  /** Callers waiting for a block, in all isolates. */
  readonly waiting: number;
  /** Acquires served by this isolate's cache without touching the shared list. */
  readonly hits: number;
  /** Acquires that went to the shared list. */
  readonly misses: number;
  readonly blocks: number;
  readonly blockSize: number;
}

class SharedBlock implements Block {
  readonly index: number;
  readonly bytes: Uint8Array;
  /** The cached attachment that made this object (undefined without a cache): the hot release's one-load proof that the block is ours. */
  readonly _pool: SharedPool | undefined;
  constructor(index: number, bytes: Uint8Array, pool: SharedPool | undefined) {
    this.index = index;
    this.bytes = bytes;
    this._pool = pool;
    Object.freeze(this);
  }
}

/** H.WAITERS as a module constant, which optimized code folds into the hot release. */
const WAITERS_WORD = H.WAITERS;

interface AsyncWaiter {
  resolve(block: Block): void;
  reject(reason: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

function sabUnavailable(): PoolError {
  return new PoolError(
    ErrorCode.SAB_UNAVAILABLE,
    'isopool: SharedArrayBuffer is not available here. In a browser the page must be cross-origin ' +
      'isolated: serve it with the headers `Cross-Origin-Opener-Policy: same-origin` and ' +
      '`Cross-Origin-Embedder-Policy: require-corp`.',
  );
}

function checkCache(value: unknown): number {
  return value === undefined ? DEFAULT_CACHE : checkInteger('cache', value, 0, MAX_CACHE);
}

/** True where Atomics.wait may block: workers, Node's main thread; false on a browser's main thread. */
function probeWait(a: Int32Array): boolean {
  try {
    // INVARIANT: expects a value MAGIC never holds, so it returns 'not-equal' at once where allowed.
    Atomics.wait(a, H.MAGIC, ~a[H.MAGIC]!, 0);
    return true;
  } catch {
    return false;
  }
}

function makeFreeList(a: Int32Array, g: Geometry, id: number, canWait: boolean): FreeListBase {
  switch (g.strategy) {
    case 'mutex':
      return new MutexFreeList(a, g, id, canWait);
    case 'treiber':
      return new TreiberFreeList(a, g, id, canWait);
    case 'mpmc':
      return new MpmcFreeList(a, g, id, canWait);
    case 'bitmap':
      return new BitmapFreeList(a, g, id, canWait);
  }
}

const now = (): number => performance.now();

export class SharedPool {
  // Hot fields first.
  private readonly _a: Int32Array;
  private readonly _ownerW: number;
  private readonly _cache: LocalPool<SharedBlock> | undefined;
  private readonly _tag: number;
  /** `_tag` while open; after close a value no owner word holds, so every release takes the slow path. */
  private _hotTag: number;
  private readonly _cachedTag: number;
  private readonly _blockObjs: (SharedBlock | undefined)[];

  /** The value to send to other isolates (postMessage, workerData) for `SharedPool.attach`. */
  readonly handle: SharedPoolHandle;
  /** This isolate's id in this pool: from a header counter, never reused. */
  readonly ownerId: number;
  readonly strategy: Strategy;
  readonly blockSize: number;
  readonly blocks: number;

  private readonly _g: Geometry;
  private readonly _free: FreeList;
  private readonly _scratch: Int32Array;
  private readonly _batch: number;
  private readonly _canWait: boolean;
  private _closed = false;
  private _waits = 0;
  /** Blocks the cache drops during flush, collected for one batched push. */
  private _spill: SharedBlock[] | undefined;
  private readonly _queue: AsyncWaiter[] = [];
  private _armed = false;
  /** Waiters in this isolate (sync and async) counted in WAITERS, and the waiter slot they hold (-1: none). */
  private _myWaiters = 0;
  private _slot = -1;
  /** Set while serving a waiter: the cache's refill then takes exactly one block, tagged +id. */
  private _one = false;
  private _keepAlive: ReturnType<typeof setInterval> | undefined;

  private constructor(sab: SharedArrayBuffer, g: Geometry, cache: number, fresh: boolean) {
    const a = new Int32Array(sab);
    this._a = a;
    this._g = g;
    this.handle = { sab };
    this.strategy = g.strategy;
    this.blockSize = g.blockSize;
    this.blocks = g.blocks;
    this._ownerW = g.ownerOffset >> 2;
    // INVARIANT: ids are handed out once each, in any isolate; a counter that only grows.
    const id = Atomics.add(a, H.NEXT_ID, 1) + 1;
    if (id > MAX_OWNER_ID) {
      throw new PoolError(ErrorCode.BAD_HANDLE, `isopool: this SharedPool has handed out all ${MAX_OWNER_ID} isolate ids`);
    }
    this.ownerId = id;
    this._tag = id;
    this._hotTag = id;
    this._cachedTag = -id;
    this._canWait = probeWait(a);
    const free = makeFreeList(a, g, id, this._canWait);
    if (fresh) free.init();
    this._free = free;
    this._blockObjs = new Array<SharedBlock | undefined>(g.blocks);
    // A refill takes half the cache, and never more than an eighth of the pool, so one isolate's
    // refill cannot empty a small pool that others share.
    this._batch = Math.max(1, Math.min(Math.ceil(cache / 2), Math.floor(g.blocks / 8)));
    this._scratch = new Int32Array(Math.max(cache, this._batch, 1));
    this._cache =
      cache === 0
        ? undefined
        : new LocalPool<SharedBlock>({
            name: 'SharedPool',
            max: cache,
            grow: this._batch,
            createBatch: (n, out) => this._refill(n, out),
            disposeBatch: (objs) => this._spillBatch(objs),
            dispose: (obj) => this._spillOne(obj),
          });
  }

  /** Allocates a new pool. Throws `ERR_SAB_UNAVAILABLE` where SharedArrayBuffer is unavailable. */
  static create(options: SharedPoolOptions): SharedPool {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`isopool: SharedPool.create() options must be an object, received ${describe(options)}`);
    }
    const blockSize = checkInteger('blockSize', options.blockSize, 1, MAX_TOTAL_BYTES);
    const blocks = checkInteger('blocks', options.blocks, 1, MAX_BLOCKS);
    const cache = checkCache(options.cache);
    const strategy = options.strategy ?? DEFAULT_STRATEGY;
    if (!STRATEGIES.includes(strategy)) {
      throw new RangeError(`isopool: option \`strategy\` must be one of ${STRATEGIES.join(', ')}, received ${describe(strategy)}`);
    }
    const g = computeGeometry(blockSize, blocks, strategy);
    if (g.totalBytes > MAX_TOTAL_BYTES) {
      throw new RangeError(
        `isopool: options \`blockSize\` (${blockSize}) x \`blocks\` (${blocks}) need ${g.totalBytes} bytes, more than ${MAX_TOTAL_BYTES}`,
      );
    }
    const G = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: unknown };
    if (typeof G.SharedArrayBuffer !== 'function' || G.crossOriginIsolated === false) throw sabUnavailable();
    const sab = new SharedArrayBuffer(g.totalBytes);
    writeHeader(new Int32Array(sab), g);
    return new SharedPool(sab, g, cache, true);
  }

  /** Joins a pool created in another isolate. Throws `ERR_BAD_HANDLE` for anything but a live handle. */
  static attach(handle: SharedPoolHandle, options: AttachOptions = {}): SharedPool {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`isopool: SharedPool.attach() options must be an object, received ${describe(options)}`);
    }
    const cache = checkCache(options.cache);
    const sab = (handle as { sab?: unknown } | null)?.sab;
    if (Object.prototype.toString.call(sab) !== '[object SharedArrayBuffer]') {
      throw new PoolError(
        ErrorCode.BAD_HANDLE,
        `isopool: SharedPool.attach() takes a pool's \`handle\` ({ sab: SharedArrayBuffer }), received ${describe(handle)}`,
      );
    }
    const buffer = sab as SharedArrayBuffer;
    const g = readHeader(new Int32Array(buffer, 0, buffer.byteLength >> 2), buffer.byteLength);
    if (typeof g === 'string') {
      throw new PoolError(ErrorCode.BAD_HANDLE, `isopool: SharedPool.attach() was given a SharedArrayBuffer that is not an isopool pool: ${g}`);
    }
    return new SharedPool(buffer, g, cache, false);
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path

  /** Lends a block. Throws `ERR_POOL_EXHAUSTED` when every block is out, `ERR_CLOSED` after close. */
  acquire(): Block {
    const cache = this._cache;
    if (cache !== undefined) {
      const b = cache.tryAcquire();
      if (b !== undefined) {
        // -id -> +id: only this isolate writes a word that holds -id (see Ownership).
        this._a[this._ownerW + b.index] = this._tag;
        return b;
      }
    }
    return this._acquireSlow(true, true)!;
  }

  /** Takes back a block, from any isolate. Throws `ERR_DOUBLE_RELEASE` if it is not lent. */
  release(block: Block | number): void {
    // `_pool` is set only on blocks of a cached attachment; a number or null reads undefined.
    if ((block as SharedBlock | null)?._pool === this) {
      const a = this._a;
      const w = this._ownerW + (block as SharedBlock).index;
      // Cache only while nobody waits and the shared list is not known dry (WAITERS_DRY): one plain
      // read of one word, a hint (a stale value only delays a waiter to the next shared push).
      if (a[w] === this._hotTag && a[WAITERS_WORD] === 0) {
        a[w] = this._cachedTag;
        this._cache!.release(block as SharedBlock);
        return;
      }
    }
    this._releaseSlow(block);
  }

  // ---------------------------------------------------------------------------------------------
  // Cold paths

  /** Like `acquire()`, but returns `undefined` when every block is out. */
  tryAcquire(): Block | undefined {
    return this._acquireSlow(false, false);
  }

  /**
   * The cache (unless `acquire()` has just asked it: its miss already tried a batch refill from the
   * shared list, and asking again would repeat that Atomics round), else the shared list.
   */
  private _acquireSlow(throwOnEmpty: boolean, cacheTried: boolean): Block | undefined {
    if (this._closed) throw this._closedError();
    const cache = this._cache;
    if (cache !== undefined) {
      const b = cacheTried ? undefined : cache.tryAcquire();
      if (b !== undefined) {
        this._a[this._ownerW + b.index] = this._tag;
        return b;
      }
    } else if (this._free.pop(1, this._scratch, this._tag) === 1) {
      return this._blockAt(this._scratch[0]!);
    } else {
      this._markDry();
    }
    if (!throwOnEmpty) return undefined;
    throw new PoolError(
      ErrorCode.POOL_EXHAUSTED,
      `isopool: SharedPool is exhausted: all ${this.blocks} blocks are lent or cached by other isolates`,
    );
  }

  private _releaseSlow(block: Block | number): void {
    const i = this._indexOf(block, 'release');
    const a = this._a;
    const w = this._ownerW + i;
    // INVARIANT: a snapshot; the push below re-checks it by CAS.
    const cur = Atomics.load(a, w);
    if (cur <= 0) throw this._notLent('release', i, cur);
    const own = cur === this._tag && this._cache !== undefined && !this._closed;
    this._scratch[0] = i;
    if (this._free.push(this._scratch, 1, cur) === 0) throw this._notLent('release', i, Atomics.load(a, w));
    this._wake(1);
    // INVARIANT: after the push; a waiter counted by now is served by the flush's push too.
    if (own && (Atomics.load(a, H.WAITERS) & WAITERS_COUNT) > 0) this.flush();
  }

  /** Takes over a block lent by another isolate (handed over by message): its release then stays here. */
  adopt(block: Block | number): Block {
    const i = this._indexOf(block, 'adopt');
    const a = this._a;
    const w = this._ownerW + i;
    for (;;) {
      const cur = Atomics.load(a, w);
      if (cur <= 0) throw this._notLent('adopt', i, cur);
      if (cur === this._tag) return this._blockAt(i);
      // INVARIANT: +other -> +me by CAS: a racing release of the same block wins or loses whole.
      if (Atomics.compareExchange(a, w, cur, this._tag) === cur) {
        const b = this._blockAt(i);
        // Its release here may enter the cache: count it among the cache's lent blocks first, or
        // the cache's live count (idle + lent) would fall below its idle count.
        if (this._cache !== undefined && !this._closed) this._cache._admit(b);
        return b;
      }
    }
  }

  /**
   * Returns to the free list every block isolate `ownerId` held or cached. Call it only once that
   * isolate is gone (a worker's 'exit' event). Returns how many blocks it freed.
   */
  reclaim(ownerId: number): number {
    checkInteger('ownerId', ownerId, 1, Atomics.load(this._a, H.NEXT_ID));
    if (ownerId === this.ownerId) {
      throw new RangeError(`isopool: reclaim() takes another, dead isolate's ownerId; ${ownerId} is this isolate's (use flush() or close())`);
    }
    const n = this._free.reclaim(ownerId);
    this._reclaimWaiters(ownerId);
    this._wake(n);
    return n;
  }

  /** Takes a dead isolate's waiters out of WAITERS (a worker terminated while it waited skipped its `finally`). */
  private _reclaimWaiters(ownerId: number): void {
    const a = this._a;
    for (let k = 0; k < WAITER_SLOTS; k++) {
      const w = H.WAITER_TABLE + 2 * k;
      // INVARIANT: a dead isolate's slot changes only here; exchange takes its count exactly once
      // even if two isolates reclaim the same id.
      if (Atomics.load(a, w) === ownerId) {
        const c = Atomics.exchange(a, w + 1, 0);
        // INVARIANT: c never exceeds the dead isolate's share of WAITERS (see _enterWait).
        if (c > 0) Atomics.sub(a, H.WAITERS, c);
        // INVARIANT: frees the slot; no live isolate holds it (ids are never reused).
        Atomics.compareExchange(a, w, ownerId, 0);
      }
    }
  }

  /** Returns this isolate's cached blocks to the shared free list. */
  flush(): void {
    const cache = this._cache;
    if (cache === undefined) return;
    const spill: SharedBlock[] = [];
    this._spill = spill;
    try {
      cache.trim(0);
    } finally {
      this._spill = undefined;
    }
    if (spill.length > 0) this._spillBatch(spill);
  }

  /** Flushes the cache and stops lending here (waiters reject with `ERR_CLOSED`). Lent blocks can still be released. */
  close(): void {
    if (this._closed) return;
    this.flush();
    this._closed = true;
    // Releases after close go straight to the shared list (the slow path), never into the closed
    // cache, which would strand them: a block it did not lend would fail its accounting.
    this._hotTag = MAX_OWNER_ID + 1;
    this._cache?.close();
    const queue = this._queue.splice(0);
    for (const waiter of queue) {
      this._settle(waiter, false);
      waiter.reject(this._closedError());
    }
  }

  get closed(): boolean {
    return this._closed;
  }

  /**
   * Counters, read at the moment of the call. `free` and `lentHere` scan the owner table (O(blocks),
   * exact at quiescence whatever isolates died mid-operation; FREE_COUNT, the header's running count,
   * can drift by the batch a dead isolate was moving and is not read by the pool).
   */
  get stats(): SharedPoolStats {
    const a = this._a;
    let lent = 0;
    let free = 0;
    for (let k = 0; k < this.blocks; k++) {
      const w = a[this._ownerW + k];
      if (w === this._tag) lent++;
      else if (w === 0) free++;
    }
    const cs = this._cache?.stats;
    return {
      free,
      cachedHere: cs?.idle ?? 0,
      lentHere: lent,
      waits: this._waits,
      retries: this._free.retries,
      // INVARIANT: a snapshot of the count bits, for observation only.
      waiting: Atomics.load(a, H.WAITERS) & WAITERS_COUNT,
      hits: cs?.hits ?? 0,
      misses: cs?.misses ?? 0,
      blocks: this.blocks,
      blockSize: this.blockSize,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting

  /**
   * Lends a block, blocking the thread (Atomics.wait) until one is released. Throws `ERR_TIMEOUT`
   * after `timeout` ms, and `ERR_WAIT_NOT_ALLOWED` where blocking is not allowed (a browser's main thread).
   */
  acquireSync(options: { timeout?: number } = {}): Block {
    const timeout = this._checkTimeout(options?.timeout);
    let b = this.tryAcquire();
    if (b !== undefined) return b;
    if (!this._canWait) {
      throw new PoolError(
        ErrorCode.WAIT_NOT_ALLOWED,
        'isopool: SharedPool.acquireSync() cannot block on this thread (Atomics.wait is not allowed on a browser main thread); use acquireAsync()',
      );
    }
    const a = this._a;
    const deadline = now() + timeout;
    // INVARIANT: WAITERS goes up before we read PUSH_GEN, so a push after our failed try either sees
    // a waiter and notifies, or bumped PUSH_GEN before our read (then the try sees its block): no
    // lost wake-up. PUSH_GEN never returns to a value we read, as FREE_COUNT could.
    this._enterWait();
    try {
      for (;;) {
        // INVARIANT: read before the try; any push the try misses bumps it after this read.
        const seen = Atomics.load(a, H.PUSH_GEN);
        b = this._takeOne();
        if (b !== undefined) return b;
        const left = deadline - now();
        if (left <= 0) throw this._timeoutError('acquireSync', timeout);
        this._waits++;
        // INVARIANT: sleeps only while PUSH_GEN still reads `seen`: no push since the read above.
        Atomics.wait(a, H.PUSH_GEN, seen, left);
      }
    } finally {
      this._leaveWait();
    }
  }

  /**
   * Lends a block, waiting (Atomics.waitAsync, the event loop kept alive) until one is released.
   * Rejects with the signal's reason when aborted, `ERR_TIMEOUT` after `timeout` ms, `ERR_CLOSED` on close.
   */
  acquireAsync(options: SharedAcquireOptions = {}): Promise<Block> {
    let timeout: number;
    try {
      timeout = this._checkTimeout(options?.timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let b: Block | undefined;
    try {
      b = this._queue.length === 0 ? this.tryAcquire() : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    if (b !== undefined) return Promise.resolve(b);
    return new Promise<Block>((resolve, reject) => {
      const waiter: AsyncWaiter = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      if (timeout !== Infinity) {
        waiter.timer = setTimeout(() => {
          if (this._settle(waiter, true)) reject(this._timeoutError('acquireAsync', timeout));
        }, timeout);
      }
      if (signal !== undefined) {
        waiter.onAbort = () => {
          if (this._settle(waiter, true)) reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this._queue.push(waiter);
      // Counted before the arm below reads PUSH_GEN and re-tries (see acquireSync).
      this._enterWait();
      this._keepAlive ??= setInterval(() => {}, 1 << 30);
      this._arm();
    });
  }

  /**
   * Counts a waiter in WAITERS and in this isolate's waiter slot (claimed by the first waiter), so
   * that reclaim can give back what a terminated isolate never undid. WAITERS goes up first and
   * down last: the slot never holds more than this isolate's share of WAITERS, so a reclaim never
   * subtracts a live waiter (which would lose its wake-ups); a death between the two leaks one count.
   */
  private _enterWait(): void {
    const a = this._a;
    if (this._myWaiters++ === 0) {
      this._slot = -1;
      for (let k = 0; k < WAITER_SLOTS; k++) {
        // INVARIANT: 0 -> id claims a free slot; only its owner (or reclaim, once it is dead) frees it.
        if (Atomics.compareExchange(a, H.WAITER_TABLE + 2 * k, 0, this._tag) === 0) {
          this._slot = k;
          break;
        }
      }
    }
    // INVARIANT: WAITERS up before this waiter's read of PUSH_GEN (see acquireSync), and before the slot.
    Atomics.add(a, H.WAITERS, 1);
    // INVARIANT: only this isolate changes its slot's count while it lives; after the WAITERS add.
    if (this._slot >= 0) Atomics.add(a, H.WAITER_TABLE + 2 * this._slot + 1, 1);
  }

  /** Undoes one `_enterWait`, exactly once per waiter; frees the slot when this isolate has no waiter left. */
  private _leaveWait(): void {
    const a = this._a;
    const slot = this._slot;
    // INVARIANT: the slot's count goes down before WAITERS, so it never exceeds our share of WAITERS.
    if (slot >= 0) Atomics.sub(a, H.WAITER_TABLE + 2 * slot + 1, 1);
    // INVARIANT: undoes this waiter's increment of WAITERS.
    Atomics.sub(a, H.WAITERS, 1);
    if (--this._myWaiters === 0 && slot >= 0) {
      // INVARIANT: the slot is ours and its count is 0: id -> 0 frees it for another isolate.
      Atomics.store(a, H.WAITER_TABLE + 2 * slot, 0);
      this._slot = -1;
    }
  }

  /** Ends a waiter's wait; `dequeue` removes it from the queue. False if it was already settled. */
  private _settle(waiter: AsyncWaiter, dequeue: boolean): boolean {
    if (dequeue) {
      const at = this._queue.indexOf(waiter);
      if (at < 0) return false;
      this._queue.splice(at, 1);
    }
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    this._leaveWait();
    if (this._queue.length === 0 && this._keepAlive !== undefined) {
      clearInterval(this._keepAlive);
      this._keepAlive = undefined;
    }
    return true;
  }

  /** Serves queued waiters from the pool, in order, while blocks are to be had. */
  private _serve(): void {
    while (this._queue.length > 0) {
      const b = this._takeOne();
      if (b === undefined) return;
      const waiter = this._queue.shift()!;
      this._settle(waiter, false);
      waiter.resolve(b);
    }
  }

  /** Keeps one Atomics.waitAsync pending for this isolate's queue (one per isolate, not per waiter). */
  private _arm(): void {
    if (this._armed) {
      // The pending wait may be stale (armed for waiters that since timed out or aborted): a push
      // that landed between a new waiter's failed try and its WAITERS increment did not notify it,
      // so re-try now; any later push sees WAITERS > 0 and notifies the pending wait.
      this._serve();
      return;
    }
    const a = this._a;
    while (this._queue.length > 0 && !this._closed) {
      // INVARIANT: read before the re-try in _serve; a push it misses bumps PUSH_GEN after this read.
      const seen = Atomics.load(a, H.PUSH_GEN);
      this._serve();
      if (this._queue.length === 0) return;
      if (typeof Atomics.waitAsync !== 'function') {
        this._armed = true;
        setTimeout(this._onWake, ASYNC_POLL_MS, 'timed-out');
        return;
      }
      // INVARIANT: resolves when a push notifies PUSH_GEN, or at once if it no longer reads `seen`.
      const r = Atomics.waitAsync(a, H.PUSH_GEN, seen);
      if (r.async) {
        this._armed = true;
        this._waits++;
        r.value.then(this._onWake, this._onWake);
        return;
      }
    }
  }

  private readonly _onWake = (result: unknown): void => {
    this._armed = false;
    if (this._queue.length === 0 || this._closed) {
      // Nobody here wants the block any more: pass the wake-up on to another sleeper.
      // INVARIANT: a notify consumed by a stale wait is forwarded, so no waiter misses its block.
      if (result === 'ok') Atomics.notify(this._a, H.PUSH_GEN, 1);
      return;
    }
    this._arm();
  };

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  /**
   * Serves a waiter: a block idle in this isolate's cache, else exactly one from the shared list,
   * tagged +id (the cache lends it at once). Never a batch: a woken waiter that refilled its cache
   * would hoard the blocks other waiters were woken for.
   */
  private _takeOne(): Block | undefined {
    this._one = true;
    try {
      return this.tryAcquire();
    } finally {
      this._one = false;
    }
  }

  /** The cache's source: up to `n` blocks from the shared list, in one lock or CAS round (one, +id, for a waiter). */
  private _refill(n: number, out: SharedBlock[]): number {
    const one = this._one;
    const want = one ? 1 : Math.min(n, this._batch);
    const k = this._free.pop(want, this._scratch, one ? this._tag : this._cachedTag);
    for (let j = 0; j < k; j++) out[j] = this._blockAt(this._scratch[j]!);
    if (k < want) this._markDry();
    return k;
  }

  /** A pop came back short: releases everywhere feed the shared list until the next push frees a block. */
  private _markDry(): void {
    const a = this._a;
    // INVARIANT: sets only the flag bit; the count bits are changed by add/sub alone. A push racing
    // this may leave the flag set with blocks free: the next release then pushes and clears it.
    if ((a[WAITERS_WORD]! & WAITERS_DRY) === 0) Atomics.or(a, WAITERS_WORD, WAITERS_DRY);
  }

  /** The cache's sink: idle blocks back to the shared list in one round. */
  private _spillBatch(objs: SharedBlock[]): void {
    const idx = objs.length <= this._scratch.length ? this._scratch : new Int32Array(objs.length);
    for (let j = 0; j < objs.length; j++) idx[j] = objs[j]!.index;
    // Blocks whose word is no longer -id were reclaimed while this isolate lived: the push skips them.
    this._wake(this._free.push(idx, objs.length, this._cachedTag));
  }

  private _spillOne(obj: SharedBlock): void {
    if (this._spill !== undefined) this._spill.push(obj);
    else this._spillBatch([obj]);
  }

  /** After every push: bumps the push generation, then wakes as many sleepers as blocks were freed, if anyone sleeps. */
  private _wake(n: number): void {
    if (n <= 0) return;
    const a = this._a;
    // INVARIANT: after the push put the blocks on the list, before WAITERS is read; it only grows.
    Atomics.add(a, H.PUSH_GEN, 1);
    // INVARIANT: read after the bump; pairs with the waiters' add-WAITERS-then-read-PUSH_GEN (see acquireSync).
    const word = Atomics.load(a, H.WAITERS);
    // INVARIANT: the list holds a block again: clear the flag bit alone (plain-read first, so a push
    // pays this Atomics op only after the list ran dry).
    if ((word & WAITERS_DRY) !== 0) Atomics.and(a, H.WAITERS, WAITERS_COUNT);
    if ((word & WAITERS_COUNT) > 0) Atomics.notify(a, H.PUSH_GEN, n);
  }

  private _blockAt(i: number): SharedBlock {
    const b = this._blockObjs[i];
    if (b !== undefined) return b;
    const g = this._g;
    const made = new SharedBlock(i, new Uint8Array(this.handle.sab, g.blocksOffset + i * g.stride, g.blockSize), this._cache === undefined ? undefined : this);
    this._blockObjs[i] = made;
    return made;
  }

  /** Index of a block given as a Block of this pool (any isolate's or attachment's) or an index. */
  private _indexOf(block: Block | number, method: string): number {
    if (typeof block === 'number') {
      if (!Number.isInteger(block) || block < 0 || block >= this.blocks) {
        throw new RangeError(`isopool: SharedPool.${method}() takes a block or an index in [0, ${this.blocks}), received ${describe(block)}`);
      }
      return block;
    }
    if (block === null || typeof block !== 'object') {
      throw new TypeError(`isopool: SharedPool.${method}() takes a block or an index, received ${describe(block)}`);
    }
    const i = (block as { index?: unknown }).index;
    const bytes = (block as { bytes?: unknown }).bytes;
    if (typeof i === 'number' && this._blockObjs[i] === block) return i;
    if (
      typeof i !== 'number' ||
      !Number.isInteger(i) ||
      i < 0 ||
      i >= this.blocks ||
      !(bytes instanceof Uint8Array) ||
      !this._sameBuffer(bytes.buffer)
    ) {
      throw new PoolError(ErrorCode.FOREIGN_OBJECT, `isopool: SharedPool.${method}() was given a block of another pool`);
    }
    return i;
  }

  /** Whether `buffer` is this pool's memory: the same object, or a clone of it from another isolate. */
  private _sameBuffer(buffer: ArrayBufferLike): boolean {
    if (buffer === this.handle.sab) return true;
    if (Object.prototype.toString.call(buffer) !== '[object SharedArrayBuffer]' || buffer.byteLength !== this._g.totalBytes) return false;
    // INVARIANT: the nonce is written once, before the handle is first shared.
    return Atomics.load(new Int32Array(buffer, 0, H.NONCE + 1), H.NONCE) === this._a[H.NONCE];
  }

  private _notLent(method: string, i: number, owner: number): PoolError {
    const where = owner === 0 ? 'it is on the free list' : `it is idle in isolate ${-owner}'s cache`;
    const what = owner > 0 ? `it was just released by another isolate` : where;
    return new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: SharedPool.${method}() was given block ${i}, which is not lent: ${what} (released twice?)`);
  }

  private _checkTimeout(timeout: unknown): number {
    if (timeout === undefined) return Infinity;
    if (typeof timeout !== 'number' || !(timeout >= 0)) {
      throw new RangeError(`isopool: option \`timeout\` must be a number >= 0, received ${describe(timeout)}`);
    }
    return timeout;
  }

  private _timeoutError(method: string, timeout: number): PoolError {
    return new PoolError(ErrorCode.TIMEOUT, `isopool: SharedPool.${method}() timed out after ${timeout} ms`);
  }

  private _closedError(): PoolError {
    return new PoolError(ErrorCode.CLOSED, 'isopool: this SharedPool is closed in this isolate');
  }
}
