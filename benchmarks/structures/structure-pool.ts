/**
 * StructurePool: what SharedPool does around its free list with the cache off, over a benchmark
 * structure (ms-queue.ts, seg-queue.ts), so that `ms_get_put` and `seg_get_put` time the same work
 * as `treiber_get_put` and the other SharedPool rows, the structure aside:
 *
 * - acquire: a closed check, `pop(1)` tagged `+id`, this isolate's Block object for the index;
 * - release: the index of a Block of this pool (one array read), its owner word (Atomics.load;
 *   0 or negative is a double release), `push` expecting that owner, then the wake-up bookkeeping
 *   SharedPool's futex does after a push (bump PUSH_GEN, read WAITERS).
 *
 * Blocks are `{ index, bytes }`, frozen, one per index, over a SharedArrayBuffer of their own.
 * `handle` (structured-cloneable) opens the same structure and blocks in another isolate
 * (pool-module.ts, for the contention harness).
 */
import { HDR, type IndexStructure } from './index-structure.js';

/** What another isolate needs to open the same pool. */
export interface StructureHandle {
  readonly kind: 'ms' | 'seg';
  readonly sab: SharedArrayBuffer;
  readonly memory: SharedArrayBuffer;
  readonly blockSize: number;
}

export interface StructureBlock {
  readonly index: number;
  readonly bytes: Uint8Array;
}

export class StructurePool {
  readonly list: IndexStructure;
  readonly handle: StructureHandle;
  private readonly _blocks: StructureBlock[];
  private readonly _scratch = new Int32Array(1);
  private readonly _lentTag: number;
  private _closed = false;

  /** A pool over `list` whose blocks are `blockSize` bytes of `memory` (a new buffer when omitted). */
  constructor(kind: 'ms' | 'seg', list: IndexStructure, blockSize: number, memory = new SharedArrayBuffer(list.blocks * blockSize)) {
    this.list = list;
    this.handle = { kind, sab: list.sab, memory, blockSize };
    this._lentTag = list.id;
    this._blocks = Array.from({ length: list.blocks }, (_, index) => Object.freeze({ index, bytes: new Uint8Array(memory, index * blockSize, blockSize) }));
  }

  acquire(): StructureBlock {
    if (this._closed) throw new Error('isopool-bench: StructurePool is closed');
    if (this.list.pop(1, this._scratch, this._lentTag) === 1) return this._blocks[this._scratch[0]!]!;
    throw new Error(`isopool-bench: all ${this.list.blocks} blocks are lent`);
  }

  release(block: StructureBlock): void {
    const i = block.index;
    if (this._blocks[i] !== block) throw new Error('isopool-bench: a block of another pool');
    const a = this.list.a;
    // INVARIANT: a snapshot; push's CAS from it decides.
    const cur = Atomics.load(a, this.list.ownerW + i);
    if (cur <= 0) throw new Error(`isopool-bench: block ${i} is not lent (released twice?)`);
    this._scratch[0] = i;
    if (this.list.push(this._scratch, 1, cur) === 0) throw new Error(`isopool-bench: block ${i} was released by another isolate first`);
    // INVARIANT: as SharedPool's futex after a push: the generation moves, then WAITERS is read.
    Atomics.add(a, HDR.PUSH_GEN, 1);
    if (Atomics.load(a, HDR.WAITERS) !== 0) throw new Error('isopool-bench: StructurePool has no waiters');
  }

  /** Blocks lent by this isolate and free, scanning the owner words (as SharedPool's stats). */
  get stats(): { lentHere: number; free: number; retries: number } {
    const { a, ownerW, blocks } = this.list;
    let lentHere = 0;
    let free = 0;
    for (let k = 0; k < blocks; k++) {
      const w = a[ownerW + k];
      if (w === this._lentTag) lentHere++;
      else if (w === 0) free++;
    }
    return { lentHere, free, retries: this.list.retries };
  }

  close(): void {
    this._closed = true;
  }
}
