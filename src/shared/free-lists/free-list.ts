/**
 * The one small interface every shared free list implements, and what they share.
 *
 * A free list moves block indices in batches between the shared structure and one isolate: `pop`
 * takes up to `n` and marks each block's owner word with the caller's tag (`-id` when the blocks go
 * to the isolate's cache, `+id` when one is lent directly); `push` gives blocks back, each only if its
 * owner word still holds the `expect`ed tag (a compare-and-swap, so two isolates racing to release
 * one block cannot both succeed). Batches matter because an Atomics op is a call into a V8 builtin, not an instruction
 * (benchmarks/README.md, fact `atomics-op`): a lock or CAS round is paid once per batch, not once per block.
 *
 * The owner table is the ground truth: a block is free exactly when its owner word is 0. Each strategy
 * orders its owner-word updates around its own linearization point so that an isolate terminated in
 * the middle of a push or pop leaves either its tag on the block (then `reclaim(id)` returns it) or a
 * consistent free structure; which strategies manage that fully is said in each module's essay.
 */
import { H, type Geometry } from '../layout.js';

export interface FreeList {
  /** Moves up to `n` free indices into `out[0..)`, setting each owner word to `tag`; returns how many (0: empty). */
  pop(n: number, out: Int32Array, tag: number): number;
  /**
   * Frees `idx[0..n)`: each whose owner word equals `expect` becomes free (owner 0) and goes on the
   * list; the others are skipped. Returns how many were freed.
   */
  push(idx: Int32Array, n: number, expect: number): number;
  /** Frees every block whose owner word is `+id` or `-id` (a dead isolate's); returns how many. */
  reclaim(id: number): number;
  /** Failed CAS rounds, lock spins and stall retries in this isolate: the contention counter. */
  readonly retries: number;
}

/** Fields every strategy reads: the whole buffer as Int32s, and word offsets into it. */
export abstract class FreeListBase implements FreeList {
  retries = 0;
  readonly a: Int32Array;
  /** Word index of owner[0]. */
  readonly ownerW: number;
  /** Word index of the strategy's first word. */
  readonly freeW: number;
  readonly blocks: number;
  /** This isolate's id (the mutex records its holder). */
  readonly id: number;
  /** Whether Atomics.wait may block here (false on a browser's main thread). */
  readonly canWait: boolean;

  constructor(a: Int32Array, g: Geometry, id: number, canWait: boolean) {
    this.a = a;
    this.ownerW = g.ownerOffset >> 2;
    this.freeW = g.freeOffset >> 2;
    this.blocks = g.blocks;
    this.id = id;
    this.canWait = canWait;
  }

  abstract pop(n: number, out: Int32Array, tag: number): number;
  abstract push(idx: Int32Array, n: number, expect: number): number;

  /** Lays out a fresh buffer's structure with every block free. Runs before any other isolate sees it. */
  abstract init(): void;

  /**
   * Generic reclaim for the lock-free lists: collect the dead isolate's lent and cached blocks and
   * push each group with its tag as `expect`, so a block the dead isolate's release had already
   * freed (tag gone) is not pushed twice.
   */
  reclaim(id: number): number {
    const a = this.a;
    const lent = new Int32Array(this.blocks);
    const cached = new Int32Array(this.blocks);
    let nl = 0;
    let nc = 0;
    for (let k = 0; k < this.blocks; k++) {
      // INVARIANT: a dead isolate's tags change only through this reclaim or a live isolate's
      // cross-isolate release (CAS +id -> 0), which push's own CAS below tolerates.
      const w = Atomics.load(a, this.ownerW + k);
      if (w === id) lent[nl++] = k;
      else if (w === -id) cached[nc++] = k;
    }
    return this.push(lent, nl, id) + this.push(cached, nc, -id);
  }

  /** Adds to the shared free count after a push (negative after a pop). */
  protected count(delta: number): void {
    // INVARIANT: FREE_COUNT follows the structure (after a push, after a pop); it is a statistic and
    // the futex word, never a gate for correctness, so a transient error of one batch is harmless.
    Atomics.add(this.a, H.FREE_COUNT, delta);
  }

  /**
   * Backs off after a failed round: a few spins, then a short Atomics.wait where blocking is allowed
   * (the other party may have been descheduled: the 2-vCPU box here runs more threads than cores).
   */
  protected backoff(round: number): void {
    this.retries++;
    if (round < SPIN_ROUNDS || !this.canWait) return;
    // INVARIANT: waits on a word nobody notifies with a value it holds: a pure timed sleep of 0-1 ms.
    Atomics.wait(this.a, H.MAGIC, Atomics.load(this.a, H.MAGIC), BACKOFF_WAIT_MS);
  }
}

/**
 * Failed rounds spun before backing off to a timed wait. A competitor's batch round is a few dozen
 * Atomics ops (benchmarks/README.md, fact `atomics-op`); 64 failed rounds outlast several of them, after which the
 * competitor has most likely been descheduled and sleeping beats burning the shared core.
 */
export const SPIN_ROUNDS = 64;

/** The timed wait of a backoff: the shortest sleep the timer resolution makes meaningful. */
export const BACKOFF_WAIT_MS = 1;
