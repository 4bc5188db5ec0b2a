/**
 * The timers a ResourcePool keeps, held in one set so that the pool can say how many are armed (the
 * `inspectResourcePool` seam) and none is forgotten.
 *
 * Two kinds. Housekeeping (the idle reaper, the warm-up retry, one per resource for `maxLifetime`)
 * runs while nothing is pending, so it must never keep a Node process alive on its own: it is
 * `unref`ed where the runtime has `unref` (Node's Timeout objects; browsers' numeric ids have none,
 * and a page has no process to keep alive). src/ imports no `node:` module, so this is a feature
 * test, not a platform check. Deadlines (`createTimeout` on a create or a destroy in flight, a
 * `drain({ timeout })`) exist only while that operation is pending, and are ordinary timers: they are
 * what guarantees the operation ends, so a caller awaiting it gets an answer instead of a process
 * that exits under it.
 */

/**
 * What setTimeout returns, named without setTimeout's own type: a number in browsers, an object with
 * `unref` in Node. Declared here so that the published declarations need no timer types (a project
 * with `lib: ["ES2022"]` and no DOM or Node types compiles them).
 */
export type Timer = number | { unref?(): unknown };
type Native = ReturnType<typeof setTimeout>;

export class TimerSet {
  private readonly _armed = new Set<Timer>();

  /** Timers armed and not yet fired or stopped. */
  get size(): number {
    return this._armed.size;
  }

  /** A deadline: runs `fn` after `ms` unless stopped first. */
  deadline(fn: () => void, ms: number): Timer {
    const timer = setTimeout(() => {
      this._armed.delete(timer);
      fn();
    }, ms) as Timer;
    this._armed.add(timer);
    return timer;
  }

  /** Housekeeping: as `deadline`, but never keeps the process alive on its own. */
  housekeeping(fn: () => void, ms: number): Timer {
    const timer = this.deadline(fn, ms);
    const unref = (timer as { unref?: unknown }).unref;
    if (typeof unref === 'function') unref.call(timer);
    return timer;
  }

  /** Stops `timer` (if it has not fired); `undefined` does nothing. Returns `undefined`, to clear a field with. */
  stop(timer: Timer | undefined): undefined {
    if (timer !== undefined && this._armed.delete(timer)) clearTimeout(timer as Native);
    return undefined;
  }
}
