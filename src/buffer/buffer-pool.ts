/**
 * BufferPool: typed arrays by power-of-two size class, each class a LocalPool.
 *
 * ## The trick
 *
 * `rent(minLength)` rounds the request up to the next power of two, `2^k`, and lends from class `k`:
 * one `LocalPool` per class, so the common pattern (rent, use, return, rent the same size again) is
 * LocalPool's owner-slot path, a field read. The class index is `32 - Math.clz32(minLength - 1)`:
 * no loop, no table. Classes run from length 1 to `maxLength`; every class pool is made up front
 * (at most 31 small objects), so the hot path has no "is this class made yet" branch: a class index
 * past the table is the one check that sends both oversized requests and bad input to the cold path.
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
 * - An array is in at most one place: a class pool's slot or stack, or one borrower's hands. LocalPool
 *   keeps that: its always-on checks catch a return of the array just returned (the slot or the top
 *   of the stack); checked mode (`checked: true` or `ISOPOOL_CHECKED=1`) tracks every lent array and
 *   throws `ERR_DOUBLE_RELEASE` for any double return. typedarray-pool (mikolalysenko) has no such
 *   check: `free()` twice puts one buffer on its free list twice, and two later `malloc()` calls hand
 *   the same memory to two holders. The regression test in `tests/buffer-pool-misuse.test.ts` names that bug.
 * - An array posted to a worker with its buffer in the transfer list and posted back is a new object
 *   over the same memory: `return()` takes it back (cold path), once per lending, through the mark
 *   each array's buffer carries past its last element (transfer-marks.ts has the design; the option
 *   `transfer: false` makes plain arrays and refuses them).
 * - Oversized requests (`minLength > maxLength`) are served by a new array of exactly `minLength`
 *   elements and never pooled. They are tracked in a WeakMap while lent, so returning one is accepted
 *   and dropped (callers can return whatever they rented, as with .NET's ArrayPool), returning it
 *   twice is `ERR_DOUBLE_RELEASE`, and an unknown long array is `ERR_FOREIGN_OBJECT`.
 *
 * ## Alternatives rejected (measured on Node 20.20.2, 2-vCPU AMD EPYC VM, 2026-11-21)
 *
 * - Identity without the WeakSet: a private subclass (`class Pooled extends Uint8Array`) would mark
 *   our arrays through `.constructor`, but then user code sees two maps for "a Uint8Array" and its
 *   element accesses turn polymorphic, and `slice()`/`map()` return the subclass through
 *   `Symbol.species`. A marker property changes the array's map the same way. Measured with
 *   `node benchmarks/build/experiments/buffer-pool.js` (ns per iteration over 64 Uint32Array(64),
 *   three rounds): the bare loop 1.6-2.1, with `WeakSet.has` 7.0-11.4, with an
 *   `array.constructor === Uint32Array` check 6.6-8.6. The WeakSet also proves the type, so it
 *   replaces the constructor check rather than adding to it. The same run: a rent(64)+return pair
 *   11.8-14.2 ns, a LocalPool acquire+release pair 3.6-3.8 ns, `new Uint32Array(64)` 225-459 ns.
 * - Zeroing through LocalPool's `reset` hook: a reset hook sends every release down LocalPool's
 *   cold path. `zero: 'return'` fills before release instead, keeping the owner-slot path.
 * - Exact-length classes (a Map from length to pool, as typedarray-pool keeps per power of two but
 *   keyed by string): a Map lookup per call, and unbounded classes for callers with varied sizes.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { LocalPool, type PoolStats } from '../local/local-pool.js';
import { checkInteger, describe } from '../validate.js';
import { resolveBufferPoolOptions, type BufferPoolOptions } from './options.js';
import { TransferMarks, type MarkedReturn } from './transfer-marks.js';
import { checkConstructor, type AnyBufferOf, type TypedArray, type TypedArrayConstructor } from './typed-array.js';


export interface BufferPoolStats extends PoolStats {
  /** Rents longer than `maxLength`, served by a plain allocation and never pooled. */
  readonly oversized: number;
  /** Idle elements held across every class (memory retained = this x BYTES_PER_ELEMENT). */
  readonly idleElements: number;
  /** Returns taken back after a transfer: arrays that came back as new objects over the pool's memory. */
  readonly transferred: number;
}

/** What `_cold` is asked to do. */
const Cold = { Rent: 0, Detached: 1, Return: 2 } as const;
type Cold = (typeof Cold)[keyof typeof Cold];

export class BufferPool<A extends TypedArray> {
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
      const pool = this._classes[minLength <= 1 ? 0 : 32 - Math.clz32(minLength - 1)];
      if (pool !== undefined) {
        const array = pool.acquire();
        // Length 0 is no class size: the array's buffer was detached while it was idle.
        if (array.length === 0) return this._cold(Cold.Detached, array, pool) as A;
        if (this._zeroOnRent === true) array.fill(this._zero as never);
        return array;
      }
    }
    return this._cold(Cold.Rent, minLength, undefined) as A;
  }

  /** Takes back an array `rent()` lent. Throws `ERR_FOREIGN_OBJECT` for any other array. */
  return(array: A | AnyBufferOf<A>): void {
    if (typeof array === 'object' && array !== null) {
      const n = array.length;
      const pool = (n & (n - 1)) === 0 ? this._classes[31 - Math.clz32(n)] : undefined;
      // The array its class's owner slot lent is one this pool made: no WeakSet lookup for it.
      if (pool !== undefined && (pool.isSlotLent(array as A) || this._made.has(array as A))) {
        if (this._zeroOnReturn === true) array.fill(this._zero as never);
        pool.release(array as A);
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
    if (!pool.exchangeLent(previous, array)) throw this._idleTransferred(what);
    this._made.add(array);
    this._marks!.rehome(serial, array);
    this._transferred++;
    if (this._zeroOnReturn) array.fill(this._zero as never);
    pool.release(array);
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
    let dropped = 0;
    for (const pool of this._classes) dropped += pool.trim(keep);
    return dropped;
  }

  /** Drops every idle array; later rents throw `ERR_CLOSED`, later returns are accepted and dropped. */
  close(): void {
    this._closed = true;
    for (const pool of this._classes) pool.close();
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this._closed;
  }

  /**
   * Counters summed over every class, read at the moment of the call. `highWater` is the sum of the
   * classes' own high-water marks (an upper bound on the arrays ever lent at once).
   */
  get stats(): BufferPoolStats {
    let hits = 0;
    let misses = 0;
    let created = 0;
    let discarded = 0;
    let idle = 0;
    let lent = 0;
    let highWater = 0;
    let leaked = 0;
    let idleElements = 0;
    for (let k = 0; k < this._classes.length; k++) {
      const s = this._classes[k]!.stats;
      hits += s.hits;
      misses += s.misses;
      created += s.created;
      discarded += s.discarded;
      idle += s.idle;
      lent += s.lent;
      highWater += s.highWater;
      leaked += s.leaked;
      idleElements += s.idle * 2 ** k;
    }
    return { hits, misses, created, discarded, idle, lent, highWater, waiting: 0, soft: 0, leaked, oversized: this._oversized, idleElements, transferred: this._transferred };
  }
}
