/**
 * SharedPool lending, the contract every strategy keeps with and without a cache: each block lent
 * once, its bytes its own, released from any isolate, double releases caught, batches moving between
 * caches and the shared list, flush and close; and when a release may stay in this isolate's cache.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { ErrorCode, SharedPool, type Block } from '../src/index.js';
import { thrownCode } from './helpers/errors.js';
import { FAULT_WORKER, owners, STRATEGIES } from './helpers/shared.js';

for (const strategy of STRATEGIES) {
  for (const cache of [0, 4]) {
    const test = suite(`SharedPool lending (${strategy}, cache ${cache})`);
    const make = (blocks = 8): SharedPool => SharedPool.create({ blockSize: 100, blocks, cache, strategy });

    test('lends every block exactly once, then reports exhaustion as a value or a PoolError', () => {
      const pool = make();
      const got = Array.from({ length: 8 }, () => pool.acquire());
      assert.equal(new Set(got.map((b) => b.index)).size, 8);
      assert.is(pool.tryAcquire(), undefined);
      assert.is(thrownCode(() => pool.acquire()), ErrorCode.POOL_EXHAUSTED);
      for (const b of got) pool.release(b);
      assert.is(pool.stats.free + pool.stats.cachedHere, 8);
    });

    test('gives each block a view of exactly blockSize bytes, not overlapping, made once per index', () => {
      const pool = make();
      const got = Array.from({ length: 8 }, () => pool.acquire());
      for (const b of got) {
        assert.is(b.bytes.length, 100);
        assert.is(b.bytes.byteOffset % 64, 0);
        b.bytes.fill(b.index + 1);
      }
      for (const b of got) assert.ok(b.bytes.every((x) => x === b.index + 1));
      for (const b of got) pool.release(b);
      const again = Array.from({ length: 8 }, () => pool.acquire());
      for (const b of again) assert.is(got.find((g) => g.index === b.index), b);
      assert.ok(Object.isFrozen(again[0]));
    });

    test('throws ERR_DOUBLE_RELEASE on a second release, by block or by index', () => {
      const pool = make();
      const b = pool.acquire();
      pool.release(b);
      assert.is(thrownCode(() => pool.release(b)), ErrorCode.DOUBLE_RELEASE);
      assert.is(thrownCode(() => pool.release(b.index)), ErrorCode.DOUBLE_RELEASE);
      const never = make();
      assert.is(thrownCode(() => never.release(3)), ErrorCode.DOUBLE_RELEASE);
    });

    test('takes a release from another attachment (another isolate) and counts the block free again', () => {
      const a = make(4);
      const b = SharedPool.attach(structuredClone(a.handle), { cache });
      assert.is.not(a.ownerId, b.ownerId);
      const x = a.acquire();
      assert.is(a.stats.lentHere, 1);
      b.release(x.index);
      assert.is(a.stats.lentHere, 0);
      assert.is(thrownCode(() => a.release(x)), ErrorCode.DOUBLE_RELEASE);
      const y = a.acquire();
      b.release(y); // a Block object made by the other attachment
      a.flush();
      b.flush();
      assert.is(a.stats.free, 4);
    });

    test('flush returns cached blocks; close stops lending but still takes releases', () => {
      const pool = make(8);
      const x = pool.acquire();
      const y = pool.acquire();
      pool.release(y);
      pool.flush();
      assert.is(pool.stats.cachedHere, 0);
      assert.is(pool.stats.free, 7);
      pool.close();
      pool.close();
      assert.ok(pool.closed);
      assert.is(thrownCode(() => pool.acquire()), ErrorCode.CLOSED);
      assert.is(thrownCode(() => pool.tryAcquire()), ErrorCode.CLOSED);
      pool.release(x);
      assert.is(pool.stats.free, 8);
    });

    test('with 64 blocks and a 32-block cache, batches of 8 move between attachments and every block comes back', () => {
      const a = SharedPool.create({ blockSize: 100, blocks: 64, cache: cache === 0 ? 0 : 32, strategy });
      const b = SharedPool.attach(a.handle, { cache: cache === 0 ? 0 : 32 });
      const fromA = [a.acquire()];
      if (cache !== 0) assert.is(a.stats.cachedHere, 7, 'one refill moved a batch of 8 (an eighth of the pool)');
      const fromB: Block[] = [];
      for (let i = 1; i < 32; i++) fromA.push(a.acquire());
      for (let i = 0; i < 32; i++) fromB.push(b.acquire());
      assert.is(a.tryAcquire(), undefined);
      assert.is(new Set([...fromA, ...fromB].map((x) => x.index)).size, 64);
      // Cross releases (b's blocks released by a and the reverse) then own releases, spilling in batches.
      for (const x of fromB.splice(0, 16)) a.release(x.index);
      for (const x of fromA.splice(0, 16)) b.release(x.index);
      for (const x of fromA) a.release(x);
      for (const x of fromB) b.release(x);
      assert.is(a.stats.lentHere + b.stats.lentHere, 0);
      assert.is(a.stats.free + a.stats.cachedHere + b.stats.cachedHere, 64);
      a.flush();
      b.flush();
      assert.is(a.stats.free, 64);
      assert.ok(Array.from(owners(a)).every((w) => w === 0));
    });

    test.run();
  }
}

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool lending: when a release stays in the cache (${strategy})`);

  test("a cached isolate's release feeds the shared list once another isolate's pop came back short, and caches again after a push (guards the one-word hot release: a short pop must set WAITERS_DRY and a push clear it)", () => {
    const a = SharedPool.create({ blockSize: 64, blocks: 8, cache: 4, strategy });
    const b = SharedPool.attach(a.handle, { cache: 0 });
    const x = a.acquire();
    const y = a.acquire();
    const rest: Block[] = [];
    for (let got = b.tryAcquire(); got !== undefined; got = b.tryAcquire()) rest.push(got);
    assert.is(rest.length + a.stats.cachedHere, 6);
    a.flush();
    while (rest.length < 6) rest.push(b.acquire());
    assert.is(b.tryAcquire(), undefined, 'the short pop marks the list dry');
    a.release(x);
    assert.is(a.stats.cachedHere, 0);
    assert.is(b.tryAcquire()?.index, x.index, 'the release went to the shared list');
    b.release(rest.pop()!);
    a.release(y);
    assert.is(a.stats.cachedHere, 1, 'a push cleared the flag: caching again');
  });

  test.run();
}

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool lending: stale releases (${strategy})`);

  test("a release through this attachment's own Block, after the block went to another isolate, is refused (regression: it freed the new holder's block)", () => {
    for (const cache of [0, 4]) {
      const a = SharedPool.create({ blockSize: 64, blocks: 4, cache, strategy });
      const b = SharedPool.attach(a.handle, { cache: 0 });
      const x = a.acquire();
      a.release(x);
      a.flush();
      const theirs = Array.from({ length: 4 }, () => b.acquire());
      assert.ok(theirs.some((t) => t.index === x.index));
      assert.is(thrownCode(() => a.release(x)), ErrorCode.DOUBLE_RELEASE);
      assert.is(owners(a)[x.index], b.ownerId, "the new holder's lending is untouched");
      // Handed over by adopt: the old holder's own Block no longer releases it.
      const y = theirs[0]!;
      a.adopt(y.index);
      assert.is(thrownCode(() => b.release(y)), ErrorCode.DOUBLE_RELEASE);
      a.release(y.index);
      for (const t of theirs.slice(1)) b.release(t);
      a.flush();
      assert.is(a.stats.free, 4);
    }
  });

  test('a posted copy of a Block released after its block was lent again is refused; a current one is taken (the generation)', () => {
    const p = SharedPool.create({ blockSize: 64, blocks: 2, cache: 0, strategy });
    const q = SharedPool.attach(p.handle, { cache: 0 });
    const b = p.acquire();
    const copy = structuredClone(b);
    assert.equal(Object.keys(copy).sort(), ['bytes', 'generation', 'index']);
    assert.is(copy.generation, b.generation);
    q.release(copy);
    const again = [p.acquire(), p.acquire()].find((x) => x.index === b.index)!;
    assert.ok(again.generation !== copy.generation, 'lending it again from the shared list moved its generation');
    assert.match(thrownCode(() => q.release(copy))!, /DOUBLE_RELEASE/);
    assert.is(thrownCode(() => q.adopt(copy)), ErrorCode.DOUBLE_RELEASE);
    assert.is(owners(p)[b.index], p.ownerId, "the new lending is untouched");
    // What carries no generation is not checked: an index (documented in the README's Limitations).
    q.release(b.index);
    assert.is(owners(p)[b.index], 0);
  });

  test('a Block posts to a worker, which releases or adopts it there (regression: DataCloneError quoting an internal function)', async () => {
    const pool = SharedPool.create({ blockSize: 64, blocks: 4, cache: 4, strategy });
    for (const action of ['release', 'adopt'] as const) {
      const b = pool.acquire();
      b.bytes[0] = 42;
      const clone = structuredClone(b);
      clone.bytes[1] = 7;
      assert.is(b.bytes[1], 7, "the copy's bytes are the block's shared memory");
      const worker = new Worker(FAULT_WORKER, { workerData: { mode: 'posted', handle: pool.handle, cache: 4, ctl: new Int32Array(new SharedArrayBuffer(64)), block: b, action } });
      const got = await new Promise<{ ok: boolean; keys?: string[]; code?: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      assert.equal(got, { ok: true, keys: ['bytes', 'generation', 'index'] });
      assert.ok(owners(pool)[b.index]! <= 0, `${action}: the worker gave it back`);
      b.bytes.fill(0);
    }
  });

  test.run();
}

const args = suite('SharedPool lending: bad arguments');

args("release, adopt, reclaim and acquireSync refuse bad arguments: indices out of range, non-blocks, another pool's blocks, this isolate's own id", () => {
  const pool = SharedPool.create({ blockSize: 64, blocks: 4 });
  const other = SharedPool.create({ blockSize: 64, blocks: 4 });
  const x = other.acquire();
  assert.match(thrownCode(() => pool.release(4))!, /RangeError/);
  assert.match(thrownCode(() => pool.release(1.5))!, /RangeError/);
  assert.match(thrownCode(() => pool.release(null as never))!, /TypeError/);
  assert.match(thrownCode(() => pool.adopt('1' as never))!, /TypeError/);
  assert.is(thrownCode(() => pool.release(x)), ErrorCode.FOREIGN_OBJECT);
  assert.is(thrownCode(() => pool.release({ index: 0 } as Block)), ErrorCode.FOREIGN_OBJECT);
  assert.is(thrownCode(() => pool.release({ index: 0, bytes: new Uint8Array(8) } as Block)), ErrorCode.FOREIGN_OBJECT);
  assert.match(thrownCode(() => pool.reclaim(pool.ownerId))!, /RangeError/);
  assert.match(thrownCode(() => pool.reclaim(1e6))!, /RangeError/);
  assert.match(thrownCode(() => pool.acquireSync({ timeout: -1 }))!, /RangeError: .*`timeout`/);
});

args.run();
