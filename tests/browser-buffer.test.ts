/**
 * BufferPool in a real browser (see browser.test.ts for the setup): on the main thread and in 4 Web
 * Workers of a cross-origin isolated page, and of a page that is not isolated (where SharedPool cannot
 * exist, BufferPool must keep working). The page side is tests/browser/page/buffer.ts.
 *
 * PENDING: written before src/buffer-pool.ts (branch `regex`) was merged, so it is named
 * `.pending.ts` and uvu does not run it. Once BufferPool is on main: `git mv
 * tests/browser-buffer.pending.ts tests/browser-buffer.test.ts`. (Checked against regex's 8047102.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromiumOrSkip } from './browser/launch.js';
import { startSession, type Session } from './browser/session.js';
import type { BufferResult } from './browser/page/buffer.js';

const WORKERS = 4;

function assertBuffer(r: BufferResult, tag: string): void {
  assert.is(r.tag, tag);
  assert.is(r.rentedLength, 128);
  assert.ok(r.reused, `${tag}: a returned array was not rented again`);
  assert.is(r.foreign?.name, 'PoolError');
  assert.is(r.foreign?.code, 'ERR_FOREIGN_OBJECT');
  assert.ok(r.sameLocal, `${tag}: getLocalBufferPool gave two pools for one type`);
}

const chromium = chromiumOrSkip(test, 'browser-buffer.test');
if (chromium !== undefined) {
  let session: Session;

  test.before(async () => {
    session = await startSession(chromium);
  });

  test.after(async () => {
    await session?.close();
  });

  for (const variant of ['plain', 'iso'] as const) {
    test(`${variant} page: BufferPool rents, reuses and refuses foreign arrays on the main thread and in ${WORKERS} Web Workers`, async () => {
      const page = await session.open(variant);
      const r = await session.call<{ main: BufferResult; workers: BufferResult[] }>(page, 'runBuffer');
      assertBuffer(r.main, 'main');
      assert.is(r.workers.length, WORKERS);
      r.workers.forEach((w, i) => assertBuffer(w, `worker-${i}`));
      await page.close();
    });
  }

  test('no page threw or logged an error', () => {
    assert.equal(session.problems, []);
  });
}

test.run();
