/** Worker for registry.test: uses getLocalPool('scratch') and reports what its pool saw. */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { getLocalPool, localPools } from '../../src/index.js';

const { barrier, parties } = workerData as { barrier: Int32Array; parties: number };

const options = { create: () => ({ madeBy: threadId, uses: 0 }) };
const pool = getLocalPool('scratch', options);
const same = getLocalPool('scratch') === pool;

const held = [pool.acquire(), pool.acquire()];
for (const o of held) o.uses++;

// Barrier: every isolate holds its objects at the same time before anyone releases.
Atomics.add(barrier, 0, 1);
Atomics.notify(barrier, 0);
while (Atomics.load(barrier, 0) < parties) Atomics.wait(barrier, 0, Atomics.load(barrier, 0), 1000);

for (const o of held) pool.release(o);
const again = pool.acquire();
parentPort!.postMessage({
  threadId,
  same,
  madeBy: held.map((o) => o.madeBy),
  reused: again === held[0] || again === held[1],
  created: pool.stats.created,
  listed: localPools().map((e) => `${e.kind}:${String(e.key)}`),
});
