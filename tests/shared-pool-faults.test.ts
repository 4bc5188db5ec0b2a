/**
 * SharedPool, an isolate dying at every step of every free-list operation, over every strategy.
 *
 * The seam: `inspectSharedPool(pool).free.onStep` is called at each named step of a pop, a push,
 * a reclaim and a free through the fallback bits; a hook that throws stops the operation right
 * there, leaving exactly the shared memory an isolate killed at that step leaves (lock held, owner
 * word claimed but structure not updated, node linked but owner still in transit, cell claimed but
 * not filled, bit set but owner not zeroed, ...). The victim attachment is then never used again, as
 * if dead. Each case checks that another isolate's every operation stays bounded before any reclaim
 * (no lock, cell or link of the dead one stops it), that `reclaim` repairs, and that every block
 * comes back exactly once. Plus the states no operation of ours leaves but a dead worker can: a
 * waiter counted in the header, a lock word naming a dead isolate, and two dead isolates at once.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, SharedPool, type Block, type Strategy } from '../src/index.js';
import { H, MUTEX } from '../src/shared/layout.js';
import { inspectSharedPool } from '../src/shared/shared-pool.js';
import { thrownCode } from './helpers/errors.js';
import { drain, owners, STRATEGIES } from './helpers/shared.js';

/**
 * Every named step of each strategy's operations (free-list modules, `this.step(...)`). `bits:scanning`
 * (a scan of the fallback bits under way; it writes nothing before its claims) is listed for bitmap
 * alone: `work` never comes back short from the other structures. shared-pool-races stops a pop there.
 */
const STEPS: Record<Strategy, string[]> = {
  mutex: ['pop:locked', 'pop:claimed', 'pop:top', 'push:locked', 'push:freed', 'push:top', 'reclaim:broken', 'reclaim:freed', 'bits:transit', 'bits:set'],
  treiber: ['pop:claimed', 'pop:unlinked', 'push:transit', 'push:reserved', 'push:published', 'reclaim:freed', 'bits:transit', 'bits:set'],
  mpmc: ['pop:claimed', 'pop:emptied', 'push:transit', 'push:claimed', 'push:filled', 'reclaim:freed', 'bits:transit', 'bits:set'],
  bitmap: ['push:bits', 'push:freed', 'reclaim:freed', 'bits:transit', 'bits:set', 'bits:scanning'],
};

const BLOCKS = 32;

/**
 * A generous bound on the survivor's whole round of calls. Not a speed claim: a wedged call never
 * returns at all; a call held up by a dead isolate's lock returns after PATIENCE_MS (100 ms), once.
 */
const WEDGE_MS = 20_000;

class Death extends Error {}

/** Makes `victim` die at the `nth` time (0-based) it reaches `step`. */
function dieAt(victim: SharedPool, step: string, nth: number): void {
  let seen = 0;
  inspectSharedPool(victim).free.onStep = (s) => {
    if (s === step && seen++ === nth) throw new Death(step);
  };
}

/**
 * What the victim does: a reclaim of the already-dead `other`, pops (refills of its cache), cached
 * and shared releases, a cross-isolate release by index, spills. Returns normally only if the step
 * was never reached.
 */
function work(victim: SharedPool, theirs: Block, other: SharedPool): void {
  victim.reclaim(other.ownerId);
  const held: Block[] = [];
  for (let i = 0; i < 10; i++) held.push(victim.acquire());
  for (let i = 0; i < 4; i++) victim.release(held.pop()!);
  victim.release(held.pop()!.index);
  victim.release(theirs.index);
  victim.flush();
  for (const b of held) victim.release(b);
  victim.flush();
}

/** Another isolate's round of every call that touches the shared list: all must return. */
function survive(survivor: SharedPool): void {
  const got: Block[] = [];
  for (let b = survivor.tryAcquire(); b !== undefined; b = survivor.tryAcquire()) got.push(b);
  assert.is(new Set(got.map((b) => b.index)).size, got.length, 'a block was lent twice');
  assert.is(thrownCode(() => survivor.acquireSync({ timeout: 0 })), ErrorCode.TIMEOUT);
  for (const b of got.splice(0, got.length >> 1)) survivor.release(b.index);
  for (const b of got) survivor.release(b);
  survivor.flush();
}

function scenario(strategy: Strategy, step: string, nth: number, victimCache: number): boolean {
  const survivor = SharedPool.create({ blockSize: 64, blocks: BLOCKS, cache: 0, strategy });
  const theirs = survivor.acquire();
  // A first dead isolate with blocks lent and cached: work for the victim's reclaim. For the
  // mutex's lock-breaking step, it dies holding the lock, which the victim's reclaim then breaks.
  const other = SharedPool.attach(survivor.handle, { cache: 4 });
  other.acquire();
  other.acquire();
  if (step === 'reclaim:broken') {
    dieAt(other, 'push:locked', 0);
    assert.instance(thrownOf(() => other.release(other.acquire().index)), Death);
  }
  const victim = SharedPool.attach(survivor.handle, { cache: victimCache });
  dieAt(victim, step, nth);
  const died = thrownOf(() => work(victim, theirs, other));
  if (died === undefined) return false;
  assert.instance(died, Death);
  // A release the victim died inside of may not have happened: the block is then still the survivor's.
  if (owners(survivor)[theirs.index] === survivor.ownerId) survivor.release(theirs);
  const started = performance.now();
  survive(survivor);
  // A cached attachment made after the death: its refills and spills go through the same list.
  const second = SharedPool.attach(survivor.handle, { cache: 4 });
  const b = second.tryAcquire();
  if (b !== undefined) second.release(b);
  second.close();
  assert.ok(performance.now() - started < WEDGE_MS, `${step}: another isolate's calls did not return within ${WEDGE_MS} ms`);
  survivor.reclaim(victim.ownerId);
  survivor.reclaim(other.ownerId);
  assert.is(drain(survivor), BLOCKS, `${strategy} ${step}#${nth}: every block comes back exactly once`);
  assert.ok(Array.from(owners(survivor)).every((w) => w === 0), 'every owner word reads free');
  return true;
}

function thrownOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool faults: a death at each step (${strategy})`);

  for (const step of STEPS[strategy]) {
    test(`dies at ${step}: others stay bounded, reclaim repairs, every block comes back`, () => {
      let reached = 0;
      for (const cache of [0, 8]) {
        for (let nth = 0; nth < 3; nth++) if (scenario(strategy, step, nth, cache)) reached++;
      }
      assert.ok(reached > 0, `the step ${step} was never reached`);
    });
  }

  test.run();
}

const states = suite('SharedPool faults: states a dead worker leaves');

states('a waiter counted by a dead isolate disables caching until reclaim gives the count back', () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 4, cache: 4 });
  const dead = SharedPool.attach(pool.handle, { cache: 0 });
  // What a worker killed inside acquireSync leaves: counted in, never counted out.
  inspectSharedPool(dead).waiting.futex.enter();
  assert.is(pool.stats.waiting, 1);
  const b = pool.acquire();
  pool.release(b);
  assert.is(pool.stats.cachedHere, 0, 'with a waiter counted, a release feeds the shared list');
  pool.reclaim(dead.ownerId);
  assert.is(pool.stats.waiting, 0);
  pool.release(pool.acquire());
  assert.ok(pool.stats.cachedHere > 0, 'caching again');
});

for (const strategy of STRATEGIES) {
  states(`a lock word or a dead isolate left mid-operation never stops another, and two dead isolates reclaim in either order (${strategy})`, () => {
    const pool = SharedPool.create({ blockSize: 64, blocks: BLOCKS, cache: 0, strategy });
    const x = SharedPool.attach(pool.handle, { cache: 4 });
    const xHeld = [x.acquire(), x.acquire(), x.acquire()];
    const y = SharedPool.attach(pool.handle, { cache: 0 });
    // y dies inside a pop: for the mutex, holding the lock (regression: every isolate then spun for
    // good, tryAcquire and release included, and reclaim(x) hung while y held the lock).
    dieAt(y, strategy === 'bitmap' ? 'push:bits' : strategy === 'mutex' ? 'pop:locked' : 'push:transit', 0);
    assert.instance(thrownOf(() => y.release(y.acquire())), Death);
    const started = performance.now();
    survive(pool);
    const freed = pool.reclaim(x.ownerId);
    assert.ok(freed >= xHeld.length, `reclaim(x) freed ${freed} while dead y may hold the lock`);
    const got: Block[] = [];
    for (let b = pool.tryAcquire(); b !== undefined; b = pool.tryAcquire()) got.push(b);
    assert.ok(xHeld.every((h) => got.some((g) => g.index === h.index)), "x's blocks are lent again without y's lock");
    for (const b of got) pool.release(b);
    assert.ok(performance.now() - started < WEDGE_MS);
    pool.reclaim(y.ownerId);
    assert.is(drain(pool), BLOCKS);
  });
}

states('a lock word naming a dead isolate, and nothing else: calls give up after their patience, reclaim breaks it (mutex)', () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 8, cache: 0, strategy: 'mutex' });
  const dead = SharedPool.attach(pool.handle, { cache: 0 });
  const a = new Int32Array(pool.handle.sab);
  const lockW = (a[H.FREE_OFFSET]! >> 2) + MUTEX.LOCK;
  Atomics.store(a, lockW, (dead.ownerId << 1) | 1);
  assert.is(pool.tryAcquire(), undefined, 'every block is on the stack behind the dead lock');
  assert.is(pool.tryAcquire(), undefined, 'and the second call gives up at once (same holder, same section)');
  assert.is(thrownCode(() => pool.acquire()), ErrorCode.POOL_EXHAUSTED);
  const other = SharedPool.attach(pool.handle, { cache: 0 });
  assert.is(other.tryAcquire(), undefined);
  assert.is(pool.reclaim(dead.ownerId), 0);
  assert.is(Atomics.load(a, lockW), 0, 'the lock is free again');
  assert.is(drain(pool), 8);
});

for (const strategy of STRATEGIES) {
  states(`a block left free but on no structure and with no bit: reachable again after reclaim (${strategy}) (regression: a kill test lost one so)`, () => {
    const pool = SharedPool.create({ blockSize: 64, blocks: 8, cache: 0, strategy });
    const dead = SharedPool.attach(pool.handle, { cache: 0 });
    const b = dead.acquire();
    // What a death inside a lost race or a scan of the bits can leave: the owner word zeroed, the
    // block taken off its structure, its bit down.
    owners(pool)[b.index] = 0;
    assert.is(drain(pool), 7, 'the stranded block is out of reach before the reclaim');
    assert.is(pool.reclaim(dead.ownerId), 0, 'nothing carried the dead isolate\'s tag');
    assert.is(drain(pool), 8, 'every block is reachable after the reclaim');
  });
}

states.run();
