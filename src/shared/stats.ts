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
  readonly blocks: number;
  readonly blockSize: number;
}
