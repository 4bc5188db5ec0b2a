/**
 * PoolCore: the owner slot, the stack, the source and the books of a LocalPool. The hot path is a
 * field read; LocalPool (local-pool.ts) adds waiting, trim/close, stats and the conveniences.
 *
 * ## The trick
 *
 * Most pooled code acquires one object, uses it, and releases it before acquiring again (a regex
 * search, a parse, an encode). For that pattern a pool needs one idle object, so it keeps one in a
 * plain field, the *owner slot*, with a flag saying whether it is idle there: `acquire()` reads the
 * flag, clears it and returns the object; `release()` takes the slot path only for *that* object
 * (`obj === slot`, flag clear) and sets the flag. No array, no Map, no Atomics, no allocation. As the
 * slot path admits nothing but the object the slot lent, it never lets in a primitive, `null`, a
 * foreign object or a release while nothing is lent, and it catches a second release of that object
 * at any distance, at no measured cost (the identity test replaces the `!= null` test the slot path
 * had; figures under "Alternatives rejected").
 * Behind the slot sits a LIFO stack (a plain array) for nested and overlapping use, and behind the
 * stack the source (source.ts). Each policy is an object in a field assigned once in the
 * constructor, so a cold path's "is it on?" is one `!== undefined`: the checked-mode ledger, leak
 * tracking, soft retention (and LocalPool's waiter queue).
 *
 * ## Invariants
 *
 * - `live` = idle + lent, where idle = (slot idle ? 1 : 0) + stack.length. Only cold paths change
 *   `live`, so `stats.lent` costs the hot path nothing.
 * - The slot is bound to one object (`_slot`) or to none (NO_SLOT); bound and not idle means that
 *   object is lent. A slot hit leaves it bound, and a cold acquire binds the object it lends (unless
 *   waiters or leak tracking keep it unbound), so the next release of the object just lent takes
 *   the slot path. An object leaving the pool is unbound first (`_discard`, trim, close, `_lockSlot`).
 * - An object is in at most one place: the slot, the stack, a waiter's hands, or a borrower's.
 *   Checked mode proves it with its ledger. Unchecked mode refuses, by identity on the slot path and
 *   explicitly elsewhere: primitives and `null`; the object idle in the slot or on top of the stack;
 *   any object while no object but the slot's is lent (so `stats.lent` never goes negative). The
 *   push path (another object onto the stack) tests the type, `live - stack.length > 1` and the top.
 * - Checked mode, `max: 0` and `leaks.sample: 1` turn the slot off. Every policy that must see each
 *   release (reset, checked, leaks) clears `hotRelease`; the states that come and go (waiters,
 *   close) unbind the slot, which sends both hot paths to the cold ones.
 * - Fields the hot path reads (`hotRelease`, `stackCap`) are assigned once: V8 folds them into
 *   optimized code. Reassigning one later measured +0.8 ns a pair (2.47 against 1.65 ns, Node
 *   20.20.2, 2026-11-21), which is why waiters and close unbind the slot rather than set a flag.
 * - Leak tracking samples by acquire number; a release leaves the slot empty when the next acquire
 *   is due, so that acquire takes the cold path and is seen (leak-tracker.ts).
 * - Nothing is lost: every object leaves through exactly one of a borrower, `dispose`, a waiter,
 *   the source's `disposeBatch`, or soft retention, and every one that leaves counts in `discarded`.
 *   The model tests (tests/local-pool-model.test.ts) check it over random call sequences.
 *
 * ## Alternatives rejected
 *
 * - A plain array alone (reusify keeps a linked list, typedarray-pool a Map of arrays): pop+push
 *   costs more than a field read (benchmarks/README.md, facts `array-pop-push` and `owner-slot`).
 * - A slot that takes any object when empty (this pool's first design): refusing primitives there
 *   took a `typeof` test (2.90-2.99 against 2.22 ns a pair, Node 20.20.2, 2026-11-21,
 *   `node benchmarks/build/experiments/hot-path.js`) and a release while nothing is lent a read of
 *   `live`; both were left out, and `release(5)` was lent by the next acquire.
 * - The idle flag as a boolean. Measured with `node benchmarks/build/cli.js --filter tls_get_put
 *   --filter owner_slot_get_put --filter shared_tls_get_put --exact`, alternating a build of the
 *   first design with one of this (Node 20.20.2, 2-vCPU AMD EPYC VM shared with other jobs):
 *   with a boolean flag, 11 runs each at load 7-17 (2026-11-21 23:52 UTC), tls_get_put had a
 *   median of 15 against 11 ns; with the flag as 0/1, 16 runs each at load 4-9 (2026-11-22 00:01
 *   UTC), 7.96 against 8.54 ns (fastest 5.41 against 5.79), shared_tls_get_put 12.0 against 12.5.
 * - Swapping `acquire` per instance for a tracked variant: call sites would turn polymorphic for
 *   every pool in the program. A flag that disables the slot costs only the tracked pool.
 */
import { CheckedLedger } from './checked-ledger.js';
import { LeakTracker } from './leak-tracker.js';
import type { LocalPoolConfig } from './options.js';
import { alreadyIdle, exhausted, notAnObject, notLent } from './refusals.js';
import { SoftRetention } from './soft-retention.js';
import { ObjectSource } from './source.js';

/** The owner slot bound to no object. No caller holds it, so `release(obj)` never matches it. */
interface NoSlot {
  readonly noSlot: true;
}
const NO_SLOT: NoSlot = Object.freeze({ noSlot: true });

export abstract class PoolCore<T extends object> {
  // Hot fields: read by acquire() and release().
  /**
   * 1 when `_slot` holds an idle object (the next acquire takes it), else 0. A small integer, not a
   * boolean: a boolean flag measured slower on the slot path (see the essay's alternatives).
   */
  protected _slotIdle: 0 | 1 = 0;
  /** The object bound to the owner slot, idle in it or lent from it; NO_SLOT when none. */
  protected _slot: T | NoSlot = NO_SLOT;
  /** True when no policy has to see releases (no reset, ledger or leak tracking; slot on). */
  protected readonly _hotRelease: boolean;
  protected _hits = 0;
  /** Idle objects behind the slot, LIFO. */
  protected readonly _stack: T[] = [];
  /** Most objects in `_stack` (max minus the slot when the slot is on). */
  protected readonly _stackCap: number;
  /** Objects idle or lent; the push path reads it to refuse a release while nothing is lent. */
  protected _live = 0;

  // Books, kept by the cold paths.
  /** False in checked mode, with `max: 0` or `leaks.sample: 1`: every acquire takes the cold path. */
  protected readonly _slotOn: boolean;
  /** True when a cold acquire binds the slot to the object it lends (slot on, no leak tracking). */
  private readonly _bindLent: boolean;
  protected _misses = 0;
  protected _created = 0;
  protected _discarded = 0;
  protected _highWater = 0;
  protected _closed = false;
  protected readonly _config: LocalPoolConfig<T>;
  protected readonly _name: string;
  protected readonly _source: ObjectSource<T>;

  // Policies beside the hot path, each undefined when off (waiting is LocalPool's).
  protected readonly _ledger: CheckedLedger<T> | undefined;
  protected readonly _leaks: LeakTracker<T> | undefined;
  protected readonly _soft: SoftRetention<T> | undefined;

  protected constructor(config: LocalPoolConfig<T>) {
    this._config = config;
    const name = config.name;
    this._name = name;
    const batch = config.createBatch !== undefined;
    this._source = new ObjectSource(config.create, config.createBatch, name, (obj) => this._countIn(obj, batch ? '`createBatch`' : '`create`', !batch));
    this._ledger = config.checked ? new CheckedLedger<T>(name) : undefined;
    this._leaks =
      config.leaks === undefined
        ? undefined
        : new LeakTracker<T>(config.leaks, name, () => {
            // A sampled object was collected while lent: it never comes back, so it leaves `live`,
            // and the room it frees goes to waiters.
            this._live--;
            this._discarded++;
            this._serveByCreating();
          });
    this._soft = config.soft ? new SoftRetention<T>(config.max) : undefined;

    const slotOn = !config.checked && config.max > 0 && config.leaks?.every !== 1;
    this._slotOn = slotOn;
    this._bindLent = slotOn && config.leaks === undefined;
    this._stackCap = slotOn ? config.max - 1 : config.max;
    this._hotRelease = slotOn && config.reset === undefined && config.leaks === undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path

  /** Lends an idle object, or makes one. Throws `ERR_POOL_EXHAUSTED` at `limit`, `ERR_CLOSED` after close. */
  acquire(): T {
    if (this._slotIdle === 1) {
      this._slotIdle = 0;
      this._hits++;
      return this._slot as T;
    }
    return this._acquireSlow(true) as T;
  }

  /** Takes back an object this pool lent. */
  release(obj: T): void {
    if (this._hotRelease) {
      const slot = this._slot;
      if (obj === slot) {
        if (this._slotIdle === 0) {
          this._slotIdle = 1;
          return;
        }
      } else if (slot !== NO_SLOT && typeof obj === 'object' && obj !== null) {
        // The push path: not a primitive, something besides the slot's object is lent, and not the
        // object on top of the stack (released twice in a row). Functions take the cold path.
        const stack = this._stack;
        const n = stack.length;
        if (n < this._stackCap && this._live - n > 1 && (n === 0 || stack[n - 1] !== obj)) {
          stack.push(obj);
          return;
        }
      }
    }
    this._releaseSlow(obj);
  }

  // ---------------------------------------------------------------------------------------------
  // Cold paths

  /** Like `acquire()`, but returns `undefined` instead of throwing when the pool is exhausted. */
  tryAcquire(): T | undefined {
    if (this._slotIdle === 1) {
      this._slotIdle = 0;
      this._hits++;
      return this._slot as T;
    }
    return this._acquireSlow(false);
  }

  private _acquireSlow(throwOnExhausted: boolean): T | undefined {
    if (this._closed) throw this._closedError();
    let obj = this._stack.pop();
    if (obj !== undefined) {
      this._hits++;
    } else {
      this._misses++;
      obj = this._fromSource();
      if (obj === undefined) {
        if (!throwOnExhausted) return undefined;
        const limit = this._config.limit;
        throw exhausted(this._name, limit, this._live >= limit);
      }
    }
    this._onLend(obj);
    // Bind the slot to the object lent, so that its release takes the slot path (the slot is not
    // idle here: an idle slot would have served this acquire). Leak tracking keeps no reference.
    this._slot = this._bindLent && !this._waiting() ? obj : NO_SLOT;
    return obj;
  }

  /** Bookkeeping for an object about to be lent by a cold path. */
  protected _onLend(obj: T): void {
    const lent = this._live - this._idle();
    if (lent > this._highWater) this._highWater = lent;
    if (this._ledger !== undefined) this._ledger.lend(obj);
    if (this._leaks !== undefined) this._leaks.lend(obj, this._hits + this._misses);
  }

  /** Soft retention first, then the source. Leaves extra grown objects on the stack. */
  protected _fromSource(): T | undefined {
    if (this._soft !== undefined && this._live < this._config.limit) {
      const obj = this._soft.revive();
      if (obj !== undefined) {
        this._live++;
        return obj;
      }
    }
    const grow = this._config.grow;
    if (this._make(grow === 'double' ? Math.max(1, this._live) : grow, 1) === 0) return undefined;
    return this._stack.pop();
  }

  /**
   * Makes up to `want` objects onto the stack, bounded by `limit` and by the stack's room plus
   * `extra` (one when an object is about to be lent from it, or go to the slot). Returns how many it
   * made; objects made before the source threw stay pooled and accounted.
   */
  protected _make(want: number, extra: number): number {
    const n = Math.min(want, this._config.limit - this._live, this._stackCap - this._stack.length + extra);
    return n <= 0 ? 0 : this._source.make(n, this._stack);
  }

  /** A new object joins the pool (`from` and `fresh` are for checked mode's ledger, see its `add`). */
  protected _countIn(obj: T, from: string, fresh: boolean): void {
    if (this._ledger !== undefined) this._ledger.add(obj, from, fresh);
    this._live++;
    this._created++;
  }

  protected _idle(): number {
    return this._stack.length + this._slotIdle;
  }

  private _releaseSlow(obj: T): void {
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) throw notAnObject(this._name, obj);
    if (this._ledger !== undefined) this._ledger.release(obj);
    else if (obj !== this._slot || this._slotIdle === 1) this._refuseNotLent(obj);
    // The slot's lent object is back: unbind it, or it would stay "lent" wherever it goes now.
    if (obj === this._slot) this._slot = NO_SLOT;
    if (this._leaks !== undefined) this._leaks.release(obj);
    if (this._closed) {
      this._discard(obj);
      return;
    }
    const reset = this._config.reset;
    if (reset !== undefined) {
      let keep: boolean | void;
      try {
        keep = reset(obj);
      } catch (error) {
        this._discard(obj);
        throw error;
      }
      if (keep === false) {
        this._discard(obj);
        return;
      }
    }
    if (this._waiting()) {
      this._handToWaiter(obj, true);
      return;
    }
    this._store(obj);
  }

  /**
   * Unchecked mode's refusals for an object that is not the slot's lent one: it is idle (in the
   * slot or on top of the stack), or no other object is lent, so it cannot be one this pool lent.
   */
  private _refuseNotLent(obj: T): void {
    const stack = this._stack;
    if ((obj === this._slot && this._slotIdle === 1) || (stack.length > 0 && stack[stack.length - 1] === obj)) throw alreadyIdle(this._name);
    const lent = this._live - this._idle();
    const slotLent = this._slot !== NO_SLOT && this._slotIdle === 0 ? 1 : 0;
    if (lent - slotLent <= 0) throw notLent(this._name, lent === 0);
  }

  /**
   * Puts an idle object in the slot or on the stack, spilling or disposing the surplus. An unbound
   * slot takes it (so does a bound one when the stack is full); while the slot's own object is out,
   * another goes on the stack, so that one's release stays on the slot path.
   */
  private _store(obj: T): void {
    const stack = this._stack;
    const room = stack.length < this._stackCap;
    if (this._slotOn && this._slotIdle === 0) {
      // Leak tracking: an acquire due for sampling must find the slot empty, so it takes the cold path.
      const due = room && this._leaks !== undefined && this._leaks.isDue(this._hits + this._misses + 1);
      if ((this._slot === NO_SLOT || !room) && !due) {
        this._putInSlot(obj);
        return;
      }
    }
    if (room) {
      stack.push(obj);
      return;
    }
    const disposeBatch = this._config.disposeBatch;
    if (disposeBatch !== undefined && stack.length > 0) {
      // Spill the older half: the recently used objects (cache-warm) stay here.
      const spill = stack.splice(0, Math.max(1, stack.length >> 1));
      for (const o of spill) this._leave(o);
      try {
        disposeBatch(spill);
      } finally {
        stack.push(obj);
      }
      return;
    }
    if (this._soft !== undefined && this._soft.retain(obj)) {
      this._live--;
      return;
    }
    this._discard(obj);
  }

  /** An object leaves the pool's books (to `dispose`, `disposeBatch`, or the caller of `drainIdle`). */
  protected _leave(obj: T): void {
    this._live--;
    this._discarded++;
    if (this._ledger !== undefined) this._ledger.drop(obj);
  }

  /** Drops an object for good: it leaves `live` and goes to `dispose`. */
  protected _discard(obj: T): void {
    if (obj === this._slot) this._takeSlot();
    this._leave(obj);
    try {
      const { dispose, disposeBatch } = this._config;
      if (dispose !== undefined) dispose(obj);
      else if (disposeBatch !== undefined) disposeBatch([obj]);
    } finally {
      this._serveByCreating();
    }
  }

  /** Takes the idle object out of the owner slot, if there is one, and unbinds the slot. */
  protected _takeSlot(): T | undefined {
    const obj = this._slotIdle === 1 ? (this._slot as T) : undefined;
    this._slot = NO_SLOT;
    this._slotIdle = 0;
    return obj;
  }

  /** Puts an idle object in the owner slot (when filling the pool up front). */
  protected _putInSlot(obj: T): void {
    this._slot = obj;
    this._slotIdle = 1;
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting and closing, LocalPool's

  /** True while callers wait for an object: releases go to them, and the slot stays unbound. */
  protected abstract _waiting(): boolean;
  /** Hands a released (`hit`) or new object to the oldest waiter. */
  protected abstract _handToWaiter(obj: T, hit: boolean): void;
  /** After an object left the pool, waiters may be served by new ones. */
  protected abstract _serveByCreating(): void;
  protected abstract _closedError(): Error;
}
