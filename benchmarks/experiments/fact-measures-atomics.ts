/**
 * Fact measurements of Atomics and of the free lists built on them (benchmarks/README.md, Facts):
 * one Atomics op of each kind, a spin mutex stack one index or MUTEX_BATCH indices per lock, the
 * same with two workers on the worker harness, a Treiber stack and Vyukov's ring (the structures are
 * in bare-free-lists.ts), and element access through the two kinds of view of a growable buffer.
 * Every figure includes the loop (fact `empty-loop`).
 *
 * Loops are written out per measurement on purpose, as in fact-measures-local.ts.
 */
import { runWorkers } from '../harness.js';
import { MUTEX_BATCH, SpinMutexStack, TreiberStack, VyukovRing } from '../structures/bare-free-lists.js';
import { check, nsPerIteration, type Measure } from './fact-timing.js';
import type { SpinMutexJob } from './facts-worker.js';

/** Indices in each free list: a pool's worth (benchmarks/shared.cases.ts uses 256 blocks too). */
const CAPACITY = 256;
/** Timed part of a two-worker run: ~10^6 pairs per worker even at 250 ns a pair. */
const TWO_WORKER_MS = 300;

function atomics(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(64));
}

async function spinMutexTwoWorkers(batch: number): Promise<number> {
  const stack = new SpinMutexStack(CAPACITY);
  const data: SpinMutexJob = { sab: stack.sab, capacity: CAPACITY, batch };
  const got = await runWorkers({ script: new URL('./facts-worker.js', import.meta.url), workers: 2, durationMs: TWO_WORKER_MS, data });
  check(stack.size() === CAPACITY, `spin mutex stack holds ${stack.size()} of ${CAPACITY} after two workers`);
  return got.reduce((s, r) => s + r.ns, 0) / got.reduce((s, r) => s + r.ops, 0);
}

/** The measurements, in the order facts.ts prints them. */
export const ATOMICS_MEASURES: readonly Measure[] = [
  { id: 'atomics-op', variant: 'plain a[0], for scale', unit: 'ns/op', run() {
    const a = atomics();
    return nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x ^= a[0]!;
      return x;
    }, 50_000_000);
  } },
  { id: 'atomics-op', variant: 'load', unit: 'ns/op', run() {
    const a = atomics();
    return nsPerIteration((n) => {
      let x = 0;
      // INVARIANT: nothing else writes a[0]; the loads time the call, not contention.
      for (let i = 0; i < n; i++) x ^= Atomics.load(a, 0);
      return x;
    }, 5_000_000);
  } },
  { id: 'atomics-op', variant: 'store', unit: 'ns/op', run() {
    const a = atomics();
    return nsPerIteration((n) => {
      // INVARIANT: this thread alone stores to a[0]; the stores time the call, not contention.
      for (let i = 0; i < n; i++) Atomics.store(a, 0, i);
      return a[0]!;
    }, 5_000_000);
  } },
  { id: 'atomics-op', variant: 'add', unit: 'ns/op', run() {
    const a = atomics();
    return nsPerIteration((n) => {
      let x = 0;
      // INVARIANT: this thread alone adds to a[0]; the adds time the call, not contention.
      for (let i = 0; i < n; i++) x ^= Atomics.add(a, 0, 1);
      return x;
    }, 5_000_000);
  } },
  { id: 'atomics-op', variant: 'compareExchange', unit: 'ns/op', run() {
    const a = atomics();
    return nsPerIteration((n) => {
      let x = 0;
      // INVARIANT: a[0] starts at 0 and only this loop moves it, one step a CAS: each CAS succeeds.
      Atomics.store(a, 0, 0);
      for (let i = 0; i < n; i++) x ^= Atomics.compareExchange(a, 0, i, i + 1);
      // INVARIANT: every CAS succeeded iff a[0] counted all n of them.
      check(Atomics.load(a, 0) === n, 'every compareExchange succeeded');
      return x;
    }, 5_000_000);
  } },
  { id: 'spin-mutex', variant: '1 per lock', unit: 'ns/pair', run() {
    const stack = new SpinMutexStack(CAPACITY);
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) {
        const index = stack.pop();
        x ^= index;
        stack.push(index);
      }
      return x;
    }, 2_000_000);
    check(stack.size() === CAPACITY, 'spin mutex stack got every index back');
    return ns;
  } },
  { id: 'batched-mutex', variant: `${MUTEX_BATCH} per lock`, unit: 'ns/block', run() {
    const stack = new SpinMutexStack(CAPACITY);
    const held = new Int32Array(MUTEX_BATCH);
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let done = 0; done < n; done += MUTEX_BATCH) {
        const k = stack.popBatch(held, MUTEX_BATCH);
        x ^= held[0]!;
        stack.pushBatch(held, k);
      }
      return x;
    }, MUTEX_BATCH * 500_000);
    check(stack.size() === CAPACITY, 'batched mutex stack got every index back');
    return ns;
  } },
  { id: 'spin-mutex-2-workers', variant: '1 per lock', unit: 'ns/pair/thread', run: () => spinMutexTwoWorkers(1) },
  { id: 'spin-mutex-2-workers', variant: `${MUTEX_BATCH} per lock`, unit: 'ns/block/thread', run: () => spinMutexTwoWorkers(MUTEX_BATCH) },
  { id: 'treiber-unbatched', variant: '', unit: 'ns/pair', run() {
    const stack = new TreiberStack(CAPACITY);
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) {
        const index = stack.pop();
        x ^= index;
        stack.push(index);
      }
      return x;
    }, 2_000_000);
    check(stack.size() === CAPACITY, 'Treiber stack got every index back');
    return ns;
  } },
  { id: 'vyukov-unbatched', variant: '', unit: 'ns/pair', run() {
    const ring = new VyukovRing(CAPACITY);
    let full = 0;
    const ns = nsPerIteration((n) => {
      let x = 0;
      for (let i = 0; i < n; i++) {
        const index = ring.dequeue();
        x ^= index;
        if (!ring.enqueue(index)) full++;
      }
      return x;
    }, 2_000_000);
    check(full === 0 && ring.size() === CAPACITY, 'Vyukov ring got every index back');
    return ns;
  } },
  { id: 'gsab-views', variant: 'fixed-length view of a growable SharedArrayBuffer', unit: 'ns/op', run: () => viewReadWrite(false) },
  { id: 'gsab-views', variant: 'length-tracking view of the same buffer', unit: 'ns/op', run: () => viewReadWrite(true) },
];

/**
 * One element write and read of an Int32Array over a growable SharedArrayBuffer (what a SharedPool
 * made with `maxBlocks` lives in): a view with a length (`new Int32Array(sab, 0, n)`) against a
 * length-tracking one (`new Int32Array(sab)`), whose bounds V8 reads from the buffer at each access.
 */
function viewReadWrite(tracking: boolean): number {
  const G = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  const sab = new G(4096, { maxByteLength: 1 << 20 });
  const a = tracking ? new Int32Array(sab) : new Int32Array(sab, 0, 1024);
  return nsPerIteration((n) => {
    let x = 0;
    for (let i = 0; i < n; i++) {
      a[i & 1023] = i;
      x ^= a[(i + 7) & 1023]!;
    }
    return x;
  }, 20_000_000);
}
