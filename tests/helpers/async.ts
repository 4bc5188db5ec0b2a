/** Outcomes of promises, for suites that check how a wait ends. */
import * as assert from 'uvu/assert';
import { PoolError, type Block } from '../../src/index.js';

/** The error `p` rejects with; throws when `p` resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Asserts that `promise` rejects, with an error `check` accepts. */
export async function rejectsWith(promise: Promise<unknown>, check: (error: unknown) => boolean): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(check(error), `unexpected rejection: ${String(error)}`);
    return;
  }
  assert.unreachable('expected a rejection');
}

/** How a wait for a block ended: the block's index, or the PoolError code (else the text) it rejected with. */
export async function blockOutcome(p: Promise<Block>): Promise<number | string> {
  return p.then(
    (b) => b.index,
    (e: unknown) => (e instanceof PoolError ? e.code : String(e)),
  );
}
