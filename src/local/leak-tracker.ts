/**
 * Leak tracking for a LocalPool: a sample of lent objects registered with a FinalizationRegistry,
 * so an object the collector finds while it is still lent is reported with the stack that took it.
 *
 * A register + unregister pair costs hundreds of ns (benchmarks/README.md, fact `finalization-registry`),
 * far too much for every acquire: one acquire in `every` is sampled, counted over every acquire the
 * pool serves (acquire number `every`, `2 x every`, ...). An acquire served by the owner slot runs
 * no tracking code, so the pool keeps the slot empty when the next acquire is due (`isDue`): that
 * acquire takes the cold path, where `lend` samples it. With `sample: 1` every acquire is due, and
 * the pool turns its slot off. The registry holds a small record per sample (when, and an Error
 * whose stack V8 formats only if a report reads it), never the object, and a WeakSet says which lent
 * objects are sampled; a release looks an object up only while some sampled object is lent.
 */
import { checkFunction, checkKnownKeys, checkOptionsObject, describe } from '../validate.js';

/** Default leak sampling: 1 acquire in 64 pays the FinalizationRegistry round trip. */
export const DEFAULT_LEAK_SAMPLE = 1 / 64;

export interface LeakReport {
  /** The pool's `name` option, or `'LocalPool'`. */
  readonly pool: string;
  /** `Date.now()` at the acquire that lent the leaked object. */
  readonly acquiredAt: number;
  /** The stack of that acquire (`new Error().stack`), for finding the holder. */
  readonly stack: string;
}

export interface LeakOptions {
  /** Called (from the collector's finalization task) for each sampled object lent and never released. */
  onLeak(report: LeakReport): void;
  /** Fraction of acquires tracked, in (0, 1]; default 1/64. Use 1 in tests. */
  sample?: number;
}

const LEAK_KEYS: readonly (keyof LeakOptions)[] = ['onLeak', 'sample'];

/** `leaks` after checking: the callback and how many acquires apart samples are taken. */
export interface ResolvedLeaks {
  readonly onLeak: (report: LeakReport) => void;
  readonly every: number;
}

export function resolveLeaks(leaks: unknown): ResolvedLeaks | undefined {
  if (leaks === undefined) return undefined;
  checkOptionsObject('option `leaks`', leaks);
  checkKnownKeys('option `leaks`', leaks as object, LEAK_KEYS);
  const { onLeak, sample = DEFAULT_LEAK_SAMPLE } = leaks as LeakOptions;
  checkFunction('leaks.onLeak', onLeak, false);
  if (typeof sample !== 'number' || !(sample > 0 && sample <= 1)) {
    throw new RangeError(`isopool: option \`leaks.sample\` must be a number in (0, 1], received ${describe(sample)}`);
  }
  return { onLeak, every: Math.max(1, Math.round(1 / sample)) };
}

/** What the registry holds for a sampled object: never the object itself. */
interface LeakSample {
  readonly acquiredAt: number;
  readonly where: Error;
}

export class LeakTracker<T extends object> {
  private readonly _registry: FinalizationRegistry<LeakSample>;
  private readonly _sampled = new WeakSet<T>();
  /** Sampled objects lent now: releases look objects up only while this is above 0. */
  private _sampledLent = 0;
  private readonly _every: number;
  /** The acquire number (counted from 1 over every acquire) of the next sample. */
  private _next: number;
  private _leaked = 0;

  /**
   * `collected()` runs first when a sampled lent object is collected (the pool takes it out of its
   * books and serves waiters with the room it made), then `onLeak` gets the report; a throwing
   * `onLeak` cannot strand the waiters, and its error surfaces as the callback's own.
   */
  constructor(leaks: ResolvedLeaks, poolName: string, collected: () => void) {
    this._every = leaks.every;
    this._next = leaks.every;
    const onLeak = leaks.onLeak;
    this._registry = new FinalizationRegistry<LeakSample>((sample) => {
      this._leaked++;
      this._sampledLent--;
      try {
        collected();
      } finally {
        onLeak({ pool: poolName, acquiredAt: sample.acquiredAt, stack: sample.where.stack ?? '' });
      }
    });
  }

  /** Sampled objects reported so far. */
  get leaked(): number {
    return this._leaked;
  }

  /** True when acquire number `n` is to be sampled: the pool must serve it on the cold path. */
  isDue(n: number): boolean {
    return n >= this._next;
  }

  /**
   * An object is about to be lent by the pool's acquire number `n`: sample it if its turn has come
   * (or has passed, when the slot had to serve a due acquire: the next cold one is sampled instead).
   */
  lend(obj: T, n: number): void {
    if (n < this._next) return;
    this._next = n + this._every;
    this._sampled.add(obj);
    this._sampledLent++;
    // The Error captures the stack now; V8 formats it only if a report reads `.stack`.
    this._registry.register(obj, { acquiredAt: Date.now(), where: new Error('acquired here') }, obj);
  }

  /** An object came back: it is no leak. */
  release(obj: T): void {
    if (this._sampledLent > 0 && this._sampled.delete(obj)) {
      this._sampledLent--;
      this._registry.unregister(obj);
    }
  }
}
