/**
 * `SharedPool`'s `create` and `attach` over the benchmark structures, so the contention harness
 * (contention.ts, whose `poolModule` option names the module exporting SharedPool) runs them as it
 * runs SharedPool's strategies: `strategy` is `'ms'` or `'seg'`, and there is no cache (`cache` is
 * ignored; run the harness's cache-off rows only).
 */
import { MsQueueFreeList } from './ms-queue.js';
import { SegQueueFreeList } from './seg-queue.js';
import { StructurePool, type StructureHandle } from './structure-pool.js';

export const SharedPool = {
  create(opts: { blockSize: number; blocks: number; strategy?: string }): StructurePool {
    const kind = opts.strategy;
    if (kind !== 'ms' && kind !== 'seg') throw new RangeError(`isopool-bench: a structure pool's strategy is 'ms' or 'seg', received ${String(kind)}`);
    const list = kind === 'ms' ? MsQueueFreeList.create(opts.blocks) : SegQueueFreeList.create(opts.blocks);
    return new StructurePool(kind, list, opts.blockSize);
  },
  attach(handle: unknown): StructurePool {
    const h = handle as StructureHandle;
    const list = h.kind === 'ms' ? MsQueueFreeList.attach(h.sab) : SegQueueFreeList.attach(h.sab);
    return new StructurePool(h.kind, list, h.blockSize, h.memory);
  },
};
