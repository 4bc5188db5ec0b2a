/**
 * One SharedPool attachment's parts, built from an opened buffer: its isolate id, the owner table,
 * the free list, growth, this isolate's Block objects, waiting, the shared source and the cache in
 * front of it. SharedPool (shared-pool.ts) keeps the hot fields and steers these from its cold paths.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { LocalPool } from '../local/local-pool.js';
import { checkInteger } from '../validate.js';
import { BlockTable, type SharedBlock } from './block-table.js';
import type { FreeList } from './free-lists/free-list.js';
import { makeFreeList } from './free-lists/make.js';
import { canBlock } from './futex.js';
import { Growth } from './growth.js';
import type { OpenedPool } from './handle.js';
import { H } from './layout.js';
import { MAX_OWNER_ID, OwnerTable } from './ownership.js';
import { SharedSource } from './shared-source.js';
import { BlockWaiting, type BlockSource } from './waiting.js';

export interface Attachment {
  /** The words before the blocks (header, owner table, ...), as one fixed-length Int32Array. */
  readonly words: Int32Array;
  /** This isolate's id in this pool: from a header counter, never reused. */
  readonly id: number;
  readonly owners: OwnerTable;
  readonly free: FreeList;
  /** The growth protocol; undefined for a pool that cannot grow. */
  readonly growth: Growth | undefined;
  readonly blockTable: BlockTable;
  readonly waiting: BlockWaiting;
  readonly source: SharedSource;
  /** The per-isolate cache (undefined with `cache: 0`). */
  readonly cache: LocalPool<SharedBlock> | undefined;
}

/** Builds an attachment for `home`, the SharedPool it serves (its Blocks' `_home`); `hooks` are what waiting needs of it. */
export function assemble(opened: OpenedPool, home: object, hooks: BlockSource): Attachment {
  const { sab, geometry: g, cache } = opened;
  // Fixed-length, over the regions before the blocks: a length-tracking view of a growable buffer
  // reads and writes many times slower (benchmarks/README.md, fact `gsab-views`).
  const words = new Int32Array(sab, 0, g.blocksOffset >> 2);
  const owners = new OwnerTable(words, g);
  // INVARIANT: ids are handed out once each, in any isolate; a counter that only grows.
  const id = Atomics.add(words, H.NEXT_ID, 1) + 1;
  if (id > MAX_OWNER_ID) {
    throw new PoolError(ErrorCode.BAD_HANDLE, `isopool: this SharedPool has handed out all ${MAX_OWNER_ID} isolate ids`);
  }
  const canWait = canBlock(words);
  const free = makeFreeList(words, g, id, canWait);
  if (opened.fresh) free.init();
  const waiting = new BlockWaiting(words, id, canWait, hooks);
  const growth = g.maxBlocks === g.blocks ? undefined : new Growth(words, sab, g, id, free, canWait, (n) => waiting.futex.wake(n));
  const blockTable = new BlockTable(sab, g, cache === 0 ? undefined : home);
  // A refill takes half the cache, and never more than an eighth of the pool, so one isolate's
  // refill cannot empty a small pool that others share.
  const batch = Math.max(1, Math.min(Math.ceil(cache / 2), Math.floor(g.blocks / 8)));
  const source = new SharedSource(free, growth, blockTable, waiting.futex, -id, batch, cache);
  const localCache =
    cache === 0
      ? undefined
      : new LocalPool<SharedBlock>({
          name: 'SharedPool',
          max: cache,
          grow: batch,
          createBatch: (n, out) => source.refill(n, out),
          disposeBatch: (blocks) => source.spill(blocks),
        });
  return { words, id, owners, free, growth, blockTable, waiting, source, cache: localCache };
}

/**
 * Frees every block isolate `ownerId` held or cached, breaks a growth lock it held, clears its
 * waiter counts and wakes waiters for what it freed (SharedPool.reclaim). Returns how many it freed.
 */
export function reclaimDead(p: Attachment, ownerId: number): number {
  // INVARIANT: a snapshot of the ids handed out; an id past it names no isolate yet.
  checkInteger('ownerId', ownerId, 1, Atomics.load(p.words, H.NEXT_ID));
  if (ownerId === p.id) {
    throw new RangeError(`isopool: reclaim() takes another, dead isolate's ownerId; ${ownerId} is this isolate's (use flush() or close())`);
  }
  const n = p.free.reclaim(ownerId);
  p.growth?.breakLockOf(ownerId);
  p.waiting.futex.reclaim(ownerId);
  p.waiting.futex.wake(n);
  return n;
}

/** `ERR_POOL_EXHAUSTED`, naming a growth lock left by a stopped isolate when the pool could still grow. */
export function exhausted(blocks: number, maxBlocks: number): PoolError {
  const stuck = blocks < maxBlocks ? ` (it grows to ${maxBlocks}, but its growth lock is held by an isolate that stopped: reclaim that isolate's ownerId)` : '';
  return new PoolError(ErrorCode.POOL_EXHAUSTED, `isopool: SharedPool is exhausted: all ${blocks} blocks are lent or cached${stuck}`);
}
