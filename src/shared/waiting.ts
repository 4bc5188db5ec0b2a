/**
 * BlockWaiting: callers of a SharedPool that wait for a block, synchronously (`acquireSync`, one
 * Atomics.wait) or asynchronously (`acquireAsync`, queued FIFO in a WaiterQueue), over the futex
 * protocol of futex.ts.
 *
 * Async waiters of one isolate share one pending Atomics.waitAsync, not one each: when it resolves
 * the isolate serves its queue in order, one block a waiter, and arms again if waiters remain. A
 * pending waitAsync does not keep Node's event loop alive, so a ref'd interval does while any async
 * waiter exists. Where Atomics.waitAsync does not exist (some browsers) the isolate polls instead.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { checkWaitOptions, WaiterQueue, type ResolvedWait, type WaitOptions } from '../waiter-queue.js';
import type { Block } from './block-table.js';
import { PushFutex } from './futex.js';
import { H } from './layout.js';

/**
 * Poll interval of async waits where Atomics.waitAsync does not exist: long enough not to burn a
 * core, short enough that a released block is not left idle for long.
 */
const ASYNC_POLL_MS = 4;

/**
 * Pushes an arm lets pass it by (each freed a block another isolate took first) before it polls
 * instead: a handful, since each is a whole push and pop elsewhere.
 */
const ARM_ROUNDS = 8;

/** What waiting needs of its pool. */
export interface BlockSource {
  /** A block now, from the cache or the shared list, or undefined (the first try of every wait). */
  tryAcquire(): Block | undefined;
  /** Exactly one block for a waiter (never a cache batch), or undefined. */
  takeOne(): Block | undefined;
  /** True once the pool is closed in this isolate. */
  isClosed(): boolean;
}

const now = (): number => performance.now();

export class BlockWaiting {
  readonly futex: PushFutex;
  private readonly _a: Int32Array;
  private readonly _pool: BlockSource;
  private readonly _canWait: boolean;
  private readonly _queue: WaiterQueue<Block>;
  private _armed = false;
  private _keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(words: Int32Array, tag: number, canWait: boolean, pool: BlockSource) {
    this._a = words;
    this.futex = new PushFutex(words, tag);
    this._pool = pool;
    this._canWait = canWait;
    this._queue = new WaiterQueue<Block>(
      {
        onSettle: () => {
          this.futex.leave();
          if (this._queue.size === 0 && this._keepAlive !== undefined) {
            clearInterval(this._keepAlive);
            this._keepAlive = undefined;
          }
        },
      },
      (ms) => timeoutError('acquireAsync', ms),
    );
  }

  /** True while a waitAsync is pending for this isolate's queue. */
  get armed(): boolean {
    return this._armed;
  }

  /** See SharedPool.acquireSync. */
  acquireSync(options: unknown): Block {
    const timeout = checkWaitOptions(options, 'SharedPool.acquireSync').timeout;
    let b = this._pool.tryAcquire();
    if (b !== undefined) return b;
    if (!this._canWait) {
      throw new PoolError(
        ErrorCode.WAIT_NOT_ALLOWED,
        'isopool: SharedPool.acquireSync() cannot block on this thread (Atomics.wait is not allowed on a browser main thread); use acquireAsync()',
      );
    }
    const deadline = now() + timeout;
    // WAITERS goes up before we read PUSH_GEN, so a push after our failed try either sees a waiter
    // and notifies, or bumped PUSH_GEN before our read (then the try sees its block).
    this.futex.enter();
    try {
      for (;;) {
        const seen = this.futex.generation();
        b = this._pool.takeOne();
        if (b !== undefined) return b;
        const left = deadline - now();
        if (left <= 0) throw timeoutError('acquireSync', timeout);
        this.futex.sleep(seen, left);
      }
    } finally {
      this.futex.leave();
    }
  }

  /** See SharedPool.acquireAsync. */
  acquireAsync(options: WaitOptions | undefined): Promise<Block> {
    let wait: ResolvedWait;
    let b: Block | undefined;
    try {
      wait = checkWaitOptions(options, 'SharedPool.acquireAsync');
      if (wait.signal?.aborted === true) return Promise.reject(wait.signal.reason);
      b = this._queue.size === 0 ? this._pool.tryAcquire() : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    if (b !== undefined) return Promise.resolve(b);
    const promise = this._queue.wait(wait);
    // Counted before the arm below reads PUSH_GEN and re-tries (see acquireSync).
    this.futex.enter();
    this._keepAlive ??= setInterval(() => {}, 1 << 30);
    this._arm();
    return promise;
  }

  /** Rejects every async waiter of this isolate (the pool closed here). */
  rejectAll(reason: () => unknown): void {
    this._queue.rejectAll(reason);
  }

  private _wanted(): boolean {
    return this._queue.size > 0 && !this._pool.isClosed();
  }

  /** Serves queued waiters, in order, while blocks are to be had. */
  private _serve(): void {
    while (this._queue.size > 0) {
      const b = this._pool.takeOne();
      if (b === undefined) return;
      this._queue.resolveNext(b);
    }
  }

  /** Serves what it can now, and keeps one wait pending for the waiters still queued. */
  private _arm(): void {
    if (this._armed) {
      // The pending wait may be stale (armed for waiters that since timed out or aborted): a push
      // that landed between a new waiter's failed try and its WAITERS increment did not notify it,
      // so re-try now; any later push sees WAITERS > 0 and notifies the pending wait.
      this._serve();
      return;
    }
    for (let round = 0; this._wanted(); round++) {
      const seen = this.futex.generation();
      this._serve();
      if (!this._wanted()) return;
      // Each extra round means a push landed and another isolate took its block first: after a
      // few, poll instead of looping, so no call spins on other isolates' progress.
      if (typeof Atomics.waitAsync !== 'function' || round === ARM_ROUNDS) {
        this._armed = true;
        setTimeout(this._onWake, ASYNC_POLL_MS, 'timed-out');
        return;
      }
      // INVARIANT: resolves when a push notifies PUSH_GEN, or at once if it no longer reads `seen`.
      const r = Atomics.waitAsync(this._a, H.PUSH_GEN, seen);
      if (r.async) {
        this._armed = true;
        this.futex.waits++;
        r.value.then(this._onWake, this._onWake);
        return;
      }
    }
  }

  private readonly _onWake = (result: unknown): void => {
    this._armed = false;
    if (!this._wanted()) {
      // Nobody here wants the block any more: pass the wake-up on to another sleeper.
      // INVARIANT: a notify consumed by a stale wait is forwarded, so no waiter misses its block.
      if (result === 'ok') Atomics.notify(this._a, H.PUSH_GEN, 1);
      return;
    }
    this._arm();
  };
}

function timeoutError(method: string, timeout: number): PoolError {
  return new PoolError(ErrorCode.TIMEOUT, `isopool: SharedPool.${method}() timed out after ${timeout} ms`);
}
