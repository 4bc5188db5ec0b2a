/**
 * The MPMC free list: Dmitry Vyukov's bounded ring with a sequence number per cell, moving batches.
 *
 * ## The trick
 *
 * Cell i of a ring of `cap` cells (a power of two >= blocks) holds a sequence number: `pos` when free
 * for the producer of position `pos`, `pos + 1` once that producer published its value, `pos + cap`
 * once the consumer took it. A producer (consumer) claims positions by CAS on the enqueue (dequeue)
 * counter. Batched here: a producer checks that the k cells from `pos` are all ready, then claims all
 * k with one CAS from pos to pos + k (no other producer can touch cells past a position it has not
 * claimed); a consumer does the same with published cells.
 *
 * ## Invariants
 *
 * - Positions and sequence numbers are Int32 counters compared modulo 2^32; `cap` divides 2^32.
 * - The ring holds at most `blocks` indices, so with cap >= blocks a push never finds it truly full.
 * - A push zeroes owner words (CAS from `expect`) before publishing; a pop writes them after claiming.
 *
 * ## The ring is not lock-free, and never drops a block for it
 *
 * A producer stalled between its claim and its publish makes consumers see "empty" at its cell while
 * later cells hold blocks; a stalled consumer makes producers see "full" at its cell. A pop that
 * meets an unpublished cell reports "empty" only if the enqueue counter says no producer claimed that
 * position; if one did, the block is on its way and the pop retries (spinning, then 1 ms sleeps)
 * until it is published. A push that meets a busy cell retries until the consumer finishes: it never
 * drops the block. (Rejected: giving up after a bounded number of rounds, which reported
 * "exhausted" with 254 of 256 blocks free when a producer was descheduled for a few ms: two workers,
 * cache off, 2-vCPU VM, 2026-11-21.) The price: an isolate terminated between its claim
 * and its publish wedges the ring for good, and reclaim cannot repair it. Every later pop that
 * reaches that position, in every isolate, `tryAcquire()` included, never returns: it retries
 * forever (1 ms sleeps where Atomics.wait may block, a busy spin on a browser's main thread), since
 * the claimed position says a block is on its way. Never use `mpmc` where a worker can be
 * terminated, or can die, while it is inside a release or a cache spill; use `mutex` or `bitmap`.
 * Unbatched, single-threaded: benchmarks/README.md, fact `vyukov-unbatched`.
 */
import { FreeListBase } from './free-list.js';
import type { Geometry } from '../layout.js';
import { H, MPMC, ringCapacity } from '../layout.js';

export class MpmcFreeList extends FreeListBase {
  private readonly enqW = this.freeW + MPMC.ENQ;
  private readonly deqW = this.freeW + MPMC.DEQ;
  private readonly seqW = this.freeW + MPMC.CELLS;
  private readonly valW: number;
  private readonly cap: number;
  private readonly mask: number;

  constructor(a: Int32Array, g: Geometry, id: number, canWait: boolean) {
    super(a, g, id, canWait);
    this.cap = ringCapacity(g.blocks);
    this.mask = this.cap - 1;
    this.valW = this.seqW + this.cap;
  }

  init(): void {
    const a = this.a;
    for (let i = 0; i < this.cap; i++) a[this.seqW + i] = i;
    for (let k = 0; k < this.blocks; k++) {
      a[this.valW + k] = k;
      a[this.seqW + k] = k + 1;
    }
    a[this.enqW] = this.blocks;
    a[this.deqW] = 0;
    a[H.FREE_COUNT] = this.blocks;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    const a = this.a;
    for (let round = 0; ; round++) {
      const pos = Atomics.load(a, this.deqW);
      let k = 0;
      let s = 0;
      while (k < n) {
        // INVARIANT: seq == pos + k + 1 means the producer of that position published its value.
        s = Atomics.load(a, this.seqW + ((pos + k) & this.mask));
        if (s !== ((pos + k + 1) | 0)) break;
        k++;
      }
      if (k === 0) {
        // Not ready: truly empty only if no producer has claimed position pos; if one has, its value
        // is on the way (a stalled producer): wait for it rather than report a spurious "empty".
        // Otherwise another consumer moved on: retry.
        // INVARIANT: ENQ == pos means no producer claimed pos yet: the ring is empty at this instant.
        if (((s - pos - 1) | 0) < 0 && Atomics.load(a, this.enqW) === pos) return 0;
        this.backoff(round);
        continue;
      }
      // INVARIANT: claims positions pos..pos+k-1, all published; no other consumer can take them now.
      if (Atomics.compareExchange(a, this.deqW, pos, (pos + k) | 0) !== pos) {
        this.backoff(round);
        continue;
      }
      for (let j = 0; j < k; j++) {
        const cell = (pos + j) & this.mask;
        const v = a[this.valW + cell]!;
        out[j] = v;
        // INVARIANT: hands the cell to the producer of position pos + j + cap, after reading its value.
        Atomics.store(a, this.seqW + cell, (pos + j + this.cap) | 0);
        // INVARIANT: the block is ours; its owner word was zeroed before its push.
        Atomics.store(a, this.ownerW + v, tag);
      }
      this.count(-k);
      return k;
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
    let i = 0;
    for (let round = 0; i < c; round++) {
      const pos = Atomics.load(a, this.enqW);
      let k = 0;
      // INVARIANT: seq == pos + k means the consumer of the previous lap has left that cell.
      while (i + k < c && Atomics.load(a, this.seqW + ((pos + k) & this.mask)) === ((pos + k) | 0)) k++;
      // k == 0: another producer claimed pos, or a stalled consumer holds the cell: retry, never drop.
      // INVARIANT: claims positions pos..pos+k-1, all free; no other producer can take them now.
      if (k === 0 || Atomics.compareExchange(a, this.enqW, pos, (pos + k) | 0) !== pos) {
        this.backoff(round);
        continue;
      }
      for (let j = 0; j < k; j++) {
        const cell = (pos + j) & this.mask;
        a[this.valW + cell] = idx[i + j]!;
        // INVARIANT: publishes the value written just above to the consumer of position pos + j.
        Atomics.store(a, this.seqW + cell, (pos + j + 1) | 0);
      }
      i += k;
      round = -1;
    }
    if (c > 0) this.count(c);
    return c;
  }
}
