/**
 * Checked mode's ledger: the objects a pool holds now (idle or lent), the ones it has lent, and the
 * ones it has let go, in WeakSets, so that any release of a foreign object or of an object not lent
 * throws, whatever traffic came between, and a source that hands over an object the pool already
 * holds (a `create` returning one object twice, a batch repeating one) is refused. A WeakSet lookup costs a few ns
 * (benchmarks/experiments/buffer-pool.ts), so checked mode also turns the owner slot off (every
 * acquire and release takes the cold path, where the ledger sees it): a mode for tests and
 * debugging (`checked: true` or ISOPOOL_CHECKED=1).
 */
import { ErrorCode, PoolError } from '../errors.js';

export class CheckedLedger<T extends object> {
  /** Idle or lent: what the pool holds now. */
  private readonly _held = new WeakSet<T>();
  private readonly _lent = new WeakSet<T>();
  /** Let go (disposed, spilled, drained): a release of one of these is a stale double release. */
  private readonly _left = new WeakSet<T>();
  private readonly _poolName: string;

  constructor(poolName: string) {
    this._poolName = poolName;
  }

  /**
   * An object joins the pool, from `from` (named in the refusal). A `create` or `initial` object must
   * be new to the pool (`fresh`). A batch source or an admitted block may hand back an object the
   * pool has lent, since it can come home another way (a SharedPool block released by another
   * isolate); one idle here is refused in every case. An object that left may come back.
   */
  add(obj: T, from: string, fresh: boolean): void {
    if (this._held.has(obj) && (fresh || !this._lent.delete(obj))) {
      throw new TypeError(`isopool: ${this._poolName}'s ${from} gave an object this pool already holds: each object must be new to the pool`);
    }
    this._held.add(obj);
    this._left.delete(obj);
  }

  /** An object leaves the pool for good (or until its source hands it back). */
  drop(obj: T): void {
    this._held.delete(obj);
    this._lent.delete(obj);
    this._left.add(obj);
  }

  /** An object is being lent. */
  lend(obj: T): void {
    this._lent.add(obj);
  }

  /** An object is coming back: throws unless the pool holds it and has it lent. */
  release(obj: T): void {
    if (!this._held.has(obj)) {
      if (this._left.has(obj)) {
        throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${this._poolName}.release() was given an object the pool has already let go (released twice?)`);
      }
      throw new PoolError(ErrorCode.FOREIGN_OBJECT, `isopool: ${this._poolName}.release() was given an object this pool did not make`);
    }
    if (!this._lent.delete(obj)) {
      throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${this._poolName}.release() was given an object that is not lent (released twice?)`);
    }
  }
}
