/**
 * `isopool-bench --chart`: the page the CLI writes, opened in the headless Chromium the browser tests
 * use, offline: every timed case (from the same run's --json) is drawn as a bar with its figure and
 * ratio, and the page asks the network for nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromiumOrSkip, launchChromium } from './browser/launch.js';

const CLI = fileURLToPath(new URL('../../benchmarks/build/cli.js', import.meta.url));

interface Drawn {
  name: string;
  barWidth: number;
  ns: string;
  ratio: string;
}

/** Evaluated in the page (a string: this file is compiled without the DOM lib). */
const DRAWN = `Array.from(document.querySelectorAll('svg g.case'), (g) => ({
  name: g.getAttribute('data-case') ?? '',
  barWidth: g.querySelector('rect.bar')?.getBBox().width ?? 0,
  ns: g.querySelector('text.ns')?.textContent ?? '',
  ratio: g.querySelector('text.ratio')?.textContent ?? '',
}))`;

const chromium = chromiumOrSkip(test, 'bench-chart.test');
if (chromium !== undefined) {
  test('the --chart page draws a bar, its figure and its ratio for every timed case, and fetches nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isopool-chart-'));
    try {
      const json = join(dir, 'run.json');
      const chart = join(dir, 'chart.html');
      const cases = ['tls_get_put', 'owner_slot_get_put', 'reusify_get_put', 'alloc_u8_16k'];
      const args = [CLI, '--quick', '--in-process', '--exact', ...cases.flatMap((c) => ['--filter', c]), '--json', json, '--chart', chart];
      const code = await new Promise<number>((resolve) => execFile(process.execPath, args, (err) => resolve(err === null ? 0 : 1)));
      assert.is(code, 0);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { cases: { name: string; ratio: number | null; nsPerIter: number }[] };
      assert.equal(report.cases.map((c) => c.name), cases);

      const browser = await launchChromium(chromium);
      try {
        const page = await browser.newPage();
        const url = pathToFileURL(chart).href;
        const requested: string[] = [];
        page.on('request', (r) => requested.push(r.url()));
        await page.goto(url);
        const drawn = await page.evaluate<Drawn[]>(DRAWN);
        assert.equal(drawn.map((d) => d.name), cases);
        for (const d of drawn) {
          assert.ok(d.barWidth > 0, `${d.name}: its bar is drawn`);
          assert.match(d.ns, /^[\d,.]+ ns\/iter \(\+\/- [\d,.]+\)$/, d.name);
        }
        assert.equal(drawn.map((d) => d.ratio.endsWith('x')), cases.map(() => true));
        assert.is(drawn[0]!.ratio, '1.00x');
        // The bars follow the report: the case the run timed slowest has the longest bar (which case
        // that is, is the run's business: this test asserts nothing about speed).
        const slowest = report.cases.reduce((a, b) => (b.nsPerIter > a.nsPerIter ? b : a));
        const longest = drawn.reduce((a, b) => (b.barWidth > a.barWidth ? b : a));
        assert.is(longest.name, slowest.name);
        assert.equal(requested, [url]);
      } finally {
        await browser.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
