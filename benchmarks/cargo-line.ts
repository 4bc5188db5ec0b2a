/**
 * The `cargo bench` line the report prints for each case, and its pieces (numbers, padding, the
 * ratio column). Pure, so tests/bench-cli.test.ts checks it directly.
 *
 * The line format is libtest's, which mempool's README shows:
 *
 *     test bench::mutex_get_put ... bench:          46 ns/iter (+/- 4)
 *
 * libtest pads names on the right to the longest name of the run and right-aligns the number in 11
 * columns with `,` thousands separators. One departure, on purpose: libtest rounds to whole ns, which
 * turns every owner-slot row here (1-5 ns) into the same two digits; below 10 ns we print two
 * decimals, as current libtest does for sub-ns results. Everything else is cargo's layout, and the
 * ratio column comes after it so a cargo-line parser still reads the line.
 */

/** libtest's width for the ns/iter field. */
const NS_WIDTH = 11;

/** `1234567` -> `1,234,567`: libtest's `fmt_thousands_sep`. */
export function thousands(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${out}` : out;
}

/** A ns figure as the line prints it: whole ns with separators from 10 up, two decimals below. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns) || ns < 0) throw new RangeError(`formatNs: expected a finite ns >= 0, received ${ns}`);
  if (ns < 10) {
    const fixed = ns.toFixed(2);
    // 9.996 rounds to "10.00": print it as whole ns like every other figure from 10 up.
    return fixed === '10.00' ? '10' : fixed;
  }
  return thousands(Math.round(ns));
}

/** The +/- at the precision of its figure: whole ns when the figure is printed whole. */
export function formatPlusMinus(plusMinus: number, ns: number): string {
  if (!Number.isFinite(plusMinus) || plusMinus < 0) {
    throw new RangeError(`formatPlusMinus: expected a finite +/- >= 0, received ${plusMinus}`);
  }
  const whole = !formatNs(ns).includes('.');
  return whole ? thousands(Math.round(plusMinus)) : plusMinus.toFixed(2);
}

/** The cargo line for one case, names padded to `pad` like libtest. */
export function cargoLine(name: string, ns: number, plusMinus: number, pad: number): string {
  const num = formatNs(ns).padStart(NS_WIDTH);
  return `test ${`bench::${name}`.padEnd(pad)} ... bench: ${num} ns/iter (+/- ${formatPlusMinus(plusMinus, ns)})`;
}

/** The line for a case that could not be timed (failed validation, missing suite). */
export function failedLine(name: string, why: string, pad: number): string {
  return `test ${`bench::${name}`.padEnd(pad)} ... FAILED (${why})`;
}

/**
 * Width of a cargo line whose +/- has up to 8 characters, so the ratio column after it lines up:
 * `test ` + name + ` ... bench: ` + 11 + ` ns/iter (+/- ` + 8 + `)`.
 */
export function cargoWidth(pad: number): number {
  return 5 + pad + 12 + NS_WIDTH + 14 + 8 + 1;
}

/** The width names pad to: `bench::` plus the longest name. */
export function padFor(names: readonly string[]): number {
  return names.reduce((w, n) => Math.max(w, 'bench::'.length + n.length), 0);
}

/**
 * The ratio column: `12.34x` against the reference, or `-` when the reference did not run. Below
 * 0.01 (a pooled round trip against a large allocation, under `--module`) two significant digits,
 * so the column never reads `0.00x`.
 */
export function formatRatio(ns: number, referenceNs: number | undefined): string {
  if (referenceNs === undefined || !(referenceNs > 0)) return '-';
  const r = ns / referenceNs;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r >= 0.01 || r === 0 ? r.toFixed(2) : r.toPrecision(2)}x`;
}
