/**
 * Soft retention for a LocalPool: idle objects released past `max` are held through WeakRefs
 * instead of being disposed, so a burst can reuse them while the collector stays free to take them
 * under memory pressure (Go's sync.Pool victim cache, in JavaScript terms).
 *
 * A softly held object is out of the pool's live count; reviving one counts it back in. An object
 * the collector took is gone without `dispose` (nothing is left to dispose) and counts as
 * discarded: `cleared` says how many. At most CAP_FACTOR x max references are held: past that a
 * sweep drops the cleared ones, and if it is still full the pool disposes the object instead.
 */

/** Most WeakRefs held per idle object the pool keeps (`max`), before sweeping. */
const CAP_FACTOR = 8;

export class SoftRetention<T extends object> {
  private readonly _refs: WeakRef<T>[] = [];
  private readonly _cap: number;
  private _cleared = 0;

  constructor(max: number) {
    this._cap = Math.max(CAP_FACTOR, max * CAP_FACTOR);
  }

  /** References held now (some may already be cleared). */
  get size(): number {
    return this._refs.length;
  }

  /** References found cleared by the collector so far: objects discarded without `dispose`. */
  get cleared(): number {
    return this._cleared;
  }

  /** Holds `obj` softly; false when full even after a sweep (the caller disposes it). */
  retain(obj: T): boolean {
    const refs = this._refs;
    if (refs.length >= this._cap) {
      let w = 0;
      for (let r = 0; r < refs.length; r++) if (refs[r]!.deref() !== undefined) refs[w++] = refs[r]!;
      this._cleared += refs.length - w;
      refs.length = w;
      if (w >= this._cap) return false;
    }
    refs.push(new WeakRef(obj));
    return true;
  }

  /** The most recently retained object still alive, or undefined when none is left. */
  revive(): T | undefined {
    const refs = this._refs;
    while (refs.length > 0) {
      const obj = refs.pop()!.deref();
      if (obj !== undefined) return obj;
      this._cleared++;
    }
    return undefined;
  }

  /** Moves every object still alive into `out` and forgets the rest; returns how many it moved. */
  drainInto(out: T[]): number {
    let moved = 0;
    for (const ref of this._refs) {
      const obj = ref.deref();
      if (obj !== undefined) {
        out.push(obj);
        moved++;
      } else {
        this._cleared++;
      }
    }
    this._refs.length = 0;
    return moved;
  }
}
