/**
 * Waiting for a block across isolates: the futex words of a SharedPool's header.
 *
 * ## The protocol
 *
 * The futex word is PUSH_GEN, a header word on its own line that every push freeing a block bumps
 * with Atomics.add after the free list holds the block, and that never goes back. A waiter bumps
 * WAITERS, reads PUSH_GEN, tries once more, and sleeps on the value it read (Atomics.wait, or one
 * Atomics.waitAsync per isolate for all its async waiters, with a ref'd interval holding Node's
 * event loop open, since a pending waitAsync alone does not). A push reads WAITERS; if some waiter
 * is counted it bumps PUSH_GEN and notifies as many sleepers as blocks it freed. When nobody waits
 * a push does no Atomics write here at all (the bump was cut: a waiter that counts itself after
 * that read retries after the push, so it needs no bump). A count of free blocks would not do as
 * the futex word: it can go 1 -> 0 -> 1 between a waiter's read and its sleep (another isolate takes
 * the block and frees a different one, notifying before the waiter sleeps), losing the wake-up;
 * PUSH_GEN never returns to a value a waiter read. A woken waiter takes exactly one block, never a
 * cache batch, so one release serves one waiter.
 *
 * ## The dry flag
 *
 * A release goes to the cache only while the WAITERS word reads 0: no waiter anywhere, and no pop
 * has come back short (the WAITERS_DRY bit, set by a short pop, cleared by the next push that frees
 * a block). One plain read of one header word on the hot release. A waiter can only be waiting when
 * the list is empty, and then every release in every isolate goes to the list (and the releasing
 * isolate flushes its cache), so idle cached blocks cannot starve a waiter elsewhere. Left: a block
 * cached just before the list ran dry stays cached until that isolate releases again or flushes,
 * and a push racing a short pop can leave the flag set with blocks free, which costs one slow
 * release (that release's push clears it).
 *
 * ## Dead waiters
 *
 * A worker terminated while it waits skips the `finally` that undoes its WAITERS increment, and a
 * WAITERS stuck above 0 sends every release in every isolate to the shared list (the cache is off
 * for good). So each isolate with waiters also counts them in one of WAITER_SLOTS header slots it
 * claims by id, and `reclaim(id)` subtracts that count. Left: an isolate that found all slots
 * taken, or died between its WAITERS update and its slot update, still leaks one count each, which
 * costs speed only, never a block or a wake-up.
 */
import { H, WAITER_SLOTS, WAITERS_COUNT, WAITERS_DRY } from './layout.js';

/** True where Atomics.wait may block: workers, Node's main thread; false on a browser's main thread. */
export function canBlock(a: Int32Array): boolean {
  try {
    // INVARIANT: expects a value MAGIC never holds, so it returns 'not-equal' at once where allowed.
    Atomics.wait(a, H.MAGIC, ~a[H.MAGIC]!, 0);
    return true;
  } catch {
    return false;
  }
}

/** H.WAITERS as a module constant, which optimized code folds into the hot release. */
export const WAITERS_WORD = H.WAITERS;

export class PushFutex {
  private readonly _a: Int32Array;
  private readonly _tag: number;
  /** Waiters in this isolate (sync and async) counted in WAITERS, and the waiter slot they hold (-1: none). */
  private _mine = 0;
  private _slot = -1;
  /** Times this isolate went to sleep waiting for a block. */
  waits = 0;

  constructor(words: Int32Array, tag: number) {
    this._a = words;
    this._tag = tag;
  }

  /** The push generation now: read it before a last try, then sleep on it. */
  generation(): number {
    // INVARIANT: read before the try; any push the try misses bumps it after this read.
    return Atomics.load(this._a, H.PUSH_GEN);
  }

  /** Callers waiting in all isolates (a snapshot). */
  waiting(): number {
    // INVARIANT: a snapshot of the count bits, for observation only.
    return Atomics.load(this._a, H.WAITERS) & WAITERS_COUNT;
  }

  /** True when some isolate has a waiter counted. */
  anyWaiter(): boolean {
    // INVARIANT: read after the caller's push; a waiter counted by now is served by what follows it.
    return (Atomics.load(this._a, H.WAITERS) & WAITERS_COUNT) > 0;
  }

  /**
   * Counts a waiter in WAITERS and in this isolate's waiter slot (claimed by the first waiter), so
   * that reclaim can give back what a terminated isolate never undid. WAITERS goes up first and
   * down last: the slot never holds more than this isolate's share of WAITERS, so a reclaim never
   * subtracts a live waiter (which would lose its wake-ups); a death between the two leaks one count.
   */
  enter(): void {
    const a = this._a;
    if (this._mine++ === 0) {
      this._slot = -1;
      for (let k = 0; k < WAITER_SLOTS; k++) {
        // INVARIANT: 0 -> id claims a free slot; only its owner (or reclaim, once it is dead) frees it.
        if (Atomics.compareExchange(a, H.WAITER_TABLE + 2 * k, 0, this._tag) === 0) {
          this._slot = k;
          break;
        }
      }
    }
    // INVARIANT: WAITERS up before this waiter's read of PUSH_GEN, and before the slot.
    Atomics.add(a, H.WAITERS, 1);
    // INVARIANT: only this isolate changes its slot's count while it lives; after the WAITERS add.
    if (this._slot >= 0) Atomics.add(a, H.WAITER_TABLE + 2 * this._slot + 1, 1);
  }

  /** Undoes one `enter`, exactly once per waiter; frees the slot when this isolate has no waiter left. */
  leave(): void {
    const a = this._a;
    const slot = this._slot;
    // INVARIANT: the slot's count goes down before WAITERS, so it never exceeds our share of WAITERS.
    if (slot >= 0) Atomics.sub(a, H.WAITER_TABLE + 2 * slot + 1, 1);
    // INVARIANT: undoes this waiter's increment of WAITERS.
    Atomics.sub(a, H.WAITERS, 1);
    if (--this._mine === 0 && slot >= 0) {
      // INVARIANT: the slot is ours and its count is 0: id -> 0 frees it for another isolate.
      Atomics.store(a, H.WAITER_TABLE + 2 * slot, 0);
      this._slot = -1;
    }
  }

  /** Blocks the thread while PUSH_GEN still reads `seen`, at most `ms` ms. */
  sleep(seen: number, ms: number): void {
    this.waits++;
    // INVARIANT: sleeps only while PUSH_GEN still reads `seen`: no push since the caller's read.
    Atomics.wait(this._a, H.PUSH_GEN, seen, ms);
  }

  /**
   * After every push: if anyone waits, bumps the push generation and wakes as many sleepers as
   * blocks were freed; clears the dry flag if it is set. When WAITERS reads 0 (nobody waits, the
   * list was not dry) this is one Atomics.load and nothing else: no bump. That is safe because a
   * waiter counts itself in WAITERS before it reads PUSH_GEN and tries once more: a waiter that
   * counts itself after this read tries after this push put its blocks on the list, and every
   * later push reads its count and bumps.
   */
  wake(n: number): void {
    if (n <= 0) return;
    const a = this._a;
    // INVARIANT: read after the push put the blocks on the list; pairs with the waiters'
    // add-WAITERS-then-read-PUSH_GEN (see above for why 0 needs no bump).
    const word = Atomics.load(a, H.WAITERS);
    if (word === 0) return;
    // INVARIANT: the list holds a block again: clear the flag bit alone (only after it ran dry).
    if ((word & WAITERS_DRY) !== 0) Atomics.and(a, H.WAITERS, WAITERS_COUNT);
    if ((word & WAITERS_COUNT) > 0) {
      // INVARIANT: bumped after the push and before the notify; it only grows, so a waiter that
      // read the old value and has not slept yet does not sleep.
      Atomics.add(a, H.PUSH_GEN, 1);
      Atomics.notify(a, H.PUSH_GEN, n);
    }
  }

  /** A pop came back short: releases everywhere feed the shared list until the next push frees a block. */
  markDry(): void {
    const a = this._a;
    // INVARIANT: sets only the flag bit; the count bits are changed by add/sub alone. A push racing
    // this may leave the flag set with blocks free: the next release then pushes and clears it.
    if ((a[WAITERS_WORD]! & WAITERS_DRY) === 0) Atomics.or(a, WAITERS_WORD, WAITERS_DRY);
  }

  /** Takes a dead isolate's waiters out of WAITERS (a worker terminated while it waited skipped its `finally`). */
  reclaim(ownerId: number): void {
    const a = this._a;
    for (let k = 0; k < WAITER_SLOTS; k++) {
      const w = H.WAITER_TABLE + 2 * k;
      // INVARIANT: a dead isolate's slot changes only here; exchange takes its count exactly once
      // even if two isolates reclaim the same id.
      if (Atomics.load(a, w) === ownerId) {
        const c = Atomics.exchange(a, w + 1, 0);
        // INVARIANT: c never exceeds the dead isolate's share of WAITERS (see enter).
        if (c > 0) Atomics.sub(a, H.WAITERS, c);
        // INVARIANT: frees the slot; no live isolate holds it (ids are never reused).
        Atomics.compareExchange(a, w, ownerId, 0);
      }
    }
  }
}
