/**
 * A child script for tests/hot-paths.test.ts (run under `node` with V8 flags, never by uvu):
 *
 * - `compile`: runs every pool's hot and cold paths once, so that V8 compiles their bytecode (it
 *   compiles a function when first called, and `--print-bytecode` prints it then);
 * - `hits`: a LocalPool hot loop, optimised, then moved to just below 2^31 hits through the
 *   documented seam, then looped across 2^31 (and across a wrap of the counter); prints a line
 *   `hits <stats.hits> <expected> <field>`;
 * - `blocks` (under `--allow-natives-syntax`): Blocks of SharedPools of every strategy, cached or
 *   not, and of an attachment; prints `blocks <all share the first's hidden class> <all fast>`.
 */
import { BufferPool, getLocalPool, definePool, LocalPool, SharedPool } from '../../src/index.js';
import { inspectLocalPool } from '../../src/local/local-pool.js';

const mode = process.argv[2];

if (mode === 'compile') {
  const pool = new LocalPool<{ v: number }>({ create: () => ({ v: 1 }), max: 2 });
  const a = pool.acquire();
  const b = pool.acquire();
  const c = pool.acquire();
  pool.release(c);
  pool.release(b);
  pool.release(a);
  pool.tryAcquire();
  const buffers = new BufferPool(Uint8Array, { maxLength: 16 });
  const x = buffers.rent(8);
  buffers.return(x);
  buffers.return(buffers.rent(100));
  const shared = SharedPool.create({ blockSize: 16, blocks: 8, cache: 0 });
  shared.release(shared.acquire());
  const cached = SharedPool.create({ blockSize: 16, blocks: 8, cache: 2 });
  const held = [cached.acquire(), cached.acquire(), cached.acquire(), cached.acquire()];
  for (const h of held) cached.release(h);
  const token = definePool({ create: () => ({}) });
  getLocalPool(token).release(getLocalPool(token).acquire());
  getLocalPool('k', { create: () => ({}) });
  process.stdout.write('compiled\n');
} else if (mode === 'hits') {
  const pool = new LocalPool<object>({ create: () => ({ v: 1 }) });
  const loop = (n: number): void => {
    for (let i = 0; i < n; i++) pool.release(pool.acquire());
  };
  loop(2_000_000); // optimised by now
  process.stdout.write('warm\n');
  const start = 2 ** 31 - 500_000;
  inspectLocalPool(pool).advanceHits(start - pool.stats.hits);
  loop(1_000_000); // across 2^31, and across the counter's wrap at a multiple of 2^30
  process.stdout.write(`hits ${pool.stats.hits} ${start + 1_000_000} ${inspectLocalPool(pool).hitsSinceWrap}\n`);
} else if (mode === 'blocks') {
  // V8 intrinsics, parsed only under --allow-natives-syntax: a Function body keeps them out of tsc's way.
  const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
  const fast = new Function('a', 'return %HasFastProperties(a)') as (a: object) => boolean;
  const pools = (['mutex', 'treiber', 'mpmc', 'bitmap'] as const).flatMap((strategy) =>
    [0, 4].map((cache) => SharedPool.create({ blockSize: 16, blocks: 8, cache, strategy })),
  );
  pools.push(SharedPool.attach(pools[1]!.handle, { cache: 4 }));
  const blocks = pools.map((p) => p.acquire());
  const first = blocks[0]!;
  process.stdout.write(`blocks ${blocks.every((b) => sameMap(first, b))} ${blocks.every((b) => fast(b))}\n`);
} else {
  throw new Error(`hot-paths.ts: unknown mode ${String(mode)}`);
}
