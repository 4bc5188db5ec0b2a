/**
 * Checked mode's ledger: every object a pool made and every object it has lent, in WeakSets, so
 * that any release of a foreign object or of an object not lent throws, whatever traffic came
 * between. A WeakSet lookup costs a few ns (benchmarks/experiments/buffer-pool.ts), so checked
 * mode also turns the owner slot off (every acquire and release takes the cold path, where the
 * ledger sees it): a mode for tests and debugging (`checked: true` or ISOPOOL_CHECKED=1).
 */
import { ErrorCode, PoolError } from '../errors.js';

export class CheckedLedger<T extends object> {
  private readonly _made = new WeakSet<T>();
  private readonly _lent = new WeakSet<T>();

  /** An object joined the pool (made by its source, or admitted from outside). */
  add(obj: T): void {
    this._made.add(obj);
  }

  /** An object is being lent. */
  lend(obj: T): void {
    this._lent.add(obj);
  }

  /** An object is coming back: throws unless the pool made it and has it lent. */
  release(obj: T, poolName: string): void {
    if (!this._made.has(obj)) {
      throw new PoolError(ErrorCode.FOREIGN_OBJECT, `isopool: ${poolName}.release() was given an object this pool did not make`);
    }
    if (!this._lent.delete(obj)) {
      throw new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${poolName}.release() was given an object that is not lent (released twice?)`);
    }
  }
}
