/**
 * SharedPool over damaged memory, every strategy: random bytes of the header, the owner and GEN
 * tables, the free structure and the bits are overwritten in a quiescent pool; then `attach` either
 * refuses the buffer (ERR_BAD_HANDLE) or the new attachment and the pool's creator go on lending.
 * Either way no call may hang and no block may be lent twice (regression: damage hung `mutex` in 4
 * of 48 trials and `mpmc` in 3, and made `treiber` lend a block twice in 1). Blocks may be lost:
 * damage can make any owner word say "lent". Prints the totals (the README's Reliability table).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { PoolError, SharedPool, type Block } from '../src/index.js';
import { H } from '../src/shared/layout.js';
import { STRATEGIES } from './helpers/shared.js';

const TRIALS = 64;
const BLOCKS = 24;
/** Not a speed claim: a damaged lock word costs each isolate one PATIENCE_MS wait (100 ms); a hang never ends. */
const WEDGE_MS = 20_000;

/** One call: which of the pools, what (0-99: acquire, release by Block or index, flush), and which block. */
type Op = [pool: number, what: number, which: number];

/** Runs `ops` on `pools`; returns the number of blocks lent twice. */
function exercise(pools: SharedPool[], ops: Op[], held: Map<number, Block>): number {
  let doubles = 0;
  for (const [p, what, which] of ops) {
    const pool = pools[p % pools.length]!;
    try {
      if (what < 45) {
        const b = what < 40 ? pool.tryAcquire() : pool.acquireSync({ timeout: 0 });
        if (b !== undefined) {
          if (held.has(b.index)) doubles++;
          held.set(b.index, b);
        }
      } else if (what < 90 && held.size > 0) {
        const [index, b] = [...held][which % held.size]!;
        held.delete(index);
        pool.release(what < 70 ? b : index);
      } else {
        pool.flush();
      }
    } catch (error) {
      if (!(error instanceof PoolError)) throw error; // exhaustion, timeouts, refusals: fine
    }
  }
  return doubles;
}

const op = fc.tuple(fc.nat(), fc.nat(99), fc.nat());
const trial = fc.record({
  before: fc.array(op, { minLength: 60, maxLength: 60 }),
  damage: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }),
  attachCache: fc.constantFrom(0, 4),
  after: fc.array(op, { minLength: 60, maxLength: 60 }),
});

for (const strategy of STRATEGIES) {
  const test = suite(`SharedPool over damaged memory (${strategy})`);

  test(`${TRIALS} trials of random damage: attach refuses or the pool goes on; no hang, no block lent twice`, () => {
    let refused = 0;
    let doubles = 0;
    const started = performance.now();
    fc.assert(
      fc.property(trial, ({ before, damage, attachCache, after }) => {
        const pool = SharedPool.create({ blockSize: 64, blocks: BLOCKS, cache: 4, strategy });
        const held = new Map<number, Block>();
        let lentTwice = exercise([pool], before, held);
        for (const [, b] of held) pool.release(b);
        held.clear();
        pool.flush();
        // Damage anywhere before the blocks: header, owner and GEN tables, free structure, bits.
        const bytes = new Uint8Array(pool.handle.sab, 0, new Int32Array(pool.handle.sab)[H.BLOCKS_OFFSET]!);
        for (const [at, value] of damage) bytes[at % bytes.length] = value;
        const pools = [pool];
        try {
          pools.push(SharedPool.attach(pool.handle, { cache: attachCache }));
        } catch (error) {
          assert.instance(error, PoolError);
          refused++;
        }
        lentTwice += exercise(pools, after, held);
        doubles += lentTwice;
        assert.is(lentTwice, 0, 'a block was lent twice');
      }),
      { numRuns: TRIALS },
    );
    const elapsed = performance.now() - started;
    console.log(`  damage ${strategy}: ${TRIALS} trials, ${refused} refused by attach, ${doubles} double lends, no hang (${Math.round(elapsed)} ms in all)`);
    assert.ok(elapsed < WEDGE_MS * 4, 'a damaged pool held a call up');
  });

  test.run();
}
