/**
 * Every TypeScript and JavaScript block in README.md runs, so the README cannot drift from the
 * library. The rule, for every fenced block whose info string starts with `ts` or `js`:
 *
 *   - by default the block is a program: it is written to build/readme/, type-checked (ts blocks,
 *     by the repository's TypeScript, strict, against the built package's types) and run with node;
 *     it must exit 0. It imports the library by name (`isopool`, `isopool/reusify`), as a user does.
 *   - a block that is not a whole program (it names a file it does not define, or shows a piece of
 *     one) says so in its info string: ```ts fragment. It is then neither checked nor run.
 *   - ```js cjs runs as CommonJS (a .cjs file).
 *   - ```ts redis runs against a real Redis server this test starts on a free loopback port, whose
 *     URL it passes in REDIS_URL (tests/helpers/redis-server.ts; skipped without redis-server,
 *     failing under CI, which installs it).
 *
 * New blocks are picked up without touching this file; a new block that cannot run must be marked.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RedisServer, redisServerOrSkip } from './helpers/redis-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'build', 'readme');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

export interface Block {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly flags: readonly string[];
  readonly code: string;
}

/** The fenced blocks of a Markdown text, with their info strings split into language and flags. */
export function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`README.md: the block opened at line ${start + 1} is never closed`);
    blocks.push({ line: start + 1, lang: open[1]!, flags: open[2]!.split(/\s+/).filter(Boolean), code: `${body.join('\n')}\n` });
  }
  return blocks;
}

const KNOWN_FLAGS = new Set(['fragment', 'cjs', 'redis']);

const blocks = fencedBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const code = blocks.filter((b) => b.lang === 'ts' || b.lang === 'js');
const programs = code.filter((b) => !b.flags.includes('fragment'));

function fileOf(b: Block): string {
  const ext = b.lang === 'ts' ? 'ts' : b.flags.includes('cjs') ? 'cjs' : 'mjs';
  return `block-line-${b.line}.${ext}`;
}

function run(file: string, args: readonly string[], timeout = 60_000, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, timeout, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, out: `${stdout}${stderr}`.trim() });
    });
  });
}

/** Writes every program and type-checks the ts ones in one tsc run; resolves with tsc's output. */
let checked: Promise<{ code: number; out: string }> | undefined;
function writeAndCheck(): Promise<{ code: number; out: string }> {
  checked ??= (() => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    for (const b of programs) writeFileSync(join(DIR, fileOf(b)), b.code);
    const ts = programs.filter((b) => b.lang === 'ts').map((b) => fileOf(b));
    writeFileSync(
      join(DIR, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['ES2022', 'ESNext.Disposable'],
          types: ['node'],
          strict: true,
          skipLibCheck: true,
          rootDir: '.',
          outDir: 'out',
        },
        files: ts,
      }),
    );
    return run(TSC, ['-p', join(DIR, 'tsconfig.json')]);
  })();
  return checked;
}

const readme = suite('README.md code blocks');

readme('every ts/js block is a program or marked as a fragment, with known flags; some blocks run', () => {
  for (const b of code) {
    const unknown = b.flags.filter((f) => !KNOWN_FLAGS.has(f));
    assert.equal(unknown, [], `README.md line ${b.line}: unknown flag(s) ${unknown.join(' ')} (known: ${[...KNOWN_FLAGS].join(', ')})`);
  }
  assert.ok(programs.length >= 4, `${programs.length} runnable blocks`);
});

readme('the fence parser: language, flags, body, and an unclosed block is an error', () => {
  const md = 'text\n```ts fragment\nconst a = 1;\n```\n\n```js\nx();\n```\n';
  assert.equal(fencedBlocks(md), [
    { line: 2, lang: 'ts', flags: ['fragment'], code: 'const a = 1;\n' },
    { line: 6, lang: 'js', flags: [], code: 'x();\n' },
  ]);
  assert.throws(() => fencedBlocks('```ts\nopen\n'), /line 1 is never closed/);
});

readme('the TypeScript blocks type-check against the built package, strict', async () => {
  const { code: status, out } = await writeAndCheck();
  assert.is(status, 0, out);
});

const redisServer = programs.some((b) => b.flags.includes('redis')) ? redisServerOrSkip(readme, 'readme.test') : undefined;

for (const b of programs) {
  if (b.flags.includes('redis') && redisServer === undefined) continue;
  readme(`the ${b.lang}${b.flags.length > 0 ? ` ${b.flags.join(' ')}` : ''} block at README.md line ${b.line} runs and exits 0`, async () => {
    const { code: status, out } = await writeAndCheck();
    assert.is(status, 0, out);
    const file = b.lang === 'ts' ? join(DIR, 'out', fileOf(b).replace(/\.ts$/, '.js')) : join(DIR, fileOf(b));
    const server = b.flags.includes('redis') ? await RedisServer.start(redisServer!) : undefined;
    try {
      const env: Record<string, string> = server === undefined ? {} : { REDIS_URL: `redis://127.0.0.1:${server.port}` };
      const result = await run(file, [], 60_000, env);
      assert.is(result.code, 0, `README.md line ${b.line}:\n${result.out}`);
    } finally {
      await server?.stop();
    }
  });
}

readme.run();
