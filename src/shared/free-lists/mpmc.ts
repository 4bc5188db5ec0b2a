/**
 * The MPMC free list: a bounded ring after Dmitry Vyukov's, one word per cell, moving batches.
 *
 * ## The trick
 *
 * Cell i of a ring of `cap` cells (a power of two >= blocks) serves the positions p with
 * p % cap == i. Its word packs the lap of the position it serves (p / cap, low 16 bits) and what it
 * holds: `lap << 16` empty (the producer of that position may fill it), `lap << 16 | index + 1`
 * full. A producer claims positions by CAS on the enqueue counter after seeing their cells empty
 * for the right lap, then fills each cell by CAS. A consumer reads the cell at the dequeue counter,
 * claims the block's owner word (free-list.ts), empties the cell for the next lap by CAS, and moves
 * the dequeue counter past the cells it emptied by CAS. Batches: one counter CAS for k cells.
 *
 * ## Why one word a cell: nobody waits for one particular isolate
 *
 * Vyukov's ring keeps a sequence and a value per cell and publishes with a store, so a producer
 * stalled between claiming a position and publishing it stops every consumer at that cell, and a
 * consumer stalled between claiming and releasing a cell stops every producer a lap later; a
 * killed one stops them for good (the previous design wedged every isolate, `tryAcquire()`
 * included, when a worker died there, and reclaim could not repair it). Here every change of a cell
 * is one CAS anyone may make. A consumer that finds a claimed cell still empty after SPIN_ROUNDS
 * reads closes it (empty for the next lap: the late producer's fill CAS fails and it frees that
 * block through the fallback bits); any consumer empties a full cell whose block it cannot claim
 * (a stale entry, or a block a dead consumer claimed), and moves the counter past cells already
 * emptied. A producer that finds the ring full (stale entries take room) frees through the bits.
 *
 * Rejected: Vyukov's ring as it was (a sequence and a value per cell, published by a store): 1.6x
 * cheaper a pair with the cache off (`mpmc_get_put` 268 ns against 421, medians of 6 alternating
 * `npm run bench` runs, Node 20.20.2, 2-vCPU VM, 2026-11-22), but one dead worker wedged it for
 * every isolate. Its cells with pops that give up after a bounded number of rounds: a descheduled
 * producer then made pops report "exhausted" with 254 of 256 blocks free (two workers, cache off,
 * 2-vCPU VM, 2026-11-21), and a dead one still stopped the ring for good. Dropping `mpmc` as a
 * SharedPool strategy: with every change of a cell a CAS anyone may make, every call is bounded and
 * a death needs nothing of reclaim but its tags, as for the others, so there is no reason to.
 *
 * ## Invariants
 *
 * - A cell is filled only for the lap it reads empty for, emptied only from the exact word read:
 *   each fill, empty or close succeeds for one isolate.
 * - A producer moves each owner word to TRANSIT | me before claiming positions and zeroes it after
 *   filling; a consumer meeting a block in transit claims it (free-list.ts). A dead producer leaves
 *   TRANSIT | id (reclaim frees it through the bits) and closable cells; a dead consumer leaves its
 *   tag (reclaim) and cells others empty.
 * - Positions are Int32 counters compared modulo 2^32; cap <= 2^16 divides 2^32, so the 16-bit lap
 *   wraps with them. Like Treiber's tag, the lap can repeat under a reader stalled across exactly a
 *   multiple of 65,536 laps; a fill or empty it then makes lands on a cell of the same lap: a stale
 *   entry at worst, never a block lent twice.
 *
 * ## Cost
 *
 * Per block popped: a cell load, the claim CAS and the empty CAS; per batch, the two counter loads
 * and one counter CAS. Unbatched, single-threaded, Vyukov's own ring: benchmarks/README.md, fact
 * `vyukov-unbatched`.
 */
import { FreeListBase, now, SPIN_ROUNDS } from './free-list.js';
import type { Geometry } from '../layout.js';
import { H, MPMC, ringCapacity } from '../layout.js';

/** A cell word: the lap's low 16 bits, then `index + 1` (0: empty). */
const LAP_MASK = 0xffff;

export class MpmcFreeList extends FreeListBase {
  private readonly enqW = this.freeW + MPMC.ENQ;
  private readonly deqW = this.freeW + MPMC.DEQ;
  private readonly cellW = this.freeW + MPMC.CELLS;
  private readonly cap: number;
  private readonly mask: number;
  /** log2(cap): a position's lap is `pos >>> lapShift`. */
  private readonly lapShift: number;

  constructor(a: Int32Array, g: Geometry, id: number, canWait: boolean) {
    super(a, g, id, canWait);
    this.cap = ringCapacity(g.maxBlocks);
    this.mask = this.cap - 1;
    this.lapShift = 31 - Math.clz32(this.cap);
  }

  init(): void {
    const a = this.a;
    const blocks = this.blocksNow();
    // Cells past the blocks that exist are empty for lap 0: room for the blocks a growth adds.
    for (let i = 0; i < this.cap; i++) a[this.cellW + i] = i < blocks ? i + 1 : 0;
    a[this.enqW] = blocks;
    a[this.deqW] = 0;
    a[H.FREE_COUNT] = blocks;
  }

  /** The empty word of position `p`'s cell for p's lap (`next`: for the lap after). */
  private empty(p: number, next: number): number {
    return (((p >>> this.lapShift) + next) & LAP_MASK) << 16;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    const a = this.a;
    const blocks = this.blocksNow();
    let c = 0;
    let spins = 0;
    let since = 0;
    // Each round empties at least one cell (those rounds: a few laps of the ring at most), or loses
    // and backs off (those: bounded by backoff()). Counted apart, so lost races against a live
    // neighbour never end a small ring's pop early with cells still full: a false "exhausted".
    let lost = 0;
    for (let round = 0; c < n && round - lost < 4 * this.cap + SPIN_ROUNDS; round++) {
      // INVARIANT: snapshots; cells are decided one by one by CAS, the counter by the CAS below.
      const pos = Atomics.load(a, this.deqW);
      const queued = (Atomics.load(a, this.enqW) - pos) | 0;
      if (queued <= 0) break; // empty at the instant of the second read
      if (queued > this.cap) {
        // Our dequeue position went stale while producers filled the room it freed: read again.
        // Unmoved, the counters are damaged and the ring is out of use: the bits serve.
        // INVARIANT: a snapshot, compared with the one above.
        if (Atomics.load(a, this.deqW) !== pos) continue;
        break;
      }
      let j = 0;
      let odd = 0; // a cell word that is neither this lap's nor emptied: a stale view, or damage
      while (j < queued && c < n) {
        const p = (pos + j) | 0;
        const cw = this.cellW + (p & this.mask);
        const e = this.empty(p, 0);
        // INVARIANT: a snapshot; every change this call makes to the cell is a CAS from it.
        const v = Atomics.load(a, cw);
        if (v === e) {
          // Claimed by a producer, not filled yet: give it a few reads, then close it.
          if (spins < SPIN_ROUNDS) {
            spins++;
            break;
          }
          // INVARIANT: empty(lap) -> empty(lap + 1): the late producer's fill CAS fails.
          Atomics.compareExchange(a, cw, e, this.empty(p, 1));
        } else if ((v ^ e) >>> 16 === 0) {
          const k = (v & LAP_MASK) - 1;
          if (this.exists(k, blocks) && this.claim(k, tag)) {
            out[c++] = k;
            this.step('pop:claimed');
          } else {
            this.retries++;
          }
          // INVARIANT: full(lap) -> empty(lap + 1), from the exact word read: one isolate empties it.
          Atomics.compareExchange(a, cw, v, this.empty(p, 1));
        } else if (v !== this.empty(p, 1)) {
          odd = v;
          break;
        }
        j++;
      }
      if (j > 0) {
        this.step('pop:emptied');
        // INVARIANT: moves the counter past cells now emptied; fails harmlessly if another consumer moved it.
        Atomics.compareExchange(a, this.deqW, pos, (pos + j) | 0);
        continue;
      }
      // INVARIANT: a snapshot: the counter unmoved means the odd word is at the head now: damage.
      if (odd !== 0 && Atomics.load(a, this.deqW) === pos) {
        const cw = this.cellW + (pos & this.mask);
        // INVARIANT: empties a damaged cell from the exact word read, then moves past it.
        if (Atomics.compareExchange(a, cw, odd, this.empty(pos, 1)) === odd) Atomics.compareExchange(a, this.deqW, pos, (pos + 1) | 0);
        continue;
      }
      if (since === 0) since = now();
      if (!this.backoff(lost++, since)) break;
    }
    if (c < n) c = this.takeFromBits(n, out, c, tag);
    return c;
  }

  push(idx: Int32Array, n: number, expect: number): number {
    const c = this.toTransit(idx, n, expect);
    if (c === 0) return 0;
    const a = this.a;
    const transit = this.transit;
    let i = 0;
    let since = 0;
    for (let round = 0; i < c; round++) {
      // INVARIANT: snapshots; positions are taken by the CAS below, cells by their own CAS.
      const pos = Atomics.load(a, this.enqW);
      const used = (pos - Atomics.load(a, this.deqW)) | 0;
      // INVARIANT: a snapshot: a moved counter means our position went stale (consumers passed it).
      if (used < 0 && Atomics.load(a, this.enqW) !== pos) continue;
      if (used < 0 || used >= this.cap) break; // full (stale entries take room), or damage: to the bits
      const want = Math.min(c - i, this.cap - used);
      let j = 0;
      // INVARIANT: a cell empty for its position's lap: the consumer of the previous lap has left it.
      while (j < want && Atomics.load(a, this.cellW + ((pos + j) & this.mask)) === this.empty((pos + j) | 0, 0)) j++;
      // INVARIANT: claims positions pos..pos+j-1, all empty; no other producer can fill them now.
      if (j > 0 && Atomics.compareExchange(a, this.enqW, pos, (pos + j) | 0) === pos) {
        this.step('push:claimed');
        for (let q = 0; q < j; q++) {
          const p = (pos + q) | 0;
          const e = this.empty(p, 0);
          // INVARIANT: fills the cell for its lap unless a consumer closed it meanwhile.
          if (Atomics.compareExchange(a, this.cellW + (p & this.mask), e, e | (idx[i + q]! + 1)) !== e) {
            this.freeToBits(idx[i + q]!, transit);
            idx[i + q] = -1;
          }
        }
        this.step('push:filled');
        i += j;
        round = -1;
        continue;
      }
      if (j === 0 && this.resetDamaged(pos)) continue;
      if (since === 0) since = now();
      if (!this.backoff(round, since)) break;
    }
    for (let j = i; j < c; j++) {
      this.freeToBits(idx[j]!, transit);
      idx[j] = -1;
    }
    this.settle(idx, i);
    return c;
  }

  /**
   * The cell of position `pos`, which no producer has claimed (the counter still reads `pos`), must
   * be empty for its lap: consumers leave cells emptied, and touch none at or past the counter.
   * Anything else is damage, which would stop every producer there: empty it. True if it did.
   */
  private resetDamaged(pos: number): boolean {
    const a = this.a;
    const cw = this.cellW + (pos & this.mask);
    const e = this.empty(pos, 0);
    // INVARIANT: snapshots: the cell, then the counter; a producer claiming pos after our read of
    // the counter fills by CAS from `e`, so it fails on the damage or succeeds after our reset.
    const v = Atomics.load(a, cw);
    if (v === e || Atomics.load(a, this.enqW) !== pos) return false;
    // INVARIANT: from the exact damaged word to the empty one: one isolate resets it.
    return Atomics.compareExchange(a, cw, v, e) === v;
  }
}
