/**
 * Entry points the Node side calls with `page.evaluate`, after importing this module into the page.
 * Each returns a plain, structured-cloneable result object; the assertions live in
 * tests/browser.test.ts.
 */
import { bufferChecks, type BufferResult } from './buffer.js';
import { localChecks, type LocalResult } from './local.js';
import { withWorkers } from './rpc.js';
import { web } from './web.js';

/** Web Workers the cross-isolate checks start. */
export const WORKERS = 4;

export interface Environment {
  readonly crossOriginIsolated: boolean;
  readonly sharedArrayBuffer: boolean;
  readonly userAgent: string;
}

export function environment(): Environment {
  return {
    crossOriginIsolated: web.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    userAgent: web.navigator.userAgent,
  };
}

/** LocalPool and getLocalPool on the main thread and in each of 4 workers. */
export async function runLocal(): Promise<{ main: LocalResult; workers: LocalResult[] }> {
  const main = await localChecks('main');
  const workers = await withWorkers(WORKERS, (ws) => Promise.all(ws.map((w, i) => w.call<LocalResult>('local', `worker-${i}`))));
  return { main, workers };
}

export { bench } from './bench.js';
export { createWithoutIsolation, runRing, runWake } from './shared.js';

/** BufferPool on the main thread and in each of 4 workers. */
export async function runBuffer(): Promise<{ main: BufferResult; workers: BufferResult[] }> {
  const main = bufferChecks('main');
  const workers = await withWorkers(WORKERS, (ws) => Promise.all(ws.map((w, i) => w.call<BufferResult>('buffer', `worker-${i}`))));
  return { main, workers };
}
