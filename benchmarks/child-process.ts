/**
 * The child-process protocol: every case is timed in a fresh `node` process, so no case inherits
 * another's type feedback, optimised code or garbage.
 *
 * The parent (`timeCasesInChild`) runs this same CLI as `cli.js --run-case <name> --workers <N>
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

/** What a child process prints for each case it timed, after CHILD_TAG. */
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

/**
 * The child's side (`--run-case <name>[,<name>...]`): time those cases one after the other in this
 * process, print one result line each, in order; the exit status is 1 when any failed. Several names
 * are for rows meant to share a process (the `_used` rows, after the used program).
 */
export async function serveCaseInChild(names: string, quick: boolean, workers: number, module?: string): Promise<number> {
  let failed = 0;
  for (const name of names.split(',')) {
    let msg: ChildMessage;
    try {
      const c = await findCase(name, quick, workers, module);
      msg = { ok: true, result: await runCase(c, quick ? QUICK_TIMING : FULL_TIMING) };
    } catch (err) {
      msg = { ok: false, error: errorText(err) };
      failed++;
    }
    process.stdout.write(`\n${CHILD_TAG}${JSON.stringify(msg)}\n`);
  }
  return failed === 0 ? 0 : 1;
}

/**
 * The parent's side: times the cases `names` (of `--module`'s cases when given) one after the other
 * in one fresh child process; resolves with each one's result or error, in order.
 */
export function timeCasesInChild(names: readonly string[], quick: boolean, workers: number, module?: string): Promise<(CaseResultNs | Error)[]> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const args = [
    ...process.execArgv,
    cli,
    '--run-case',
    names.join(','),
    '--workers',
    String(workers),
    ...(quick ? ['--quick'] : []),
    ...(module !== undefined ? ['--module', module] : []),
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { maxBuffer: CHILD_MAX_BUFFER }, (err, stdout, stderr) => {
      const lines = stdout.split('\n').filter((l) => l.startsWith(CHILD_TAG));
      resolve(
        names.map((name, i) => {
          const line = lines[i];
          if (line === undefined) {
            const why = err ? errorText(err) : 'no result line';
            return new Error(`${name}: the child process failed (${why})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
          }
          const msg = JSON.parse(line.slice(CHILD_TAG.length)) as ChildMessage;
          return msg.ok ? msg.result : new Error(msg.error);
        }),
      );
    });
  });
}

/** Times case `name` in a fresh child process of its own; rejects with the child's error. */
export async function timeCaseInChild(name: string, quick: boolean, workers: number, module?: string): Promise<CaseResultNs> {
  const [r] = await timeCasesInChild([name], quick, workers, module);
  if (r instanceof Error) throw r;
  return r!;
}
