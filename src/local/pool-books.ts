/**
 * PoolBooks: the fields of a LocalPool's owner slot, stack, source and books, and the bookkeeping
 * its cold paths share. pool-core.ts holds the hot path and the one cold method it calls; its essay
 * explains the design, and this file's invariants are listed there.
 */
import { CheckedLedger } from './checked-ledger.js';
import { LeakTracker } from './leak-tracker.js';
import type { LocalPoolConfig } from './options.js';
import { SoftRetention } from './soft-retention.js';
import { ObjectSource } from './source.js';

/** The owner slot bound to no object. No caller holds it, so `release(obj)` never matches it. */
export interface NoSlot {
  readonly noSlot: true;
}
export const NO_SLOT: NoSlot = Object.freeze({ noSlot: true });

/**
 * `_hits` wraps here into `_hitWraps`. 2^30: below the small-integer limit of every V8 build
 * (2^31 on 64-bit Node, whose builds have no pointer compression; 2^30 with it), so the field never
 * leaves the small-integer representation, and a hit costs one compare (`stats.hits` stays exact).
 */
export const HITS_WRAP = 2 ** 30;

/** Test seams: a hit counter `(wraps, hits)` moved on by `n` hits, as `[wraps, hits]`. */
export function advancedHits(wraps: number, hits: number, n: number): [number, number] {
  const total = wraps * HITS_WRAP + hits + n;
  return [Math.floor(total / HITS_WRAP), total % HITS_WRAP];
}

export abstract class PoolBooks<T extends object> {
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
  /**
   * Hits since the last wrap: always below HITS_WRAP, so it stays a small integer (a field that
   * leaves that range turns into a double for every LocalPool of the program: see the essay).
   */
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
  protected readonly _bindLent: boolean;
  /** Times `_hits` wrapped: `stats.hits` is `_hitWraps * HITS_WRAP + _hits`. */
  protected _hitWraps = 0;
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

  /** A hit counted by a cold path (a stack pop, a release handed to a waiter, `takeIdle`). */
  protected _countHit(): void {
    if (++this._hits >= HITS_WRAP) {
      this._hits -= HITS_WRAP;
      this._hitWraps++;
    }
  }

  /** Acquires served so far, exactly (up to 2^53): hits (the wrapped part and the rest) and misses. */
  protected _acquires(): number {
    return this._hitCount() + this._misses;
  }

  /** Hits so far, exactly (up to 2^53). */
  protected _hitCount(): number {
    return this._hitWraps * HITS_WRAP + this._hits;
  }

  /** Bookkeeping for an object about to be lent by a cold path. */
  protected _onLend(obj: T): void {
    const lent = this._live - this._idle();
    if (lent > this._highWater) this._highWater = lent;
    if (this._ledger !== undefined) this._ledger.lend(obj);
    if (this._leaks !== undefined) this._leaks.lend(obj, this._acquires());
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

