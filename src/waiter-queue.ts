/**
 * WaiterQueue: the callers waiting for a pool, served first come, first served, each settled once.
 *
 * LocalPool (waiting for a release under `limit`) and SharedPool (waiting for a block any isolate
 * frees) queue their async callers here, so the waiter record, its timer, its AbortSignal wiring and
 * the one timeout rule exist once. A pool tells the queue nothing about what it waits for: it calls
 * `resolveNext(value)` when it has something to hand over, `rejectNext` / `rejectAll` on failure or
 * close, and learns about comings and goings through two hooks (`onFirst` when the queue goes from
 * empty to one waiter, `onSettle` after any waiter leaves, however it left).
 *
 * ## Invariants
 *
 * - A waiter is settled exactly once: by the pool (resolve or reject), by its timer, or by its
 *   signal, whichever comes first; the others find it `done` and do nothing. `size` counts the
 *   waiters not yet settled, and `onSettle` runs once per settled waiter, after `size` dropped.
 * - Bookkeeping never half-happens: the timer and the abort listener are set up before the waiter
 *   is counted, and if either throws (a signal whose `addEventListener` throws) the call rejects
 *   with that error and nothing was counted.
 * - Settled waiters ahead of the head are skipped and compacted away once more than COMPACT_AT of
 *   them sit before it, so under sustained contention (the queue never empties) memory stays bounded;
 *   when the queue empties the array is reset.
 *
 * ## The timeout rule
 *
 * `timeout` is a number of ms from 0 to MAX_TIMEOUT (setTimeout's largest delay), or `Infinity` for
 * none. A larger finite delay is refused rather than passed on: setTimeout fires it after ~1 ms.
 */
import { checkKnownKeys, describe } from './validate.js';

/** setTimeout's largest delay (2^31 - 1 ms); a longer one fires at once in Node and browsers. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

/** Settled waiters are compacted out of the queue once this many sit before its head. */
const COMPACT_AT = 1024;

/**
 * What a wait needs of an `AbortSignal`, declared here so the published declarations need neither
 * the DOM lib nor @types/node; the DOM's, Node's and Deno's signals all fit it.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** What a waiting call takes. */
export interface WaitOptions {
  /** Aborting rejects the wait with the signal's reason. */
  signal?: AbortSignalLike;
  /** Milliseconds to wait before rejecting with `PoolError` `ERR_TIMEOUT`. */
  timeout?: number;
}

/** Wait options after checking: `timeout` is `Infinity` when none was given. */
export interface ResolvedWait {
  readonly signal: AbortSignalLike | undefined;
  readonly timeout: number;
}

const NO_WAIT: ResolvedWait = Object.freeze({ signal: undefined, timeout: Infinity });

const WAIT_KEYS: readonly (keyof WaitOptions)[] = ['signal', 'timeout'];

/** Checks a `timeout` alone (acquireSync takes no signal); `Infinity` when undefined. */
export function checkTimeout(timeout: unknown): number {
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== 'number' || !(timeout >= 0) || (timeout > MAX_TIMEOUT && timeout !== Infinity)) {
    throw new RangeError(`isopool: option \`timeout\` must be a number of ms from 0 to ${MAX_TIMEOUT}, or Infinity, received ${describe(timeout)}`);
  }
  return timeout;
}

/** Checks the options of a waiting call named `method` (e.g. `LocalPool.acquireAsync`). */
export function checkWaitOptions(options: unknown, method: string): ResolvedWait {
  if (options === undefined) return NO_WAIT;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`isopool: ${method}() options must be an object, received ${describe(options)}`);
  }
  checkKnownKeys(`${method}()`, options, WAIT_KEYS);
  const { signal, timeout } = options as WaitOptions;
  const ms = checkTimeout(timeout);
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError(`isopool: option \`signal\` of ${method}() must be an AbortSignal, received ${describe(signal)}`);
  }
  return signal === undefined && ms === Infinity ? NO_WAIT : { signal, timeout: ms };
}

/** An AbortSignal, or anything shaped like one (a polyfill, another realm's). */
function isAbortSignal(value: unknown): value is AbortSignalLike {
  if (value === null || typeof value !== 'object') return false;
  const s = value as Partial<AbortSignalLike>;
  return typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
}

export interface WaiterHooks {
  /** The queue went from no waiter to one. */
  onFirst?(): void;
  /** A waiter left (served, rejected, timed out or aborted); `size` already counts it out. */
  onSettle?(): void;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(reason: unknown): void;
  done: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignalLike | undefined;
  onAbort: (() => void) | undefined;
}

export class WaiterQueue<T> {
  private readonly _waiters: Waiter<T>[] = [];
  private _head = 0;
  private _size = 0;
  private readonly _hooks: WaiterHooks;
  private readonly _timeoutError: (ms: number) => unknown;

  /** `timeoutError(ms)` makes the rejection of a waiter whose timer ran out. */
  constructor(hooks: WaiterHooks, timeoutError: (ms: number) => unknown) {
    this._hooks = hooks;
    this._timeoutError = timeoutError;
  }

  /** Waiters not yet settled. */
  get size(): number {
    return this._size;
  }

  /** Records the queue holds, settled ones not yet compacted away included (bounded; for tests). */
  get held(): number {
    return this._waiters.length;
  }

  /**
   * Queues a caller; the promise settles when the pool hands it a value, the timer runs out, the
   * signal aborts, or the pool rejects it. The caller has checked `wait` and that the signal has not
   * aborted yet.
   */
  wait(wait: ResolvedWait): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, done: false, timer: undefined, signal: wait.signal, onAbort: undefined };
      try {
        const { timeout, signal } = wait;
        if (timeout !== Infinity) waiter.timer = setTimeout(() => this._cancel(waiter, this._timeoutError(timeout)), timeout);
        if (signal !== undefined) {
          waiter.onAbort = () => this._cancel(waiter, signal.reason);
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
      } catch (error) {
        if (waiter.timer !== undefined) clearTimeout(waiter.timer);
        reject(error);
        return;
      }
      this._waiters.push(waiter);
      if (this._size++ === 0) this._hooks.onFirst?.();
    });
  }

  /** Hands `value` to the oldest waiter; false (and nothing done) when nobody waits. */
  resolveNext(value: T): boolean {
    const waiter = this._next();
    if (waiter === undefined) return false;
    this._finish(waiter);
    waiter.resolve(value);
    return true;
  }

  /** Rejects the oldest waiter; false when nobody waits. */
  rejectNext(reason: unknown): boolean {
    const waiter = this._next();
    if (waiter === undefined) return false;
    this._finish(waiter);
    waiter.reject(reason);
    return true;
  }

  /** Rejects every waiter with `reason()` (one reason each), oldest first. */
  rejectAll(reason: () => unknown): void {
    let waiter: Waiter<T> | undefined;
    while ((waiter = this._next()) !== undefined) {
      this._finish(waiter);
      waiter.reject(reason());
    }
  }

  private _cancel(waiter: Waiter<T>, reason: unknown): void {
    if (waiter.done) return;
    this._finish(waiter);
    waiter.reject(reason);
  }

  /** The oldest waiter not yet settled, advancing the head past settled ones. */
  private _next(): Waiter<T> | undefined {
    const waiters = this._waiters;
    if (this._head >= COMPACT_AT && this._head * 2 >= waiters.length) {
      // Under sustained contention the queue never empties: drop the settled prefix.
      waiters.splice(0, this._head);
      this._head = 0;
    }
    while (this._head < waiters.length) {
      const w = waiters[this._head++]!;
      if (!w.done) return w;
    }
    return undefined;
  }

  /** Settles the books for one waiter, before its promise settles. */
  private _finish(waiter: Waiter<T>): void {
    waiter.done = true;
    if (--this._size === 0) {
      this._waiters.length = 0;
      this._head = 0;
    }
    this._hooks.onSettle?.();
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) {
      try {
        waiter.signal!.removeEventListener('abort', waiter.onAbort);
      } catch {
        // A signal whose removeEventListener throws keeps a listener that finds the waiter done and
        // does nothing; throwing here would lose the value being handed over.
      }
    }
  }
}
