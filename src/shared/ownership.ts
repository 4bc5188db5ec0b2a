/**
 * The owner table: one Int32 per block that says where the block is. `0` on the shared free list,
 * `+id` lent by isolate `id`, `-id` idle in isolate `id`'s cache. Ids come from a header counter, one
 * per create/attach, never reused, so a stale id cannot alias a new isolate.
 *
 * - Only isolate `id` moves its blocks between `+id` and `-id`, with plain reads and writes: nothing
 *   else writes a word holding `-id`, and the only other writer of `+id` is a release or `adopt`
 *   from another isolate, a compareExchange away from `+id`.
 * - Transitions to and from `0` belong to the free list (free-lists/free-list.ts), always by CAS or
 *   under its lock, so two isolates racing to release one block cannot both win.
 * - A block whose word is `0` or negative is not lent: releasing or adopting it throws
 *   `ERR_DOUBLE_RELEASE`. That catches a second release only while the block has not been lent
 *   again: the word says who holds a block, not which lending (see the README's Limitations).
 */
import { ErrorCode, PoolError } from '../errors.js';
import type { Geometry } from './layout.js';

export class OwnerTable {
  private readonly _words: Int32Array;
  /** Word index of block 0's owner word. */
  readonly base: number;
  private readonly _blocks: number;

  constructor(words: Int32Array, geometry: Geometry) {
    this._words = words;
    this.base = geometry.ownerOffset >> 2;
    this._blocks = geometry.blocks;
  }

  /** Block `i`'s owner word now. */
  owner(i: number): number {
    // INVARIANT: a snapshot; whoever acts on it re-checks by CAS (or owns the word).
    return Atomics.load(this._words, this.base + i);
  }

  /**
   * Takes over block `i` for `tag` (+id) from whichever isolate lent it: false when it is already
   * ours, true when the CAS moved it here. Throws `ERR_DOUBLE_RELEASE` when the block is not lent.
   */
  adopt(i: number, tag: number, method: string): boolean {
    const a = this._words;
    const w = this.base + i;
    for (;;) {
      const cur = Atomics.load(a, w);
      if (cur <= 0) throw this.notLent(method, i, cur);
      if (cur === tag) return false;
      // INVARIANT: +other -> +me by CAS: a racing release of the same block wins or loses whole.
      if (Atomics.compareExchange(a, w, cur, tag) === cur) return true;
    }
  }

  /** Blocks whose word reads `tag` (lent by that isolate) and `0` (free): a scan, O(blocks). */
  count(tag: number): { lent: number; free: number } {
    const a = this._words;
    let lent = 0;
    let free = 0;
    for (let k = 0; k < this._blocks; k++) {
      const w = a[this.base + k];
      if (w === tag) lent++;
      else if (w === 0) free++;
    }
    return { lent, free };
  }

  /** The error for a release or adopt of block `i` whose owner word reads `owner` (not lent). */
  notLent(method: string, i: number, owner: number): PoolError {
    const where = owner === 0 ? 'it is on the free list' : `it is idle in isolate ${-owner}'s cache`;
    const what = owner > 0 ? `it was just released by another isolate` : where;
    return new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: SharedPool.${method}() was given block ${i}, which is not lent: ${what} (released twice?)`);
  }
}
