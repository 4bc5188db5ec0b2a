/**
 * Transfer marks: how a BufferPool knows its own memory when it comes back from a transfer.
 *
 * ## The problem
 *
 * A worker pool moves data by transfer: `worker.postMessage(a, [a.buffer])` detaches `a` here and
 * the worker gets a new typed array over the same memory; when it posts it back, this isolate gets a
 * third object over that memory, with a new ArrayBuffer too. The pool's WeakSet of arrays it made
 * knows neither. What survives a transfer: the buffer's bytes and its `byteLength`, and the view's
 * `byteOffset`, `length` and element type. Nothing else.
 *
 * ## The trick
 *
 * Each array the pool makes sits over a buffer MARK_BYTES longer than the array: the trailer, past
 * the array's last element, holds the pool's mark (a random 32-bit word, so another pool's or
 * another isolate's arrays do not match) and a serial number, one per array made. The trailer
 * travels with the buffer. A side table maps each serial to the object that holds that memory now,
 * through a WeakRef (lent arrays are not kept alive by it). An array returned that the pool did not
 * make is looked up by its trailer, and accepted only when:
 *
 * - it is a whole buffer of the pool's exact type, its length a class size (or past `maxLength`),
 *   the buffer exactly MARK_BYTES longer, with this pool's mark and a serial in the table;
 * - the object that held that serial's memory is detached or gone (collected): an attached one means
 *   the returned array is a copy of the memory, not the memory (`structuredClone` without transfer);
 * - that object's lending is still open: it is not idle in its class (a stale reference transferred
 *   an idle array's buffer away), and for an oversized array, not already returned.
 *
 * Then the returned object takes the old one's place (LocalPool's `exchangeLent`) and is returned
 * as usual; the table points at it. So each lending is closed once, whatever copies exist: a class
 * never takes back more arrays than it lent (its books say how many are lent, and an exchange never
 * adds to them), a second return of the new object is refused as any double return is, and the old,
 * detached object is refused (no class size).
 *
 * An entry lives while the pool counts its array (idle or lent): dropping an array (over `perClass`,
 * trim, close, detached while idle, an oversized one returned) deletes it. A lent array that is never
 * returned leaves its entry (a Map entry and a WeakRef, tens of bytes): it cannot be told from one
 * whose memory is away in a worker, which is the case this exists for.
 *
 * ## Alternatives rejected
 *
 * - A per-class count of arrays away, with no mark: it bounds what a class takes back but accepts any
 *   array of the right type and length, so a `new Uint8Array(16)` would enter the pool.
 * - A mark inside the array's elements: the elements are the user's.
 * - A FinalizationRegistry to drop entries of collected arrays: the object of an array whose memory
 *   is in a worker is collected too, and its entry is exactly the one to keep.
 * - Marks on subclasses of the typed arrays: a transfer rebuilds the base type, so the element type
 *   would not match; a pool of a subclass makes plain arrays and refuses what comes back.
 */
import type { TypedArray, TypedArrayConstructor } from './typed-array.js';

/** Bytes after an array's last element: the pool's mark (4) and the array's serial (4). */
export const MARK_BYTES = 8;

/** The typed array constructors whose arrays a transfer rebuilds with the same prototype. */
const BUILT_IN: readonly unknown[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

/** The view constructor over a buffer, which every built-in typed array constructor also is. */
type OverBuffer<A> = new (buffer: ArrayBuffer, byteOffset: number, length: number) => A;

/** What the table knows of a marked array returned from elsewhere. */
export interface MarkedReturn<A> {
  readonly serial: number;
  /** The object that held this memory before; undefined once collected. */
  readonly previous: A | undefined;
}

export class TransferMarks<A extends TypedArray> {
  /** This pool's mark: random, so arrays of other pools (here or in other isolates) do not match. */
  private readonly _mark = (Math.random() * 2 ** 32) >>> 0;
  private _serial = 0;
  /** Serial -> the object over that memory now. */
  private readonly _holders = new Map<number, WeakRef<A>>();
  private readonly _serialOf = new WeakMap<A, number>();
  private readonly _ctor: TypedArrayConstructor<A>;

  private constructor(ctor: TypedArrayConstructor<A>) {
    this._ctor = ctor;
  }

  /** Marks for arrays of `ctor`, or undefined for a subclass (a transfer would not rebuild it). */
  static for<A extends TypedArray>(ctor: TypedArrayConstructor<A>): TransferMarks<A> | undefined {
    return BUILT_IN.includes(ctor) ? new TransferMarks(ctor) : undefined;
  }

  /** A new array of `length` elements over a buffer with this pool's trailer. */
  make(length: number): A {
    const bytes = length * this._ctor.BYTES_PER_ELEMENT;
    const buffer = new ArrayBuffer(bytes + MARK_BYTES);
    // Serials wrap after 2^32 arrays made by one pool; 0 is never used.
    const serial = (this._serial = this._serial === 0xffffffff ? 1 : this._serial + 1);
    const trailer = new DataView(buffer, bytes, MARK_BYTES);
    trailer.setUint32(0, this._mark, true);
    trailer.setUint32(4, serial, true);
    const array = new (this._ctor as unknown as OverBuffer<A>)(buffer, 0, length);
    this._holders.set(serial, new WeakRef(array));
    this._serialOf.set(array, serial);
    return array;
  }

  /**
   * The table's entry for `array`, an array the pool did not make: undefined unless it is a whole
   * marked buffer of this pool's type whose serial is in the table.
   */
  match(array: unknown): MarkedReturn<A> | undefined {
    if (!ArrayBuffer.isView(array) || Object.getPrototypeOf(array) !== this._ctor.prototype) return undefined;
    const { buffer, byteOffset, byteLength } = array as A;
    if (byteOffset !== 0 || !(buffer instanceof ArrayBuffer) || buffer.byteLength !== byteLength + MARK_BYTES) return undefined;
    const trailer = new DataView(buffer, byteLength, MARK_BYTES);
    if (trailer.getUint32(0, true) !== this._mark) return undefined;
    const serial = trailer.getUint32(4, true);
    const holder = this._holders.get(serial);
    return holder === undefined ? undefined : { serial, previous: holder.deref() };
  }

  /** `array` holds `serial`'s memory from now on. */
  rehome(serial: number, array: A): void {
    this._holders.set(serial, new WeakRef(array));
    this._serialOf.set(array, serial);
  }

  /** The pool let `array` go: its memory is no longer the pool's to take back. */
  forget(array: A): void {
    const serial = this._serialOf.get(array);
    if (serial !== undefined && this._holders.get(serial)?.deref() === array) this._holders.delete(serial);
  }

  /** Forgets a serial whose lending closed with an object the pool does not keep (oversized arrays). */
  forgetSerial(serial: number): void {
    this._holders.delete(serial);
  }

  /** Entries in the table: arrays the pool counts, plus lent ones never returned. */
  get size(): number {
    return this._holders.size;
  }
}
