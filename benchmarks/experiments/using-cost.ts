/**
 * What a `using` block costs, and where (src/local/lease.ts's essay). Run: `npm run build && node
 * benchmarks/build/experiments/using-cost.js` under each Node (native `using` rows only where the
 * engine parses it: Node 24 and later). Not part of `npm run bench`.
 *
 * Each variant runs in a child process of its own, round-robin, five rounds; prints ns per block
 * and the median. Variants:
 *
 * - `pair`: `acquire` / `release`, the baseline.
 * - `lease-try`: `const l = pool.lease(); try { ... } finally { l[Symbol.dispose]() }`.
 * - `lease-ts`: `using l = pool.lease()` as TypeScript lowers it for ES2022 (this file's build).
 * - `lease-native`: the same block with native `using` (compiled at run time by `new Function`).
 * - `const-native`: native `using d = D`, D a constant object whose dispose does nothing: what the
 *   engine's `using` costs with no lease at all.
 * - `null-native`: native `using d = null`: the engine's per-block cost with nothing to dispose.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LocalPool } from 'isopool';

const N = 200_000;
const ROUNDS = 5;

let sink = 0;
const D = { v: 1, [Symbol.dispose]() {} };

type Loop = (n: number) => void;

function nativeLoop(body: string, pool: LocalPool<{ v: number }>): Loop | undefined {
  try {
    const make = new Function('pool', 'D', 'box', `return function (n) { for (let i = 0; i < n; i++) { ${body} } };`) as (
      pool: unknown,
      d: unknown,
      box: { sink: number },
    ) => Loop;
    return make(pool, D, { sink: 0 });
  } catch {
    return undefined; // no native `using` in this engine
  }
}

function loops(): Record<string, Loop | undefined> {
  const pool = new LocalPool<{ v: number }>({ create: () => ({ v: 1 }) });
  return {
    pair: (n) => {
      for (let i = 0; i < n; i++) {
        const o = pool.acquire();
        sink ^= o.v;
        pool.release(o);
      }
    },
    'lease-try': (n) => {
      for (let i = 0; i < n; i++) {
        const l = pool.lease();
        try {
          sink ^= l.value.v;
        } finally {
          l[Symbol.dispose]();
        }
      }
    },
    'lease-ts': (n) => {
      for (let i = 0; i < n; i++) {
        using l = pool.lease();
        sink ^= l.value.v;
      }
    },
    'lease-native': nativeLoop('using l = pool.lease(); box.sink ^= l.value.v;', pool),
    'const-native': nativeLoop('using d = D; box.sink ^= d.v;', pool),
    'null-native': nativeLoop('using d = null; box.sink ^= i;', pool),
  };
}

const variant = process.argv[2];
if (variant !== undefined) {
  const loop = loops()[variant];
  if (loop === undefined) {
    process.stdout.write('-\n');
  } else {
    for (let k = 0; k < 200; k++) loop(1000);
    const t = process.hrtime.bigint();
    loop(N);
    process.stdout.write(`${(Number(process.hrtime.bigint() - t) / N).toFixed(1)}\n`);
  }
} else {
  const self = fileURLToPath(import.meta.url);
  const names = Object.keys(loops());
  const results = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names) {
      const out = execFileSync(process.execPath, [self, name], { encoding: 'utf8' }).trim();
      if (out !== '-') results.get(name)!.push(Number(out));
    }
  }
  process.stdout.write(`Node ${process.version}, ns per block, ${ROUNDS} processes each (median last)\n`);
  for (const [name, xs] of results) {
    const sorted = [...xs].sort((a, b) => a - b);
    const median = sorted.length === 0 ? '-' : sorted[sorted.length >> 1]!.toFixed(1);
    process.stdout.write(`${name.padEnd(13)} ${xs.map((x) => x.toFixed(1)).join(' ').padEnd(40)} ${median}\n`);
  }
}
void sink;
