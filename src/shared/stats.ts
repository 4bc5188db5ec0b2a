/** What `SharedPool.stats` returns, and how it is read. */
import type { PoolStats } from '../local/local-pool.js';
import type { PushFutex } from './futex.js';
import { H } from './layout.js';
import type { OwnerTable } from './ownership.js';

/** What `SharedPool.stats` returns. */
export interface SharedPoolStats {
  /** Blocks on the shared free list (all isolates): owner words that read 0, a scan of the owner table. */
  readonly free: number;
  /** Blocks idle in this isolate's cache. */
  readonly cachedHere: number;
  /** Blocks lent by this isolate and not yet released (a scan of the owner table). */
  readonly lentHere: number;
  /** Times this isolate went to sleep waiting for a block. */
  readonly waits: number;
  /** Contention in this isolate: failed CAS rounds, lock spins, stall retries, stale free-list entries skipped. */
  readonly retries: number;
  /** Callers waiting for a block, in all isolates. */
  readonly waiting: number;
  /** Acquires served by this isolate's cache without touching the shared list. */
  readonly hits: number;
  /** Acquires that went to the shared list. */
  readonly misses: number;
  /** Blocks the pool has now (it may have grown). */
  readonly blocks: number;
  /** Most blocks it may grow to. */
  readonly maxBlocks: number;
  /** Times it has grown (all isolates). */
  readonly growths: number;
  readonly blockSize: number;
}

/**
 * The counters, read at the moment of the call: `free` and `lentHere` scan the owner table
 * (O(blocks), exact at quiescence whatever isolates died mid-operation; the header's FREE_COUNT is
 * set at creation and not kept, see shared-pool.ts's essay).
 */
export function poolStats(
  words: Int32Array,
  owners: OwnerTable,
  lentTag: number,
  cache: PoolStats | undefined,
  front: { readonly idle: number; readonly hits: number },
  futex: PushFutex,
  retries: number,
  maxBlocks: number,
  blockSize: number,
): SharedPoolStats {
  const { lent, free } = owners.count(lentTag);
  return {
    free,
    cachedHere: (cache?.idle ?? 0) + front.idle,
    lentHere: lent,
    waits: futex.waits,
    retries,
    waiting: futex.waiting(),
    hits: (cache?.hits ?? 0) + front.hits,
    misses: cache?.misses ?? 0,
    blocks: owners.blocks(),
    maxBlocks,
    // INVARIANT: a statistic, bumped once per growth.
    growths: Atomics.load(words, H.GROWTHS),
    blockSize,
  };
}
