/**
 * SharedPool, two isolates releasing one block at the same instant: one through its cached Block (the
 * plain read and write of the hot release), the other by index (the CAS path). Forced at every step
 * of the index release with the onStep seam (the cached release's write landing there), then with
 * real workers racing on a barrier. Either one release is refused, or the index release leaves an
 * entry the free list skips: the block is never lent twice and no free structure breaks (regression:
 * `mutex` lent the block twice, `treiber`'s stack became a cycle, `mpmc` wedged every worker).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { ErrorCode, SharedPool, type Block, type Strategy } from '../src/index.js';
import { H, MUTEX } from '../src/shared/layout.js';
import { inspectSharedPool } from '../src/shared/shared-pool.js';
import { thrownCode } from './helpers/errors.js';
import { drain, FAULT_WORKER, owners, STRATEGIES } from './helpers/shared.js';
import { FCTL } from './workers/shared-fault-worker.js';

/** Steps of a release by index, where the other isolate's cached release may land. */
const PUSH_STEPS: Record<Strategy, (string | undefined)[]> = {
  mutex: [undefined, 'push:locked', 'push:freed', 'push:top'],
  treiber: [undefined, 'push:transit', 'push:reserved', 'push:published'],
  mpmc: [undefined, 'push:transit', 'push:claimed', 'push:filled'],
  bitmap: [undefined, 'push:bits', 'push:freed'],
};

/**
 * The rest of `x`'s cached release of `b` after its read of the owner word saw `+x`: the plain write
 * of `-x`, then into its cache (what SharedPool.release does on its hot path).
 */
function finishCachedRelease(x: SharedPool, b: Block): void {
  owners(x)[b.index] = -x.ownerId;
  inspectSharedPool(x).cache!.release(b as never);
}

const forced = suite('SharedPool races: a cached release overwrites a release by index at each of its steps');

for (const strategy of STRATEGIES) {
  for (const at of PUSH_STEPS[strategy]) {
    forced(`${strategy}, the cached write landing ${at === undefined ? 'after the whole release' : `at ${at}`}: lent once, structure intact`, () => {
      const x = SharedPool.create({ blockSize: 64, blocks: 8, cache: 4, strategy });
      const y = SharedPool.attach(x.handle, { cache: 0 });
      const b = x.acquire();
      const free = inspectSharedPool(y).free;
      let landed = false;
      free.onStep = (s) => {
        if (s === at && !landed) {
          landed = true;
          finishCachedRelease(x, b);
        }
      };
      const outcome = thrownCode(() => y.release(b.index));
      free.onStep = undefined;
      if (at === undefined) finishCachedRelease(x, b);
      else assert.ok(landed, `the step ${at} was reached`);
      assert.ok(outcome === undefined || outcome === ErrorCode.DOUBLE_RELEASE, String(outcome));
      // The block is in one place: x's cache. The other isolate never gets it while x has it.
      const got: Block[] = [];
      for (let g = y.tryAcquire(); g !== undefined; g = y.tryAcquire()) got.push(g);
      assert.ok(!got.some((g) => g.index === b.index), 'the block was lent from the shared list while cached in x');
      assert.is(new Set(got.map((g) => g.index)).size, got.length);
      const again = x.acquire();
      assert.is(again.index, b.index, 'x lends it from its cache');
      for (const g of got) y.release(g);
      // Released and spilled again while its stale entry may still be on the list: no second link, no cycle.
      x.release(again);
      x.flush();
      for (let round = 0; round < 3; round++) {
        assert.is(drain(x), 8, `${strategy}: every block comes back exactly once`);
      }
      assert.ok(Array.from(owners(x)).every((w) => w === 0));
    });
  }
}

forced.run();

const ROUNDS = 600;

const racing = suite('SharedPool races: real workers releasing one block at once');

for (const strategy of STRATEGIES) {
  racing(`${ROUNDS} racing double releases (${strategy}): no block lent twice, nothing lost`, async () => {
    const pool = SharedPool.create({ blockSize: 64, blocks: 16, cache: 0, strategy });
    const ctl = new Int32Array(new SharedArrayBuffer(16 * 4));
    const sides = [0, 1].map(
      (side) =>
        new Worker(FAULT_WORKER, { workerData: { mode: 'race', handle: pool.handle, cache: side === 0 ? 8 : 0, ctl, stamp: side + 1, side, rounds: ROUNDS } }),
    );
    await Promise.all(
      sides.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('error', reject);
            w.once('exit', () => resolve());
          }),
      ),
    );
    const refused = Atomics.load(ctl, FCTL.REFUSED);
    const fails = Atomics.load(ctl, FCTL.FAILS);
    console.log(`  races ${strategy}: ${ROUNDS} rounds, ${refused} refused one release, ${ROUNDS - refused} accepted both, ${fails} double lends`);
    assert.is(fails, 0, 'a block was lent to two isolates');
    assert.ok(refused <= ROUNDS);
    assert.is(drain(pool), 16, 'every block comes back exactly once');
    assert.ok(Array.from(owners(pool)).every((w) => w === 0));
  });
}

racing.run();

const outraced = suite('SharedPool races: a pop that keeps losing to a live neighbour');

outraced('treiber: a pop that loses more head CASes in a row than the pool has blocks still lends (regression: its rounds were capped at blocks + 1, lost ones included, so a small pool beside a busy neighbour reported ERR_POOL_EXHAUSTED with blocks free)', () => {
  const blocks = 8;
  const y = SharedPool.create({ blockSize: 64, blocks, cache: 0, strategy: 'treiber' });
  const z = SharedPool.attach(y.handle, { cache: 0 });
  const held: Block[] = [];
  for (let k = 0; k < blocks - 1; k++) held.push(z.acquire());
  // Between y's walk and its head CAS, z releases a block and takes it back: two pushes and pops
  // that leave y's claimed node alone but move the head's tag, so y's CAS fails every time.
  const losses = 3 * blocks;
  let moved = 0;
  const free = inspectSharedPool(y).free;
  free.onStep = (s) => {
    if (s === 'pop:claimed' && moved < losses) {
      moved++;
      z.release(held[0]!);
      held[0] = z.acquire();
    }
  };
  const b = y.tryAcquire();
  free.onStep = undefined;
  assert.is(moved, losses, 'the neighbour moved the head on every round it was asked to');
  assert.ok(b !== undefined, 'the pop gave up with a block free');
  for (const h of held) z.release(h);
  y.release(b!);
  assert.is(drain(y), blocks, 'every block comes back exactly once');
});

outraced('treiber: a pop kept off the CPU for longer than its patience still makes its attempts (regression: patience was time alone, so a worker the scheduler starved gave up after a few real tries)', () => {
  const y = SharedPool.create({ blockSize: 64, blocks: 256, cache: 0, strategy: 'treiber' });
  const z = SharedPool.attach(y.handle, { cache: 0 });
  let held = z.acquire();
  const losses = 80; // past the spinning rounds (64), well short of the timed waits patience makes (100)
  let moved = 0;
  const free = inspectSharedPool(y).free;
  free.onStep = (s) => {
    if (s !== 'pop:claimed' || moved >= losses) return;
    // The second round stands for a descheduled caller: 150 ms off the CPU, more than PATIENCE_MS.
    if (moved === 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
    moved++;
    z.release(held);
    held = z.acquire();
  };
  const b = y.tryAcquire();
  free.onStep = undefined;
  assert.is(moved, losses, 'the pop tried on every round the neighbour moved the head');
  assert.ok(b !== undefined, 'the pop gave up with blocks free');
  z.release(held);
  y.release(b!);
  assert.is(drain(y), 256, 'every block comes back exactly once');
});

outraced('mutex: a waiter kept off the CPU for longer than its patience does not give up on a live holder (regression: it woke once, past PATIENCE_MS, and reported a pool with blocks free exhausted)', () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 8, cache: 0, strategy: 'mutex' });
  const holder = SharedPool.attach(pool.handle, { cache: 0 });
  const a = new Int32Array(pool.handle.sab);
  const lockW = (a[H.FREE_OFFSET]! >> 2) + MUTEX.LOCK;
  // The holder is live, in one long section: its lock word stays put until it unlocks.
  Atomics.store(a, lockW, holder.ownerId << 1);
  let woke = 0;
  const free = inspectSharedPool(pool).free;
  free.onStep = (s) => {
    if (s !== 'lock:woke') return;
    woke++;
    // The first wake-up stands for a waiter descheduled for 150 ms, more than PATIENCE_MS.
    if (woke === 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
    // A few wake-ups later the holder's section ends (its unlock: the word back to 0).
    if (woke === 3) Atomics.store(a, lockW, 0);
  };
  const b = pool.tryAcquire();
  free.onStep = undefined;
  assert.ok(woke >= 3, `the waiter woke ${woke} times`);
  assert.ok(b !== undefined, 'the waiter gave up on a live holder with 8 blocks free');
  pool.release(b!);
  assert.is(drain(pool), 8, 'every block comes back exactly once');
});

outraced.run();

const scanning = suite('SharedPool races: a pop beside another isolate scanning the fallback bits');

for (const strategy of ['mutex', 'treiber', 'mpmc'] as const) {
  scanning(`${strategy}: a pop that comes back short while another isolate scans the bits still takes a free block there (regression: the scan reset BITS_HINT first, so the pop read "nothing in the bits" and acquire() threw ERR_POOL_EXHAUSTED with blocks free)`, () => {
    const blocks = 64;
    const y = SharedPool.create({ blockSize: 64, blocks, cache: 0, strategy });
    const z = SharedPool.attach(y.handle, { cache: 0 });
    const dead = SharedPool.attach(y.handle, { cache: 0 });
    const theirs: Block[] = [];
    for (let k = 0; k < 10; k++) theirs.push(dead.acquire());
    const held: Block[] = [];
    for (let k = 10; k < blocks; k++) held.push(y.acquire());
    // `dead` dies holding 10 blocks: reclaim frees them through the bits, and the structure is empty.
    assert.is(y.reclaim(dead.ownerId), 10);
    let zGot: Block | undefined;
    let scans = 0;
    const free = inspectSharedPool(y).free;
    free.onStep = (s) => {
      // z's pop comes back short from the structure while y's scan of the bits is under way.
      if (s === 'bits:scanning' && scans++ === 0) zGot = z.tryAcquire();
    };
    const yGot = y.tryAcquire();
    free.onStep = undefined;
    assert.is(scans, 1, "y's pop scanned the bits");
    assert.ok(zGot !== undefined, "z's pop found nothing with 10 blocks free in the bits");
    assert.ok(yGot !== undefined, "y's scan found nothing with blocks free in the bits");
    assert.is.not(zGot!.index, yGot!.index);
    z.release(zGot!);
    y.release(yGot!);
    for (const b of held) y.release(b);
    assert.is(drain(y), blocks, 'every block comes back exactly once');
  });
}

scanning.run();
