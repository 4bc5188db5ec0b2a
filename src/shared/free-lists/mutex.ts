/**
 * The mutex free list: an Int32Array stack of free indices behind one Atomics lock.
 *
 * ## The trick
 *
 * The lock word holds `holder id << 1 | contended`. Taking it is one compareExchange(0 -> id << 1);
 * giving it back is one exchange(0), plus a notify only when the contended bit says someone sleeps
 * (Drepper's "futexes are tricky" mutex 2). A contender spins a little (a batch critical section is a
 * few dozen Atomics ops), then sets the contended bit and sleeps in Atomics.wait: a futex, not a pure
 * spin. Inside the lock everything is plain typed-array access except the owner words, which other
 * isolates CAS outside the lock (cross-isolate releases, claims from the fallback bits).
 *
 * ## Invariants
 *
 * - The stack holds every block freed under the lock; it may also hold stale entries (a block whose
 *   owner word is no longer 0: a racing double release leaves one) and duplicates. A pop claims each
 *   entry by CAS and drops what it cannot claim; a push that finds the stack full rebuilds it from
 *   the owner table (every word that reads 0), which drops stale entries and duplicates alike.
 * - The owner table is the ground truth, so a rebuild is always a correct stack, whatever a dead
 *   holder left half done: an owner word zeroed but not pushed, a stack written but not its top.
 *
 * ## A lock nobody gives back
 *
 * A holder that dies keeps the lock. Nobody waits for it for ever: `lock()` gives up once one
 * section (the same holder, the same lock sequence, bumped by every holder) has held the lock for
 * PATIENCE_MS (free-list.ts) and it has woken LOCK_WAKES times in that section (so its own time off
 * the CPU is not counted against the holder), and remembers the word and sequence it gave up on, so while both still
 * read the same the next call gives up at once. A lock that keeps changing hands is alive: a call
 * waits on it (never past STARVED_MS in all), so a busy live lock does not pass for a dead one (a
 * single 100 ms budget did: two workers in the contention harness on the loaded 2-vCPU VM, one
 * starved of the lock, reported "exhausted" with 4,096 blocks free, 2026-11-22). A pop that cannot take the lock scans the fallback bits; a push frees its blocks through
 * them. `reclaim(id)` of the holder breaks the lock (the word names it), frees its blocks and
 * rebuilds the stack; `reclaim(x)` while another dead isolate holds the lock frees x's blocks
 * through the bits, without the lock.
 *
 * ## Alternatives rejected
 *
 * A pure spin lock (benchmarks/README.md, facts `spin-mutex` and `spin-mutex-2-workers`: several
 * times slower a pair per thread with two workers than alone): under oversubscription a spinner
 * burns the core the holder needs. Holder id in a separate word: a holder killed between taking the
 * lock and writing its id would leave a lock nobody can name. Parking a release that cannot take the
 * lock in the releasing isolate: the block would be out of reach of every other isolate, and of
 * every isolate if the parker died; the bits serve it at once, to anyone.
 */
import { FreeListBase, now, PATIENCE_MS, SPIN_ROUNDS } from './free-list.js';
import { H, MUTEX } from '../layout.js';
import { TRANSIT } from '../ownership.js';

/**
 * Longest a call waits for a lock that keeps changing hands without reaching it (starvation, not a
 * dead holder): ten sections' worth of patience, after which a pop reports short and a push frees
 * through the bits, rather than wait on other isolates' progress without end.
 */
const STARVED_MS = 10 * PATIENCE_MS;

/**
 * A waiter sleeps at most this long at a time on a held lock (a live holder's unlock wakes it
 * sooner), and gives up on one section only after LOCK_WAKES of its own wake-ups besides
 * PATIENCE_MS: on a box with more runnable threads than cores, the waiter's own time off the CPU
 * is not the holder's (CI, load average 22 on 2 vCPUs, 2026-11-22: a waiter woke once, after more
 * than PATIENCE_MS, and gave up on a live holder with 1,024 blocks free). Bounded all the same: each
 * wake-up costs at most LOCK_SLICE_MS plus the scheduler's delay.
 */
const LOCK_SLICE_MS = 10;
const LOCK_WAKES = PATIENCE_MS / LOCK_SLICE_MS;

/** Rounds `reclaim` tries to take over a dead holder's word: only waiters change it (once, the contended bit). */
const BREAK_ROUNDS = 4;

export class MutexFreeList extends FreeListBase {
  private readonly lockW = this.freeW + MUTEX.LOCK;
  private readonly topW = this.freeW + MUTEX.TOP;
  private readonly seqW = this.freeW + MUTEX.SEQ;
  private readonly stackW = this.freeW + MUTEX.STACK;
  /** The lock word and sequence this isolate last gave up on (0, 0: none). */
  private stuckWord = 0;
  private stuckSeq = 0;

  init(): void {
    const a = this.a;
    const blocks = this.blocksNow();
    // Highest index on top: a fresh pool lends 0, 1, 2, ... in order.
    for (let k = 0; k < blocks; k++) a[this.stackW + k] = blocks - 1 - k;
    a[this.topW] = blocks;
    a[H.FREE_COUNT] = blocks;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    let c = 0;
    if (this.lock()) {
      this.step('pop:locked');
      const a = this.a;
      const blocks = this.blocksNow();
      let top = this.top();
      while (c < n && top > 0) {
        const k = a[this.stackW + --top]!;
        // A damaged entry (out of range) or a stale one (not free) is dropped.
        if (this.exists(k, blocks) && this.claim(k, tag)) {
          out[c++] = k;
          this.step('pop:claimed');
        } else {
          this.retries++;
        }
      }
      a[this.topW] = top;
      this.step('pop:top');
      this.unlock();
    }
    if (c < n) c = this.takeFromBits(n, out, c, tag);
    return c;
  }

  push(idx: Int32Array, n: number, expect: number): number {
    let c = 0;
    if (!this.lock()) {
      for (let j = 0; j < n; j++) if (this.freeToBits(idx[j]!, expect)) c++;
    } else {
      this.step('push:locked');
      const a = this.a;
      let top = this.top();
      for (let j = 0; j < n; j++) {
        const k = idx[j]!;
        // INVARIANT: the CAS decides between racing releases; only the winner frees the block.
        if (Atomics.compareExchange(a, this.ownerW + k, expect, 0) !== expect) continue;
        c++;
        this.step('push:freed');
        // A full stack holds stale entries or duplicates: the rebuild keeps each free block once (k included).
        if (top < this.capacity) a[this.stackW + top++] = k;
        else top = this.rebuild();
      }
      a[this.topW] = top;
      this.step('push:top');
      this.unlock();
    }
    return c;
  }

  /** Breaks the lock if the dead isolate holds it, frees its blocks and rebuilds; else frees them through the bits. */
  override reclaim(id: number): number {
    if (!this.breakLockOf(id)) return super.reclaim(id);
    this.step('reclaim:broken');
    const a = this.a;
    const t = TRANSIT | id;
    let freed = 0;
    // INVARIANT: the count once; a growth waits for the lock we hold, so none is under way.
    const blocks = Math.min(Atomics.load(a, H.NBLOCKS) >>> 0, this.capacity);
    for (let k = 0; k < blocks; k++) {
      const w = this.ownerW + k;
      // INVARIANT: a dead isolate's tags move only by CAS (here, or a live isolate's release of +id).
      const o = Atomics.load(a, w);
      if ((o === id || o === -id || o === t) && Atomics.compareExchange(a, w, o, 0) === o) freed++;
    }
    this.rebuild();
    this.unlock();
    return freed;
  }

  /** The stack's top, rebuilt first if the word is out of range (a damaged buffer). Under the lock. */
  private top(): number {
    const top = this.a[this.topW]!;
    return top >= 0 && top <= this.capacity ? top : this.rebuild();
  }

  /** Lays the stack out again from the owner table: every block whose word reads 0. Under the lock. */
  private rebuild(): number {
    const a = this.a;
    let top = 0;
    // INVARIANT: the count once; a block a grower publishes after this read reaches the stack by its push.
    const blocks = Math.min(Atomics.load(a, H.NBLOCKS) >>> 0, this.capacity);
    for (let k = 0; k < blocks; k++) {
      // INVARIANT: a snapshot; a claim racing it (from the bits) leaves a stale entry, which pops drop.
      if (Atomics.load(a, this.ownerW + k) === 0) a[this.stackW + top++] = k;
    }
    a[this.topW] = top;
    // INVARIANT: a statistic, re-based on the count just made.
    Atomics.store(a, H.FREE_COUNT, top);
    return top;
  }

  /** Takes the lock, or returns false after PATIENCE_MS (at once while the section we gave up on still holds it). */
  private lock(): boolean {
    const a = this.a;
    // INVARIANT: 0 -> id << 1 is the only way in; the winner owns the stack until unlock().
    const c = Atomics.compareExchange(a, this.lockW, 0, this.id << 1);
    if (c !== 0 && !this.lockSlow(c)) return false;
    // Ours alone while we hold the lock: a plain bump, read with Atomics.load by those who gave up.
    a[this.seqW] = (a[this.seqW]! + 1) | 0;
    return true;
  }

  private lockSlow(c: number): boolean {
    const a = this.a;
    const mine = this.id << 1;
    // INVARIANT: a snapshot: the word and sequence we gave up on still there mean the same section holds it.
    if (c === this.stuckWord && Atomics.load(a, this.seqW) === this.stuckSeq) {
      this.retries++;
      return false;
    }
    const started = now();
    // Patience runs per section: a lock that changes hands (a new holder, or the sequence moved) is
    // alive, and only one section holding it for PATIENCE_MS looks dead; STARVED_MS caps the whole.
    let since = started;
    let holder = c >>> 1;
    // INVARIANT: a snapshot of the sequence, to tell the section now holding the lock from the next.
    let seq = Atomics.load(a, this.seqW);
    let slept = false;
    let wakes = 0; // our wake-ups while the current section holds the lock
    for (let round = 0; ; round++) {
      if (c === 0) {
        // After sleeping, take it marked contended: other sleepers may remain (Drepper mutex 2).
        // INVARIANT: same entry CAS as lock(); the bit makes our unlock notify.
        c = Atomics.compareExchange(a, this.lockW, 0, slept ? mine | 1 : mine);
        if (c === 0) return true;
      }
      this.retries++;
      let left = PATIENCE_MS;
      if (round >= SPIN_ROUNDS) {
        const t = now();
        // INVARIANT: a snapshot; a new value means another section took the lock since.
        const s = Atomics.load(a, this.seqW);
        if (c >>> 1 !== holder || s !== seq) {
          holder = c >>> 1;
          seq = s;
          since = t;
          wakes = 0;
        }
        const section = PATIENCE_MS - (t - since);
        left = Math.min(section <= 0 && wakes < LOCK_WAKES && this.canWait ? LOCK_SLICE_MS : section, STARVED_MS - (t - started));
      }
      if (left <= 0) {
        this.stuckWord = c;
        this.stuckSeq = seq;
        return false;
      }
      if (round < SPIN_ROUNDS || !this.canWait) {
        // INVARIANT: a snapshot; acted on only through the CAS above.
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
      // INVARIANT: sleeps only while the word is still `c` (held, contended), at most what patience
      // has left: a live holder's unlock wakes us, a dead one's never comes.
      Atomics.wait(a, this.lockW, c, Math.min(left, LOCK_SLICE_MS));
      slept = true;
      wakes++;
      this.step('lock:woke');
      // INVARIANT: a snapshot; acted on only through the CAS above.
      c = Atomics.load(a, this.lockW);
    }
  }

  private unlock(): void {
    // INVARIANT: exchange releases the stack (SC store); a set contended bit means someone may sleep.
    const c = Atomics.exchange(this.a, this.lockW, 0);
    if ((c & 1) !== 0) Atomics.notify(this.a, this.lockW, 1);
  }

  /** Takes over the lock if dead isolate `id` holds it; true when we now hold it. */
  private breakLockOf(id: number): boolean {
    const a = this.a;
    for (let round = 0; round < BREAK_ROUNDS; round++) {
      // INVARIANT: a snapshot; the CAS below takes exactly the word that named the dead holder.
      const c = Atomics.load(a, this.lockW);
      if (c >>> 1 !== id) return false;
      // INVARIANT: the word names a dead holder: take it over marked contended, so our unlock wakes sleepers.
      if (Atomics.compareExchange(a, this.lockW, c, (this.id << 1) | 1) === c) {
        a[this.seqW] = (a[this.seqW]! + 1) | 0;
        return true;
      }
    }
    return false;
  }
}
