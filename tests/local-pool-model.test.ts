/**
 * Model-based test of LocalPool (fast-check's command model): random sequences of every public call,
 * misuse included (primitives, foreign objects, double releases, releases while nothing is lent),
 * with `acquireAsync` waiters that are served, aborted, timed out or closed, over random options
 * (max, limit, prefill, initial, grow, reset, checked, soft, leak tracking, a batch source). After
 * every call the pool is checked against a reference model that knows which objects the test holds,
 * which are idle, and which have left; a failure shrinks to a minimal sequence of calls.
 *
 * Unchecked mode refuses only the misuse it can prove (primitives, the object just released, any
 * release while nothing is lent); checked mode refuses every double or foreign release. The model
 * asks each mode for exactly what it promises.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { ErrorCode, LocalPool, PoolError, type LocalPoolOptions } from '../src/index.js';

interface Obj {
  readonly id: number;
  bad: boolean;
}

interface Config {
  max: number;
  limit: number;
  prefill: number;
  initial: number;
  grow: number | 'double';
  reset: 'none' | 'keep' | 'flag';
  checked: boolean;
  soft: boolean;
  batch: boolean;
  leaks: 0 | 1 | 0.5;
}

/** Objects a batch source can make in all: past this it returns what went home, then nothing. */
const BATCH_STOCK = 10;

/** The system under test and what its callbacks saw. */
class Real {
  readonly pool: LocalPool<Obj>;
  /** Every object made by the source or given in `initial`, by id. */
  readonly made: Obj[] = [];
  /** Objects passed to `dispose`, each once. */
  readonly disposed = new Set<Obj>();
  /** A batch source's objects at home (sent back through `disposeBatch`). */
  readonly home = new Set<Obj>();
  /** Objects a batch source gave again after they came home: `created` counts them again. */
  comebacks = 0;

  constructor(readonly cfg: Config) {
    const make = (): Obj => {
      const o = { id: this.made.length, bad: false };
      this.made.push(o);
      return o;
    };
    const initial = Array.from({ length: cfg.initial }, make);
    const options: LocalPoolOptions<Obj> = {
      max: cfg.max,
      limit: cfg.limit,
      prefill: cfg.prefill,
      initial,
      grow: cfg.grow,
      checked: cfg.checked,
      soft: cfg.soft,
    };
    if (cfg.reset === 'keep') options.reset = () => undefined;
    if (cfg.reset === 'flag') options.reset = (o) => !o.bad;
    if (cfg.leaks !== 0) options.leaks = { onLeak: () => assert.unreachable('no object is collected while the test holds it'), sample: cfg.leaks };
    if (cfg.batch) {
      options.createBatch = (n, out) => {
        let k = 0;
        for (const o of this.home) {
          if (k === n) break;
          this.home.delete(o);
          o.bad = false;
          out[k++] = o;
          this.comebacks++;
        }
        while (k < n && this.made.length < BATCH_STOCK + cfg.initial) out[k++] = make();
        return k;
      };
      options.disposeBatch = (objs) => {
        for (const o of objs) {
          assert.not.ok(this.home.has(o), `object ${o.id} sent home twice`);
          this.home.add(o);
        }
      };
    } else {
      options.create = make;
      options.dispose = (o) => {
        assert.not.ok(this.disposed.has(o), `object ${o.id} disposed twice`);
        this.disposed.add(o);
      };
    }
    this.pool = new LocalPool(options);
  }

  /** True when the object has left the pool for good (disposed) or for now (home). */
  gone(o: Obj): boolean {
    return this.disposed.has(o) || this.home.has(o);
  }

  /** True when the source can give another object (a create never runs dry; a batch source can). */
  canMake(): boolean {
    return !this.cfg.batch || this.home.size > 0 || this.made.length < BATCH_STOCK + this.cfg.initial;
  }
}

interface Waiter {
  readonly id: number;
  readonly abort: AbortController | undefined;
  readonly timed: boolean;
  outcome: { value: Obj } | { error: unknown } | undefined;
}

interface Model {
  readonly cfg: Config;
  /** Objects the test holds. */
  readonly lent: Set<Obj>;
  /** acquireAsync calls not settled yet, oldest first. */
  waiters: Waiter[];
  closed: boolean;
  /** The object the previous call released, if the pool kept it idle (a release of it again must throw). */
  justReleased: Obj | undefined;
  /** Objects released (or never lent) and not lent since: any release of one is a double release. */
  readonly returned: Set<Obj>;
  /** Calls run so far: close waits for 20, so most of a sequence runs on an open pool. */
  steps: number;
}

type Cmd = fc.AsyncCommand<Model, Real>;

/** Bad inputs the runs tried, by kind (`ISOPOOL_MODEL_REPORT=1` prints them). */
const tried = { primitive: 0, foreign: 0, again: 0, noneLent: 0, throwingUse: 0, aborted: 0, timedOut: 0 };

const flush = () => new Promise((resolve) => setImmediate(resolve));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof PoolError ? error.code : (error as Error).name;
  }
  return undefined;
}

/** Takes a newly lent object into the model: never one held, never one gone. */
function lend(m: Model, r: Real, o: Obj, how: string): void {
  assert.ok(o !== null && typeof o === 'object' && typeof o.id === 'number', `${how} lent ${String(o)}`);
  assert.not.ok(m.lent.has(o), `${how} lent object ${o.id}, already held`);
  assert.not.ok(r.gone(o), `${how} lent object ${o.id}, which left the pool`);
  m.lent.add(o);
  m.returned.delete(o);
}

/** Lets settled waiters settle, moves what they got into the model, and checks every invariant. */
async function settle(m: Model, r: Real): Promise<void> {
  await flush();
  m.steps++;
  const pending: Waiter[] = [];
  for (const w of m.waiters) {
    if (w.outcome === undefined) pending.push(w);
    else if ('value' in w.outcome) lend(m, r, w.outcome.value, `waiter ${w.id}`);
  }
  m.waiters = pending;
  const s = r.pool.stats;
  const { cfg } = m;
  assert.is(s.lent, m.lent.size, 'stats.lent is what the test holds');
  assert.is(s.waiting, pending.length, 'stats.waiting counts the pending waiters');
  assert.ok(s.idle <= cfg.max, `idle ${s.idle} over max ${cfg.max}`);
  assert.ok(s.lent + s.idle <= cfg.limit, 'live over limit');
  assert.ok(s.highWater >= s.lent, 'high-water below lent');
  if (pending.length > 0) assert.is(s.idle, 0, 'a caller waits while an object is idle');
  if (m.closed) assert.is(s.idle, 0, 'idle objects after close');
  assert.is(s.created, r.made.length + r.comebacks, 'created counts every object the source gave');
  for (const o of m.lent) assert.not.ok(r.gone(o), `held object ${o.id} has left the pool`);
  const unaccounted = s.created - s.discarded - s.lent - s.idle;
  if (cfg.soft) assert.ok(unaccounted >= 0 && unaccounted <= s.soft, `${unaccounted} objects unaccounted for, ${s.soft} soft`);
  else assert.is(unaccounted, 0, 'every object is lent, idle, or counted discarded');
  if (cfg.batch) assert.is(m.lent.size + s.idle + r.home.size, r.made.length, 'a batch object is lent, idle or home');
  else if (!cfg.soft) assert.is(r.disposed.size, s.discarded, 'every discarded object went to dispose once');
}

class Acquire implements Cmd {
  constructor(readonly how: 'acquire' | 'tryAcquire') {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const s = r.pool.stats;
    const dry = s.lent + s.idle >= m.cfg.limit || !r.canMake();
    let got: Obj | undefined;
    const c = code(() => (got = r.pool[this.how]()));
    if (m.closed) assert.is(c, ErrorCode.CLOSED);
    else if (s.idle > 0) {
      assert.is(c, undefined, `${this.how} failed with ${s.idle} idle: ${c}`);
      assert.is(r.pool.stats.created, s.created, 'an idle object was there: nothing made');
    } else if (dry) {
      if (this.how === 'acquire') assert.is(c, ErrorCode.POOL_EXHAUSTED);
      else assert.ok(c === undefined && got === undefined, 'tryAcquire at the limit');
    } else assert.is(c, undefined, `${this.how} failed below limit: ${c}`);
    if (got !== undefined) lend(m, r, got, this.how);
    m.justReleased = undefined;
    await settle(m, r);
  }
  toString = () => this.how + '()';
}

class AcquireAsync implements Cmd {
  constructor(readonly wait: 'none' | 'timeout' | 'signal') {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const s = r.pool.stats;
    const served = m.waiters.length === 0 && (s.idle > 0 || (s.lent + s.idle < m.cfg.limit && r.canMake()));
    const abort = this.wait === 'signal' ? new AbortController() : undefined;
    const w: Waiter = { id: m.waiters.length, abort, timed: this.wait === 'timeout', outcome: undefined };
    const options = this.wait === 'timeout' ? { timeout: 1 } : abort !== undefined ? { signal: abort.signal } : undefined;
    void r.pool.acquireAsync(options).then(
      (value) => (w.outcome = { value }),
      (error: unknown) => (w.outcome = { error }),
    );
    await flush();
    const o = w.outcome;
    if (m.closed) assert.ok(o !== undefined && 'error' in o && (o.error as PoolError).code === ErrorCode.CLOSED, 'acquireAsync after close');
    else if (served) assert.ok(o !== undefined && 'value' in o, `acquireAsync with room was not served (${s.idle} idle)`);
    else if (o !== undefined) assert.ok(w.timed && 'error' in o && (o.error as PoolError).code === ErrorCode.TIMEOUT, 'a waiter settled at once');
    m.waiters.push(w);
    m.justReleased = undefined;
    await settle(m, r);
  }
  toString = () => `acquireAsync(${this.wait})`;
}

class Release implements Cmd {
  constructor(readonly pick: number, readonly spoil: boolean) {}
  check = (m: Readonly<Model>) => m.lent.size > 0;
  async run(m: Model, r: Real): Promise<void> {
    const o = [...m.lent][this.pick % m.lent.size]!;
    if (this.spoil) o.bad = true;
    const oldest = m.waiters[0];
    const idleBefore = r.pool.stats.idle;
    const c = code(() => r.pool.release(o));
    assert.is(c, undefined, `release of a lent object threw ${c}`);
    m.lent.delete(o);
    m.returned.add(o);
    if (m.closed || (o.bad && m.cfg.reset === 'flag')) assert.ok(r.gone(o), `object ${o.id} released after close or rejected by reset stayed`);
    await flush();
    if (oldest !== undefined && !r.gone(o)) {
      assert.ok(oldest.outcome !== undefined && 'value' in oldest.outcome && oldest.outcome.value === o, 'the oldest waiter gets the released object');
    }
    m.justReleased = oldest === undefined && !r.gone(o) && r.pool.stats.idle === idleBefore + 1 ? o : undefined;
    await settle(m, r);
  }
  toString = () => `release(#${this.pick}${this.spoil ? ', spoiled' : ''})`;
}

/** Misuse: what release() must refuse, in the modes that promise to. */
class Misuse implements Cmd {
  constructor(readonly kind: 'primitive' | 'foreign' | 'again', readonly value: unknown, readonly pick: number) {}
  check = (m: Readonly<Model>) =>
    this.kind === 'primitive' ||
    (this.kind === 'foreign' && (m.cfg.checked || m.lent.size === 0)) ||
    (this.kind === 'again' && (m.cfg.checked || m.lent.size === 0 ? m.returned.size > 0 : m.justReleased !== undefined));
  async run(m: Model, r: Real): Promise<void> {
    const before = r.pool.stats;
    tried[this.kind]++;
    if (m.lent.size === 0) tried.noneLent++;
    let c: string | undefined;
    if (this.kind === 'primitive') {
      c = code(() => r.pool.release(this.value as Obj));
      assert.is(c, 'TypeError', `release(${String(this.value)})`);
    } else if (this.kind === 'foreign') {
      c = code(() => r.pool.release({ id: -1, bad: false }));
      assert.is(c, m.cfg.checked ? ErrorCode.FOREIGN_OBJECT : ErrorCode.DOUBLE_RELEASE, 'a foreign release');
    } else {
      const pool = [...m.returned];
      const o = m.cfg.checked || m.lent.size === 0 ? pool[this.pick % pool.length]! : m.justReleased!;
      c = code(() => r.pool.release(o));
      assert.is(c, ErrorCode.DOUBLE_RELEASE, `a second release of object ${o.id}`);
    }
    const after = r.pool.stats;
    assert.equal([after.lent, after.idle, after.discarded], [before.lent, before.idle, before.discarded], 'a refused release changed the books');
    await settle(m, r);
  }
  toString = () => `misuse(${this.kind}${this.kind === 'primitive' ? ' ' + String(this.value) : ''})`;
}

class Trim implements Cmd {
  constructor(readonly keep: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const idle = r.pool.stats.idle;
    const dropped = r.pool.trim(this.keep);
    assert.ok(dropped >= Math.max(0, idle - this.keep), 'trim dropped too few');
    assert.is(r.pool.stats.idle, Math.min(idle, this.keep));
    m.justReleased = undefined;
    await settle(m, r);
  }
  toString = () => `trim(${this.keep})`;
}

class Close implements Cmd {
  check = (m: Readonly<Model>) => m.steps >= 20;
  async run(m: Model, r: Real): Promise<void> {
    const pending = [...m.waiters];
    r.pool.close();
    m.closed = true;
    await flush();
    for (const w of pending) assert.ok(w.outcome !== undefined && 'error' in w.outcome && (w.outcome.error as PoolError).code === ErrorCode.CLOSED, 'close rejects every waiter');
    m.justReleased = undefined;
    await settle(m, r);
  }
  toString = () => 'close()';
}

class Abort implements Cmd {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.waiters.some((w) => w.abort !== undefined);
  async run(m: Model, r: Real): Promise<void> {
    const abortable = m.waiters.filter((w) => w.abort !== undefined);
    const w = abortable[this.pick % abortable.length]!;
    const reason = new Error('stop');
    w.abort!.abort(reason);
    tried.aborted++;
    await flush();
    assert.ok(w.outcome !== undefined && 'error' in w.outcome && w.outcome.error === reason, 'an aborted waiter rejects with the reason');
    await settle(m, r);
  }
  toString = () => `abort(#${this.pick})`;
}

class Sleep implements Cmd {
  check = (m: Readonly<Model>) => m.waiters.some((w) => w.timed);
  async run(m: Model, r: Real): Promise<void> {
    const timed = m.waiters.filter((w) => w.timed);
    await new Promise((resolve) => setTimeout(resolve, 3));
    for (const w of timed) assert.ok(w.outcome !== undefined && 'error' in w.outcome && (w.outcome.error as PoolError).code === ErrorCode.TIMEOUT, 'a waiter with timeout 1 timed out');
    tried.timedOut += timed.length;
    await settle(m, r);
  }
  toString = () => 'sleep(3 ms)';
}

class Use implements Cmd {
  constructor(readonly fn: 'sync' | 'throw' | 'async' | 'reject' | 'badThen') {}
  check = (m: Readonly<Model>) => !m.closed && m.waiters.length === 0;
  async run(m: Model, r: Real): Promise<void> {
    const s = r.pool.stats;
    const canLend = s.idle > 0 || (s.lent + s.idle < m.cfg.limit && r.canMake());
    let seen: Obj | undefined;
    const body = (o: Obj): unknown => {
      seen = o;
      assert.is(r.pool.stats.lent, m.lent.size + 1, 'lent during use');
      if (this.fn === 'throw') throw new Error('fn threw');
      if (this.fn === 'async') return Promise.resolve(1);
      if (this.fn === 'reject') return Promise.reject(new Error('fn rejected'));
      if (this.fn === 'badThen') return Object.defineProperty({}, 'then', { get: () => { throw new Error('then getter'); } });
      return 1;
    };
    let outcome: string;
    if (this.fn !== 'sync' && this.fn !== 'async') tried.throwingUse++;
    try {
      await r.pool.use(body);
      outcome = 'ok';
    } catch (error) {
      outcome = error instanceof PoolError ? error.code : (error as Error).message;
    }
    if (!canLend) assert.is(outcome, ErrorCode.POOL_EXHAUSTED);
    else {
      assert.ok(seen !== undefined && !m.lent.has(seen), 'use lent a held object');
      const expected = { sync: 'ok', async: 'ok', throw: 'fn threw', reject: 'fn rejected', badThen: 'then getter' }[this.fn];
      assert.is(outcome, expected);
      m.returned.add(seen!);
    }
    m.justReleased = undefined;
    await settle(m, r);
  }
  toString = () => `use(${this.fn})`;
}

const configs: fc.Arbitrary<Config> = fc
  .record({
    max: fc.integer({ min: 0, max: 4 }),
    limit: fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    prefill: fc.integer({ min: 0, max: 3 }),
    initial: fc.integer({ min: 0, max: 2 }),
    grow: fc.constantFrom(1, 2, 'double' as const),
    reset: fc.constantFrom('none' as const, 'keep' as const, 'flag' as const),
    checked: fc.boolean(),
    soft: fc.boolean(),
    batch: fc.boolean(),
    leaks: fc.constantFrom(0 as const, 0 as const, 1 as const, 0.5 as const),
  })
  .map((c) => {
    const initial = Math.min(c.initial, c.max, c.limit);
    return { ...c, initial, prefill: Math.min(c.prefill, c.max - initial, c.limit - initial), soft: c.soft && !c.batch };
  });

const commands = fc.commands<Model, Real, false>(
  [
    fc.constantFrom('acquire' as const, 'tryAcquire' as const).map((how) => new Acquire(how)),
    fc.constantFrom('none' as const, 'timeout' as const, 'signal' as const).map((w) => new AcquireAsync(w)),
    fc.constantFrom('timeout' as const, 'signal' as const).map((w) => new AcquireAsync(w)),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, spoil]) => new Release(pick, spoil)),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, spoil]) => new Release(pick, spoil)),
    fc.constantFrom<unknown>(5, 'str', true, Symbol('s'), 10n, null, undefined).map((v) => new Misuse('primitive', v, 0)),
    fc.nat().map((pick) => new Misuse('foreign', undefined, pick)),
    fc.nat().map((pick) => new Misuse('again', undefined, pick)),
    fc.integer({ min: 0, max: 2 }).map((keep) => new Trim(keep)),
    fc.nat().map((pick) => new Abort(pick)),
    fc.nat().map((pick) => new Abort(pick)),
    fc.constant(null).map(() => new Sleep()),
    fc.constantFrom('sync' as const, 'throw' as const, 'async' as const, 'reject' as const, 'badThen' as const).map((f) => new Use(f)),
    fc.constant(null).map(() => new Close()),
  ],
  { maxCommands: 60, size: 'max' },
);

test('LocalPool against its model: random calls, misuse included, over random options (fast-check, 1,000 runs)', async () => {
  await fc.assert(
    fc.asyncProperty(configs, commands, async (cfg, cmds) => {
      const real = new Real(cfg);
      const model: Model = { cfg, lent: new Set(), waiters: [], closed: false, justReleased: undefined, returned: new Set(), steps: 0 };
      for (const o of real.made) model.returned.add(o); // `initial` objects: idle, never lent
      await fc.asyncModelRun(() => ({ model, real }), cmds);
      // Everything comes back: close (waiters reject), release what the test holds (each goes to
      // dispose or home), and nothing is left or lost.
      real.pool.close();
      model.closed = true;
      await settle(model, real);
      for (const o of [...model.lent]) {
        real.pool.release(o);
        model.lent.delete(o);
      }
      await settle(model, real);
      const s = real.pool.stats;
      assert.equal([s.lent, s.idle, s.waiting], [0, 0, 0]);
      if (cfg.batch) assert.is(real.home.size, real.made.length, 'every batch object is home');
      else if (!cfg.soft) assert.is(real.disposed.size, real.made.length, 'every object made was disposed once');
    }),
    { numRuns: 1000, includeErrorInReport: true },
  );
  // The generators must keep producing misuse: a floor far below what a run tries (see the README).
  assert.ok(tried.primitive + tried.foreign + tried.again > 1000, `only ${JSON.stringify(tried)} bad inputs tried`);
  if (process.env['ISOPOOL_MODEL_REPORT'] === '1') console.log('LocalPool model, bad inputs tried:', JSON.stringify(tried));
});

test.run();
