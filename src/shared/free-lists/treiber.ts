/**
 * The Treiber free list: a lock-free stack of block indices with a tagged 32-bit head.
 *
 * ## The trick
 *
 * The head word packs `tag << IDX_BITS | (top index + 1)` (0 = empty), where IDX_BITS is just wide
 * enough for `blocks` and every remaining bit is tag. Each successful CAS on the head bumps the tag,
 * so a head that went A -> B -> A between a reader's load and its CAS no longer compares equal (ABA).
 * A batch is one CAS: a pop walks up to `n` next links from the head it loaded and swings the head
 * past them; a push links its batch privately and swings the head onto its first element.
 *
 * ## Invariants
 *
 * - `next[k]` holds `index + 1` of the block below k (0 = bottom) while k is on the stack, and
 *   UNLINKED (-1) once a pop took it off. A push reserves each node's link by CAS from UNLINKED, so
 *   a node is linked by one push at a time and never while still on the stack: a block a racing
 *   double release left on the stack (a stale entry) is freed through the fallback bits instead of
 *   being linked twice, which would cut the stack or close it into a cycle.
 * - A pop claims each node it walked (owner CAS, free-list.ts) before its head CAS, and drops what
 *   it cannot claim: a stale entry never lends its block twice.
 * - A push moves each owner word to TRANSIT | me, publishes, then zeroes it; a pop meeting a node in
 *   transit claims it (the pusher's last CAS then fails, harmlessly).
 *
 * ## Deaths and lost races
 *
 * A pusher that dies leaves TRANSIT | id on its batch, published or not; a popper, its tag on what
 * it claimed, unlinked or not: `reclaim(id)` frees both through the bits, a second entry at worst.
 * A pop whose head CAS loses gives its claims back (owner -> 0) and then reads each node's link: a
 * node another pop unlinked meanwhile (UNLINKED) goes to the bits. A pop that unlinks a node it
 * could not claim marks it UNLINKED and then reads its owner: a node given back meanwhile goes to
 * the bits. Each side writes, then reads the other's word (SC Atomics), so one of them sees the
 * other and the node is never left free and unreachable. Left: a pop killed between unlinking
 * and marking leaves those links unmarked, so the blocks go through the bits for good (slower,
 * never lost), and a node given back in exactly that window stays unreachable until reclaim finds
 * nothing of it (a death inside a lost race: not seen in the fault and kill tests).
 *
 * ## Limits, honestly
 *
 * - ABA is rarer, not impossible: with 65,535 blocks the tag has 16 bits, and a reader stalled across
 *   exactly a multiple of 65,536 head changes that restore its head would corrupt the stack. Fewer
 *   blocks leave more tag bits (64 blocks: 25 bits). The bitmap list is ABA-free by construction.
 * - Unbatched and single-threaded it is slower than the spin mutex (benchmarks/README.md, facts
 *   `treiber-unbatched` and `spin-mutex`): two CASes a pair against one lock round.
 *
 * ## Alternative rejected
 *
 * The plain stack (owner zeroed before the head CAS, links written without a reservation, owner
 * stored after the pop): 1.6x cheaper a pair with the cache off (`treiber_get_put` 228 ns against
 * 374, medians of 6 alternating `npm run bench` runs, Node 20.20.2, 2-vCPU VM, 2026-11-22), but a
 * racing double release closed the stack into a cycle, and a worker killed mid-push or mid-pop lost
 * its batch. The cached path, the default, never reaches this code on a hit.
 */
import { FreeListBase, now } from './free-list.js';
import type { Geometry } from '../layout.js';
import { H, TREIBER } from '../layout.js';

/** A node's link once a pop took it off the stack. */
const UNLINKED = -1;

/**
 * Stale entries one pop walk takes off at most, besides the blocks it claims: enough for the few
 * a racing double release or a reclaim leaves, bounded so one call stays short.
 */
const STALE_WALK = 64;

/**
 * Rounds a pop retries on a fresh head when the top node is claimed by someone else (another pop
 * is ahead of us) before treating it as a stale entry to drop.
 */
const CONTEST_ROUNDS = 4;

export class TreiberFreeList extends FreeListBase {
  private readonly headW = this.freeW + TREIBER.HEAD;
  private readonly nextW = this.freeW + TREIBER.NEXT;
  /** Bits of the head that hold index + 1. */
  private readonly bits: number;
  private readonly mask: number;
  private readonly stale = new Int32Array(STALE_WALK);

  constructor(a: Int32Array, g: Geometry, id: number, canWait: boolean) {
    super(a, g, id, canWait);
    // Sized for maxBlocks: the head's format must not change when the pool grows.
    this.bits = 32 - Math.clz32(g.maxBlocks);
    this.mask = (1 << this.bits) - 1;
  }

  init(): void {
    const a = this.a;
    const blocks = this.blocksNow();
    // 0 on top, then 1, 2, ...: a fresh pool lends in index order. Nodes a growth will add are off
    // the stack (UNLINKED), so their first push reserves their links as any push does.
    for (let k = 0; k < blocks; k++) a[this.nextW + k] = k + 2 > blocks ? 0 : k + 2;
    for (let k = blocks; k < this.capacity; k++) a[this.nextW + k] = UNLINKED;
    a[this.headW] = 1;
    a[H.FREE_COUNT] = blocks;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    const a = this.a;
    let c = 0;
    let since = 0;
    // Nodes one round claims at most: halved by every lost head CAS, since the claims lengthen the
    // window between our head load and our CAS, and a batch that long loses to every short operation
    // of a busy neighbour (it did, for 100 ms at a time: two workers, cache 32, the loaded 2-vCPU
    // VM, 2026-11-22, reported "exhausted" with 4,096 blocks free).
    let batch = n;
    // A won round takes at least one node off (the stack holds at most `capacity`); a lost one backs
    // off, and backoff() bounds those. One counter for both would let a small pool's pop give up
    // after a handful of lost races against a live neighbour: a false "exhausted".
    const blocks = this.blocksNow();
    let lost = 0;
    for (let won = 0; c < n && won <= this.capacity; ) {
      // INVARIANT: the head (tag, top) we CAS against below; links read after it are checked by that CAS.
      const h = Atomics.load(a, this.headW);
      let t = h & this.mask;
      if (t === 0) break;
      let got = 0;
      let stale = 0;
      let retry = false;
      let cut = false;
      while (t !== 0 && got < batch && c + got < n && stale < STALE_WALK) {
        const k = t - 1;
        if (!this.exists(k, blocks)) {
          cut = true; // a link out of range is damage: what lies below is out of reach
          t = 0;
          break;
        }
        const nx = a[this.nextW + k]!;
        if (nx === UNLINKED) {
          retry = true; // a pop took k off since our head load: our CAS would fail
          break;
        }
        if (this.claim(k, tag)) {
          out[c + got++] = k;
        } else if (got === 0 && stale === 0 && lost < CONTEST_ROUNDS) {
          retry = true; // probably another pop's claim, about to swing the head
          break;
        } else {
          this.stale[stale++] = k;
        }
        t = nx > 0 && this.exists(nx - 1, blocks) ? nx : 0;
      }
      if (!retry && (got + stale > 0 || cut)) {
        this.step('pop:claimed');
        // INVARIANT: succeeds only if no push or pop happened since the load (the tag moved
        // otherwise): the walked links were the stack's, and the nodes are ours to unlink.
        if (Atomics.compareExchange(a, this.headW, h, (((h >>> this.bits) + 1) << this.bits) | t) === h) {
          this.step('pop:unlinked');
          // Off the stack and ours: a later push may link them again. A plain store suffices: that
          // push takes the owner word from us first (ordered after it); a push that still saw the
          // old link would only free through the bits.
          for (let j = 0; j < got; j++) a[this.nextW + out[c + j]!] = UNLINKED;
          for (let j = 0; j < stale; j++) this.dropStale(this.stale[j]!);
          this.retries += stale;
          c += got;
          won++;
          continue;
        }
      }
      // The head moved under us: what we claimed may be off the stack already.
      for (let j = 0; j < got; j++) this.giveBack(out[c + j]!, tag);
      batch = batch > 1 ? batch >> 1 : 1;
      if (since === 0) since = now();
      if (!this.backoff(lost++, since)) break;
    }
    if (c < n) c = this.takeFromBits(n, out, c, tag);
    return c;
  }

  push(idx: Int32Array, n: number, expect: number): number {
    const c = this.toTransit(idx, n, expect);
    if (c === 0) return 0;
    const a = this.a;
    const transit = this.transit;
    let m = 0;
    for (let j = 0; j < c; j++) {
      const k = idx[j]!;
      // INVARIANT: UNLINKED -> 0 reserves k's link; a node still on the stack keeps its link and
      // goes to the bits instead.
      if (Atomics.compareExchange(a, this.nextW + k, UNLINKED, 0) === UNLINKED) idx[m++] = k;
      else this.freeToBits(k, transit);
    }
    this.step('push:reserved');
    if (m > 0 && !this.publish(idx, m)) {
      for (let j = 0; j < m; j++) {
        // INVARIANT: never published: unreserve, then free through the bits.
        Atomics.store(a, this.nextW + idx[j]!, UNLINKED);
        this.freeToBits(idx[j]!, transit);
      }
    } else if (m > 0) {
      this.step('push:published');
      this.settle(idx, m);
    }
    return c;
  }

  /** Links the reserved nodes `idx[0..m)` privately and swings the head onto them; false after PATIENCE_MS of lost CASes. */
  private publish(idx: Int32Array, m: number): boolean {
    const a = this.a;
    for (let j = 0; j + 1 < m; j++) a[this.nextW + idx[j]!] = idx[j + 1]! + 1;
    const last = this.nextW + idx[m - 1]!;
    const first = idx[0]! + 1;
    let since = 0;
    for (let round = 0; ; round++) {
      // INVARIANT: the head our batch goes on top of; the CAS below fails if it moved.
      const h = Atomics.load(a, this.headW);
      a[last] = h & this.mask;
      // INVARIANT: publishes the privately linked batch on top of exactly the head it was linked to.
      if (Atomics.compareExchange(a, this.headW, h, (((h >>> this.bits) + 1) << this.bits) | first) === h) return true;
      if (since === 0) since = now();
      if (!this.backoff(round, since)) return false;
    }
  }

  /** After a lost head CAS: gives a claimed node back, to the bits if a pop unlinked it meanwhile. */
  private giveBack(k: number, tag: number): void {
    const a = this.a;
    // INVARIANT: tag -> 0 first, then read the link: pairs with dropStale's store-then-read.
    Atomics.compareExchange(a, this.ownerW + k, tag, 0);
    if (Atomics.load(a, this.nextW + k) === UNLINKED) this.freeToBits(k, 0);
  }

  /** After unlinking a node it could not claim: marks it, then frees it to the bits if it turned free. */
  private dropStale(k: number): void {
    const a = this.a;
    // INVARIANT: mark first, then read the owner: pairs with giveBack's CAS-then-read.
    Atomics.store(a, this.nextW + k, UNLINKED);
    if (Atomics.load(a, this.ownerW + k) === 0) this.freeToBits(k, 0);
  }
}
