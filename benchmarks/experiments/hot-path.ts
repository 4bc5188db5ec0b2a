/**
 * Design experiments behind LocalPool's hot path (run: `npm run build && node
 * benchmarks/build/experiments/hot-path.js`). Not part of `npm run bench`: these compare variants of
 * a copy of the hot path, not the library.
 *
 * Each variant runs in its own child process (so no variant's type feedback pollutes another's),
 * round-robin, three rounds, and prints ns per acquire/release pair (the owner-slot path: one object
 * acquired and released again, the pattern pooled code runs most).
 *
 * - `baseline`: the library's shape: fields assigned once, a hit counter, the always-on checks
 *   (null refused on the slot path; slot and stack top compared on the push path).
 * - `reassigned`: the same with `plain` / `stackCap` assigned twice in the constructor. V8 folds
 *   fields never reassigned after construction into optimized code; a second store makes them loads.
 * - `no-counter`: without `hits++` on the slot path (what `stats.hits` costs).
 * - `no-checks`: without the always-on checks, i.e. what they cost.
 * - `top-check`: also compare with the stack top when the slot is empty (a field mirroring the top),
 *   which would catch a double release interleaved with other objects.
 * - `type-check`: refuse primitives on the slot path too (`typeof obj === 'object'`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PAIRS = 1000;
const CALLS = 20000;

interface Variant {
  reassign?: boolean;
  counter?: boolean;
  checks?: boolean;
  topCheck?: boolean;
  typeCheck?: boolean;
}

const VARIANTS: Record<string, Variant> = {
  baseline: { counter: true, checks: true },
  reassigned: { reassign: true, counter: true, checks: true },
  'no-counter': { checks: true },
  'no-checks': { counter: true },
  'top-check': { counter: true, checks: true, topCheck: true },
  'type-check': { counter: true, checks: true, typeCheck: true },
};

function makeClass({ reassign, counter, checks, topCheck, typeCheck }: Variant) {
  // Each variant is its own class, its own code: the variant's choices are resolved when the source
  // is built, not at run time. `baseline` mirrors LocalPool's acquire()/release().
  const objOk = typeCheck ? "typeof obj === 'object' && obj !== null" : checks ? 'obj != null' : 'true';
  const src = `return class Pool {
    constructor() {
      this.slot = undefined; this.plain = true; this.hits = 0; this.stack = []; this.stackCap = 15; this.top = undefined;
      ${reassign ? 'this.plain = Math.random() < 2; this.stackCap = 15 + (Math.random() > 2 ? 1 : 0);' : ''}
    }
    acquire() {
      const o = this.slot;
      if (o != null) { this.slot = undefined; ${counter ? 'this.hits++;' : ''} return o; }
      return this.stack.pop() ?? { v: 0 };
    }
    release(obj) {
      if (this.plain) {
        const s = this.slot;
        if (s === undefined) {
          if (${objOk}${topCheck ? ' && obj !== this.top' : ''}) { this.slot = obj; return; }
        } else if (s !== null${checks ? ' && s !== obj && obj != null' : ''}) {
          const st = this.stack; const n = st.length;
          if (n < this.stackCap${checks ? ' && (n === 0 || st[n - 1] !== obj)' : ''}) { st.push(obj); return; }
        }
      }
      this.stack.push(obj);
    }
  }`;
  return new Function(src)() as new () => { acquire(): { v: number }; release(o: object): void };
}

function child(name: string): void {
  const pool = new (makeClass(VARIANTS[name]!))();
  let sink = 0;
  const run = () => {
    for (let i = 0; i < PAIRS; i++) {
      const o = pool.acquire();
      sink ^= o.v;
      pool.release(o);
    }
  };
  for (let w = 0; w < 2000; w++) run();
  const t0 = process.hrtime.bigint();
  for (let c = 0; c < CALLS; c++) run();
  const ns = Number(process.hrtime.bigint() - t0) / CALLS / PAIRS;
  process.stdout.write(ns.toFixed(2) + (sink === 12345 ? ' ' : ''));
}

const mode = process.argv[2];
if (mode !== undefined && mode in VARIANTS) {
  child(mode);
} else {
  const self = fileURLToPath(import.meta.url);
  console.log(`# Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: ns per acquire/release pair, one child process per variant`);
  for (let round = 1; round <= 3; round++) {
    const cells = Object.keys(VARIANTS).map((name) => `${name} ${execFileSync(process.execPath, [self, name], { encoding: 'utf8' })}`);
    console.log(`round ${round}: ${cells.join('  ')}`);
  }
}
