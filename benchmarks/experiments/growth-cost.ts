/**
 * What one growth of a SharedPool (`maxBlocks`, src/shared/growth.ts) costs, per chunk (run: `npm run
 * build && node benchmarks/build/experiments/growth-cost.js [rounds]`). Not the benchmark CLI: a
 * growth happens once per chunk and a pool stops at maxBlocks, so there is no get/put loop to time.
 *
 * Per strategy and chunk size, one round acquires `CHUNKS + 1` chunks of blocks, cache off, from a
 * pool that starts with one chunk and grows one chunk at a time, timing each acquire by hrtime: an
 * acquire that found the pool dry and grew it costs one growth (lock, `sab.grow`, tagging,
 * publishing, pushing the chunk, unlock) and one pop, which is noise beside it. Fresh pools each
 * round; creating them is not timed. Median over every growth of `rounds` rounds; on a shared
 * 2-core VM read it as an order of magnitude.
 */
import { SharedPool, type Strategy } from 'isopool';

const STRATEGIES: Strategy[] = ['mutex', 'treiber', 'mpmc', 'bitmap'];
/** Growths per round: enough to time, few enough that the largest pool stays under 65,535 blocks. */
const CHUNKS = 15;
const BLOCK_SIZE = 64;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** The time of each acquire that grew the pool, in ns. */
function round(strategy: Strategy, chunk: number): number[] {
  const n = chunk * (CHUNKS + 1);
  const pool = SharedPool.create({ blockSize: BLOCK_SIZE, blocks: chunk, maxBlocks: n, grow: chunk, cache: 0, strategy });
  const growths: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = pool.blocks;
    const t = process.hrtime.bigint();
    pool.acquire();
    const ns = Number(process.hrtime.bigint() - t);
    if (pool.blocks !== before) growths.push(ns);
  }
  if (growths.length !== CHUNKS || pool.blocks !== n) throw new Error(`${strategy}: ${growths.length} growths to ${pool.blocks} blocks`);
  return growths;
}

const rounds = Number(process.argv[2] ?? 15);
console.log(`node ${process.version}, ${rounds} rounds, ${CHUNKS} growths a round, blockSize ${BLOCK_SIZE}, cache off`);
console.log('strategy  chunk  ns/growth (median)  ns/block added');
for (const strategy of STRATEGIES) {
  for (const chunk of [64, 1024]) {
    for (let w = 0; w < 3; w++) round(strategy, chunk); // warm up
    const ns = median(Array.from({ length: rounds }, () => round(strategy, chunk)).flat());
    console.log(`${strategy.padEnd(8)}  ${String(chunk).padStart(5)}  ${ns.toFixed(0).padStart(18)}  ${(ns / chunk).toFixed(1).padStart(14)}`);
  }
}
