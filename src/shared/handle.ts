/**
 * Making and opening a SharedPool's buffer: option checks for `create` and `attach`, the one
 * SharedArrayBuffer a pool lives in, and the checks that a handle another isolate posted really is
 * an isopool pool (magic, layout version, geometry that agrees with the buffer's size, a state no
 * run of the pool can reach refused by state-check.ts), and not a copy of one this isolate has open.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { checkInteger, checkKnownKeys, checkOptionsObject, describe } from '../validate.js';
import { claimIdentity } from './identity.js';
import { computeGeometry, type Geometry, MAX_BLOCKS, MAX_TOTAL_BYTES, readHeader, STRATEGIES, type Strategy, writeHeader } from './layout.js';
import { checkState } from './state-check.js';

export type { Strategy } from './layout.js';

/**
 * The free list used when `strategy` is not given: `bitmap`. Measured with
 * `node benchmarks/build/experiments/shared-sanity.js 5` (Node 20.20.2, 2-vCPU AMD EPYC VM shared with
 * other jobs, 2026-11-21; noisy, read the ratios), ns per get+put pair, cache off:
 *
 * | free list | 1 isolate | 2 workers, per pair per worker |
 * |---|---|---|
 * | bitmap  | 100.5 | 339.7 |
 * | treiber | 111.8 | 329.2 |
 * | mutex   | 125.1 (98.2 alone in its process) | 520.6 |
 * | mpmc    | 136.8 | 487.3 |
 *
 * bitmap and treiber tie within the noise and beat the other two under contention; bitmap is also
 * ABA-free and loses nothing when a worker is terminated mid-operation, treiber neither.
 */
export const DEFAULT_STRATEGY: Strategy = 'bitmap';

/**
 * Blocks one isolate's cache keeps idle by default. A refill or spill moves half of it, 16 indices:
 * a lock or CAS round then costs a fraction of a pair per block, alone and with two workers on one
 * lock (benchmarks/README.md, facts `batched-mutex` and `spin-mutex-2-workers`).
 */
export const DEFAULT_CACHE = 32;

/** Largest `cache`: more idle blocks than this per isolate is a second pool, not a cache. */
const MAX_CACHE = 1 << 16;

/** The options `create` and `attach` know; any other key is refused (a typo would be silently ignored). */
const CREATE_KEYS = ['blockSize', 'blocks', 'cache', 'strategy'] as const;
const ATTACH_KEYS = ['cache'] as const;

/** What `create` returns as `pool.handle`: structured-cloneable, for postMessage or workerData. */
export interface SharedPoolHandle {
  readonly sab: SharedArrayBuffer;
}

export interface SharedPoolOptions {
  /** Bytes in each block (views are exactly this long; blocks are laid 64-byte aligned). */
  blockSize: number;
  /** Number of blocks, 1 to 65,535. */
  blocks: number;
  /** Blocks this isolate's cache keeps idle; 0 turns the cache off. Default 32. */
  cache?: number;
  /** Free-list algorithm; default `DEFAULT_STRATEGY`. */
  strategy?: Strategy;
}

export interface AttachOptions {
  /** Blocks this isolate's cache keeps idle; 0 turns the cache off. Default 32. */
  cache?: number;
}

/** A pool's buffer, its checked geometry, and this isolate's cache size. */
export interface OpenedPool {
  readonly sab: SharedArrayBuffer;
  readonly geometry: Geometry;
  readonly cache: number;
  /** True when the buffer was just made: its free structure still has to be laid out. */
  readonly fresh: boolean;
}

function checkCache(value: unknown): number {
  return value === undefined ? DEFAULT_CACHE : checkInteger('cache', value, 0, MAX_CACHE);
}

function sabUnavailable(): PoolError {
  return new PoolError(
    ErrorCode.SAB_UNAVAILABLE,
    'isopool: SharedArrayBuffer is not available here. In a browser the page must be cross-origin ' +
      'isolated: serve it with the headers `Cross-Origin-Opener-Policy: same-origin` and ' +
      '`Cross-Origin-Embedder-Policy: require-corp`.',
  );
}

/** Checks `create`'s options and allocates a fresh buffer with its header written. */
export function allocatePool(options: SharedPoolOptions): OpenedPool {
  checkOptionsObject('SharedPool.create() options', options);
  checkKnownKeys('SharedPool.create()', options, CREATE_KEYS);
  const blockSize = checkInteger('blockSize', options.blockSize, 1, MAX_TOTAL_BYTES);
  const blocks = checkInteger('blocks', options.blocks, 1, MAX_BLOCKS);
  const cache = checkCache(options.cache);
  const strategy = options.strategy === undefined ? DEFAULT_STRATEGY : options.strategy;
  if (!STRATEGIES.includes(strategy)) {
    throw new RangeError(`isopool: option \`strategy\` must be one of ${STRATEGIES.join(', ')}, received ${describe(strategy)}`);
  }
  const geometry = computeGeometry(blockSize, blocks, strategy);
  if (geometry.totalBytes > MAX_TOTAL_BYTES) {
    throw new RangeError(
      `isopool: options \`blockSize\` (${blockSize}) x \`blocks\` (${blocks}) need ${geometry.totalBytes} bytes, more than ${MAX_TOTAL_BYTES}`,
    );
  }
  const G = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: unknown };
  if (typeof G.SharedArrayBuffer !== 'function' || G.crossOriginIsolated === false) throw sabUnavailable();
  const sab = new SharedArrayBuffer(geometry.totalBytes);
  writeHeader(new Int32Array(sab), geometry);
  claimIdentity(sab);
  return { sab, geometry, cache, fresh: true };
}

/** Checks `attach`'s arguments and the buffer behind the handle. Throws `ERR_BAD_HANDLE` for anything but a pool. */
export function openHandle(handle: SharedPoolHandle, options: AttachOptions): OpenedPool {
  checkOptionsObject('SharedPool.attach() options', options);
  checkKnownKeys('SharedPool.attach()', options, ATTACH_KEYS);
  const cache = checkCache(options.cache);
  const sab = (handle as { sab?: unknown } | null)?.sab;
  if (Object.prototype.toString.call(sab) !== '[object SharedArrayBuffer]') {
    throw new PoolError(
      ErrorCode.BAD_HANDLE,
      `isopool: SharedPool.attach() takes a pool's \`handle\` ({ sab: SharedArrayBuffer }), received ${describe(handle)}`,
    );
  }
  const buffer = sab as SharedArrayBuffer;
  const words = new Int32Array(buffer, 0, buffer.byteLength >> 2);
  const geometry = readHeader(words, buffer.byteLength);
  const wrong = typeof geometry === 'string' ? geometry : checkState(words, geometry);
  if (wrong !== undefined) {
    throw new PoolError(ErrorCode.BAD_HANDLE, `isopool: SharedPool.attach() was given a SharedArrayBuffer that is not an isopool pool: ${wrong}`);
  }
  if (!claimIdentity(buffer)) {
    throw new PoolError(
      ErrorCode.BAD_HANDLE,
      'isopool: SharedPool.attach() was given a copy of a pool this isolate already has open (SharedArrayBuffer.slice() or copied bytes): attach the handle itself',
    );
  }
  return { sab: buffer, geometry: geometry as Geometry, cache, fresh: false };
}
