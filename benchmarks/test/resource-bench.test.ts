/**
 * The async bench cases (benchmarks/resource.cases.ts) and the runner's support for them: each case
 * validates (lends, takes back, loops its batch on idle resources only), an async case's calls are
 * awaited one after another (never overlapping, so a call's time is its batch's), and an async
 * validation that rejects stops the case before timing. Shape only: nothing here asserts on speed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resourceCases } from '../resource.cases.js';
import { QUICK_TIMING, runCase } from '../runner.js';

const bench = suite('resource bench cases');

bench('every async case validates: it lends, takes back, and loops its batch without creating', async () => {
  const all = resourceCases();
  assert.equal(
    all.map((c) => c.name),
    ['resource_await', 'resource_idle_get_put', 'resource_idle_validate_get_put', 'generic_pool_get_put', 'tarn_get_put'],
  );
  for (const c of all) {
    assert.is(c.group, 'resource');
    assert.ok(c.batch >= 1000, `${c.name} batch`);
    await c.validate();
    c.teardown?.();
  }
});

bench('runCase awaits an async case: validation first, then one timed call at a time', async () => {
  let validated = false;
  let inFlight = 0;
  let most = 0;
  let started = 0;
  let calls = 0;
  const r = await runCase(
    {
      name: 'async_loop',
      group: 'resource',
      batch: 1000,
      async fn() {
        // benny probes an async function by calling it twice before timing (not awaited: its
        // prepareCaseFn); from the third call on, every call is timed and must run alone.
        if (started++ >= 2) most = Math.max(most, inFlight + 1);
        inFlight++;
        for (let i = 0; i < 1000; i++) await i;
        inFlight--;
        calls++;
      },
      async validate() {
        await null;
        validated = true;
      },
    },
    QUICK_TIMING,
  );
  assert.ok(validated);
  assert.ok(calls > 2);
  assert.is(most, 1, 'timed calls never overlap: each one was awaited');
  assert.ok(r.ns > 0 && Number.isFinite(r.ns));
});

bench('an async validation that rejects is never timed, and its error names the case', async () => {
  let calls = 0;
  let err: unknown;
  try {
    await runCase(
      {
        name: 'async_broken',
        group: 'resource',
        batch: 1000,
        async fn() {
          calls++;
        },
        async validate() {
          throw new Error('validation failed: async_broken lends nothing');
        },
      },
      QUICK_TIMING,
    );
  } catch (e) {
    err = e;
  }
  assert.match(String(err), /async_broken lends nothing/);
  assert.is(calls, 0);
});

bench.run();
