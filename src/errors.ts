/**
 * One error class for every misuse of a pool, with a stable `code` that callers can branch on.
 *
 * Bad arguments (a negative `max`, a `create` that is not a function) are not PoolErrors: they throw
 * the built-in `TypeError` / `RangeError` with a message that names the option and the value received,
 * through the helpers at the bottom of this file.
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

/** Shows a received value in an error message: strings quoted, functions and objects by kind. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `a function`;
  if (typeof value === 'symbol' || typeof value === 'bigint') return String(value) + (typeof value === 'bigint' ? 'n' : '');
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `an object (${(value as object).constructor?.name ?? 'null prototype'})`;
}

/** Throws a RangeError unless `value` is an integer in [min, max]; `Infinity` is allowed where max is. */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') {
    throw new TypeError(`isopool: option \`${name}\` must be a number, received ${describe(value)}`);
  }
  if (!(value === Infinity && max === Infinity) && !Number.isInteger(value)) {
    throw new RangeError(`isopool: option \`${name}\` must be an integer, received ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(
      `isopool: option \`${name}\` must be between ${min} and ${max}, received ${describe(value)}`,
    );
  }
  return value;
}

/** Throws a TypeError unless `value` is a function (or undefined when optional). */
export function checkFunction(name: string, value: unknown, optional: boolean): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'function') {
    throw new TypeError(`isopool: option \`${name}\` must be a function, received ${describe(value)}`);
  }
}
