/** What `BufferPool.stats` returns, summed over its class pools and its front (buffer-pool.ts). */
import type { PoolStats } from '../local/local-pool.js';

export interface BufferPoolStats extends PoolStats {
  /** Rents longer than `maxLength`, served by a plain allocation and never pooled. */
  readonly oversized: number;
  /** Idle elements held across every class (memory retained = this x BYTES_PER_ELEMENT). */
  readonly idleElements: number;
  /** Returns taken back after a transfer: arrays that came back as new objects over the pool's memory. */
  readonly transferred: number;
}

/**
 * Sums the class pools' counters. The front's array is lent in its class pool's books: it counts as
 * idle (and its hits as hits) while the front holds it idle.
 */
export function sumStats(
  classes: readonly { readonly stats: PoolStats }[],
  front: { readonly idle: number; readonly length: number; readonly hits: number },
  oversized: number,
  transferred: number,
): BufferPoolStats {
  let hits = front.hits;
  let misses = 0;
  let created = 0;
  let discarded = 0;
  let idle = front.idle;
  let lent = -front.idle;
  let highWater = 0;
  let leaked = 0;
  let idleElements = front.idle * front.length;
  for (let k = 0; k < classes.length; k++) {
    const s = classes[k]!.stats;
    hits += s.hits;
    misses += s.misses;
    created += s.created;
    discarded += s.discarded;
    idle += s.idle;
    lent += s.lent;
    highWater += s.highWater;
    leaked += s.leaked;
    idleElements += s.idle * 2 ** k;
  }
  return { hits, misses, created, discarded, idle, lent, highWater, waiting: 0, soft: 0, leaked, oversized, idleElements, transferred };
}
