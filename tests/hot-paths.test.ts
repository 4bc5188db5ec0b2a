/**
 * The hot paths stay fast in a used program (pool-core.ts's essay, "Staying fast in a used
 * program"), checked with V8's own deterministic answers, never with timing:
 *
 * - every cold method a hot path calls is longer than TurboFan's inlining limit, so it is never
 *   inlined into the hot path, nor through it into a caller's loop;
 * - the hit counter wraps below the small-integer range, so `stats.hits` stays exact and a loop
 *   that crosses 2^31 hits is not deoptimised (`--trace-deopt`);
 * - every SharedPool Block has one hidden class, in fast mode (`%HaveSameMap`, `%HasFastProperties`).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { LocalPool } from '../src/index.js';
import { inspectLocalPool } from '../src/local/local-pool.js';
import { bytecodeLengths, inliningLimit, runNode } from './helpers/v8.js';

const CHILD = fileURLToPath(new URL('./workers/hot-paths.js', import.meta.url));

/**
 * The cold methods the hot paths call, by function name, and how many functions of that name the
 * child compiles: LocalPool's `_cold` (acquire, tryAcquire, release; SharedPool's cache goes through
 * it too), BufferPool's `_cold` (rent, return) and SharedPool's `_cold` (acquire, tryAcquire,
 * release past the cache, and every pair of a cache-off pool).
 */
const COLD = [{ name: '_cold', functions: 3, what: 'LocalPool, BufferPool and SharedPool' }] as const;

const inlining = suite('hot paths: no cold method is small enough to inline');

inlining('each cold method a hot path calls is longer than --max-inlined-bytecode-size', async () => {
  const limit = inliningLimit();
  assert.ok(limit > 0 && limit < 10_000, `limit ${limit}`);
  for (const { name, functions, what } of COLD) {
    const lengths = await bytecodeLengths(CHILD, name, ['compile']);
    assert.is(lengths.length, functions, `${what}: each ${name} was compiled`);
    for (const n of lengths) assert.ok(n > limit, `${what}: ${name} is ${n} bytes of bytecode, not above the inlining limit ${limit}`);
  }
});

inlining.run();

// -------------------------------------------------------------------------------------------------
const shapes = suite('hot paths: every SharedPool Block has one hidden class');

shapes('Blocks of pools of every strategy, cache and attachment share a hidden class in fast mode (block-table.ts)', async () => {
  // The bug: one `generation` getter closure per pool put the Blocks of every pool but the first in
  // dictionary mode, and a cached pair went from 13-16 to 100-160 ns with a second pool open.
  const out = await runNode(['--allow-natives-syntax'], CHILD, ['blocks']);
  assert.match(out, /^blocks true true$/m, out.slice(-2000));
});

shapes.run();

// -------------------------------------------------------------------------------------------------
const hits = suite('hot paths: the hit counter stays a small integer, and stats.hits exact');

hits('stats.hits is exact across 2^30, 2^31 and 2^32 hits; the counter field stays below 2^30', () => {
  const pool = new LocalPool({ create: () => ({}) });
  pool.release(pool.acquire()); // a miss
  // The wrap falls on an acquire (from 2^30 - 3, 2^32 - 3) and on a tryAcquire (from 2^31 - 2).
  for (const start of [2 ** 30 - 3, 2 ** 31 - 2, 2 ** 32 - 3]) {
    const seam = inspectLocalPool(pool);
    seam.advanceHits(start - pool.stats.hits);
    assert.is(pool.stats.hits, start);
    for (let i = 0; i < 6; i++) pool.release(i % 2 === 0 ? pool.acquire() : pool.tryAcquire()!);
    assert.is(pool.stats.hits, start + 6, `from ${start}`);
    assert.ok(inspectLocalPool(pool).hitsSinceWrap < 2 ** 30);
    assert.is(pool.stats.misses, 1);
  }
  // Cold-path hits (the stack) count and wrap the same way.
  inspectLocalPool(pool).advanceHits(2 ** 33 - 1 - pool.stats.hits);
  const a = pool.acquire();
  const b = pool.acquire(); // a miss
  pool.release(b);
  pool.release(a);
  pool.acquire(); // the slot
  pool.acquire(); // the stack: a cold-path hit
  assert.is(pool.stats.hits, 2 ** 33 + 2);
  assert.ok(inspectLocalPool(pool).hitsSinceWrap < 2 ** 30);
});

hits('a hot loop crossing 2^31 hits is not deoptimised (--trace-deopt), and counts exactly', async () => {
  const out = await runNode(['--trace-deopt'], CHILD, ['hits']);
  const after = out.slice(out.indexOf('warm\n'));
  assert.ok(out.includes('warm\n'), out.slice(-2000));
  const line = /^hits (\d+) (\d+) (\d+)$/m.exec(after);
  assert.ok(line !== null, after.slice(-2000));
  assert.is(line![1], line![2]);
  assert.ok(Number(line![3]) < 2 ** 30);
  const deopts = after.split('\n').filter((l) => /deoptimiz/.test(l) && /<JSFunction (acquire|release|tryAcquire|_cold)\b/.test(l));
  assert.equal(deopts, []);
});

hits.run();
