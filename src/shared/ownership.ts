/**
 * The owner table: one Int32 per block that says where the block is. `0` free (on the shared list
 * or its fallback bits), `+id` lent by isolate `id`, `-id` idle in isolate `id`'s cache, and
 * `TRANSIT | id` on its way to the free list by isolate `id` (published or about to be; see
 * free-lists/free-list.ts). Ids come from a header counter, one per create/attach, never reused, so
 * a stale id cannot alias a new isolate.
 *
 * - Only isolate `id` moves its blocks between `+id` and `-id`, with plain reads and writes: nothing
 *   else writes a word holding `-id`, and the only other writers of `+id` are a release or `adopt`
 *   from another isolate, a compareExchange away from `+id`.
 * - Every other transition is a compareExchange, so two isolates racing for one block cannot both
 *   win: a pop claims a word that reads 0 or TRANSIT (the claim), a push frees one that reads the
 *   tag it expects.
 * - A block whose word is not `+id` for some id is not lent: releasing or adopting it throws
 *   `ERR_DOUBLE_RELEASE`.
 *
 * ## Racing releases
 *
 * The cached release reads the owner word (`+id`) and then writes `-id`, plainly: an Atomics
 * read-modify-write would cost the hot path a builtin call (benchmarks/README.md, fact
 * `atomics-op`). A release of the same block by index from another isolate (a double release) can
 * CAS the word between the two; the plain write then wins and the block stays in this cache, while
 * the other release has put an entry on the shared list. Every free list claims by CAS and drops an
 * entry whose block is not free, so that entry is skipped and counted (`stats.retries` of the
 * isolate whose pop meets it): the block is kept in one place, the cache. Not covered: a third
 * isolate lending the block from the list in the instant between this isolate's read and write (its
 * thread preempted exactly there), after which two holders have it; the race tests never saw one
 * (README, Reliability). Refusing the loser instead would need its last CAS to tell our overwrite
 * from a pop's claim, and both write a tag: rejected for the false refusals of honest releases.
 *
 * ## Stale releases
 *
 * A release through this attachment's own Block object is refused unless the owner word says this
 * isolate holds it (a Block released once, lent again elsewhere, then released again). A Block
 * posted from another isolate carries its `generation` (block-table.ts). Not caught: an index,
 * which carries nothing, and a stale release of a block this same attachment has lent again (the
 * same Block object serves every lending here).
 */
import { ErrorCode, PoolError } from '../errors.js';
import type { Geometry } from './layout.js';

/**
 * Largest isolate id: the mutex keeps `id << 1` in its lock word, and TRANSIT must stay above every
 * id. About a billion attachments over a pool's life: one a millisecond for twelve days.
 */
export const MAX_OWNER_ID = (1 << 30) - 1;

/** Bit 30: set in the owner word of a block on its way to the free list (`TRANSIT | id`). */
export const TRANSIT = 1 << 30;

/** True for `+id`: a block lent by some isolate (not free, cached or in transit). */
export function isLent(word: number): boolean {
  return word > 0 && word <= MAX_OWNER_ID;
}

/**
 * Times `adopt` retries a compareExchange that lost to a change of the same word. Each loss means
 * another isolate moved the block (released or adopted it) at that instant: a second round settles
 * any honest hand-over; a word that keeps changing is being released and lent again under us.
 */
const ADOPT_ROUNDS = 16;

export class OwnerTable {
  private readonly _words: Int32Array;
  /** Word index of block 0's owner word. */
  readonly base: number;
  private readonly _blocks: number;

  constructor(words: Int32Array, geometry: Geometry) {
    this._words = words;
    this.base = geometry.ownerOffset >> 2;
    this._blocks = geometry.blocks;
  }

  /** Block `i`'s owner word now. */
  owner(i: number): number {
    // INVARIANT: a snapshot; whoever acts on it re-checks by CAS (or owns the word).
    return Atomics.load(this._words, this.base + i);
  }

  /**
   * Takes over block `i` for `tag` (+id) from whichever isolate lent it: false when it is already
   * ours, true when the CAS moved it here. Throws `ERR_DOUBLE_RELEASE` when the block is not lent.
   */
  adopt(i: number, tag: number, method: string): boolean {
    const a = this._words;
    const w = this.base + i;
    let cur = 0;
    for (let round = 0; round < ADOPT_ROUNDS; round++) {
      // INVARIANT: a snapshot; the CAS below moves the word only from exactly this value.
      cur = Atomics.load(a, w);
      if (!isLent(cur)) throw this.notLent(method, i, cur);
      if (cur === tag) return false;
      // INVARIANT: +other -> +me by CAS: a racing release of the same block wins or loses whole.
      if (Atomics.compareExchange(a, w, cur, tag) === cur) return true;
    }
    throw this.notLent(method, i, cur, 'it kept changing hands while this call tried to take it');
  }

  /** Blocks whose word reads `tag` (lent by that isolate) and `0` (free): a scan, O(blocks). */
  count(tag: number): { lent: number; free: number } {
    const a = this._words;
    let lent = 0;
    let free = 0;
    for (let k = 0; k < this._blocks; k++) {
      const w = a[this.base + k];
      if (w === tag) lent++;
      else if (w === 0) free++;
    }
    return { lent, free };
  }

  /** The error for a release or adopt of block `i` whose owner word reads `owner` (not lent to the caller). */
  notLent(method: string, i: number, owner: number, why = describeOwner(owner)): PoolError {
    return new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: SharedPool.${method}() was given block ${i}, which is not lent to it: ${why} (released twice?)`);
  }
}

/** Where an owner word says a block is, for error messages. */
function describeOwner(owner: number): string {
  if (owner === 0) return 'it is free';
  if (owner < 0) return `it is idle in isolate ${-owner}'s cache`;
  if (owner > MAX_OWNER_ID) return `isolate ${owner ^ TRANSIT} is releasing it`;
  return `it is lent to isolate ${owner}`;
}
