/**
 * isopool in a real browser: Debian's Chromium, headless, driven by playwright-core, loading the
 * compiled library from a loopback test server (tests/browser/server.ts). The page-side code lives in
 * tests/browser/page/; each test calls one of its entry points and asserts on the result here.
 *
 * Without a Chromium (see .ci/setup-browser, or set ISOPOOL_CHROMIUM) this file prints
 * "skipped: no Chromium" and registers no test, except under .ci/run (ISOPOOL_CI=1), where a missing
 * browser fails: CI installs one first, so it always runs these tests.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { chromiumOrSkip } from './browser/launch.js';
import { openPages, type Session } from './browser/session.js';
import type { LocalResult } from './browser/page/local.js';
import type { Environment } from './browser/page/suite.js';

const WORKERS = 4;

function assertLocal(r: LocalResult, tag: string): void {
  assert.is(r.tag, tag);
  assert.ok(r.samePool, `${tag}: getLocalPool returned another pool for the same key`);
  assert.equal(r.madeBy, [tag, tag], `${tag}: its registry pool lent objects made by another isolate`);
  assert.ok(r.reused, `${tag}: a released object was not lent again`);
  assert.is(r.created, 2);
  assert.ok(r.slotStable, `${tag}: acquire/release pairs did not reuse the owner slot's object`);
  assert.is(r.slotCreated, 1);
  assert.is(r.exhausted?.name, 'PoolError');
  assert.is(r.exhausted?.code, 'ERR_POOL_EXHAUSTED');
  assert.is(r.tryAtLimit, 'undefined');
  assert.is(r.waitingWhilePending, 1);
  assert.ok(r.asyncGotReleased, `${tag}: acquireAsync was not served by the release`);
}

const chromium = chromiumOrSkip(test, 'browser.test');
if (chromium !== undefined) {
  let session: Session;
  let iso: Page;
  let plain: Page;
  test.before(async () => void ({ session, iso, plain } = await openPages(chromium)));
  test.after(async () => await session?.close());

  test('the iso page is cross-origin isolated and has SharedArrayBuffer; the plain page has neither', async () => {
    const isoEnv = await session.call<Environment>(iso, 'environment');
    assert.ok(isoEnv.crossOriginIsolated);
    assert.ok(isoEnv.sharedArrayBuffer);
    assert.match(isoEnv.userAgent, /Chrome\/\d+/);
    const plainEnv = await session.call<Environment>(plain, 'environment');
    assert.not.ok(plainEnv.crossOriginIsolated);
    assert.not.ok(plainEnv.sharedArrayBuffer);
  });

  for (const variant of ['iso', 'plain'] as const) {
    test(`${variant} page: the main thread and each of ${WORKERS} Web Workers get their own LocalPool from getLocalPool`, async () => {
      const page = variant === 'iso' ? iso : plain;
      const r = await session.call<{ main: LocalResult; workers: LocalResult[] }>(page, 'runLocal');
      assertLocal(r.main, 'main');
      assert.is(r.workers.length, WORKERS);
      r.workers.forEach((w, i) => assertLocal(w, `worker-${i}`));
    });
  }

  test('no page threw or logged an error', () => {
    assert.equal(session.problems, []);
  });
}

test.run();
