/**
 * The far side of the transfer cases (transfer.cases.ts): each message is a typed array whose
 * buffer came in the transfer list; the worker writes one element (so the memory really went
 * through this isolate) and posts it back the same way, as a worker pool hands results back.
 */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (a: Uint8Array) => {
  a[1] = a[0]!;
  parentPort!.postMessage(a, [a.buffer as ArrayBuffer]);
});
