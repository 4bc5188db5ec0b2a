/**
 * LocalPool: one isolate's object pool. Its owner slot, stack, source and books are PoolCore's
 * (pool-core.ts, whose essay explains the hot path); this class adds what sits beside them: options
 * resolved at the public edge, waiting in `acquireAsync` (../waiter-queue.ts), `trim` and `close`,
 * `stats`, the conveniences `use` and `lease` (lease.ts), and three internal calls through which
 * a SharedPool steers its per-isolate cache without flags (`takeIdle`, `admit`, `drainIdle`).
 */
import { describe } from '../validate.js';
import { checkWaitOptions, WaiterQueue, type ResolvedWait, type WaitOptions } from '../waiter-queue.js';
import { Lease, useLent } from './lease.js';
import { resolveLocalPoolOptions, type LocalPoolOptions } from './options.js';
import { HITS_WRAP } from './pool-books.js';
import { PoolCore } from './pool-core.js';
import { closed, timedOut } from './refusals.js';

/** What `acquireAsync` takes. */
export type AcquireAsyncOptions = WaitOptions;

export interface PoolStats {
  /** Acquires served from the owner slot, the stack, or a release handed to a waiter. */
  readonly hits: number;
  /** Acquires that went to the source (`create`, `createBatch`, or soft retention). */
  readonly misses: number;
  /** Objects made by the source. */
  readonly created: number;
  /** Objects dropped: rejected by `reset`, over `max`, trimmed, closed, leaked. */
  readonly discarded: number;
  /** Objects idle in the pool now. */
  readonly idle: number;
  /** Objects lent now. */
  readonly lent: number;
  /** The most objects lent at once. */
  readonly highWater: number;
  /** Callers waiting in `acquireAsync`. */
  readonly waiting: number;
  /** WeakRefs held by soft retention (some may already be cleared). */
  readonly soft: number;
  /** Sampled objects reported by leak tracking. */
  readonly leaked: number;
}

/** Test seam (not exported by the package): what tests may read of a LocalPool's insides. */
export interface LocalPoolInternals {
  /** Waiter records the queue holds, settled ones not yet compacted included. */
  readonly waiterRecords: number;
  /** The owner slot: holding an idle object, empty, or locked (slot off, waiters, closed). */
  readonly slot: 'full' | 'empty' | 'locked';
  /** The hit counter's field: hits since it last wrapped, always below 2^30 (a small integer). */
  readonly hitsSinceWrap: number;
  /** Counts `n` more hits, as if the owner slot had served them (tests of the counter's wrap). */
  advanceHits(n: number): void;
}
export let inspectLocalPool: (pool: LocalPool<object>) => LocalPoolInternals;

export class LocalPool<T extends object> extends PoolCore<T> {
  static {
    inspectLocalPool = (pool) => ({
      waiterRecords: pool._waiters.held,
      slot: pool._slotIdle === 1 ? 'full' : !pool._slotOn || pool._closed || pool._waiters.size > 0 ? 'locked' : 'empty',
      hitsSinceWrap: pool._hits,
      advanceHits: (n) => {
        const total = pool._hitCount() + n;
        pool._hitWraps = Math.floor(total / HITS_WRAP);
        pool._hits = total - pool._hitWraps * HITS_WRAP;
      },
    });
  }

  /** Callers of `acquireAsync` waiting at `limit`; the first one unbinds the owner slot. */
  private readonly _waiters: WaiterQueue<T>;

  constructor(options: LocalPoolOptions<T>) {
    const config = resolveLocalPoolOptions(options);
    super(config);
    const name = this._name;
    this._waiters = new WaiterQueue<T>({ onFirst: () => this._lockSlot() }, (ms) => timedOut(name, ms));
    if (config.initial.length > 0 || config.prefill > 0) this._fill(config.initial, config.prefill);
  }

  /**
   * Makes `prefill` objects onto the stack, puts `initial` on top of them (lent first, last one
   * first), and moves the top into the owner slot when the stack is over its capacity. The first
   * acquire may take that one without the cold path, so the high-water mark is set to 1 then
   * (`stats` reports 0 until something has been acquired).
   */
  private _fill(initial: readonly T[], prefill: number): void {
    const stack = this._stack;
    this._make(prefill, this._slotOn ? 1 : 0);
    for (const obj of initial) {
      this._countIn(obj, 'option `initial`', true);
      stack.push(obj);
    }
    if (stack.length > this._stackCap) {
      this._putInSlot(stack.pop()!);
      this._highWater = 1;
    }
  }

  /**
   * Lends an object, waiting in FIFO order for a release when the pool is at its `limit`. Rejects
   * with the signal's reason when aborted, `ERR_TIMEOUT` after `timeout` ms, `ERR_CLOSED` on close.
   */
  acquireAsync(options?: AcquireAsyncOptions): Promise<T> {
    let wait: ResolvedWait;
    let obj: T | undefined;
    try {
      wait = checkWaitOptions(options, `${this._name}.acquireAsync`);
      if (wait.signal?.aborted === true) return Promise.reject(wait.signal.reason);
      obj = this._waiters.size === 0 ? this.tryAcquire() : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    if (obj !== undefined) return Promise.resolve(obj);
    return this._waiters.wait(wait);
  }

  /** Acquires, runs `fn(obj)` (sync or async), releases in `finally`, returns `fn`'s result. */
  use<R>(fn: (obj: T) => R): R {
    return useLent(this, fn);
  }

  /**
   * Acquires an object wrapped in a lease for `using lease = pool.lease()`. A convenience: it costs
   * an allocation and TypeScript's disposal helpers, far more than acquire/release (see README).
   */
  lease(): Lease<T> {
    return new Lease(this, this.acquire());
  }

  /** Disposes idle objects until at most `keep` remain (the most recently used stay), and every softly held one. */
  trim(keep = 0): number {
    if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 0) {
      throw new RangeError(`isopool: trim(keep) takes an integer >= 0, received ${describe(keep)}`);
    }
    const stack = this._stack;
    // One splice from the bottom of the stack (the least recently used): linear in what it drops.
    const excess = this._idle() - keep;
    const drop = excess > 0 ? stack.splice(0, Math.min(excess, stack.length)) : [];
    if (excess > drop.length) drop.push(this._takeSlot()!);
    this._drainSoft(drop);
    this._disposeAll(drop);
    return drop.length;
  }

  /** Disposes every idle object and rejects waiters; later acquires throw `ERR_CLOSED`. Idempotent. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._lockSlot();
    const drop = this._stack.splice(0);
    this._drainSoft(drop);
    this._waiters.rejectAll(() => this._closedError());
    this._disposeAll(drop);
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this._closed;
  }

  /** Counters, read at the moment of the call. */
  get stats(): PoolStats {
    const idle = this._idle();
    const soft = this._soft;
    return {
      hits: this._hitCount(),
      misses: this._misses,
      created: this._created,
      discarded: this._discarded + (soft === undefined ? 0 : soft.cleared),
      idle,
      lent: this._live - idle,
      highWater: this._acquires() === 0 ? 0 : this._highWater,
      waiting: this._waiters.size,
      soft: soft === undefined ? 0 : soft.size,
      leaked: this._leaks === undefined ? 0 : this._leaks.leaked,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting (PoolCore's cold paths call these)

  /**
   * While callers wait or after close, every release must take the cold path (to hand the object to
   * a waiter, or to dispose it). Unbinding the owner slot does that at no cost to the hot paths: the
   * acquire flag is clear and no object matches an unbound slot. Cold acquires bind it again once
   * nobody waits.
   */
  private _lockSlot(): void {
    const held = this._takeSlot();
    if (held !== undefined) this._stack.push(held);
  }

  protected _waiting(): boolean {
    return this._waiters.size > 0;
  }

  protected _handToWaiter(obj: T, hit: boolean): void {
    if (hit) this._countHit();
    this._onLend(obj);
    this._waiters.resolveNext(obj);
  }

  protected _serveByCreating(): void {
    while (this._waiters.size > 0 && !this._closed) {
      let obj: T | undefined = this._stack.pop();
      const hit = obj !== undefined;
      try {
        if (!hit) {
          this._misses++;
          obj = this._fromSource();
        }
      } catch (error) {
        this._waiters.rejectNext(error);
        continue;
      }
      if (obj === undefined) return;
      this._handToWaiter(obj, hit);
    }
  }

  protected _closedError(): Error {
    return closed(this._name);
  }

  /** Moves softly held objects still alive into `drop` (back into `live`, to be discarded). */
  private _drainSoft(drop: T[]): void {
    if (this._soft !== undefined) this._live += this._soft.drainInto(drop);
  }

  /**
   * Drops every object in `drop`, each once, even when some `dispose` calls throw. A batch source
   * (`disposeBatch` without `dispose`) takes them back in one call: for a SharedPool cache these are
   * blocks going home, not objects to destroy.
   */
  private _disposeAll(drop: T[]): void {
    if (drop.length === 0) return;
    const { dispose, disposeBatch } = this._config;
    if (dispose === undefined && disposeBatch !== undefined) {
      for (const obj of drop) this._leave(obj);
      try {
        disposeBatch(drop);
      } finally {
        this._serveByCreating();
      }
      return;
    }
    const errors: unknown[] = [];
    for (const obj of drop) {
      try {
        this._discard(obj);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `isopool: ${errors.length} dispose calls failed`);
  }

  // ---------------------------------------------------------------------------------------------
  // For a pool whose source lends on its own behalf (SharedPool's per-isolate cache)

  /**
   * @internal Lends an idle object (the owner slot, else the stack top) without asking the source;
   * `undefined` when none is idle. A woken SharedPool waiter takes one block this way, never a batch.
   */
  takeIdle(): T | undefined {
    if (this._slotIdle === 1) {
      this._slotIdle = 0;
      this._countHit();
      return this._slot as T;
    }
    const top = this._stack.pop();
    if (top === undefined) return undefined;
    this._countHit();
    this._onLend(top);
    return top;
  }

  /**
   * @internal Counts in an object lent from outside this pool (a block adopted from another isolate,
   * or popped from the shared list for a waiter), so that its release here keeps `live` (idle + lent)
   * balanced. `miss` counts it as an acquire that went past the pool.
   */
  admit(obj: T, miss: boolean): void {
    if (this._ledger !== undefined) this._ledger.add(obj, 'admit()', false);
    this._live++;
    if (miss) this._misses++;
    this._onLend(obj);
  }

  /**
   * @internal Takes back a lent object that is no longer fit to lend (BufferPool: an array whose
   * buffer was detached while it sat idle): it leaves the books as discarded and goes to `dispose`.
   */
  discardLent(obj: T): void {
    if (this._ledger !== undefined) this._ledger.release(obj);
    if (this._leaks !== undefined) this._leaks.release(obj);
    this._discard(obj);
  }

  /**
   * @internal A lent object comes back as another object over the same resource (BufferPool: a
   * typed array whose buffer went to a worker and was posted back): `replacement` takes the place of
   * `lent` in the books, as lent, ready for `release`. `lent` is `undefined` once it was collected
   * (a transferred array's old object usually is). Returns false, changing nothing, when `lent` is
   * idle here: that lending was already closed. For pools without leak tracking (BufferPool's).
   */
  exchangeLent(lent: T | undefined, replacement: T): boolean {
    if (lent !== undefined) {
      if ((lent === this._slot && this._slotIdle === 1) || this._stack.includes(lent)) return false;
      if (this._ledger !== undefined) {
        this._ledger.release(lent);
        this._ledger.drop(lent);
      }
      // The slot may be bound to the old object: its release can no longer take the slot path.
      if (lent === this._slot) this._takeSlot();
    }
    if (this._ledger !== undefined) {
      this._ledger.add(replacement, 'a transfer', false);
      this._ledger.lend(replacement);
    }
    return true;
  }

  /**
   * @internal Removes every idle object (the stack, oldest first, then the slot) and returns them:
   * they leave the pool's books as discarded, and the caller owns them (SharedPool's flush sends
   * them home in one batch).
   */
  drainIdle(): T[] {
    const out = this._stack.splice(0);
    const slot = this._takeSlot();
    if (slot !== undefined) out.push(slot);
    for (const obj of out) this._leave(obj);
    return out;
  }
}
