/**
 * mempool's two rows SharedPool has no strategy for: `ms_get_put` (Michael and Scott's queue,
 * crossbeam's MsQueue in mempool's table) and `seg_get_put` (a segmented queue, crossbeam's
 * SegQueue), each over an Int32Array of its own (benchmarks/structures/), driven by StructurePool:
 * SharedPool's cache-off path around the structure, so these rows compare with `treiber_get_put`,
 * `mpmc_get_put` and `mutex_get_put`. Same shape as shared.cases.ts: 256 blocks of 64 bytes, one
 * acquire + release per iteration, the block's index into `sink`.
 */
import type { BenchCase } from './case.js';
import type { IndexStructure } from './structures/index-structure.js';
import { MsQueueFreeList } from './structures/ms-queue.js';
import { SegQueueFreeList } from './structures/seg-queue.js';
import { StructurePool, type StructureBlock } from './structures/structure-pool.js';

const BATCH = 1000;
const BLOCKS = 256;

function getPut(name: string, kind: 'ms' | 'seg', make: (blocks: number) => IndexStructure): BenchCase {
  const pool = new StructurePool(kind, make(BLOCKS), 64);
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
      const a: StructureBlock = pool.acquire();
      const b: StructureBlock = pool.acquire();
      if (a.index === b.index || a.bytes.length !== 64) throw new Error(`${name}: two acquires lent the same block`);
      pool.release(a);
      pool.release(b);
      let threw = false;
      try {
        pool.release(a);
      } catch {
        threw = true;
      }
      if (!threw) throw new Error(`${name}: a double release was not caught`);
      // Every block can be lent at once, each once.
      const all = Array.from({ length: BLOCKS }, () => pool.acquire());
      if (new Set(all.map((x) => x.index)).size !== BLOCKS) throw new Error(`${name}: a block was lent twice`);
      for (const x of all) pool.release(x);
      this.fn();
      const after = pool.stats;
      if (after.lentHere !== 0 || after.free !== BLOCKS) throw new Error(`${name}: ${after.lentHere} blocks still lent after a batch`);
    },
    teardown(): void {
      pool.close();
    },
    extra(): Record<string, number | string> {
      return { blocks: BLOCKS, retries: pool.stats.retries, sink };
    },
  };
}

/** The two structure cases, each with its own buffer. */
export function structureCases(): BenchCase[] {
  return [getPut('ms_get_put', 'ms', (n) => MsQueueFreeList.create(n)), getPut('seg_get_put', 'seg', (n) => SegQueueFreeList.create(n))];
}
