/**
 * The subjects of the free-list contract (tests/free-list-contract.test.ts): SharedPool's free
 * lists, reached through the `inspectSharedPool` seam on a pool with the cache off, and the two
 * benchmark structures (benchmarks/structures/), each opened in this isolate or a worker from a
 * structured-cloneable spec.
 */
import { SharedPool, type SharedPoolHandle, type Strategy } from '../../src/index.js';
import { H } from '../../src/shared/layout.js';
import { inspectSharedPool } from '../../src/shared/shared-pool.js';
import { MsQueueFreeList } from '../../benchmarks/structures/ms-queue.js';
import { SegQueueFreeList } from '../../benchmarks/structures/seg-queue.js';

/** What the contract drives: the free-list interface, with this isolate's id and the owner words. */
export interface Opened {
  readonly list: {
    pop(n: number, out: Int32Array, tag: number): number;
    push(idx: Int32Array, n: number, expect: number): number;
    reclaim(id: number): number;
    readonly retries: number;
  };
  readonly id: number;
  /** The owner words: 0 free, +id lent, -id cached. */
  readonly owners: Int32Array;
}

/** How a worker opens the same list: a pool handle or a structure's buffer. */
export type Spec = { kind: 'pool'; handle: SharedPoolHandle } | { kind: 'ms' | 'seg'; sab: SharedArrayBuffer };

export interface Subject {
  readonly name: string;
  /** A new list of `blocks` blocks, all free, opened here, and the spec that opens it elsewhere. */
  make(blocks: number): { opened: Opened; spec: Spec };
}

export function open(spec: Spec): Opened {
  if (spec.kind === 'pool') {
    const pool = SharedPool.attach(spec.handle, { cache: 0 });
    return { list: inspectSharedPool(pool).free, id: pool.ownerId, owners: ownerWords(spec.handle.sab) };
  }
  const list = spec.kind === 'ms' ? MsQueueFreeList.attach(spec.sab) : SegQueueFreeList.attach(spec.sab);
  return { list, id: list.id, owners: new Int32Array(spec.sab, list.ownerW * 4, list.blocks) };
}

function ownerWords(sab: SharedArrayBuffer): Int32Array {
  const a = new Int32Array(sab);
  return a.subarray(a[H.OWNER_OFFSET]! >> 2, (a[H.OWNER_OFFSET]! >> 2) + a[H.BLOCKS]!);
}

const poolSubject = (strategy: Strategy): Subject => ({
  name: strategy,
  make(blocks) {
    const pool = SharedPool.create({ blockSize: 16, blocks, cache: 0, strategy });
    const spec: Spec = { kind: 'pool', handle: pool.handle };
    return { opened: { list: inspectSharedPool(pool).free, id: pool.ownerId, owners: ownerWords(pool.handle.sab) }, spec };
  },
});

const structureSubject = (kind: 'ms' | 'seg'): Subject => ({
  name: kind,
  make(blocks) {
    const list = kind === 'ms' ? MsQueueFreeList.create(blocks) : SegQueueFreeList.create(blocks);
    const spec: Spec = { kind, sab: list.sab };
    return { opened: { list, id: list.id, owners: new Int32Array(list.sab, list.ownerW * 4, blocks) }, spec };
  },
});

/** Every subject: SharedPool's four free lists, then the two benchmark structures. */
export const SUBJECTS: readonly Subject[] = [
  poolSubject('mutex'),
  poolSubject('treiber'),
  poolSubject('mpmc'),
  poolSubject('bitmap'),
  structureSubject('ms'),
  structureSubject('seg'),
];
