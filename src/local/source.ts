/**
 * Where a LocalPool's new objects come from: the `create` factory, one call an object, or
 * `createBatch`, for sources that are cheaper in batches (a SharedPool's per-isolate cache refills
 * from the shared free list this way, one lock or CAS round for many blocks). The pool decides how
 * many it wants (grow, limit, room) and keeps the books; the source only makes them.
 */
import { describe } from '../validate.js';

export class ObjectSource<T extends object> {
  private readonly _create: (() => T) | undefined;
  private readonly _createBatch: ((n: number, out: T[]) => number) | undefined;
  private readonly _poolName: string;
  /** The array `createBatch` fills, reused. */
  private readonly _batch: T[] = [];

  constructor(create: (() => T) | undefined, createBatch: ((n: number, out: T[]) => number) | undefined, poolName: string) {
    this._create = create;
    this._createBatch = createBatch;
    this._poolName = poolName;
  }

  /**
   * Appends up to `n` new objects to `into` and returns how many; 0 means the source is exhausted.
   * If `create` throws or returns a non-object, the objects made before stay in `into` and the
   * error propagates.
   */
  make(n: number, into: T[]): number {
    const createBatch = this._createBatch;
    if (createBatch !== undefined) {
      const out = this._batch;
      const k = createBatch(n, out);
      for (let i = 0; i < k; i++) into.push(out[i]!);
      out.length = 0;
      return k;
    }
    const create = this._create!;
    for (let i = 0; i < n; i++) {
      const obj = create();
      if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
        throw new TypeError(`isopool: ${this._poolName}'s \`create\` must return an object, returned ${describe(obj)}`);
      }
      into.push(obj);
    }
    return n;
  }
}
