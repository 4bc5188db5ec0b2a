/**
 * Machine instructions a pair, counted rather than timed: the loops behind the instruction counts in
 * the essays of src/local/pool-core.ts and src/reusify.ts. Timing on a shared 2-vCPU machine moves
 * by 2x from run to run; callgrind's count of a warm loop repeats to a few instructions a pair.
 *
 * Run (after `npm run build`), for a variant V, twice, and take the difference per iteration:
 *
 *     valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
 *       node --single-threaded benchmarks/build/experiments/instructions.js V 1000000
 *     (the same with 11000000)
 *
 * (Collected 11M minus Collected 1M) / 10M is the count a pair: start-up, warm-up and compilation
 * are in both runs and cancel. `--smc-check=all-non-file` lets valgrind follow V8's generated code;
 * `--single-threaded` keeps V8's compiler threads out of the count.
 *
 * Variants (each a warm-up of 300 x 1000 iterations, then n):
 * - `pair`: LocalPool acquire + release (tls_get_put's loop).
 * - `slot`: a hand-written owner slot + array (owner_slot_get_put's).
 * - `reusify`: isopool/reusify get + release; `reusify-pkg`: reusify's own.
 * - `buffer`: BufferPool rent(4096) + return; `shared`: SharedPool acquire + release, cache on.
 * - `lease`: `pool.lease()` disposed in try/finally.
 */
import { BufferPool, LocalPool, SharedPool } from 'isopool';
import { reusify } from 'isopool/reusify';
import reusifyPkg from 'reusify';

class Obj {
  v = 1;
  next: Obj | null = null;
}

/** owner_slot_get_put's structure, written here again so that this file measures the same loop. */
class Slot {
  slot: Obj | undefined = undefined;
  readonly stack: Obj[] = [];
  hits = 0;
  get(): Obj {
    const o = this.slot;
    if (o !== undefined) {
      this.slot = undefined;
      this.hits++;
      return o;
    }
    return this.stack.pop() ?? new Obj();
  }
  put(o: Obj): void {
    if (this.slot === undefined) this.slot = o;
    else this.stack.push(o);
  }
}

let sink = 0;
const pool = new LocalPool({ create: () => new Obj() });
const slot = new Slot();
const mine = reusify(Obj);
const theirs = reusifyPkg(Obj);
const buffers = new BufferPool(Uint8Array);
const shared = SharedPool.create({ blockSize: 64, blocks: 256, cache: 32 });

const LOOPS: Record<string, (n: number) => void> = {
  pair(n) {
    for (let i = 0; i < n; i++) {
      const o = pool.acquire();
      sink ^= o.v;
      pool.release(o);
    }
  },
  slot(n) {
    for (let i = 0; i < n; i++) {
      const o = slot.get();
      sink ^= o.v;
      slot.put(o);
    }
  },
  reusify(n) {
    for (let i = 0; i < n; i++) {
      const o = mine.get();
      sink ^= o.v;
      mine.release(o);
    }
  },
  'reusify-pkg'(n) {
    for (let i = 0; i < n; i++) {
      const o = theirs.get();
      sink ^= o.v;
      theirs.release(o);
    }
  },
  buffer(n) {
    for (let i = 0; i < n; i++) {
      const a = buffers.rent(4096);
      sink ^= a.length;
      buffers.return(a);
    }
  },
  shared(n) {
    for (let i = 0; i < n; i++) {
      const b = shared.acquire();
      sink ^= b.index;
      shared.release(b);
    }
  },
  lease(n) {
    for (let i = 0; i < n; i++) {
      const l = pool.lease();
      try {
        sink ^= l.value.v;
      } finally {
        l[Symbol.dispose]();
      }
    }
  },
};

const [variant = '', count = ''] = process.argv.slice(2);
const loop = LOOPS[variant];
const n = Number(count);
if (loop === undefined || !Number.isSafeInteger(n) || n < 0) {
  console.error(`usage: instructions.js <${Object.keys(LOOPS).join('|')}> <iterations>`);
  process.exit(2);
}
for (let k = 0; k < 300; k++) loop(1000);
loop(n);
if (sink === 0x5eed) console.log(sink); // keeps the loops' work observable
