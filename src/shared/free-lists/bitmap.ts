/**
 * The bitmap free list: one bit per block, claimed through the block's owner word.
 *
 * ## The trick
 *
 * A set bit says "probably free"; the owner word decides. A pop scans for set bits from this
 * isolate's cursor, claims each candidate (free-list.ts: CAS on its owner word), and then clears all
 * the bits it claimed in one word with one Atomics.and. A push sets the bits of its batch with one
 * Atomics.or per word, then frees each owner word with compareExchange(expect -> 0). There is no
 * pointer to swing and so no ABA: a bit means the same block forever. The bits are the BITS region
 * every strategy has (the others fall back on it); here it is the whole list.
 *
 * ## Invariants
 *
 * - owner[k] == 0 (after the push that zeroed it returned) implies bit k is set: a push sets the bit
 *   before zeroing the owner, and a pop clears it only after its claim made the owner non-zero.
 * - A set bit with a non-zero owner is stale (a push or a pop between its two steps, or the loser of
 *   a racing double release); pops skip it (counted in `retries`), the block's next push renews it.
 *   Pops never clear a stale bit here: a push sets its bit before its CAS, so clearing one could
 *   strand the block that push is freeing (the fallback bits of the other strategies can, because
 *   they are only ever set with the block in TRANSIT).
 *
 * ## Termination safety (the strong one)
 *
 * Every block is claimed and freed by its own owner-word CAS, so an isolate killed anywhere leaves
 * each block either free with its bit set, or carrying its tag (bit set or stale), and `reclaim(id)`
 * frees exactly those: nothing lost, nothing doubled. A damaged bit (past the last block) is cleared
 * by the scan that meets it; a damaged owner word only keeps its block out of use.
 *
 * ## Cost
 *
 * One CAS per block plus one Atomics op per 32-block word per batch; a pop of a nearly empty pool
 * scans blocks / 32 words.
 */
import { FreeListBase } from './free-list.js';
import type { Geometry } from '../layout.js';
import { H } from '../layout.js';

export class BitmapFreeList extends FreeListBase {
  constructor(a: Int32Array, g: Geometry, id: number, canWait: boolean) {
    super(a, g, id, canWait, false);
  }

  init(): void {
    const a = this.a;
    const blocks = this.blocksNow();
    for (let w = 0; w < Math.ceil(blocks / 32); w++) {
      const left = blocks - 32 * w;
      a[this.bitsW + w] = left >= 32 ? -1 : (1 << left) - 1;
    }
    a[H.FREE_COUNT] = blocks;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    const c = this.takeFromBits(n, out, 0, tag);
    return c;
  }

  push(idx: Int32Array, n: number, expect: number): number {
    const a = this.a;
    let word = -1;
    let mask = 0;
    for (let j = 0; j < n; j++) {
      const k = idx[j]!;
      if (k >> 5 !== word) {
        // INVARIANT: bits go up before owners go to 0 (see the invariant in the essay).
        if (mask !== 0) Atomics.or(a, this.bitsW + word, mask);
        word = k >> 5;
        mask = 0;
      }
      mask |= 1 << (k & 31);
    }
    // INVARIANT: as above, for the last word of the batch.
    if (mask !== 0) Atomics.or(a, this.bitsW + word, mask);
    this.step('push:bits');
    let c = 0;
    for (let j = 0; j < n; j++) {
      // INVARIANT: the CAS decides between racing releases; a loser leaves only a stale bit.
      if (Atomics.compareExchange(a, this.ownerW + idx[j]!, expect, 0) === expect) {
        c++;
        this.step('push:freed');
      }
    }
    return c;
  }
}
