/**
 * Michael and Scott's lock-free queue (PODC 1996) over an Int32Array: mempool's
 * `crossbeam_ms_get_put` row, as a free list of block indices with owner words (index-structure.ts).
 *
 * ## From pointers to an Int32Array
 *
 * A node is a pair of words, `next[node]` and `value[node]`, and a pointer is `node + 1` (0 is null)
 * in the low IDX_BITS bits of a word whose high bits are a tag: the paper's counted pointers. HEAD,
 * TAIL and every `next` word are such tagged words, and every CAS on one bumps its tag, so a word
 * that went A -> B -> A between a reader's load and its CAS no longer compares equal (ABA). IDX_BITS
 * is just wide enough for `blocks + 1` nodes; the rest is tag (257 nodes: 23 bits of tag).
 *
 * Nothing is garbage-collected here, so nodes are recycled by hand, without the paper's free list:
 * the queue always holds a dummy node ahead of its values, and a dequeue that swings HEAD from the
 * dummy to the next node frees the old dummy. That node is handed to the block just dequeued
 * (`nodeOf[block]`), and the block's next enqueue uses it. Every block off the queue owns one node
 * and every value on it sits in one, so `blocks + 1` nodes always suffice: no allocator, no epoch.
 *
 * ## Batches
 *
 * A pop walks up to `n` links from the dummy, stopping at the tail it read (HEAD never passes TAIL:
 * a node behind TAIL would be freed while an enqueuer may still link onto it), and swings HEAD past
 * them in one CAS; the walked nodes minus the last are freed with the old dummy, one per block. A
 * push links its nodes privately (a chain), then links the chain onto the last node in one CAS and
 * swings TAIL to the chain's end. A TAIL left behind (its swing lost to a helper, or its enqueuer
 * dead) is moved on one node at a time by whoever sees it lag.
 *
 * ## Invariants
 *
 * - Values and links of nodes on the queue change only by the CAS that links a successor onto the
 *   last node; HEAD's tag moves on every dequeue, so a walk over nodes that another pop took off
 *   (and that may be recycled) fails its HEAD CAS.
 * - `nodeOf[b]` is written by the pop that claimed b, before b is lent (claim, then plain write,
 *   then the owner word says lent); the push that frees b reads it after its owner CAS.
 * - A pop claims each dequeued block's owner word (0 -> tag); one that is not free is dropped.
 *
 * ## Deaths and patience
 *
 * A pusher killed after its owner CAS and before its chain is linked, or a popper killed after its
 * HEAD CAS and before its claims, loses that batch (free by the owner words, on no queue): lost,
 * never lent twice. One killed after linking leaves TAIL behind, which the others move on. A push
 * whose link CAS keeps losing for PATIENCE_MS frees its chain through the spill bits instead.
 */
import { IndexStructure, lineUp, WORDS_PER_LINE } from './index-structure.js';

/** Word offsets within the structure (exported for the fault tests, which write a dying isolate's state). */
export const MS = {
  HEAD: 0,
  TAIL: WORDS_PER_LINE,
  NEXT: 2 * WORDS_PER_LINE,
} as const;

export class MsQueueFreeList extends IndexStructure {
  private readonly headW: number;
  private readonly tailW: number;
  private readonly nextW: number;
  private readonly valueW: number;
  private readonly nodeOfW: number;
  private readonly bits: number;
  private readonly mask: number;
  /** A pop's walk: values and the nodes that held them. */
  private readonly _vals: Int32Array;
  private readonly _nodes: Int32Array;

  private constructor(sab: SharedArrayBuffer) {
    super(sab);
    const nodes = this.blocks + 1;
    this.headW = this.structW + MS.HEAD;
    this.tailW = this.structW + MS.TAIL;
    this.nextW = this.structW + MS.NEXT;
    this.valueW = this.nextW + lineUp(nodes);
    this.nodeOfW = this.valueW + lineUp(nodes);
    this.bits = 32 - Math.clz32(nodes);
    this.mask = (1 << this.bits) - 1;
    this._vals = new Int32Array(this.blocks);
    this._nodes = new Int32Array(this.blocks);
  }

  /** A new queue holding blocks 0 .. blocks-1, in a buffer of its own. */
  static create(blocks: number): MsQueueFreeList {
    const nodes = blocks + 1;
    const sab = IndexStructure.allocate(blocks, MS.NEXT + 2 * lineUp(nodes) + lineUp(blocks));
    const q = new MsQueueFreeList(sab);
    const a = q.a;
    // The dummy is node `blocks`; then node k holds block k, in index order.
    const dummy = blocks;
    a[q.nextW + dummy] = 1;
    for (let k = 0; k < blocks; k++) {
      a[q.valueW + k] = k;
      a[q.nextW + k] = k + 1 < blocks ? k + 2 : 0;
    }
    a[q.headW] = dummy + 1;
    a[q.tailW] = blocks;
    return q;
  }

  /** This isolate's view of a queue another isolate made. */
  static attach(sab: SharedArrayBuffer): MsQueueFreeList {
    return new MsQueueFreeList(sab);
  }

  /** Word index of node `node`'s link (for the fault tests; a link is a tagged `node + 1`). */
  linkWord(node: number): number {
    return this.nextW + node;
  }

  /** The node a tagged word points at, -1 for null (for the fault tests). */
  nodeOf(w: number): number {
    return (w & this.mask) - 1;
  }

  /** `w` with its tag bumped and its pointer set to `ptr` (node + 1, 0 = null). */
  private bump(w: number, ptr: number): number {
    return (((w >>> this.bits) + 1) << this.bits) | ptr;
  }

  pop(n: number, out: Int32Array, tag: number): number {
    const c = this.dequeue(Math.min(n, this.blocks), out, tag);
    return c < n ? this.takeSpilled(n, out, c, tag) : c;
  }

  /** Takes up to `n` blocks off the queue in one HEAD CAS; 0 when empty (or after PATIENCE_MS of lost rounds). */
  private dequeue(n: number, out: Int32Array, tag: number): number {
    const a = this.a;
    const mask = this.mask;
    let since = 0;
    for (let round = 0; ; round++) {
      // Every retry backs off, and gives up (nothing popped) after PATIENCE_MS of them.
      if (round > 0) {
        if (since === 0) since = performance.now();
        if (!this.backoff(round, since)) return 0;
      }
      // INVARIANT: the head our CAS below expects; everything read after it is checked by that CAS.
      const h = Atomics.load(a, this.headW);
      // INVARIANT: read after HEAD: TAIL only moves forward, so it is at or past this head.
      const t = Atomics.load(a, this.tailW);
      const hp = h & mask;
      // INVARIANT: the dummy's link; a stale one (the dummy recycled) fails the HEAD CAS.
      const first = Atomics.load(a, this.nextW + hp - 1);
      let np = first & mask;
      if (np === 0) {
        // INVARIANT: empty only if HEAD has not moved since: otherwise this was a recycled dummy.
        if (Atomics.load(a, this.headW) === h) return 0;
        continue;
      }
      const tp = t & mask;
      if (hp === tp) {
        // INVARIANT: TAIL lags behind a linked node: move it on one node, then retry.
        Atomics.compareExchange(a, this.tailW, t, this.bump(t, np));
        continue;
      }
      let c = 0;
      let cur = hp;
      while (c < n && np !== 0) {
        cur = np;
        this._nodes[c] = np - 1;
        this._vals[c++] = a[this.valueW + np - 1]!;
        if (np === tp) break;
        np = a[this.nextW + np - 1]! & mask;
      }
      // INVARIANT: succeeds only if no dequeue happened since our load: the walk was the queue's.
      if (Atomics.compareExchange(a, this.headW, h, this.bump(h, cur)) === h) {
        let k = 0;
        for (let j = 0; j < c; j++) {
          const v = this._vals[j]!;
          if (!this.claim(v, tag)) continue; // a stale entry: its node is left unused
          // The freed nodes: the old dummy, then each walked node but the new dummy.
          a[this.nodeOfW + v] = j === 0 ? hp - 1 : this._nodes[j - 1]!;
          out[k++] = v;
        }
        if (k > 0) {
          this.count(-k);
          return k;
        }
      }
    }
  }

  push(idx: Int32Array, n: number, expect: number): number {
    const a = this.a;
    const mask = this.mask;
    let c = 0;
    for (let j = 0; j < n; j++) {
      const k = idx[j]!;
      // INVARIANT: the CAS decides between racing releases; only winners go on (compacted in place).
      if (Atomics.compareExchange(a, this.ownerW + k, expect, 0) === expect) idx[c++] = k;
    }
    if (c === 0) return 0;
    // The chain: each block in the node it owns, linked privately, the last one's link null.
    let first = 0;
    let prev = -1;
    for (let j = 0; j < c; j++) {
      const node = a[this.nodeOfW + idx[j]!]!;
      a[this.valueW + node] = idx[j]!;
      if (prev < 0) first = node + 1;
      else this.relink(prev, node + 1);
      prev = node;
    }
    this.relink(prev, 0);
    const last = prev + 1;
    let since = 0;
    for (let round = 0; ; round++) {
      if (round > 0) {
        if (since === 0) since = performance.now();
        if (!this.backoff(round, since)) {
          // Never linked after PATIENCE_MS of lost rounds: the chain's blocks go to the spill bits.
          for (let j = 0; j < c; j++) this.spill(idx[j]!);
          break;
        }
      }
      // INVARIANT: the tail and its link, checked by the CAS that links onto it.
      const t = Atomics.load(a, this.tailW);
      const tp = t & mask;
      const nx = Atomics.load(a, this.nextW + tp - 1);
      if ((nx & mask) !== 0) {
        // INVARIANT: TAIL lags: move it on one node (any isolate may), then retry.
        Atomics.compareExchange(a, this.tailW, t, this.bump(t, nx & mask));
        continue;
      }
      // INVARIANT: links the chain onto the last node only if its link is still the null we read.
      if (Atomics.compareExchange(a, this.nextW + tp - 1, nx, this.bump(nx, first)) === nx) {
        // INVARIANT: swings TAIL to the chain's end; losing to a helper leaves it behind, moved on by others.
        Atomics.compareExchange(a, this.tailW, t, this.bump(t, last));
        break;
      }
    }
    this.count(c);
    return c;
  }

  /** Points a private node's link at `ptr`, bumping its tag (an enqueuer holding a stale view of it then fails). */
  private relink(node: number, ptr: number): void {
    const w = this.nextW + node;
    // INVARIANT: the node is ours (off the queue); the store publishes with the chain's linking CAS.
    Atomics.store(this.a, w, this.bump(Atomics.load(this.a, w), ptr));
  }
}
