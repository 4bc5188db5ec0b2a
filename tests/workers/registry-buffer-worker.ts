/** Worker for registry.test's getLocalBufferPool suite: rents from its own getLocalBufferPool and reports what it saw. */
import { parentPort, workerData } from 'node:worker_threads';
import { getLocalBufferPool } from '../../src/index.js';

const { id, barrier, parties } = workerData as { id: number; barrier: Int32Array; parties: number };

const pool = getLocalBufferPool(Uint8Array);
const same = getLocalBufferPool(Uint8Array) === pool;
const a = pool.rent(4);
a.fill(id);

// Barrier: every worker holds its array at the same time before anyone returns it.
Atomics.add(barrier, 0, 1);
Atomics.notify(barrier, 0);
for (let seen = Atomics.load(barrier, 0); seen < parties; seen = Atomics.load(barrier, 0)) {
  Atomics.wait(barrier, 0, seen);
}

pool.return(a);
const b = pool.rent(4);
parentPort!.postMessage({ id, same, reused: b === a, bytes: Array.from(b) });
