/**
 * LocalPool lifecycle: `trim` and `close` (what they dispose, what a release after close does), and
 * `stats`, the counters read at any moment.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, LocalPool } from '../src/index.js';
import { counter } from './helpers/counter.js';
import { isCode, throwsCode } from './helpers/errors.js';

const trim = suite('LocalPool trim');

trim('trim(keep) disposes idle objects beyond keep, oldest first', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose });
  const objs = [pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()];
  for (const o of objs) pool.release(o);
  // objs[3], lent last, went back to the owner slot; the others are on the stack, oldest at the bottom.
  assert.is(pool.trim(1), 3);
  assert.is(pool.stats.idle, 1);
  assert.equal(c.disposed, [objs[0], objs[1], objs[2]]);
  assert.is(pool.acquire(), objs[3]);
});

trim('trim() with no argument empties the pool, slot included', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose });
  const a = pool.acquire();
  pool.release(a);
  assert.is(pool.trim(), 1);
  assert.equal(c.disposed, [a]);
  assert.is(pool.stats.idle, 0);
  assert.is.not(pool.acquire(), a);
});

trim('trim refuses a keep that is not an integer >= 0, naming the argument (regression: the message blamed an option)', () => {
  const pool = new LocalPool({ create: () => ({}) });
  assert.throws(() => pool.trim(-1), /trim\(keep\) takes an integer >= 0, received -1/);
  assert.throws(() => pool.trim(1.5), /received 1.5/);
});

trim('trim of 80,000 idle objects disposes all but keep in one pass, oldest first (regression: one shift() per object made trim quadratic, 0.5-4.4 s)', () => {
  const n = 80_000;
  const disposed: number[] = [];
  const pool = new LocalPool<{ i: number }>({ create: (() => { let i = 0; return () => ({ i: i++ }); })(), dispose: (o) => void disposed.push(o.i), max: n });
  const objs = Array.from({ length: n }, () => pool.acquire());
  for (const o of objs) pool.release(o);
  assert.is(pool.trim(10), n - 10);
  assert.is(disposed.length, n - 10);
  assert.ok(disposed.every((id, k) => id === k), 'the oldest went first, each once');
  assert.equal([pool.stats.idle, pool.stats.discarded], [10, n - 10]);
  assert.is(pool.acquire(), objs[n - 1]);
});

trim.run();

const close = suite('LocalPool close');

close('close disposes idle objects and later acquires throw ERR_CLOSED', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create, dispose: c.dispose });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  pool.close();
  assert.equal(c.disposed, [a]);
  assert.ok(pool.closed);
  throwsCode(() => pool.acquire(), ErrorCode.CLOSED);
  throwsCode(() => pool.tryAcquire(), ErrorCode.CLOSED);
  // an object lent before close is disposed when it comes back
  pool.release(b);
  assert.equal(c.disposed, [a, b]);
  assert.is(pool.stats.lent, 0);
  pool.close(); // idempotent
  assert.is(c.disposed.length, 2);
});

close('after close, a second release of one object throws ERR_DOUBLE_RELEASE and disposes it once (regression: it was disposed twice)', () => {
  const disposed: object[] = [];
  const pool = new LocalPool<object>({ create: () => ({}), dispose: (o) => void disposed.push(o) });
  const a = pool.acquire();
  pool.close();
  pool.release(a);
  assert.throws(() => pool.release(a), isCode(ErrorCode.DOUBLE_RELEASE));
  assert.equal(disposed, [a]);
  assert.is(pool.stats.lent, 0);
});

close('a throwing dispose does not stop close from disposing the rest', () => {
  const disposed: object[] = [];
  const pool = new LocalPool<{ bad: boolean }>({
    create: () => ({ bad: false }),
    dispose: (o) => {
      disposed.push(o);
      if (o.bad) throw new Error('dispose failed');
    },
  });
  const objs = [pool.acquire(), pool.acquire(), pool.acquire()];
  objs[0]!.bad = true;
  objs[1]!.bad = true;
  for (const o of objs) pool.release(o);
  assert.throws(() => pool.close(), (e: Error) => e instanceof AggregateError && e.errors.length === 2);
  assert.is(disposed.length, 3);
  const single = new LocalPool({ create: () => ({}), dispose: () => { throw new Error('only one'); } });
  single.release(single.acquire());
  assert.throws(() => single.close(), /only one/);
});

close.run();

const stats = suite('LocalPool stats');

stats('stats count hits, misses, created, idle, lent and the high-water mark', () => {
  const c = counter();
  const pool = new LocalPool({ create: c.create });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  pool.release(b);
  pool.acquire();
  const s = pool.stats;
  assert.equal(
    { hits: s.hits, misses: s.misses, created: s.created, idle: s.idle, lent: s.lent, highWater: s.highWater },
    { hits: 1, misses: 2, created: 2, idle: 1, lent: 1, highWater: 2 },
  );
  assert.is(s.discarded, 0);
  assert.is(s.waiting, 0);
});

stats('the high-water mark counts objects lent from a prefilled stack', () => {
  const pool = new LocalPool({ create: () => ({}), prefill: 4, max: 4 });
  assert.is(pool.stats.highWater, 0);
  const a = pool.acquire();
  const b = pool.acquire();
  assert.is(pool.stats.highWater, 2);
  pool.release(a);
  pool.release(b);
  pool.acquire();
  assert.is(pool.stats.highWater, 2);
  assert.is(pool.stats.created, 4);
});

stats.run();
