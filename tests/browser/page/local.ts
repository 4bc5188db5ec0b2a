/**
 * LocalPool and getLocalPool checks, run the same way on the page's main thread and in each Web
 * Worker: every isolate gets its own registry and its own pools, and the hot path, the limit, and an
 * async wait all behave in a browser as they do in Node.
 */
import { getLocalPool, LocalPool, PoolError } from '../../../src/index.js';
import { errorInfo, type ErrorInfo } from './web.js';

interface Scratch {
  readonly madeBy: string;
  uses: number;
}

export interface LocalResult {
  readonly tag: string;
  /** `getLocalPool('scratch')` returned the pool the first call created. */
  readonly samePool: boolean;
  /** Who made each object this isolate's registry pool lent (must be only this isolate). */
  readonly madeBy: string[];
  /** After releasing two objects, the next acquire got one of them back. */
  readonly reused: boolean;
  /** Objects the registry pool created. */
  readonly created: number;
  /** 10,000 acquire/release pairs all got the same object (the owner slot). */
  readonly slotStable: boolean;
  readonly slotCreated: number;
  /** acquire() past `limit`. */
  readonly exhausted: ErrorInfo | undefined;
  readonly tryAtLimit: 'undefined' | 'object';
  /** acquireAsync() at the limit resolved with the object released after it began waiting. */
  readonly asyncGotReleased: boolean;
  readonly waitingWhilePending: number;
}

export async function localChecks(tag: string): Promise<LocalResult> {
  const pool = getLocalPool<Scratch>('scratch', { create: () => ({ madeBy: tag, uses: 0 }) });
  const samePool = getLocalPool<Scratch>('scratch') === pool;
  const held = [pool.acquire(), pool.acquire()];
  for (const o of held) o.uses++;
  for (const o of held) pool.release(o);
  const again = pool.acquire();
  const reused = held.includes(again);
  pool.release(again);

  const slotPool = new LocalPool({ create: () => ({ n: 0 }) });
  const first = slotPool.acquire();
  slotPool.release(first);
  let slotStable = true;
  for (let i = 0; i < 10_000; i++) {
    const o = slotPool.acquire();
    if (o !== first) slotStable = false;
    o.n++;
    slotPool.release(o);
  }

  const limited = new LocalPool({ create: () => ({}), limit: 2 });
  const a = limited.acquire();
  limited.acquire();
  let exhausted: ErrorInfo | undefined;
  try {
    limited.acquire();
  } catch (err) {
    if (!(err instanceof PoolError)) throw err;
    exhausted = errorInfo(err);
  }
  const tryAtLimit = limited.tryAcquire() === undefined ? 'undefined' : 'object';
  const pending = limited.acquireAsync({ timeout: 10_000 });
  const waitingWhilePending = limited.stats.waiting;
  limited.release(a);
  const got = await pending;

  return {
    tag,
    samePool,
    madeBy: held.map((o) => o.madeBy),
    reused,
    created: pool.stats.created,
    slotStable,
    slotCreated: slotPool.stats.created,
    exhausted,
    tryAtLimit,
    asyncGotReleased: got === a,
    waitingWhilePending,
  };
}
