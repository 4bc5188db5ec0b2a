/**
 * Prints the browser's ns per acquire+release pair, measured in the page (tests/browser/page/bench.ts):
 *
 *   npm run build && node build/tests/browser/bench-page.js [pairs] [batches]
 *
 * Defaults: 1,000,000 pairs a batch, 7 batches a row; the median is printed, then every batch.
 */
import { cpus } from 'node:os';
import { findChromium } from './launch.js';
import { startSession } from './session.js';
import type { BenchRow } from './page/bench.js';

const pairs = Number(process.argv[2] ?? 1_000_000);
const batches = Number(process.argv[3] ?? 7);

const chromium = findChromium();
if (chromium === undefined) {
  console.error('no Chromium: run .ci/setup-browser, or set ISOPOOL_CHROMIUM');
  process.exit(1);
}
const session = await startSession(chromium);
try {
  const page = await session.open('iso');
  const rows = await session.call<BenchRow[]>(page, 'bench', { pairs, batches });
  const version = session.browser.context.browser()?.version() ?? (await page.evaluate<string>('navigator.userAgent'));
  console.log(`Chromium ${version} (headless), page main thread, cross-origin isolated`);
  console.log(`Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}, ${new Date().toISOString().slice(0, 10)}`);
  console.log(`${pairs.toLocaleString('en-US')} pairs a batch, median of ${batches} batches`);
  console.log('');
  for (const r of rows) {
    console.log(`${r.name.padEnd(14)} ${r.ns.toFixed(2).padStart(8)} ns/iter   [${r.batches.map((b) => b.toFixed(2)).join(', ')}]`);
  }
  if (session.problems.length > 0) console.error(session.problems.join('\n'));
} finally {
  await session.close();
}
