/**
 * The Node matrix (`--node`) and the `_used` rows: the matrix's pure parts (majors, medians, the
 * ratio table and its targets), its flags, and the CLI timing the `_used` rows in one child after
 * the used program. Shape only: nothing here asserts on speed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs, UsageError } from '../args.js';
import { MATRIX_ROWS, matrixTable, median, parseMajors, ratios, TARGETS, type VersionRuns } from '../matrix.js';
import { usedCases, USED_REFERENCE } from '../used.cases.js';
import { runCli } from './helpers/run-cli.js';

const CARGO_NAME = /^test bench::(\w+) +\.\.\. bench: /;

const matrix = suite('the Node matrix: majors, medians, the ratio table');

matrix('parseMajors takes majors separated by commas, once each, and refuses anything else', () => {
  assert.equal(parseMajors('20,22,24,26'), [20, 22, 24, 26]);
  assert.equal(parseMajors('24, 24'), [24]);
  for (const bad of ['', '20,', 'v20', '20.1', '16', 'twenty']) {
    assert.throws(() => parseMajors(bad), (e: Error) => e instanceof RangeError && e.message.includes(JSON.stringify(bad)), bad);
  }
});

matrix('median: the middle value, or the mean of the middle two', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

matrix('each target\'s ratio is taken inside one run, and the table marks the ones over their limit', () => {
  const v: VersionRuns = {
    major: 20,
    node: '20.0.0',
    runs: [
      { tls_get_put_used: 3, owner_slot_get_put_used: 3, tls_get_put: 3, tls_lease_using: 30 },
      { tls_get_put_used: 6, owner_slot_get_put_used: 4, tls_get_put: 10, tls_lease_using: 20 },
      { tls_get_put_used: 4, owner_slot_get_put_used: 4 },
    ],
  };
  const slot = TARGETS.find((t) => t.row === 'tls_get_put_used')!;
  assert.equal(ratios(v, slot), [1, 1.5, 1]);
  const lease = TARGETS.find((t) => t.row === 'tls_lease_using')!;
  assert.equal(ratios(v, lease), [10, 2]);
  const table = matrixTable([v]);
  assert.match(table, /\| tls_get_put_used \/ owner_slot_get_put_used \(<= 1\.2x\) \| 1\.00x ok \|/);
  assert.match(table, /\| tls_lease_using \/ tls_get_put \(<= 8x\) \| 6\.00x ok \|/);
  assert.match(table, /\| tls_get_used \/ owner_slot_get_put_used \(<= 1\.3x\) \| - \|/);
  assert.match(table, /\| tls_get_put_used \| 4\.00 \|/);
  const over = matrixTable([{ ...v, runs: [{ tls_get_put_used: 5, owner_slot_get_put_used: 2 }] }]);
  assert.match(over, /\| 2\.50x \*\*over\*\* \|/);
});

matrix('every row a target reads is a row the matrix times, and a _used row exists for each', () => {
  for (const t of TARGETS) {
    assert.ok((MATRIX_ROWS as readonly string[]).includes(t.row), t.row);
    assert.ok((MATRIX_ROWS as readonly string[]).includes(t.against), t.against);
  }
  const used = usedCases({ quick: true }).map((c) => c.name);
  assert.equal(
    used.sort(),
    MATRIX_ROWS.filter((r) => r.endsWith('_used')).sort(),
  );
});

matrix('--node and --runs parse, and refuse what does not go with them', () => {
  const o = parseArgs(['--node', '20,22', '--runs', '3']);
  assert.is(o.node, '20,22');
  assert.is(o.runs, 3);
  assert.is(parseArgs([]).runs, 1);
  const bad: Array<[string[], RegExp]> = [
    [['--node', '20', '--filter', 'tls'], /--node runs its own rows/],
    [['--runs', '2'], /--runs goes with --node/],
    [['--node', '20', '--runs', '0'], /--runs must be an integer from 1 to 100, received "0"/],
  ];
  for (const [argv, re] of bad) {
    assert.throws(() => parseArgs(argv), (e: Error) => e instanceof UsageError && re.test(e.message), argv.join(' '));
  }
});

matrix('a bad --node list is exit status 2 with the reason', async () => {
  const { code, stderr } = await runCli(['--node', '20,x']);
  assert.is(code, 2);
  assert.match(stderr, /--node takes Node majors separated by commas/);
});

matrix.run();

// -------------------------------------------------------------------------------------------------
const used = suite('the _used rows: one child, after the used program');

used('the _used rows run in one child, reference first, each read against the used owner slot', async () => {
  const { code, stdout } = await runCli(['--quick', '--filter', '_used']);
  assert.is(code, 0, stdout);
  const rows = stdout.split('\n').filter((l) => l.startsWith('test bench::'));
  const names = rows.map((l) => CARGO_NAME.exec(l)?.[1]);
  assert.is(names[0], USED_REFERENCE);
  assert.equal([...names].sort(), MATRIX_ROWS.filter((r) => r.endsWith('_used')).sort());
  assert.match(rows[0]!, / 1\.00x$/);
});

used.run();
