/**
 * SharedPool benchmark cases, mempool's table in JS: a get + put round trip on each shared free list
 * with the per-isolate cache off (every pair goes through Atomics), and the same through the cache.
 *
 * Run each case in its own process when timing: the cache-off cases leave type feedback in
 * SharedPool.acquire/release that slows the cached case (11.6 ns after them in one process against
 * 3.8-4.1 alone, benchmarks/experiments/shared-sanity.ts, 2026-11-21).
 *
 * One pool per case, 256 blocks of 64 bytes: a single isolate runs these, so the block count only has
 * to exceed what the cache holds (so `shared_tls_get_put` stays on its cached path).
 */
import { DEFAULT_STRATEGY, SharedPool, type Block, type Strategy } from 'isopool';
import type { BenchCase } from './case.js';

const BATCH = 1000;
const BLOCKS = 256;

function getPut(name: string, strategy: Strategy, cache: number): BenchCase {
  const pool = SharedPool.create({ blockSize: 64, blocks: BLOCKS, cache, strategy });
  let sink = 0;
  return {
    name,
    group: 'mempool',
    batch: BATCH,
    fn(): void {
      for (let i = 0; i < BATCH; i++) {
        const b = pool.acquire();
        sink ^= b.index;
        pool.release(b);
      }
    },
    validate(): void {
      // Lends distinct blocks, takes them back, and the round trip the case times really happens.
      const a: Block = pool.acquire();
      const b: Block = pool.acquire();
      if (a.index === b.index || a.bytes.length !== 64) throw new Error(`${name}: two acquires lent the same block`);
      a.bytes[0] = 7;
      pool.release(a);
      pool.release(b);
      let threw = false;
      try {
        pool.release(a);
      } catch {
        threw = true;
      }
      if (!threw) throw new Error(`${name}: a double release was not caught`);
      const before = pool.stats;
      this.fn();
      const after = pool.stats;
      if (after.lentHere !== 0 || after.free + after.cachedHere !== BLOCKS) {
        throw new Error(`${name}: ${after.lentHere} blocks still lent after a batch`);
      }
      if (cache > 0 && after.hits - before.hits < BATCH) throw new Error(`${name}: the batch missed the cache`);
      if (cache === 0 && after.cachedHere !== 0) throw new Error(`${name}: cache off but blocks are cached`);
    },
    teardown(): void {
      pool.close();
    },
    extra(): Record<string, number | string> {
      const s = pool.stats;
      return { strategy, cache, retries: s.retries, sink };
    },
  };
}

/** The shared cases, each with its own pool. */
export function sharedCases(): BenchCase[] {
  return [
    getPut('mutex_get_put', 'mutex', 0),
    getPut('mpmc_get_put', 'mpmc', 0),
    getPut('treiber_get_put', 'treiber', 0),
    getPut('bitmap_get_put', 'bitmap', 0),
    getPut('shared_tls_get_put', DEFAULT_STRATEGY, 32),
  ];
}
