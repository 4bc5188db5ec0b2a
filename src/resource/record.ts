/**
 * What a ResourcePool knows of one resource it made: where it is in its life, when it went idle, and
 * whether it has outlived `maxLifetime`.
 */
import type { Timer } from './timers.js';

/** Where a resource is. A record only moves forward to DESTROYING and DESTROYED, never back. */
export const State = {
  /** In the idle stack, lendable. */
  IDLE: 0,
  /** Lent to a caller. */
  LENT: 1,
  /** Taken from the idle stack while an async `validate` runs. */
  VALIDATING: 2,
  /** Its `destroy` is running; it still holds a slot under `max`. */
  DESTROYING: 3,
  /** Gone; its slot is free. */
  DESTROYED: 4,
} as const;
export type State = (typeof State)[keyof typeof State];

/**
 * `idleSince` of a record that went idle after the reaper's last run: the next run stamps it with
 * its own clock reading, a time no earlier than the release (see reaper.ts).
 */
export const UNSTAMPED = Infinity;

export class ResourceRecord<T> {
  state: State = State.IDLE;
  /** When it went idle, by the reaper's clock; UNSTAMPED until the reaper's next run. */
  idleSince: number = UNSTAMPED;
  /** Set when `maxLifetime` ran out: it is destroyed instead of lent or kept. */
  expired = false;
  /** The `maxLifetime` timer, while armed. */
  lifeTimer: Timer | undefined = undefined;

  constructor(readonly resource: T) {}
}
