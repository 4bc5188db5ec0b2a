/**
 * Where a LocalPool's new objects come from: the `create` factory, one call an object, or
 * `createBatch`, for sources that are cheaper in batches (a SharedPool's per-isolate cache refills
 * from the shared free list this way, one lock or CAS round for many blocks). The pool decides how
 * many it wants (grow, limit, room) and keeps the books; the source makes them and checks what the
 * user's functions returned, since a bad object let in here would be lent later, far from its cause:
 * a primitive, a promise (an async `create`), a count that is not an integer from 0 to what was asked.
 */
import { describe } from '../validate.js';

export class ObjectSource<T extends object> {
  private readonly _create: (() => T) | undefined;
  private readonly _createBatch: ((n: number, out: T[]) => number) | undefined;
  private readonly _poolName: string;
  /** Counts one new object into the pool's books (and checked mode's ledger, which may refuse it). */
  private readonly _countIn: (obj: T) => void;
  /** The array `createBatch` fills, reused. */
  private readonly _batch: T[] = [];

  constructor(
    create: (() => T) | undefined,
    createBatch: ((n: number, out: T[]) => number) | undefined,
    poolName: string,
    countIn: (obj: T) => void,
  ) {
    this._create = create;
    this._createBatch = createBatch;
    this._poolName = poolName;
    this._countIn = countIn;
  }

  /**
   * Appends up to `n` new objects to `into`, each counted in before it is appended, and returns how
   * many; 0 means the source is exhausted (or there is none: a pool of `initial` objects only). If
   * the source throws or returns something that is not a new object, the objects made before it
   * stay in `into`, counted, and the error propagates.
   */
  make(n: number, into: T[]): number {
    const createBatch = this._createBatch;
    if (createBatch !== undefined) return this._makeBatch(createBatch, n, into);
    const create = this._create;
    if (create === undefined) return 0;
    for (let i = 0; i < n; i++) {
      const obj = create();
      this._check(obj, 'create', 'must return an object', 'returned');
      this._countIn(obj);
      into.push(obj);
    }
    return n;
  }

  private _makeBatch(createBatch: (n: number, out: T[]) => number, n: number, into: T[]): number {
    const out = this._batch;
    const before = into.length;
    try {
      const k = createBatch(n, out);
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > n) {
        throw new RangeError(`isopool: ${this._poolName}'s \`createBatch(${n}, out)\` must return how many objects it made, an integer from 0 to ${n}, returned ${describe(k)}`);
      }
      for (let i = 0; i < k; i++) {
        const obj = out[i]!;
        this._check(obj, 'createBatch', 'must fill `out` with objects', `put at out[${i}]`);
        this._countIn(obj);
        into.push(obj);
      }
    } finally {
      out.length = 0;
    }
    return into.length - before;
  }

  /** Refuses a primitive, and a thenable: an async source would pool the promise, not the object. */
  private _check(obj: unknown, option: string, rule: string, did: string): asserts obj is T {
    const who = `${this._poolName}'s \`${option}\``;
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
      throw new TypeError(`isopool: ${who} ${rule}, ${did} ${describe(obj)}`);
    }
    checkNotThenable(obj, `${who} ${did}`);
  }
}

/**
 * Throws a TypeError when `obj` is a thenable: `what` says who produced it. A LocalPool lends what
 * it holds synchronously; a promise of an object means an async factory, which needs a pool that
 * waits for creation (ResourcePool).
 */
export function checkNotThenable(obj: object, what: string): void {
  if (typeof (obj as { then?: unknown }).then === 'function') {
    throw new TypeError(
      `isopool: ${what} a promise (an object with a \`then\` method): a LocalPool lends objects made synchronously; ` +
        'for an async factory use an async pool (ResourcePool)',
    );
  }
}
