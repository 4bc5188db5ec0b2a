/** Worker script for the harness tests: counts its operations into a shared counter, or fails on purpose. */
import { harnessData, timedLoop } from '../../harness-worker.js';

const { data } = harnessData<{ mode: 'count' | 'throw'; counter: SharedArrayBuffer }>();
if (data.mode === 'throw') throw new Error('fixture worker failed before the barrier');
const counter = new Int32Array(data.counter);
timedLoop(
  (n) => {
    // INVARIANT: one add per chunk; the test compares the total with the ops the harness reports.
    Atomics.add(counter, 0, n);
  },
  { chunk: 64, warmup: 640, extra: () => ({ seen: Atomics.load(counter, 0) }) },
);
