/**
 * The child-process protocol: every case is timed in a fresh `node` process, so no case inherits
 * another's type feedback, optimised code or garbage.
 *
 * The parent (`timeCaseInChild`) runs this same CLI as `cli.js --run-case <name> --workers <N>
 * [--quick]`, with the parent's execArgv. The child (`serveCaseInChild`) loads the suites, finds the
 * case by name, validates and times it with `runCase`, and prints one line on stdout, after
 * everything else it printed: CHILD_TAG followed by JSON, either `{ ok: true, result }` or
 * `{ ok: false, error }`; it exits 0 or 1 to match. The parent reads the last tagged line, so stray
 * output from a case cannot be mistaken for the result; a child that dies without that line fails
 * the case with its last stderr lines.
 *
 * Why a process per case: SharedPool's cached path measured 11.5 and 15.7 ns after the cache-off
 * cases in one process, against 4.6 and 6.4 ns in a process of its own (two runs each of
 * `node benchmarks/build/experiments/shared-sanity.js 7` and `... 7 shared_tls_get_put`; Node
 * v20.20.2, 2-vCPU AMD EPYC VM, 2026-11-21). LocalPool, reusify and the allocation cases share code
 * and the heap the same way. `--in-process` skips this and times every case in the CLI's own process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './case.js';
import { errorText } from './report.js';
import { FULL_TIMING, QUICK_TIMING, runCase, type CaseResultNs } from './runner.js';
import { allSuites, MissingSuiteError } from './suites.js';

/** What a child process timing one case prints as its last stdout line, after CHILD_TAG. */
type ChildMessage = { ok: true; result: CaseResultNs } | { ok: false; error: string };

/** The prefix of that line, so stray output from a case cannot be mistaken for it. */
export const CHILD_TAG = 'isopool-bench-result ';

/** Output a child may print before its result line: benny's and a case's own, plenty. */
const CHILD_MAX_BUFFER = 64 * 1024 * 1024;

/** The case called `name` in this build's suites (suites that are not in the build are passed over). */
async function findCase(name: string, quick: boolean, workers: number, module: string | undefined): Promise<BenchCase> {
  for (const s of allSuites(module)) {
    let cases: BenchCase[];
    try {
      cases = await s.load({ quick, workers });
    } catch (err) {
      if (err instanceof MissingSuiteError) continue;
      throw err;
    }
    const found = cases.find((c) => c.name === name);
    if (found !== undefined) return found;
  }
  throw new Error(`no case named ${name} in this build`);
}

/** The child's side (`--run-case <name>`): time that one case, print the result line, return the exit status. */
export async function serveCaseInChild(name: string, quick: boolean, workers: number, module?: string): Promise<number> {
  let msg: ChildMessage;
  try {
    const c = await findCase(name, quick, workers, module);
    msg = { ok: true, result: await runCase(c, quick ? QUICK_TIMING : FULL_TIMING) };
  } catch (err) {
    msg = { ok: false, error: errorText(err) };
  }
  process.stdout.write(`\n${CHILD_TAG}${JSON.stringify(msg)}\n`);
  return msg.ok ? 0 : 1;
}

/** The parent's side: times case `name` (of `--module`'s cases when given) in a fresh child process; rejects with the child's error. */
export function timeCaseInChild(name: string, quick: boolean, workers: number, module?: string): Promise<CaseResultNs> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const args = [
    ...process.execArgv,
    cli,
    '--run-case',
    name,
    '--workers',
    String(workers),
    ...(quick ? ['--quick'] : []),
    ...(module !== undefined ? ['--module', module] : []),
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: CHILD_MAX_BUFFER }, (err, stdout, stderr) => {
      const line = stdout.split('\n').reverse().find((l) => l.startsWith(CHILD_TAG));
      if (line === undefined) {
        const why = err ? errorText(err) : 'no result line';
        reject(new Error(`${name}: the child process failed (${why})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
        return;
      }
      const msg = JSON.parse(line.slice(CHILD_TAG.length)) as ChildMessage;
      if (msg.ok) resolve(msg.result);
      else reject(new Error(msg.error));
    });
  });
}
