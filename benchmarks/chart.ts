/**
 * `--chart <file>`: benny's own HTML bar chart of the timed cases. benny's page loads Chart.js from a
 * CDN and draws one bar per case; it is fed iterations/s (benny's calls/s times the batch), not
 * calls/s, so cases with different batches compare. The page is written by benny's
 * `prepareFileContent`, an internal module it does not export by name, so it is imported by path.
 */
import type { MachineInfo } from './report.js';
import { writeTextFile } from './report.js';
import type { CaseResultNs } from './runner.js';

type PrepareFileContent = (summary: unknown, opts: unknown) => string;

/** benny's page writer; CommonJS seen from ESM, so `exports.default` may sit one level down. */
async function loadPrepareFileContent(): Promise<PrepareFileContent> {
  const mod = (await import('benny/lib/internal/prepareFileContent.js')) as unknown as {
    default: { default?: unknown } | PrepareFileContent;
  };
  const d = mod.default as { default?: unknown };
  return (typeof d === 'function' ? d : d.default) as PrepareFileContent;
}

/** Writes benny's chart of `results` (at least one) to `file`. */
export async function writeChart(file: string, results: readonly CaseResultNs[], machine: MachineInfo): Promise<void> {
  const prepare = await loadPrepareFileContent();
  const fastest = results.reduce((best, r, i) => (r.iterPerSec > results[best]!.iterPerSec ? i : best), 0);
  const slowest = results.reduce((worst, r, i) => (r.iterPerSec < results[worst]!.iterPerSec ? i : worst), 0);
  const top = results[fastest]!.iterPerSec;
  const summary = {
    name: `isopool-bench: iterations/s (Node ${machine.node}, ${machine.cpu}, ${machine.date})`,
    date: new Date(machine.date),
    results: results.map((r) => ({
      name: r.name,
      ops: Math.round(r.iterPerSec),
      margin: r.marginPct,
      percentSlower: Number(((1 - r.iterPerSec / top) * 100).toFixed(2)),
    })),
    fastest: { name: results[fastest]!.name, index: fastest },
    slowest: { name: results[slowest]!.name, index: slowest },
  };
  writeTextFile(file, prepare(summary, { format: 'chart.html', details: false, version: null }));
}
