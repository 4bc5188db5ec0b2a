/**
 * LocalPool's options, checked once at the public edge and resolved into a `LocalPoolConfig` that
 * the pool reads without checking again.
 */
import { checkBoolean, checkFunction, checkInteger, checkKnownKeys, checkOptionsObject, checkString, describe, resolveChecked } from '../validate.js';
import { checkNotThenable } from './source.js';
import { resolveLeaks, type LeakOptions, type ResolvedLeaks } from './leak-tracker.js';

/**
 * Default for `max`, the idle objects one pool keeps. The hot pattern (acquire, use, release) needs
 * one; nesting and overlapping async holders need a few more. 16 covers recursion a few levels deep
 * and a handful of concurrent awaits while bounding retained memory to 16 objects a pool per isolate
 * (.NET's DefaultObjectPool keeps 2 x cores; Netty's Recycler starts small and caps at 4k a thread).
 */
export const DEFAULT_MAX = 16;

/** Largest `max`, `prefill` and numeric `grow`: far past any pool that fits in memory. */
const MAX_COUNT = 2 ** 30;

/**
 * The callbacks are methods, not function-typed properties, on purpose: TypeScript checks method
 * parameters bivariantly, so `PoolToken<T>` (which holds these options) is covariant in `T` and a
 * hand-written `PoolToken<Int32Array>` accepts `definePool({ create: () => new Int32Array(8) })`,
 * whose `T` is `Int32Array<ArrayBuffer>` under TypeScript >= 5.7 (tests/types.test.ts).
 */
export interface LocalPoolOptions<T extends object> {
  /** Makes one new object. Required unless `createBatch` or `initial` is given. */
  create?(): T;
  /**
   * Makes up to `n` objects into `out` (from index 0) and returns how many it made; 0 means the source
   * is exhausted. Sources that are cheaper in batches (a shared free list) use it instead of `create`.
   */
  createBatch?(n: number, out: T[]): number;
  /** Called on release; returning `false` discards the object (it is disposed, never lent again). */
  reset?(obj: T): boolean | void;
  /** Called for every object the pool drops: rejected by `reset`, over `max`, trimmed, on close. */
  dispose?(obj: T): void;
  /**
   * Takes back a batch of surplus idle objects in one call (a shared free list's spill). With it,
   * a release past `max` hands the older half of the stack to it instead of disposing one object.
   */
  disposeBatch?(objs: T[]): void;
  /** Most idle objects retained (owner slot included). Default 16, or `prefill` + `initial.length` if more. */
  max?: number;
  /** Most live objects, idle + lent. Default unbounded. */
  limit?: number;
  /** Objects created up front. Default 0. */
  prefill?: number;
  /**
   * Objects the caller already has, pooled idle from the start (`with_initial_objects(vec)` in Rust pools):
   * counted as created, known to checked mode, lent before any `prefill` object (the last one
   * first). Each must be a distinct object. Without `create` or `createBatch` they are the pool's
   * only objects.
   */
  initial?: readonly T[];
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

/** Options after checking, with every default filled in. */
export interface LocalPoolConfig<T extends object> {
  readonly create: (() => T) | undefined;
  readonly createBatch: ((n: number, out: T[]) => number) | undefined;
  readonly reset: ((obj: T) => boolean | void) | undefined;
  readonly dispose: ((obj: T) => void) | undefined;
  readonly disposeBatch: ((objs: T[]) => void) | undefined;
  readonly max: number;
  readonly limit: number;
  readonly prefill: number;
  readonly initial: readonly T[];
  readonly grow: number | 'double';
  readonly checked: boolean;
  readonly leaks: ResolvedLeaks | undefined;
  readonly soft: boolean;
  readonly name: string;
}

/** Every option LocalPool takes: any other key is refused, naming the one meant when it is close. */
const OPTION_KEYS: readonly (keyof LocalPoolOptions<object>)[] = [
  'create', 'createBatch', 'reset', 'dispose', 'disposeBatch', 'max', 'limit', 'prefill', 'initial', 'grow', 'checked', 'leaks', 'soft', 'name',
];

export function resolveLocalPoolOptions<T extends object>(options: LocalPoolOptions<T>): LocalPoolConfig<T> {
  checkOptionsObject('LocalPool options', options);
  checkKnownKeys('LocalPool', options, OPTION_KEYS);
  const initial = resolveInitial<T>(options.initial);
  checkFunction('create', options.create, options.createBatch !== undefined || initial.length > 0);
  checkFunction('createBatch', options.createBatch, true);
  checkFunction('reset', options.reset, true);
  checkFunction('dispose', options.dispose, true);
  checkFunction('disposeBatch', options.disposeBatch, true);
  const limit = options.limit === undefined ? Infinity : checkInteger('limit', options.limit, 1, Infinity);
  const prefill = options.prefill === undefined ? 0 : checkInteger('prefill', options.prefill, 0, MAX_COUNT);
  const upFront = prefill + initial.length;
  const what = initial.length === 0 ? `\`prefill\` (${prefill})` : `\`prefill\` + \`initial.length\` (${upFront})`;
  if (upFront > limit) {
    throw new RangeError(`isopool: option ${what} must not exceed \`limit\` (${limit})`);
  }
  // A pool asked to start with more than the default keeps them all: the default rises to fit.
  const max = options.max === undefined ? Math.max(DEFAULT_MAX, upFront) : checkInteger('max', options.max, 0, MAX_COUNT);
  if (upFront > max) {
    throw new RangeError(`isopool: option ${what} must not exceed \`max\` (${max}): the surplus would be disposed at once`);
  }
  return {
    create: options.create,
    createBatch: options.createBatch,
    reset: options.reset,
    dispose: options.dispose,
    disposeBatch: options.disposeBatch,
    max,
    limit,
    prefill,
    initial,
    grow: resolveGrow(options.grow),
    checked: resolveChecked(options.checked),
    leaks: resolveLeaks(options.leaks),
    soft: checkBoolean('soft', options.soft) === true,
    name: checkString('name', options.name) ?? 'LocalPool',
  };
}

/** `initial`: an array of distinct objects (no primitive, no promise), copied. */
function resolveInitial<T extends object>(initial: unknown): readonly T[] {
  if (initial === undefined) return [];
  if (!Array.isArray(initial)) {
    throw new TypeError(`isopool: option \`initial\` must be an array of objects, received ${describe(initial)}`);
  }
  const seen = new Set<unknown>();
  for (let i = 0; i < initial.length; i++) {
    const obj: unknown = initial[i];
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
      throw new TypeError(`isopool: option \`initial\` must hold objects, received ${describe(obj)} at index ${i}`);
    }
    checkNotThenable(obj, `option \`initial\` holds at index ${i}`);
    if (seen.has(obj)) throw new TypeError(`isopool: option \`initial\` holds one object twice (at index ${i} again)`);
    seen.add(obj);
  }
  return initial.slice() as T[];
}

function resolveGrow(grow: unknown): number | 'double' {
  if (grow === undefined) return 1;
  if (grow === 'double') return 'double';
  if (typeof grow === 'string') {
    throw new RangeError(`isopool: option \`grow\` must be a positive integer or 'double', received ${describe(grow)}`);
  }
  return checkInteger('grow', grow, 1, MAX_COUNT);
}
