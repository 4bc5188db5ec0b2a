/**
 * A segmented queue over an Int32Array: mempool's `crossbeam_seg_get_put` row (crossbeam's
 * SegQueue), as a free list of block indices with owner words (index-structure.ts).
 *
 * ## From linked segments to an Int32Array
 *
 * crossbeam's SegQueue is a linked list of segments of SEG slots: enqueuers claim the next slot of
 * the tail segment, dequeuers the next filled slot of the head segment, and a full segment is
 * followed by a freshly allocated one while a consumed one is left to the collector. Here memory is
 * fixed, so the segments form a ring of SEGMENTS physical segments (a power of two), and a segment
 * carries the *logical* number of the segment it hosts: logical segment L lives in physical
 * segment `L & (SEGMENTS - 1)`. HEAD and TAIL hold logical numbers (26 bits, wrapping) instead of
 * pointers. Each segment has two claim words, ENQ and DEQ, packing `L << 6 | count`: a claim is a
 * CAS from the word read to `word + k`, which takes k slots at once (a batch in one CAS) and fails
 * when the segment moved on to another logical number, so a claimant stalled across a recycling
 * cannot take a slot of the segment's next life. Slots hold `block + 1`; 0 is empty, ABANDONED a
 * slot its dequeuer gave up on.
 *
 * ## Invariants
 *
 * - An enqueuer writes each slot it claimed by CAS from 0, a dequeuer takes it by reading a value
 *   and storing 0: a slot is written once per claim, and a write that finds it ABANDONED (or, after
 *   a recycling, taken by a newer claim) fails and that block is enqueued again elsewhere.
 * - TAIL moves to L + 1 only when segment L is fully claimed and segment L + 1's ENQ word already
 *   says L + 1 (it was recycled and stamped); HEAD moves to L + 1 only when segment L's slots are
 *   all claimed by dequeuers and TAIL is past L.
 * - Each dequeuer adds the slots it claimed to DONE once it has taken (or abandoned) them; the one
 *   that brings DONE to SEG recycles the segment: it takes any value a late write left in a slot
 *   (enqueued again), zeroes the slots, and stamps DEQ, then ENQ, with L + SEGMENTS.
 * - A pop claims each block it takes (owner 0 -> tag) and drops one that is not free.
 *
 * ## Deaths and waits
 *
 * A dequeuer finding a claimed slot still empty waits for its enqueuer (bounded by PATIENCE_MS),
 * then marks it ABANDONED and moves on. An enqueuer killed between its claim and its write loses
 * that block; a dequeuer killed between its claim and DONE loses the blocks it claimed and keeps
 * that segment from ever being recycled: the ring has SLACK segments beyond what `blocks` entries
 * can fill, and when the tail reaches a segment that cannot be recycled (or a descheduled dequeuer
 * holds one long enough), a push gives up after PATIENCE_MS without progress and frees its blocks
 * through the spill bits. Lost, never lent twice; stalled, never lost.
 */
import { IndexStructure, lineUp, WORDS_PER_LINE } from './index-structure.js';

/**
 * Slots per segment. crossbeam's SegQueue holds 31 values a block; 32 slots make a segment's slots
 * two 64-byte lines, and a refill of 16 (SharedPool's default batch) half a segment.
 */
export const SEG = 32;

/**
 * Segments beyond those `blocks` entries can fill: one for the head segment still being consumed,
 * one for the tail segment being filled, one more for a dequeuer stalled (or killed) inside a
 * segment it has claimed in, which keeps that segment from being recycled.
 */
const SLACK = 3;

/** Bits of a claim word that count slots (0 .. SEG); the logical segment number is above them. */
const SHIFT = 6;
const COUNT = (1 << SHIFT) - 1;
/** Logical segment numbers wrap within the 26 bits left. */
const LMASK = (1 << (32 - SHIFT)) - 1;

/** A slot whose dequeuer gave up waiting for its enqueuer. */
const ABANDONED = -1;

/**
 * Word offsets within a segment: ENQ alone on its line, DEQ and DONE on the next, then the slots
 * (exported for the fault tests, which write a dying isolate's state).
 */
export const SEGMENT = {
  ENQ: 0,
  DEQ: WORDS_PER_LINE,
  DONE: WORDS_PER_LINE + 1,
  SLOTS: 2 * WORDS_PER_LINE,
  WORDS: 2 * WORDS_PER_LINE + lineUp(SEG),
} as const;

/** Word offsets within the structure: HEAD and TAIL (logical segment numbers), then the segments. */
export const SEG_QUEUE = { HEAD: 0, TAIL: WORDS_PER_LINE, FIRST_SEGMENT: 2 * WORDS_PER_LINE } as const;
const { HEAD, TAIL, FIRST_SEGMENT } = SEG_QUEUE;

/** Physical segments for `blocks` blocks. */
function segmentsFor(blocks: number): number {
  return 2 ** Math.ceil(Math.log2(Math.ceil(blocks / SEG) + SLACK));
}

const stamp = (l: number, count: number): number => ((l & LMASK) << SHIFT) | count;
const logical = (w: number): number => w >>> SHIFT;

export class SegQueueFreeList extends IndexStructure {
  private readonly headW: number;
  private readonly tailW: number;
  private readonly segW: number;
  private readonly segMask: number;
  /** Blocks an enqueue still has to place: a ring, as failed writes go round again. */
  private readonly _pending: Int32Array;

  private constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.headW = this.structW + HEAD;
    this.tailW = this.structW + TAIL;
    this.segW = this.structW + FIRST_SEGMENT;
    this.segMask = segmentsFor(this.blocks) - 1;
    this._pending = new Int32Array(this.blocks);
  }

  /** A new queue holding blocks 0 .. blocks-1, in a buffer of its own. */
  static create(blocks: number): SegQueueFreeList {
    const segments = segmentsFor(blocks);
    const sab = IndexStructure.allocate(blocks, FIRST_SEGMENT + segments * SEGMENT.WORDS);
    const q = new SegQueueFreeList(sab);
    const a = q.a;
    const filled = Math.ceil(blocks / SEG);
    for (let l = 0; l < segments; l++) {
      const b = q.segW + l * SEGMENT.WORDS;
      const count = l < filled ? Math.min(SEG, blocks - l * SEG) : 0;
      for (let i = 0; i < count; i++) a[b + SEGMENT.SLOTS + i] = l * SEG + i + 1;
      a[b + SEGMENT.ENQ] = stamp(l, count);
      a[b + SEGMENT.DEQ] = stamp(l, 0);
    }
    a[q.headW] = 0;
    a[q.tailW] = filled - 1;
    return q;
  }

  /** This isolate's view of a queue another isolate made. */
  static attach(sab: SharedArrayBuffer): SegQueueFreeList {
    return new SegQueueFreeList(sab);
  }

  /** Word index of the segment hosting logical segment `l` (public for the fault tests). */
  seg(l: number): number {
    return this.segW + (l & this.segMask) * SEGMENT.WORDS;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    const a = this.a;
    let c = 0;
    let since = 0;
    // A round that only moved HEAD on is progress, not a retry: `stuck` says whether to back off.
    let stuck = false;
    for (let round = 0; c < n; round++) {
      if (stuck) {
        if (since === 0) since = performance.now();
        if (!this.backoff(round, since)) break;
      }
      stuck = true;
      // INVARIANT: the head segment; its claim word below says whether it still hosts it.
      const h = Atomics.load(a, this.headW);
      const b = this.seg(h);
      // INVARIANT: the claim word our CAS expects; a recycled segment carries another number.
      const d = Atomics.load(a, b + SEGMENT.DEQ);
      if (logical(d) !== h) {
        // INVARIANT: consumed and recycled while HEAD still names it: move HEAD on.
        stuck = Atomics.compareExchange(a, this.headW, h, (h + 1) & LMASK) !== h;
        continue;
      }
      const low = d & COUNT;
      if (low >= SEG) {
        // INVARIANT: all claimed; HEAD may follow only a TAIL that has moved past this segment.
        if (Atomics.load(a, this.tailW) === h) break;
        stuck = Atomics.compareExchange(a, this.headW, h, (h + 1) & LMASK) !== h;
        continue;
      }
      const e = Atomics.load(a, b + SEGMENT.ENQ);
      if (logical(e) !== h) continue;
      const high = e & COUNT;
      if (low >= high) break; // nothing enqueued past what others claimed: empty
      const k = Math.min(n - c, high - low);
      // INVARIANT: claims slots low .. low+k-1 of this segment's current life, or fails.
      if (Atomics.compareExchange(a, b + SEGMENT.DEQ, d, d + k) !== d) continue;
      stuck = false;
      since = 0;
      for (let i = low; i < low + k; i++) {
        const v = this.take(b + SEGMENT.SLOTS + i);
        if (v >= 0 && this.claim(v, tag)) out[c++] = v;
      }
      // INVARIANT: counted after the slots are taken; the count that completes the segment recycles it.
      if (Atomics.add(a, b + SEGMENT.DONE, k) + k === SEG) this.recycle(b, h);
    }
    if (c < n) c = this.takeSpilled(n, out, c, tag);
    if (c > 0) this.count(-c);
    return c;
  }

  /** The block in a claimed slot, waiting for its enqueuer's write; -1 when it never came. */
  private take(w: number): number {
    const a = this.a;
    let since = 0;
    for (let round = 0; ; round++) {
      // INVARIANT: the claim made this slot ours; its enqueuer's CAS from 0 is the only other writer.
      const x = Atomics.load(a, w);
      if (x > 0) {
        Atomics.store(a, w, 0);
        return x - 1;
      }
      if (since === 0) since = performance.now();
      if (!this.backoff(round, since)) {
        // INVARIANT: 0 -> ABANDONED fails only if the value arrived meanwhile: then take it.
        const late = Atomics.compareExchange(a, w, 0, ABANDONED);
        if (late <= 0) return -1;
        Atomics.store(a, w, 0);
        return late - 1;
      }
    }
  }

  /** Segment `b`, done hosting logical segment `l`: ready to host `l + segments`. */
  private recycle(b: number, l: number): void {
    const a = this.a;
    let late = 0;
    for (let i = 0; i < SEG; i++) {
      // INVARIANT: every claim of this life is done; a value here is a late write (its claim was
      // abandoned and the slot emptied since): it goes on the queue again.
      const x = Atomics.exchange(a, b + SEGMENT.SLOTS + i, 0);
      if (x > 0) this._pending[late++] = x - 1;
    }
    Atomics.store(a, b + SEGMENT.DONE, 0);
    const next = l + this.segMask + 1;
    // INVARIANT: DEQ first, then ENQ: an enqueuer that sees the new ENQ stamp finds DEQ stamped too.
    Atomics.store(a, b + SEGMENT.DEQ, stamp(next, 0));
    Atomics.store(a, b + SEGMENT.ENQ, stamp(next, 0));
    if (late > 0) this.enqueue(late);
  }

  push(idx: Int32Array, n: number, expect: number): number {
    const a = this.a;
    let c = 0;
    for (let j = 0; j < n; j++) {
      const k = idx[j]!;
      // INVARIANT: the CAS decides between racing releases; only winners go on.
      if (Atomics.compareExchange(a, this.ownerW + k, expect, 0) === expect) this._pending[c++] = k;
    }
    if (c > 0) {
      this.enqueue(c);
      this.count(c);
    }
    return c;
  }

  /** Places `_pending[0 .. m)` in the queue; after PATIENCE_MS without progress, spills what is left. */
  private enqueue(m: number): void {
    const a = this.a;
    const ring = this._pending;
    const size = ring.length;
    let head = 0;
    let left = m;
    let since = 0;
    let stuck = false;
    for (let round = 0; left > 0; round++) {
      if (stuck) {
        if (since === 0) since = performance.now();
        if (!this.backoff(round, since)) {
          for (; left > 0; left--, head = head + 1 === size ? 0 : head + 1) this.spill(ring[head]!);
          return;
        }
      }
      stuck = true;
      // INVARIANT: the tail segment; TAIL names only segments stamped for it.
      const t = Atomics.load(a, this.tailW);
      const b = this.seg(t);
      const e = Atomics.load(a, b + SEGMENT.ENQ);
      if (logical(e) !== t) continue;
      const high = e & COUNT;
      if (high >= SEG) {
        stuck = !this.advanceTail(t);
        if (!stuck) since = 0;
        continue;
      }
      const k = Math.min(left, SEG - high);
      // INVARIANT: claims slots high .. high+k-1 of this life, or fails.
      if (Atomics.compareExchange(a, b + SEGMENT.ENQ, e, e + k) !== e) continue;
      stuck = false;
      since = 0;
      for (let i = 0; i < k; i++) {
        const v = ring[head]!;
        head = head + 1 === size ? 0 : head + 1;
        left--;
        // INVARIANT: 0 -> value, or the slot was abandoned: then the block goes round again.
        if (Atomics.compareExchange(a, b + SEGMENT.SLOTS + high + i, 0, v + 1) !== 0) {
          ring[(head + left) % size] = v;
          left++;
        }
      }
      if (high + k === SEG) this.advanceTail(t);
    }
  }

  /** Moves TAIL from the full segment `t` to the next once that one is stamped for it; false if it is not yet. */
  private advanceTail(t: number): boolean {
    const next = (t + 1) & LMASK;
    // INVARIANT: the next segment hosts `next` only after its last life was consumed and recycled.
    if (logical(Atomics.load(this.a, this.seg(next) + SEGMENT.ENQ)) !== next) return false;
    // INVARIANT: t -> next; losing means another isolate moved it: progress either way.
    Atomics.compareExchange(this.a, this.tailW, t, next);
    return true;
  }
}
