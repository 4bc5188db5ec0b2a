/**
 * The published declarations (dist/*.d.ts, what `npm pack` ships) compiled by consumer projects
 * (tests/fixtures/types/) under TypeScript 5.9 and 7, with `nodenext` and with `bundler` module
 * resolution, strict and `skipLibCheck: false`, in four environments:
 *
 *   browser  lib ES2022 + DOM, no @types/node, no Disposable lib
 *   bare     lib ES2022 alone (no DOM, no @types/node)
 *   node     lib ES2022 + @types/node
 *   esnext   lib ESNext + DOM, with `using` (the lib's Disposable beside the library's Symbol.dispose)
 *
 * plus a CommonJS `.cts` consumer under nodenext. The fixtures import `isopool` and
 * `isopool/reusify` by name, resolved through the package's `exports` like any user's.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'types');
const CONFIGS = join(ROOT, 'build', 'types-fixtures');

const COMPILERS = [
  { name: 'TypeScript 7', tsc: join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), version: /^Version 7\./ },
  { name: 'TypeScript 5.9', tsc: join(ROOT, 'node_modules', 'typescript-5.9', 'bin', 'tsc'), version: /^Version 5\.9\./ },
] as const;

interface Environment {
  readonly lib: readonly string[];
  readonly types: readonly string[];
  readonly files: readonly string[];
}

const ENVIRONMENTS: Readonly<Record<string, Environment>> = {
  browser: { lib: ['ES2022', 'DOM'], types: [], files: ['browser.ts'] },
  bare: { lib: ['ES2022'], types: [], files: ['bare.ts'] },
  node: { lib: ['ES2022'], types: ['node'], files: ['node.ts'] },
  esnext: { lib: ['ESNext', 'DOM'], types: [], files: ['esnext.ts'] },
};

const RESOLUTIONS = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'preserve', moduleResolution: 'bundler' },
} as const;

function run(file: string, args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, out: `${stdout}${stderr}`.trim() });
    });
  });
}

/** Writes the project file for one environment and resolution; returns its path. */
function project(env: string, resolution: keyof typeof RESOLUTIONS, extraFiles: readonly string[] = []): string {
  const e = ENVIRONMENTS[env]!;
  mkdirSync(CONFIGS, { recursive: true });
  const path = join(CONFIGS, `${env}.${resolution}.json`);
  const config = {
    compilerOptions: {
      ...RESOLUTIONS[resolution],
      target: 'ES2022',
      lib: e.lib,
      types: e.types,
      strict: true,
      skipLibCheck: false,
      noEmit: true,
    },
    files: [...e.files, ...extraFiles].map((f) => join(FIXTURES, f)),
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** Compilations at once: the machine has 2 cores, and TypeScript 5.9 takes seconds a project. */
const PARALLEL = 2;

interface Job {
  readonly compiler: (typeof COMPILERS)[number];
  readonly env: string;
  readonly resolution: keyof typeof RESOLUTIONS;
  readonly extra: readonly string[];
  /** Settles when this job's compilation is done. */
  readonly result: Promise<{ code: number; out: string }>;
  settle(r: { code: number; out: string }): void;
}

const jobs: Job[] = [];
for (const compiler of COMPILERS) {
  for (const env of Object.keys(ENVIRONMENTS)) {
    for (const resolution of Object.keys(RESOLUTIONS) as (keyof typeof RESOLUTIONS)[]) {
      let settle!: Job['settle'];
      const result = new Promise<{ code: number; out: string }>((resolve) => (settle = resolve));
      jobs.push({ compiler, env, resolution, extra: env === 'node' && resolution === 'nodenext' ? ['require.cts'] : [], result, settle });
    }
  }
}

/** Starts every compilation, PARALLEL at a time; each test awaits its own job's result. */
function startAll(): void {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      job.settle(await run(job.compiler.tsc, ['-p', project(job.env, job.resolution, job.extra)]));
    }
  };
  for (let i = 0; i < PARALLEL; i++) void lane();
}

const types = suite('published declarations in consumer projects');
types.before(startAll);

types('the types test runs both compilers it names', async () => {
  for (const c of COMPILERS) {
    const { code, out } = await run(c.tsc, ['--version']);
    assert.is(code, 0, out);
    assert.match(out, c.version, `${c.name}: ${out}`);
  }
});

types('dist has no @internal member and no declaration map', () => {
  const registry = readFileSync(join(ROOT, 'dist', 'registry.d.ts'), 'utf8');
  const local = readFileSync(join(ROOT, 'dist', 'local', 'local-pool.d.ts'), 'utf8');
  assert.ok(registry.includes('class PoolToken'), 'dist/registry.d.ts declares PoolToken');
  assert.not.match(registry, /_pool\b/);
  assert.not.match(local, /_admit\b/);
  assert.not.match(registry + local, /@internal|sourceMappingURL/);
});

for (const job of jobs) {
  const what = `${job.env}, ${job.resolution}${job.extra.length > 0 ? ' (and a .cts consumer)' : ''}`;
  types(`${job.compiler.name}: a ${what} project compiles, strict, skipLibCheck false`, async () => {
    const { code, out } = await job.result;
    assert.is(code, 0, out);
    assert.is(out, '');
  });
}

types.run();
