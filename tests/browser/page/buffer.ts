/**
 * BufferPool checks (src/buffer-pool.ts), run on the page's main thread and in Web Workers, against
 * the library's exports as the page loads them.
 */
import * as lib from '../../../src/index.js';
import { errorInfo, type ErrorInfo } from './web.js';

interface BufferPoolLike {
  rent(minLength: number): Float32Array;
  return(array: Float32Array): void;
  classLength(minLength: number): number;
  close(): void;
}

interface BufferLib {
  BufferPool: new (ctor: Float32ArrayConstructor, options?: { maxLength?: number }) => BufferPoolLike;
  getLocalBufferPool(ctor: Float32ArrayConstructor): BufferPoolLike;
}

export interface BufferResult {
  readonly tag: string;
  /** Length of `rent(100)`: the power-of-two class, 128. */
  readonly rentedLength: number;
  /** A second `rent(100)` after the return got the same array back. */
  readonly reused: boolean;
  /** `return()` of an array the pool never lent. */
  readonly foreign: ErrorInfo | undefined;
  /** `getLocalBufferPool(Float32Array)` twice gave one pool. */
  readonly sameLocal: boolean;
}

export function bufferChecks(tag: string): BufferResult {
  const found = lib as unknown as Partial<BufferLib>;
  if (typeof found.BufferPool !== 'function' || typeof found.getLocalBufferPool !== 'function') {
    throw new Error('isopool build has no BufferPool export (src/buffer-pool.ts not merged)');
  }
  const pool = new found.BufferPool(Float32Array);
  const a = pool.rent(100);
  a[0] = 1.5;
  pool.return(a);
  const b = pool.rent(100);
  let foreign: ErrorInfo | undefined;
  try {
    pool.return(new Float32Array(128));
  } catch (err) {
    foreign = errorInfo(err);
  }
  pool.return(b);
  pool.close();
  return {
    tag,
    rentedLength: a.length,
    reused: a === b,
    foreign,
    sameLocal: found.getLocalBufferPool(Float32Array) === found.getLocalBufferPool(Float32Array),
  };
}
