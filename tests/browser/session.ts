/**
 * One browser session for a test file or a script: the test server plus a launched Chromium, and a
 * helper that opens a page variant and calls an export of tests/browser/page/suite.js in it.
 */
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './launch.js';
import { startServer, type TestServer, type Variant } from './server.js';

export interface Session {
  readonly server: TestServer;
  readonly browser: Browser;
  /** Opens a fresh tab on `variant`'s page; page errors and console errors are collected in `problems`. */
  open(variant: Variant): Promise<Page>;
  /** Imports suite.js into `page` and returns `await suite[name](arg)`. */
  call<R>(page: Page, name: string, arg?: unknown): Promise<R>;
  /** Uncaught page errors and console errors seen in any page so far. */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function startSession(executablePath: string): Promise<Session> {
  const server = await startServer();
  let browser: Browser;
  try {
    browser = await launchChromium(executablePath);
  } catch (err) {
    await server.close();
    throw err;
  }
  const problems: string[] = [];
  return {
    server,
    browser,
    problems,
    async open(variant) {
      const page = await browser.newPage();
      page.on('pageerror', (err) => problems.push(`pageerror on ${variant}: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console.error on ${variant}: ${msg.text()}`);
      });
      await page.goto(server.pageUrl(variant));
      return page;
    },
    call<R>(page: Page, name: string, arg?: unknown): Promise<R> {
      return page.evaluate(
        async ([name, arg]) => {
          const suite = (await import('./tests/browser/page/suite.js' as string)) as Record<string, (a: unknown) => unknown>;
          const fn = suite[name];
          if (typeof fn !== 'function') throw new Error(`suite.js has no export ${name}`);
          return fn(arg);
        },
        [name, arg] as const,
      ) as Promise<R>;
    },
    async close() {
      try {
        await browser.close();
      } finally {
        await server.close();
      }
    },
  };
}

/** A session with both page variants open: what the browser test files share. */
export interface PageSet {
  session: Session;
  iso: Page;
  plain: Page;
}

/** Starts a session and opens the cross-origin-isolated and the plain page in it. */
export async function openPages(executablePath: string): Promise<PageSet> {
  const session = await startSession(executablePath);
  try {
    return { session, iso: await session.open('iso'), plain: await session.open('plain') };
  } catch (err) {
    await session.close();
    throw err;
  }
}
