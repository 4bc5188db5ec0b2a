/**
 * The typed arrays a BufferPool holds, their constructors, and the check that a constructor really
 * makes them.
 */
import { describe } from '../validate.js';

/** Every typed array kind a BufferPool can hold. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/**
 * The same element type over any buffer: `Uint8Array<ArrayBuffer>` (what `rent` returns) widened to
 * `Uint8Array` (what user code annotates), so `return()` takes either.
 */
export type AnyBufferOf<A extends TypedArray> = A extends Int8Array ? Int8Array
  : A extends Uint8ClampedArray ? Uint8ClampedArray
  : A extends Uint8Array ? Uint8Array
  : A extends Int16Array ? Int16Array
  : A extends Uint16Array ? Uint16Array
  : A extends Int32Array ? Int32Array
  : A extends Uint32Array ? Uint32Array
  : A extends Float32Array ? Float32Array
  : A extends Float64Array ? Float64Array
  : A extends BigInt64Array ? BigInt64Array
  : A extends BigUint64Array ? BigUint64Array
  : A;

/** A typed array constructor: `Uint8Array`, `Float64Array`, ... (or a subclass with the same shape). */
export interface TypedArrayConstructor<A extends TypedArray> {
  new (length: number): A;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/** Makes one element to prove `ctor` builds typed arrays; returns it (to learn the element kind). */
export function checkConstructor<A extends TypedArray>(ctor: TypedArrayConstructor<A>): A {
  if (typeof ctor !== 'function') {
    throw new TypeError(`isopool: BufferPool takes a typed array constructor (Uint8Array, Float64Array, ...), received ${describe(ctor)}`);
  }
  let sample: unknown;
  try {
    sample = new ctor(1);
  } catch {
    sample = undefined;
  }
  if (!ArrayBuffer.isView(sample) || sample instanceof DataView || (sample as A).length !== 1) {
    throw new TypeError(`isopool: BufferPool takes a typed array constructor (Uint8Array, Float64Array, ...), received ${describe(ctor)} (${ctor.name || 'anonymous'})`);
  }
  return sample as A;
}
