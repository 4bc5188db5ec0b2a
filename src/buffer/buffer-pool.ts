/**
 * BufferPool: typed arrays by power-of-two size class, each class a LocalPool, with a front slot.
 *
 * ## The trick
 *
 * `rent(minLength)` rounds the request up to the next power of two, `2^k`, and lends from class `k`:
 * one `LocalPool` per class, all made up front (at most 31 small objects), so a class index past the
 * table (`32 - Math.clz32(minLength - 1)`, no loop) is the one check that sends both oversized
 * requests and bad input to the cold path. In front of the classes sits the *front*, as in
 * SharedPool: the array of the last rent a class served, with a flag saying it is idle here. A rent
 * of the front's class (two compares) takes it, and `return()` of that very array (identity: no
 * type test, no WeakSet) puts it back, so the common pattern (rent, use, return, rent the same size)
 * skips the class lookup and the class pool. The front's array is lent in its class pool's books
 * until it goes back there (`trim`, `close`); while the front is bound that class's pool keeps one
 * idle array fewer, so no class holds more than `perClass`. `perClass: 0` and checked mode: no front.
 *
 * ## Invariants
 *
 * - Every array this pool ever made for a class is in `_made` (a WeakSet): `return()` accepts an
 *   array only if its length is a class size (a detached buffer has length 0) and it is either the
 *   array that class's owner slot lent (an identity test: the slot is bound to an array the class
 *   made, pool-core.ts) or in `_made`. So an array the pool did not rent is always
 *   `ERR_FOREIGN_OBJECT`, in checked mode or not, and a `Buffer` or a view of someone else's memory
 *   can never enter a class. The common return (the array just rented) skips the WeakSet lookup,
 *   which cost more than the rest of the pair (figures below).
 * - `rent()` never lends a detached array. A holder that kept a reference after `return()` can still
 *   transfer the idle array's buffer (to a worker, or `structuredClone` with `transfer`); the rent
 *   that takes it sees length 0, drops it from its class (`discarded`) and lends the next one. The
 *   test is one length read on the rent path, where the array is about to be used anyway.
 * - An array is in at most one place: the front, a class pool's slot or stack, or one borrower's
 *   hands. A return of the front's idle array is refused; LocalPool's always-on checks catch a return
 *   of the array just returned to a class; checked mode (`checked: true` or `ISOPOOL_CHECKED=1`)
 *   catches any double return. typedarray-pool (mikolalysenko) has no such check: `free()` twice
 *   hands one buffer to two holders (tests/buffer-pool-misuse.test.ts names that bug).
 * - An array posted to a worker with its buffer in the transfer list and posted back is a new object
 *   over the same memory: `return()` takes it back (cold path), once per lending, through the mark
 *   each array's buffer carries past its last element (transfer-marks.ts has the design; the option
 *   `transfer: false` makes plain arrays and refuses them).
 * - Oversized requests (`minLength > maxLength`) are served by a new array of exactly `minLength`
 *   elements and never pooled. They are tracked in a WeakMap while lent, so returning one is accepted
 *   and dropped (callers can return whatever they rented, as with .NET's ArrayPool), returning it
 *   twice is `ERR_DOUBLE_RELEASE`, and an unknown long array is `ERR_FOREIGN_OBJECT`.
 *
 * ## Alternatives rejected (Node 20.20.2, 2-vCPU AMD EPYC VM, 2026-11-21)
 *
 * - Identity without the WeakSet: a private subclass or a marker property gives user code two maps
 *   for "a Uint8Array" (its element accesses turn polymorphic) and `slice()` returns the subclass.
 *   `node benchmarks/build/experiments/buffer-pool.js` (ns per iteration over 64 Uint32Array(64)):
 *   the bare loop 1.6-2.1, with `WeakSet.has` 7.0-11.4, with a `.constructor` check 6.6-8.6; the
 *   WeakSet also proves the type. The front's identity test skips it for the common return.
 * - Zeroing through LocalPool's `reset` hook: it sends every release down LocalPool's cold path.
 * - Exact-length classes (a Map from length to pool): a lookup per call, unbounded classes.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { LocalPool } from '../local/local-pool.js';
import { advancedHits, HITS_WRAP as BOOKS_HITS_WRAP } from '../local/pool-books.js';
import { checkInteger, describe, resolveChecked } from '../validate.js';
import { resolveBufferPoolOptions, type BufferPoolOptions } from './options.js';
import { sumStats, type BufferPoolStats } from './stats.js';
import { TransferMarks, type MarkedReturn } from './transfer-marks.js';
import { checkConstructor, type AnyBufferOf, type TypedArray, type TypedArrayConstructor } from './typed-array.js';


export type { BufferPoolStats } from './stats.js';

/** What `_cold` is asked to do. */
const Cold = { Rent: 0, Detached: 1, Return: 2, Front: 3 } as const;
type Cold = (typeof Cold)[keyof typeof Cold];

/** The hot paths read it as this module's constant, not an import (pool-core.ts's essay, "Imports"). */
const HITS_WRAP = BOOKS_HITS_WRAP;

/** The front's value while it is bound to no array: an object no caller can pass to `return`. */
const NO_FRONT = Object.freeze({ noFront: true });

/** Test seam (not exported by the package): the front's hit counter. Set by BufferPool's static block. */
export let inspectBufferPool: <A extends TypedArray>(pool: BufferPool<A>) => { frontHits: number; advanceFrontHits(n: number): void };

export class BufferPool<A extends TypedArray> {
  static {
    inspectBufferPool = (pool) => ({
      frontHits: pool._frontHits,
      advanceFrontHits: (n) => void ([pool._frontHitWraps, pool._frontHits] = advancedHits(pool._frontHitWraps, pool._frontHits, n)),
    });
  }

  // Hot fields first. The front (see the essay): its array, 1 while that is idle here.
  private _front: A = NO_FRONT as unknown as A;
  private _frontIdle: 0 | 1 = 0;
  /** The front's class: rents of more than `_frontHalf` and at most `_frontLength` elements take it. */
  private _frontLength = 0;
  private _frontHalf = 0;
  /** Front hits since the last wrap: always below HITS_WRAP, so a small integer (pool-core.ts's essay). */
  private _frontHits = 0;
  /** The front's class (-1: unbound); its pool keeps at most `_frontClassMax` (perClass - 1) idle. */
  private _frontClass = -1;
  private readonly _frontClassMax: number;
  /** False with `perClass: 0` and in checked mode (every lending goes through its class's ledger). */
  private readonly _frontOn: boolean;
  /** Class pools by log2 of their length, 0 .. log2(maxLength); past the end: oversized or invalid. */
  private readonly _classes: LocalPool<A>[];
  /** Every array made for a class, so `return()` can tell ours from foreign ones. */
  private readonly _made = new WeakSet<A>();
  private readonly _zeroOnRent: boolean;
  private readonly _zeroOnReturn: boolean;
  /** What `fill` clears with: `0`, or `0n` for the BigInt arrays. */
  private readonly _zero: number | bigint;
  private readonly _ctor: TypedArrayConstructor<A>;
  private readonly _maxLength: number;
  /** Oversized arrays while they exist: true while lent, false once returned. */
  private readonly _oversize = new WeakMap<A, boolean>();
  private _oversized = 0;
  /** Marks that let a transferred array back in; undefined with `transfer: false` or a subclass. */
  private readonly _marks: TransferMarks<A> | undefined;
  private _transferred = 0;
  private _closed = false;
  /** Times `_frontHits` wrapped. */
  private _frontHitWraps = 0;

  constructor(ctor: TypedArrayConstructor<A>, options: BufferPoolOptions = {}) {
    const sample = checkConstructor(ctor);
    const { maxLength, perClass, zero, checked, transfer } = resolveBufferPoolOptions(ctor, options);
    const marks = transfer ? TransferMarks.for(ctor) : undefined;

    this._ctor = ctor;
    this._maxLength = maxLength;
    this._zeroOnRent = zero === 'rent';
    this._zeroOnReturn = zero === 'return';
    this._zero = typeof sample[0] === 'bigint' ? 0n : 0;
    this._marks = marks;
    this._frontOn = perClass > 0 && !resolveChecked(checked);
    this._frontClassMax = perClass - 1;
    const classes: LocalPool<A>[] = [];
    const made = this._made;
    for (let k = 0, len = 1; len <= maxLength; k++, len *= 2) {
      const length = len;
      classes.push(
        new LocalPool<A>({
          create: () => {
            const a = marks === undefined ? new ctor(length) : marks.make(length);
            made.add(a);
            return a;
          },
          ...(marks === undefined ? {} : { dispose: (a: A) => marks.forget(a) }),
          max: perClass,
          ...(checked === undefined ? {} : { checked }),
          name: `BufferPool<${ctor.name}>[${length}]`,
        }),
      );
    }
    this._classes = classes;
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path

  /**
   * Lends an array of at least `minLength` elements: exactly the next power of two (so `length` may
   * exceed the request), or exactly `minLength` above `maxLength`. Its contents are whatever the last
   * holder left unless `zero` is `'rent'` or `'return'` (a new array is zeroed anyway).
   */
  rent(minLength: number): A {
    // `>>> 0` is the identity only for integers in [0, 2^32): anything else goes to the cold path.
    if (minLength === minLength >>> 0) {
      if (this._frontIdle === 1 && minLength <= this._frontLength && minLength > this._frontHalf) {
        const hits = (this._frontHits + 1) | 0;
        const array = this._front;
        // Length 0 (detached while idle, see the invariants) and the counter's wrap go cold.
        if (hits !== HITS_WRAP && array.length !== 0) {
          this._frontIdle = 0;
          this._frontHits = hits;
          if (this._zeroOnRent === true) array.fill(this._zero as never);
          return array;
        }
        return this._cold(Cold.Front, minLength, undefined) as A;
      }
      const k = minLength <= 1 ? 0 : 32 - Math.clz32(minLength - 1);
      const pool = this._classes[k];
      if (pool !== undefined) {
        const array = pool.acquire();
        // Length 0 is no class size: the array's buffer was detached while it was idle.
        if (array.length === 0) return this._cold(Cold.Detached, array, pool) as A;
        if (this._zeroOnRent === true) array.fill(this._zero as never);
        // The front takes the array unless it holds one idle (it then keeps serving its class).
        if (this._frontIdle === 0 && this._frontOn === true) {
          this._front = array;
          this._frontClass = k;
          this._frontLength = 1 << k;
          this._frontHalf = (1 << k) >>> 1;
        }
        return array;
      }
    }
    return this._cold(Cold.Rent, minLength, undefined) as A;
  }

  /** Takes back an array `rent()` lent. Throws `ERR_FOREIGN_OBJECT` for any other array. */
  return(array: A | AnyBufferOf<A>): void {
    // Identity with the front's lent array (no type test, no WeakSet); length 0: it was transferred.
    if (array === this._front && this._frontIdle === 0 && array.length !== 0) {
      if (this._zeroOnReturn === true) array.fill(this._zero as never);
      this._frontIdle = 1;
      return;
    }
    if (typeof array === 'object' && array !== null && array !== this._front) {
      const n = array.length;
      const pool = (n & (n - 1)) === 0 ? this._classes[31 - Math.clz32(n)] : undefined;
      // The array its class's owner slot lent is one this pool made: no WeakSet lookup for it.
      if (pool !== undefined && (pool.isSlotLent(array as A) || this._made.has(array as A))) {
        if (this._zeroOnReturn === true) array.fill(this._zero as never);
        this._release(pool, array as A);
        return;
      }
    }
    this._cold(Cold.Return, array, undefined);
  }

  // ---------------------------------------------------------------------------------------------
  // Cold paths

  /**
   * Every cold path of `rent` and `return`, in one method on purpose: its bytecode stays above
   * TurboFan's inlining limit (460 bytes on Nodes 20-26), so it is never inlined into the hot paths
   * or through them into a caller's loop (pool-core.ts's essay, "Staying fast in a used program";
   * tests/hot-paths.test.ts checks the size). The cases:
   *
   * - `Rent`: a request past the class table: bad input (refused), or above `maxLength` (allocated,
   *   never pooled, tracked while lent).
   * - `Detached`: an idle array's buffer was detached through a reference its last holder kept
   *   (transferred to a worker, `structuredClone` with `transfer`): it leaves its class pool, and the
   *   rent is served by the next idle array, or a new one.
   * - `Return`: an oversized array coming back, or one this pool did not rent.
   */
  private _cold(op: Cold, value: unknown, pool: LocalPool<A> | undefined): A | undefined {
    const name = this._ctor.name;
    if (op === Cold.Front) {
      const array = this._front;
      this._frontIdle = 0;
      if (array.length === 0) {
        // Detached while idle in the front: it leaves its class (discarded); the rent starts again.
        this._classes[this._frontClass]!.discardLent(array);
        this._unbindFront();
        return this.rent(value as number);
      }
      [this._frontHits, this._frontHitWraps] = [0, this._frontHitWraps + 1]; // the counter wraps
      if (this._zeroOnRent === true) array.fill(this._zero as never);
      return array;
    }
    if (op === Cold.Return && value === this._front && this._frontIdle === 1) {
      throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: BufferPool<${name}>.return() was given an array it already took back`);
    }
    if (op === Cold.Rent) {
      const minLength = checkInteger('minLength', value, 0);
      if (this._closed) throw new PoolError(ErrorCode.CLOSED, `isopool: BufferPool<${name}> is closed`);
      // An integer that missed the class table is above maxLength: allocate it, never pool it.
      const array = this._marks === undefined ? new this._ctor(minLength) : this._marks.make(minLength);
      this._oversize.set(array, true);
      this._oversized++;
      return array;
    }
    if (op === Cold.Detached) {
      let array = value as A;
      do {
        pool!.discardLent(array);
        array = pool!.acquire();
      } while (array.length === 0);
      if (this._zeroOnRent === true) array.fill(this._zero as never);
      return array;
    }
    const array = value as A | AnyBufferOf<A>;
    const lent = this._oversize.get(array as A);
    if (lent === true) {
      this._oversize.set(array as A, false);
      this._marks?.forget(array as A);
      return undefined;
    }
    if (lent === false) {
      throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: BufferPool<${name}>.return() was given an oversized array it already took back`);
    }
    const back = this._made.has(array as A) ? undefined : this._marks?.match(array);
    if (back !== undefined) {
      this._returnTransferred(array as A, back);
      return undefined;
    }
    const what = ArrayBuffer.isView(array) ? `a ${array.constructor.name} of length ${(array as A).length}` : describe(array);
    throw new PoolError(
      ErrorCode.FOREIGN_OBJECT,
      this._made.has(array as A)
        ? `isopool: BufferPool<${name}>.return() was given ${what}: its length is no class size (was its buffer detached?)`
        : `isopool: BufferPool<${name}>.return() was given ${what} that it did not rent`,
    );
  }

  /**
   * An array that came back from a transfer: a new object over memory this pool lent (its mark says
   * which lending). Accepted once per lending, in the old object's place; see transfer-marks.ts.
   */
  private _returnTransferred(array: A, { serial, previous }: MarkedReturn<A>): void {
    const what = `BufferPool<${this._ctor.name}>.return() was given a ${this._ctor.name} of length ${array.length}`;
    if (previous !== undefined && previous.length !== 0) {
      throw new PoolError(ErrorCode.FOREIGN_OBJECT, `isopool: ${what} that copies an array it lent: the lent array still holds that memory`);
    }
    const n = array.length;
    if (n > this._maxLength) {
      // An oversized lending is open while its entry exists (its return forgets it) and, when the
      // old object is still around, while that object is marked lent.
      if (previous !== undefined && this._oversize.get(previous) !== true) throw this._idleTransferred(what);
      if (previous !== undefined) this._oversize.set(previous, false);
      this._oversize.set(array, false);
      this._marks!.forgetSerial(serial);
      this._transferred++;
      return;
    }
    const pool = this._classes[31 - Math.clz32(n)]!;
    if (previous !== undefined && previous === this._front) {
      // The front's array came back as a new object: that one goes to its class, the front lets go.
      if (this._frontIdle === 1) throw this._idleTransferred(what);
      this._unbindFront();
    }
    if (!pool.exchangeLent(previous, array)) throw this._idleTransferred(what);
    this._made.add(array);
    this._marks!.rehome(serial, array);
    this._transferred++;
    if (this._zeroOnReturn) array.fill(this._zero as never);
    this._release(pool, array);
  }

  /** Gives `array` back to its class; the front's class keeps one idle array fewer (with the front's, perClass). */
  private _release(pool: LocalPool<A>, array: A): void {
    pool.release(array);
    const k = this._frontClass;
    if (k >= 0 && pool === this._classes[k] && pool.idleCount() > this._frontClassMax) pool.trim(this._frontClassMax);
  }

  private _idleTransferred(what: string): PoolError {
    return new PoolError(
      ErrorCode.DOUBLE_RELEASE,
      `isopool: ${what} whose memory left the pool while it was idle (a reference kept after return() transferred it): that lending was already closed`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Conveniences

  /** The element type this pool holds. */
  get type(): TypedArrayConstructor<A> {
    return this._ctor;
  }

  /** The largest class kept, in elements. */
  get maxLength(): number {
    return this._maxLength;
  }

  /** The length `rent(minLength)` returns: the class size, or `minLength` itself past `maxLength`. */
  classLength(minLength: number): number {
    checkInteger('minLength', minLength, 0);
    const len = minLength <= 1 ? 1 : 2 ** Math.ceil(Math.log2(minLength));
    return len > this._maxLength ? minLength : len;
  }

  /** Disposes idle arrays until each class keeps at most `keep`; returns how many were dropped. */
  trim(keep = 0): number {
    checkInteger('keep', keep, 0, 2 ** 30);
    this._unbindFront();
    let dropped = 0;
    for (const pool of this._classes) dropped += pool.trim(keep);
    return dropped;
  }

  /** Drops every idle array; later rents throw `ERR_CLOSED`, later returns are accepted and dropped. */
  close(): void {
    this._unbindFront();
    this._closed = true;
    for (const pool of this._classes) pool.close();
  }

  /** Lets go of the front's array: back to its class pool when idle (where trim and close see it). */
  private _unbindFront(): void {
    const [array, k, idle] = [this._front, this._frontClass, this._frontIdle];
    [this._front, this._frontClass, this._frontLength, this._frontHalf, this._frontIdle] = [NO_FRONT as unknown as A, -1, 0, 0, 0];
    if (idle === 1) this._classes[k]!.release(array as A);
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this._closed;
  }

  /**
   * Counters summed over every class and the front, read at the moment of the call. `highWater` is
   * the sum of the classes' own high-water marks (an upper bound on the arrays ever lent at once).
   */
  get stats(): BufferPoolStats {
    const front = { idle: this._frontIdle, length: this._frontLength, hits: this._frontHitWraps * HITS_WRAP + this._frontHits };
    return sumStats(this._classes, front, this._oversized, this._transferred);
  }
}
