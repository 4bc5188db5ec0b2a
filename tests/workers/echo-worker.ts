/**
 * Worker for the transfer suites: every typed array it receives is incremented element by element
 * (so the sender can see the memory went through this isolate) and posted back with its buffer in
 * the transfer list, as a worker pool (piscina, tinypool) hands results back.
 */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (m: { id: number; array: Uint8Array }) => {
  const a = m.array;
  for (let i = 0; i < a.length; i++) a[i] = (a[i]! + 1) & 0xff;
  parentPort!.postMessage(m, [a.buffer as ArrayBuffer]);
});
