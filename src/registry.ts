/**
 * getLocalPool: one pool per key per isolate, created on first use (thread_local's `get_or`).
 *
 * A module's top-level state is per isolate in JavaScript: the main thread and every worker load
 * their own copy of this module, so a plain Map here is already isolate-local, with no lookup by
 * thread id and nothing shared. Each worker that calls `getLocalPool(key, options)` gets its own pool.
 */
import { describe } from './errors.js';
import { LocalPool, type LocalPoolOptions } from './local-pool.js';

const TOKEN = Symbol('isopool.token');

/** A typed key made by `definePool`: carries the options and the element type, no cast needed. */
export interface PoolToken<T extends object> {
  readonly [TOKEN]: true;
  readonly key: symbol;
  readonly options: LocalPoolOptions<T>;
}

export type PoolKey = string | symbol;

const pools = new Map<PoolKey, LocalPool<object>>();

/**
 * Defines a per-isolate pool once, at module level; `getLocalPool(token)` then returns this isolate's
 * pool for it, typed. `name` (default `options.name`) only labels the key for debugging.
 */
export function definePool<T extends object>(options: LocalPoolOptions<T>, name?: string): PoolToken<T> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`isopool: definePool() takes LocalPool options, received ${describe(options)}`);
  }
  return Object.freeze({ [TOKEN]: true as const, key: Symbol(name ?? options.name ?? 'isopool'), options });
}

function isToken(key: unknown): key is PoolToken<object> {
  return typeof key === 'object' && key !== null && (key as { [TOKEN]?: unknown })[TOKEN] === true;
}

/** This isolate's pool for `token`, created on first use from the token's options. */
export function getLocalPool<T extends object>(token: PoolToken<T>): LocalPool<T>;
/**
 * This isolate's pool for `key`. The first call in an isolate creates it from `options`; later calls
 * return the same pool and ignore `options` (which may then be omitted).
 */
export function getLocalPool<T extends object>(key: PoolKey, options?: LocalPoolOptions<T>): LocalPool<T>;
export function getLocalPool<T extends object>(key: PoolKey | PoolToken<T>, options?: LocalPoolOptions<T>): LocalPool<T> {
  let mapKey: PoolKey;
  let opts: LocalPoolOptions<T> | undefined;
  if (isToken(key)) {
    mapKey = key.key;
    opts = key.options as LocalPoolOptions<T>;
  } else if (typeof key === 'string' || typeof key === 'symbol') {
    mapKey = key;
    opts = options;
  } else {
    throw new TypeError(`isopool: getLocalPool() takes a string, a symbol or a definePool() token, received ${describe(key)}`);
  }
  const found = pools.get(mapKey);
  if (found !== undefined && !found.closed) return found as unknown as LocalPool<T>;
  if (opts === undefined) {
    throw new TypeError(
      found === undefined
        ? `isopool: getLocalPool(${describe(mapKey)}) has no pool in this isolate yet and no options to create one`
        : `isopool: getLocalPool(${describe(mapKey)}): this isolate's pool was closed; pass options to create a new one`,
    );
  }
  const pool = new LocalPool<T>(opts);
  pools.set(mapKey, pool as unknown as LocalPool<object>);
  return pool;
}

/** Closes and forgets this isolate's pool for `key`; the next `getLocalPool` makes a new one. */
export function closeLocalPool(key: PoolKey | PoolToken<object>): boolean {
  const mapKey = isToken(key) ? key.key : key;
  const pool = pools.get(mapKey);
  if (pool === undefined) return false;
  pools.delete(mapKey);
  pool.close();
  return true;
}
