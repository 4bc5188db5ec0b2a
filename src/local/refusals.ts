/**
 * The errors a LocalPool throws for misuse and for the states it cannot lend in, each built in one
 * place so that the pool's cold paths stay short and every message names the pool and the call.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { describe } from '../validate.js';

/** `release()` was given something that is not an object (a primitive, `null`, `undefined`). */
export function notAnObject(pool: string, value: unknown): TypeError {
  return new TypeError(`isopool: ${pool}.release() takes an object it lent, received ${describe(value)}`);
}

/** `release()` was given an object idle in the owner slot or on top of the stack. */
export function alreadyIdle(pool: string): PoolError {
  return new PoolError(ErrorCode.DOUBLE_RELEASE, `isopool: ${pool}.release() was given an object that is already idle (released twice)`);
}

/** `release()` while nothing is lent, or while the one object lent is another. */
export function notLent(pool: string, noneLent: boolean): PoolError {
  return new PoolError(
    ErrorCode.DOUBLE_RELEASE,
    noneLent
      ? `isopool: ${pool}.release() was given an object while none is lent (released twice, or never acquired)`
      : `isopool: ${pool}.release() was given an object that is not lent: the one object lent is another (released twice, or never acquired)`,
  );
}

/** An acquire found nothing to lend: every object is lent at `limit`, or the source is empty. */
export function exhausted(pool: string, limit: number, atLimit: boolean): PoolError {
  return new PoolError(
    ErrorCode.POOL_EXHAUSTED,
    atLimit
      ? `isopool: ${pool} is exhausted: all ${limit} objects (option \`limit\`) are lent`
      : `isopool: ${pool} is exhausted: its source has no more objects`,
  );
}

/** An acquire after `close()`, or a waiter pending at close. */
export function closed(pool: string): PoolError {
  return new PoolError(ErrorCode.CLOSED, `isopool: ${pool} is closed`);
}

/** An `acquireAsync` waited past its `timeout`. */
export function timedOut(pool: string, ms: number): PoolError {
  return new PoolError(ErrorCode.TIMEOUT, `isopool: ${pool}.acquireAsync() timed out after ${ms} ms`);
}
