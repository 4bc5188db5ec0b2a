/**
 * ResourceBooks: everything a ResourcePool does off its idle path: making resources (with
 * `createTimeout`), checking them (`validate`, sync or async), destroying them (failures to
 * `onError`, the slot freed whatever happens), `maxLifetime`, keeping `min` warm, and serving the
 * waiter queue. resource-pool.ts adds the public calls and the idle path on top.
 *
 * ## The books
 *
 * Every resource is in exactly one place: the idle stack, lent, validating, or destroying; plus the
 * creates in flight. `live` = idle + lent + validating + destroying + creating never exceeds `max`:
 * a slot is taken when a create starts and freed when its create fails or its `destroy` settles (or
 * overruns `createTimeout`). Every count only goes up and down in pairs, so none goes negative.
 *
 * ## Serving waiters (`_dispatch`)
 *
 * Waiters queue FIFO in a WaiterQueue (../waiter-queue.ts). A dispatch serves the oldest waiters from
 * the idle stack (validating first), then starts creates while more waiters wait than validations and
 * creates are in flight, and while fewer than `min` resources are warm, within `max`. Whatever
 * arrives (a new resource, a resource validated, a release) goes to the oldest waiter. A create that
 * fails rejects the oldest waiter when no other create or validation in flight could serve it (that
 * is the acquire that was waiting for it), with a PoolError `ERR_CREATE_FAILED` whose `cause` is the
 * error; otherwise the failure goes to `onError`. Each failure rejects at most one waiter and frees
 * its slot, so a `create` that always fails empties the queue instead of wedging it, and a `create`
 * that works again serves the next acquire.
 *
 * ## Warm-up backoff
 *
 * A background create (for `min`) that fails is retried after WARM_RETRY_FIRST ms, doubling up to
 * WARM_RETRY_MAX while it keeps failing: a server that refuses connections fails a create at once,
 * and retrying at once would spin. Creates for waiters are never held back, and the first create
 * that succeeds ends the backoff: the pool warms up again at once.
 *
 * ## Re-entrancy
 *
 * `create`, `destroy` and `validate` are user code that may call back into the pool; a dispatch that
 * finds one running asks it to go round again instead of nesting.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { describe } from '../validate.js';
import { WaiterQueue } from '../waiter-queue.js';
import type { ResourcePoolConfig } from './options.js';
import { IdleReaper } from './reaper.js';
import { ResourceRecord, State, UNSTAMPED } from './record.js';
import { TimerSet, type Timer } from './timers.js';
import { hookFailure, isThenable, runDestroy } from './user-calls.js';

/** First delay before a failed background create is retried: at most 10 failed creates a second against a dead server. */
const WARM_RETRY_FIRST = 100;
/** Longest delay between background retries: a pool whose server came back is warm again within 5 s. */
const WARM_RETRY_MAX = 5_000;

/** `validate` threw or rejected: the error it gave. */
class Threw {
  constructor(readonly error: unknown) {}
}

/** One create in flight; `settled` once it succeeded, failed or timed out, whichever came first. */
interface CreateJob {
  settled: boolean;
  timer: Timer | undefined;
}

export class ResourceBooks<T extends object> {
  protected readonly _config: ResourcePoolConfig<T>;
  /** Idle resources, LIFO: the most recently used on top, the longest idle at index 0. */
  protected readonly _idle: ResourceRecord<T>[] = [];
  /** Every resource this pool made, for exact misuse errors (a WeakMap: destroyed ones go with their resource). */
  protected readonly _records = new WeakMap<T, ResourceRecord<T>>();
  /** Resources made and not yet being destroyed, for drain to stop their lifetime timers. */
  protected readonly _alive = new Set<ResourceRecord<T>>();
  protected readonly _waiters: WaiterQueue<T>;
  protected readonly _timers = new TimerSet();
  protected readonly _reaper: IdleReaper<T>;
  protected _lent = 0;
  protected _creating = 0;
  protected _validating = 0;
  protected _destroying = 0;
  /** Resources whose create settled after its timeout, being destroyed outside `max`. */
  protected _orphans = 0;
  protected _draining = false;
  protected _created = 0;
  protected _destroyed = 0;
  protected _validationFailures = 0;
  protected _createFailures = 0;
  protected _destroyFailures = 0;
  protected _timeouts = 0;
  /** Called once when draining and nothing is lent, made, checked or destroyed any more. */
  protected _onQuiet: (() => void) | undefined = undefined;
  private _warmRetry: Timer | undefined = undefined;
  private _warmDelay = WARM_RETRY_FIRST;
  private _dispatching = false;
  private _again = false;

  constructor(config: ResourcePoolConfig<T>) {
    this._config = config;
    this._waiters = new WaiterQueue<T>({}, (ms) => {
      this._timeouts++;
      return new PoolError(ErrorCode.TIMEOUT, `isopool: ${config.name}.acquire() timed out after ${ms} ms`);
    });
    this._reaper = new IdleReaper(this._timers, this._idle, config.min, config.idleTimeout, (rec) => this._destroyRecord(rec));
  }

  /** Resources that hold a slot under `max`. */
  protected _live(): number {
    return this._idle.length + this._lent + this._validating + this._destroying + this._creating;
  }

  protected _closedError(): PoolError {
    return new PoolError(ErrorCode.CLOSED, `isopool: ${this._config.name} is drained: it lends nothing more`);
  }

  /** Serves waiters from the idle stack, then starts the creates that waiters and `min` call for. */
  protected _dispatch(): void {
    if (this._dispatching) {
      this._again = true;
      return;
    }
    this._dispatching = true;
    try {
      do {
        this._again = false;
        if (this._draining) break;
        const idle = this._idle;
        while (this._waiters.size > this._validating && idle.length > 0) this._offer(idle.pop()!);
        const { max, min } = this._config;
        while (
          this._live() < max &&
          (this._waiters.size > this._validating + this._creating ||
            (this._warmRetry === undefined && this._live() - this._destroying < min))
        ) {
          this._create();
        }
      } while (this._again);
    } finally {
      this._dispatching = false;
    }
  }

  /** An idle resource for the oldest waiter: lent if it passes `validate` at once, else judged. */
  private _offer(rec: ResourceRecord<T>): void {
    const verdict = this._config.validate === undefined ? true : this._validateNow(rec);
    if (verdict !== true) this._judge(rec, verdict);
    else if (!this._lendToWaiter(rec)) this._toIdle(rec);
  }

  /** Runs `validate`, catching a throw as a Threw. */
  protected _validateNow(rec: ResourceRecord<T>): unknown {
    try {
      return this._config.validate!(rec.resource);
    } catch (error) {
      return new Threw(error);
    }
  }

  /** Deals with a verdict other than a synchronous `true`: destroys the resource, or waits for an async one. */
  protected _judge(rec: ResourceRecord<T>, verdict: unknown): void {
    if (!isThenable(verdict)) {
      this._failValidation(rec, verdict);
      return;
    }
    rec.state = State.VALIDATING;
    this._validating++;
    Promise.resolve(verdict).then(
      (ok) => this._validated(rec, ok),
      (error: unknown) => this._validated(rec, new Threw(error)),
    );
  }

  private _validated(rec: ResourceRecord<T>, verdict: unknown): void {
    this._validating--;
    if (verdict !== true) this._failValidation(rec, verdict);
    else if (rec.expired || this._draining) this._destroyRecord(rec);
    else if (!this._lendToWaiter(rec)) this._toIdle(rec);
    this._dispatch();
    this._checkQuiet();
  }

  /** A resource that failed `validate` (false, a throw, or not a boolean) is destroyed; only errors go to `onError`. */
  private _failValidation(rec: ResourceRecord<T>, verdict: unknown): void {
    this._validationFailures++;
    if (verdict !== false) {
      const cause = verdict instanceof Threw ? verdict.error : new TypeError(`validate must return a boolean or a promise of one, returned ${describe(verdict)}`);
      this._report(hookFailure(ErrorCode.VALIDATE_FAILED, this._config.name, 'validate', cause));
    }
    this._destroyRecord(rec);
  }

  /** Lends `rec` to the oldest waiter; false, and nothing done, when nobody waits. */
  protected _lendToWaiter(rec: ResourceRecord<T>): boolean {
    if (this._waiters.size === 0) return false;
    rec.state = State.LENT;
    this._lent++;
    this._waiters.resolveNext(rec.resource);
    return true;
  }

  protected _toIdle(rec: ResourceRecord<T>): void {
    rec.state = State.IDLE;
    rec.idleSince = UNSTAMPED;
    const idle = this._idle;
    idle.push(rec);
    if (idle.length > this._config.min) this._reaper.arm();
  }

  private _create(): void {
    this._creating++;
    const job: CreateJob = { settled: false, timer: undefined };
    const ms = this._config.createTimeout;
    if (ms !== Infinity) {
      job.timer = this._timers.deadline(() => {
        this._createFailed(job, new PoolError(ErrorCode.TIMEOUT, `isopool: ${this._config.name}'s create did not settle within ${ms} ms`));
      }, ms);
    }
    new Promise<T>((resolve) => resolve(this._config.create())).then(
      (resource) => this._admit(job, resource),
      (error: unknown) => this._createFailed(job, error),
    );
  }

  private _admit(job: CreateJob, resource: T): void {
    if (resource === null || typeof resource !== 'object') {
      this._createFailed(job, new TypeError(`create must make an object, made ${describe(resource)}`));
      return;
    }
    const known = this._records.get(resource);
    if (known !== undefined && known.state !== State.DESTROYED) {
      this._createFailed(job, new TypeError('create made a resource this pool already holds'));
      return;
    }
    this._created++;
    if (job.settled) {
      this._destroyOrphan(resource);
      return;
    }
    job.settled = true;
    this._timers.stop(job.timer);
    this._creating--;
    // It works again: warm up now, not when the backoff says.
    this._warmDelay = WARM_RETRY_FIRST;
    this._warmRetry = this._timers.stop(this._warmRetry);
    const rec = new ResourceRecord(resource);
    this._records.set(resource, rec);
    this._alive.add(rec);
    const lifetime = this._config.maxLifetime;
    if (lifetime !== Infinity) rec.lifeTimer = this._timers.housekeeping(() => this._expired(rec), lifetime);
    if (this._draining) this._destroyRecord(rec);
    else if (!this._lendToWaiter(rec)) this._toIdle(rec);
    this._dispatch();
    this._checkQuiet();
  }

  private _createFailed(job: CreateJob, error: unknown): void {
    if (job.settled) return;
    job.settled = true;
    this._timers.stop(job.timer);
    this._creating--;
    this._createFailures++;
    const failure = hookFailure(ErrorCode.CREATE_FAILED, this._config.name, 'create', error);
    if (this._waiters.size > this._validating + this._creating) this._waiters.rejectNext(failure);
    else this._report(failure);
    if (!this._draining && this._live() - this._destroying < this._config.min) this._backOffWarmUp();
    this._dispatch();
    this._checkQuiet();
  }

  private _backOffWarmUp(): void {
    if (this._warmRetry !== undefined) return;
    const delay = this._warmDelay;
    this._warmDelay = Math.min(delay * 2, WARM_RETRY_MAX);
    this._warmRetry = this._timers.housekeeping(() => {
      this._warmRetry = undefined;
      this._dispatch();
    }, delay);
  }

  /** `maxLifetime` ran out: an idle resource goes now, a lent or validating one when it comes back. */
  private _expired(rec: ResourceRecord<T>): void {
    rec.lifeTimer = undefined;
    rec.expired = true;
    if (rec.state !== State.IDLE) return;
    this._idle.splice(this._idle.indexOf(rec), 1);
    this._destroyRecord(rec);
    this._dispatch();
  }

  /** Takes `rec` out of the pool and runs `destroy`; its slot is freed when that settles or overruns. */
  protected _destroyRecord(rec: ResourceRecord<T>): void {
    rec.state = State.DESTROYING;
    this._destroying++;
    this._alive.delete(rec);
    rec.lifeTimer = this._timers.stop(rec.lifeTimer);
    this._runDestroy(rec.resource, () => {
      rec.state = State.DESTROYED;
      this._destroying--;
      this._dispatch();
      this._checkQuiet();
    });
  }

  /** A resource whose create settled after its timeout: destroyed at once, outside `max`. */
  private _destroyOrphan(resource: T): void {
    this._orphans++;
    this._runDestroy(resource, () => {
      this._orphans--;
      this._checkQuiet();
    });
  }

  /** Runs `destroy` (user-calls.ts), counts it, reports a failure, then calls `done`. */
  private _runDestroy(resource: T, done: () => void): void {
    runDestroy(this._config, this._timers, resource, (failure) => {
      this._destroyed++;
      if (failure !== undefined) {
        this._destroyFailures++;
        this._report(failure);
      }
      done();
    });
  }

  /** Hands a failure no caller awaits to `onError`; an `onError` that throws has its error dropped. */
  private _report(error: PoolError): void {
    const onError = this._config.onError;
    if (onError === undefined) return;
    try {
      onError(error);
    } catch {
      // Nothing is left to report it to; the pool's own books are already settled.
    }
  }

  /** Starts draining: stops the housekeeping timers, rejects waiters, destroys what is idle. */
  protected _startDrain(): Promise<void> {
    this._draining = true;
    const drained = new Promise<void>((resolve) => (this._onQuiet = resolve));
    this._reaper.stop();
    this._warmRetry = this._timers.stop(this._warmRetry);
    for (const rec of this._alive) rec.lifeTimer = this._timers.stop(rec.lifeTimer);
    this._waiters.rejectAll(() => this._closedError());
    const idle = this._idle.splice(0);
    for (const rec of idle) this._destroyRecord(rec);
    this._checkQuiet();
    return drained;
  }

  /** Resolves a drain once nothing is lent, made, checked or destroyed any more. */
  protected _checkQuiet(): void {
    const onQuiet = this._onQuiet;
    if (onQuiet === undefined || this._lent + this._creating + this._validating + this._destroying + this._orphans > 0) return;
    this._onQuiet = undefined;
    onQuiet();
  }
}
