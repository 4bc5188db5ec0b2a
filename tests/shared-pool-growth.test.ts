/**
 * SharedPool growth (`maxBlocks`, src/shared/growth.ts), over every strategy: chunks and doubling
 * up to maxBlocks and refusal past it, attached isolates seeing new blocks through the handle they
 * have, two isolates growing at once adding one chunk, an isolate dying at every step of a growth,
 * and real workers terminated while they grow.
 *
 * The seam: `inspectSharedPool(pool).growth.onStep` is called at each named step of a growth
 * (`grow:locked`, `grow:grown`, `grow:tagged`, `grow:published`, `grow:pushed`); a hook that throws
 * stops the growth right there, leaving exactly the shared memory an isolate killed at that step
 * leaves. The victim attachment is never used again, as if dead.
 */
import { Worker } from 'node:worker_threads';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, SharedPool, type Block, type FieldSchema, type FieldsOf, type Strategy } from '../src/index.js';
import { H } from '../src/shared/layout.js';
import { inspectSharedPool } from '../src/shared/shared-pool.js';
import { thrownCode, throwsCode } from './helpers/errors.js';
import { drain, exited, owners, STRATEGIES, wordAtLeast } from './helpers/shared.js';
import { GCTL } from './workers/growth-worker.js';

const GROWTH_WORKER = new URL('./workers/growth-worker.js', import.meta.url);

function header(pool: SharedPool): Int32Array {
  return new Int32Array(pool.handle.sab, 0, H.RECORD_BYTES + 1);
}

/** Takes blocks until the pool refuses; throws on a block lent twice. */
function takeAll<F extends FieldSchema>(pool: SharedPool<F>): Block<FieldsOf<F>>[] {
  const got: Block<FieldsOf<F>>[] = [];
  for (let b = pool.tryAcquire(); b !== undefined; b = pool.tryAcquire()) got.push(b);
  assert.is(new Set(got.map((b) => b.index)).size, got.length, 'a block was lent twice');
  return got;
}

const basics = suite('SharedPool growth: chunks, doubling, the limit');

basics('a pool grows by `grow` blocks when it finds none free, up to maxBlocks, then acquire throws and tryAcquire returns undefined', () => {
  for (const strategy of STRATEGIES) {
    for (const cache of [0, 4]) {
      const pool = SharedPool.create({ blockSize: 48, blocks: 4, maxBlocks: 14, grow: 4, cache, strategy });
      assert.is(pool.blocks, 4);
      const got: Block[] = [];
      for (let i = 0; i < 14; i++) got.push(pool.acquire());
      assert.is(new Set(got.map((b) => b.index)).size, 14, `${strategy}/${cache}: a block lent twice`);
      assert.is(pool.blocks, 14);
      assert.is(pool.stats.growths, 3, '4 -> 8 -> 12 -> 14');
      assert.is(pool.stats.maxBlocks, 14);
      assert.is(thrownCode(() => pool.acquire()), ErrorCode.POOL_EXHAUSTED);
      assert.is(pool.tryAcquire(), undefined);
      assert.is(pool.handle.sab.byteLength, pool.handle.sab.maxByteLength, 'the buffer is at its largest');
      got.forEach((b, i) => (b.bytes[b.bytes.length - 1] = i));
      got.forEach((b, i) => assert.is(b.bytes[b.bytes.length - 1], i, 'blocks overlap'));
      for (const b of got) pool.release(b);
      pool.flush();
      assert.is(drain(pool), 14, `${strategy}/${cache}: blocks lost`);
      assert.is(pool.stats.free, 14);
    }
  }
});

basics("grow: 'double' adds as many blocks as exist, capped at maxBlocks", () => {
  const pool = SharedPool.create({ blockSize: 8, blocks: 2, maxBlocks: 11, grow: 'double', cache: 0 });
  const sizes = [pool.blocks];
  for (let i = 0; i < 11; i++) {
    pool.acquire();
    if (pool.blocks !== sizes.at(-1)) sizes.push(pool.blocks);
  }
  assert.equal(sizes, [2, 4, 8, 11]);
});

basics('a pool without maxBlocks keeps a fixed-length buffer and never grows', () => {
  const pool = SharedPool.create({ blockSize: 8, blocks: 3, cache: 0 });
  assert.is(pool.handle.sab.growable, false);
  takeAll(pool);
  assert.is(pool.blocks, 3);
  assert.is(inspectSharedPool(pool).growth, undefined);
});

basics('an attachment made before a growth sees the new blocks through the handle it has, with their fields', () => {
  const pool = SharedPool.create({ blockSize: 16, blocks: 2, maxBlocks: 6, grow: 2, cache: 0, fields: { id: 'u32' } });
  const other = SharedPool.attach(pool.handle, { cache: 0 });
  const mine = takeAll(pool);
  assert.is(mine.length, 6);
  assert.is(other.blocks, 6);
  const last = mine.find((b) => b.index === 5)!;
  last.fields.id = 77;
  last.bytes[15] = 9;
  pool.release(last);
  const there = other.acquire();
  assert.is(there.index, 5);
  assert.equal([there.fields.id, there.bytes[15]], [77, 9]);
  assert.throws(() => other.release(6), RangeError, 'an index past the blocks is out of range');
});

basics('bad growth options are refused, naming the option', () => {
  assert.throws(() => SharedPool.create({ blockSize: 8, blocks: 4, maxBlocks: 3 }), (e: Error) => e instanceof RangeError && /maxBlocks/.test(e.message));
  assert.throws(() => SharedPool.create({ blockSize: 8, blocks: 4, maxBlocks: 70_000 }), (e: Error) => e instanceof RangeError && /maxBlocks/.test(e.message));
  assert.throws(() => SharedPool.create({ blockSize: 8, blocks: 4, maxBlocks: 8, grow: 0 }), (e: Error) => e instanceof RangeError && /grow/.test(e.message));
  assert.throws(() => SharedPool.create({ blockSize: 8, blocks: 4, maxBlocks: 8, grow: 'twice' as 'double' }), (e: Error) => e instanceof TypeError && /grow/.test(e.message));
  assert.throws(() => SharedPool.create({ blockSize: 1 << 20, blocks: 1, maxBlocks: 5000 }), (e: Error) => e instanceof RangeError && /maxBlocks/.test(e.message));
});

basics('attach checks the growth words: a block count past maxBlocks, or a buffer too short for the count, is ERR_BAD_HANDLE', () => {
  const pool = SharedPool.create({ blockSize: 8, blocks: 2, maxBlocks: 8, cache: 0 });
  const h = header(pool);
  h[H.NBLOCKS] = 9;
  assert.is(thrownCode(() => SharedPool.attach(pool.handle)), ErrorCode.BAD_HANDLE);
  h[H.NBLOCKS] = 4; // the buffer still holds 2 blocks
  assert.is(thrownCode(() => SharedPool.attach(pool.handle)), ErrorCode.BAD_HANDLE);
  h[H.NBLOCKS] = 2;
  h[H.GROWER] = 1000;
  assert.is(thrownCode(() => SharedPool.attach(pool.handle)), ErrorCode.BAD_HANDLE, 'a growth lock naming an id never handed out');
  h[H.GROWER] = 0;
  assert.is(SharedPool.attach(pool.handle, { cache: 0 }).blocks, 2);
});

const faults = suite('SharedPool growth: an isolate dying at every step of a growth');

const STEPS = ['grow:locked', 'grow:grown', 'grow:tagged', 'grow:published', 'grow:pushed'] as const;

class Death extends Error {}

/**
 * The victim grows a pool of 4 blocks (all lent to the survivor) and dies at `step`. Checks the
 * exact memory it leaves, that the survivor's calls stay bounded before any reclaim, and that after
 * `reclaim` the survivor grows the pool to maxBlocks with every block lent exactly once.
 */
function diesGrowing(strategy: Strategy, step: (typeof STEPS)[number], victimCache: number): void {
  const survivor = SharedPool.create({ blockSize: 64, blocks: 4, maxBlocks: 12, grow: 4, cache: 0, strategy });
  const held = takeAllUpTo(survivor, 4);
  const victim = SharedPool.attach(survivor.handle, { cache: victimCache });
  const id = victim.ownerId;
  inspectSharedPool(victim).growth!.onStep = (s) => {
    if (s === step) throw new Death(s);
  };
  assert.throws(() => victim.acquire(), (e: Error) => e instanceof Death);
  const h = header(survivor);
  const sab = survivor.handle.sab;
  const words = () => Array.from(new Int32Array(sab, h[H.OWNER_OFFSET]!, 12));
  const at = `${strategy}/${step}/cache ${victimCache}`;
  // The exact state a death at this step leaves.
  assert.is(h[H.GROWER], id, `${at}: the lock names the dead grower`);
  assert.is(sab.byteLength, blocksBytes(survivor, step === 'grow:locked' ? 4 : 8), `${at}: buffer length`);
  const published = step === 'grow:published' || step === 'grow:pushed';
  assert.is(h[H.NBLOCKS], published ? 8 : 4, `${at}: block count`);
  const tail = words().slice(4, 8);
  if (step === 'grow:locked' || step === 'grow:grown') assert.equal(tail, [0, 0, 0, 0], at);
  else if (step === 'grow:pushed') assert.equal(tail, [0, 0, 0, 0], `${at}: pushed blocks are free`);
  else assert.equal(tail, [-id, -id, -id, -id], `${at}: new blocks tagged as the grower's`);
  assert.is(h[H.GROWTHS], 0);

  // Before any reclaim: every call returns. Blocks the dead grower pushed are lent; a growth waits
  // for the dead holder once (PATIENCE_MS), then gives up at once.
  const before = takeAll(survivor);
  assert.is(before.length, step === 'grow:pushed' ? 4 : 0, at);
  assert.is(thrownCode(() => survivor.acquire()), ErrorCode.POOL_EXHAUSTED, at);
  throwsCode(() => survivor.acquire(), ErrorCode.POOL_EXHAUSTED, /growth lock/);

  const freed = survivor.reclaim(id);
  assert.is(freed, step === 'grow:published' ? 4 : 0, `${at}: reclaim frees the published, unpushed blocks`);
  assert.is(h[H.GROWER], 0, `${at}: reclaim breaks the lock`);
  const after = takeAll(survivor);
  const all = [...held, ...before, ...after];
  assert.is(all.length, 12, `${at}: the survivor reaches maxBlocks`);
  assert.is(new Set(all.map((b) => b.index)).size, 12, `${at}: a block lent twice`);
  assert.is(survivor.blocks, 12);
  for (const b of all) survivor.release(b);
  assert.is(drain(survivor), 12, `${at}: blocks lost`);
}

function takeAllUpTo(pool: SharedPool, n: number): Block[] {
  return Array.from({ length: n }, () => pool.acquire());
}

/** The buffer's length with `n` blocks. */
function blocksBytes(pool: SharedPool, n: number): number {
  const h = header(pool);
  return h[H.BLOCKS_OFFSET]! + n * h[H.STRIDE]!;
}

for (const strategy of STRATEGIES) {
  for (const step of STEPS) {
    faults(`${strategy}: a grower dying at ${step} leaves that exact state; the others stay bounded; reclaim repairs, nothing lost or lent twice`, () => {
      diesGrowing(strategy, step, 0);
      diesGrowing(strategy, step, 4);
    });
  }
}

faults('a state written by hand: a dead grower holding the lock, the buffer grown, owner words past the count tagged with its id', () => {
  for (const strategy of STRATEGIES) {
    const pool = SharedPool.create({ blockSize: 64, blocks: 2, maxBlocks: 6, grow: 2, cache: 0, strategy });
    const dead = SharedPool.attach(pool.handle, { cache: 0 });
    const id = dead.ownerId;
    const h = header(pool);
    const held = takeAllUpTo(pool, 2);
    pool.handle.sab.grow(blocksBytes(pool, 4));
    const ownerW = new Int32Array(pool.handle.sab, h[H.OWNER_OFFSET]!, 6);
    ownerW[2] = -id;
    ownerW[3] = -id;
    h[H.GROWER] = id;
    assert.is(SharedPool.attach(pool.handle, { cache: 0 }).blocks, 2, `${strategy}: attach accepts the state`);
    assert.is(pool.tryAcquire(), undefined);
    assert.is(pool.reclaim(id), 0, 'blocks past the count are nobody\'s to free');
    const rest = takeAll(pool);
    assert.is(rest.length, 4, `${strategy}: the next grower takes the tagged blocks as its own`);
    assert.is(new Set([...held, ...rest].map((b) => b.index)).size, 6);
    assert.equal(Array.from(owners(pool)).filter((w) => w === -id), []);
  }
});

const workers = suite('SharedPool growth: real workers');

workers('two workers finding the pool dry at once add one chunk between them, never two: the pool ends exactly as large as they need', async () => {
  for (const strategy of STRATEGIES) {
    for (let round = 0; round < 4; round++) {
      const pool = SharedPool.create({ blockSize: 64, blocks: 8, maxBlocks: 64, grow: 8, cache: 0, strategy });
      const ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
      const owns = [0, 1].map(() => new Int32Array(new SharedArrayBuffer(8 * 4)));
      const ws = owns.map((own) => new Worker(GROWTH_WORKER, { workerData: { mode: 'grab', handle: pool.handle, cache: 0, ctl, own, count: 12 } }));
      await Promise.all(owns.map((own) => wordAtLeast(own, GCTL.ID, 1)));
      Atomics.store(ctl, GCTL.GO, 1);
      Atomics.notify(ctl, GCTL.GO);
      const ended = Promise.all(ws.map(exited)).then((codes) => `workers exited early: ${codes}`);
      const at = `${strategy} round ${round}`;
      assert.is(await Promise.race([wordAtLeast(ctl, GCTL.DONE, 2).then(() => 'done'), ended]), 'done', at);
      assert.equal(owns.map((o) => o[GCTL.THROWS]), [0, 0], `${at}: an acquire threw with room to grow`);
      assert.equal(owns.map((o) => o[GCTL.FAILS]), [0, 0], `${at}: a block held by both`);
      assert.is(pool.blocks, 24, `${at}: 24 blocks needed, ${pool.blocks} made`);
      assert.is(pool.stats.growths, 2, at);
      assert.equal(pool.owners().map((o) => o.lent), [12, 12], at);
      Atomics.store(ctl, GCTL.RELEASE, 1);
      Atomics.notify(ctl, GCTL.RELEASE);
      assert.equal(await Promise.all(ws.map(exited)), [0, 0]);
      assert.is(pool.stats.free, 24, `${at}: blocks lost`);
      assert.is(drain(pool), 64, `${at}: the rest of the growth to maxBlocks`);
    }
  }
});

workers('workers terminated while they grow the pool one block at a time: every call of the survivor returns, reclaim repairs, nothing lost', async () => {
  let midRun = 0;
  for (const strategy of STRATEGIES) {
    for (const killAt of [1, 37, 301, 997]) {
      const pool = SharedPool.create({ blockSize: 64, blocks: 1, maxBlocks: 1024, grow: 1, cache: 0, strategy });
      const ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
      const own = new Int32Array(new SharedArrayBuffer(8 * 4));
      const worker = new Worker(GROWTH_WORKER, { workerData: { mode: 'fill', handle: pool.handle, cache: killAt & 1 ? 0 : 8, ctl, own, count: 0 } });
      worker.on('error', () => {}); // terminate() is the only way out
      await wordAtLeast(own, GCTL.ID, 1);
      Atomics.store(ctl, GCTL.GO, 1);
      Atomics.notify(ctl, GCTL.GO);
      // Spins on this thread, so that terminate() follows the worker's progress by microseconds.
      const deadline = Date.now() + 30_000;
      while (Atomics.load(own, GCTL.PROGRESS) < killAt && Atomics.load(own, GCTL.DONE) === 0 && Date.now() < deadline);
      await worker.terminate();
      if (Atomics.load(own, GCTL.DONE) === 0) midRun++;
      const id = own[GCTL.ID]!;
      const at = `${strategy}, killed after ${own[GCTL.PROGRESS]} blocks`;
      const before = takeAll(pool);
      pool.reclaim(id);
      assert.is(header(pool)[H.GROWER], 0, `${at}: the growth lock is free after reclaim`);
      const after = takeAll(pool);
      const all = [...before, ...after];
      assert.is(all.length, 1024, `${at}: the survivor reaches maxBlocks`);
      assert.is(new Set(all.map((b) => b.index)).size, 1024, `${at}: a block lent twice`);
      assert.equal(pool.owners(), [{ ownerId: pool.ownerId, lent: 1024, cached: 0 }], at);
      for (const b of all) pool.release(b);
      assert.is(drain(pool), 1024, `${at}: blocks lost`);
    }
  }
  assert.ok(midRun > 0, 'no kill landed while a worker was growing the pool');
});

basics.run();
faults.run();
workers.run();
