/**
 * The shared free list as one SharedPool attachment draws on it: single pops for the cache-off
 * path and waiters, the cache's batch refills and spills, growing the pool when a pop finds nothing
 * (growth.ts), and the wake-ups and dry flag every push and short pop owe waiters (futex.ts).
 */
import type { BlockTable, SharedBlock } from './block-table.js';
import type { FreeList } from './free-lists/free-list.js';
import type { PushFutex } from './futex.js';
import type { Growth } from './growth.js';

/**
 * Pops a growing pool tries around one acquire or refill: a growth can be taken by other isolates
 * before our pop reaches it; a few rounds ride out such a herd, and a bound keeps one call short.
 */
const GROW_ROUNDS = 4;

export class SharedSource {
  /** Indices moved by one free-list call. */
  readonly scratch: Int32Array;
  private readonly _free: FreeList;
  private readonly _growth: Growth | undefined;
  private readonly _blocks: BlockTable;
  private readonly _futex: PushFutex;
  /** `-id`: the tag of blocks idle in this isolate's cache. */
  private readonly _cachedTag: number;
  /** Blocks a cache refill asks the shared list for. */
  private readonly _batch: number;

  constructor(free: FreeList, growth: Growth | undefined, blocks: BlockTable, futex: PushFutex, cachedTag: number, batch: number, scratch: number) {
    this._free = free;
    this._growth = growth;
    this._blocks = blocks;
    this._futex = futex;
    this._cachedTag = cachedTag;
    this._batch = batch;
    this.scratch = new Int32Array(Math.max(scratch, batch, 1));
  }

  /**
   * Pops up to `n` blocks tagged `tag` into `scratch`; when the list has none and the pool can
   * grow, grows it and pops again. Returns how many.
   */
  pop(n: number, tag: number): number {
    const growth = this._growth;
    if (growth === undefined) return this._free.pop(n, this.scratch, tag);
    for (let round = 1; ; round++) {
      const seen = growth.seen();
      const k = this._free.pop(n, this.scratch, tag);
      if (k > 0 || round === GROW_ROUNDS || !growth.grow(seen)) return k;
    }
  }

  /** One block from the shared list, tagged `tag`; undefined (and the list marked dry) when none. */
  one(tag: number): SharedBlock | undefined {
    if (this.pop(1, tag) === 1) return this._blocks.at(this.scratch[0]!);
    this._futex.markDry();
    return undefined;
  }

  /** The cache's source: up to `n` blocks (at most a batch) from the shared list, in one lock or CAS round. */
  refill(n: number, out: SharedBlock[]): number {
    const want = Math.min(n, this._batch);
    const k = this.pop(want, this._cachedTag);
    for (let j = 0; j < k; j++) out[j] = this._blocks.at(this.scratch[j]!);
    if (k < want) this._futex.markDry();
    return k;
  }

  /** The cache's sink: idle blocks back to the shared list in one round. */
  spill(blocks: readonly SharedBlock[]): void {
    const idx = blocks.length <= this.scratch.length ? this.scratch : new Int32Array(blocks.length);
    for (let j = 0; j < blocks.length; j++) idx[j] = blocks[j]!.index;
    // Blocks whose word is no longer -id were reclaimed while this isolate lived: the push skips them.
    this._futex.wake(this._free.push(idx, blocks.length, this._cachedTag));
  }
}
