/**
 * The `bare_*` rows: a get + put pair on each free-list design written bare, over a
 * SharedArrayBuffer of its own, with nothing a pool adds (no owner words, counters, waiting,
 * ownership checks): the floor each cache-off SharedPool row (`mutex_get_put`, `treiber_get_put`,
 * `mpmc_get_put`, `bitmap_get_put`) is read against, in the same run. The first three are
 * structures/bare-free-lists.ts's structures (the spin-mutex stack, the tagged Treiber stack,
 * Vyukov's bounded ring); the bitmap is written here: one bit per index, a pop claims a set bit
 * with one compareExchange on its word, a push sets it with one Atomics.or.
 */
import type { BenchCase } from './case.js';
import { SpinMutexStack, TreiberStack, VyukovRing } from './structures/bare-free-lists.js';

const BATCH = 1000;
/** The rows, in report order. */
export const BARE_ROWS = ['bare_mutex_get_put', 'bare_treiber_get_put', 'bare_mpmc_get_put', 'bare_bitmap_get_put'] as const;

/** Indices per structure: the cache-off SharedPool rows' 256 blocks. */
const INDICES = 256;

/** Bare bitmap: bit k of word k >>> 5 set = index k free. */
export class BareBitmap {
  readonly i32: Int32Array;
  private readonly words: number;
  constructor(capacity: number) {
    this.words = Math.ceil(capacity / 32);
    this.i32 = new Int32Array(new SharedArrayBuffer(this.words * 4));
    for (let k = 0; k < capacity; k++) this.i32[k >>> 5]! |= 1 << (k & 31);
  }
  /** One index, or -1 when none is free (a scan of every word, bounded). */
  pop(): number {
    for (let w = 0; w < this.words; w++) {
      // INVARIANT: a claim clears exactly one set bit by CAS on its word; a lost race rereads the word.
      for (let v = Atomics.load(this.i32, w); v !== 0; v = Atomics.load(this.i32, w)) {
        const bit = v & -v;
        if (Atomics.compareExchange(this.i32, w, v, v & ~bit) === v) return w * 32 + (31 - Math.clz32(bit));
      }
    }
    return -1;
  }
  push(index: number): void {
    // INVARIANT: setting the bit is the release; a bit is set by the one holder of the index.
    Atomics.or(this.i32, index >>> 5, 1 << (index & 31));
  }
}

interface Structure {
  pop(): number;
  push(index: number): void;
}

function pair(name: string, s: Structure): BenchCase {
  let sink = 0;
  return {
    name,
    group: 'shared',
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const k = s.pop();
        sink ^= k;
        s.push(k);
      }
    },
    validate() {
      const a = s.pop();
      const b = s.pop();
      if (a < 0 || b < 0 || a === b) throw new Error(`${name}: two pops gave ${a} and ${b}`);
      s.push(b);
      s.push(a);
      this.fn();
      const seen = new Set<number>();
      for (let k = s.pop(); k >= 0; k = s.pop()) seen.add(k);
      if (seen.size !== INDICES) throw new Error(`${name}: ${seen.size} of ${INDICES} indices left after a batch`);
      for (const k of seen) s.push(k);
    },
    extra: () => ({ sink }),
  };
}

/** The bare rows. */
export function bareCases(): BenchCase[] {
  const ring = new VyukovRing(INDICES);
  return [
    pair('bare_mutex_get_put', new SpinMutexStack(INDICES)),
    pair('bare_treiber_get_put', new TreiberStack(INDICES)),
    pair('bare_mpmc_get_put', { pop: () => ring.dequeue(), push: (k) => void ring.enqueue(k) }),
    pair('bare_bitmap_get_put', new BareBitmap(INDICES)),
  ];
}
