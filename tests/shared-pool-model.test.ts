/**
 * SharedPool against a reference model, in one isolate, with fast-check's command model: random
 * sequences of every public call, misuse included (double releases, a release by index of a block
 * idle in a cache, a release through a Block of an attachment that no longer holds it, adopt, flush,
 * close, reclaim of an attachment abandoned as dead, reclaim of ids no dead isolate has), over every
 * strategy. The model knows which attachment holds each lent block; after every call the owner table
 * must agree with it, each attachment's `lentHere` must match, and no block is lent twice; at the end
 * every block comes back exactly once. Shrinking turns a failure into a minimal sequence of calls.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { ErrorCode, PoolError, SharedPool, type Block, type Strategy } from '../src/index.js';
import { thrownCode } from './helpers/errors.js';
import { drain, owners, STRATEGIES } from './helpers/shared.js';

const BLOCKS = 12;
/** The live attachments: one with a cache, one without, one with a small cache. */
const LIVE = ['a', 'b', 'c'] as const;
type Live = (typeof LIVE)[number];

interface Model {
  /** Lent blocks: index -> holder (a live attachment's name, or a dead one's `dN`). */
  lent: Map<number, string>;
  closed: Set<Live>;
  dead: number;
}

interface Real {
  pools: Record<Live, SharedPool>;
  /** Every Block object each attachment was given, by index (its own objects). */
  objects: Record<Live, Map<number, Block>>;
  dead: SharedPool[];
  ids: Map<string, number>;
}

/** Calls made, and the misuse among them (each refused), over a whole strategy's runs: printed. */
const tally = { calls: 0, misuse: 0 };

/** Picks a candidate by a generated number; undefined when there is none. */
function pick<T>(xs: readonly T[], n: number): T | undefined {
  return xs.length === 0 ? undefined : xs[n % xs.length];
}

/** After every command: the owner table says what the model says. */
function agree(m: Model, r: Real): void {
  tally.calls++;
  const table = owners(r.pools.a);
  for (const [k, holder] of m.lent) assert.is(table[k], r.ids.get(holder), `block ${k} should be lent to ${holder}`);
  for (let k = 0; k < BLOCKS; k++) if (table[k]! > 0) assert.ok(m.lent.has(k), `block ${k} reads lent to ${table[k]} but the model has it free`);
  for (const w of LIVE) assert.is(r.pools[w].stats.lentHere, [...m.lent.values()].filter((h) => h === w).length, `${w}.lentHere`);
}

class Acquire implements fc.Command<Model, Real> {
  constructor(readonly who: Live, readonly throwing: boolean) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const pool = r.pools[this.who];
    if (m.closed.has(this.who)) {
      assert.is(thrownCode(() => pool.tryAcquire()), ErrorCode.CLOSED);
      return;
    }
    let b: Block | undefined;
    try {
      b = this.throwing ? pool.acquire() : pool.tryAcquire();
    } catch (error) {
      assert.ok(error instanceof PoolError && error.code === ErrorCode.POOL_EXHAUSTED, String(error));
    }
    if (b === undefined) {
      // Nothing free anywhere it could reach: every block is lent, or idle in another cache.
      assert.ok(!Array.from(owners(pool)).includes(0), `${this.who} found nothing with a block free`);
    } else {
      assert.not.ok(m.lent.has(b.index), `block ${b.index} lent twice`);
      m.lent.set(b.index, this.who);
      r.objects[this.who].set(b.index, b);
    }
    agree(m, r);
  }
  toString = (): string => `${this.who}.${this.throwing ? 'acquire' : 'tryAcquire'}()`;
}

class Release implements fc.Command<Model, Real> {
  /**
   * `by` releases a lent block: by index (any holder, dead ones included), or through the holder's
   * Block object (its own when `by` is the holder, another attachment's otherwise).
   */
  constructor(readonly by: Live, readonly n: number, readonly form: 'block' | 'index') {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const k = pick([...m.lent.keys()].filter((i) => LIVE.includes(m.lent.get(i) as Live) || this.form === 'index'), this.n);
    if (k === undefined) return;
    const holder = m.lent.get(k)!;
    const arg = this.form === 'index' ? k : r.objects[holder as Live].get(k)!;
    r.pools[this.by].release(arg);
    m.lent.delete(k);
    agree(m, r);
  }
  toString = (): string => `${this.by}.release(#${this.n} as ${this.form})`;
}

class Misuse implements fc.Command<Model, Real> {
  /** A release or adopt of a block the caller does not hold: refused, and nothing changes. */
  constructor(readonly by: Live, readonly n: number, readonly how: 'index' | 'own-block' | 'adopt') {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const pool = r.pools[this.by];
    if (this.how === 'own-block') {
      // A Block this attachment was given once, that it does not hold now (released, or adopted away).
      const k = pick([...r.objects[this.by].keys()].filter((i) => m.lent.get(i) !== this.by), this.n);
      if (k === undefined) return;
      assert.is(thrownCode(() => pool.release(r.objects[this.by].get(k)!)), ErrorCode.DOUBLE_RELEASE);
      tally.misuse++;
    } else {
      // An index nobody holds: free, or idle in some cache.
      const k = pick([...Array(BLOCKS).keys()].filter((i) => !m.lent.has(i)), this.n);
      if (k === undefined) return;
      assert.is(thrownCode(() => (this.how === 'adopt' ? pool.adopt(k) : pool.release(k))), ErrorCode.DOUBLE_RELEASE);
      tally.misuse++;
    }
    agree(m, r);
  }
  toString = (): string => `${this.by}.misuse(${this.how} #${this.n})`;
}

class Adopt implements fc.Command<Model, Real> {
  constructor(readonly by: Live, readonly n: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const k = pick([...m.lent.keys()], this.n);
    if (k === undefined) return;
    const b = r.pools[this.by].adopt(k);
    assert.is(b.index, k);
    m.lent.set(k, this.by);
    r.objects[this.by].set(k, b);
    agree(m, r);
  }
  toString = (): string => `${this.by}.adopt(#${this.n})`;
}

class Flush implements fc.Command<Model, Real> {
  constructor(readonly who: Live, readonly close: boolean) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    if (this.close) {
      r.pools[this.who].close();
      m.closed.add(this.who);
    } else {
      r.pools[this.who].flush();
    }
    assert.is(r.pools[this.who].stats.cachedHere, 0);
    agree(m, r);
  }
  toString = (): string => `${this.who}.${this.close ? 'close' : 'flush'}()`;
}

class Die implements fc.Command<Model, Real> {
  /** A new attachment lends `held` blocks and caches some, then is abandoned: an isolate that died. */
  constructor(readonly held: number) {}
  check = (m: Model): boolean => m.dead < 3;
  run(m: Model, r: Real): void {
    const dead = SharedPool.attach(r.pools.a.handle, { cache: 2 });
    const name = `d${m.dead++}`;
    r.ids.set(name, dead.ownerId);
    r.dead.push(dead);
    for (let i = 0; i < this.held; i++) {
      const b = dead.tryAcquire();
      if (b === undefined) break;
      m.lent.set(b.index, name);
    }
    agree(m, r);
  }
  toString = (): string => `die(holding ${this.held})`;
}

class Reclaim implements fc.Command<Model, Real> {
  constructor(readonly by: Live, readonly n: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const pool = r.pools[this.by];
    const dead = pick(r.dead, this.n);
    assert.match(thrownCode(() => pool.reclaim(pool.ownerId))!, /RangeError/);
    assert.match(thrownCode(() => pool.reclaim(0))!, /RangeError/);
    tally.misuse += 2;
    if (dead === undefined) return;
    const tagged = Array.from(owners(pool)).filter((w) => Math.abs(w) === dead.ownerId).length;
    assert.is(pool.reclaim(dead.ownerId), tagged);
    for (const [k, h] of [...m.lent]) if (r.ids.get(h) === dead.ownerId) m.lent.delete(k);
    assert.is(pool.reclaim(dead.ownerId), 0);
    agree(m, r);
  }
  toString = (): string => `${this.by}.reclaim(dead #${this.n})`;
}

const live = fc.constantFrom(...LIVE);
const commands = [
  fc.tuple(live, fc.boolean()).map(([w, t]) => new Acquire(w, t)),
  fc.tuple(live, fc.nat(), fc.constantFrom('block', 'index' as const)).map(([w, n, f]) => new Release(w, n, f)),
  fc.tuple(live, fc.nat(), fc.constantFrom('index', 'own-block', 'adopt' as const)).map(([w, n, h]) => new Misuse(w, n, h)),
  fc.tuple(live, fc.nat()).map(([w, n]) => new Adopt(w, n)),
  fc.tuple(live, fc.nat({ max: 5 })).map(([w, n]) => new Flush(w, n === 0)),
  fc.nat({ max: 4 }).map((h) => new Die(h)),
  fc.tuple(live, fc.nat()).map(([w, n]) => new Reclaim(w, n)),
];

function setup(strategy: Strategy): { model: Model; real: Real } {
  const a = SharedPool.create({ blockSize: 16, blocks: BLOCKS, cache: 4, strategy });
  const pools = { a, b: SharedPool.attach(a.handle, { cache: 0 }), c: SharedPool.attach(a.handle, { cache: 2 }) };
  const ids = new Map<string, number>(LIVE.map((w) => [w, pools[w].ownerId]));
  return {
    model: { lent: new Map(), closed: new Set(), dead: 0 },
    real: { pools, objects: { a: new Map(), b: new Map(), c: new Map() }, dead: [], ids },
  };
}

/** Everything back: dead attachments reclaimed, lent blocks released, caches flushed; then every block once. */
function settle(m: Model, r: Real): void {
  for (const d of r.dead) r.pools.b.reclaim(d.ownerId);
  for (const [k] of m.lent) if (LIVE.includes(m.lent.get(k) as Live)) r.pools.b.release(k);
  for (const w of LIVE) r.pools[w].flush();
  assert.is(drain(r.pools.b), BLOCKS, 'every block comes back exactly once');
}

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool against a reference model (${strategy})`);

  test('random sequences of every call, misuse included, agree with the model; every block comes back', () => {
    tally.calls = tally.misuse = 0;
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60, size: 'max' }), (cmds) => {
        const s = setup(strategy);
        fc.modelRun(() => s, cmds);
        settle(s.model, s.real);
      }),
      { numRuns: 500 },
    );
    console.log(`  model ${strategy}: ${tally.calls} calls checked against the model, ${tally.misuse} of them misuse (each refused)`);
  });

  test.run();
}
