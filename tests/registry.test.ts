/**
 * The registry: one pool per key (or per element type, for BufferPools) per isolate, created on first
 * use, replaced once closed, never shared between workers.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker, threadId } from 'node:worker_threads';
import { BufferPool, closeLocalPool, definePool, getLocalBufferPool, getLocalPool, LocalPool, localPools, trimLocalPools } from '../src/index.js';

const keyed = suite('getLocalPool');

keyed('the first call creates the pool; later calls return the same one', () => {
  const a = getLocalPool('reg-same', { create: () => ({ n: 1 }) });
  const b = getLocalPool<{ n: number }>('reg-same');
  assert.is(a, b);
  assert.instance(a, LocalPool);
});

keyed('later options are ignored, as thread_local get_or does', () => {
  const a = getLocalPool('reg-ignore', { create: () => ({ from: 'first' }) });
  const b = getLocalPool('reg-ignore', { create: () => ({ from: 'second' }) });
  assert.is(b, a);
  assert.is(b.acquire().from, 'first');
});

keyed('a key with no pool and no options is a TypeError naming the key', () => {
  assert.throws(() => getLocalPool('reg-missing'), (e: Error) => e instanceof TypeError && /getLocalPool\("reg-missing"\) has no pool/.test(e.message));
});

keyed('symbols are keys; two symbols with one description are two pools', () => {
  const s1 = Symbol('k');
  const s2 = Symbol('k');
  const a = getLocalPool(s1, { create: () => ({}) });
  const b = getLocalPool(s2, { create: () => ({}) });
  assert.is.not(a, b);
  assert.is(getLocalPool(s1), a);
});

keyed('a definePool token carries its options and element type', () => {
  const token = definePool({ create: () => new Uint32Array(8) }, 'scratch');
  const pool = getLocalPool(token);
  const arr: Uint32Array = pool.acquire(); // typed without a cast
  assert.is(arr.length, 8);
  assert.is(getLocalPool(token), pool);
  assert.is(token.key.description, 'scratch');
});

keyed('bad keys and bad definePool options are TypeErrors', () => {
  assert.throws(() => getLocalPool(42 as unknown as string), /takes a string, a symbol or a definePool\(\) token, received 42/);
  assert.throws(() => definePool(null as unknown as { create: () => object }), /definePool\(\) takes LocalPool options, received null/);
});

keyed('closeLocalPool of anything but a string, a symbol or a token is a TypeError (regression: closeLocalPool(42) returned false)', () => {
  for (const bad of [42, null, undefined, {}]) {
    assert.throws(() => closeLocalPool(bad as unknown as string), (e: unknown) => e instanceof TypeError && /closeLocalPool\(\) takes a string, a symbol or a definePool\(\) token/.test((e as Error).message));
  }
});

keyed('definePool checks its options where it is called, unknown keys included', () => {
  assert.throws(() => definePool({ create: () => ({}), max: -1 }), RangeError);
  assert.throws(() => definePool({ create: () => ({}), maxSize: 4 } as never), /unknown option `maxSize` for LocalPool \(did you mean `max`\?\)/);
  assert.throws(() => definePool({ create: () => ({}) }, 42 as unknown as string), /takes a string name, received 42/);
});

keyed('definePool and getLocalPool refuse initial objects: a pool made again after closeLocalPool would reuse disposed ones', () => {
  assert.throws(() => definePool({ create: () => ({}), initial: [{}] }), /definePool\(\) takes no `initial` objects/);
  assert.throws(() => getLocalPool('reg-initial', { create: () => ({}), initial: [{}] }), /getLocalPool\(\) takes no `initial` objects/);
  assert.throws(() => getLocalPool('reg-typo', { create: () => ({}), prefil: 1 } as never), /did you mean `prefill`/);
});

keyed('closeLocalPool closes and forgets; the next call makes a new pool', () => {
  const token = definePool({ create: () => ({}) });
  const first = getLocalPool(token);
  assert.ok(closeLocalPool(token));
  assert.ok(first.closed);
  assert.not.ok(closeLocalPool(token));
  const second = getLocalPool(token);
  assert.is.not(second, first);
  getLocalPool('reg-close', { create: () => ({}) });
  assert.ok(closeLocalPool('reg-close'));
});

keyed('a pool closed directly is replaced on the next getLocalPool', () => {
  const pool = getLocalPool('reg-closed-direct', { create: () => ({}) });
  pool.close();
  assert.throws(() => getLocalPool('reg-closed-direct'), /this isolate's pool was closed; pass options to create a new one/);
  const next = getLocalPool('reg-closed-direct', { create: () => ({}) });
  assert.is.not(next, pool);
  assert.not.ok(next.closed);
});

keyed('two workers and the main thread each get a distinct pool for one key', async () => {
  const parties = 3;
  const barrier = new Int32Array(new SharedArrayBuffer(4));
  const mainPool = getLocalPool('scratch', { create: () => ({ madeBy: threadId, uses: 0 }) });
  const mainHeld = [mainPool.acquire(), mainPool.acquire()];
  const url = new URL('./workers/registry-worker.js', import.meta.url);
  const workers = [0, 1].map(() => new Worker(url, { workerData: { barrier, parties } }));
  const results = workers.map(
    (w) =>
      new Promise<{ threadId: number; same: boolean; madeBy: number[]; reused: boolean; created: number; listed: string[] }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  // The main thread joins the barrier while holding its objects, without blocking its event loop.
  Atomics.add(barrier, 0, 1);
  Atomics.notify(barrier, 0);
  const reports = await Promise.all(results);
  await Promise.all(workers.map((w) => w.terminate()));

  const ids = new Set([threadId, ...reports.map((r) => r.threadId)]);
  assert.is(ids.size, 3);
  for (const r of reports) {
    assert.ok(r.same, 'getLocalPool returned a different pool inside one worker');
    assert.equal(r.madeBy, [r.threadId, r.threadId], 'a worker saw an object made by another isolate');
    assert.ok(r.reused, 'a worker did not get its own released object back');
    assert.is(r.created, 2);
    assert.equal(r.listed, ['local:scratch'], "a worker's localPools() lists its own pool, none of this isolate's");
  }
  // The workers' acquires did not touch the main thread's pool.
  assert.is(mainPool.stats.created, 2);
  assert.is(mainPool.stats.lent, 2);
  for (const o of mainHeld) {
    assert.is(o.madeBy, threadId);
    mainPool.release(o);
  }
});

keyed.run();

const local = suite('getLocalBufferPool');

local('one default pool per element type per isolate, created on first use', () => {
  const u8 = getLocalBufferPool(Uint8Array, { perClass: 3 });
  assert.is(getLocalBufferPool(Uint8Array), u8);
  assert.is(getLocalBufferPool(Uint8Array, { perClass: 99 }), u8, 'later options are ignored');
  const f64: BufferPool<Float64Array<ArrayBuffer>> = getLocalBufferPool(Float64Array);
  assert.is.not(f64 as unknown, u8 as unknown);
  assert.is(f64.type, Float64Array);
});

local('a closed default pool is replaced on the next call', () => {
  const first = getLocalBufferPool(Int16Array);
  first.close();
  const second = getLocalBufferPool(Int16Array);
  assert.is.not(second, first);
  assert.not.ok(second.closed);
});

local('each worker gets its own default pool: arrays never cross isolates', async () => {
  // Each worker rents, fills with its id, returns, rents again and reports whether it got its own
  // array back with its own bytes. The barrier makes both workers hold their arrays at once.
  const mine = getLocalBufferPool(Uint8Array);
  const createdBefore = mine.stats.created;
  const barrier = new Int32Array(new SharedArrayBuffer(4));
  const url = new URL('./workers/registry-buffer-worker.js', import.meta.url);
  const results = await Promise.all(
    [1, 2].map(
      (id) =>
        new Promise<{ id: number; same: boolean; reused: boolean; bytes: number[] }>((resolve, reject) => {
          const w = new Worker(url, { workerData: { id, barrier, parties: 2 } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  for (const r of results) {
    assert.ok(r.same, 'getLocalBufferPool returns one pool within the worker');
    assert.ok(r.reused, 'the worker got its own array back');
    assert.equal(r.bytes, [r.id, r.id, r.id, r.id], 'no other isolate wrote into it');
  }
  assert.is(getLocalBufferPool(Uint8Array), mine);
  assert.is(mine.stats.created, createdBefore, 'the workers made nothing in this isolate\'s pool');
});

local.run();

const all = suite('localPools and trimLocalPools');

all('localPools lists every open registry pool with the key it was made for: strings, symbols, tokens, element types', () => {
  const before = new Set(localPools().map((e) => e.pool));
  const sym = Symbol('all-sym');
  const token = definePool({ create: () => ({}) }, 'all-token');
  const byString = getLocalPool('all-string', { create: () => ({}) });
  const bySymbol = getLocalPool(sym, { create: () => ({}) });
  const byToken = getLocalPool(token);
  const u32 = getLocalBufferPool(Uint32Array);
  const fresh = localPools().filter((e) => !before.has(e.pool));
  assert.equal(
    fresh.map((e) => [e.kind, e.key, e.pool]),
    [
      ['local', 'all-string', byString],
      ['local', sym, bySymbol],
      ['local', token, byToken],
      ...(before.has(u32 as never) ? [] : [['buffer', Uint32Array, u32]]),
    ],
  );
  // Closed pools leave the list, however they were closed; the snapshot taken before does not change.
  const snapshot = localPools();
  closeLocalPool('all-string');
  bySymbol.close();
  const after = localPools().map((e) => e.pool);
  assert.not.ok(after.includes(byString) || after.includes(bySymbol));
  assert.ok(after.includes(byToken));
  assert.ok(snapshot.some((e) => e.pool === byString));
  closeLocalPool(token);
});

all('trimLocalPools drops idle objects of every registry pool down to keep, and says how many', () => {
  const disposed: string[] = [];
  const a = getLocalPool('trim-a', { create: () => ({}), dispose: () => void disposed.push('a') });
  const held = [a.acquire(), a.acquire(), a.acquire()];
  for (const o of held) a.release(o);
  const u16 = getLocalBufferPool(Uint16Array);
  const arrays = [u16.rent(4), u16.rent(4), u16.rent(64)];
  for (const x of arrays) u16.return(x);
  trimLocalPools(2 ** 30); // keeps everything
  assert.equal([a.stats.idle, u16.stats.idle], [3, 3]);
  const dropped = trimLocalPools(1);
  assert.equal([a.stats.idle, u16.stats.idle], [1, 2], 'a BufferPool keeps `keep` per class');
  assert.ok(dropped >= 3, `dropped ${dropped}`);
  assert.equal(disposed, ['a', 'a']);
  trimLocalPools();
  assert.equal([a.stats.idle, u16.stats.idle], [0, 0]);
  closeLocalPool('trim-a');
});

all('trimLocalPools trims every pool when a dispose throws, then throws (one error as it is, several aggregated)', () => {
  const make = (key: string) => {
    const pool = getLocalPool(key, {
      create: () => ({}),
      dispose: () => {
        throw new Error(`dispose ${key}`);
      },
    });
    pool.release(pool.acquire());
    return pool;
  };
  const first = make('trim-throws-1');
  assert.throws(() => trimLocalPools(), /dispose trim-throws-1/);
  assert.is(first.stats.idle, 0);
  first.release(first.acquire());
  const second = make('trim-throws-2');
  assert.throws(() => trimLocalPools(), (e: unknown) => e instanceof AggregateError && e.errors.length === 2);
  assert.equal([first.stats.idle, second.stats.idle], [0, 0]);
  closeLocalPool('trim-throws-1');
  closeLocalPool('trim-throws-2');
});

all('trimLocalPools(keep) takes an integer >= 0', () => {
  for (const bad of [-1, 1.5, '1', null]) {
    assert.throws(() => trimLocalPools(bad as number), (e: unknown) => (e instanceof RangeError || e instanceof TypeError) && /`keep`/.test((e as Error).message));
  }
});

all.run();
