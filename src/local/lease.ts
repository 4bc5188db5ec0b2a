/**
 * The conveniences beside a pool's hot path: `use(fn)` (acquire, run, release in `finally`, sync or
 * async) and `Lease` (an acquired object that gives itself back on `[Symbol.dispose]()`, for
 * `using lease = pool.lease()`). Both cost more than a bare acquire/release pair (a closure or an
 * allocation and the disposal helpers): the README's benchmark section has the figures.
 *
 * ## What a `using` block costs, and where
 *
 * A lease is one small allocation and two fields; `[Symbol.dispose]` is `release` itself (no extra
 * call). What a `using` block adds around it is the compiler's or the engine's, not the lease's:
 *
 * - TypeScript's lowering (target below ESNext) builds per block an `env` object, a `stack` array,
 *   a record `{ value, dispose, async }`, and, in `__disposeResources`, two closures (`fail`,
 *   `next`): five allocations and a loop with a `try` per block, whatever the resource.
 * - Native `using` (Node 24 and 26; V8 has no `using` before them) compiles to three runtime calls
 *   per block (`InitializeDisposableStack`, `AddDisposableValue`, `DisposeDisposableStack`, seen
 *   with `--print-bytecode`), which neither Maglev nor TurboFan turns into machine code, and the
 *   last calls `[Symbol.dispose]` from C++. Measured with
 *   `node benchmarks/build/experiments/using-cost.js` (medians of 5 processes, ns a block, 2-vCPU
 *   AMD EPYC VM at load 7-10, 2026-11-22 01:25 UTC), Node 20.20.2 / 24.21.0 / 26.10.0: a pair
 *   13.6 / 15.9 / 19.5; a lease in `try`/`finally` 25.6 / 25.5 / 25.9; TypeScript's lowering
 *   96.7 / 113 / 123; native `using` of a lease - / 332 / 554, and of a constant object whose
 *   dispose does nothing - / 217 / 495, and `using d = null` - / 90 / 110. The native block costs
 *   the same with or without a lease in it: it is the engine's, per block, and no lease design
 *   can remove it.
 *
 * So the lease is as lean as a lease can be, and where a pair is hot, `acquire`/`release` in
 * `try`/`finally` (or `use(fn)`) is the way: the README's benchmark section has the figures.
 *
 * Rejected: recycling one Lease object per pool (no allocation). A stale reference to a released
 * lease would then be the live lease of the next borrower, and its `release()`, documented to do
 * nothing once released, would give back an object someone else holds.
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

  /** Gives the object back (for `using`): `release` itself, with no call in between. */
  declare [Symbol.dispose]: () => void;
}
Lease.prototype[Symbol.dispose] = Lease.prototype.release;
