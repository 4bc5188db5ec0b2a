/**
 * BufferPool's options, their defaults, and their checks at the public edge (TypeError or
 * RangeError naming the option and the value received; unknown keys refused).
 */
import { checkBoolean, checkInteger, checkKnownKeys, checkOptionsObject, describe } from '../validate.js';
import type { TypedArray, TypedArrayConstructor } from './typed-array.js';

/** When a BufferPool clears arrays: never (the default), before lending, or when taken back. */
export type ZeroPolicy = 'never' | 'rent' | 'return';

export interface BufferPoolOptions {
  /**
   * The largest class kept: a power of two, in elements. Longer requests are allocated and never
   * pooled. Default: 1 MiB worth of elements (`2^20 / BYTES_PER_ELEMENT`).
   */
  maxLength?: number;
  /** Arrays kept idle per class (LocalPool's `max`). Default 8. */
  perClass?: number;
  /** Clear arrays on `'rent'`, on `'return'`, or `'never'` (default: callers overwrite what they use). */
  zero?: ZeroPolicy;
  /** Throw `ERR_DOUBLE_RELEASE` for every double return. Default: on when ISOPOOL_CHECKED=1. */
  checked?: boolean;
  /**
   * Take back arrays that went to another isolate by transfer and came back (new objects over the
   * same memory). Each array's buffer is then MARK_BYTES (8) longer than the array. Default true;
   * off, and for subclasses of the typed arrays, arrays are plain and such returns are refused.
   */
  transfer?: boolean;
}

/**
 * Default largest class, in bytes. 1 MiB keeps scratch buffers of parsers, codecs and regex engines
 * (kilobytes to hundreds of kilobytes) pooled while bounding what one element type retains per
 * isolate to `perClass` x (1 MiB + 512 KiB + ... ) < 2 MiB x `perClass` (16 MiB at the default,
 * reached only by a program that really uses every class at once; `trim()` gives it back).
 * .NET's ArrayPool.Create() default is 1,048,576 elements, for the same reason.
 */
export const DEFAULT_MAX_BYTES = 2 ** 20;

/**
 * Default arrays kept per class. A scratch user rents a few arrays of one size per operation (the
 * regex workload rents 4 Uint32Arrays of one class, and 2 to 4 Int32Arrays of one class or more)
 * and returns them all: 8 covers that pattern twice over, nested once. .NET's ArrayPool.Create() keeps 50 per bucket, for many threads; one
 * isolate is one thread.
 */
export const DEFAULT_PER_CLASS = 8;

/** Largest class index: 2^30 elements, past V8's typed-array limit for every element size but 1. */
const MAX_SHIFT = 30;

const ZERO_POLICIES: readonly ZeroPolicy[] = ['never', 'rent', 'return'];

const OPTION_KEYS: readonly (keyof BufferPoolOptions)[] = ['maxLength', 'perClass', 'zero', 'checked', 'transfer'];

/** The options with their defaults filled in (`checked` stays undefined: LocalPool reads the environment). */
export interface ResolvedBufferPoolOptions {
  readonly maxLength: number;
  readonly perClass: number;
  readonly zero: ZeroPolicy;
  readonly checked: boolean | undefined;
  readonly transfer: boolean;
}

export function resolveBufferPoolOptions(ctor: TypedArrayConstructor<TypedArray>, options: BufferPoolOptions): ResolvedBufferPoolOptions {
  checkOptionsObject('BufferPool options', options);
  checkKnownKeys('BufferPool', options, OPTION_KEYS);
  const maxLength =
    options.maxLength === undefined
      ? Math.max(1, DEFAULT_MAX_BYTES / ctor.BYTES_PER_ELEMENT)
      : checkInteger('maxLength', options.maxLength, 1, 2 ** MAX_SHIFT);
  if ((maxLength & (maxLength - 1)) !== 0) {
    throw new RangeError(`isopool: option \`maxLength\` must be a power of two, received ${describe(maxLength)}`);
  }
  const perClass = options.perClass === undefined ? DEFAULT_PER_CLASS : checkInteger('perClass', options.perClass, 0, 2 ** 20);
  const zero = options.zero === undefined ? 'never' : options.zero;
  if (!ZERO_POLICIES.includes(zero)) {
    throw new RangeError(`isopool: option \`zero\` must be 'never', 'rent' or 'return', received ${describe(zero)}`);
  }
  const checked = checkBoolean('checked', options.checked);
  return { maxLength, perClass, zero, checked, transfer: checkBoolean('transfer', options.transfer) !== false };
}
