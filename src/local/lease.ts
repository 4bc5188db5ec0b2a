/**
 * The conveniences beside a pool's hot path: `use(fn)` (acquire, run, release in `finally`, sync or
 * async) and `Lease` (an acquired object that gives itself back on `[Symbol.dispose]()`, for
 * `using lease = pool.lease()`). Both cost more than a bare acquire/release pair (a closure or an
 * allocation and the disposal helpers): the README's benchmark section has the figures.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { describe } from '../validate.js';

declare global {
  // `Lease[Symbol.dispose]` in the published declarations must compile where `lib` has no
  // Disposable (ES2022 with DOM, no @types/node): this declares the symbol as @types/node does,
  // and merges with the lib's own declaration where there is one (tests/types.test.ts).
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** What the conveniences need of a pool. */
export interface Lender<T> {
  acquire(): T;
  release(obj: T): void;
}

/**
 * Acquires from `pool`, runs `fn(obj)` (sync or async), releases in `finally`, returns `fn`'s result.
 * A result with a callable `then` is awaited through a real Promise, so the object comes back
 * however the thenable misbehaves: a `then` getter or method that throws, callbacks called twice,
 * or both of them called.
 */
export function useLent<T, R>(pool: Lender<T>, fn: (obj: T) => R): R {
  if (typeof fn !== 'function') throw new TypeError(`isopool: use() takes a function, received ${describe(fn)}`);
  const obj = pool.acquire();
  let result: R;
  let then: unknown;
  try {
    result = fn(obj);
    // Reading `then` runs user code (a getter): inside the try, so a throw releases the object.
    if (result !== null && (typeof result === 'object' || typeof result === 'function')) then = (result as { then?: unknown }).then;
  } catch (error) {
    releaseAfterError(pool, obj, error);
  }
  if (typeof then === 'function') {
    const thenable = result;
    // The Promise constructor turns a throwing `then` into a rejection and settles once.
    return new Promise((resolve, reject) => (then as PromiseLike<unknown>['then']).call(thenable, resolve, reject)).then(
      (value) => {
        pool.release(obj);
        return value;
      },
      (error: unknown) => releaseAfterError(pool, obj, error),
    ) as R;
  }
  pool.release(obj);
  return result;
}

/** Releases after `use`'s callback failed; the callback's error wins, a release error rides along. */
function releaseAfterError<T>(pool: Lender<T>, obj: T, error: unknown): never {
  try {
    pool.release(obj);
  } catch (releaseError) {
    throw new AggregateError([error, releaseError], `isopool: use() callback failed, and so did releasing its object`);
  }
  throw error;
}

/** An acquired object that gives itself back on `[Symbol.dispose]()` (for `using`) or `release()`. */
export class Lease<T extends object> {
  #pool: Lender<T>;
  #value: T | undefined;

  constructor(pool: Lender<T>, value: T) {
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
