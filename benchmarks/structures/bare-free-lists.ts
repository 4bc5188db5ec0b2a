/**
 * Three free lists of indices over an Int32Array, written out bare (no owner words, no waiting, no
 * batching beyond what is asked) so the facts (experiments/facts.ts) and the `bare_*` bench rows
 * (bare.cases.ts) can time the designs themselves: a spin mutex around a stack, a Treiber stack
 * with a tagged head, and Vyukov's bounded MPMC ring. SharedPool's `mutex`,
 * `treiber` and `mpmc` strategies start from these designs and add what a pool needs (owner words,
 * waiting, reclaim, batches); these are for measuring only.
 *
 * Each structure owns a SharedArrayBuffer of its own, so experiments/facts-worker.ts can attach to one from
 * several workers; hot words sit alone on their 64-byte lines.
 */

/** Int32 words per 64-byte cache line: a hot word alone on its line is not falsely shared. */
const WORDS_PER_LINE = 16;

/**
 * Indices a batched caller moves per lock: 16, SharedPool's default refill and spill (half its
 * default cache of 32), so the batched figures price the batch the pool really moves.
 */
export const MUTEX_BATCH = 16;

/** Spin mutex stack layout (Int32 indices). */
export const MUTEX_STACK = {
  /** 0 free, 1 held. */
  LOCK: 0,
  /** Indices on the stack; read and written only under the lock. */
  TOP: WORDS_PER_LINE,
  /** The stack itself, bottom first. */
  STACK: 2 * WORDS_PER_LINE,
} as const;

/** A stack of indices behind one spin lock: the lock is taken once per push or pop, or per batch. */
export class SpinMutexStack {
  readonly i32: Int32Array;
  readonly capacity: number;

  /** A new stack holding 0 .. capacity-1, or a view of `sab` made by another. */
  constructor(capacity: number, sab?: SharedArrayBuffer) {
    this.capacity = capacity;
    const fresh = sab === undefined;
    this.i32 = new Int32Array(sab ?? new SharedArrayBuffer((MUTEX_STACK.STACK + capacity) * 4));
    if (fresh) {
      for (let i = 0; i < capacity; i++) this.i32[MUTEX_STACK.STACK + i] = i;
      this.i32[MUTEX_STACK.TOP] = capacity;
    }
  }

  get sab(): SharedArrayBuffer {
    return this.i32.buffer as SharedArrayBuffer;
  }

  lock(): void {
    // INVARIANT: LOCK goes 0 -> 1 only here, by the one CAS that sees 0; the winner holds the lock
    // and every plain read or write of TOP and STACK until unlock() is its alone. Pure spin: no wait.
    while (Atomics.compareExchange(this.i32, MUTEX_STACK.LOCK, 0, 1) !== 0);
  }

  unlock(): void {
    // INVARIANT: only the holder stores 0; the store publishes its plain writes to the next winner.
    Atomics.store(this.i32, MUTEX_STACK.LOCK, 0);
  }

  /** One index, or -1 when empty. */
  pop(): number {
    this.lock();
    const top = this.i32[MUTEX_STACK.TOP]!;
    if (top === 0) {
      this.unlock();
      return -1;
    }
    this.i32[MUTEX_STACK.TOP] = top - 1;
    const index = this.i32[MUTEX_STACK.STACK + top - 1]!;
    this.unlock();
    return index;
  }

  push(index: number): void {
    this.lock();
    const top = this.i32[MUTEX_STACK.TOP]!;
    this.i32[MUTEX_STACK.STACK + top] = index;
    this.i32[MUTEX_STACK.TOP] = top + 1;
    this.unlock();
  }

  /** Up to `n` indices into `out` under one lock; returns how many. */
  popBatch(out: Int32Array, n: number): number {
    this.lock();
    const top = this.i32[MUTEX_STACK.TOP]!;
    const k = Math.min(n, top);
    for (let j = 0; j < k; j++) out[j] = this.i32[MUTEX_STACK.STACK + top - 1 - j]!;
    this.i32[MUTEX_STACK.TOP] = top - k;
    this.unlock();
    return k;
  }

  /** The first `k` indices of `src` under one lock. */
  pushBatch(src: Int32Array, k: number): void {
    this.lock();
    const top = this.i32[MUTEX_STACK.TOP]!;
    for (let j = 0; j < k; j++) this.i32[MUTEX_STACK.STACK + top + j] = src[j]!;
    this.i32[MUTEX_STACK.TOP] = top + k;
    this.unlock();
  }

  /** Indices on the stack (quiescent callers only). */
  size(): number {
    // INVARIANT: called when no other thread runs; the load sees every holder's last TOP.
    return Atomics.load(this.i32, MUTEX_STACK.TOP);
  }
}

/** Treiber stack layout (Int32 indices). */
export const TREIBER_STACK = {
  /** tag << 16 | (top index + 1); index bits 0 = empty. */
  HEAD: 0,
  /** next[k] = index + 1 of the entry below k (0 = bottom). */
  NEXT: WORDS_PER_LINE,
} as const;

/** Bits of the head holding index + 1: 16, so at most 65,535 indices and a 16-bit ABA tag. */
const TREIBER_INDEX_BITS = 16;
const TREIBER_INDEX_MASK = (1 << TREIBER_INDEX_BITS) - 1;

/** A lock-free stack of indices: one CAS on a tagged 32-bit head per push or pop. */
export class TreiberStack {
  readonly i32: Int32Array;

  /** A new stack holding 0 .. capacity-1 (capacity <= 65,535). */
  constructor(readonly capacity: number) {
    if (capacity > TREIBER_INDEX_MASK) throw new RangeError(`TreiberStack: at most ${TREIBER_INDEX_MASK} indices`);
    this.i32 = new Int32Array(new SharedArrayBuffer((TREIBER_STACK.NEXT + capacity) * 4));
    for (let k = 0; k < capacity; k++) this.i32[TREIBER_STACK.NEXT + k] = k + 2 > capacity ? 0 : k + 2;
    this.i32[TREIBER_STACK.HEAD] = capacity > 0 ? 1 : 0;
  }

  /** One index, or -1 when empty. */
  pop(): number {
    for (;;) {
      // INVARIANT: the head (tag, top) the CAS below compares against; the link read after it is
      // trusted only if that CAS succeeds (the tag moved on any push or pop in between).
      const head = Atomics.load(this.i32, TREIBER_STACK.HEAD);
      const top = head & TREIBER_INDEX_MASK;
      if (top === 0) return -1;
      // Plain and racy, as in SharedPool: if the entry is popped and pushed again meanwhile, its link
      // may change under us, but then the head's tag has moved and the CAS below fails.
      const below = this.i32[TREIBER_STACK.NEXT + top - 1]!;
      // The tag wraps at 16 bits: `<< 16` drops the 17th.
      const next = (((head >>> TREIBER_INDEX_BITS) + 1) << TREIBER_INDEX_BITS) | below;
      // INVARIANT: succeeds only if the head is unchanged since the load, so `below` was its link.
      if (Atomics.compareExchange(this.i32, TREIBER_STACK.HEAD, head, next) === head) return top - 1;
    }
  }

  push(index: number): void {
    for (;;) {
      // INVARIANT: the head the CAS below compares against.
      const head = Atomics.load(this.i32, TREIBER_STACK.HEAD);
      // Plain: the entry is ours until the CAS below publishes it, and that CAS orders this write
      // before any pop that loads the new head.
      this.i32[TREIBER_STACK.NEXT + index] = head & TREIBER_INDEX_MASK;
      const next = (((head >>> TREIBER_INDEX_BITS) + 1) << TREIBER_INDEX_BITS) | (index + 1);
      // INVARIANT: succeeds only if the head is unchanged since the load; then the entry is on top.
      if (Atomics.compareExchange(this.i32, TREIBER_STACK.HEAD, head, next) === head) return;
    }
  }

  /** Indices on the stack (quiescent callers only): walks the links. */
  size(): number {
    let n = 0;
    // INVARIANT: called when no other thread runs; the head is the last CAS's.
    for (let t = Atomics.load(this.i32, TREIBER_STACK.HEAD) & TREIBER_INDEX_MASK; t !== 0; n++) {
      t = this.i32[TREIBER_STACK.NEXT + t - 1]!;
    }
    return n;
  }
}

/** Vyukov ring layout (Int32 indices). */
export const VYUKOV_RING = {
  /** Next position to enqueue at (wraps as an Int32). */
  ENQ: 0,
  /** Next position to dequeue from. */
  DEQ: WORDS_PER_LINE,
  /** Cells of two words: sequence, then value. */
  CELLS: 2 * WORDS_PER_LINE,
} as const;

/**
 * Vyukov's bounded MPMC queue of indices: each cell carries a sequence number saying whose turn it
 * is; a producer or consumer claims a position by CAS, then publishes by storing the cell's next
 * sequence. Not lock-free: a thread stalled between its claim and its publish holds up everyone
 * who reaches that cell (benchmarks/README.md, fact `vyukov-unbatched`).
 */
export class VyukovRing {
  readonly i32: Int32Array;
  private readonly mask: number;

  /** A ring of `capacity` cells (a power of two) holding 0 .. capacity-1. */
  constructor(readonly capacity: number) {
    if (capacity < 1 || (capacity & (capacity - 1)) !== 0) throw new RangeError('VyukovRing: capacity must be a power of two');
    this.mask = capacity - 1;
    this.i32 = new Int32Array(new SharedArrayBuffer((VYUKOV_RING.CELLS + 2 * capacity) * 4));
    for (let i = 0; i < capacity; i++) this.i32[VYUKOV_RING.CELLS + 2 * i] = i;
    for (let i = 0; i < capacity; i++) if (!this.enqueue(i)) throw new Error('VyukovRing: could not fill');
  }

  /** False when full. */
  enqueue(value: number): boolean {
    // INVARIANT: ENQ only grows (mod 2^32); a stale read is corrected by the CAS below.
    let pos = Atomics.load(this.i32, VYUKOV_RING.ENQ);
    for (;;) {
      const cell = VYUKOV_RING.CELLS + 2 * (pos & this.mask);
      // INVARIANT: seq == pos: the cell is free for this lap; seq < pos: a consumer has not freed it.
      const seq = Atomics.load(this.i32, cell);
      const dif = (seq - pos) | 0;
      if (dif === 0) {
        // INVARIANT: the one CAS that moves ENQ from pos claims the cell for this producer.
        const seen = Atomics.compareExchange(this.i32, VYUKOV_RING.ENQ, pos, (pos + 1) | 0);
        if (seen === pos) {
          // Plain: the cell is ours; the sequence store below publishes it.
          this.i32[cell + 1] = value;
          // INVARIANT: seq = pos + 1 publishes the cell to the consumer of position pos.
          Atomics.store(this.i32, cell, (pos + 1) | 0);
          return true;
        }
        pos = seen;
      } else if (dif < 0) {
        return false;
      } else {
        // INVARIANT: another producer claimed pos; reload where enqueuing stands now.
        pos = Atomics.load(this.i32, VYUKOV_RING.ENQ);
      }
    }
  }

  /** One index, or -1 when empty. */
  dequeue(): number {
    // INVARIANT: DEQ only grows (mod 2^32); a stale read is corrected by the CAS below.
    let pos = Atomics.load(this.i32, VYUKOV_RING.DEQ);
    for (;;) {
      const cell = VYUKOV_RING.CELLS + 2 * (pos & this.mask);
      // INVARIANT: seq == pos + 1: published for this position; seq < pos + 1: not yet (empty).
      const seq = Atomics.load(this.i32, cell);
      const dif = (seq - ((pos + 1) | 0)) | 0;
      if (dif === 0) {
        // INVARIANT: the one CAS that moves DEQ from pos claims the cell for this consumer.
        const seen = Atomics.compareExchange(this.i32, VYUKOV_RING.DEQ, pos, (pos + 1) | 0);
        if (seen === pos) {
          // Plain: the producer wrote it before publishing seq = pos + 1, which we loaded.
          const value = this.i32[cell + 1]!;
          // INVARIANT: seq = pos + capacity frees the cell for the producer one lap later.
          Atomics.store(this.i32, cell, (pos + this.mask + 1) | 0);
          return value;
        }
        pos = seen;
      } else if (dif < 0) {
        return -1;
      } else {
        // INVARIANT: another consumer claimed pos; reload where dequeuing stands now.
        pos = Atomics.load(this.i32, VYUKOV_RING.DEQ);
      }
    }
  }

  /** Entries queued (quiescent callers only). */
  size(): number {
    // INVARIANT: called when no other thread runs; both counters are final.
    return (Atomics.load(this.i32, VYUKOV_RING.ENQ) - Atomics.load(this.i32, VYUKOV_RING.DEQ)) | 0;
  }
}
