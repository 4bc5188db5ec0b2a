/**
 * The SharedPool API as agreed for isopool (src/shared/shared-pool.ts, built on another branch), typed
 * here so the page code compiles before that module is merged. `sharedPoolClass()` finds the real
 * class in the library's exports at run time.
 */
import * as lib from '../../../src/index.js';

export type Strategy = 'mutex' | 'treiber' | 'mpmc' | 'bitmap';

export interface Block {
  readonly index: number;
  readonly bytes: Uint8Array;
}

export type SharedPoolHandle = object;

export interface SharedPoolStats {
  readonly free: number;
  readonly cachedHere: number;
  readonly lentHere: number;
  readonly waits: number;
  readonly retries: number;
}

export interface SharedPool {
  readonly handle: SharedPoolHandle;
  readonly ownerId: number;
  readonly strategy: Strategy;
  acquire(): Block;
  tryAcquire(): Block | undefined;
  acquireAsync(opts?: { signal?: AbortSignal; timeout?: number }): Promise<Block>;
  acquireSync(opts?: { timeout?: number }): Block;
  release(block: Block | number): void;
  adopt(block: Block | number): Block;
  reclaim(ownerId: number): number;
  flush(): void;
  close(): void;
  readonly stats: SharedPoolStats;
}

export interface SharedPoolClass {
  create(opts: { blockSize: number; blocks: number; cache?: number; strategy?: Strategy }): SharedPool;
  attach(handle: SharedPoolHandle, opts?: { cache?: number }): SharedPool;
}

/** The library's SharedPool export, or undefined when this build of the library has none. */
export function findSharedPoolClass(): SharedPoolClass | undefined {
  const found = (lib as Record<string, unknown>)['SharedPool'];
  return typeof found === 'function' ? (found as unknown as SharedPoolClass) : undefined;
}

/** The library's SharedPool export; throws when this build of the library has none. */
export function sharedPoolClass(): SharedPoolClass {
  const found = (lib as Record<string, unknown>)['SharedPool'];
  if (typeof found !== 'function') throw new Error('isopool build has no SharedPool export (src/shared/shared-pool.ts not merged)');
  return found as unknown as SharedPoolClass;
}
