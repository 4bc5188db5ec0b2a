/**
 * `--chart <file>`: one self-contained HTML page of the run's timed cases, an inline SVG with a bar
 * per case and the report's ratio column beside it. Nothing is fetched (no script, stylesheet, font
 * or image from anywhere), so the page draws the same offline, from a CI artifact or an e-mail.
 *
 * Bars are ns/iter on a log scale: the cases span three orders of magnitude (a few ns for an owner
 * slot, thousands for a 16 KiB allocation), and on a linear scale every pool case would be a
 * hairline. Each bar is labelled with its figure and +/- as the cargo line prints them, so the
 * scale is never read for a number. Each case is one `<g class="case" data-case="name">` holding
 * its bar (`rect.bar`), figure (`text.ns`) and ratio (`text.ratio`); tests/bench-chart.test.ts opens
 * the page in Chromium and checks every case is drawn.
 */
import { formatNs, formatPlusMinus, formatRatio } from './cargo-line.js';
import type { CaseEntry, MachineInfo } from './report.js';
import { writeTextFile } from './report.js';

/** Layout, in SVG user units (CSS px at 100 % zoom). */
const ROW = 26;
const NAME_W = 250;
const BAR_W = 420;
const NS_W = 190;
const RATIO_W = 90;
const TOP = 30;

/** Escapes text for an HTML or SVG text node or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Bar length for `ns` on a log scale from `min` to `max` (both > 0): the fastest case gets a tenth
 * of the width, so it is still a bar, and the slowest the whole width.
 */
export function barWidth(ns: number, min: number, max: number, width = BAR_W): number {
  if (!(ns > 0) || !(min > 0) || !(max >= min)) throw new RangeError(`barWidth: expected 0 < min <= ns <= max, received ${ns}, ${min}, ${max}`);
  const span = Math.log(max) - Math.log(min);
  const t = span === 0 ? 1 : (Math.log(ns) - Math.log(min)) / span;
  return Math.round(width * (0.1 + 0.9 * Math.min(1, Math.max(0, t))));
}

/** The page for `cases` (at least one), titled with what `machine` ran. */
export function chartHtml(cases: readonly CaseEntry[], machine: MachineInfo, title = 'isopool-bench'): string {
  if (cases.length === 0) throw new RangeError('chartHtml: no case to draw');
  const min = Math.min(...cases.map((c) => c.nsPerIter));
  const max = Math.max(...cases.map((c) => c.nsPerIter));
  const width = NAME_W + BAR_W + NS_W + RATIO_W;
  const height = TOP + ROW * cases.length + 10;
  const rows = cases.map((c, i) => {
    const y = TOP + i * ROW;
    const w = barWidth(c.nsPerIter, min, max);
    const ns = `${formatNs(c.nsPerIter)} ns/iter (+/- ${formatPlusMinus(c.plusMinusNs, c.nsPerIter)})`;
    const ratio = c.ratio === null ? '-' : formatRatio(c.nsPerIter, c.nsPerIter / c.ratio);
    const name = escapeXml(c.name);
    return [
      `<g class="case" data-case="${name}" data-ratio-to="${escapeXml(c.ratioTo)}">`,
      `<title>${name}: ${escapeXml(ns)}, ${escapeXml(ratio)} of ${escapeXml(c.ratioTo)}</title>`,
      `<text class="name" x="${NAME_W - 8}" y="${y + 17}" text-anchor="end">${name}</text>`,
      `<rect class="bar group-${escapeXml(c.group)}" x="${NAME_W}" y="${y + 4}" width="${w}" height="${ROW - 8}"/>`,
      `<text class="ns" x="${NAME_W + BAR_W + 8}" y="${y + 17}">${escapeXml(ns)}</text>`,
      `<text class="ratio" x="${width - 8}" y="${y + 17}" text-anchor="end">${escapeXml(ratio)}</text>`,
      `</g>`,
    ].join('');
  });
  const head = [
    `<text class="head" x="${NAME_W - 8}" y="18" text-anchor="end">case</text>`,
    `<text class="head" x="${NAME_W}" y="18">ns/iter, log scale (shorter is faster)</text>`,
    `<text class="head" x="${width - 8}" y="18" text-anchor="end">ratio</text>`,
  ].join('');
  const about = `Node ${machine.node}, V8 ${machine.v8}, ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, ${machine.date}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
svg text { font: 13px ui-monospace, monospace; fill: #222; }
svg text.head { font-weight: bold; }
rect.bar { fill: #4a7bb7; }
rect.group-shared { fill: #b7794a; }
rect.group-alloc, rect.group-module-alloc { fill: #999; }
rect.group-workload { fill: #5a9a5a; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p>${escapeXml(about)}. Ratio: each case's ns/iter over its reference case's in this run (<code>ratioTo</code> in <code>--json</code>); results compare only within one run.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}: ns/iter per case">
${head}
${rows.join('\n')}
</svg>
</body>
</html>
`;
}

/** Writes the chart of `cases` (at least one) to `file`. */
export function writeChart(file: string, cases: readonly CaseEntry[], machine: MachineInfo, title?: string): void {
  writeTextFile(file, chartHtml(cases, machine, title));
}
