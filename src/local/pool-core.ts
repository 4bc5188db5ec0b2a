/**
 * PoolCore: the owner slot, the stack, the source and the books of a LocalPool. The hot path is a
 * field read; LocalPool (local-pool.ts) adds waiting, trim/close, stats and the conveniences.
 *
 * ## The trick
 *
 * Most pooled code acquires one object, uses it, and releases it before acquiring again (a regex
 * search, a parse, an encode). For that pattern a pool needs exactly one idle object, so the pool
 * keeps one in a plain field, the *owner slot*: `acquire()` reads the field, clears it and returns;
 * `release()` finds the field empty and fills it. No array, no Map, no Atomics, no allocation.
 * Behind the slot sits a LIFO stack (a plain array) for nested and overlapping use, and behind the
 * stack the source (source.ts). Each policy lives in its own module, in a field assigned once in
 * the constructor, so a cold path's "is it on?" is one `!== undefined`: the checked-mode ledger,
 * leak tracking, soft retention, the waiter queue.
 *
 * ## Invariants
 *
 * - `live` = idle + lent, where idle = (slot occupied ? 1 : 0) + stack.length. Only cold paths
 *   change `live`, so `stats.lent` costs the hot path nothing.
 * - An object is in at most one place: the slot, the stack, a waiter's hands, or a borrower's.
 *   Checked mode proves it with its ledger. Unchecked mode keeps the checks that cost the slot
 *   path nothing measurable: `null`/`undefined` is refused, and a release that would push onto the
 *   stack refuses the object in the slot or on top of the stack (released twice in a row). Two
 *   more were measured and left out of the slot path (`node build/benchmarks/experiments/hot-path.js`,
 *   Node 20.20.2, 2-vCPU AMD EPYC VM, 2026-11-21, baseline 2.22 ns a pair): refusing primitives
 *   (`typeof`, 2.90-2.99 ns) and comparing with the stack top when the slot is empty (2.21-2.44
 *   ns, plus a field mirroring the top). Checked mode catches both.
 * - The slot is filled only by `release()` (prefill's last object is the one exception): an
 *   acquire served by the slot never sets a new high-water mark, so only cold paths maintain it.
 * - Checked mode and `max: 0` turn the slot off. Every policy that must see each release (reset,
 *   checked, leak tracking) clears `hotRelease`; the states that come and go (waiters, close) lock
 *   the slot with a `null` sentinel. Both send releases to the cold path.
 * - Fields the hot path reads (`hotRelease`, `stackCap`) are assigned once: V8 folds them into
 *   optimized code. Reassigning one later measured +0.8 ns a pair (2.47 against 1.65 ns, Node
 *   20.20.2, 2026-11-21), which is why waiters and close use the sentinel rather than a flag.
 * - Leak tracking samples cold-path acquires only, so a tracked pool keeps its slot: a call site
 *   that leaks never refills the slot, so the acquires after a leak take the cold path and are seen.
 * - Nothing is lost: every object leaves through exactly one of a borrower, `dispose`, a waiter,
 *   the source's `disposeBatch`, or soft retention. The model test checks it over 3,000 sequences.
 *
 * ## Alternatives rejected
 *
 * - A plain array alone (reusify keeps a linked list, typedarray-pool a Map of arrays): pop+push
 *   costs more than a field read (benchmarks/README.md, facts `array-pop-push` and `owner-slot`).
 * - Swapping `acquire` per instance for a tracked variant: call sites would turn polymorphic for
 *   every pool in the program. A flag that disables the slot costs only the tracked pool.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { describe } from '../validate.js';
import { WaiterQueue } from '../waiter-queue.js';
import { CheckedLedger } from './checked-ledger.js';
import { LeakTracker } from './leak-tracker.js';
import type { LocalPoolConfig } from './options.js';
import { SoftRetention } from './soft-retention.js';
import { ObjectSource } from './source.js';

export abstract class PoolCore<T extends object> {
  // Hot fields: read by acquire() and release().
  /** The owner slot: an idle object; `undefined` when empty; `null` when locked (see `_lockSlot`). */
  protected _ownerSlot: T | null | undefined;
  /** True when no policy has to see releases (no reset, ledger or leak tracking; slot on). */
  protected readonly _hotRelease: boolean;
  protected _hits = 0;
  /** Idle objects behind the slot, LIFO. */
  protected readonly _stack: T[] = [];
  /** Most objects in `_stack` (max minus the slot when the slot is on). */
  protected readonly _stackCap: number;

  // Books, kept by the cold paths.
  /** False in checked mode or with `max: 0`: every acquire takes the cold path. */
  protected readonly _slotOn: boolean;
  protected _live = 0;
  protected _misses = 0;
  protected _created = 0;
  protected _discarded = 0;
  protected _highWater = 0;
  protected _closed = false;
  protected readonly _config: LocalPoolConfig<T>;
  protected readonly _name: string;
  protected readonly _source: ObjectSource<T>;

  // Policies beside the hot path, each undefined when off.
  protected readonly _ledger: CheckedLedger<T> | undefined;
  protected readonly _leaks: LeakTracker<T> | undefined;
  protected readonly _soft: SoftRetention<T> | undefined;
  protected readonly _waiters: WaiterQueue<T>;

  protected constructor(config: LocalPoolConfig<T>) {
    this._config = config;
    const name = config.name;
    this._name = name;
    this._source = new ObjectSource(config.create, config.createBatch, name);
    this._ledger = config.checked ? new CheckedLedger<T>() : undefined;
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
    this._waiters = new WaiterQueue<T>(
      {
        onFirst: () => this._lockSlot(),
        onSettle: () => {
          if (this._waiters.size === 0) this._unlockSlot();
        },
      },
      (ms) => new PoolError(ErrorCode.TIMEOUT, `isopool: ${name}.acquireAsync() timed out after ${ms} ms`),
    );

    const slotOn = !config.checked && config.max > 0;
    this._slotOn = slotOn;
    this._ownerSlot = slotOn ? undefined : null;
    this._stackCap = slotOn ? config.max - 1 : config.max;
    this._hotRelease = slotOn && config.reset === undefined && config.leaks === undefined;

    if (config.prefill > 0) this._prefill(config.prefill);
  }

  /**
   * Fills the stack up to its capacity and, when one object remains, the owner slot. The first
   * acquire may take that one without the cold path, so the high-water mark is set to 1 here
   * (`stats` reports 0 until something has been acquired).
   */
  private _prefill(count: number): void {
    this._make(Math.min(count, this._stackCap), false);
    if (count > this._stackCap && this._ownerSlot === undefined) {
      if (this._make(1, true) === 1) this._ownerSlot = this._stack.pop();
      this._highWater = 1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path

  /** Lends an idle object, or makes one. Throws `ERR_POOL_EXHAUSTED` at `limit`, `ERR_CLOSED` after close. */
  acquire(): T {
    const obj = this._ownerSlot;
    if (obj != null) {
      this._ownerSlot = undefined;
      this._hits++;
      return obj;
    }
    return this._acquireSlow(true) as T;
  }

  /** Takes back an object this pool lent. */
  release(obj: T): void {
    if (this._hotRelease) {
      const slot = this._ownerSlot;
      if (slot === undefined) {
        if (obj != null) {
          this._ownerSlot = obj;
          return;
        }
      } else if (slot !== null && slot !== obj && obj != null) {
        // Always-on checks, both on this (less hot) push path: not the object in the slot, nor the
        // one on top of the stack. See the essay for the checks the slot path leaves out.
        const stack = this._stack;
        const n = stack.length;
        if (n < this._stackCap && (n === 0 || stack[n - 1] !== obj)) {
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
    const obj = this._ownerSlot;
    if (obj != null) {
      this._ownerSlot = undefined;
      this._hits++;
      return obj;
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
        throw new PoolError(
          ErrorCode.POOL_EXHAUSTED,
          this._live >= limit
            ? `isopool: ${this._name} is exhausted: all ${limit} objects (option \`limit\`) are lent`
            : `isopool: ${this._name} is exhausted: its source has no more objects`,
        );
      }
    }
    this._onLend(obj);
    return obj;
  }

  /** Bookkeeping for an object about to be lent by a cold path. */
  protected _onLend(obj: T): void {
    const lent = this._live - this._idle();
    if (lent > this._highWater) this._highWater = lent;
    if (this._ledger !== undefined) this._ledger.lend(obj);
    if (this._leaks !== undefined) this._leaks.lend(obj);
  }

  /** Soft retention first, then the source. Leaves extra grown objects on the stack. */
  private _fromSource(): T | undefined {
    if (this._soft !== undefined && this._live < this._config.limit) {
      const obj = this._soft.revive();
      if (obj !== undefined) {
        this._live++;
        return obj;
      }
    }
    const grow = this._config.grow;
    if (this._make(grow === 'double' ? Math.max(1, this._live) : grow, true) === 0) return undefined;
    return this._stack.pop();
  }

  /**
   * Makes up to `want` objects onto the stack, bounded by `limit` and by the stack's room (plus one
   * when an object is about to be lent from it). Returns how many it made; objects made before the
   * source threw stay pooled and accounted.
   */
  private _make(want: number, forLend: boolean): number {
    const room = this._stackCap - this._stack.length + (forLend ? 1 : 0);
    const n = Math.min(want, this._config.limit - this._live, room);
    if (n <= 0) return 0;
    const stack = this._stack;
    const before = stack.length;
    try {
      this._source.make(n, stack);
    } finally {
      for (let i = before; i < stack.length; i++) this._countIn(stack[i]!);
    }
    return stack.length - before;
  }

  /** A new object joins the pool. */
  protected _countIn(obj: T): void {
    this._live++;
    this._created++;
    if (this._ledger !== undefined) this._ledger.add(obj);
  }

  protected _idle(): number {
    return this._stack.length + (this._ownerSlot == null ? 0 : 1);
  }

  private _releaseSlow(obj: T): void {
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
      throw new TypeError(`isopool: ${this._name}.release() takes an object it lent, received ${describe(obj)}`);
    }
    if (this._ledger !== undefined) {
      this._ledger.release(obj, this._name);
    } else if (obj === this._ownerSlot || (this._stack.length > 0 && this._stack[this._stack.length - 1] === obj)) {
      throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${this._name}.release() was given an object that is already idle (released twice)`);
    }
    if (this._leaks !== undefined) this._leaks.release(obj);
    if (this._closed) {
      if (this._live - this._idle() <= 0) {
        throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${this._name}.release() after close was given an object when none is lent`);
      }
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
    if (this._waiters.size > 0) {
      this._handToWaiter(obj, true);
      return;
    }
    this._store(obj);
  }

  /** Puts an idle object in the slot or on the stack, spilling or disposing the surplus. */
  private _store(obj: T): void {
    if (this._ownerSlot === undefined) {
      this._ownerSlot = obj;
      return;
    }
    const stack = this._stack;
    if (stack.length < this._stackCap) {
      stack.push(obj);
      return;
    }
    const disposeBatch = this._config.disposeBatch;
    if (disposeBatch !== undefined && stack.length > 0) {
      // Spill the older half: the recently used objects (cache-warm) stay here.
      const spill = stack.splice(0, Math.max(1, stack.length >> 1));
      this._live -= spill.length;
      this._discarded += spill.length;
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

  /** Drops an object for good: it leaves `live` and goes to `dispose`. */
  protected _discard(obj: T): void {
    this._live--;
    this._discarded++;
    try {
      const { dispose, disposeBatch } = this._config;
      if (dispose !== undefined) dispose(obj);
      else if (disposeBatch !== undefined) disposeBatch([obj]);
    } finally {
      this._serveByCreating();
    }
  }

  /**
   * While callers wait or after close, every release must take the cold path (to hand the object to
   * a waiter, or to dispose it). The slot is empty then (a caller waits only when nothing is idle;
   * close empties it), so `null` in it sends both hot paths to the cold ones at no cost to them.
   */
  protected _lockSlot(): void {
    const held = this._ownerSlot;
    if (held != null) this._stack.push(held);
    this._ownerSlot = null;
  }

  private _unlockSlot(): void {
    if (this._ownerSlot === null && this._slotOn && !this._closed && this._waiters.size === 0) this._ownerSlot = undefined;
  }

  protected _closedError(): PoolError {
    return new PoolError(ErrorCode.CLOSED, `isopool: ${this._name} is closed`);
  }

  private _handToWaiter(obj: T, hit: boolean): void {
    if (hit) this._hits++;
    this._onLend(obj);
    this._waiters.resolveNext(obj);
  }

  /** After an object left `live`, a waiter may be served by a new one. */
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
}
