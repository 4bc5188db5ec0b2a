/**
 * SharedPool in a real browser (see browser.test.ts for the setup): a pool made on a cross-origin
 * isolated page and shared with 4 Web Workers, the main thread's waits, and the error on a page that
 * is not isolated. The page side is tests/browser/page/shared.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { chromiumOrSkip } from './browser/launch.js';
import { openPages, type Session } from './browser/session.js';
import type { RingResult, WakeResult } from './browser/page/shared.js';
import type { ErrorInfo } from './browser/page/web.js';

const WORKERS = 4;
const STRATEGIES = ['mutex', 'treiber', 'mpmc', 'bitmap'] as const;
/** Ring size: 64 blocks, 4 workers each handing on 4 blocks a round for 300 rounds (4,800 handoffs). */
const RING = { workers: WORKERS, blocks: 64, rounds: 300, batch: 4, cache: 4 } as const;

const chromium = chromiumOrSkip(test, 'browser-shared.test');
if (chromium !== undefined) {
  let session: Session;
  let iso: Page;
  let plain: Page;
  test.before(async () => void ({ session, iso, plain } = await openPages(chromium)));
  test.after(async () => await session?.close());

  test('plain page: SharedPool.create fails with ERR_SAB_UNAVAILABLE, naming the missing COOP and COEP headers', async () => {
    const { threw } = await session.call<{ threw: ErrorInfo | undefined }>(plain, 'createWithoutIsolation');
    assert.ok(threw, 'SharedPool.create succeeded on a page that is not cross-origin isolated');
    assert.is(threw.name, 'PoolError');
    assert.is(threw.code, 'ERR_SAB_UNAVAILABLE');
    assert.match(threw.message, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(threw.message, /Cross-Origin-Embedder-Policy: require-corp/);
  });

  for (const strategy of STRATEGIES) {
    test(`iso page: a ${strategy} SharedPool made on the main thread is shared by ${WORKERS} Web Workers; blocks handed on are released in another worker, none held twice, none lost`, async () => {
      const r = await session.call<RingResult>(iso, 'runRing', { strategy, ...RING });
      assert.is(r.strategy, strategy);
      assert.is(r.workers.length, WORKERS);
      const handoffs = RING.rounds * RING.batch;
      for (const w of r.workers) {
        assert.equal(w.firstViolations, [], `worker ${w.me} saw a block held twice`);
        assert.is(w.violations, 0);
        assert.is(w.strategy, strategy);
        assert.is(w.sent, handoffs);
        assert.is(w.received, handoffs);
        assert.is(w.cycled, RING.rounds);
        assert.is(w.cachedAfterFlush, 0, `worker ${w.me} kept blocks cached after flush()`);
      }
      const ids = [r.pageOwnerId, ...r.workers.map((w) => w.ownerId)];
      assert.is(new Set(ids).size, ids.length, `owner ids were reused: ${ids.join(', ')}`);
      // Nothing lost: once every worker flushed and closed, every block is free again...
      assert.is(r.free + r.cachedHere, RING.blocks);
      // ...and the page can take each of them exactly once, then no more.
      assert.is(r.drained, RING.blocks);
      assert.is(r.drainedDistinct, RING.blocks);
      assert.is(r.afterDrain, 'undefined');
      assert.is(r.stampedAtEnd, 0);
      // Every stamp left its mark: the blocks really went round.
      assert.is(r.turns, WORKERS * (handoffs + RING.rounds));
    });
  }

  let wake: Promise<WakeResult> | undefined;
  const runWake = (): Promise<WakeResult> => (wake ??= session.call<WakeResult>(iso, 'runWake'));

  test('iso page: with every block out, acquire() throws ERR_POOL_EXHAUSTED and acquireSync() on the main thread is refused with ERR_WAIT_NOT_ALLOWED', async () => {
    const r = await runWake();
    assert.is(r.exhausted?.name, 'PoolError');
    assert.is(r.exhausted?.code, 'ERR_POOL_EXHAUSTED');
    assert.is(r.tryWhenOut, 'undefined');
    assert.ok(r.syncRefused, 'acquireSync() did not throw on the main thread');
    assert.is(r.syncRefused.name, 'PoolError');
    assert.is(r.syncRefused.code, 'ERR_WAIT_NOT_ALLOWED');
  });

  test('iso page: acquireAsync() on the main thread is woken by a block a Web Worker releases', async () => {
    const r = await runWake();
    assert.is(r.woke, r.released);
    assert.ok(r.waitsAfter >= 1, `stats.waits is ${r.waitsAfter} after a wait`);
  });

  test('no page threw or logged an error', () => {
    assert.equal(session.problems, []);
  });
}

test.run();
