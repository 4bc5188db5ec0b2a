export { ErrorCode, PoolError } from './errors.js';
export { DEFAULT_LEAK_SAMPLE, type LeakOptions, type LeakReport } from './local/leak-tracker.js';
export { Lease } from './local/lease.js';
export { LocalPool, type AcquireAsyncOptions, type PoolStats } from './local/local-pool.js';
export { DEFAULT_MAX, type LocalPoolOptions } from './local/options.js';
export {
  closeLocalPool,
  definePool,
  getLocalBufferPool,
  getLocalPool,
  localPools,
  trimLocalPools,
  type LocalPoolEntry,
  type PoolKey,
  type PoolToken,
} from './registry.js';
export {
  DEFAULT_CACHE,
  DEFAULT_STRATEGY,
  SharedPool,
  type AttachOptions,
  type Block,
  type FieldSchema,
  type FieldsOf,
  type FieldType,
  type OwnerCount,
  type SharedAcquireOptions,
  type SharedPoolHandle,
  type SharedPoolOptions,
  type SharedPoolStats,
  type Strategy,
} from './shared/shared-pool.js';
export { BufferPool, type BufferPoolStats } from './buffer/buffer-pool.js';
export { DEFAULT_MAX_BYTES, DEFAULT_PER_CLASS, type BufferPoolOptions, type ZeroPolicy } from './buffer/options.js';
export type { AnyBufferOf, TypedArray, TypedArrayConstructor } from './buffer/typed-array.js';
export {
  DEFAULT_CREATE_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_RESOURCE_MAX,
  type ResourcePoolOptions,
} from './resource/options.js';
export {
  ResourcePool,
  type DrainOptions,
  type ResourceAcquireOptions,
  type ResourcePoolStats,
} from './resource/resource-pool.js';
