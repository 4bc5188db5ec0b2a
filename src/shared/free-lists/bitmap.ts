/**
 * The bitmap free list: one bit per block, claimed through the block's owner word.
 *
 * ## The trick
 *
 * A set bit says "probably free"; the owner word decides. A pop scans for set bits from this
 * isolate's cursor, claims each candidate with compareExchange(owner, 0 -> tag), and then clears all
 * the bits it claimed in one word with one Atomics.and. A push sets the bits of its batch with one
 * Atomics.or per word, then frees each owner word with compareExchange(expect -> 0). There is no
 * pointer to swing and so no ABA: a bit means the same block forever.
 *
 * ## Invariants
 *
 * - owner[k] == 0 (after the push that zeroed it returned) implies bit k is set: a push sets the bit
 *   before zeroing the owner, and a pop clears it only after its claim made the owner non-zero.
 * - A set bit with a non-zero owner is stale (a push or a pop between its two steps, or the loser of
 *   a racing double release); pops skip it (counted in `retries`), the block's next push renews it.
 *
 * ## Termination safety (the strong one)
 *
 * Every block is claimed and freed by its own owner-word CAS, so an isolate killed anywhere leaves
 * each block either free with its bit set, or carrying its tag (bit set or stale), and `reclaim(id)`
 * frees exactly those: nothing lost, nothing doubled.
 *
 * ## Cost
 *
 * One CAS per block plus one Atomics op per 32-block word per batch; a pop of a nearly empty pool
 * scans blocks / 32 words.
 */
import { FreeListBase } from './free-list.js';
import type { Geometry } from '../layout.js';
import { BITMAP, H } from '../layout.js';

export class BitmapFreeList extends FreeListBase {
  private readonly bitsW = this.freeW + BITMAP.BITS;
  private readonly words: number;
  /** Word where this isolate's next scan starts: spread by id, then wherever blocks were last found. */
  private cursor: number;

  constructor(a: Int32Array, g: Geometry, id: number, canWait: boolean) {
    super(a, g, id, canWait);
    this.words = Math.ceil(g.blocks / 32);
    this.cursor = id % this.words;
  }

  init(): void {
    const a = this.a;
    for (let w = 0; w < this.words; w++) {
      const left = this.blocks - 32 * w;
      a[this.bitsW + w] = left >= 32 ? -1 : (1 << left) - 1;
    }
    a[H.FREE_COUNT] = this.blocks;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    const a = this.a;
    const words = this.words;
    let c = 0;
    let w = this.cursor;
    for (let s = 0; s < words && c < n; s++, w = w + 1 === words ? 0 : w + 1) {
      // INVARIANT: a snapshot of hints; each candidate is re-decided by its owner CAS below.
      let bits = Atomics.load(a, this.bitsW + w);
      if (bits === 0) continue;
      let claimed = 0;
      while (bits !== 0 && c < n) {
        const low = bits & -bits;
        bits ^= low;
        const k = (w << 5) + 31 - Math.clz32(low);
        // INVARIANT: owner 0 -> tag is the claim; at most one isolate wins a free block.
        if (Atomics.compareExchange(a, this.ownerW + k, 0, tag) === 0) {
          out[c++] = k;
          claimed |= low;
        } else {
          this.retries++;
        }
      }
      // INVARIANT: clears only bits of blocks we now own; their next push (after we return) sets them again.
      if (claimed !== 0) Atomics.and(a, this.bitsW + w, ~claimed);
      this.cursor = w;
    }
    if (c > 0) this.count(-c);
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
    if (mask !== 0) Atomics.or(a, this.bitsW + word, mask);
    let c = 0;
    for (let j = 0; j < n; j++) {
      // INVARIANT: the CAS decides between racing releases; a loser leaves only a stale bit.
      if (Atomics.compareExchange(a, this.ownerW + idx[j]!, expect, 0) === expect) c++;
    }
    if (c > 0) this.count(c);
    return c;
  }
}
