/**
 * What the two benchmark structures (ms-queue.ts, seg-queue.ts) share: a SharedArrayBuffer of their
 * own laid out as SharedPool's is (a header line, an owner word per block, then the structure), the
 * free-list contract SharedPool's free lists implement, and the patience that bounds every wait.
 *
 * ## The contract (the same as SharedPool's free lists)
 *
 * - `pop(n, out, tag)` moves up to `n` free block indices into `out` and sets each owner word to
 *   `tag` (`+id` lent, `-id` cached); 0 when none is free.
 * - `push(idx, n, expect)` frees each block whose owner word still reads `expect` (a CAS, so two
 *   racing releases of one block free it once) and returns how many it freed.
 * - `reclaim(id)` frees every block a dead isolate left tagged `+id` or `-id`.
 * - The owner word decides: a pop takes a block only by claiming its word (CAS 0 -> tag), so an
 *   entry whose block is not free is dropped, never lent twice.
 *
 * These are benchmark structures, not SharedPool strategies: they time Michael-Scott's queue and a
 * segmented queue over the same owner words, for mempool's two rows. What a worker dying inside one
 * of their operations costs is in each essay (a batch of blocks, never a block lent twice); meeting
 * SharedPool's fault contract (nothing lost) would take its transit words as well.
 *
 * ## Spill bits: degrade, don't lose
 *
 * A push that cannot place its blocks within PATIENCE_MS (a segment a stalled dequeuer keeps from
 * being recycled, CASes lost for that long) sets their bits in the SPILL region instead, one bit a
 * block, which needs no other isolate's progress; a pop that comes back short takes spilled blocks
 * (bit cleared by Atomics.and, then the owner word claimed). The 2-vCPU VM here, at a load average
 * of 8-10, left one of four racing workers descheduled past 100 ms: without the bits, that push
 * lost its block (the contract test's race, 1 run in 17, 2026-11-22).
 *
 * Layout, in Int32 words: line 0 the header (HDR), then `blocks` owner words, then the spill bits,
 * then the structure, each part starting on a 64-byte line.
 */

/** Int32 words per 64-byte cache line: a hot word alone on its line is not falsely shared. */
export const WORDS_PER_LINE = 16;

/** Header words (line 0). */
export const HDR = {
  /** 'ISQ1': a buffer that is not a structure's is refused. */
  MAGIC: 0,
  BLOCKS: 1,
  /** Isolate ids handed out, by Atomics.add: the next is this + 1. */
  NEXT_ID: 2,
  /** Free entries (a statistic, as SharedPool's FREE_COUNT). */
  FREE_COUNT: 3,
  /** Word index where the structure starts. */
  STRUCT: 4,
  /** Callers waiting for a block (always 0 here; read on release as SharedPool reads its WAITERS). */
  WAITERS: 5,
  /** Bumped by every release (as SharedPool's PUSH_GEN, its futex word). */
  PUSH_GEN: 6,
  /** 1 when spill bits may be set: a short pop scans them only then. */
  SPILL_HINT: 7,
} as const;

const MAGIC = 0x31515349;

/**
 * How long one call keeps waiting on what another isolate holds before it gives up (the slot a
 * claimed enqueue has not written, a segment not yet recycled): SharedPool's free lists wait as long
 * (src/shared/free-lists/free-list.ts, PATIENCE_MS), longer than any pause a live isolate sees.
 */
export const PATIENCE_MS = 100;

/** Failed rounds spun before each further round sleeps 1 ms (SharedPool's SPIN_ROUNDS, same reason). */
export const SPIN_ROUNDS = 64;

/** Rounds up to the next line. */
export const lineUp = (words: number): number => Math.ceil(words / WORDS_PER_LINE) * WORDS_PER_LINE;

export abstract class IndexStructure {
  /** Failed CAS rounds, waits and dropped entries in this isolate: the contention counter. */
  retries = 0;
  readonly a: Int32Array;
  readonly blocks: number;
  /** This isolate's id, from the header's counter. */
  readonly id: number;
  /** Word index of owner[0]. */
  readonly ownerW: number;
  /** Word index of the spill bits' first word. */
  readonly spillW: number;
  /** Word index of the structure's first word. */
  readonly structW: number;
  private readonly _canWait: boolean;

  /** Opens `sab` (made by `allocate`), taking a new isolate id. */
  protected constructor(sab: SharedArrayBuffer) {
    const a = new Int32Array(sab);
    if (a.length < WORDS_PER_LINE || a[HDR.MAGIC] !== MAGIC) throw new TypeError('isopool-bench: not a benchmark structure buffer');
    this.a = a;
    this.blocks = a[HDR.BLOCKS]!;
    this.ownerW = WORDS_PER_LINE;
    this.spillW = WORDS_PER_LINE + lineUp(this.blocks);
    this.structW = a[HDR.STRUCT]!;
    // INVARIANT: ids are handed out once each, in any isolate; a counter that only grows.
    this.id = Atomics.add(a, HDR.NEXT_ID, 1) + 1;
    this._canWait = typeof (globalThis as { document?: unknown }).document === 'undefined';
  }

  /** A zeroed buffer for `blocks` blocks and a structure of `structWords` words, header written. */
  protected static allocate(blocks: number, structWords: number): SharedArrayBuffer {
    if (!Number.isInteger(blocks) || blocks < 1 || blocks > 65535) throw new RangeError(`isopool-bench: blocks must be 1 to 65535, received ${blocks}`);
    const structW = WORDS_PER_LINE + lineUp(blocks) + lineUp(Math.ceil(blocks / 32));
    const sab = new SharedArrayBuffer((structW + lineUp(structWords)) * 4);
    const a = new Int32Array(sab);
    a[HDR.MAGIC] = MAGIC;
    a[HDR.BLOCKS] = blocks;
    a[HDR.STRUCT] = structW;
    a[HDR.FREE_COUNT] = blocks;
    return sab;
  }

  get sab(): SharedArrayBuffer {
    return this.a.buffer as SharedArrayBuffer;
  }

  abstract pop(n: number, out: Int32Array, tag: number): number;
  abstract push(idx: Int32Array, n: number, expect: number): number;

  /**
   * Frees every block isolate `id` left lent or cached: collects them, then pushes each group with
   * its tag as `expect`, so a block a live isolate released meanwhile is not pushed twice.
   */
  reclaim(id: number): number {
    const a = this.a;
    const lent = new Int32Array(this.blocks);
    const cached = new Int32Array(this.blocks);
    let nl = 0;
    let nc = 0;
    for (let k = 0; k < this.blocks; k++) {
      // INVARIANT: a snapshot; push's own CAS from the tag decides each block again.
      const w = Atomics.load(a, this.ownerW + k);
      if (w === id) lent[nl++] = k;
      else if (w === -id) cached[nc++] = k;
    }
    return this.push(lent, nl, id) + this.push(cached, nc, -id);
  }

  /** Takes block `k` for `tag` if its owner word reads 0 (free); false for a stale entry. */
  protected claim(k: number, tag: number): boolean {
    // INVARIANT: 0 -> tag is the claim: at most one isolate wins a free block.
    if (Atomics.compareExchange(this.a, this.ownerW + k, 0, tag) === 0) return true;
    this.retries++;
    return false;
  }

  /** Frees block `k` (its owner word already 0) through the spill bits: for a push out of patience. */
  protected spill(k: number): void {
    // INVARIANT: the bit goes up, then the hint: a pop that sees the hint finds the bit.
    Atomics.or(this.a, this.spillW + (k >> 5), 1 << (k & 31));
    Atomics.store(this.a, HDR.SPILL_HINT, 1);
  }

  /** Claims up to `n - c` spilled blocks into `out[c..)`; returns the new `c`. */
  protected takeSpilled(n: number, out: Int32Array, c: number, tag: number): number {
    const a = this.a;
    // INVARIANT: reset before the scan: a spill after it sets the hint again, one before it is seen.
    if (Atomics.load(a, HDR.SPILL_HINT) === 0) return c;
    Atomics.store(a, HDR.SPILL_HINT, 0);
    let left = false;
    for (let w = 0, words = Math.ceil(this.blocks / 32); w < words; w++) {
      let bits = Atomics.load(a, this.spillW + w);
      while (bits !== 0) {
        if (c >= n) {
          left = true;
          break;
        }
        const low = bits & -bits;
        bits ^= low;
        // INVARIANT: clearing the bit takes the entry; only one isolate sees it set in the old value.
        if ((Atomics.and(a, this.spillW + w, ~low) & low) === 0) continue;
        const k = (w << 5) + 31 - Math.clz32(low);
        if (this.claim(k, tag)) out[c++] = k;
      }
    }
    // INVARIANT: bits this call did not need keep the hint up.
    if (left) Atomics.store(a, HDR.SPILL_HINT, 1);
    return c;
  }

  /** Adds to the header's free count (a statistic). */
  protected count(delta: number): void {
    // INVARIANT: a statistic only; no decision reads it.
    Atomics.add(this.a, HDR.FREE_COUNT, delta);
  }

  /**
   * Backs off after a failed round: spins, then 1 ms sleeps where blocking is allowed. Returns false
   * once PATIENCE_MS have passed since `since` (performance.now() when the wait began): give up.
   */
  protected backoff(round: number, since: number): boolean {
    this.retries++;
    if (round >= SPIN_ROUNDS && this._canWait) {
      // INVARIANT: nobody notifies the magic word: a pure timed sleep of at most 1 ms.
      Atomics.wait(this.a, HDR.MAGIC, MAGIC, 1);
    }
    return round < SPIN_ROUNDS || performance.now() - since < PATIENCE_MS;
  }
}
