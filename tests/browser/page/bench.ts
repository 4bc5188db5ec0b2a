/**
 * ns per acquire+release pair, measured in the page's main thread: a batched `performance.now()`
 * loop, the batch large enough that the timer's resolution (coarsened to 5 us on a cross-origin
 * isolated page in Chromium, 100 us otherwise) is under 1% of a batch.
 *
 *   empty_loop     the loop alone, for scale
 *   tls_get_put    LocalPool acquire + release (the owner slot)
 *   mutex_get_put  SharedPool, strategy mutex, cache 0: every pair takes the spin lock twice
 */
import { LocalPool, SharedPool } from '../../../src/index.js';

export interface BenchRow {
  readonly name: string;
  /** Median ns per pair over the batches. */
  readonly ns: number;
  /** Every batch's ns per pair, in run order. */
  readonly batches: number[];
}

export interface BenchOptions {
  /** Pairs per timed batch; at least 1,000,000. */
  readonly pairs: number;
  /** Timed batches per row (after one untimed warm-up batch). */
  readonly batches: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function row(name: string, o: BenchOptions, batch: (pairs: number) => number): BenchRow {
  let sink = batch(o.pairs); // warm-up: lets the optimizing compiler see the loop before timing it
  const batches: number[] = [];
  for (let i = 0; i < o.batches; i++) {
    const t0 = performance.now();
    sink += batch(o.pairs);
    const t1 = performance.now();
    batches.push(((t1 - t0) * 1e6) / o.pairs);
  }
  if (sink === -1) throw new Error('unreachable: keeps the loops observable');
  return { name, ns: median(batches), batches };
}

export function bench(o: BenchOptions): BenchRow[] {
  if (!(o.pairs >= 1_000_000)) throw new RangeError(`bench: pairs must be at least 1,000,000, received ${o.pairs}`);
  const rows: BenchRow[] = [];
  rows.push(
    row('empty_loop', o, (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += i & 1;
      return s;
    }),
  );
  const local = new LocalPool({ create: () => ({ n: 0 }) });
  rows.push(
    row('tls_get_put', o, (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const obj = local.acquire();
        s += obj.n;
        local.release(obj);
      }
      return s;
    }),
  );
  local.close();
  const shared = SharedPool.create({ blockSize: 64, blocks: 64, cache: 0, strategy: 'mutex' });
  rows.push(
    row('mutex_get_put', o, (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const block = shared.acquire();
        s += block.index;
        shared.release(block);
      }
      return s;
    }),
  );
  shared.close();
  return rows;
}
