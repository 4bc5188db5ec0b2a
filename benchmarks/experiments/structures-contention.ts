/**
 * Does either benchmark structure earn a place among SharedPool's strategies? Their single-isolate
 * rows are in `npm run bench` (ms_get_put, seg_get_put beside the strategies' rows, cache off);
 * this adds contention: every strategy and both structures, cache off, one `pair` per iteration,
 * on the contention harness (contention.ts; the structures through structures/pool-module.ts),
 * with 1 worker, 2 workers on one pool, and 2 workers on one each. Rounds go round-robin over the
 * subjects, and the table gives the median ns per pair per thread over rounds and the range.
 *
 *     npm run build && node benchmarks/build/experiments/structures-contention.js --rounds 5
 */
import { runContention, type ContentionResult } from '../contention.js';
import { median } from './fact-timing.js';

const STRUCTURES = new URL('../structures/pool-module.js', import.meta.url).href;
const SUBJECTS: ReadonlyArray<{ name: string; poolModule?: string }> = [
  { name: 'mutex' },
  { name: 'treiber' },
  { name: 'mpmc' },
  { name: 'bitmap' },
  { name: 'ms', poolModule: STRUCTURES },
  { name: 'seg', poolModule: STRUCTURES },
];

const COLUMNS = ['1 worker', '2 on one', '2 on each'] as const;

function column(r: ContentionResult): (typeof COLUMNS)[number] {
  return r.workers === 1 ? '1 worker' : r.mode === 'shared' ? '2 on one' : '2 on each';
}

const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 5;
const seen = new Map<string, number[]>();
console.log(`# Node ${process.version}, ${new Date().toISOString()}: ns per pair per thread, cache off, ${rounds} rounds (median, fastest..slowest)`);
for (let round = 0; round < rounds; round++) {
  for (const s of SUBJECTS) {
    const rows = await runContention({
      workers: 2,
      durationMs: 300,
      strategies: [s.name],
      variants: [[0, 'pair']],
      ...(s.poolModule === undefined ? {} : { poolModule: s.poolModule }),
    });
    for (const r of rows) {
      const key = `${s.name}/${column(r)}`;
      seen.set(key, [...(seen.get(key) ?? []), r.nsPerPairPerThread]);
    }
  }
  process.stderr.write(`round ${round + 1} of ${rounds} done\n`);
}
console.log(['subject', ...COLUMNS].map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(22))).join(''));
for (const s of SUBJECTS) {
  const cells = COLUMNS.map((c) => {
    const xs = seen.get(`${s.name}/${c}`) ?? [];
    return `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)})`.padStart(22);
  });
  console.log(`${s.name.padEnd(8)}${cells.join('')}`);
}
