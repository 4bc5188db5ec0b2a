/** Assertions about what a call throws, shared by the suites of every pool. */
import * as assert from 'uvu/assert';
import { PoolError } from '../../src/index.js';

/** A predicate for `assert.throws` and for rejections: a PoolError with that code. */
export const isCode =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof PoolError && e.code === code;

/** Asserts that `fn` throws a PoolError with `code`, and a message matching `message` when given. */
export function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, PoolError);
    assert.is((error as PoolError).code, code);
    if (message !== undefined) assert.match((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

/**
 * What `fn` throws, as a string to compare: a PoolError's code, any other error's
 * `Name: message`; `undefined` when it returns.
 */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof PoolError ? error.code : `${(error as Error).name}: ${(error as Error).message}`;
  }
  return undefined;
}
