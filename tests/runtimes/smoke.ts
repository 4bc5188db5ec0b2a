/**
 * The smoke suite for the runtimes that do not run the full suite (Bun and Deno; .ci/run runs it
 * under each): LocalPool, getLocalPool in Web Workers, BufferPool, and a SharedPool whose blocks
 * are acquired in two workers and released by the main isolate. Plain checks, no test runner
 * (uvu's runner is Node's); it prints one line per check and closes with
 * "<runtime>: N passed, N failed", exiting non-zero on a failure.
 *
 *   bun build/tests/runtimes/smoke.js
 *   deno run --allow-read build/tests/runtimes/smoke.js
 */
import { BufferPool, ErrorCode, getLocalPool, LocalPool, PoolError, SharedPool } from '../../src/index.js';
import { web, type WebWorker } from '../browser/page/web.js';
import type { LocalAnswer, SharedAnswer, SmokeCommand } from './smoke-worker.js';

declare const Bun: { version: string } | undefined;
declare const Deno: { version: { deno: string }; exit(code: number): never } | undefined;

const runtime = typeof Bun !== 'undefined' ? `bun ${Bun.version}` : typeof Deno !== 'undefined' ? `deno ${Deno.version.deno}` : 'node';

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

function throwsCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err instanceof PoolError && err.code === code, `expected ${code}, got ${String(err)}`);
    return;
  }
  throw new Error(`expected ${code}, nothing thrown`);
}

const workers: WebWorker[] = [];

function ask<T>(worker: WebWorker, command: SmokeCommand): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.addEventListener('message', (event) => {
      const m = event.data as { ok: boolean; value?: T; error?: string };
      if (m.ok) resolve(m.value as T);
      else reject(new Error(`worker: ${m.error}`));
    });
    worker.addEventListener('error', (event) => reject(new Error(`worker error: ${event.message ?? 'unknown'}`)));
    worker.postMessage(command);
  });
}

function spawn(): WebWorker {
  const w = new web.Worker(new URL('./smoke-worker.js', import.meta.url), { type: 'module' });
  workers.push(w);
  return w;
}

const checks: [string, () => void | Promise<void>][] = [
  [
    'LocalPool lends, takes back and reuses; limit, double release and acquireAsync',
    async () => {
      let made = 0;
      const pool = new LocalPool({ create: () => ({ id: ++made }), limit: 2 });
      const a = pool.acquire();
      pool.release(a);
      expect(pool.acquire() === a, 'the released object is lent again');
      const b = pool.acquire();
      throwsCode(() => pool.acquire(), ErrorCode.POOL_EXHAUSTED);
      const waiting = pool.acquireAsync({ timeout: 5_000 });
      pool.release(b);
      expect((await waiting) === b, 'acquireAsync is served by the release');
      pool.release(b);
      throwsCode(() => pool.release(b), ErrorCode.DOUBLE_RELEASE);
      expect(made === 2, `made ${made}`);
    },
  ],
  [
    'BufferPool rents power-of-two classes, reuses, and refuses an array it did not rent',
    () => {
      const pool = new BufferPool(Float64Array);
      const a = pool.rent(1000);
      expect(a instanceof Float64Array && a.length === 1024, `rent(1000) gave length ${a.length}`);
      pool.return(a);
      expect(pool.rent(1000) === a, 'the returned array is rented again');
      throwsCode(() => pool.return(new Float64Array(1024)), ErrorCode.FOREIGN_OBJECT);
    },
  ],
  [
    'getLocalPool in two Web Workers: each isolate its own pool, its objects made by itself',
    async () => {
      const main = getLocalPool('smoke', { create: () => ({ by: 'main' }) });
      const answers = await Promise.all(['w0', 'w1'].map((tag) => ask<LocalAnswer>(spawn(), { cmd: 'local', tag })));
      answers.forEach((r, i) => {
        expect(r.samePool, `w${i}: getLocalPool returned another pool for the same key`);
        expect(r.madeBy.every((by) => by === `w${i}`), `w${i}: lent objects made by ${r.madeBy.join(', ')}`);
        expect(r.reused, `w${i}: a released object was not lent again`);
      });
      expect(main.acquire().by === 'main', "the main isolate's pool is its own");
    },
  ],
  [
    'SharedPool across two Web Workers: blocks taken in the workers, released by the main isolate, none held twice, none lost',
    async () => {
      const blocks = 16;
      const pool = SharedPool.create({ blockSize: 64, blocks, cache: 0 });
      const answers = await Promise.all([1, 2].map((tag) => ask<SharedAnswer>(spawn(), { cmd: 'shared', tag, handle: pool.handle, count: blocks / 2 })));
      const all = answers.flatMap((a) => a.indices);
      expect(new Set(all).size === blocks, `blocks held twice: ${all.join(',')}`);
      expect(answers[0]!.ownerId !== answers[1]!.ownerId && answers.every((a) => a.ownerId !== pool.ownerId), 'every isolate has its own owner id');
      expect(pool.tryAcquire() === undefined, 'every block is out');
      answers.forEach((a, i) => {
        for (const index of a.indices) {
          const block = pool.adopt(index);
          expect(block.bytes.every((byte) => byte === i + 1), `block ${index} carries worker ${i + 1}'s stamp`);
          pool.release(block);
        }
      });
      expect(pool.stats.free === blocks, `free ${pool.stats.free} of ${blocks}`);
    },
  ],
];

let passed = 0;
let failed = 0;
for (const [name, check] of checks) {
  try {
    await check();
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    console.log(`not ok - ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
for (const w of workers) w.terminate();
console.log(`${runtime}: ${passed} passed, ${failed} failed`);
if (failed > 0) {
  if (typeof Deno !== 'undefined') Deno.exit(1);
  (globalThis as { process?: { exitCode?: number } }).process!.exitCode = 1;
}
