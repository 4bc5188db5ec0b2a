export { ErrorCode, PoolError } from './errors.js';
export {
  DEFAULT_LEAK_SAMPLE,
  DEFAULT_MAX,
  Lease,
  LocalPool,
  type AcquireAsyncOptions,
  type LeakOptions,
  type LeakReport,
  type LocalPoolOptions,
  type PoolStats,
} from './local-pool.js';
export { closeLocalPool, definePool, getLocalPool, type PoolKey, type PoolToken } from './registry.js';
export {
  DEFAULT_CACHE,
  DEFAULT_STRATEGY,
  SharedPool,
  type AttachOptions,
  type Block,
  type SharedAcquireOptions,
  type SharedPoolHandle,
  type SharedPoolOptions,
  type SharedPoolStats,
  type Strategy,
} from './shared/shared-pool.js';
export {
  BufferPool,
  type AnyBufferOf,
  DEFAULT_MAX_BYTES,
  DEFAULT_PER_CLASS,
  getLocalBufferPool,
  type BufferPoolOptions,
  type BufferPoolStats,
  type TypedArray,
  type TypedArrayConstructor,
  type ZeroPolicy,
} from './buffer-pool.js';
