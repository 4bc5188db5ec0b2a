/**
 * What a run reports besides the tables: the header lines, one cargo line per timed case with its
 * ratio and extra columns, the closing `test result:` line, and the JSON report (`--json`), which
 * holds the same figures as the printed lines plus what the text leaves out (margins, samples,
 * batches, the machine).
 *
 * Ratios: every case is divided by a reference case of the same run (REFERENCE_CASE, or its group's
 * own baseline), because figures from two runs on a shared machine do not compare.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform } from 'node:os';
import { dirname } from 'node:path';
import { cargoLine, cargoWidth, formatRatio } from './cargo-line.js';
import type { ContentionResult } from './contention.js';
import type { MempoolTableRow } from './mempool-table.js';
import type { CaseResultNs } from './runner.js';
import type { ThroughputRow } from './workload-throughput.js';

/** The case every ratio is taken against (mempool's table has it too). */
export const REFERENCE_CASE = 'tls_get_put';

/**
 * Groups whose iterations are not get/put pairs take their ratio against their own baseline: a regex
 * search over a pool round trip says nothing, a pooled search over a search with fresh scratch does;
 * an async pool's round trip is read against a bare `await`, not against a synchronous pair; a
 * pooled array's round trip to a worker against a fresh array's; a typed field against a plain
 * object's property.
 */
export const GROUP_REFERENCE: Readonly<Record<string, string>> = {
  // The used rows read against the hand-written owner slot timed in the same kind of process.
  used: 'owner_slot_get_put_used',
  workload: 'workload_alloc',
  resource: 'resource_await',
  transfer: 'transfer_alloc',
  fields: 'fields_object',
  module: 'module_alloc',
};

/** The case a row's ratio is taken against. */
export function referenceFor(group: string): string {
  return GROUP_REFERENCE[group] ?? REFERENCE_CASE;
}

export interface MachineInfo {
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  platform: string;
  date: string;
}

/** This process's Node, V8, CPU, core count, platform and the time now. */
export function machineInfo(): MachineInfo {
  const cpu = cpus()[0]?.model.trim() || 'unknown CPU';
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu,
    cores: availableParallelism(),
    platform: `${platform()} ${arch()}`,
    date: new Date().toISOString(),
  };
}

/**
 * The report's header: what a reader needs to compare two runs (and why they mostly can't). A
 * `--module` run takes every ratio against `reference` (module_alloc).
 */
export function headerLines(m: MachineInfo, quick: boolean, reference?: string): string[] {
  return [
    `isopool-bench: Node ${m.node}, V8 ${m.v8}, ${m.cpu}, ${m.cores} cores, ${m.platform}, ${m.date}`,
    `benny, each call loops a batch; ns/iter = 1e9 / (ops/s) / batch, +/- = benny's 95% margin of error.` +
      (quick ? ' QUICK RUN: rough numbers.' : ''),
    reference === undefined
      ? `ratio column: ns/iter / ${REFERENCE_CASE}'s ns/iter (${Object.entries(GROUP_REFERENCE)
          .filter(([group]) => group !== 'module')
          .map(([group, ref]) => `${group} rows: / ${ref}'s`)
          .join('; ')}); results are comparable only within one run.`
      : `ratio column: ns/iter / ${reference}'s ns/iter; results are comparable only within one run.`,
  ];
}

/** One timed case in the JSON report. */
export interface CaseEntry {
  name: string;
  group: string;
  batch: number;
  nsPerIter: number;
  plusMinusNs: number;
  marginPct: number;
  iterPerSec: number;
  samples: number;
  ratio: number | null;
  /** The case `ratio` is taken against. */
  ratioTo: string;
  extra?: Record<string, number | string>;
}

/** The JSON report (`--json`). */
export interface Report {
  tool: 'isopool-bench';
  version: string;
  machine: MachineInfo;
  quick: boolean;
  reference: string;
  cases: CaseEntry[];
  /** mempool's six rows with this run's figures beside mempool's own (null when none of them ran). */
  mempool: MempoolTableRow[] | null;
  failed: Array<{ name: string; error: string }>;
  missing: Array<{ suite: string; module: string; cases: string[] }>;
  throughput: null | {
    harness: string;
    durationMs: number;
    rows: ThroughputRow[];
  };
  contention: null | {
    harness: string;
    durationMs: number;
    maxWorkers: number;
    rows: ContentionResult[];
  };
  /** `--module` runs: the module and what its create() makes. */
  module?: { file: string; object: string; reset: boolean };
  /** `--module` runs: whether pooling pays, the fastest pooled case's ns over the allocation's, the printed line. */
  verdict?: { pays: boolean; ratio: number; line: string };
  ok: boolean;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** An empty report for a run on `machine`; main.ts fills it as the run goes. */
export function newReport(machine: MachineInfo, quick: boolean): Report {
  return {
    tool: 'isopool-bench',
    version: packageVersion(),
    machine,
    quick,
    reference: REFERENCE_CASE,
    cases: [],
    mempool: null,
    failed: [],
    missing: [],
    throughput: null,
    contention: null,
    ok: true,
  };
}

/** The message of anything thrown, for FAILED lines and the report's `failed` list. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The printed line of a timed case: the cargo line, the ratio column, then its extra columns. */
export function caseLine(r: CaseResultNs, referenceNs: number | undefined, pad: number): string {
  const extra = r.extra ? '  ' + Object.entries(r.extra).map(([k, v]) => `${k}=${v}`).join(' ') : '';
  return `${cargoLine(r.name, r.ns, r.plusMinus, pad).padEnd(cargoWidth(pad))}  ${formatRatio(r.ns, referenceNs).padStart(7)}${extra}`;
}

/** A timed case as the JSON report holds it. */
export function caseEntry(r: CaseResultNs, referenceNs: number | undefined): CaseEntry {
  return {
    name: r.name,
    group: r.group,
    batch: r.batch,
    nsPerIter: r.ns,
    plusMinusNs: r.plusMinus,
    marginPct: r.marginPct,
    iterPerSec: r.iterPerSec,
    samples: r.samples,
    ratio: referenceNs === undefined ? null : r.ns / referenceNs,
    ratioTo: referenceFor(r.group),
    ...(r.extra ? { extra: r.extra } : {}),
  };
}

/** `running 1 benchmark`, `running 16 benchmarks`: libtest's line, in English. */
export function runningLine(n: number): string {
  return `running ${n} benchmark${n === 1 ? '' : 's'}`;
}

/** libtest's closing line: `test result: ok. 0 passed; 0 failed; 0 ignored; 16 measured; 0 filtered out`. */
export function summaryLine(ok: boolean, failed: number, measured: number, filteredOut: number): string {
  return `test result: ${ok ? 'ok' : 'FAILED'}. 0 passed; ${failed} failed; 0 ignored; ${measured} measured; ${filteredOut} filtered out`;
}

/** Writes `text` to `file`, creating its directory (for `--json` and `--chart`). */
export function writeTextFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Writes the JSON report. */
export function writeJsonReport(file: string, report: Report): void {
  writeTextFile(file, `${JSON.stringify(report, null, 2)}\n`);
}
