/**
 * The Treiber free list: a lock-free stack of block indices with a tagged 32-bit head.
 *
 * ## The trick
 *
 * The head word packs `tag << IDX_BITS | (top index + 1)` (0 = empty), where IDX_BITS is just wide
 * enough for `blocks` and every remaining bit is tag. Each successful CAS on the head bumps the tag,
 * so a head that went A -> B -> A between a reader's load and its CAS no longer compares equal (ABA).
 * A batch is one CAS: a pop walks up to `n` next links from the head it loaded and swings the head
 * past them; a push links its batch privately and swings the head onto its first element.
 *
 * ## Invariants
 *
 * - `next[k]` holds `index + 1` of the block below k (0 = bottom); it is written only by the isolate
 *   pushing k, before the CAS that publishes it. A pop reads links racily; the head CAS rejects a
 *   walk over links that changed (the tag moved).
 * - A push zeroes each block's owner word (CAS from `expect`) before the head CAS publishes it, and a
 *   pop writes owner words after its head CAS: a block is never on the stack with a non-zero owner.
 *
 * ## Limits, honestly
 *
 * - ABA is rarer, not impossible: with 65,535 blocks the tag has 16 bits, and a reader stalled across
 *   exactly a multiple of 65,536 head changes that restore its head would corrupt the stack. Fewer
 *   blocks leave more tag bits (64 blocks: 25 bits). The bitmap list is ABA-free by construction.
 * - Termination: an isolate killed between zeroing owner words and its head CAS (push), or between
 *   its head CAS and writing owner words (pop), leaves those blocks free by the owner table but off
 *   the stack: they are lost, never duplicated. Use `mutex` or `bitmap` where workers are terminated
 *   mid-work.
 * - Unbatched and single-threaded it is slower than the spin mutex (benchmarks/README.md, facts
 *   `treiber-unbatched` and `spin-mutex`): two CASes a pair against one lock round.
 */
import { FreeListBase } from './free-list.js';
import type { Geometry } from '../layout.js';
import { H, TREIBER } from '../layout.js';

export class TreiberFreeList extends FreeListBase {
  private readonly headW = this.freeW + TREIBER.HEAD;
  private readonly nextW = this.freeW + TREIBER.NEXT;
  /** Bits of the head that hold index + 1. */
  private readonly bits: number;
  private readonly mask: number;

  constructor(a: Int32Array, g: Geometry, id: number, canWait: boolean) {
    super(a, g, id, canWait);
    this.bits = 32 - Math.clz32(g.blocks);
    this.mask = (1 << this.bits) - 1;
  }

  init(): void {
    const a = this.a;
    // 0 on top, then 1, 2, ...: a fresh pool lends in index order.
    for (let k = 0; k < this.blocks; k++) a[this.nextW + k] = k + 2 > this.blocks ? 0 : k + 2;
    a[this.headW] = 1;
    a[H.FREE_COUNT] = this.blocks;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    const a = this.a;
    for (let round = 0; ; round++) {
      // INVARIANT: the head (tag, top) we CAS against below; links read after it are checked by that CAS.
      const h = Atomics.load(a, this.headW);
      let t = h & this.mask;
      if (t === 0) return 0;
      let c = 0;
      while (c < n && t !== 0) {
        out[c++] = t - 1;
        t = a[this.nextW + t - 1]!;
      }
      const nh = (((h >>> this.bits) + 1) << this.bits) | t;
      // INVARIANT: succeeds only if no push or pop happened since the load (the tag moved otherwise):
      // the walked links were the stack's.
      if (Atomics.compareExchange(a, this.headW, h, nh) === h) {
        for (let j = 0; j < c; j++) {
          // INVARIANT: the blocks are ours now; their owner words were 0 (zeroed before their push).
          Atomics.store(a, this.ownerW + out[j]!, tag);
        }
        this.count(-c);
        return c;
      }
      this.backoff(round);
    }
  }

  push(idx: Int32Array, n: number, expect: number): number {
    const a = this.a;
    let c = 0;
    for (let j = 0; j < n; j++) {
      const k = idx[j]!;
      // INVARIANT: the CAS decides between racing releases; only winners are pushed (compacted in place).
      if (Atomics.compareExchange(a, this.ownerW + k, expect, 0) === expect) idx[c++] = k;
    }
    if (c === 0) return 0;
    for (let j = 0; j + 1 < c; j++) a[this.nextW + idx[j]!] = idx[j + 1]! + 1;
    const last = this.nextW + idx[c - 1]!;
    const first = idx[0]! + 1;
    for (let round = 0; ; round++) {
      const h = Atomics.load(a, this.headW);
      a[last] = h & this.mask;
      // INVARIANT: publishes the privately linked batch on top of exactly the head it was linked to.
      if (Atomics.compareExchange(a, this.headW, h, (((h >>> this.bits) + 1) << this.bits) | first) === h) break;
      this.backoff(round);
    }
    this.count(c);
    return c;
  }
}
