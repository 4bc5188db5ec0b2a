/**
 * `isopool/reusify`: a drop-in for reusify, the pool inside fastify's stack (fastq keeps its task
 * objects in one), with reusify's API and reuse order, backed by a LocalPool, bounded, and safe
 * against double release.
 *
 * The trick is reusify's own, kept: one idle object, the *spare*, is always made ahead (reusify
 * calls the constructor once when the pool is made), and `get()` hands the spare out and takes the
 * next one from a LocalPool with `max: 1`. A release goes to that LocalPool: into its owner slot
 * when the slot is free, else to its `dispose`, which appends the object to a bounded FIFO ring, and
 * the LocalPool's `create` takes from that ring before it calls the constructor. So objects released
 * in a burst come back in release order, as reusify's own test.js asserts (run by
 * tests/reusify.test.ts). The object a caller releases is the spare of the `get()` before last, not
 * the object the LocalPool lent last, so its release takes LocalPool's cold path (the owner slot's
 * fast path admits only the object it lent last): about twice reusify's time a pair
 * (`isopool_reusify_get_put` against `reusify_get_put` in `npm run bench`).
 *
 * Invariants: every idle object is in exactly one of three places: the spare, the owner slot, the
 * ring. `release()` refuses an object that is idle in any of them (the spare by identity, the slot
 * by LocalPool's check, the ring by a mark), so a double release throws `ERR_DOUBLE_RELEASE`
 * instead of putting one object in the list twice, which in reusify makes a cycle that hands the
 * same object to two holders. The mark is reusify's own field: an object in the ring has `next`
 * set to IN_RING, a private sentinel no caller can hold, and `get()` sets `next` to null as reusify
 * does. The ring holds at most `max - 2` objects (spare and slot being the other two); a release
 * past that drops the object for the collector, where reusify's list grows without bound.
 *
 * Alternatives rejected: a plain LocalPool with a stack behind the slot is LIFO, so after a burst of
 * releases it lends the last one first, and reusify's test.js ("reuse more than 2 objects") fails
 * on it. A WeakSet of the ring's objects for the double-release check: every release would pay the
 * lookup.
 */
import { ErrorCode, PoolError } from './errors.js';
import { LocalPool } from './local/local-pool.js';
import { checkInteger, checkOptionsObject, describe } from './validate.js';

/** What reusify needs of a pooled object: the `next` field its list links through (set to null on get). */
export interface ReusifyNode {
  next: ReusifyNode | null;
}

export interface ReusifyOptions {
  /** Most idle objects kept: the spare, the owner slot and the FIFO ring together. Default 16, at least 2. */
  max?: number;
}

/** reusify's pool: `get()` an object, `release(obj)` it when done. */
export interface Reusify<T extends ReusifyNode> {
  get(): T;
  release(obj: T): void;
}

/** Default for `max`: LocalPool's default, the same bound on retained idle objects. */
export const DEFAULT_REUSIFY_MAX = 16;

/** `max` below 2 would leave no room for the spare and the owner slot. */
const MIN_MAX = 2;

/** Largest `max`: far past any pool that fits in memory (LocalPool's own bound). */
const MAX_MAX = 2 ** 30;

/** The `next` of an object in the ring: a sentinel only this module holds. */
const IN_RING: ReusifyNode = Object.freeze({ next: null });

/** The bounded FIFO behind the owner slot: a ring of `capacity` objects, oldest first, each marked IN_RING. */
class Ring<T extends ReusifyNode> {
  private readonly _items: (T | undefined)[];
  private _first = 0;
  private _count = 0;

  constructor(readonly capacity: number) {
    this._items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Appends `obj`; false (and nothing kept) when the ring is full. */
  push(obj: T): boolean {
    if (this._count === this.capacity) return false;
    this._items[(this._first + this._count) % this.capacity] = obj;
    this._count++;
    obj.next = IN_RING;
    return true;
  }

  /** The oldest object, unmarked, or undefined when empty. */
  shift(): T | undefined {
    if (this._count === 0) return undefined;
    const obj = this._items[this._first]!;
    this._items[this._first] = undefined;
    this._first = (this._first + 1) % this.capacity;
    this._count--;
    obj.next = null;
    return obj;
  }
}

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
  const ring = new Ring<T>(max - MIN_MAX);
  const pool = new LocalPool<T>({
    name: 'reusify',
    max: 1,
    create: () => ring.shift() ?? new Constructor(),
    dispose: (obj) => void ring.push(obj),
  });
  // The spare is lent by the pool like every later one, so the pool counts it as lent when it
  // comes back (a release of an object the pool never lent would be refused).
  let spare = pool.acquire();

  function get(): T {
    const current = spare;
    spare = pool.acquire();
    current.next = null;
    return current;
  }

  function release(obj: T): void {
    if (obj === spare || (obj != null && obj.next === IN_RING)) {
      throw new PoolError(ErrorCode.DOUBLE_RELEASE, 'isopool: reusify release() was given an object that is already idle (released twice)');
    }
    pool.release(obj);
  }

  return { get, release };
}

export default reusify;
