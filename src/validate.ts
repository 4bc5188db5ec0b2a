/**
 * Argument checks shared by every pool's public edge: each throws the built-in `TypeError` or
 * `RangeError` with a message that names the option and shows the value received. Pools validate
 * once, in their constructors and public methods, and pass resolved values inward.
 */

/** Shows a received value in an error message: strings quoted, functions and objects by kind. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `a function`;
  if (typeof value === 'symbol' || typeof value === 'bigint') return String(value) + (typeof value === 'bigint' ? 'n' : '');
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `an object (${(value as object).constructor?.name ?? 'null prototype'})`;
}

/** Throws a RangeError unless `value` is an integer in [min, max]; `Infinity` is allowed where max is. */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') {
    throw new TypeError(`isopool: option \`${name}\` must be a number, received ${describe(value)}`);
  }
  if (!(value === Infinity && max === Infinity) && !Number.isInteger(value)) {
    throw new RangeError(`isopool: option \`${name}\` must be an integer, received ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(
      `isopool: option \`${name}\` must be between ${min} and ${max}, received ${describe(value)}`,
    );
  }
  return value;
}

/** Throws a TypeError unless `value` is a function (or undefined when optional). */
export function checkFunction(name: string, value: unknown, optional: boolean): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'function') {
    throw new TypeError(`isopool: option \`${name}\` must be a function, received ${describe(value)}`);
  }
}

/** Throws a TypeError unless `value` is a boolean or undefined; returns it. */
export function checkBoolean(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`isopool: option \`${name}\` must be a boolean, received ${describe(value)}`);
  }
  return value;
}

/** Throws a TypeError unless `value` is a string or undefined; returns it. */
export function checkString(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(`isopool: option \`${name}\` must be a string, received ${describe(value)}`);
  }
  return value;
}

/** Throws a TypeError unless `options` is an object; `what` names the call, e.g. `LocalPool options`. */
export function checkOptionsObject(what: string, options: unknown): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`isopool: ${what} must be an object, received ${describe(options)}`);
  }
}

/**
 * The `checked` option: the value given, else on when ISOPOOL_CHECKED is `1` or `true` in the
 * environment (`process.env` in Node, a global `ISOPOOL_CHECKED` in browsers).
 */
export function resolveChecked(value: unknown): boolean {
  const given = checkBoolean('checked', value);
  if (given !== undefined) return given;
  const g = globalThis as { process?: { env?: Record<string, string | undefined> }; ISOPOOL_CHECKED?: unknown };
  let v: unknown;
  try {
    v = g.process?.env?.['ISOPOOL_CHECKED'];
  } catch {
    // Deno's process.env throws NotCapable without --allow-env: an environment we may not read
    // sets nothing (regression: every pool constructor threw under a plain `deno run`).
  }
  v ??= g.ISOPOOL_CHECKED;
  return v === true || v === '1' || v === 'true';
}

/**
 * Throws a TypeError for the first own key of `options` that is not in `allowed`, naming it and,
 * when one is close (a typo, another case, a prefix: `maxSize` for `max`), the option meant;
 * otherwise listing the options there are. `what` names whose options they are (`LocalPool`,
 * `BufferPool`, `LocalPool.acquireAsync()`, ...); `options` is already known to be an object.
 */
export function checkKnownKeys(what: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const meant = closestKey(key, allowed);
    throw new TypeError(
      `isopool: unknown option \`${key}\` for ${what}` +
        (meant === undefined ? `; its options are ${allowed.map((k) => `\`${k}\``).join(', ')}` : ` (did you mean \`${meant}\`?)`),
    );
  }
}

/**
 * The allowed key closest to `key`: same letters in another case, one a prefix of the other (3
 * letters or more), or within an edit distance of a third of the longer name (at least 1). Ties
 * go to the first in `allowed`.
 */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const option of allowed) {
    const o = option.toLowerCase();
    let score: number;
    if (k === o) score = 0;
    else if (Math.min(k.length, o.length) >= 3 && (k.startsWith(o) || o.startsWith(k))) score = 1;
    else {
      const d = editDistance(k, o);
      score = d <= Math.max(1, Math.floor(Math.max(k.length, o.length) / 3)) ? d : Infinity;
    }
    if (score < bestScore) {
      bestScore = score;
      best = option;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  // Three rolling rows of the dynamic-programming table: two back for the swap case.
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}
