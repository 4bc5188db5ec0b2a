/**
 * mempool's table (benchmarks/mempool-table.ts) and its two structure rows: the six rows in
 * mempool's README order with its quoted figures, ratios to each table's own tls row, rows the run
 * did not time shown as `-`; the structure cases validate; the CLI prints the table after the case
 * lines and keeps it in the JSON report. Format and shape only: nothing here asserts on speed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MEMPOOL_ROWS, mempoolRows, mempoolTable } from '../mempool-table.js';
import { structureCases } from '../structure.cases.js';
import { runCli } from './helpers/run-cli.js';

const table = suite("mempool's table");

table("six rows in mempool's order, each with the case that stands for it and mempool's quoted figure", () => {
  assert.equal(
    MEMPOOL_ROWS.map((r) => [r.mempool, r.isopool, r.mempoolNs]),
    [
      ['crossbeam_ms_get_put', 'ms_get_put', 105],
      ['crossbeam_seg_get_put', 'seg_get_put', 87],
      ['crossbeam_treiber_get_put', 'treiber_get_put', 93],
      ['mempool_get_put_tls', 'tls_get_put', 1],
      ['mpmc_get_put', 'mpmc_get_put', 30],
      ['mutex_get_put', 'mutex_get_put', 46],
    ],
  );
});

table('ratios against each side\'s own tls row; a row the run did not time is -', () => {
  const rows = mempoolRows(new Map([['tls_get_put', 5], ['ms_get_put', 150], ['treiber_get_put', 100]]));
  assert.equal(
    rows.map((r) => [r.isopool, r.ns, r.ratio, r.mempoolRatio]),
    [
      ['ms_get_put', 150, 30, 105],
      ['seg_get_put', null, null, 87],
      ['treiber_get_put', 100, 20, 93],
      ['tls_get_put', 5, 1, 1],
      ['mpmc_get_put', null, null, 30],
      ['mutex_get_put', null, null, 46],
    ],
  );
  const lines = mempoolTable(rows);
  assert.match(lines[0]!, /github\.com\/BurntSushi\/mempool README\.md, section Benchmarks, commit 19ff2b0/);
  assert.match(lines[3]!, /^crossbeam_ms_get_put\s+ms_get_put\s+150\s+30\.0x\s+105 \(\+\/- 4\)\s+105x$/);
  assert.match(lines[4]!, /^crossbeam_seg_get_put\s+seg_get_put\s+-\s+-\s+87 \(\+\/- 25\)\s+87\.0x$/);
  assert.is(lines.length, 3 + 6);
  // Without tls_get_put in the run, no ratio: the figures alone.
  assert.equal(mempoolRows(new Map([['ms_get_put', 150]]))[0]!.ratio, null);
});

table.run();

const structures = suite('ms_get_put and seg_get_put: the structure cases');

structures('both validate (distinct blocks, a double release caught, every block lent once, none left lent) and run a batch', () => {
  const all = structureCases();
  assert.equal(all.map((c) => [c.name, c.group]), [
    ['ms_get_put', 'mempool'],
    ['seg_get_put', 'mempool'],
  ]);
  for (const c of all) {
    c.validate();
    c.fn();
    assert.is(c.extra!()['blocks'], 256);
    c.teardown?.();
  }
});

structures.run();

const cli = suite("the CLI prints mempool's table");

cli('after the case lines, in mempool\'s order, and in the JSON report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isopool-mempool-'));
  try {
    const json = join(dir, 'r.json');
    const { code, stdout } = await runCli(['--quick', '--in-process', '--exact', '--filter', 'tls_get_put', '--filter', 'seg_get_put', '--filter', 'ms_get_put', '--json', json]);
    assert.is(code, 0, stdout);
    const at = stdout.indexOf("mempool's table in its row order");
    assert.ok(at > stdout.indexOf('bench::seg_get_put'), 'the table comes after the case lines');
    const rows = stdout.slice(at).split('\n').slice(3, 9).map((l) => l.split(/\s+/)[0]);
    assert.equal(rows, MEMPOOL_ROWS.map((r) => r.mempool));
    const report = JSON.parse(readFileSync(json, 'utf8')) as { mempool: Array<{ isopool: string; ns: number | null }> };
    assert.equal(report.mempool.map((r) => r.ns !== null), [true, true, false, true, false, false]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

cli('a run without any of mempool\'s shared rows prints no table', async () => {
  const { code, stdout } = await runCli(['--quick', '--in-process', '--exact', '--filter', 'tls_get_put']);
  assert.is(code, 0, stdout);
  assert.not.match(stdout, /mempool's table/);
});

cli.run();
