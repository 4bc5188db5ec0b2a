/**
 * Oracle: the workload's Pike VM against JavaScript's own RegExp (`d` flag indices), for every
 * pattern and every line of the corpus (benchmarks/workloads/corpus.txt, 3,400 lines), with each of the
 * three scratch sources. Any difference in match span or in any capture group fails.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCorpus, PATTERNS } from '../workloads/corpus.js';
import { Regex, SCRATCH_SOURCES } from '../workloads/regex/regex.js';

const lines = loadCorpus();

type Indices = ([number, number] | undefined)[] | null;

function expected(re: RegExp, line: string): Indices {
  const m = re.exec(line);
  return m === null ? null : Array.from(m.indices!, (span) => (span === undefined ? undefined : [span[0], span[1]] as [number, number]));
}

const corpus = suite('regex workload corpus');

corpus('reads the 3,400 lines of benchmarks/workloads/corpus.txt', () => {
  assert.is(lines.length, 3400);
  assert.ok(lines.every((l) => l.trim() !== ''));
});

corpus('every pattern both matches and misses somewhere in the corpus (no vacuous pattern)', () => {
  for (const source of PATTERNS) {
    const re = new RegExp(source);
    const hits = lines.filter((l) => re.test(l)).length;
    assert.ok(hits > 0 && hits < lines.length, `/${source}/ matched ${hits} of ${lines.length}`);
  }
});

corpus('sampling picks evenly spaced lines, deterministically', () => {
  const a = loadCorpus({ lines: 300, maxLength: 80 });
  assert.is(a.length, 300);
  assert.ok(a.every((l) => l.length <= 80));
  assert.equal(loadCorpus({ lines: 300, maxLength: 80 }), a);
});

corpus.run();

for (const scratch of SCRATCH_SOURCES) {
  const oracle = suite(`regex oracle, scratch from ${scratch}`);
  oracle('match span and every capture group equal RegExp with the d flag, on every line', () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const source of PATTERNS) {
      const re = new RegExp(source, 'd');
      const mine = new Regex(source, scratch);
      for (const line of lines) {
        const want = expected(re, line);
        const got = mine.indices(line);
        compared++;
        if (JSON.stringify(got) !== JSON.stringify(want) && mismatches.length < 5) {
          mismatches.push(`/${source}/ on ${JSON.stringify(line)}: RegExp ${JSON.stringify(want)}, engine ${JSON.stringify(got)}`);
        }
      }
    }
    assert.equal(mismatches, [], mismatches.join('\n'));
    assert.is(compared, PATTERNS.length * lines.length);
  });
  oracle.run();
}
