/**
 * LocalPool: one isolate's object pool, whose hot path is a field read.
 *
 * ## The trick
 *
 * Most pooled code acquires one object, uses it, and releases it before acquiring again (a regex
 * search, a parse, an encode). For that pattern a pool needs exactly one idle object, so the pool
 * keeps one in a plain field, the *owner slot*: `acquire()` reads the field, clears it and returns;
 * `release()` finds the field empty and fills it. That is the whole hot path: no array, no Map, no
 * Atomics, no allocation. Behind the slot sits a LIFO stack (a plain array) for the nested and
 * overlapping cases, and behind the stack the *source*: the `create` factory, or for a SharedPool's
 * per-isolate cache, the shared free list moved in batches (`createBatch` / `disposeBatch`).
 *
 * ## Invariants
 *
 * - `live` = idle + lent, where idle = (slot occupied ? 1 : 0) + stack.length. Only cold paths change
 *   `live` (create, discard, spill, soft retention), so `stats.lent` costs the hot path nothing.
 * - An object is in at most one place: the slot, the stack, a waiter's hands, or a borrower's hands.
 *   Checked mode proves it with a `WeakSet` of lent objects. Unchecked mode keeps the checks that
 *   cost the slot path nothing measurable: `null`/`undefined` is refused (`let x; try { x =
 *   acquire() } finally { release(x) }` when acquire threw), and a release that would push onto the
 *   stack refuses the object in the slot or on top of the stack, which catches an object released
 *   twice in a row. Two more were measured and left out of the slot path
 *   (`node build/benchmarks/experiments/hot-path.js`, 2026-11-21, baseline 2.22-2.23 ns a pair in
 *   quiet rounds): refusing primitives (`typeof`, 2.90-2.99 ns) and comparing with the stack top when
 *   the slot is empty (2.21-2.44 ns, and a field mirroring the top that every stack push and pop would
 *   have to maintain). The first only rejects what TypeScript already rejects; the second only misses
 *   a double release interleaved with other objects' traffic. Checked mode catches both.
 * - The slot is filled only by `release()`, never by prefill or growth: so an acquire served by the
 *   slot never sets a new high-water mark, and only the cold path has to maintain it.
 * - Checked mode must see every acquire, so it turns the slot off (every acquire takes the cold
 *   path). Every policy that must see each release (reset, checked, leak tracking) clears `plain`;
 *   the states that come and go (waiters, close) lock the slot with a `null` sentinel. Both send
 *   releases to the cold path. With none of them on, the hot path carries no bookkeeping but the
 *   hit counter.
 * - Leak tracking samples acquires on the cold path only (stack pops, creates), so a tracked pool
 *   keeps its owner slot. A call site that leaks never refills the slot, so the acquires after a leak
 *   take the cold path, where the sampler sees them; a lone leak served by the slot can go unseen,
 *   as any unsampled one can. The Error that records the acquiring stack is formatted only if a
 *   report reads it.
 * - Nothing is lost: every object leaves through exactly one of: a borrower, `dispose`, a waiter, the
 *   source's `disposeBatch` (spills, and trim/close/rejections when there is no `dispose`), or soft
 *   retention (a WeakRef the collector may clear; see below). The model test checks it over 3,000
 *   random sequences, a batch source among them.
 *
 * ## Alternatives rejected (measured on Node 20.20, 2-vCPU AMD EPYC VM, 2026-11-21)
 *
 * - A plain array stack alone (reusify's free list is a linked list, typedarray-pool's a Map of arrays):
 *   pop+push costs ~5.4 ns a pair against ~1.5-2.5 ns for a field read (see ../shared/DESIGN.md and
 *   `npm run bench`), because `Array.prototype.pop` must check the length and the elements kind.
 * - `#private` fields: see the README's benchmark section for the figure; plain `_`-prefixed fields
 *   (marked `private` for TypeScript) keep the class's shape simple and measured no slower.
 * - Swapping `acquire` per instance for a tracked variant when leak tracking is on: that makes call
 *   sites polymorphic for every pool in the program. A flag that disables the slot costs only the
 *   tracked pool.
 *
 * ## Soft retention
 *
 * With `soft: true`, idle objects released past `max` are not disposed but held through `WeakRef`s,
 * so a burst can reuse them while the collector is free to take them under pressure (Go's sync.Pool
 * victim cache, in JS terms). A soft object is out of `live`; reviving one counts it back in. An
 * object the collector took is gone without `dispose` (there is nothing left to dispose).
 */
import { checkFunction, checkInteger, describe, ErrorCode, PoolError } from './errors.js';

/**
 * Default for `max`, the idle objects one pool keeps. The hot pattern (acquire, use, release) needs
 * one; nesting and overlapping async holders need a few more. 16 covers recursion a few levels deep
 * and a handful of concurrent awaits while bounding retained memory to 16 objects a pool per isolate
 * (.NET's DefaultObjectPool keeps 2 x cores; Netty's Recycler starts small and caps at 4k a thread).
 */
export const DEFAULT_MAX = 16;

/** Default leak sampling: 1 acquire in 64 pays the ~166 ns FinalizationRegistry round trip. */
export const DEFAULT_LEAK_SAMPLE = 1 / 64;

/** setTimeout's largest delay (2^31 - 1 ms); a longer one fires at once in Node and browsers. */
const MAX_TIMEOUT = 2 ** 31 - 1;

/** Finished waiters are compacted out of the queue once this many sit before its head. */
const WAITER_COMPACT = 1024;

/** Most WeakRefs one pool holds for soft retention before it sweeps dead ones and disposes the rest. */
const SOFT_CAP_FACTOR = 8;

export interface LeakReport {
  /** The pool's `name` option, or `'LocalPool'`. */
  readonly pool: string;
  /** `Date.now()` at the acquire that lent the leaked object. */
  readonly acquiredAt: number;
  /** The stack of that acquire (`new Error().stack`), for finding the holder. */
  readonly stack: string;
}

export interface LeakOptions {
  /** Called (from the collector's finalization task) for each sampled object lent and never released. */
  onLeak(report: LeakReport): void;
  /** Fraction of acquires tracked, in (0, 1]; default 1/64. Use 1 in tests. */
  sample?: number;
}

export interface LocalPoolOptions<T extends object> {
  /** Makes one new object. Required unless `createBatch` is given. */
  create?: () => T;
  /**
   * Makes up to `n` objects into `out` (from index 0) and returns how many it made; 0 means the source
   * is exhausted. Sources that are cheaper in batches (a shared free list) use it instead of `create`.
   */
  createBatch?: (n: number, out: T[]) => number;
  /** Called on release; returning `false` discards the object (it is disposed, never lent again). */
  reset?: (obj: T) => boolean | void;
  /** Called for every object the pool drops: rejected by `reset`, over `max`, trimmed, on close. */
  dispose?: (obj: T) => void;
  /**
   * Takes back a batch of surplus idle objects in one call (a shared free list's spill). With it,
   * a release past `max` hands the older half of the stack to it instead of disposing one object.
   */
  disposeBatch?: (objs: T[]) => void;
  /** Most idle objects retained (owner slot included). Default 16. */
  max?: number;
  /** Most live objects, idle + lent. Default unbounded. */
  limit?: number;
  /** Objects created up front. Default 0. */
  prefill?: number;
  /** Objects created per miss: a number (default 1), or `'double'` to double the live count. */
  grow?: number | 'double';
  /** Check every release against what was lent. Default: on when ISOPOOL_CHECKED=1. */
  checked?: boolean;
  /** Report objects lent and never released, when the collector finds them. */
  leaks?: LeakOptions;
  /** Keep idle objects past `max` through WeakRefs the collector may clear. */
  soft?: boolean;
  /** A name used in leak reports and error messages. */
  name?: string;
}

export interface AcquireAsyncOptions {
  /** Aborting rejects the wait with the signal's reason. */
  signal?: AbortSignal;
  /** Milliseconds to wait before rejecting with `PoolError` `ERR_TIMEOUT`. */
  timeout?: number;
}

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

/** What the leak registry holds for a sampled object: never the object itself. */
interface LeakSample {
  readonly acquiredAt: number;
  readonly where: Error;
}

interface Waiter<T> {
  resolve(obj: T): void;
  reject(reason: unknown): void;
  done: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

function envChecked(): boolean {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> }; ISOPOOL_CHECKED?: unknown };
  const v = g.process?.env?.['ISOPOOL_CHECKED'] ?? g.ISOPOOL_CHECKED;
  return v === true || v === '1' || v === 'true';
}

export class LocalPool<T extends object> {
  // Hot fields. `_plain`, `_slotOn` and `_stackCap` are assigned exactly once, in the constructor:
  // V8 then treats them as constant fields and folds them into optimized code. Reassigning one
  // later measured +0.8 ns per acquire/release pair (2.47 against 1.65 ns; `node` micro-run on
  // Node 20.20, 2026-11-21), so the states that come and go (waiters, closed) lock the slot with a
  // `null` sentinel instead of flipping a flag.
  /** The owner slot: an idle object; `undefined` when empty; `null` when locked (see `_lockSlot`). */
  private _slot: T | null | undefined;
  /** True when no policy has to see releases (no reset, slot on): the hot release path is allowed. */
  private readonly _plain: boolean;
  private _hits = 0;
  /** Idle objects behind the slot, LIFO. */
  private readonly _stack: T[] = [];
  /** Most objects in `_stack` (max minus the slot when the slot is on). */
  private readonly _stackCap: number;
  /** False in checked mode, with leak tracking, or with `max: 0`: every acquire takes the cold path. */
  private readonly _slotOn: boolean;
  private _live = 0;
  private _misses = 0;
  private _created = 0;
  private _discarded = 0;
  private _highWater = 0;
  private _leaked = 0;
  private _closed = false;

  private readonly _create: (() => T) | undefined;
  private readonly _createBatch: ((n: number, out: T[]) => number) | undefined;
  private readonly _reset: ((obj: T) => boolean | void) | undefined;
  private readonly _dispose: ((obj: T) => void) | undefined;
  private readonly _disposeBatch: ((objs: T[]) => void) | undefined;
  private readonly _max: number;
  private readonly _limit: number;
  private readonly _grow: number | 'double';
  private readonly _name: string;
  private readonly _batch: T[] = [];

  private readonly _checked: boolean;
  private readonly _made: WeakSet<T> | undefined;
  private readonly _lentSet: WeakSet<T> | undefined;

  private readonly _leakRegistry: FinalizationRegistry<LeakSample> | undefined;
  private readonly _tracked: WeakSet<T> | undefined;
  /** Sampled objects lent now: releases look them up only while this is above 0. */
  private _trackedLent = 0;
  private readonly _leakEvery: number;
  private _leakCountdown: number;

  private readonly _softOn: boolean;
  private readonly _soft: WeakRef<T>[] = [];

  private readonly _waiters: Waiter<T>[] = [];
  private _waitHead = 0;
  private _waiting = 0;

  constructor(options: LocalPoolOptions<T>) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`isopool: LocalPool options must be an object, received ${describe(options)}`);
    }
    checkFunction('create', options.create, options.createBatch !== undefined);
    checkFunction('createBatch', options.createBatch, true);
    checkFunction('reset', options.reset, true);
    checkFunction('dispose', options.dispose, true);
    checkFunction('disposeBatch', options.disposeBatch, true);
    const max = options.max === undefined ? DEFAULT_MAX : checkInteger('max', options.max, 0, 2 ** 30);
    const limit = options.limit === undefined ? Infinity : checkInteger('limit', options.limit, 1, Infinity);
    const prefill = options.prefill === undefined ? 0 : checkInteger('prefill', options.prefill, 0, 2 ** 30);
    if (prefill > limit) {
      throw new RangeError(`isopool: option \`prefill\` (${prefill}) must not exceed \`limit\` (${limit})`);
    }
    if (prefill > max) {
      throw new RangeError(`isopool: option \`prefill\` (${prefill}) must not exceed \`max\` (${max}): the surplus would be disposed at once`);
    }
    let grow: number | 'double' = 1;
    if (options.grow !== undefined && options.grow !== 'double') {
      if (typeof options.grow === 'string') {
        throw new RangeError(`isopool: option \`grow\` must be a positive integer or 'double', received ${describe(options.grow)}`);
      }
      grow = checkInteger('grow', options.grow, 1, 2 ** 30);
    } else if (options.grow === 'double') grow = 'double';
    if (options.checked !== undefined && typeof options.checked !== 'boolean') {
      throw new TypeError(`isopool: option \`checked\` must be a boolean, received ${describe(options.checked)}`);
    }
    if (options.soft !== undefined && typeof options.soft !== 'boolean') {
      throw new TypeError(`isopool: option \`soft\` must be a boolean, received ${describe(options.soft)}`);
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(`isopool: option \`name\` must be a string, received ${describe(options.name)}`);
    }

    this._create = options.create;
    this._createBatch = options.createBatch;
    this._reset = options.reset;
    this._dispose = options.dispose;
    this._disposeBatch = options.disposeBatch;
    this._max = max;
    this._limit = limit;
    this._grow = grow;
    this._name = options.name ?? 'LocalPool';
    this._checked = options.checked ?? envChecked();
    this._made = this._checked ? new WeakSet() : undefined;
    this._lentSet = this._checked ? new WeakSet() : undefined;
    this._softOn = options.soft === true;

    const leaks = options.leaks;
    let every = 0;
    if (leaks !== undefined) {
      if (leaks === null || typeof leaks !== 'object') {
        throw new TypeError(`isopool: option \`leaks\` must be an object, received ${describe(leaks)}`);
      }
      checkFunction('leaks.onLeak', leaks.onLeak, false);
      const sample = leaks.sample ?? DEFAULT_LEAK_SAMPLE;
      if (typeof sample !== 'number' || !(sample > 0 && sample <= 1)) {
        throw new RangeError(`isopool: option \`leaks.sample\` must be a number in (0, 1], received ${describe(sample)}`);
      }
      every = Math.max(1, Math.round(1 / sample));
      const onLeak = leaks.onLeak;
      this._leakRegistry = new FinalizationRegistry<LeakSample>((sample) => {
        // The object was collected while lent: it will never come back, so it leaves `live`, and
        // the room it frees goes to waiters before the callback runs (a throwing onLeak must not
        // strand them; its error still surfaces as the callback's own).
        this._live--;
        this._discarded++;
        this._leaked++;
        this._trackedLent--;
        try {
          this._serveByCreating();
        } finally {
          onLeak({ pool: this._name, acquiredAt: sample.acquiredAt, stack: sample.where.stack ?? '' });
        }
      });
      this._tracked = new WeakSet();
    } else {
      this._leakRegistry = undefined;
      this._tracked = undefined;
    }
    this._leakEvery = every;
    this._leakCountdown = every;

    const slotOn = !this._checked && max > 0;
    this._slotOn = slotOn;
    this._slot = slotOn ? undefined : null;
    this._stackCap = slotOn ? max - 1 : max;
    this._plain = slotOn && this._reset === undefined && leaks === undefined;

    if (prefill > 0) this._prefill(prefill);
  }

  /**
   * Fills the stack up to its capacity and, when one object remains, the owner slot. An object put in
   * the slot by prefill is the one exception to "the slot is filled only by release": the first acquire
   * may take it without the cold path, so the high-water mark is set to 1 here and `stats` reports 0
   * until something has been acquired.
   */
  private _prefill(count: number): void {
    this._make(Math.min(count, this._stackCap), false);
    if (count > this._stackCap && this._slot === undefined) {
      if (this._make(1, true) === 1) this._slot = this._stack.pop();
      this._highWater = 1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path

  /** Lends an idle object, or makes one. Throws `ERR_POOL_EXHAUSTED` at `limit`, `ERR_CLOSED` after close. */
  acquire(): T {
    const obj = this._slot;
    if (obj != null) {
      this._slot = undefined;
      this._hits++;
      return obj;
    }
    return this._acquireSlow(true) as T;
  }

  /** Takes back an object this pool lent. */
  release(obj: T): void {
    if (this._plain) {
      const slot = this._slot;
      if (slot === undefined) {
        if (obj != null) {
          this._slot = obj;
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
    const obj = this._slot;
    if (obj != null) {
      this._slot = undefined;
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
        throw new PoolError(
          ErrorCode.POOL_EXHAUSTED,
          this._live >= this._limit
            ? `isopool: ${this._name} is exhausted: all ${this._limit} objects (option \`limit\`) are lent`
            : `isopool: ${this._name} is exhausted: its source has no more objects`,
        );
      }
    }
    this._onLend(obj);
    return obj;
  }

  /** Bookkeeping for an object about to be lent by a cold path. */
  private _onLend(obj: T): void {
    const lent = this._live - this._idle();
    if (lent > this._highWater) this._highWater = lent;
    if (this._lentSet !== undefined) this._lentSet.add(obj);
    if (this._leakRegistry !== undefined && --this._leakCountdown <= 0) {
      this._leakCountdown = this._leakEvery;
      this._tracked!.add(obj);
      this._trackedLent++;
      // The Error captures the stack now; V8 formats it only if a report reads `.stack`.
      this._leakRegistry.register(obj, { acquiredAt: Date.now(), where: new Error('acquired here') }, obj);
    }
  }

  /** Soft retention first, then the source. Leaves extra grown objects on the stack. */
  private _fromSource(): T | undefined {
    const soft = this._soft;
    while (soft.length > 0 && this._live < this._limit) {
      const obj = soft.pop()!.deref();
      if (obj !== undefined) {
        this._live++;
        return obj;
      }
      this._discarded++; // taken by the collector while held softly
    }
    const want = this._grow === 'double' ? Math.max(1, this._live) : this._grow;
    const made = this._make(want, true);
    if (made === 0) return undefined;
    return this._stack.pop();
  }

  /**
   * Makes up to `want` objects onto the stack, bounded by `limit` and by the stack's room (plus one
   * when an object is about to be lent from it). Returns how many it made.
   */
  private _make(want: number, forLend: boolean): number {
    const room = this._stackCap - this._stack.length + (forLend ? 1 : 0);
    const n = Math.min(want, this._limit - this._live, room);
    if (n <= 0) return 0;
    const stack = this._stack;
    if (this._createBatch !== undefined) {
      const out = this._batch;
      const k = this._createBatch(n, out);
      for (let i = 0; i < k; i++) {
        this._adopt(out[i]!);
        stack.push(out[i]!);
      }
      out.length = 0;
      return k;
    }
    // An object made before `create` throws stays pooled and accounted; the error propagates.
    for (let i = 0; i < n; i++) {
      const obj = this._create!();
      if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
        throw new TypeError(`isopool: ${this._name}'s \`create\` must return an object, returned ${describe(obj)}`);
      }
      this._adopt(obj);
      stack.push(obj);
    }
    return n;
  }

  private _adopt(obj: T): void {
    this._live++;
    this._created++;
    if (this._made !== undefined) this._made.add(obj);
  }

  /**
   * @internal For SharedPool's cache: counts in an object lent from outside this pool (a block
   * adopted from another isolate), so that its release here keeps `live` (idle + lent) balanced.
   */
  _admit(obj: T): void {
    this._live++;
    if (this._made !== undefined) this._made.add(obj);
    this._onLend(obj);
  }

  private _idle(): number {
    return this._stack.length + (this._slot == null ? 0 : 1);
  }

  private _releaseSlow(obj: T): void {
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
      throw new TypeError(`isopool: ${this._name}.release() takes an object it lent, received ${describe(obj)}`);
    }
    if (this._checked) {
      if (!this._made!.has(obj)) {
        throw new PoolError(ErrorCode.FOREIGN_OBJECT, `isopool: ${this._name}.release() was given an object this pool did not make`);
      }
      if (!this._lentSet!.has(obj)) {
        throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${this._name}.release() was given an object that is not lent (released twice?)`);
      }
      this._lentSet!.delete(obj);
    } else if (obj === this._slot || (this._stack.length > 0 && this._stack[this._stack.length - 1] === obj)) {
      throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${this._name}.release() was given an object that is already idle (released twice)`);
    }
    if (this._trackedLent > 0 && this._tracked!.delete(obj)) {
      this._trackedLent--;
      this._leakRegistry!.unregister(obj);
    }
    if (this._closed) {
      if (this._live - this._idle() <= 0) {
        throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${this._name}.release() after close was given an object when none is lent`);
      }
      this._discard(obj);
      return;
    }
    if (this._reset !== undefined) {
      let keep: boolean | void;
      try {
        keep = this._reset(obj);
      } catch (error) {
        this._discard(obj);
        throw error;
      }
      if (keep === false) {
        this._discard(obj);
        return;
      }
    }
    if (this._waiting > 0) {
      this._handToWaiter(obj, true);
      return;
    }
    this._store(obj);
  }

  /** Puts an idle object in the slot or on the stack, spilling or disposing the surplus. */
  private _store(obj: T): void {
    if (this._slot === undefined) {
      this._slot = obj;
      return;
    }
    const stack = this._stack;
    if (stack.length < this._stackCap) {
      stack.push(obj);
      return;
    }
    if (this._disposeBatch !== undefined && stack.length > 0) {
      // Spill the older half: the recently used objects (cache-warm) stay here.
      const spill = stack.splice(0, Math.max(1, stack.length >> 1));
      this._live -= spill.length;
      try {
        this._disposeBatch(spill);
      } finally {
        stack.push(obj);
      }
      return;
    }
    if (this._softOn) {
      this._retainSoftly(obj);
      return;
    }
    this._discard(obj);
  }

  private _retainSoftly(obj: T): void {
    const soft = this._soft;
    const cap = Math.max(SOFT_CAP_FACTOR, this._max * SOFT_CAP_FACTOR);
    if (soft.length >= cap) {
      // Sweep the references the collector has cleared; if still full, the object is disposed.
      // A cleared reference is an object the collector took: count it as discarded (no dispose).
      let w = 0;
      for (let r = 0; r < soft.length; r++) if (soft[r]!.deref() !== undefined) soft[w++] = soft[r]!;
      this._discarded += soft.length - w;
      soft.length = w;
      if (w >= cap) {
        this._discard(obj);
        return;
      }
    }
    this._live--;
    soft.push(new WeakRef(obj));
  }

  /** Drops an object for good: it leaves `live` and goes to `dispose`. */
  private _discard(obj: T): void {
    this._live--;
    this._discarded++;
    try {
      if (this._dispose !== undefined) this._dispose(obj);
      else if (this._disposeBatch !== undefined) this._disposeBatch([obj]);
    } finally {
      this._serveByCreating();
    }
  }

  /**
   * While callers wait or after close, every release must take the cold path (to hand the object to
   * a waiter, or to dispose it). The slot is empty then (a caller waits only when nothing is idle;
   * close empties it), so `null` in it sends both hot paths to the cold ones at no cost to them.
   */
  private _lockSlot(): void {
    const held = this._slot;
    if (held != null) this._stack.push(held);
    this._slot = null;
  }

  private _unlockSlot(): void {
    if (this._slot === null && this._slotOn && !this._closed && this._waiting === 0) this._slot = undefined;
  }

  private _closedError(): PoolError {
    return new PoolError(ErrorCode.CLOSED, `isopool: ${this._name} is closed`);
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting

  /**
   * Lends an object, waiting in FIFO order for a release when the pool is at its `limit`. Rejects
   * with the signal's reason when aborted, `ERR_TIMEOUT` after `timeout` ms, `ERR_CLOSED` on close.
   */
  acquireAsync(options: AcquireAsyncOptions = {}): Promise<T> {
    if (options === null || typeof options !== 'object') {
      return Promise.reject(new TypeError(`isopool: acquireAsync() options must be an object, received ${describe(options)}`));
    }
    const { signal, timeout } = options;
    if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0) || (timeout > MAX_TIMEOUT && timeout !== Infinity))) {
      return Promise.reject(new RangeError(`isopool: option \`timeout\` must be a number of ms from 0 to ${MAX_TIMEOUT}, or Infinity, received ${describe(timeout)}`));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    let obj: T | undefined;
    try {
      obj = this._waiting === 0 ? this.tryAcquire() : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    if (obj !== undefined) return Promise.resolve(obj);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, done: false, timer: undefined, signal, onAbort: undefined };
      if (timeout !== undefined && timeout !== Infinity) {
        waiter.timer = setTimeout(() => {
          this._cancelWaiter(waiter, new PoolError(ErrorCode.TIMEOUT, `isopool: ${this._name}.acquireAsync() timed out after ${timeout} ms`));
        }, timeout);
      }
      if (signal !== undefined) {
        waiter.onAbort = () => this._cancelWaiter(waiter, signal.reason);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this._waiters.push(waiter);
      if (this._waiting++ === 0) this._lockSlot();
    });
  }

  private _finishWaiter(waiter: Waiter<T>): void {
    waiter.done = true;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    if (--this._waiting === 0) {
      this._waiters.length = 0;
      this._waitHead = 0;
      this._unlockSlot();
    }
  }

  private _cancelWaiter(waiter: Waiter<T>, reason: unknown): void {
    if (waiter.done) return;
    this._finishWaiter(waiter);
    waiter.reject(reason);
  }

  private _nextWaiter(): Waiter<T> | undefined {
    const waiters = this._waiters;
    if (this._waitHead >= WAITER_COMPACT && this._waitHead * 2 >= waiters.length) {
      // Under sustained contention the queue never empties: drop the finished prefix.
      waiters.splice(0, this._waitHead);
      this._waitHead = 0;
    }
    while (this._waitHead < waiters.length) {
      const w = waiters[this._waitHead++]!;
      if (!w.done) return w;
    }
    return undefined;
  }

  private _handToWaiter(obj: T, hit: boolean): void {
    const waiter = this._nextWaiter()!;
    this._finishWaiter(waiter);
    if (hit) this._hits++;
    this._onLend(obj);
    waiter.resolve(obj);
  }

  /** After an object left `live`, a waiter may be served by a new one. */
  private _serveByCreating(): void {
    while (this._waiting > 0 && !this._closed) {
      let obj: T | undefined = this._stack.pop();
      const hit = obj !== undefined;
      try {
        if (!hit) {
          this._misses++;
          obj = this._fromSource();
        }
      } catch (error) {
        const waiter = this._nextWaiter()!;
        this._finishWaiter(waiter);
        waiter.reject(error);
        continue;
      }
      if (obj === undefined) return;
      this._handToWaiter(obj, hit);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Conveniences, beside the hot path

  /** Acquires, runs `fn(obj)` (sync or async), releases in `finally`, returns `fn`'s result. */
  use<R>(fn: (obj: T) => R): R {
    if (typeof fn !== 'function') throw new TypeError(`isopool: use() takes a function, received ${describe(fn)}`);
    const obj = this.acquire();
    let result: R;
    try {
      result = fn(obj);
    } catch (error) {
      this._releaseAfterError(obj, error);
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      return (result as unknown as PromiseLike<unknown>).then(
        (value) => {
          this.release(obj);
          return value;
        },
        (error: unknown) => this._releaseAfterError(obj, error),
      ) as R;
    }
    this.release(obj);
    return result;
  }

  /** Releases after `use`'s callback failed; the callback's error wins, a release error rides along. */
  private _releaseAfterError(obj: T, error: unknown): never {
    try {
      this.release(obj);
    } catch (releaseError) {
      throw new AggregateError([error, releaseError], `isopool: use() callback failed, and so did releasing its object`);
    }
    throw error;
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
    const drop: T[] = [];
    const stack = this._stack;
    let idle = this._idle();
    while (idle > keep && stack.length > 0) {
      drop.push(stack.shift()!);
      idle--;
    }
    if (idle > keep && this._slot != null) {
      drop.push(this._slot);
      this._slot = undefined;
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
    let waiter: Waiter<T> | undefined;
    while ((waiter = this._nextWaiter()) !== undefined) {
      this._finishWaiter(waiter);
      waiter.reject(this._closedError());
    }
    this._disposeAll(drop);
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this._closed;
  }

  /** Moves softly held objects still alive into `drop` (back into `live`, to be discarded). */
  private _drainSoft(drop: T[]): void {
    for (const ref of this._soft) {
      const obj = ref.deref();
      if (obj !== undefined) {
        this._live++;
        drop.push(obj);
      } else {
        this._discarded++;
      }
    }
    this._soft.length = 0;
  }

  /**
   * Drops every object in `drop`, each once, even when some `dispose` calls throw. A batch source
   * (`disposeBatch` without `dispose`) takes them back in one call: for a SharedPool cache these are
   * blocks going home, not objects to destroy.
   */
  private _disposeAll(drop: T[]): void {
    if (drop.length === 0) return;
    if (this._dispose === undefined && this._disposeBatch !== undefined) {
      this._live -= drop.length;
      this._discarded += drop.length;
      try {
        this._disposeBatch(drop);
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

  /** Counters, read at the moment of the call. */
  get stats(): PoolStats {
    const idle = this._idle();
    return {
      hits: this._hits,
      misses: this._misses,
      created: this._created,
      discarded: this._discarded,
      idle,
      lent: this._live - idle,
      highWater: this._hits + this._misses === 0 ? 0 : this._highWater,
      waiting: this._waiting,
      soft: this._soft.length,
      leaked: this._leaked,
    };
  }
}

/** An acquired object that gives itself back on `[Symbol.dispose]()` (for `using`) or `release()`. */
export class Lease<T extends object> {
  #pool: LocalPool<T>;
  #value: T | undefined;

  constructor(pool: LocalPool<T>, value: T) {
    this.#pool = pool;
    this.#value = value;
  }

  /** The lent object. Throws `ERR_LEASE_RELEASED` once the lease has given it back. */
  get value(): T {
    if (this.#value === undefined) {
      throw new PoolError(ErrorCode.LEASE_RELEASED, 'isopool: this lease has already released its object');
    }
    return this.#value;
  }

  /** True until the lease gives its object back. */
  get active(): boolean {
    return this.#value !== undefined;
  }

  /** Gives the object back; later calls do nothing. */
  release(): void {
    const value = this.#value;
    if (value === undefined) return;
    this.#value = undefined;
    this.#pool.release(value);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
