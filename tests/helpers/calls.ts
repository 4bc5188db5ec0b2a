/**
 * Event helpers for async-pool tests: record the calls a pool makes (`create`, `destroy`,
 * `onError`...) and await the n-th one, with a bounded wait, instead of sleeping and hoping.
 */

/** Default bound of a wait for an event that should come within milliseconds. */
export const EVENT_MS = 5_000;

/** Records every call's argument; `until(n)` resolves once `n` calls were made. */
export class Calls<A> {
  readonly args: A[] = [];
  private _waits: Array<{ n: number; resolve: () => void }> = [];

  /** The recorder, to pass as a hook. */
  readonly record = (arg: A): void => {
    this.args.push(arg);
    this._waits = this._waits.filter((w) => (this.args.length >= w.n ? (w.resolve(), false) : true));
  };

  get count(): number {
    return this.args.length;
  }

  /** Resolves with the arguments once `n` calls were made; rejects after `ms`. */
  until(n: number, ms = EVENT_MS): Promise<A[]> {
    if (this.args.length >= n) return Promise.resolve(this.args);
    return new Promise<A[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`waited ${ms} ms for call ${n}, saw ${this.args.length}`)), ms);
      this._waits.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.args);
        },
      });
    });
  }
}

/** A promise with its settle functions, for a `create` or `destroy` the test finishes by hand. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A `create` whose calls each return a Deferred's promise, recorded in order for the test to settle. */
export function manualCreate<T>(): { create: () => Promise<T>; calls: Calls<Deferred<T>> } {
  const calls = new Calls<Deferred<T>>();
  return {
    calls,
    create: () => {
      const d = deferred<T>();
      calls.record(d);
      return d.promise;
    },
  };
}

/** Lets every queued microtask and promise job run (a macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
