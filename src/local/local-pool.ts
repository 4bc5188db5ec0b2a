/**
 * LocalPool: one isolate's object pool. Its owner slot, stack, source and books are PoolCore's
 * (pool-core.ts, whose essay explains the hot path); this class adds what sits beside them: options
 * resolved at the public edge, waiting in `acquireAsync` (../waiter-queue.ts), `trim` and `close`,
 * `stats`, the conveniences `use` and `lease` (lease.ts), and three internal calls through which
 * a SharedPool steers its per-isolate cache without flags (`takeIdle`, `admit`, `drainIdle`).
 */
import { checkWaitOptions, type ResolvedWait, type WaitOptions } from '../waiter-queue.js';
import { describe } from '../validate.js';
import { Lease, useLent } from './lease.js';
import { resolveLocalPoolOptions, type LocalPoolOptions } from './options.js';
import { PoolCore } from './pool-core.js';

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
}
export let inspectLocalPool: (pool: LocalPool<object>) => LocalPoolInternals;

export class LocalPool<T extends object> extends PoolCore<T> {
  static {
    inspectLocalPool = (pool) => ({
      waiterRecords: pool._waiters.held,
      slot: pool._ownerSlot === null ? 'locked' : pool._ownerSlot === undefined ? 'empty' : 'full',
    });
  }

  constructor(options: LocalPoolOptions<T>) {
    super(resolveLocalPoolOptions(options));
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
    if (excess > drop.length && this._ownerSlot != null) {
      drop.push(this._ownerSlot);
      this._ownerSlot = undefined;
    }
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
      hits: this._hits,
      misses: this._misses,
      created: this._created,
      discarded: this._discarded + (soft === undefined ? 0 : soft.cleared),
      idle,
      lent: this._live - idle,
      highWater: this._hits + this._misses === 0 ? 0 : this._highWater,
      waiting: this._waiters.size,
      soft: soft === undefined ? 0 : soft.size,
      leaked: this._leaks === undefined ? 0 : this._leaks.leaked,
    };
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
      this._live -= drop.length;
      this._discarded += drop.length;
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
    const obj = this._ownerSlot;
    if (obj != null) {
      this._ownerSlot = undefined;
      this._hits++;
      return obj;
    }
    const top = this._stack.pop();
    if (top === undefined) return undefined;
    this._hits++;
    this._onLend(top);
    return top;
  }

  /**
   * @internal Counts in an object lent from outside this pool (a block adopted from another isolate,
   * or popped from the shared list for a waiter), so that its release here keeps `live` (idle + lent)
   * balanced. `miss` counts it as an acquire that went past the pool.
   */
  admit(obj: T, miss: boolean): void {
    this._live++;
    if (miss) this._misses++;
    if (this._ledger !== undefined) this._ledger.add(obj);
    this._onLend(obj);
  }

  /**
   * @internal Removes every idle object (the stack, oldest first, then the slot) and returns them:
   * they leave the pool's books as discarded, and the caller owns them (SharedPool's flush sends
   * them home in one batch).
   */
  drainIdle(): T[] {
    const out = this._stack.splice(0);
    const slot = this._ownerSlot;
    if (slot != null) {
      out.push(slot);
      this._ownerSlot = undefined;
    }
    this._live -= out.length;
    this._discarded += out.length;
    return out;
  }
}
