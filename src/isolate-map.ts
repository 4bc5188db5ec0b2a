/**
 * IsolateMap: "this isolate's pool for a key, made on first use", the get-or-create map behind
 * `getLocalPool` and `getLocalBufferPool` (thread_local's `get_or`).
 *
 * A module's top-level state is per isolate in JavaScript: the main thread and every worker load
 * their own copy of this module, so a plain Map is already isolate-local, with no lookup by thread
 * id and nothing shared. A pool that was closed counts as absent: the next get makes a new one.
 */
export class IsolateMap<K, P extends { readonly closed: boolean }> {
  private readonly _pools = new Map<K, P>();

  /** The open pool for `key`, or undefined (none made yet, or closed). */
  get(key: K): P | undefined {
    const found = this._pools.get(key);
    return found !== undefined && found.closed === false ? found : undefined;
  }

  /** True when a pool was made for `key` and has since been closed. */
  wasClosed(key: K): boolean {
    return this._pools.get(key)?.closed === true;
  }

  /** The open pool for `key`, made by `make()` (and remembered) when there is none. */
  getOrCreate(key: K, make: () => P): P {
    const found = this.get(key);
    if (found !== undefined) return found;
    const pool = make();
    this._pools.set(key, pool);
    return pool;
  }

  /** The open pools with their keys, in the order they were made; closed ones are forgotten on the way. */
  entries(): Array<[K, P]> {
    const out: Array<[K, P]> = [];
    for (const [key, pool] of this._pools) {
      if (pool.closed) this._pools.delete(key);
      else out.push([key, pool]);
    }
    return out;
  }

  /** Remembers `pool` as `key`'s (the caller made it, on finding none open). */
  set(key: K, pool: P): void {
    this._pools.set(key, pool);
  }

  /** Forgets `key`'s pool and returns it (undefined when there was none). */
  delete(key: K): P | undefined {
    const pool = this._pools.get(key);
    if (pool !== undefined) this._pools.delete(key);
    return pool;
  }
}
