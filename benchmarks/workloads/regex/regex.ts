/**
 * A compiled pattern whose search scratch comes from one of three sources, chosen at construction:
 *
 * - `alloc`: eight fresh typed arrays per search, sized to the program (what an engine without a
 *   pool does; the collector reclaims them).
 * - `pool`: one `Scratch` object from this isolate's module-level LocalPool (`getLocalPool` with a
 *   `definePool` token). A pooled scratch grows to the largest program that used it and is then
 *   reused by every pattern: one acquire and one release per search.
 * - `buffer`: the eight arrays rented from this isolate's default BufferPools
 *   (`getLocalBufferPool(Uint32Array)` / `(Int32Array)`) and returned after the search: sixteen
 *   pool calls per search, no pooled object of our own. The arrays are held during the search in a
 *   `Scratch` holder that belongs to the Regex (a search is synchronous and not re-entrant).
 *
 * Every source runs the same `search` on the same `Scratch` class, so the only difference measured
 * between them is where the scratch comes from.
 */
import { definePool, getLocalBufferPool, getLocalPool } from 'isopool';
import { compile, type Program } from './compile.js';
import { Scratch, search } from './pikevm.js';

export const SCRATCH_SOURCES = ['alloc', 'pool', 'buffer'] as const;
export type ScratchSource = (typeof SCRATCH_SOURCES)[number];

// Indices into SCRATCH_SOURCES: 0 is `alloc`, the fall-through of `exec`.
const POOL = 1;
const BUFFER = 2;

/**
 * The module-level scratch pool: one per isolate through `getLocalPool`. `max: 4` because one search
 * holds one scratch; 4 leaves room for a caller that nests a search in another's callback.
 */
export const SCRATCH_POOL = definePool<Scratch>({ create: () => new Scratch(), max: 4 }, 'regex scratch');

export class Regex {
  readonly program: Program;
  readonly scratchSource: ScratchSource;
  private readonly _kind: number;
  private readonly _holder: Scratch;

  constructor(pattern: string, scratch: ScratchSource = 'pool') {
    const kind = SCRATCH_SOURCES.indexOf(scratch);
    if (kind < 0) throw new RangeError(`regex workload: scratch must be one of ${SCRATCH_SOURCES.join(', ')}, received ${String(scratch)}`);
    this.program = compile(pattern);
    this.scratchSource = scratch;
    this._kind = kind;
    this._holder = new Scratch();
  }

  /** Capture groups, not counting the whole match. */
  get groups(): number {
    return this.program.groups;
  }

  /** A slot array for `exec`: 2 x (groups + 1) ints. */
  newSlots(): Int32Array {
    return new Int32Array(this.program.slots);
  }

  /**
   * Finds the leftmost-first match in `input`. On a match, fills `out` (from `newSlots()`) with
   * [start, end] of the match and of each group (-1, -1 for a group that did not take part), and
   * returns true. Allocates nothing unless the scratch source is `alloc`.
   */
  exec(input: string, out: Int32Array): boolean {
    const p = this.program;
    if (this._kind === POOL) {
      const pool = getLocalPool(SCRATCH_POOL);
      const s = pool.acquire();
      try {
        if (!s.fits(p)) s.grow(p);
        return search(p, input, s, out);
      } finally {
        pool.release(s);
      }
    }
    if (this._kind === BUFFER) return this._execBuffer(input, out);
    return search(p, input, new Scratch(p), out);
  }

  private _execBuffer(input: string, out: Int32Array): boolean {
    const p = this.program;
    const u32 = getLocalBufferPool(Uint32Array);
    const i32 = getLocalBufferPool(Int32Array);
    const h = this._holder;
    const n = p.length;
    const table = n * p.slots;
    h.dense0 = u32.rent(n);
    h.sparse0 = u32.rent(n);
    h.dense1 = u32.rent(n);
    h.sparse1 = u32.rent(n);
    h.slots0 = i32.rent(table);
    h.slots1 = i32.rent(table);
    h.stack = i32.rent(p.stackSize);
    h.cur = i32.rent(p.slots);
    try {
      return search(p, input, h, out);
    } finally {
      u32.return(h.dense0);
      u32.return(h.sparse0);
      u32.return(h.dense1);
      u32.return(h.sparse1);
      i32.return(h.slots0);
      i32.return(h.slots1);
      i32.return(h.stack);
      i32.return(h.cur);
    }
  }

  /**
   * RegExp-shaped result for tests and validation: null, or the [start, end] of the match and of
   * each group (undefined for a group that did not take part), like `RegExp.exec(...).indices`.
   */
  indices(input: string): ([number, number] | undefined)[] | null {
    const out = this.newSlots();
    if (!this.exec(input, out)) return null;
    const result: ([number, number] | undefined)[] = [];
    for (let g = 0; g <= this.program.groups; g++) {
      const start = out[2 * g]!;
      result.push(start < 0 ? undefined : [start, out[2 * g + 1]!]);
    }
    return result;
  }
}
