/**
 * `isopool/reusify`: a drop-in for reusify, the pool inside fastify's stack (fastq keeps its task
 * objects in one), with reusify's API, reuse order and structure, bounded, and safe against double
 * release.
 *
 * The structure is reusify's own, kept: idle objects are linked oldest first through their `next`
 * field, from `head` to `tail`; the head, the *spare*, is always there (the constructor is called
 * once when the pool is made), `get()` hands it out and the next idle object becomes the spare, and
 * `release()` appends to the tail. So objects released in a burst come back in release order, as
 * reusify's own test.js asserts (run by tests/reusify.test.ts), and a pair is the same few pointer
 * writes as reusify's, plus a counter and two compares: 92 instructions a pair against reusify's 66
 * (callgrind, below).
 *
 * Invariants: the idle objects are exactly the list from `head` to `tail`, `count` of them (at
 * least 1, at most `max`); the tail's `next` is END, a private sentinel no caller can hold, so
 * every idle object has a non-null `next`; `get()` sets `next` to null, as reusify does. Hence
 * `release()` takes its fast path only for an object whose `next` is null, which no idle object
 * has: a double release cannot append an object twice (which in reusify makes a cycle that lends
 * one object to two holders). An object with a non-null `next` goes to the cold path, which walks
 * the list (at most `max` steps): found, it throws `ERR_DOUBLE_RELEASE`; not found (its holder
 * wrote `next`), it is accepted. A release with `max` idle objects drops the object for the
 * collector, where reusify's list grows without bound.
 *
 * Alternatives rejected, by instruction counts (callgrind, a warm loop of 11M get/release pairs
 * minus one of 1M, `node --single-threaded`, Node 20.20.2, 2026-11-22: the `reusify` and
 * `reusify-pkg` loops of benchmarks/experiments/instructions.ts, which says how to run them;
 * reusify itself: 66-67 a pair):
 * a LocalPool behind the spare (this module's first design) took 226: its owner slot admits only
 * the object it lent last, the spare of the last `get()`, while the caller releases the spare of
 * the get before, so every release took LocalPool's cold path. A bounded FIFO ring of idle objects
 * marked by a sentinel in `next` took 141 as an object, 134 in closure variables, 157 with the
 * growth a large `max` needs (its storage cannot be made `max` long up front). This list with
 * `typeof obj !== 'object' || obj === null` before the `next` test took 101; `obj?.next` sends a
 * non-object to the cold path just as well, in 91-92. A plain LocalPool is
 * LIFO: after a burst of releases it lends the last one first, and reusify's test.js ("reuse more
 * than 2 objects") fails on it. A WeakSet of idle objects for the double-release check: every
 * release would pay the lookup.
 */
import { ErrorCode, PoolError } from './errors.js';
import { checkInteger, checkOptionsObject, describe } from './validate.js';

/** What reusify needs of a pooled object: the `next` field its list links through (set to null on get). */
export interface ReusifyNode {
  next: ReusifyNode | null;
}

export interface ReusifyOptions {
  /** Most idle objects kept, the spare included. Default 16, at least 2. */
  max?: number;
}

/** reusify's pool: `get()` an object, `release(obj)` it when done. */
export interface Reusify<T extends ReusifyNode> {
  get(): T;
  release(obj: T): void;
}

/** Default for `max`: LocalPool's default, the same bound on retained idle objects. */
export const DEFAULT_REUSIFY_MAX = 16;

/** `max` below 2 would leave room for the spare only: every release would be dropped. */
const MIN_MAX = 2;

/** Largest `max`: far past any pool that fits in memory (LocalPool's own bound). */
const MAX_MAX = 2 ** 30;

/** The `next` of the list's tail: a sentinel only this module holds, so no idle object has a null `next`. */
const END: ReusifyNode = Object.freeze({ next: null });

/**
 * A pool of `Constructor` instances with reusify's API (`get`, `release`) and reuse order. The
 * constructor is called once now, for the spare, and again whenever no idle object is left.
 */
export function reusify<T extends ReusifyNode>(Constructor: new () => T, options: ReusifyOptions = {}): Reusify<T> {
  if (typeof Constructor !== 'function') {
    throw new TypeError(`isopool: reusify() takes a constructor, received ${describe(Constructor)}`);
  }
  checkOptionsObject('reusify options', options);
  const max = options.max === undefined ? DEFAULT_REUSIFY_MAX : checkInteger('max', options.max, MIN_MAX, MAX_MAX);
  // Closure variables, as in reusify: the hot calls read them without loading a pool object first.
  let head = new Constructor();
  head.next = END;
  let tail = head;
  let count = 1;

  function get(): T {
    const current = head;
    const next = current.next;
    if (next !== END) {
      head = next as T;
      count--;
    } else {
      head = new Constructor();
      head.next = END;
      tail = head;
    }
    current.next = null;
    return current;
  }

  function release(obj: T): void {
    // Not an object (undefined, null, a primitive: `next` reads undefined), or `next` set: cold.
    if ((obj as T | undefined)?.next !== null) {
      releaseCold(obj);
      return;
    }
    if (count === max) return; // full: dropped for the collector
    tail.next = obj;
    obj.next = END;
    tail = obj;
    count++;
  }

  /** A release of a non-object, or of an object whose `next` is set: idle (a double release) or written by its holder. */
  function releaseCold(obj: T): void {
    if (typeof obj !== 'object' || obj === null) {
      throw new TypeError(`isopool: reusify release() takes an object it lent, received ${describe(obj)}`);
    }
    for (let idle: ReusifyNode = head; idle !== END; idle = idle.next!) {
      if (idle === obj) {
        throw new PoolError(ErrorCode.DOUBLE_RELEASE, 'isopool: reusify release() was given an object that is already idle (released twice)');
      }
    }
    obj.next = null; // its holder wrote `next`; the list is the pool's
    release(obj);
  }

  return { get, release };
}

export default reusify;
