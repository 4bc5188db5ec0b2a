/**
 * Design experiment behind LocalPool's constant hot fields (run: `npm run build && node
 * build/benchmarks/experiments/const-fields.js`). Not part of `npm run bench`.
 *
 * Two copies of the same owner-slot pool, differing only in whether the `plain` / `stackCap` fields
 * are assigned once or twice in the constructor. V8 folds fields that are never reassigned into
 * optimized code; a second assignment makes them ordinary loads. Each variant runs in its own child
 * process (so one's feedback cannot pollute the other's), alternating, and prints ns per pair.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PAIRS = 1000;
const CALLS = 20000;

function makeClass(reassign: boolean) {
  return class Pool {
    slot: object | undefined;
    plain: boolean;
    hits: number;
    stack: object[];
    stackCap: number;
    constructor() {
      this.slot = undefined;
      this.plain = true;
      this.hits = 0;
      this.stack = [];
      this.stackCap = 15;
      if (reassign) {
        this.plain = Math.random() < 2;
        this.stackCap = 15 + (Math.random() > 2 ? 1 : 0);
      }
    }
    acquire(): object {
      const o = this.slot;
      if (o !== undefined) {
        this.slot = undefined;
        this.hits++;
        return o;
      }
      return this.stack.pop() ?? { v: 0 };
    }
    release(obj: object): void {
      if (this.plain) {
        const s = this.slot;
        if (s === undefined) {
          this.slot = obj;
          return;
        }
        const n = this.stack.length;
        if (s !== obj && n < this.stackCap) {
          this.stack.push(obj);
          return;
        }
      }
      this.stack.push(obj);
    }
  };
}

function child(reassign: boolean): void {
  const pool = new (makeClass(reassign))();
  let sink = 0;
  const run = () => {
    for (let i = 0; i < PAIRS; i++) {
      const o = pool.acquire() as { v: number };
      sink ^= o.v;
      pool.release(o);
    }
  };
  for (let w = 0; w < 2000; w++) run();
  const t0 = process.hrtime.bigint();
  for (let c = 0; c < CALLS; c++) run();
  const ns = Number(process.hrtime.bigint() - t0) / CALLS / PAIRS;
  process.stdout.write(`${ns.toFixed(2)}${sink === 12345 ? ' ' : ''}`);
}

const mode = process.argv[2];
if (mode === 'once' || mode === 'twice') {
  child(mode === 'twice');
} else {
  const self = fileURLToPath(import.meta.url);
  console.log(`# Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: ns per acquire/release pair`);
  for (let round = 1; round <= 3; round++) {
    const once = execFileSync(process.execPath, [self, 'once'], { encoding: 'utf8' });
    const twice = execFileSync(process.execPath, [self, 'twice'], { encoding: 'utf8' });
    console.log(`round ${round}: fields assigned once ${once} ns, assigned twice ${twice} ns`);
  }
}
