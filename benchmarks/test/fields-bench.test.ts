/**
 * The typed-field bench cases (benchmarks/fields.cases.ts): the baseline first, each validates (it
 * writes and reads its records) and a quick timed run completes. Shape only: nothing here asserts
 * on speed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fieldsCases } from '../fields.cases.js';
import { QUICK_TIMING, runCase } from '../runner.js';

const bench = suite('fields bench cases');

bench('the plain object first, then a typed array, then a block\'s fields, all in the fields group', () => {
  assert.equal(
    fieldsCases().map((c) => [c.name, c.group]),
    [
      ['fields_object', 'fields'],
      ['fields_typed_array', 'fields'],
      ['fields_block', 'fields'],
    ],
  );
});

bench('each case validates and is timed; the block case gives its blocks back', async () => {
  for (const c of fieldsCases()) {
    const r = await runCase(c, QUICK_TIMING);
    assert.ok(r.ns > 0 && Number.isFinite(r.ns), `${c.name} timed`);
  }
});

bench.run();
