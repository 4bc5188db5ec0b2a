/**
 * The one small interface every shared free list implements, and what they share: the claim, the
 * fallback bits, reclaim, and patience.
 *
 * A free list moves block indices in batches between the shared structure and one isolate: `pop`
 * takes up to `n` and marks each block's owner word with the caller's tag (`-id` when the blocks go
 * to the isolate's cache, `+id` when one is lent directly); `push` gives blocks back, each only if its
 * owner word still holds the `expect`ed tag. Batches matter because an Atomics op is a call into a V8
 * builtin, not an instruction (benchmarks/README.md, fact `atomics-op`): a lock or CAS round is paid
 * once per batch, not once per block.
 *
 * ## The owner word decides; structures are hints
 *
 * A block is free exactly when its owner word is 0, and a pop takes a block only by claiming that
 * word (`claim`: CAS 0 -> tag, or TRANSIT|id -> tag for a block whose release is in its last step).
 * A structure entry whose block is not free (a racing double release leaves one; so does a reclaim
 * of a block that was also published) is skipped, counted in `retries`, and dropped: a block found
 * in two places is kept in one. So no structure, however damaged, can lend a block twice.
 *
 * ## Nothing waits for ever
 *
 * Every loop over shared memory is bounded: by the structure's size, or by backoff()'s patience
 * (PATIENCE_MS and PATIENT_WAITS timed waits of our own). A push that cannot reach its structure in
 * time (a dead isolate's lock, lost CASes, a full ring) frees through the BITS region instead
 * (`freeToBits`), a bit per block, needing no lock and no one's progress; a pop that comes back
 * short scans the bits (`takeFromBits`). The bitmap strategy is that region alone.
 *
 * BITS_HINT spares those pops the scan while the bits are empty. It is a generation, not a flag:
 * every bit that goes up moves it on (never to 0), and only a scan that left no bit set resets it,
 * by CAS from the value it read before scanning, so a free it missed keeps it up. A scan never
 * lowers it first: a pop of another isolate that comes back short meanwhile must scan too (one that
 * read a hint reset by a scan under way reported "none free" with hundreds of blocks in the bits).
 *
 * ## Deaths
 *
 * A block on its way to a structure carries `TRANSIT | id` until it is reachable there, so a death
 * mid-operation leaves each block it touched reachable or tagged with its id; `reclaim(id)` frees
 * every block tagged `+id`, `-id` or `TRANSIT | id` through the bits, then raises the bit of every
 * free block (`publishFree`: a death inside a race can leave one free yet on no structure). The
 * mutex's lock is in its essay. `onStep` stops an operation at each named step (the test seam).
 *
 * ## A pool that grows
 *
 * Structures are sized for `capacity` (maxBlocks) and laid out at create for the blocks that exist;
 * growth.ts adds blocks by pushing them like any release. NBLOCKS, the count that exists, only
 * grows: loops over blocks are bounded by it, read once (`blocksNow`, a plain read: a stale value
 * bounds a loop shorter), and an index at or past a stale count is called damage only after an SC
 * re-read (`exists`), so a block a grower just published is never mistaken for one.
 */
import { H, type Geometry } from '../layout.js';
import { MAX_OWNER_ID, TRANSIT } from '../ownership.js';

export interface FreeList {
  /** Moves up to `n` free indices into `out[0..)`, setting each owner word to `tag`; returns how many (0: none free). */
  pop(n: number, out: Int32Array, tag: number): number;
  /**
   * Frees `idx[0..n)`: each whose owner word equals `expect` becomes free (owner 0) and goes on the
   * list or its fallback bits; the others are skipped. Returns how many were freed. May reorder `idx`.
   */
  push(idx: Int32Array, n: number, expect: number): number;
  /** Frees every block whose owner is `+id`, `-id` or `TRANSIT | id` (a dead isolate's), returns how many; every free block is reachable after. */
  reclaim(id: number): number;
  /** Failed CAS rounds, lock spins, stale entries skipped in this isolate: the contention counter. */
  readonly retries: number;
  /**
   * Test seam (documented in tests/shared-pool-faults.test.ts): called at each named step of an
   * operation; a hook that throws stops the operation there, as a death would.
   */
  onStep: ((step: string) => void) | undefined;
}

/**
 * How long a call keeps retrying what another isolate holds (a lock, a lost CAS) before it takes
 * the fallback. Longer than any pause a live holder sees: a critical section is a batch, or at most
 * one O(blocks) rebuild (65,535 Atomics ops, about 1 ms at fact `atomics-op`'s 15 ns), and a
 * descheduled holder waits a few scheduler slices of a few ms each; short enough that a caller on
 * a thread a dead holder blocks gets on with its event loop.
 */
export const PATIENCE_MS = 100;

/**
 * Failed rounds spun before backing off to a timed wait. A competitor's round is a few dozen Atomics
 * ops (benchmarks/README.md, fact `atomics-op`); 64 outlast several, and then sleeping beats spinning.
 */
export const SPIN_ROUNDS = 64;

/**
 * Rounds a claim follows one owner word: a word in transit changes once (to 0) before the claim can
 * win or lose for good; two rounds cover that, the third is slack for a word another pop takes.
 */
const CLAIM_ROUNDS = 3;

/** The timed wait of a backoff: the shortest sleep the timer resolution makes meaningful. */
export const BACKOFF_WAIT_MS = 1;

/** Timed waits a backoff makes before it may give up (as many as fill PATIENCE_MS when idle): patience is attempts, not only time. */
const PATIENT_WAITS = PATIENCE_MS / BACKOFF_WAIT_MS;

/** Milliseconds on the monotonic clock, for patience deadlines (cold paths only). */
export const now = (): number => performance.now();

/** Fields every strategy reads, and the mechanisms they share. */
export abstract class FreeListBase implements FreeList {
  retries = 0;
  onStep: ((step: string) => void) | undefined = undefined;
  readonly a: Int32Array;
  /** Word index of owner[0]. */
  readonly ownerW: number;
  /** Word index of gen[0]: lendings of each block, bumped by every claim. */
  readonly genW: number;
  /** Word index of the strategy's first word. */
  readonly freeW: number;
  /** Word index of the first word of the BITS region. */
  readonly bitsW: number;
  /** Most blocks the pool may hold (maxBlocks): what the structure is sized for. */
  readonly capacity: number;
  /** This isolate's id (the mutex records its holder). */
  readonly id: number;
  /** Whether Atomics.wait may block here (false on a browser's main thread). */
  readonly canWait: boolean;
  /** `TRANSIT | id`: the owner word of a block this isolate is freeing. */
  protected readonly transit: number;
  /**
   * Whether a scan of the bits may clear a stale one, and is gated by BITS_HINT: true where only
   * `freeToBits` sets bits (its TRANSIT step makes clearing safe), false for the bitmap strategy,
   * whose push sets bits before zeroing owners.
   */
  protected readonly fallbackBits: boolean;
  /** Word where this isolate's next scan of the bits starts: spread by id, then where blocks were last found. */
  private _cursor: number;

  constructor(a: Int32Array, g: Geometry, id: number, canWait: boolean, fallbackBits = true) {
    this.a = a;
    this.ownerW = g.ownerOffset >> 2;
    this.genW = g.genOffset >> 2;
    this.freeW = g.freeOffset >> 2;
    this.bitsW = g.bitsOffset >> 2;
    this.capacity = g.maxBlocks;
    this.id = id;
    this.canWait = canWait;
    this.transit = TRANSIT | id;
    this.fallbackBits = fallbackBits;
    this._cursor = id % Math.ceil(g.blocks / 32);
  }

  abstract pop(n: number, out: Int32Array, tag: number): number;
  abstract push(idx: Int32Array, n: number, expect: number): number;

  /** Lays out a fresh buffer's structure with every block free. Runs before any other isolate sees it. */
  abstract init(): void;

  /**
   * Blocks that exist now: a plain read (NBLOCKS only grows; a stale value only bounds a loop
   * short), never past `capacity` (a damaged word must not stretch a loop out of the tables).
   */
  blocksNow(): number {
    const n = this.a[H.NBLOCKS]! >>> 0;
    return n < this.capacity ? n : this.capacity;
  }

  /** Whether `k` names a block that exists: under `n` (a count read before), or under NBLOCKS read again. */
  protected exists(k: number, n: number): boolean {
    const i = k >>> 0;
    // INVARIANT: NBLOCKS only grows, and a grower raises it before pushing the blocks it adds.
    return i < n || (i < this.capacity && i < Atomics.load(this.a, H.NBLOCKS) >>> 0);
  }

  /** Frees a dead isolate's blocks through the bits: no lock, no other isolate's progress needed. */
  reclaim(id: number): number {
    const a = this.a;
    const t = TRANSIT | id;
    let freed = 0;
    // INVARIANT: the count once: blocks a grower adds later are not the dead isolate's to free.
    const blocks = Math.min(Atomics.load(a, H.NBLOCKS) >>> 0, this.capacity);
    for (let k = 0; k < blocks; k++) {
      // INVARIANT: a snapshot; freeToBits moves the word by CAS from exactly this value.
      const o = Atomics.load(a, this.ownerW + k);
      if ((o === id || o === -id || o === t) && this.freeToBits(k, o)) {
        freed++;
        this.step('reclaim:freed');
      }
    }
    this.publishFree(blocks);
    return freed;
  }

  /**
   * Raises the bit of every block whose owner reads free: a death inside a lost race or a scan can
   * leave one free on no structure, bit down (a kill test on Node 26 lost one so). A second entry
   * is harmless (claims are by CAS). O(blocks), after deaths only.
   */
  private publishFree(blocks: number): void {
    const a = this.a;
    let raised = false;
    for (let w = 0; w * 32 < blocks; w++) {
      let free = 0;
      // INVARIANT: snapshots; a bit over a block taken meanwhile is a stale entry, skipped by its claim.
      for (let j = 0; j < 32 && w * 32 + j < blocks; j++) if (Atomics.load(a, this.ownerW + w * 32 + j) === 0) free |= 1 << j;
      // INVARIANT: only raises bits, of blocks seen free; the hint moves on after, as freeToBits does.
      if (free !== 0 && (Atomics.or(a, this.bitsW + w, free) & free) !== free) raised = true;
    }
    if (raised && this.fallbackBits) this.bumpHint();
  }

  /** Calls the test seam's hook for a named step (nothing when none is set). */
  protected step(name: string): void {
    const hook = this.onStep;
    if (hook !== undefined) hook(name);
  }

  /**
   * The first step of a lock-free push: moves each owner word of `idx[0..n)` from `expect` to this
   * isolate's TRANSIT tag, keeping the winners at the front of `idx`; returns how many won. A block
   * whose word no longer reads `expect` (another release won the race) is not pushed.
   */
  protected toTransit(idx: Int32Array, n: number, expect: number): number {
    const a = this.a;
    const transit = this.transit;
    let c = 0;
    for (let j = 0; j < n; j++) {
      const k = idx[j]!;
      // INVARIANT: the CAS decides between racing releases; only winners go on (compacted in place).
      if (Atomics.compareExchange(a, this.ownerW + k, expect, transit) === expect) idx[c++] = k;
    }
    if (c > 0) this.step('push:transit');
    return c;
  }

  /**
   * Takes block `k` for `tag` if it is free (0) or in its releaser's last step (TRANSIT | id), and
   * counts a lending in its GEN word. False when its word says lent or cached: a stale entry.
   */
  protected claim(k: number, tag: number): boolean {
    const a = this.a;
    const w = this.ownerW + k;
    // INVARIANT: 0 -> tag is the claim; at most one isolate wins a free block.
    let o = Atomics.compareExchange(a, w, 0, tag);
    // A word in transit goes to 0 once (its releaser's last CAS) and may be claimed from either
    // value: follow it through that one change, then stop.
    for (let round = 0; o !== 0; round++) {
      if (o <= MAX_OWNER_ID || round === CLAIM_ROUNDS) return false;
      // INVARIANT: TRANSIT|id -> tag: the block is reachable (its releaser published it, or a
      // stale entry led here) and free in all but its releaser's last CAS, which then fails.
      const seen = Atomics.compareExchange(a, w, o, tag);
      if (seen === o) break;
      // INVARIANT: the releaser's last CAS landed first: 0 -> tag, as above.
      o = seen === 0 ? Atomics.compareExchange(a, w, 0, tag) : seen;
    }
    // The block is ours alone now: a plain bump, read with Atomics.load by the stale-Block check.
    const g = this.genW + k;
    a[g] = (a[g]! + 1) | 0;
    return true;
  }

  /**
   * Frees block `k`, whose owner word should read `expect`, through the bits; false when it did not
   * (another isolate moved it first). The word goes to TRANSIT | me before the bit goes up, so a
   * scan that finds the bit finds the block claimable, and a scan that clears a stale bit and then
   * re-reads the word (takeFromBits) can never strand a block this call frees.
   */
  protected freeToBits(k: number, expect: number): boolean {
    const a = this.a;
    const w = this.ownerW + k;
    // INVARIANT: expect -> TRANSIT|me by CAS: from here the block is ours to free, or a claimer's.
    if (expect !== this.transit && Atomics.compareExchange(a, w, expect, this.transit) !== expect) return false;
    this.step('bits:transit');
    // INVARIANT: the bit goes up while the word reads TRANSIT|me (claimable).
    Atomics.or(a, this.bitsW + (k >> 5), 1 << (k & 31));
    // INVARIANT: the hint moves on before the word reads 0: a death after this leaves both visible.
    if (this.fallbackBits) this.bumpHint();
    this.step('bits:set');
    // INVARIANT: TRANSIT|me -> 0; fails only when a scan claimed the block first (then it is lent),
    // or a racing cached release overwrote it (then it is cached and the bit is stale).
    Atomics.compareExchange(a, w, this.transit, 0);
    return true;
  }

  /**
   * The last step of a lock-free push: zeroes the owner word of each block published in `idx[0..m)`
   * (entries < 0 went to the bits). A pop that claimed one first (TRANSIT is claimable) wins it, and
   * a racing cached release that overwrote TRANSIT keeps it (its entry is stale then).
   */
  protected settle(idx: Int32Array, m: number): void {
    const a = this.a;
    for (let j = 0; j < m; j++) {
      const k = idx[j]!;
      // INVARIANT: TRANSIT|me -> 0 makes the block free; a claim or an overwrite first wins instead.
      if (k >= 0) Atomics.compareExchange(a, this.ownerW + k, this.transit, 0);
    }
  }

  /**
   * Claims up to `n - c` blocks whose bits are set, into `out[c..)`; returns the new `c`. Clears the
   * bits it claimed, and, for the fallback bits, stale ones too (re-set if the block turned free).
   * Step `bits:scanning`: the scan is under way (nothing written yet).
   */
  protected takeFromBits(n: number, out: Int32Array, c: number, tag: number): number {
    const a = this.a;
    const hinted = this.fallbackBits;
    // INVARIANT: the hint is read, and left as it is during the scan: another isolate's pop that
    // comes back short meanwhile must still see it and scan too (see the essay).
    const seen = hinted ? Atomics.load(a, H.BITS_HINT) : 0;
    if (hinted && seen === 0) return c;
    this.step('bits:scanning');
    const blocks = this.blocksNow();
    const words = Math.ceil(blocks / 32);
    let kept = false;
    let w = this._cursor < words ? this._cursor : 0;
    for (let s = 0; s < words; s++, w = w + 1 === words ? 0 : w + 1) {
      if (c >= n) {
        kept = true; // the words not scanned may hold bits
        break;
      }
      // INVARIANT: a snapshot of hints; each candidate is re-decided by its claim.
      let bits = Atomics.load(a, this.bitsW + w);
      if (bits === 0) continue;
      let claimed = 0;
      let stale = 0;
      while (bits !== 0) {
        if (c >= n) {
          kept = true; // set bits this call does not need
          break;
        }
        const low = bits & -bits;
        bits ^= low;
        const k = (w << 5) + 31 - Math.clz32(low);
        if (!this.exists(k, blocks)) stale |= low; // a bit past the table: damage, never a block
        else if (this.claim(k, tag)) {
          out[c++] = k;
          claimed |= low;
        } else {
          this.retries++;
          if (hinted) stale |= low;
          else kept = true;
        }
      }
      // INVARIANT: clears only bits of blocks now ours, and stale ones re-checked just below.
      if ((claimed | stale) !== 0) Atomics.and(a, this.bitsW + w, ~(claimed | stale));
      if (stale !== 0 && this._renewTurnedFree(w, stale, blocks)) {
        kept = true;
        // A renewed bit is a free another scan may have missed: it moves the hint on, as freeToBits does.
        if (hinted) this.bumpHint();
      }
      this._cursor = w;
    }
    // INVARIANT: the hint goes down only if the scan left no bit set and no free moved the hint
    // since our read (a free sets its bit, then moves the hint: one our scan missed fails this CAS).
    if (hinted && !kept) Atomics.compareExchange(a, H.BITS_HINT, seen, 0);
    return c;
  }

  /**
   * Moves BITS_HINT on (never to 0) after a bit went up: a generation, so that a scan ending with
   * the bits empty resets it only if no free happened since the scan read it.
   */
  private bumpHint(): void {
    // INVARIANT: +1, and +1 again past 0 (after 2^32 frees): the hint reads 0 only when reset.
    if (Atomics.add(this.a, H.BITS_HINT, 1) === -1) Atomics.add(this.a, H.BITS_HINT, 1);
  }

  /** After clearing stale bits of word `w`: sets again those whose block turned free meanwhile. */
  private _renewTurnedFree(w: number, stale: number, blocks: number): boolean {
    const a = this.a;
    let renew = 0;
    for (let bits = stale; bits !== 0; ) {
      const low = bits & -bits;
      bits ^= low;
      const k = (w << 5) + 31 - Math.clz32(low);
      // INVARIANT: read after our clear: a free that set this bit before it reads claimable now.
      const o = this.exists(k, blocks) ? Atomics.load(a, this.ownerW + k) : 1;
      if (o === 0 || o > MAX_OWNER_ID) renew |= low;
    }
    // INVARIANT: puts back the bits of blocks that are free or in transit: none is stranded.
    if (renew !== 0) Atomics.or(a, this.bitsW + w, renew);
    return renew !== 0;
  }

  /**
   * Backs off after the `lost`-th failed round (from 0): a few spins, then a short Atomics.wait where
   * blocking is allowed (the other party may have been descheduled: the 2-vCPU box here runs more
   * threads than cores). Returns false, give up, once PATIENCE_MS have passed since `since` (a
   * `performance.now()` value) *and* the caller has made its PATIENT_WAITS timed waits: time the
   * scheduler kept the caller off the CPU is not patience (on a loaded box, a worker bursting beside
   * another could give up after a handful of real attempts: CI saw ERR_POOL_EXHAUSTED from a pool
   * of 1,024 blocks with at most 192 out).
   */
  protected backoff(lost: number, since: number): boolean {
    this.retries++;
    if (lost < SPIN_ROUNDS) return true;
    if (this.canWait) {
      // INVARIANT: waits on a word nobody notifies with a value it holds: a pure timed sleep of 0-1 ms.
      Atomics.wait(this.a, H.MAGIC, Atomics.load(this.a, H.MAGIC), BACKOFF_WAIT_MS);
      if (lost < SPIN_ROUNDS + PATIENT_WAITS) return true;
    }
    return now() - since < PATIENCE_MS;
  }
}
