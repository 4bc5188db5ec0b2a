/**
 * SharedPool: fixed-size blocks in one SharedArrayBuffer, lent to any isolate that attaches to it,
 * with a per-isolate front slot and cache so the common acquire/release touches no Atomics.
 *
 * ## The trick
 *
 * The owner table (ownership.ts) says where each block is: `+id` lent by isolate `id`, `-id` idle in
 * its cache, 0 free. In front of everything sits the *front slot*: the block of this isolate's last
 * cold acquire and a flag saying it is idle here. `acquire()` reads the flag, clears it, writes the
 * block's owner word `+id` plainly and returns it; `release()` takes the front path only for that
 * very Block (identity, so no type test), only while its word still reads `+id` (not released and
 * lent again elsewhere) and nobody waits, and writes `-id`. The word is written on every lend and
 * read on every release because any isolate may release any block: a release from elsewhere must
 * see `-id` on a block idle here and refuse it. Behind the front is the cache, a `LocalPool` of
 * Block objects whose source is the shared free list: a miss refills a batch through `createBatch`
 * (one lock or CAS round) and a release past `cache` spills the older half through `disposeBatch`.
 * The front's block counts as lent in that LocalPool's books until it goes back (a release the
 * front refuses, `flush`, `close`); nested use, a second block at once, is served by the cache.
 *
 * The parts besides the hot fields are built and named in attachment.ts; each lives in its own
 * module (buffer checks, owner table, Block objects, free lists, waiting, growth, typed fields).
 *
 * ## Who calls reclaim
 *
 * An isolate that dies leaves its lent and cached blocks tagged with its id. Its creator learns the
 * id when the worker posts `pool.ownerId`, and calls `pool.reclaim(id)` from `worker.on('exit')`,
 * never earlier: reclaiming a live isolate is a bug nothing detects (checking on every cached
 * acquire would cost the hot path). What each free list guarantees when a worker dies inside one
 * of its operations is in its essay.
 *
 * ## Staying fast in a used program
 *
 * pool-core.ts's rules hold here: one cold method, `_cold`, too big to inline; no import read on
 * the hot path; strict comparisons; a hit counter that wraps below 2^30; one hidden class for all
 * Blocks (block-table.ts). The front exists for the used program: through the LocalPool cache a
 * pair paid the LocalPool pair plus the owner word, a type test and the cache's own checks
 * (benchmarks/README.md, fact `shared-front`, has the figures). A cache-off pair makes about twice
 * its bare design's Atomics calls (fact `atomics-per-pair`: the owner word's claim, transit and
 * settle, which keep a block in one place when an isolate dies mid-operation).
 *
 * ## Alternatives rejected
 *
 * - Every acquire/release through the shared list: a few Atomics calls a pair (fact `atomics-op`),
 *   tens of ns; the cache keeps a pair at a few ns.
 * - Owner words left at `+id` while idle in the front, to skip the write on acquire: a stale
 *   release from another isolate would then push a block idle here, and two isolates would lend it.
 * - An owner table in each isolate instead of the buffer: a release from another isolate could not
 *   check or change it, so double releases across isolates would go unseen.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { advancedHits, HITS_WRAP as BOOKS_HITS_WRAP } from '../local/pool-books.js';
import type { WaitOptions } from '../waiter-queue.js';
import { assemble, exhausted, reclaimDead, type Attachment } from './attachment.js';
import type { Block, SharedBlock } from './block-table.js';
import type { FieldSchema, FieldsOf } from './fields.js';
import { WAITERS_WORD as FUTEX_WAITERS_WORD } from './futex.js';
import { allocatePool, openHandle, type AttachOptions, type OpenedPool, type SharedPoolHandle, type SharedPoolOptions } from './handle.js';
import type { Strategy } from './layout.js';
import { isLent, MAX_OWNER_ID, type OwnerCount } from './ownership.js';
import { poolStats, type SharedPoolStats } from './stats.js';

export type { Block } from './block-table.js';
export type { FieldSchema, FieldsOf, FieldType } from './fields.js';
export type { OwnerCount } from './ownership.js';
export type { SharedPoolStats } from './stats.js';
export { DEFAULT_CACHE, DEFAULT_STRATEGY, type AttachOptions, type SharedPoolHandle, type SharedPoolOptions, type Strategy } from './handle.js';

/** What `acquireAsync` takes. */
export type SharedAcquireOptions = WaitOptions;

/** The hot paths read these as this module's constants, not imports (pool-core.ts's essay, "Imports"). */
const WAITERS_WORD = FUTEX_WAITERS_WORD;
const HITS_WRAP = BOOKS_HITS_WRAP;

/** The front slot's value while it is bound to no block: an object no caller can pass to `release`. */
const NO_FRONT = Object.freeze({ noFront: true }) as unknown as SharedBlock;

/** What `_cold` is asked to do. */
const Cold = { Acquire: 0, TryAcquire: 1, Release: 2 } as const;
type Cold = (typeof Cold)[keyof typeof Cold];

/**
 * Test seam (not exported by the package): a SharedPool's parts (attachment.ts), for tests that
 * inject another isolate's operation at the exact point of a race, and its front's hit counter.
 */
export let inspectSharedPool: (pool: SharedPool<FieldSchema>) => Attachment & { frontHits: number; advanceFrontHits(n: number): void };

export class SharedPool<F extends FieldSchema = {}> {
  static {
    inspectSharedPool = (pool) => ({
      ...pool._parts,
      frontHits: pool._frontHits,
      advanceFrontHits: (n) => void ([pool._frontHitWraps, pool._frontHits] = advancedHits(pool._frontHitWraps, pool._frontHits, n)),
    });
  }

  // Hot fields first.
  /** The front slot: the block of this isolate's last cold acquire (NO_FRONT when unbound; see the essay). */
  private _front: SharedBlock = NO_FRONT;
  /** 1 while the front's block is idle here (owner word `-id`), else 0 (lent, or unbound). */
  private _frontIdle: 0 | 1 = 0;
  /** Front hits since the last wrap: always below HITS_WRAP, so a small integer (pool-core.ts's essay). */
  private _frontHits = 0;
  private readonly _words: Int32Array;
  /** Word index of block 0's owner word. */
  private readonly _ownerBase: number;
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

  /** Times `_frontHits` wrapped. */
  private _frontHitWraps = 0;
  /** The cache behind the front (undefined with `cache: 0`). */
  private readonly _cache: Attachment['cache'];
  /** Everything else this attachment steers from its cold paths (attachment.ts). */
  private readonly _parts: Attachment;
  private _closed = false;

  private constructor(opened: OpenedPool) {
    const g = opened.geometry;
    const parts = assemble(opened, this, {
      tryAcquire: () => this.tryAcquire(),
      takeOne: () => this._takeOne(),
      isClosed: () => this._closed,
    });
    const id = parts.id;
    this._words = parts.words;
    this._ownerBase = parts.owners.base;
    this.ownerId = id;
    this._lentTag = id;
    this._cacheableTag = id;
    this._cachedTag = -id;
    this.handle = { sab: opened.sab };
    this.strategy = g.strategy;
    this.blockSize = g.blockSize;
    this.maxBlocks = g.maxBlocks;
    this.fields = Object.freeze(Object.fromEntries(g.fields.slots.map((f) => [f.name, f.type]))) as unknown as F;
    this._parts = parts;
    this._cache = parts.cache;
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
    return this._parts.owners.blocks();
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path

  /** Lends a block. Throws `ERR_POOL_EXHAUSTED` when every block is out, `ERR_CLOSED` after close. */
  acquire(): Block<FieldsOf<F>> {
    if (this._frontIdle === 1) {
      const hits = (this._frontHits + 1) | 0;
      if (hits !== HITS_WRAP) {
        const b = this._front;
        this._frontIdle = 0;
        this._frontHits = hits;
        // -id -> +id: only this isolate writes a word that holds -id (see ownership.ts).
        this._words[this._ownerBase + b.index] = this._lentTag;
        return b;
      }
    }
    // One call site for every cold case, as in pool-core.ts.
    return this._cold(Cold.Acquire, undefined)!;
  }

  /** Takes back a block, from any isolate. Throws `ERR_DOUBLE_RELEASE` if it is not lent. */
  release(block: Block | number): void {
    // Identity with the front's block: this attachment's own Block, so no type or `_home` test.
    if (block === this._front && this._frontIdle === 0) {
      const a = this._words;
      const w = this._ownerBase + (block as SharedBlock).index;
      // Still ours (`+id`), and nobody waits nor is the shared list known dry (WAITERS_DRY): a plain
      // read, a hint (a stale value only delays a waiter to the next shared push).
      if (a[w] === this._cacheableTag && a[WAITERS_WORD] === 0) {
        a[w] = this._cachedTag;
        this._frontIdle = 1;
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
   * the essay; tests/hot-paths.test.ts checks its size). Acquire: the front, the cache (whose miss
   * refills a batch from the shared list), else the shared list. Release: into the cache while the
   * owner word reads `+id` and nobody waits, else checked against its owner word, pushed to the
   * shared list, a waiter woken.
   */
  private _cold(op: Cold, block: Block | number | undefined): SharedBlock | undefined {
    if (op !== Cold.Release) {
      // tryAcquire(), or a hit that would make `_frontHits` reach HITS_WRAP: it wraps here.
      if (this._frontIdle === 1) return this._takeFront();
      if (this._closed) throw this._closedError();
      const cache = this._cache;
      if (cache !== undefined) {
        // The cache's miss refills a batch from the shared list.
        const b = cache.tryAcquire();
        if (b !== undefined) {
          // A front block lent here stays bound (nested use); one that went back or left does not.
          const f = this._front;
          if (f === NO_FRONT || this._words[this._ownerBase + f.index] !== this._lentTag) this._front = b;
          return this._lend(b);
        }
      } else {
        const b = this._parts.source.one(this._lentTag);
        if (b !== undefined) return b;
      }
      if (op === Cold.TryAcquire) return undefined;
      throw exhausted(this.blocks, this.maxBlocks);
    }
    const given = block as Block | number;
    // The front keeps only a block whose hot release succeeds: waiters, close or a word not ours any
    // more unbind it (an idle front block released again stays bound, and is refused below).
    if (given === this._front && this._frontIdle === 0) this._front = NO_FRONT;
    // `_home` is set only on blocks of a cached attachment; a number or null reads undefined.
    if (typeof given === 'object' && given !== null && (given as SharedBlock)._home === this) {
      const a = this._words;
      const w = this._ownerBase + (given as SharedBlock).index;
      if (a[w] === this._cacheableTag && a[WAITERS_WORD] === 0) {
        a[w] = this._cachedTag;
        this._cache!.release(given as SharedBlock);
        return undefined;
      }
    }
    // Checked against the owner word: refused when not lent, or lent elsewhere now while named by
    // our own Block object (a stale release); then pushed to the shared list, a waiter woken.
    const { blockTable, owners, free, source } = this._parts;
    const i = blockTable.indexOf(given, 'release');
    const cur = owners.owner(i);
    if (!isLent(cur) || (cur !== this._lentTag && blockTable.isOwn(given))) throw owners.notLent('release', i, cur);
    source.scratch[0] = i;
    if (free.push(source.scratch, 1, cur) === 0) throw owners.notLent('release', i, owners.owner(i));
    this._parts.waiting.futex.wake(1);
    // After the push: a waiter counted by now is served by the flush's push too.
    if (cur === this._lentTag && this._cache !== undefined && !this._closed && this._parts.waiting.futex.anyWaiter()) this.flush();
    return undefined;
  }

  /** Takes over a block lent by another isolate (handed over by message): its release then stays here. */
  adopt(block: Block | number): Block<FieldsOf<F>> {
    const i = this._parts.blockTable.indexOf(block, 'adopt');
    const taken = this._parts.owners.adopt(i, this._lentTag, 'adopt');
    const b = this._parts.blockTable.at(i);
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
    return reclaimDead(this._parts, ownerId);
  }

  /** Returns this isolate's cached blocks to the shared free list. */
  flush(): void {
    const cache = this._cache;
    if (cache === undefined) return;
    const f = this._front;
    this._front = NO_FRONT;
    if (this._frontIdle === 1) {
      this._frontIdle = 0;
      cache.release(f);
    }
    const idle = cache.drainIdle();
    if (idle.length > 0) this._parts.source.spill(idle);
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
    this._parts.waiting.rejectAll(() => this._closedError());
  }

  get closed(): boolean {
    return this._closed;
  }

  /**
   * Who holds what now, read from the owner table: `{ ownerId, lent, cached }` for every isolate
   * with blocks lent or idle in its cache, by id. A snapshot of a table other isolates move.
   */
  owners(): OwnerCount[] {
    return this._parts.owners.holders();
  }

  /** Counters, read at the moment of the call (stats.ts says how). */
  get stats(): SharedPoolStats {
    const front = { idle: this._frontIdle, hits: this._frontHitWraps * HITS_WRAP + this._frontHits };
    return poolStats(this._words, this._parts.owners, this._lentTag, this._cache?.stats, front, this._parts.waiting.futex, this._parts.free.retries, this.maxBlocks, this.blockSize);
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting (waiting.ts; the protocol is futex.ts's essay)

  /**
   * Lends a block, blocking the thread (Atomics.wait) until one is released. Throws `ERR_TIMEOUT`
   * after `timeout` ms, and `ERR_WAIT_NOT_ALLOWED` where blocking is not allowed (a browser's main thread).
   */
  acquireSync(options: { timeout?: number } = {}): Block<FieldsOf<F>> {
    return this._parts.waiting.acquireSync(options) as SharedBlock;
  }

  /**
   * Lends a block, waiting (Atomics.waitAsync, the event loop kept alive) until one is released.
   * Rejects with the signal's reason when aborted, `ERR_TIMEOUT` after `timeout` ms, `ERR_CLOSED` on close.
   */
  acquireAsync(options?: SharedAcquireOptions): Promise<Block<FieldsOf<F>>> {
    return this._parts.waiting.acquireAsync(options) as Promise<SharedBlock>;
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
    if (this._frontIdle === 1) return this._takeFront();
    const cache = this._cache;
    if (cache !== undefined) {
      const b = cache.takeIdle();
      if (b !== undefined) return this._lend(b);
    }
    const b = this._parts.source.one(this._lentTag);
    if (b !== undefined && cache !== undefined) cache.admit(b, true);
    return b;
  }

  /** Tags `b` lent here (`-id` -> `+id`, plainly: see ownership.ts) and returns it. */
  private _lend(b: SharedBlock): SharedBlock {
    this._words[this._ownerBase + b.index] = this._lentTag;
    return b;
  }

  /** Lends the front's idle block from a cold path, counting the hit (and its wrap). */
  private _takeFront(): SharedBlock {
    this._frontIdle = 0;
    if (++this._frontHits >= HITS_WRAP) {
      this._frontHits -= HITS_WRAP;
      this._frontHitWraps++;
    }
    return this._lend(this._front);
  }

  private _closedError(): PoolError {
    return new PoolError(ErrorCode.CLOSED, 'isopool: this SharedPool is closed in this isolate');
  }
}
