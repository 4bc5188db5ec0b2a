/**
 * The idle reaper: destroys idle resources above `min` once they have been idle `idleTimeout` ms,
 * without reading a clock on the release path.
 *
 * ## The trick
 *
 * A release only marks its record UNSTAMPED (a field write). The reaper runs every
 * `idleTimeout / SWEEPS` ms while the pool holds more than `min` idle resources; each run reads the
 * clock once, stamps every UNSTAMPED record with that reading (a time no earlier than its release,
 * since the run comes after it), then destroys from the bottom of the idle stack, where the longest
 * idle sit, every record idle `idleTimeout` by its stamp. So a resource is never destroyed before
 * `idleTimeout`, and at most two periods after it: between `idleTimeout` and 1.5 × `idleTimeout`.
 *
 * ## Invariants
 *
 * - The idle stack is ordered by `idleSince`, oldest at index 0: every push is UNSTAMPED (on top),
 *   and a run stamps the UNSTAMPED top segment with one reading no earlier than any stamp below it.
 * - The reaper is armed iff its timer is; it disarms itself when a run leaves `min` or fewer idle,
 *   and `arm()` is called whenever the stack grows past `min`.
 *
 * ## Alternative rejected
 *
 * Reading the clock on every release: one `performance.now()` costs about 0.7 of an `await`
 * (benchmarks/README.md, facts `clock-read` and `await-tick`), and one `await` is the floor of the
 * whole idle round trip. A timer per idle resource was rejected too: arming one per release is the
 * cost the idle path must not have.
 */
import { UNSTAMPED, type ResourceRecord } from './record.js';
import type { Timer, TimerSet } from './timers.js';

/**
 * Runs per `idleTimeout`: 4 bounds the overshoot to half an `idleTimeout` (a stamp up to one period
 * late, the run that sees it due up to one period late) at 4 wake-ups per `idleTimeout` while idle
 * resources are above `min` (every 7.5 s for the default 30 s).
 */
const SWEEPS = 4;

export class IdleReaper<T> {
  private _timer: Timer | undefined = undefined;
  private readonly _period: number;
  private readonly _run = (): void => this._sweep();

  constructor(
    private readonly _timers: TimerSet,
    private readonly _idle: ResourceRecord<T>[],
    private readonly _min: number,
    private readonly _idleTimeout: number,
    private readonly _drop: (rec: ResourceRecord<T>) => void,
  ) {
    this._period = _idleTimeout / SWEEPS;
  }

  /** True while a run is scheduled. */
  get armed(): boolean {
    return this._timer !== undefined;
  }

  /** Schedules a run unless one is, or there is no `idleTimeout`. Called when the stack grows past `min`. */
  arm(): void {
    if (this._timer === undefined && this._idleTimeout !== Infinity) this._timer = this._timers.housekeeping(this._run, this._period);
  }

  /** Cancels the scheduled run (drain). */
  stop(): void {
    this._timer = this._timers.stop(this._timer);
  }

  private _sweep(): void {
    this._timer = undefined;
    const idle = this._idle;
    const now = performance.now(); // monotonic (Node >= 16, browsers), unlike Date.now()
    for (let i = idle.length - 1; i >= 0 && idle[i]!.idleSince === UNSTAMPED; i--) idle[i]!.idleSince = now;
    const due = now - this._idleTimeout;
    let n = 0;
    while (idle.length - n > this._min && idle[n]!.idleSince <= due) n++;
    for (const rec of idle.splice(0, n)) this._drop(rec);
    if (idle.length > this._min) this.arm();
  }
}
