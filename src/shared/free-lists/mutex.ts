/**
 * The mutex free list: an Int32Array stack of free indices behind one Atomics lock.
 *
 * ## The trick
 *
 * The lock word holds `holder id << 1 | contended`. Taking it is one compareExchange(0 -> id << 1);
 * giving it back is one exchange(0), plus a notify only when the contended bit says someone sleeps
 * (Drepper's "futexes are tricky" mutex 2). A contender spins a little (a batch critical section is a
 * few dozen Atomics ops), then sets the contended bit and sleeps in Atomics.wait: a futex, not a pure
 * spin. On a browser's main thread, where Atomics.wait throws, it can only keep spinning: synchronous
 * JavaScript has no way to yield; the section it waits for is short and bounded.
 *
 * Inside the lock everything is plain typed-array access except the owner words (a live isolate's
 * cross-isolate release CASes them outside the lock). Every transition of an owner word to or from 0
 * happens under the lock, so under the lock the free set is exactly {k : owner[k] == 0}.
 *
 * ## Termination safety (the strong one)
 *
 * Because the holder's id is in the lock word, `reclaim(id)` can tell that a dead isolate died inside
 * the critical section, steal the lock, and rebuild the whole stack from the owner table (the ground
 * truth above), whatever half-done push or pop the dead isolate left behind. Nothing is lost and
 * nothing is duplicated, wherever `worker.terminate()` lands.
 *
 * ## Alternatives rejected
 *
 * A pure spin lock (benchmarks/README.md, facts `spin-mutex` and `spin-mutex-2-workers`: several
 * times slower a pair per thread with two workers than alone):
 * under oversubscription a spinner burns the core the holder needs. A lock per block: more Atomics,
 * not fewer. Holder id in a separate word: a holder killed between taking the lock and writing its id
 * would deadlock everyone for good.
 */
import { FreeListBase, SPIN_ROUNDS } from './free-list.js';
import { H, MUTEX } from '../layout.js';

export class MutexFreeList extends FreeListBase {
  private readonly lockW = this.freeW + MUTEX.LOCK;
  private readonly topW = this.freeW + MUTEX.TOP;
  private readonly stackW = this.freeW + MUTEX.STACK;

  init(): void {
    const a = this.a;
    // Highest index on top: a fresh pool lends 0, 1, 2, ... in order.
    for (let k = 0; k < this.blocks; k++) a[this.stackW + k] = this.blocks - 1 - k;
    a[this.topW] = this.blocks;
    a[H.FREE_COUNT] = this.blocks;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    this.lock();
    const a = this.a;
    let top = a[this.topW]!;
    const c = n < top ? n : top;
    for (let j = 0; j < c; j++) {
      const k = a[this.stackW + --top]!;
      out[j] = k;
      // INVARIANT: k was free (owner 0) and only lock holders change a 0 owner word.
      Atomics.store(a, this.ownerW + k, tag);
    }
    a[this.topW] = top;
    // INVARIANT: FREE_COUNT is written only under the lock here, so it equals top.
    if (c > 0) Atomics.store(a, H.FREE_COUNT, top);
    this.unlock();
    return c;
  }

  push(idx: Int32Array, n: number, expect: number): number {
    this.lock();
    const a = this.a;
    let top = a[this.topW]!;
    const start = top;
    for (let j = 0; j < n; j++) {
      const k = idx[j]!;
      // INVARIANT: the CAS decides between racing releases; a loser (owner no longer `expect`)
      // does not push, so a block is never on the stack twice.
      if (Atomics.compareExchange(a, this.ownerW + k, expect, 0) === expect) a[this.stackW + top++] = k;
    }
    a[this.topW] = top;
    if (top !== start) Atomics.store(a, H.FREE_COUNT, top);
    this.unlock();
    return top - start;
  }

  /** Steals the lock if the dead isolate held it, frees its blocks, rebuilds the stack. */
  override reclaim(id: number): number {
    const a = this.a;
    // INVARIANT: a lock word (id << 1 | bit) names a dead holder: take it over marked contended, so
    // the unlock below wakes a sleeper. Otherwise queue for the lock like anyone.
    for (;;) {
      const c = Atomics.load(a, this.lockW);
      if (c >>> 1 !== id) {
        this.lock();
        break;
      }
      if (Atomics.compareExchange(a, this.lockW, c, (this.id << 1) | 1) === c) break;
    }
    let freed = 0;
    let top = 0;
    for (let k = 0; k < this.blocks; k++) {
      const w = this.ownerW + k;
      // INVARIANT: under the lock no 0-transition happens elsewhere; a dead isolate's tags move only here.
      let o = Atomics.load(a, w);
      if ((o === id || o === -id) && Atomics.compareExchange(a, w, o, 0) === o) {
        freed++;
        o = 0;
      }
      if (o === 0) a[this.stackW + top++] = k;
    }
    a[this.topW] = top;
    Atomics.store(a, H.FREE_COUNT, top);
    this.unlock();
    return freed;
  }

  private lock(): void {
    // INVARIANT: 0 -> id << 1 is the only way in; the winner owns the stack until unlock().
    const c = Atomics.compareExchange(this.a, this.lockW, 0, this.id << 1);
    if (c !== 0) this.lockSlow(c);
  }

  private lockSlow(c: number): void {
    const a = this.a;
    const mine = this.id << 1;
    let slept = false;
    for (let round = 0; ; round++) {
      if (c === 0) {
        // After sleeping, take it marked contended: other sleepers may remain (Drepper mutex 2).
        // INVARIANT: same entry CAS as lock(); the bit makes our unlock notify.
        c = Atomics.compareExchange(a, this.lockW, 0, slept ? mine | 1 : mine);
        if (c === 0) return;
      }
      this.retries++;
      if (round < SPIN_ROUNDS || !this.canWait) {
        c = Atomics.load(a, this.lockW);
        continue;
      }
      if ((c & 1) === 0) {
        // INVARIANT: set the contended bit on the exact word we saw, so the holder's unlock notifies.
        const seen = Atomics.compareExchange(a, this.lockW, c, c | 1);
        if (seen !== c) {
          c = seen;
          continue;
        }
        c |= 1;
      }
      // INVARIANT: sleeps only while the word is still `c` (held, contended): no lost wake-up.
      Atomics.wait(a, this.lockW, c);
      slept = true;
      c = Atomics.load(a, this.lockW);
    }
  }

  private unlock(): void {
    // INVARIANT: exchange releases the stack (SC store); a set contended bit means someone may sleep.
    const c = Atomics.exchange(this.a, this.lockW, 0);
    if ((c & 1) !== 0) Atomics.notify(this.a, this.lockW, 1);
  }
}
