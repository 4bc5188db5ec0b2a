/**
 * One error class for every misuse of a pool, with a stable `code` that callers can branch on.
 *
 * Bad arguments (a negative `max`, a `create` that is not a function) are not PoolErrors: they throw
 * the built-in `TypeError` / `RangeError` with a message that names the option and the value
 * received, through the helpers in validate.ts.
 */

/** Every `PoolError` code isopool throws. The strings are stable: they are part of the API. */
export const ErrorCode = {
  /** An object or block was released while it was not lent (released twice, or never acquired). */
  DOUBLE_RELEASE: 'ERR_DOUBLE_RELEASE',
  /** An object was released to a pool that did not make it. */
  FOREIGN_OBJECT: 'ERR_FOREIGN_OBJECT',
  /** `acquire()` found every object lent and the pool at its `limit` (or every shared block out). */
  POOL_EXHAUSTED: 'ERR_POOL_EXHAUSTED',
  /** `acquireAsync()` / `acquireSync()` waited past its `timeout`. */
  TIMEOUT: 'ERR_TIMEOUT',
  /** The pool was closed: it lends nothing more. */
  CLOSED: 'ERR_CLOSED',
  /** `SharedPool.attach()` was given something that is not a live isopool handle. */
  BAD_HANDLE: 'ERR_BAD_HANDLE',
  /** SharedArrayBuffer is not available (a page that is not cross-origin isolated). */
  SAB_UNAVAILABLE: 'ERR_SAB_UNAVAILABLE',
  /** A blocking wait was asked for where blocking is not allowed (a browser's main thread). */
  WAIT_NOT_ALLOWED: 'ERR_WAIT_NOT_ALLOWED',
  /** A lease's `value` was read after the lease gave its object back. */
  LEASE_RELEASED: 'ERR_LEASE_RELEASED',
  /** ResourcePool: `create` threw, rejected, returned no object, or did not settle within `createTimeout`; `cause` says which. */
  CREATE_FAILED: 'ERR_CREATE_FAILED',
  /** ResourcePool: `destroy` threw, rejected, or did not settle within `createTimeout` (reported to `onError`). */
  DESTROY_FAILED: 'ERR_DESTROY_FAILED',
  /** ResourcePool: `validate` threw, rejected, or returned something other than a boolean (reported to `onError`). */
  VALIDATE_FAILED: 'ERR_VALIDATE_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class PoolError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoolError';
    this.code = code;
  }
}
