/**
 * ResourcePool: a pool of resources that are made and closed asynchronously and can die while idle
 * (connections, clients), with the lifecycle of generic-pool, tarn and deadpool: `validate` before
 * lending, `min` kept warm, `max` live, `idleTimeout`, `maxLifetime`, `acquireTimeout`,
 * `createTimeout`, FIFO waiters, and `drain`. Its books, creates, destroys and waiter service are
 * ResourceBooks' (books.ts); this class is the public edge and the idle path.
 *
 * ## The idle path
 *
 * `acquire()` with no options, no waiter queued and an idle resource on the stack is a pop, a
 * `validate` call when there is one (its `true` taken as is), two field writes and one
 * `Promise.resolve`: no timer, no closure, no clock read, no `async` frame. `release` is a WeakMap
 * lookup, a state check, a push and three field writes, again with no clock read (the reaper stamps
 * the time later: reaper.ts). Everything else (options, waiting, an async `validate`, expiry, drain)
 * leaves the idle path for the cold methods here and in books.ts. The README's benchmark section
 * has the figures against a bare `await`, generic-pool and tarn.
 *
 * ## What LocalPool shares, and what not
 *
 * The waiter queue (one timeout rule, AbortSignal checks, settle-once), PoolError and its codes, and
 * the option checks are the same modules; LocalPool's hot path (owner slot, stack) is not used: a
 * pool of things that die while idle must look at each one before lending it.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { checkKnownKeys, describe } from '../validate.js';
import { checkTimeout, checkWaitOptions, type ResolvedWait, type WaitOptions } from '../waiter-queue.js';
import { ResourceBooks } from './books.js';
import { resolveResourcePoolOptions, type ResourcePoolOptions } from './options.js';
import { State, UNSTAMPED, type ResourceRecord } from './record.js';

/** What `acquire` and `use` take: `timeout` (ms; default the pool's `acquireTimeout`) and `signal`. */
export type ResourceAcquireOptions = WaitOptions;

/** What `drain` takes. */
export interface DrainOptions {
  /** ms to wait for lent resources to come back before rejecting with `ERR_TIMEOUT`. Default Infinity. */
  timeout?: number;
}

export interface ResourcePoolStats {
  /** Resources idle in the pool now. */
  readonly idle: number;
  /** Resources lent now. */
  readonly lent: number;
  /** Callers waiting in `acquire`. */
  readonly pending: number;
  /** Creates in flight. */
  readonly creating: number;
  /** Resources being checked by an async `validate`. */
  readonly validating: number;
  /** Destroys in flight (including those of resources whose create settled after its timeout). */
  readonly destroying: number;
  /** Resources made by `create`. */
  readonly created: number;
  /** Resources whose `destroy` has settled, failed or overrun (or that had no `destroy` to run). */
  readonly destroyed: number;
  /** Resources `validate` refused (false, a throw, or not a boolean). */
  readonly validationFailures: number;
  /** Creates that threw, rejected, made no object, or overran `createTimeout`. */
  readonly createFailures: number;
  /** Destroys that threw, rejected or overran `createTimeout` (each also went to `onError`). */
  readonly destroyFailures: number;
  /** Acquires that ended with `ERR_TIMEOUT`. */
  readonly timeouts: number;
}

/** Test seam (not exported by the package): what tests may read of a ResourcePool's insides. */
export interface ResourcePoolInternals {
  /** Timers armed now: reaper, warm-up retry, lifetimes, create and destroy deadlines, drain deadlines. */
  readonly timers: number;
  /** Whether the idle reaper is scheduled. */
  readonly reaperArmed: boolean;
}
export let inspectResourcePool: <T extends object>(pool: ResourcePool<T>) => ResourcePoolInternals;

const ACQUIRE_KEYS = ['signal', 'timeout'] as const;
const DRAIN_KEYS = ['timeout'] as const;

export class ResourcePool<T extends object> extends ResourceBooks<T> {
  static {
    inspectResourcePool = (pool) => ({ timers: pool._timers.size, reaperArmed: pool._reaper.armed });
  }

  /** The wait of an `acquire()` without options: the pool's `acquireTimeout`, no signal. */
  private readonly _defaultWait: ResolvedWait;
  private _drained: Promise<void> | undefined = undefined;

  constructor(options: ResourcePoolOptions<T>) {
    const config = resolveResourcePoolOptions(options);
    super(config);
    this._defaultWait = Object.freeze({ signal: undefined, timeout: config.acquireTimeout });
    // Warm up in the background, never inside the constructor: `create` is user code.
    if (config.min > 0) queueMicrotask(() => this._dispatch());
  }

  /** The pool's `name`. */
  get name(): string {
    return this._config.name;
  }

  /**
   * Lends a resource: an idle one that passes `validate`, else a new one (within `max`), else the
   * next one released, in FIFO order. Rejects with `ERR_TIMEOUT` after `timeout` ms (default
   * `acquireTimeout`), with the signal's reason when aborted, `ERR_CREATE_FAILED` when the create it
   * waited for failed, `ERR_CLOSED` once draining.
   */
  acquire(options?: ResourceAcquireOptions): Promise<T> {
    if (options === undefined && this._waiters.size === 0) {
      const rec = this._idle.pop();
      if (rec !== undefined) return this._lendIdle(rec, this._defaultWait);
    }
    return this._acquireSlow(options);
  }

  /** Takes back a lent resource; it goes to the next waiter, or idle (destroyed instead if expired or draining). */
  release(resource: T): void {
    const rec = this._records.get(resource);
    if (rec === undefined || rec.state !== State.LENT) this._misuse('release', resource, rec);
    this._lent--;
    if (rec.expired || this._draining || this._waiters.size !== 0) {
      this._releaseSlow(rec);
      return;
    }
    rec.state = State.IDLE;
    rec.idleSince = UNSTAMPED;
    const idle = this._idle;
    idle.push(rec);
    if (idle.length > this._config.min) this._reaper.arm();
  }

  /** Takes a lent resource out of the pool (it is broken): `destroy` runs, its slot frees when that settles. */
  destroy(resource: T): void {
    const rec = this._records.get(resource);
    if (rec === undefined || rec.state !== State.LENT) this._misuse('destroy', resource, rec);
    this._lent--;
    this._destroyRecord(rec);
    this._dispatch();
    this._checkQuiet();
  }

  /**
   * Acquires, runs `fn(resource)`, and releases in `finally`, whether `fn` returned or threw; returns
   * what `fn` returned. If `fn` destroyed the resource (`pool.destroy(r)`), it is not released again.
   */
  async use<R>(fn: (resource: T) => R | PromiseLike<R>, options?: ResourceAcquireOptions): Promise<Awaited<R>> {
    if (typeof fn !== 'function') throw new TypeError(`isopool: ${this._config.name}.use() takes a function, received ${describe(fn)}`);
    const resource = await this.acquire(options);
    try {
      return await fn(resource);
    } finally {
      if (this._records.get(resource)?.state === State.LENT) this.release(resource);
    }
  }

  /**
   * Stops lending (waiters and later acquires reject with `ERR_CLOSED`), destroys idle resources,
   * waits for lent ones to come back and be destroyed, and for creates and destroys in flight;
   * resolves when nothing is left and no timer is armed. With `timeout`, rejects `ERR_TIMEOUT` after
   * that many ms; what is still lent is then destroyed whenever it is released. Every call returns
   * the same outcome; `timeout` bounds only the call that gives it.
   */
  drain(options?: DrainOptions): Promise<void> {
    let timeout: number;
    try {
      timeout = this._drainTimeout(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const drained = (this._drained ??= this._startDrain());
    if (timeout === Infinity) return drained;
    return new Promise<void>((resolve, reject) => {
      const timer = this._timers.deadline(() => {
        const s = this.stats;
        reject(
          new PoolError(
            ErrorCode.TIMEOUT,
            `isopool: ${this._config.name}.drain() timed out after ${timeout} ms with ${s.lent} lent, ${s.creating} being created, ` +
              `${s.validating} being validated, ${s.destroying} being destroyed`,
          ),
        );
      }, timeout);
      void drained.then(() => {
        this._timers.stop(timer);
        resolve();
      });
    });
  }

  /** True once `drain()` was called. */
  get closed(): boolean {
    return this._draining;
  }

  /** Counters, read at the moment of the call. */
  get stats(): ResourcePoolStats {
    return {
      idle: this._idle.length,
      lent: this._lent,
      pending: this._waiters.size,
      creating: this._creating,
      validating: this._validating,
      destroying: this._destroying + this._orphans,
      created: this._created,
      destroyed: this._destroyed,
      validationFailures: this._validationFailures,
      createFailures: this._createFailures,
      destroyFailures: this._destroyFailures,
      timeouts: this._timeouts,
    };
  }

  private _acquireSlow(options: ResourceAcquireOptions | undefined): Promise<T> {
    let wait: ResolvedWait;
    try {
      wait = this._resolveWait(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (wait.signal?.aborted === true) return Promise.reject(wait.signal.reason);
    if (this._draining) return Promise.reject(this._closedError());
    if (this._waiters.size === 0) {
      // The idle path with options: a resource at hand needs no timer and no abort listener.
      const rec = this._idle.pop();
      if (rec !== undefined) return this._lendIdle(rec, wait);
    }
    const waiting = this._waiters.wait(wait);
    this._dispatch();
    return waiting;
  }

  /**
   * Lends `rec`, just taken from the idle stack, if it passes `validate` at once; otherwise queues the
   * caller with `wait` and lets the books deal with `rec` (destroy it, or wait for an async verdict).
   */
  private _lendIdle(rec: ResourceRecord<T>, wait: ResolvedWait): Promise<T> {
    const verdict = this._config.validate === undefined ? true : this._validateNow(rec);
    if (verdict === true) {
      rec.state = State.LENT;
      this._lent++;
      return Promise.resolve(rec.resource);
    }
    const waiting = this._waiters.wait(wait);
    this._judge(rec, verdict);
    this._dispatch();
    return waiting;
  }

  private _resolveWait(options: ResourceAcquireOptions | undefined): ResolvedWait {
    if (options === undefined) return this._defaultWait;
    const wait = checkWaitOptions(options, `${this._config.name}.acquire`);
    checkKnownKeys(`${this._config.name}.acquire()`, options, ACQUIRE_KEYS);
    return options.timeout === undefined ? { signal: wait.signal, timeout: this._config.acquireTimeout } : wait;
  }

  private _drainTimeout(options: DrainOptions | undefined): number {
    if (options === undefined) return Infinity;
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`isopool: ${this._config.name}.drain() options must be an object, received ${describe(options)}`);
    }
    checkKnownKeys(`${this._config.name}.drain()`, options, DRAIN_KEYS);
    return checkTimeout(options.timeout);
  }

  private _releaseSlow(rec: ResourceRecord<T>): void {
    if (rec.expired || this._draining) this._destroyRecord(rec);
    else this._toIdle(rec);
    this._dispatch();
    this._checkQuiet();
  }

  /** Throws the error for releasing or destroying what is not lent. */
  private _misuse(method: string, resource: unknown, rec: ResourceRecord<T> | undefined): never {
    const name = this._config.name;
    if (resource === null || typeof resource !== 'object') {
      throw new TypeError(`isopool: ${name}.${method}() takes a resource this pool lent, received ${describe(resource)}`);
    }
    if (rec === undefined) {
      throw new PoolError(ErrorCode.FOREIGN_OBJECT, `isopool: ${name}.${method}() was given a resource this pool did not make`);
    }
    const where = rec.state === State.IDLE || rec.state === State.VALIDATING ? 'it is idle: released already' : 'it was destroyed';
    throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${name}.${method}() was given a resource that is not lent (${where})`);
  }
}
