/** Builds the free list a pool's header names, over the pool's words. */
import type { Geometry } from '../layout.js';
import { BitmapFreeList } from './bitmap.js';
import type { FreeListBase } from './free-list.js';
import { MpmcFreeList } from './mpmc.js';
import { MutexFreeList } from './mutex.js';
import { TreiberFreeList } from './treiber.js';

export function makeFreeList(a: Int32Array, g: Geometry, id: number, canWait: boolean): FreeListBase {
  switch (g.strategy) {
    case 'mutex':
      return new MutexFreeList(a, g, id, canWait);
    case 'treiber':
      return new TreiberFreeList(a, g, id, canWait);
    case 'mpmc':
      return new MpmcFreeList(a, g, id, canWait);
    case 'bitmap':
      return new BitmapFreeList(a, g, id, canWait);
  }
}
