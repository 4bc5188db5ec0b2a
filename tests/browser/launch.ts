/**
 * Launches the system Chromium (Debian's `chromium` package, installed by .ci/setup-browser) through
 * playwright-core. playwright-core never downloads a browser; we always pass `executablePath`.
 *
 * Flags keep the browser off the network and out of the machine's state: no background networking,
 * component updates, sync or QUIC, no first-run UI, and a fresh `--user-data-dir` (a mkdtemp folder,
 * given to launchPersistentContext, which is how playwright takes a user data dir) removed on close.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian installs Chromium; ISOPOOL_CHROMIUM overrides it (another build, another distro). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
] as const;

/** The Chromium executable to use, or undefined when there is none on this machine. */
export function findChromium(): string | undefined {
  const path = process.env['ISOPOOL_CHROMIUM'] || DEFAULT_CHROMIUM;
  return existsSync(path) ? path : undefined;
}

/**
 * For a browser test file: the Chromium to run in, or undefined after printing a visible
 * "skipped: no Chromium" line (the file then registers no test). Under .ci/run (ISOPOOL_CI=1) a
 * missing Chromium registers one failing test instead: CI installs it first, so it must be there.
 */
export function chromiumOrSkip(test: (name: string, fn: () => void) => void, file: string): string | undefined {
  const found = findChromium();
  if (found !== undefined) return found;
  const where = process.env['ISOPOOL_CHROMIUM'] || DEFAULT_CHROMIUM;
  if (process.env['ISOPOOL_CI'] === '1') {
    test('CI has a Chromium to run the browser tests in', () => {
      throw new Error(`no Chromium at ${where} although .ci/setup-browser ran`);
    });
  } else {
    console.log(`${file}: skipped: no Chromium (looked for ${where}; .ci/setup-browser installs it)`);
  }
  return undefined;
}

export interface Browser {
  readonly context: BrowserContext;
  /** A new tab. */
  newPage(): Promise<Page>;
  /** Closes the browser and removes its user data dir. */
  close(): Promise<void>;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'isopool-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      // The browser must not wait on anything outside 127.0.0.1; a stuck launch fails fast.
      timeout: 30_000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
