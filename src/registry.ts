/**
 * This isolate's pools by key: `getLocalPool` (LocalPool per string, symbol or `definePool` token)
 * and `getLocalBufferPool` (one default BufferPool per element type). Each worker that calls them
 * gets its own pools (see isolate-map.ts for why a module-level Map is already isolate-local).
 * `localPools()` lists them and `trimLocalPools()` trims them all, as thread_local's owner iterates
 * and clears every thread's value; here each isolate sees its own.
 */
import { BufferPool } from './buffer/buffer-pool.js';
import type { BufferPoolOptions } from './buffer/options.js';
import type { TypedArray, TypedArrayConstructor } from './buffer/typed-array.js';
import { IsolateMap } from './isolate-map.js';
import { LocalPool } from './local/local-pool.js';
import { resolveLocalPoolOptions, type LocalPoolOptions } from './local/options.js';
import { checkInteger, describe } from './validate.js';

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

const pools = new IsolateMap<PoolKey, LocalPool<object>>();
const bufferPools = new IsolateMap<TypedArrayConstructor<TypedArray>, BufferPool<TypedArray>>();
/** The token behind each token-made pool's symbol, so `localPools()` names the key its caller used. */
const tokens = new Map<symbol, PoolToken<object>>();

/**
 * Defines a per-isolate pool once, at module level; `getLocalPool(token)` then returns this isolate's
 * pool for it, typed. `name` (default `options.name`) only labels the key for debugging. The options
 * are checked here, so a bad one fails where it is written, not at some isolate's first use.
 */
export function definePool<T extends object>(options: LocalPoolOptions<T>, name?: string): PoolToken<T> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`isopool: definePool() takes LocalPool options, received ${describe(options)}`);
  }
  refuseInitial(options, 'definePool()');
  resolveLocalPoolOptions(options);
  if (name !== undefined && typeof name !== 'string') {
    throw new TypeError(`isopool: definePool(options, name) takes a string name, received ${describe(name)}`);
  }
  return new PoolToken<T>(Symbol(name ?? options.name ?? 'isopool'), options);
}

/**
 * The registry makes its pools on demand, and again after `closeLocalPool`: `initial` objects would
 * seed a second pool after the first disposed them.
 */
function refuseInitial<T extends object>(options: LocalPoolOptions<T>, what: string): void {
  if (options.initial !== undefined) {
    throw new TypeError(`isopool: ${what} takes no \`initial\` objects: its pools are made on demand, again after closeLocalPool(), and one set of objects cannot seed them all (use \`prefill\`)`);
  }
}

/** This isolate's pool for `token`, created on first use from the token's options. */
export function getLocalPool<T extends object>(token: PoolToken<T>): LocalPool<T>;
/**
 * This isolate's pool for `key`. The first call in an isolate creates it from `options`; later calls
 * return the same pool and ignore `options` (which may then be omitted).
 */
export function getLocalPool<T extends object>(key: PoolKey, options?: LocalPoolOptions<T>): LocalPool<T>;
export function getLocalPool<T extends object>(key: PoolKey | PoolToken<T>, options?: LocalPoolOptions<T>): LocalPool<T> {
  // Strict comparisons only (pool-core.ts's essay, "Staying fast in a used program"). `typeof`
  // first, so that tokens and string or symbol keys each reach only their own lookup, and the type
  // feedback of the token's `instanceof` and field read sees tokens alone.
  if (typeof key === 'object') {
    if (key instanceof PoolToken) {
      const cached = key._pool;
      if (cached !== undefined && cached.closed === false) return cached;
    }
  } else {
    const found = pools.get(key as PoolKey);
    if (found !== undefined) return found as unknown as LocalPool<T>;
  }
  // A pool's first use (or first use after close), or a key of the wrong type: rare in any program,
  // so the call stays below TurboFan's inlining frequency (15 % of calls) and is never inlined.
  return registryCold(Cold.Get, key, options) as LocalPool<T>;
}

/** What `registryCold` is asked to do. */
const Cold = { Get: 0, Close: 1 } as const;
type Cold = (typeof Cold)[keyof typeof Cold];

/**
 * The registry's cold paths: a key's first use in this isolate (or first use after its pool
 * closed), a key of the wrong type, and `closeLocalPool`. Returns the pool (Get), or whether a pool
 * was closed (Close).
 */
function registryCold<T extends object>(op: Cold, key: PoolKey | PoolToken<T>, options: LocalPoolOptions<T> | undefined): LocalPool<T> | boolean {
  const token = key instanceof PoolToken ? key : undefined;
  if (token === undefined && typeof key !== 'string' && typeof key !== 'symbol') {
    const what = op === Cold.Get ? 'getLocalPool' : 'closeLocalPool';
    throw new TypeError(`isopool: ${what}() takes a string, a symbol or a definePool() token, received ${describe(key)}`);
  }
  const mapKey = token === undefined ? (key as PoolKey) : token.key;
  if (op === Cold.Close) {
    if (token !== undefined) token._pool = undefined;
    const pool = pools.delete(mapKey);
    if (pool === undefined) return false;
    pool.close();
    return true;
  }
  if (token !== undefined) options = token.options;
  let pool = pools.get(mapKey) as LocalPool<T> | undefined;
  if (pool === undefined) {
    if (options === undefined) {
      throw new TypeError(
        pools.wasClosed(mapKey)
          ? `isopool: getLocalPool(${describe(mapKey)}): this isolate's pool was closed; pass options to create a new one`
          : `isopool: getLocalPool(${describe(mapKey)}) has no pool in this isolate yet and no options to create one`,
      );
    }
    refuseInitial(options, 'getLocalPool()');
    pool = new LocalPool<T>(options);
    pools.set(mapKey, pool as unknown as LocalPool<object>);
  }
  if (token !== undefined) {
    token._pool = pool;
    tokens.set(token.key, token as unknown as PoolToken<object>);
  }
  return pool;
}

/** Closes and forgets this isolate's pool for `key`; the next `getLocalPool` makes a new one. */
export function closeLocalPool(key: PoolKey | PoolToken<object>): boolean {
  return registryCold(Cold.Close, key, undefined) as boolean;
}

/**
 * This isolate's default BufferPool for `ctor`, created on first use from `options`; later calls
 * return the same pool and ignore `options`. Each worker gets its own, as with `getLocalPool`.
 */
export function getLocalBufferPool<A extends TypedArray>(ctor: TypedArrayConstructor<A>, options?: BufferPoolOptions): BufferPool<A> {
  const key = ctor as TypedArrayConstructor<TypedArray>;
  return bufferPools.getOrCreate(key, () => new BufferPool<A>(ctor, options) as unknown as BufferPool<TypedArray>) as unknown as BufferPool<A>;
}

/** A pool the registry made in this isolate, with the key it was made for. */
export type LocalPoolEntry =
  | { readonly kind: 'local'; readonly key: PoolKey | PoolToken<object>; readonly pool: LocalPool<object> }
  | { readonly kind: 'buffer'; readonly key: TypedArrayConstructor<TypedArray>; readonly pool: BufferPool<TypedArray> };

/**
 * This isolate's open registry pools: every `getLocalPool` pool (keyed by its string, symbol or
 * token), then every `getLocalBufferPool` pool (keyed by its element type), each in the order it was
 * made. A snapshot: pools made or closed after the call do not change it.
 */
export function localPools(): LocalPoolEntry[] {
  const out: LocalPoolEntry[] = [];
  for (const [key, pool] of pools.entries()) {
    out.push({ kind: 'local', key: (typeof key === 'symbol' ? tokens.get(key) : undefined) ?? key, pool });
  }
  for (const [key, pool] of bufferPools.entries()) out.push({ kind: 'buffer', key, pool });
  return out;
}

/**
 * Trims every pool `localPools()` lists to `keep` idle objects (a BufferPool: `keep` per size class),
 * what a program does under memory pressure. Returns how many objects were dropped. Every pool is
 * trimmed even when a `dispose` throws; then the error is thrown (an AggregateError for several).
 */
export function trimLocalPools(keep = 0): number {
  checkInteger('keep', keep, 0, 2 ** 30);
  let dropped = 0;
  const errors: unknown[] = [];
  for (const { pool } of localPools()) {
    try {
      dropped += pool.trim(keep);
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `isopool: ${errors.length} pools failed to trim`);
  return dropped;
}
