/**
 * Where a cache-off SharedPool pair's time goes beside its bare structure (the `bare_*` rows):
 * counts the Atomics calls one acquire + release makes on each strategy, and one pop + push makes
 * on the bare structure, by wrapping the global `Atomics` functions (run: `npm run build && node
 * benchmarks/build/experiments/atomics-per-pair.js`). Deterministic: a count, not a time. The
 * figure per call is fact `atomics-op` in benchmarks/README.md.
 */
import { SharedPool, type Strategy } from 'isopool';
import { BareBitmap } from '../bare.cases.js';
import { SpinMutexStack, TreiberStack, VyukovRing } from '../structures/bare-free-lists.js';

const PAIRS = 1000;
const counts = new Map<string, number>();
const A = Atomics as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of ['load', 'store', 'add', 'sub', 'and', 'or', 'exchange', 'compareExchange', 'notify']) {
  const real = A[name]!;
  A[name] = (...args: unknown[]) => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return real.apply(Atomics, args);
  };
}

function measure(label: string, pair: () => void): void {
  pair(); // warm: first calls may take a different path (a lazy refill, a first claim)
  counts.clear();
  for (let i = 0; i < PAIRS; i++) pair();
  const per = [...counts].map(([k, v]) => `${k} ${(v / PAIRS).toFixed(2)}`).join(', ');
  const total = [...counts.values()].reduce((s, v) => s + v, 0) / PAIRS;
  process.stdout.write(`${label.padEnd(22)} ${total.toFixed(2).padStart(6)} Atomics calls a pair: ${per}\n`);
}

for (const strategy of ['mutex', 'treiber', 'mpmc', 'bitmap'] as Strategy[]) {
  const pool = SharedPool.create({ blockSize: 64, blocks: 256, cache: 0, strategy });
  measure(`${strategy}_get_put`, () => pool.release(pool.acquire()));
  pool.close();
}
const mutex = new SpinMutexStack(256);
measure('bare_mutex_get_put', () => mutex.push(mutex.pop()));
const treiber = new TreiberStack(256);
measure('bare_treiber_get_put', () => treiber.push(treiber.pop()));
const ring = new VyukovRing(256);
measure('bare_mpmc_get_put', () => void ring.enqueue(ring.dequeue()));
const bitmap = new BareBitmap(256);
measure('bare_bitmap_get_put', () => bitmap.push(bitmap.pop()));
