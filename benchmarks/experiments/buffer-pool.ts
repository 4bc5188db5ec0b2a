/**
 * Design experiments behind BufferPool (run: `npm run build && node
 * benchmarks/build/experiments/buffer-pool.js`). Not part of `npm run bench`.
 *
 * Each variant runs in its own child process (no shared type feedback), round-robin, three rounds,
 * and prints ns per iteration over 64 Uint32Array(64)s taken in turn:
 *
 * - `loop`: reading `a.length` only (the loop's own cost).
 * - `weakset-has`: plus `WeakSet.has(a)`, the identity check `return()` makes.
 * - `ctor-check`: plus `a.constructor === Uint32Array`, the type check it replaces.
 * - `local-pool`: a LocalPool acquire + release pair (the owner-slot path).
 * - `buffer-pool`: a BufferPool rent(64) + return pair (class lookup, LocalPool, WeakSet); its arrays
 *   carry the transfer mark (each over a buffer 8 bytes longer, always off-heap).
 * - `buffer-pool-plain`: the same with `transfer: false` (plain `new Uint32Array(64)` arrays).
 * - `elements-marked`, `elements-plain`: rent(16) from each kind of pool, sum its 16 elements, return:
 *   what a holder's element accesses cost on a marked array against a plain one.
 * - `new-u32-64`: `new Uint32Array(64)` per iteration (256 bytes: an off-heap backing store).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BufferPool, LocalPool } from 'isopool';

const N = 5_000_000;

/** Rents 16 elements, reads and writes each, returns: per iteration, 16 element reads and one write. */
function sumElements(pool: BufferPool<Uint32Array<ArrayBuffer>>): number {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const a = pool.rent(16);
    for (let j = 0; j < 16; j++) s = (s + a[j]!) | 0;
    a[i & 15] = i;
    pool.return(a);
  }
  return s;
}

const VARIANTS: Record<string, () => number> = {
  loop() {
    const arrs = Array.from({ length: 64 }, () => new Uint32Array(64));
    let s = 0;
    for (let i = 0; i < N; i++) s += arrs[i & 63]!.length;
    return s;
  },
  'weakset-has'() {
    const arrs = Array.from({ length: 64 }, () => new Uint32Array(64));
    const made = new WeakSet(arrs);
    let s = 0;
    for (let i = 0; i < N; i++) {
      const a = arrs[i & 63]!;
      if (made.has(a)) s += a.length;
    }
    return s;
  },
  'ctor-check'() {
    const arrs = Array.from({ length: 64 }, () => new Uint32Array(64));
    let s = 0;
    for (let i = 0; i < N; i++) {
      const a = arrs[i & 63]!;
      if (a.constructor === Uint32Array) s += a.length;
    }
    return s;
  },
  'local-pool'() {
    const pool = new LocalPool({ create: () => new Uint32Array(64) });
    let s = 0;
    for (let i = 0; i < N; i++) {
      const a = pool.acquire();
      s += a.length;
      pool.release(a);
    }
    return s;
  },
  'buffer-pool'() {
    const pool = new BufferPool(Uint32Array);
    let s = 0;
    for (let i = 0; i < N; i++) {
      const a = pool.rent(64);
      s += a.length;
      pool.return(a);
    }
    return s;
  },
  'buffer-pool-plain'() {
    const pool = new BufferPool(Uint32Array, { transfer: false });
    let s = 0;
    for (let i = 0; i < N; i++) {
      const a = pool.rent(64);
      s += a.length;
      pool.return(a);
    }
    return s;
  },
  'elements-marked'() {
    return sumElements(new BufferPool(Uint32Array));
  },
  'elements-plain'() {
    return sumElements(new BufferPool(Uint32Array, { transfer: false }));
  },
  'new-u32-64'() {
    let s = 0;
    for (let i = 0; i < N; i++) s += new Uint32Array(64).length;
    return s;
  },
};

function child(name: string): void {
  const fn = VARIANTS[name]!;
  fn(); // warm-up
  const t0 = process.hrtime.bigint();
  const sink = fn();
  const ns = Number(process.hrtime.bigint() - t0) / N;
  process.stdout.write(ns.toFixed(2) + (sink === 1 ? ' ' : ''));
}

const mode = process.argv[2];
if (mode !== undefined && mode in VARIANTS) {
  child(mode);
} else {
  const self = fileURLToPath(import.meta.url);
  console.log(`# Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: ns per iteration, one child process per variant`);
  for (let round = 1; round <= 3; round++) {
    const cells = Object.keys(VARIANTS).map((name) => `${name} ${execFileSync(process.execPath, [self, name], { encoding: 'utf8' })}`);
    console.log(`round ${round}: ${cells.join('  ')}`);
  }
}
