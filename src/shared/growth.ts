/**
 * Growth: a pool made with `maxBlocks` above `blocks` adds blocks when an acquire finds none free,
 * up to `maxBlocks`, in a growable SharedArrayBuffer that every attached isolate sees grow (its
 * length is the memory's, not the object's): no new handle, no message.
 *
 * ## The protocol: a cold path under the free list's rules
 *
 * 1. An isolate whose pop came back empty, having read GROWTHS = s before that pop, takes the
 *    growth lock (GROWER 0 -> id, by CAS). Under it, GROWTHS still s means no growth finished since
 *    that pop: it grows; else it unlocks and pops again. So isolates that find the pool dry at once
 *    add one chunk between them, not one each. The sequence is GROWTHS, bumped after the push
 *    (step 5), not NBLOCKS: an isolate that read NBLOCKS after a grower published it but popped
 *    before that grower's push would otherwise grow a second chunk with the first one free (two
 *    workers, Treiber: 32 blocks made where 24 were needed, tests/shared-pool-growth.test.ts).
 * 2. With n = NBLOCKS (under the lock only the holder moves it), it grows the buffer to the size at
 *    `target = min(maxBlocks, n + grow)` blocks (`grow` 0 means n: doubling). `sab.grow` to a size
 *    already reached is a no-op.
 * 3. It tags the new blocks' owner words `-id` (cached here), then raises NBLOCKS to `target`: the
 *    blocks exist from then on, and scans bounded by NBLOCKS (stats, reclaim, attach) see them.
 * 4. It frees them with the free list's own push (expect `-id`), as a cache spill frees blocks:
 *    into the structure or its fallback bits, with its claims, transit words and patience.
 * 5. It bumps GROWTHS, unlocks (GROWER 0) and wakes isolates waiting for it, and for blocks.
 *
 * ## Deaths (the fault tests write each state)
 *
 * - Locked, nothing else written: the lock names a dead isolate. Others wait PATIENCE_MS for that
 *   holder once, then give up at once while it holds (acquire throws ERR_POOL_EXHAUSTED,
 *   tryAcquire returns undefined) until `reclaim(id)` breaks the lock; the next dry acquire grows.
 * - Grown, or tagged: the buffer is longer and owner words past NBLOCKS read `-id`, invisible to
 *   every scan. The next grower grows to the same size (nothing to do) and tags them its own.
 * - Published, pushed in part or whole: NBLOCKS counts the new blocks, GROWTHS does not; those not
 *   yet pushed carry `-id`, and `reclaim(id)` frees them as it frees any dead isolate's cached
 *   blocks. The next grower grows from the NBLOCKS it reads.
 *
 * Nothing is lost and nothing lent twice; until reclaim, at most the chunk being added is out of
 * reach.
 *
 * ## Alternatives rejected
 *
 * - Growing without a lock, by CAS on NBLOCKS from n to target: the winner's blocks would exist
 *   before their memory does (a pop could lend one whose bytes are not there yet), or the buffer
 *   would grow before the count is won (two growers, two chunks).
 * - A new SharedArrayBuffer per chunk: every isolate would need the new one posted to it, and a
 *   block's index would no longer say where its bytes are.
 */
import { now, PATIENCE_MS, SPIN_ROUNDS, type FreeListBase } from './free-lists/free-list.js';
import { bytesFor, H, type Geometry } from './layout.js';

/** The growth lock's sleep between looks when the holder does not notify in time: its ms. */
const WAIT_SLICE_MS = 1;

export class Growth {
  /** Test seam (documented in tests/shared-pool-growth.test.ts): called at each step; a throw stops there, as a death would. */
  onStep: ((step: string) => void) | undefined = undefined;
  /** Growths this isolate made. */
  grown = 0;
  private readonly _a: Int32Array;
  private readonly _sab: SharedArrayBuffer & { grow(n: number): void };
  private readonly _g: Geometry;
  private readonly _id: number;
  private readonly _free: FreeListBase;
  private readonly _canWait: boolean;
  private readonly _onGrown: (added: number) => void;
  /** The lock word and growth count this isolate last gave up on (0: none): give up at once while they hold. */
  private _stuck = 0;
  private _stuckAt = 0;

  constructor(a: Int32Array, sab: SharedArrayBuffer, g: Geometry, id: number, free: FreeListBase, canWait: boolean, onGrown: (added: number) => void) {
    this._a = a;
    this._sab = sab as SharedArrayBuffer & { grow(n: number): void };
    this._g = g;
    this._id = id;
    this._free = free;
    this._canWait = canWait;
    this._onGrown = onGrown;
  }

  /** The growth sequence: read before a pop, handed to `grow` if the pop comes back empty. */
  seen(): number {
    // INVARIANT: bumped once per finished growth, after its push; compared under the lock to tell a growth since.
    return Atomics.load(this._a, H.GROWTHS);
  }

  /** Blocks that exist now, never past maxBlocks (a damaged word means "cannot grow", not a growth out of the tables). */
  private _blocks(): number {
    // INVARIANT: NBLOCKS only grows, written only by the lock's holder.
    return Math.min(Atomics.load(this._a, H.NBLOCKS) >>> 0, this._g.maxBlocks);
  }

  /**
   * After a pop that found nothing, with GROWTHS = `seen` read before it: adds a chunk, or waits for
   * the isolate adding one. True when blocks were added since `seen` (pop again); false when the
   * pool is at maxBlocks, or a grower held the lock past PATIENCE_MS.
   */
  grow(seen: number): boolean {
    const a = this._a;
    if (this._blocks() >= this._g.maxBlocks) return false;
    let holder = 0;
    let since = 0;
    const start = now();
    for (let round = 0; ; round++) {
      if (this.seen() !== seen) return true;
      // INVARIANT: 0 -> id takes the growth lock; only the holder writes NBLOCKS and grows the buffer.
      const c = Atomics.compareExchange(a, H.GROWER, 0, this._id);
      if (c === 0) return this._growLocked(seen);
      // INVARIANT: a snapshot of the growth count, to tell the section holding the lock now from a later one.
      const at = Atomics.load(a, H.GROWTHS);
      if (c === this._stuck && at === this._stuckAt) return false;
      const t = now();
      if (c !== holder) {
        holder = c;
        since = t;
      } else if (t - since >= PATIENCE_MS) {
        this._stuck = c;
        this._stuckAt = at;
        return false;
      }
      // Holders that keep changing without the count moving (each one failing to grow): bounded all the same.
      if (t - start >= 2 * PATIENCE_MS) return false;
      // INVARIANT: sleeps only while the lock still names that holder; its unlock notifies.
      if (round >= SPIN_ROUNDS && this._canWait) Atomics.wait(a, H.GROWER, c, WAIT_SLICE_MS);
    }
  }

  /** Steps 2-5 of the protocol, holding the lock, with GROWTHS = `seen` when our pop found nothing. */
  private _growLocked(seen: number): boolean {
    const a = this._a;
    const g = this._g;
    this._step('grow:locked');
    // Another's growth finished since our pop: its blocks were pushed after our pop looked.
    if (this.seen() !== seen) {
      this._unlock();
      return true;
    }
    const n = this._blocks();
    if (n >= g.maxBlocks) {
      this._unlock();
      return false;
    }
    const target = Math.min(g.maxBlocks, n + (g.grow === 0 ? n : g.grow));
    const bytes = bytesFor(g, target);
    try {
      if (this._sab.byteLength < bytes) this._sab.grow(bytes);
    } catch (error) {
      this._unlock(); // out of memory: no growth, and no lock left held
      throw error;
    }
    this._step('grow:grown');
    const tag = -this._id;
    // INVARIANT: blocks past NBLOCKS are nobody's: tag them ours before they exist, so a death from
    // the moment they do leaves them to reclaim.
    for (let k = n; k < target; k++) Atomics.store(a, this._free.ownerW + k, tag);
    this._step('grow:tagged');
    // INVARIANT: the buffer holds them and they carry our tag: from here they exist.
    Atomics.store(a, H.NBLOCKS, target);
    this._step('grow:published');
    const idx = new Int32Array(target - n);
    for (let k = n; k < target; k++) idx[k - n] = k;
    const freed = this._free.push(idx, idx.length, tag);
    this._step('grow:pushed');
    // INVARIANT: a statistic, and the sequence waiters tell growth sections apart by.
    Atomics.add(a, H.GROWTHS, 1);
    this.grown++;
    this._unlock();
    this._onGrown(freed);
    return true;
  }

  private _unlock(): void {
    // INVARIANT: only the holder stores 0; notify wakes every isolate sleeping on the lock.
    Atomics.store(this._a, H.GROWER, 0);
    Atomics.notify(this._a, H.GROWER);
  }

  /** `reclaim(id)` of a dead isolate: breaks the growth lock if that isolate holds it. */
  breakLockOf(id: number): void {
    // INVARIANT: id -> 0 only if the dead isolate still holds it; a live holder is never robbed.
    if (Atomics.compareExchange(this._a, H.GROWER, id, 0) === id) Atomics.notify(this._a, H.GROWER);
  }

  private _step(name: string): void {
    const hook = this.onStep;
    if (hook !== undefined) hook(name);
  }
}
