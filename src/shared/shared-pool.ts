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
 * what lets any isolate release any block and lets double releases be caught.
 *
 * The pieces, each in its own module: the buffer and its checks (handle.ts, layout.ts), the owner
 * table (ownership.ts: who holds each block), this isolate's Block objects (block-table.ts), the free
 * lists behind one interface (free-lists/), and waiting across isolates (futex.ts). This class holds
 * the hot path and steers the cache through plain calls: `takeIdle` to serve a waiter one block,
 * `admit` to count in a block that reached this isolate another way, `drainIdle` to flush.
 *
 * ## Who calls reclaim
 *
 * An isolate that dies leaves its lent and cached blocks tagged with its id. Its creator learns the
 * id when the worker posts `pool.ownerId`, and calls `pool.reclaim(id)` from `worker.on('exit')`,
 * never earlier: reclaiming a live isolate is a bug nothing detects (it goes on lending what it
 * held while the free list lends it again; checking on every cached acquire would cost the hot
 * path). What each free list guarantees when a worker dies inside one of its operations is in its essay.
 *
 * Racing and stale releases: ownership.ts. Growth (`maxBlocks`): growth.ts, reached only from the
 * cold paths that pop the shared list (shared-source.ts); typed fields on blocks: fields.ts,
 * block-table.ts.
 *
 * ## Staying fast in a used program
 *
 * LocalPool's rules (pool-core.ts's essay): one cold method, `_cold`, too big to inline, no import
 * read on the hot path, strict comparisons; all Blocks of all pools share one hidden class
 * (block-table.ts: a getter per pool once put a second pool's cached pair at 100-160 ns, not 13-16).
 * A cache-off pair makes about twice its bare design's Atomics calls (benchmarks/README.md, fact
 * `atomics-per-pair`: the owner word's claim, transit and settle, one WAITERS read a push); the
 * push-generation bump when nobody waits and FREE_COUNT, which nothing read, were cut.
 *
 * ## Alternatives rejected
 *
 * - Every acquire/release through the shared list: a pair is then a few Atomics calls
 *   (benchmarks/README.md, fact `atomics-op`), tens of ns at best; the cache keeps a pair at a few
 *   ns (`shared_tls_get_put` against `bitmap_get_put` in `npm run bench`).
 * - An owner table in each isolate instead of the buffer: a release from another isolate could not
 *   check or change it, so double releases across isolates would go unseen.
 * - A second cache implementation beside LocalPool: the slot + stack + batch hooks already exist.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { LocalPool } from '../local/local-pool.js';
import { checkInteger } from '../validate.js';
import type { WaitOptions } from '../waiter-queue.js';
import { BlockTable, type Block, SharedBlock } from './block-table.js';
import type { FieldSchema, FieldsOf } from './fields.js';
import type { FreeList } from './free-lists/free-list.js';
import { makeFreeList } from './free-lists/make.js';
import { canBlock, WAITERS_WORD as FUTEX_WAITERS_WORD } from './futex.js';
import { Growth } from './growth.js';
import { SharedSource } from './shared-source.js';
import { allocatePool, openHandle, type AttachOptions, type OpenedPool, type SharedPoolHandle, type SharedPoolOptions } from './handle.js';
import { H, type Strategy } from './layout.js';
import { isLent, MAX_OWNER_ID, OwnerTable, type OwnerCount } from './ownership.js';
import { poolStats, type SharedPoolStats } from './stats.js';
import { BlockWaiting } from './waiting.js';

export type { Block } from './block-table.js';
export type { FieldSchema, FieldsOf, FieldType } from './fields.js';
export type { OwnerCount } from './ownership.js';
export type { SharedPoolStats } from './stats.js';
export { DEFAULT_CACHE, DEFAULT_STRATEGY, type AttachOptions, type SharedPoolHandle, type SharedPoolOptions, type Strategy } from './handle.js';

/** What `acquireAsync` takes. */
export type SharedAcquireOptions = WaitOptions;

/** The hot release reads it as this module's constant, not an import (pool-core.ts's essay, "Imports"). */
const WAITERS_WORD = FUTEX_WAITERS_WORD;

/** What `_cold` is asked to do. */
const Cold = { Acquire: 0, TryAcquire: 1, Release: 2 } as const;
type Cold = (typeof Cold)[keyof typeof Cold];

/**
 * Test seam (not exported by the package): what tests may read of a SharedPool's insides, to
 * inject another isolate's operation at the exact point of a race. Set by SharedPool's static block.
 */
export interface SharedPoolInternals {
  readonly freeList: FreeList;
  readonly waiting: BlockWaiting;
  readonly cache: LocalPool<SharedBlock> | undefined;
  /** The growth protocol (growth.ts); undefined for a pool that cannot grow. */
  readonly growth: Growth | undefined;
}
export let inspectSharedPool: (pool: SharedPool<FieldSchema>) => SharedPoolInternals;

export class SharedPool<F extends FieldSchema = {}> {
  static {
    inspectSharedPool = (pool) => ({ freeList: pool._free, waiting: pool._waiting, cache: pool._cache, growth: pool._growth });
  }

  // Hot fields first.
  private readonly _words: Int32Array;
  /** Word index of block 0's owner word. */
  private readonly _ownerBase: number;
  private readonly _cache: LocalPool<SharedBlock> | undefined;
  /** `+id`: the owner word of a block this isolate lent. */
  private readonly _lentTag: number;
  /** The owner word a hot release must find: `+id` while open, after close a value no word holds. */
  private _cacheableTag: number;
  /** `-id`: the owner word of a block idle in this isolate's cache. */
  private readonly _cachedTag: number;

  /** The value to send to other isolates (postMessage, workerData) for `SharedPool.attach`. */
  readonly handle: SharedPoolHandle<F>;
  /** This isolate's id in this pool: from a header counter, never reused. */
  readonly ownerId: number;
  readonly strategy: Strategy;
  readonly blockSize: number;
  /** Most blocks the pool may grow to (`blocks` when it cannot grow). */
  readonly maxBlocks: number;
  /** The blocks' typed fields, name -> type (`{}` without a schema), as every attached isolate sees them. */
  readonly fields: Readonly<F>;

  private readonly _free: FreeList;
  private readonly _growth: Growth | undefined;
  private readonly _owners: OwnerTable;
  private readonly _blockTable: BlockTable;
  private readonly _waiting: BlockWaiting;
  /** The shared list as this attachment draws on it: pops, growth, refills and spills. */
  private readonly _source: SharedSource;
  /** Indices moved by one free-list call (the source's). */
  private readonly _scratch: Int32Array;
  private _closed = false;

  private constructor(opened: OpenedPool) {
    const { sab, geometry: g, cache } = opened;
    // Fixed-length, over the regions before the blocks: a length-tracking view of a growable buffer
    // reads and writes many times slower (benchmarks/README.md, fact `gsab-views`).
    const a = new Int32Array(sab, 0, g.blocksOffset >> 2);
    this._words = a;
    this.handle = { sab };
    this.strategy = g.strategy;
    this.blockSize = g.blockSize;
    this.maxBlocks = g.maxBlocks;
    this.fields = Object.freeze(Object.fromEntries(g.fields.slots.map((f) => [f.name, f.type]))) as unknown as F;
    this._owners = new OwnerTable(a, g);
    this._ownerBase = this._owners.base;
    // INVARIANT: ids are handed out once each, in any isolate; a counter that only grows.
    const id = Atomics.add(a, H.NEXT_ID, 1) + 1;
    if (id > MAX_OWNER_ID) {
      throw new PoolError(ErrorCode.BAD_HANDLE, `isopool: this SharedPool has handed out all ${MAX_OWNER_ID} isolate ids`);
    }
    this.ownerId = id;
    this._lentTag = id;
    this._cacheableTag = id;
    this._cachedTag = -id;
    const canWait = canBlock(a);
    const free = makeFreeList(a, g, id, canWait);
    if (opened.fresh) free.init();
    this._free = free;
    this._growth = g.maxBlocks === g.blocks ? undefined : new Growth(a, sab, g, id, free, canWait, (n) => this._waiting.futex.wake(n));
    this._blockTable = new BlockTable(sab, g, cache === 0 ? undefined : this);
    this._waiting = new BlockWaiting(a, id, canWait, {
      tryAcquire: () => this.tryAcquire(),
      takeOne: () => this._takeOne(),
      isClosed: () => this._closed,
    });
    // A refill takes half the cache, and never more than an eighth of the pool, so one isolate's
    // refill cannot empty a small pool that others share.
    const batch = Math.max(1, Math.min(Math.ceil(cache / 2), Math.floor(g.blocks / 8)));
    const source = new SharedSource(free, this._growth, this._blockTable, this._waiting.futex, this._cachedTag, batch, cache);
    this._source = source;
    this._scratch = source.scratch;
    this._cache =
      cache === 0
        ? undefined
        : new LocalPool<SharedBlock>({
            name: 'SharedPool',
            max: cache,
            grow: batch,
            createBatch: (n, out) => source.refill(n, out),
            disposeBatch: (blocks) => source.spill(blocks),
          });
  }

  /** Allocates a new pool. Throws `ERR_SAB_UNAVAILABLE` where SharedArrayBuffer (growable, with `maxBlocks`) is unavailable. */
  static create<F extends FieldSchema = {}>(options: SharedPoolOptions<F>): SharedPool<F> {
    return new SharedPool<F>(allocatePool(options));
  }

  /** Joins a pool created in another isolate. Throws `ERR_BAD_HANDLE` for anything but a live handle. */
  static attach<F extends FieldSchema = {}>(handle: SharedPoolHandle<F>, options: AttachOptions = {}): SharedPool<F> {
    return new SharedPool<F>(openHandle(handle, options));
  }

  /** Blocks the pool has now: `blocks` at create, more once it has grown (`maxBlocks`). */
  get blocks(): number {
    return this._owners.blocks();
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path

  /** Lends a block. Throws `ERR_POOL_EXHAUSTED` when every block is out, `ERR_CLOSED` after close. */
  acquire(): Block<FieldsOf<F>> {
    const cache = this._cache;
    if (cache !== undefined) {
      const b = cache.tryAcquire();
      if (b !== undefined) {
        // -id -> +id: only this isolate writes a word that holds -id (see ownership.ts).
        this._words[this._ownerBase + b.index] = this._lentTag;
        return b;
      }
    }
    return this._cold(Cold.Acquire, undefined)!;
  }

  /** Takes back a block, from any isolate. Throws `ERR_DOUBLE_RELEASE` if it is not lent. */
  release(block: Block | number): void {
    // `_home` is set only on blocks of a cached attachment; a number or null reads undefined.
    if (typeof block === 'object' && block !== null && (block as SharedBlock)._home === this) {
      const a = this._words;
      const w = this._ownerBase + (block as SharedBlock).index;
      // Cache only while nobody waits and the shared list is not known dry (WAITERS_DRY): one plain
      // read of one word, a hint (a stale value only delays a waiter to the next shared push).
      if (a[w] === this._cacheableTag && a[WAITERS_WORD] === 0) {
        a[w] = this._cachedTag;
        this._cache!.release(block as SharedBlock);
        return;
      }
    }
    this._cold(Cold.Release, block);
  }

  // ---------------------------------------------------------------------------------------------
  // Cold paths

  /** Like `acquire()`, but returns `undefined` when every block is out. */
  tryAcquire(): Block<FieldsOf<F>> | undefined {
    return this._cold(Cold.TryAcquire, undefined);
  }

  /**
   * Every cold path of `acquire`, `tryAcquire` and `release`, in one method too big to inline (see
   * the essay; tests/hot-paths.test.ts checks its size). Acquire: the cache (unless `acquire()` has
   * just asked it: its miss already tried a batch refill from the shared list), else the shared
   * list. Release: any block but one of this isolate's cache going back to it: checked against its
   * owner word, pushed to the shared list, a waiter woken.
   */
  private _cold(op: Cold, block: Block | number | undefined): SharedBlock | undefined {
    if (op !== Cold.Release) {
      if (this._closed) throw this._closedError();
      const cache = this._cache;
      if (cache !== undefined) {
        const b = op === Cold.Acquire ? undefined : cache.tryAcquire();
        if (b !== undefined) {
          this._words[this._ownerBase + b.index] = this._lentTag;
          return b;
        }
      } else {
        const b = this._source.one(this._lentTag);
        if (b !== undefined) return b;
      }
      if (op === Cold.TryAcquire) return undefined;
      const blocks = this.blocks;
      throw new PoolError(
        ErrorCode.POOL_EXHAUSTED,
        `isopool: SharedPool is exhausted: all ${blocks} blocks are lent or cached${blocks < this.maxBlocks ? ` (it grows to ${this.maxBlocks}, but its growth lock is held by an isolate that stopped: reclaim that isolate's ownerId)` : ''}`,
      );
    }
    const given = block as Block | number;
    const i = this._blockTable.indexOf(given, 'release');
    const cur = this._owners.owner(i);
    // Our own Block object names our lending: lent elsewhere now, this is a stale release.
    if (!isLent(cur) || (cur !== this._lentTag && this._blockTable.isOwn(given))) throw this._owners.notLent('release', i, cur);
    const own = cur === this._lentTag && this._cache !== undefined && !this._closed;
    this._scratch[0] = i;
    if (this._free.push(this._scratch, 1, cur) === 0) throw this._owners.notLent('release', i, this._owners.owner(i));
    this._waiting.futex.wake(1);
    // After the push: a waiter counted by now is served by the flush's push too.
    if (own && this._waiting.futex.anyWaiter()) this.flush();
    return undefined;
  }

  /** Takes over a block lent by another isolate (handed over by message): its release then stays here. */
  adopt(block: Block | number): Block<FieldsOf<F>> {
    const i = this._blockTable.indexOf(block, 'adopt');
    const taken = this._owners.adopt(i, this._lentTag, 'adopt');
    const b = this._blockTable.at(i);
    // Its release here may enter the cache: count it among the cache's lent blocks first, or the
    // cache's live count (idle + lent) would fall below its idle count.
    if (taken && this._cache !== undefined && !this._closed) this._cache.admit(b, false);
    return b;
  }

  /**
   * Returns to the free list every block isolate `ownerId` held or cached. Call it only once that
   * isolate is gone (a worker's 'exit' event). Returns how many blocks it freed.
   */
  reclaim(ownerId: number): number {
    // INVARIANT: a snapshot of the ids handed out; an id past it names no isolate yet.
    checkInteger('ownerId', ownerId, 1, Atomics.load(this._words, H.NEXT_ID));
    if (ownerId === this.ownerId) {
      throw new RangeError(`isopool: reclaim() takes another, dead isolate's ownerId; ${ownerId} is this isolate's (use flush() or close())`);
    }
    const n = this._free.reclaim(ownerId);
    this._growth?.breakLockOf(ownerId);
    this._waiting.futex.reclaim(ownerId);
    this._waiting.futex.wake(n);
    return n;
  }

  /** Returns this isolate's cached blocks to the shared free list. */
  flush(): void {
    const cache = this._cache;
    if (cache === undefined) return;
    const idle = cache.drainIdle();
    if (idle.length > 0) this._source.spill(idle);
  }

  /** Flushes the cache and stops lending here (waiters reject with `ERR_CLOSED`). Lent blocks can still be released. */
  close(): void {
    if (this._closed) return;
    this.flush();
    this._closed = true;
    // Releases after close go straight to the shared list (the slow path), never into the closed
    // cache, which would strand them: a block it did not lend would fail its accounting.
    this._cacheableTag = MAX_OWNER_ID + 1;
    this._cache?.close();
    this._waiting.rejectAll(() => this._closedError());
  }

  get closed(): boolean {
    return this._closed;
  }

  /**
   * Who holds what now, read from the owner table: `{ ownerId, lent, cached }` for every isolate
   * with blocks lent or idle in its cache, by id. A snapshot of a table other isolates move.
   */
  owners(): OwnerCount[] {
    return this._owners.holders();
  }

  /** Counters, read at the moment of the call (stats.ts says how). */
  get stats(): SharedPoolStats {
    return poolStats(this._words, this._owners, this._lentTag, this._cache?.stats, this._waiting.futex, this._free.retries, this.maxBlocks, this.blockSize);
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting (waiting.ts; the protocol is futex.ts's essay)

  /**
   * Lends a block, blocking the thread (Atomics.wait) until one is released. Throws `ERR_TIMEOUT`
   * after `timeout` ms, and `ERR_WAIT_NOT_ALLOWED` where blocking is not allowed (a browser's main thread).
   */
  acquireSync(options: { timeout?: number } = {}): Block<FieldsOf<F>> {
    return this._waiting.acquireSync(options) as SharedBlock;
  }

  /**
   * Lends a block, waiting (Atomics.waitAsync, the event loop kept alive) until one is released.
   * Rejects with the signal's reason when aborted, `ERR_TIMEOUT` after `timeout` ms, `ERR_CLOSED` on close.
   */
  acquireAsync(options?: SharedAcquireOptions): Promise<Block<FieldsOf<F>>> {
    return this._waiting.acquireAsync(options) as Promise<SharedBlock>;
  }

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  /**
   * Serves a waiter: a block idle in this isolate's cache, else exactly one from the shared list,
   * tagged +id. Never a batch: a woken waiter that refilled its cache would hoard the blocks other
   * waiters were woken for.
   */
  private _takeOne(): Block | undefined {
    if (this._closed) throw this._closedError();
    const cache = this._cache;
    if (cache !== undefined) {
      const b = cache.takeIdle();
      if (b !== undefined) {
        this._words[this._ownerBase + b.index] = this._lentTag;
        return b;
      }
    }
    const b = this._source.one(this._lentTag);
    if (b !== undefined && cache !== undefined) cache.admit(b, true);
    return b;
  }

  private _closedError(): PoolError {
    return new PoolError(ErrorCode.CLOSED, 'isopool: this SharedPool is closed in this isolate');
  }
}
