/**
 * Quick sanity timing of the SharedPool cases (run: `npm run build && node
 * benchmarks/build/experiments/shared-sanity.js [rounds] [case]`; with a case name, only that case,
 * free of the other cases' type feedback), not the benchmark CLI: an hrtime loop
 * over each case's `fn`, median of `rounds` samples, beside a LocalPool get/put (mempool's
 * `tls_get_put` shape), plus two workers hammering one pool per strategy, cache off (contention).
 * On a shared 2-core VM the absolute figures are noisy: read the ratios.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { LocalPool, SharedPool, type SharedPoolHandle, type Strategy } from 'isopool';
import { sharedCases } from '../shared.cases.js';

const CALLS = 2000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(fn: () => void, batch: number, rounds: number): number {
  for (let i = 0; i < CALLS; i++) fn(); // warm up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t) / (CALLS * batch));
  }
  return median(samples);
}

async function contention(strategy: Strategy, pairs: number): Promise<number> {
  const pool = SharedPool.create({ blockSize: 64, blocks: 256, cache: 0, strategy });
  const url = new URL(import.meta.url);
  const ns = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(url, { workerData: { handle: pool.handle, pairs } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  return Math.max(...ns);
}

if (isMainThread) {
  const rounds = Number(process.argv[2] ?? 7);
  const local = new LocalPool({ create: () => ({ n: 0 }) });
  const localNs = time(() => {
    for (let i = 0; i < 1000; i++) local.release(local.acquire());
  }, 1000, rounds);
  console.log(`local tls_get_put          ${localNs.toFixed(2)} ns/iter`);
  const rows: Record<string, number> = {};
  const only = process.argv[3];
  for (const c of sharedCases()) {
    if (only !== undefined && c.name !== only) continue;
    c.validate();
    rows[c.name] = time(() => c.fn(), c.batch, rounds);
    console.log(`${c.name.padEnd(26)} ${rows[c.name]!.toFixed(2)} ns/iter  ${JSON.stringify(c.extra?.())}`);
    c.teardown?.();
  }
  if (only !== undefined) process.exit(0);
  console.log(`cached / local: ${(rows['shared_tls_get_put']! / localNs).toFixed(2)}x; mutex / cached: ${(rows['mutex_get_put']! / rows['shared_tls_get_put']!).toFixed(1)}x`);
  for (const s of ['mutex', 'treiber', 'mpmc', 'bitmap'] as Strategy[]) {
    console.log(`2 workers, cache off, ${s.padEnd(8)} ${(await contention(s, 200_000)).toFixed(1)} ns per pair per worker (slower worker)`);
  }
} else {
  const { handle, pairs } = workerData as { handle: SharedPoolHandle; pairs: number };
  const pool = SharedPool.attach(handle, { cache: 0 });
  const t = process.hrtime.bigint();
  for (let i = 0; i < pairs; i++) pool.release(pool.acquire());
  parentPort!.postMessage(Number(process.hrtime.bigint() - t) / pairs);
}
