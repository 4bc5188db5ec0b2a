/**
 * The facts the code relies on, measured (benchmarks/README.md, section Facts, cites them by id):
 *
 *     npm run build && node benchmarks/build/experiments/facts.js [--rounds N] [--only <id>]...
 *
 * Each round runs every measurement (fact-measures-local.ts, fact-measures-atomics.ts, fact-measures-resource.ts) once, in a fresh child process of its own
 * (`facts.js --measure <index>`), so no measurement inherits another's type feedback or garbage; the
 * rounds go round-robin, so drift on a shared machine hits every fact alike. It prints, per fact id
 * and variant, the median over rounds, the range, and the unit. Not part of `npm run bench`.
 *
 * Child protocol: the child prints RESULT_TAG and its figure as its last stdout line, or exits
 * non-zero (a measurement that finds its structure broken throws), which stops the run.
 */
import { execFileSync } from 'node:child_process';
import { arch, availableParallelism, cpus, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ATOMICS_MEASURES } from './fact-measures-atomics.js';
import { LOCAL_MEASURES } from './fact-measures-local.js';
import { RESOURCE_MEASURES } from './fact-measures-resource.js';
import { median, sinkValue } from './fact-timing.js';

/** Every measurement, in print order; `--measure <index>` indexes this list. */
const MEASURES = [...LOCAL_MEASURES, ...ATOMICS_MEASURES, ...RESOURCE_MEASURES];

/** Prefix of a child's result line, so nothing else it prints is mistaken for it. */
const RESULT_TAG = 'fact-result ';
/** Default rounds: 5 medians hold up against one or two disturbed rounds on a shared machine. */
const DEFAULT_ROUNDS = 5;

function usage(message: string): never {
  process.stderr.write(`facts: ${message}\nUsage: node benchmarks/build/experiments/facts.js [--rounds N] [--only <id>]...\n`);
  process.exit(2);
}

interface Options {
  rounds: number;
  only: string[];
  /** Internal: this process is a child running MEASURES[measure]. */
  measure: number | undefined;
}

function parse(argv: readonly string[]): Options {
  const opts: Options = { rounds: DEFAULT_ROUNDS, only: [], measure: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === '--rounds' && v !== undefined && /^\d+$/.test(v) && Number(v) >= 1) opts.rounds = Number(v);
    else if (a === '--only' && v !== undefined && MEASURES.some((m) => m.id === v)) opts.only.push(v);
    else if (a === '--measure' && v !== undefined && MEASURES[Number(v)] !== undefined) opts.measure = Number(v);
    else if (a === '--only') usage(`--only takes one of: ${[...new Set(MEASURES.map((m) => m.id))].join(', ')}`);
    else usage(`bad argument ${JSON.stringify(a)}${v === undefined ? '' : ` ${JSON.stringify(v)}`}`);
    i++;
  }
  return opts;
}

/** Two decimals below 10, one below 100, whole above: the precision the noise allows. */
function figure(ns: number): string {
  return ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : ns.toFixed(0);
}

/** In a child: run one measurement, print its result line. */
async function child(index: number): Promise<void> {
  const ns = await MEASURES[index]!.run();
  process.stdout.write(`${RESULT_TAG}${ns}${sinkValue() === 0.5 ? ' ' : ''}\n`);
}

/** In the parent: every selected measurement, `rounds` times round-robin, one child each. */
function parent(opts: Options): void {
  const self = fileURLToPath(import.meta.url);
  const selected = MEASURES.map((m, index) => ({ m, index })).filter(({ m }) => opts.only.length === 0 || opts.only.includes(m.id));
  const cpu = cpus()[0]?.model.trim() || 'unknown CPU';
  console.log(
    `# facts: Node ${process.version}, V8 ${process.versions.v8}, ${cpu}, ${availableParallelism()} cores, ` +
      `${platform()} ${arch()}, ${new Date().toISOString()}; median of ${opts.rounds} rounds, one child process per measurement per round`,
  );
  const samples = selected.map(() => [] as number[]);
  for (let round = 1; round <= opts.rounds; round++) {
    selected.forEach(({ index }, k) => {
      const out = execFileSync(process.execPath, [self, '--measure', String(index)], { encoding: 'utf8' });
      const line = out.split('\n').reverse().find((l) => l.startsWith(RESULT_TAG));
      if (line === undefined) throw new Error(`facts: measurement ${index} printed no result line`);
      samples[k]!.push(Number.parseFloat(line.slice(RESULT_TAG.length)));
    });
    process.stderr.write(`round ${round}/${opts.rounds} done\n`);
  }
  const rows = selected.map(({ m }, k) => {
    const xs = samples[k]!;
    return [m.id, m.variant || '-', figure(median(xs)), `${figure(Math.min(...xs))}..${figure(Math.max(...xs))}`, m.unit];
  });
  const head = ['fact', 'variant', 'median', 'range', 'unit'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

const opts = parse(process.argv.slice(2));
if (opts.measure !== undefined) await child(opts.measure);
else parent(opts);
