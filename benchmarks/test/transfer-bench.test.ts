/**
 * The transfer bench cases (benchmarks/transfer.cases.ts): each validates (the array goes to a real
 * worker and comes back; the pooled case takes back every array a call moves and makes none), a
 * timed quick run completes with the round trips overlapping as benny probes them, and teardown
 * stops the worker. Shape only: nothing here asserts on speed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { transferCases } from '../transfer.cases.js';
import { QUICK_TIMING, runCase } from '../runner.js';

const bench = suite('transfer bench cases');

bench('the baseline first, then the pooled case, both in the transfer group', () => {
  assert.equal(
    transferCases().map((c) => [c.name, c.group]),
    [
      ['transfer_alloc', 'transfer'],
      ['transfer_pool', 'transfer'],
    ],
  );
});

bench('each case validates against a real worker and is timed, its extra columns read after', async () => {
  for (const c of transferCases()) {
    const r = await runCase(c, QUICK_TIMING);
    assert.ok(r.ns > 0 && Number.isFinite(r.ns), `${c.name} timed`);
    assert.is(r.extra?.['bytes'], 16384);
    if (c.name === 'transfer_pool') assert.ok(Number(r.extra?.['transferred']) > c.batch, 'the pool took back what the timed calls moved');
  }
});

bench.run();
