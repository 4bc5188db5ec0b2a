/**
 * The used program: what the `_used` rows (used.cases.ts) run in their child process before timing,
 * so that V8 has seen the library the way a real program's V8 sees it. A pristine process times
 * code specialised to one pool and one object shape; a program that has used the library for a
 * while has run the cold paths (and may have inlined them into its loops), has seen many shapes,
 * and may have counted past the small-integer range. The `_used` rows time the same loops after
 * this program, in the same process.
 *
 * It is fixed (no randomness, no timing-dependent branch) and runs once per process, in order:
 *
 *  1. LocalPools of eight object shapes (classes and literals), each acquired and released singly,
 *     nested three deep, and overlapping, with every option: `create`, `createBatch`, `reset`
 *     (keeping and refusing), `dispose`, `disposeBatch`, `max` (0, 1, default), `limit`, `prefill`,
 *     `initial`, `grow` (a number and `'double'`), `checked`, `leaks` (sampled and `sample: 1`),
 *     `soft`, `name`; `tryAcquire`, `use` (sync and async), `lease` (TypeScript's `using`),
 *     `trim`, `close`, `stats`; and refused misuse (a double release, a release of a foreign object).
 *  2. `acquireAsync` at `limit`: waiters served by releases, one timing out, one aborted.
 *  3. `getLocalPool` with a string key, a symbol key and a `definePool` token, each looked up many
 *     times, and `closeLocalPool` then a lookup that makes the pool again; `getLocalBufferPool`.
 *  4. BufferPools of Uint8Array, Int32Array, Float64Array and BigInt64Array: rents of several
 *     classes, nested, oversized, with `zero: 'rent'` and `'return'`, and `checked`.
 *  5. A SharedPool of every strategy, with the cache on and off: acquire/release singly and nested,
 *     `tryAcquire`, past the cache (spill and refill), `flush`, `acquireAsync` while empty.
 *  6. One LocalPool driven past 2^31 hits (`HITS_PAST`), by acquire/release pairs: on a 64-bit V8
 *     without pointer compression (Node's builds) a small integer has 32 bits, so a counter bumped
 *     on every hit leaves that range there.
 *  7. The hand-written owner slot of `owner_slot_get_put` (local.cases.ts) with its miss branch run:
 *     nested gets, so its `stack.pop() ?? new Obj()` is compiled, as a real program's would be.
 *
 * Steps 1-5 and 7 repeat `ROUNDS` times, so that every function they call is optimised by TurboFan
 * with the type feedback of all of them (V8 optimises a function after some thousands of calls).
 * `quick` leaves out step 6 (it takes seconds: 2^31 pairs at a few ns each) and runs fewer rounds.
 */
import {
  BufferPool,
  closeLocalPool,
  definePool,
  getLocalBufferPool,
  getLocalPool,
  LocalPool,
  SharedPool,
  type LocalPoolOptions,
  type Strategy,
} from 'isopool';

/** Hits the step-6 pool is driven past: 2^31 + 2^20, past the 32-bit small-integer range. */
export const HITS_PAST = 2 ** 31 + 2 ** 20;

/** Rounds of steps 1-5 and 7: enough calls (tens of thousands) for TurboFan to optimise each path. */
const ROUNDS = 400;
const QUICK_ROUNDS = 20;

const STRATEGIES: readonly Strategy[] = ['mutex', 'treiber', 'mpmc', 'bitmap'];

// Eight object shapes, as a program pools parsers, buffers, records and nodes of its own.
class Point {
  constructor(
    public x = 0,
    public y = 0,
  ) {}
}
class Parser {
  pos = 0;
  text = '';
  tokens: string[] = [];
}
class Node3 {
  left: Node3 | null = null;
  right: Node3 | null = null;
  value = 0;
}
class Scratch {
  readonly bytes = new Uint8Array(64);
  used = 0;
}
class Big {
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  e = 0;
  f = 0;
  g = 0;
  h = 0;
}
const SHAPES: readonly (() => object)[] = [
  () => new Point(),
  () => new Parser(),
  () => new Node3(),
  () => new Scratch(),
  () => new Big(),
  () => ({ kind: 'record', id: 0 }),
  () => ({ list: [] as number[] }),
  () => ({ a: 1, b: 'b', c: null }),
];

/** What every step XORs into, so that no step is dead code. */
export let usedSink = 0;

function touch(o: object): void {
  usedSink ^= Object.keys(o).length;
}

/** A fixed set of LocalPool options, one pool each, covering every option and mode. */
function optionSets(shape: () => object, i: number): LocalPoolOptions<object>[] {
  let reset = 0;
  const leaks = { onLeak: () => undefined, sample: 0.25 };
  return [
    { create: shape },
    { create: shape, name: `shape${i}`, max: 1 },
    { create: shape, max: 0 },
    { create: shape, limit: 4, prefill: 2 },
    { create: shape, initial: [shape(), shape()] },
    { create: shape, grow: 4 },
    { create: shape, grow: 'double', max: 8 },
    { create: shape, checked: true },
    { create: shape, leaks },
    { create: shape, leaks: { onLeak: () => undefined, sample: 1 } },
    { create: shape, soft: true, max: 2 },
    { create: shape, reset: () => ++reset % 3 !== 0, dispose: touch },
    {
      createBatch: (n, out) => {
        for (let k = 0; k < n; k++) out.push(shape());
        return n;
      },
      disposeBatch: (objs) => void (usedSink ^= objs.length),
      max: 4,
    },
  ];
}

/** Step 1 on one pool: single, nested, overlapping use, the conveniences, and refused misuse. */
function drive(pool: LocalPool<object>): void {
  const a = pool.acquire();
  touch(a);
  pool.release(a);
  const b = pool.acquire();
  const c = pool.tryAcquire();
  const d = pool.tryAcquire();
  if (d !== undefined) pool.release(d);
  if (c !== undefined) pool.release(c);
  pool.release(b);
  pool.use(touch);
  {
    using lease = pool.lease();
    touch(lease.value);
  }
  const e = pool.acquire();
  pool.release(e);
  try {
    pool.release(e); // a double release, refused
  } catch {
    usedSink ^= 1;
  }
  try {
    pool.release({}); // a foreign object, refused (or taken, where nothing can tell)
  } catch {
    usedSink ^= 2;
  }
  usedSink ^= pool.stats.hits;
}

function localPools(rounds: number): void {
  const pools = SHAPES.flatMap((shape, i) => optionSets(shape, i).map((o) => new LocalPool<object>(o)));
  for (let r = 0; r < rounds; r++) {
    for (const pool of pools) drive(pool);
    if (r % 50 === 49) for (const pool of pools) pool.trim(1);
  }
  for (const pool of pools) pool.close();
}

async function asyncUse(rounds: number): Promise<void> {
  const pool = new LocalPool<Point>({ create: () => new Point(), limit: 2 });
  for (let r = 0; r < rounds; r++) {
    const a = await pool.acquireAsync();
    const b = await pool.acquireAsync();
    const waiting = pool.acquireAsync();
    // Handlers go on at once: the aborted one rejects before anything else is awaited.
    const timing = pool.acquireAsync({ timeout: 1 }).then(
      (o) => pool.release(o),
      () => (usedSink ^= 4),
    );
    const ctl = new AbortController();
    const aborted = pool.acquireAsync({ signal: ctl.signal }).then(
      (o) => pool.release(o),
      () => (usedSink ^= 8),
    );
    ctl.abort();
    pool.release(a);
    const c = await waiting;
    await timing;
    await aborted;
    pool.release(b);
    pool.release(c);
    await pool.use(async (o) => touch(o));
  }
  pool.close();
}

const TOKEN = definePool<Point>({ create: () => new Point(), name: 'used.token' });
const SYMBOL_KEY = Symbol('used.symbol');

function registry(rounds: number): void {
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 20; i++) {
      const p = getLocalPool(TOKEN);
      p.release(p.acquire());
      const s = getLocalPool<Parser>('used.string', { create: () => new Parser() });
      s.release(s.acquire());
      const y = getLocalPool<Node3>(SYMBOL_KEY, { create: () => new Node3() });
      y.release(y.acquire());
    }
    if (r % 100 === 99) {
      closeLocalPool(TOKEN);
      closeLocalPool('used.string');
      closeLocalPool(SYMBOL_KEY);
    }
    const u8 = getLocalBufferPool(Uint8Array);
    u8.return(u8.rent(100));
  }
}

function bufferPools(rounds: number): void {
  const pools = [
    new BufferPool(Uint8Array),
    new BufferPool(Int32Array, { zero: 'rent' }),
    new BufferPool(Float64Array, { zero: 'return', perClass: 2 }),
    new BufferPool(BigInt64Array, { checked: true, maxLength: 1024 }),
  ] as BufferPool<Uint8Array | Int32Array | Float64Array | BigInt64Array>[];
  for (let r = 0; r < rounds; r++) {
    for (const pool of pools) {
      for (const n of [1, 16, 100, 1000]) {
        const a = pool.rent(n);
        const b = pool.rent(n);
        const c = pool.rent(n * 3);
        pool.return(c);
        pool.return(b);
        pool.return(a);
      }
      pool.return(pool.rent(pool.maxLength * 2)); // oversized
      try {
        pool.return(new Uint8Array(4) as never); // foreign, refused
      } catch {
        usedSink ^= 16;
      }
    }
  }
  for (const pool of pools) pool.close();
}

async function sharedPools(rounds: number): Promise<void> {
  for (const strategy of STRATEGIES) {
    for (const cache of [0, 4, 32]) {
      const pool = SharedPool.create({ blockSize: 64, blocks: 48, cache, strategy });
      for (let r = 0; r < rounds; r++) {
        const a = pool.acquire();
        a.bytes[0] = r;
        pool.release(a);
        const held = [];
        for (let i = 0; i < 12; i++) held.push(pool.acquire());
        const t = pool.tryAcquire();
        if (t !== undefined) pool.release(t);
        for (const b of held.reverse()) pool.release(b);
        if (r % 50 === 0) {
          pool.flush();
          const all = [];
          for (let i = 0; i < 48; i++) all.push(pool.acquire());
          const waiter = pool.acquireAsync();
          pool.release(all.pop()!);
          pool.release(await waiter);
          for (const b of all) pool.release(b);
        }
      }
      usedSink ^= pool.stats.hits;
      pool.close();
    }
  }
}

/** Step 6: one pool, one object, `HITS_PAST` acquire/release pairs. */
function pastTwoToThe31(): void {
  const pool = new LocalPool<Point>({ create: () => new Point() });
  for (let i = 0; i < HITS_PAST; i++) pool.release(pool.acquire());
  usedSink ^= pool.stats.hits;
  pool.close();
}

/** What step 7 drives: the owner slot of `owner_slot_get_put`, through its miss branch. */
export interface SlotLike {
  get(): object;
  put(o: object): void;
}

function ownerSlot(slot: SlotLike, rounds: number): void {
  for (let r = 0; r < rounds * 20; r++) {
    const a = slot.get();
    const b = slot.get();
    const c = slot.get();
    touch(a);
    slot.put(c);
    slot.put(b);
    slot.put(a);
  }
}

let ran: Promise<void> | undefined;

/**
 * Runs the used program once in this process (later calls return the same promise), on `slot`, the
 * hand-written owner slot the `_used` rows are read against.
 */
export function runUsedProgram(slot: SlotLike, quick: boolean): Promise<void> {
  ran ??= (async () => {
    const rounds = quick ? QUICK_ROUNDS : ROUNDS;
    localPools(rounds);
    await asyncUse(Math.ceil(rounds / 10));
    registry(rounds);
    bufferPools(rounds);
    await sharedPools(rounds);
    if (!quick) pastTwoToThe31();
    ownerSlot(slot, rounds);
  })();
  return ran;
}
