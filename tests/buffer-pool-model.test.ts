/**
 * Model-based test of BufferPool (fast-check's command model): random rents of every size class
 * and past `maxLength`, returns, trims and close, transfers of lent arrays (the array that comes
 * back is returned), with misuse (foreign arrays, subarrays, primitives, double returns, copies of
 * lent arrays) and stale references that transfer an idle array's buffer away, over random
 * options (maxLength, perClass, zero, checked). After every call the pool is checked against a
 * model of what the test holds; a failure shrinks to a minimal sequence of calls.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { BufferPool, ErrorCode, PoolError, type ZeroPolicy } from '../src/index.js';

type U8 = Uint8Array<ArrayBuffer>;

interface Config {
  maxLength: number;
  perClass: number;
  zero: ZeroPolicy;
  checked: boolean;
}

interface Model {
  readonly cfg: Config;
  /** Arrays the test holds, pooled (class-sized) ones and oversized ones. */
  readonly held: Set<U8>;
  /** Arrays returned and not rented since: a return of one again is a double return. */
  readonly returned: Set<U8>;
  /** The array the previous call returned, if the pool kept it idle. */
  justReturned: U8 | undefined;
  /** Held arrays that came back from a transfer and were not returned since: the pool has not met these objects. */
  readonly away: Set<U8>;
  closed: boolean;
}

type Cmd = fc.Command<Model, BufferPool<U8>>;

/** Bad inputs the runs tried, by kind (`ISOPOOL_MODEL_REPORT=1` prints them). */
const tried = { foreign: 0, subarray: 0, primitive: 0, again: 0, copy: 0, detached: 0, transferred: 0 };

/** What a rent of `n` must return: the next power of two, or exactly `n` past maxLength. */
function lengthFor(n: number, maxLength: number): number {
  const len = n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
  return len > maxLength ? n : len;
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof PoolError ? error.code : (error as Error).name;
  }
  return undefined;
}

/** Held arrays the pool has met: a copy of one of these is refused. */
function known(m: Readonly<Model>): U8[] {
  return [...m.held].filter((a) => !m.away.has(a));
}

function pooled(a: U8, cfg: Config): boolean {
  return a.length <= cfg.maxLength;
}

function check(m: Model, pool: BufferPool<U8>): void {
  const s = pool.stats;
  const heldPooled = [...m.held].filter((a) => pooled(a, m.cfg)).length;
  assert.is(s.lent, heldPooled, 'stats.lent counts the class arrays the test holds');
  assert.is(s.created - s.discarded, s.lent + s.idle, 'every array made is lent, idle, or counted discarded');
  const classes = Math.log2(m.cfg.maxLength) + 1;
  assert.ok(s.idle <= classes * m.cfg.perClass, `idle ${s.idle} over perClass`);
  assert.ok(s.idleElements >= s.idle && s.idleElements <= s.idle * m.cfg.maxLength, 'idleElements');
  if (m.closed) assert.is(s.idle, 0, 'idle arrays after close');
}

class Rent implements Cmd {
  constructor(readonly n: number) {}
  check = () => true;
  run(m: Model, pool: BufferPool<U8>): void {
    let a: U8 | undefined;
    const c = code(() => (a = pool.rent(this.n)));
    if (m.closed) {
      assert.is(c, ErrorCode.CLOSED);
      return;
    }
    assert.is(c, undefined, `rent(${this.n}) threw ${c}`);
    assert.is(a!.length, lengthFor(this.n, m.cfg.maxLength), `rent(${this.n}) length (a detached array has 0)`);
    assert.not.ok(m.held.has(a!), `rent(${this.n}) lent an array the test holds`);
    if (m.cfg.zero !== 'never') assert.ok(a!.every((x) => x === 0), `zero: '${m.cfg.zero}' lent a dirty array`);
    a!.fill(7); // dirty it, as a holder would
    m.held.add(a!);
    m.returned.delete(a!);
    m.justReturned = undefined;
    check(m, pool);
  }
  toString = () => `rent(${this.n})`;
}

class Return implements Cmd {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.held.size > 0;
  run(m: Model, pool: BufferPool<U8>): void {
    const a = [...m.held][this.pick % m.held.size]!;
    const idle = pool.stats.idle;
    const c = code(() => pool.return(a));
    assert.is(c, undefined, `return of a held array threw ${c}`);
    m.held.delete(a);
    m.away.delete(a);
    m.returned.add(a);
    if (m.cfg.zero === 'return' && pooled(a, m.cfg)) assert.ok(a.every((x) => x === 0), "zero: 'return' left it dirty");
    m.justReturned = pooled(a, m.cfg) && pool.stats.idle === idle + 1 ? a : undefined;
    check(m, pool);
  }
  toString = () => `return(#${this.pick})`;
}

/** Misuse that every mode refuses, and double returns where the mode promises to refuse them. */
class Misuse implements Cmd {
  constructor(readonly kind: 'foreign' | 'subarray' | 'primitive' | 'again' | 'copy', readonly pick: number) {}
  check = (m: Readonly<Model>) =>
    this.kind === 'again' ? (m.cfg.checked ? m.returned.size > 0 : m.justReturned !== undefined) : this.kind !== 'copy' || known(m).length > 0;
  run(m: Model, pool: BufferPool<U8>): void {
    const before = pool.stats;
    tried[this.kind]++;
    let c: string | undefined;
    if (this.kind === 'foreign') c = code(() => pool.return(new Uint8Array(2 ** (this.pick % 4))));
    else if (this.kind === 'primitive') c = code(() => pool.return(this.pick as unknown as U8));
    else if (this.kind === 'copy') c = code(() => pool.return(structuredClone(known(m)[this.pick % known(m).length]!)));
    else if (this.kind === 'subarray') {
      const mine = [...m.held, ...m.returned].filter((a) => a.length > 0);
      const base = mine.length > 0 ? mine[this.pick % mine.length]! : new Uint8Array(8);
      c = code(() => pool.return(base.subarray(0, Math.max(0, base.length - 1))));
    } else {
      const again = m.cfg.checked ? [...m.returned][this.pick % m.returned.size]! : m.justReturned!;
      if (again.length === 0) return; // detached since: refused as foreign, checked elsewhere
      c = code(() => pool.return(again));
      assert.is(c, ErrorCode.DOUBLE_RELEASE, `a second return of an array of length ${again.length}`);
    }
    if (this.kind !== 'again') assert.is(c, ErrorCode.FOREIGN_OBJECT, `return of a ${this.kind}`);
    const after = pool.stats;
    assert.equal([after.lent, after.idle, after.discarded], [before.lent, before.idle, before.discarded], 'a refused return changed the books');
    check(m, pool);
  }
  toString = () => `misuse(${this.kind} ${this.pick})`;
}

/**
 * A stale reference transfers a returned array's buffer away, and the array that memory comes back
 * as is returned: refused (the lending was closed), whether the pool still kept the array idle
 * (ERR_DOUBLE_RELEASE) or had dropped it (foreign), with the books unchanged.
 */
class DetachReturned implements Cmd {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => [...m.returned].some((a) => a.length > 0);
  run(m: Model, pool: BufferPool<U8>): void {
    const live = [...m.returned].filter((a) => a.length > 0);
    const a = live[this.pick % live.length]!;
    const stale = structuredClone(a, { transfer: [a.buffer] });
    tried.detached++;
    if (m.justReturned === a) m.justReturned = undefined;
    const before = pool.stats;
    const c = code(() => pool.return(stale));
    assert.ok(c === ErrorCode.DOUBLE_RELEASE || c === ErrorCode.FOREIGN_OBJECT, `memory that left while idle came back: ${c}`);
    const after = pool.stats;
    assert.equal([after.lent, after.idle, after.discarded], [before.lent, before.idle, before.discarded], 'a refused return changed the books');
    check(m, pool);
  }
  toString = () => `detach(#${this.pick})`;
}

/** A lent array goes to another isolate by transfer and comes back: the test now holds the new object. */
class TransferHeld implements Cmd {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.held.size > 0;
  run(m: Model, pool: BufferPool<U8>): void {
    const a = [...m.held][this.pick % m.held.size]!;
    const n = a.length;
    const back = structuredClone(a, { transfer: [a.buffer] });
    tried.transferred++;
    assert.equal([back.length, a.length], [n, 0], 'a transfer moves the memory to a new object');
    m.held.delete(a);
    m.held.add(back);
    m.away.delete(a);
    m.away.add(back);
    check(m, pool);
  }
  toString = () => `transfer(#${this.pick})`;
}

/**
 * While an array's memory is away, a copy of what came back cannot be told from it: a copy returned
 * first is taken in that lending's place, and the array itself is refused after. One lending, one return.
 */
class ReturnCopyOfAway implements Cmd {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.away.size > 0;
  run(m: Model, pool: BufferPool<U8>): void {
    const a = [...m.away][this.pick % m.away.size]!;
    const copy = structuredClone(a);
    tried.copy++;
    assert.is(code(() => pool.return(copy)), undefined, 'the first of two copies of memory away is taken');
    assert.is(code(() => pool.return(a)), ErrorCode.FOREIGN_OBJECT, 'the second is refused');
    m.held.delete(a);
    m.away.delete(a);
    m.returned.add(copy);
    m.justReturned = undefined;
    check(m, pool);
  }
  toString = () => `returnCopyOfAway(#${this.pick})`;
}

class Trim implements Cmd {
  constructor(readonly keep: number) {}
  check = () => true;
  run(m: Model, pool: BufferPool<U8>): void {
    const idle = pool.stats.idle;
    const dropped = pool.trim(this.keep);
    assert.is(pool.stats.idle, idle - dropped);
    m.justReturned = undefined;
    check(m, pool);
  }
  toString = () => `trim(${this.keep})`;
}

class Close implements Cmd {
  check = () => true;
  run(m: Model, pool: BufferPool<U8>): void {
    pool.close();
    m.closed = true;
    m.justReturned = undefined;
    check(m, pool);
  }
  toString = () => 'close()';
}

const configs: fc.Arbitrary<Config> = fc.record({
  maxLength: fc.constantFrom(8, 32),
  perClass: fc.integer({ min: 0, max: 2 }),
  zero: fc.constantFrom<ZeroPolicy>('never', 'rent', 'return'),
  checked: fc.boolean(),
});

const commands = fc.commands<Model, BufferPool<U8>>(
  [
    fc.constantFrom(0, 1, 2, 3, 4, 5, 8, 9, 16, 17, 32, 33, 40).map((n) => new Rent(n)),
    fc.constantFrom(1, 2, 4, 8).map((n) => new Rent(n)),
    fc.nat().map((pick) => new Return(pick)),
    fc.nat().map((pick) => new Return(pick)),
    fc.tuple(fc.constantFrom('foreign' as const, 'subarray' as const, 'primitive' as const, 'again' as const, 'copy' as const), fc.nat()).map(([kind, pick]) => new Misuse(kind, pick)),
    fc.nat().map((pick) => new DetachReturned(pick)),
    fc.nat().map((pick) => new TransferHeld(pick)),
    fc.nat().map((pick) => new ReturnCopyOfAway(pick)),
    fc.integer({ min: 0, max: 1 }).map((keep) => new Trim(keep)),
    fc.constant(null).map(() => new Close()),
  ],
  { maxCommands: 60, size: 'max' },
);

test('BufferPool against its model: random rents, returns and transfers, misuse and detached buffers included (fast-check, 1,000 runs)', () => {
  fc.assert(
    fc.property(configs, commands, (cfg, cmds) => {
      const pool = new BufferPool(Uint8Array, cfg);
      const model: Model = { cfg, held: new Set(), returned: new Set(), justReturned: undefined, away: new Set(), closed: false };
      fc.modelRun(() => ({ model, real: pool }), cmds);
      // Everything comes back: every held array is taken back (dropped after close), nothing is lent.
      pool.close();
      for (const a of model.held) pool.return(a);
      const s = pool.stats;
      assert.equal([s.lent, s.idle, s.created - s.discarded], [0, 0, 0]);
    }),
    { numRuns: 1000, includeErrorInReport: true },
  );
  // The generators must keep producing misuse: a floor far below what a run tries (see the README).
  assert.ok(tried.foreign + tried.subarray + tried.primitive + tried.again + tried.copy > 1000, `only ${JSON.stringify(tried)} bad inputs tried`);
  assert.ok(tried.transferred > 500, `only ${tried.transferred} transfers tried`);
  if (process.env['ISOPOOL_MODEL_REPORT'] === '1') console.log('BufferPool model, bad inputs tried:', JSON.stringify(tried));
});

test.run();
