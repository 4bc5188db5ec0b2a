/**
 * getLocalPool: one pool per key per isolate, created on first use (thread_local's `get_or`).
 *
 * A module's top-level state is per isolate in JavaScript: the main thread and every worker load
 * their own copy of this module, so a plain Map here is already isolate-local, with no lookup by
 * thread id and nothing shared. Each worker that calls `getLocalPool(key, options)` gets its own pool.
 */
import { describe } from './errors.js';
import { LocalPool, type LocalPoolOptions } from './local-pool.js';

/**
 * A typed key made by `definePool`: carries the options and the element type, no cast needed.
 *
 * A token is made at module evaluation, so each isolate has its own token object, and it caches
 * this isolate's pool in a field: `getLocalPool(token)` is then a field read and a closed check
 * instead of a Map lookup (the `tls_get` row of `npm run bench`).
 */
export class PoolToken<T extends object> {
  readonly key: symbol;
  readonly options: LocalPoolOptions<T>;
  /** @internal This isolate's pool for the token, once made. */
  _pool: LocalPool<T> | undefined;

  /** @internal Use `definePool`. */
  constructor(key: symbol, options: LocalPoolOptions<T>) {
    this.key = key;
    this.options = options;
    this._pool = undefined;
  }
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
  return new PoolToken<T>(Symbol(name ?? options.name ?? 'isopool'), options);
}

/** This isolate's pool for `token`, created on first use from the token's options. */
export function getLocalPool<T extends object>(token: PoolToken<T>): LocalPool<T>;
/**
 * This isolate's pool for `key`. The first call in an isolate creates it from `options`; later calls
 * return the same pool and ignore `options` (which may then be omitted).
 */
export function getLocalPool<T extends object>(key: PoolKey, options?: LocalPoolOptions<T>): LocalPool<T>;
export function getLocalPool<T extends object>(key: PoolKey | PoolToken<T>, options?: LocalPoolOptions<T>): LocalPool<T> {
  if (key instanceof PoolToken) {
    const cached = key._pool;
    if (cached !== undefined && !cached.closed) return cached;
    const pool = lookup(key.key, key.options as LocalPoolOptions<T>);
    key._pool = pool;
    return pool;
  }
  if (typeof key !== 'string' && typeof key !== 'symbol') {
    throw new TypeError(`isopool: getLocalPool() takes a string, a symbol or a definePool() token, received ${describe(key)}`);
  }
  return lookup(key, options);
}

function lookup<T extends object>(mapKey: PoolKey, opts: LocalPoolOptions<T> | undefined): LocalPool<T> {
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
  let mapKey: PoolKey;
  if (key instanceof PoolToken) {
    mapKey = key.key;
    key._pool = undefined;
  } else {
    mapKey = key;
  }
  const pool = pools.get(mapKey);
  if (pool === undefined) return false;
  pools.delete(mapKey);
  pool.close();
  return true;
}
