/**
 * Calling a ResourcePool's hooks, which are user code and may be sync or async: telling a promise
 * from a value, wrapping a hook's failure in a PoolError whose `cause` is the original, and running
 * `destroy` under a deadline so that a hung one cannot hold its slot under `max` for good.
 */
import { ErrorCode, PoolError } from '../errors.js';
import type { ResourcePoolConfig } from './options.js';
import type { TimerSet } from './timers.js';

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** The PoolError for a failed hook: `isopool: <pool>'s <hook> failed: <cause's message>`, with `cause`. */
export function hookFailure(code: ErrorCode, pool: string, hook: 'create' | 'destroy' | 'validate', cause: unknown): PoolError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new PoolError(code, `isopool: ${pool}'s ${hook} failed: ${message}`, { cause });
}

/**
 * Calls `destroy(resource)` and then `done(failure)` once: when it settles (`failure` undefined),
 * throws, rejects, or overruns `createTimeout` (`failure` a PoolError `ERR_DESTROY_FAILED`, its cause
 * the error or a PoolError `ERR_TIMEOUT`), whichever comes first. At once when there is no `destroy`
 * or it returns no promise.
 */
export function runDestroy<T extends object>(
  config: ResourcePoolConfig<T>,
  timers: TimerSet,
  resource: T,
  done: (failure: PoolError | undefined) => void,
): void {
  let settled = false;
  let timer: ReturnType<TimerSet['deadline']> | undefined;
  const finish = (cause: unknown, failed: boolean): void => {
    if (settled) return;
    settled = true;
    timer = timers.stop(timer);
    done(failed ? hookFailure(ErrorCode.DESTROY_FAILED, config.name, 'destroy', cause) : undefined);
  };
  let result: unknown;
  try {
    result = config.destroy === undefined ? undefined : config.destroy(resource);
  } catch (error) {
    finish(error, true);
    return;
  }
  if (!isThenable(result)) {
    finish(undefined, false);
    return;
  }
  const ms = config.createTimeout;
  if (ms !== Infinity) {
    timer = timers.deadline(() => finish(new PoolError(ErrorCode.TIMEOUT, `isopool: ${config.name}'s destroy did not settle within ${ms} ms`), true), ms);
  }
  Promise.resolve(result).then(
    () => finish(undefined, false),
    (error: unknown) => finish(error, true),
  );
}
