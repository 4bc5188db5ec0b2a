/**
 * The benchmark structures (benchmarks/structures/) when isolates die or stall inside them: the
 * exact memory a dying isolate leaves, written by hand, then real `worker.terminate()` mid-loop.
 * What each essay promises: a death costs at most the batch it was moving (lost, never lent twice),
 * a stalled dequeuer never costs a push its blocks (they go to the spill bits), and a TAIL left
 * behind by a dead pusher is moved on by the others.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { HDR } from '../benchmarks/structures/index-structure.js';
import { MS, MsQueueFreeList } from '../benchmarks/structures/ms-queue.js';
import { SEG, SEG_QUEUE, SEGMENT, SegQueueFreeList } from '../benchmarks/structures/seg-queue.js';
import { SUBJECTS } from './helpers/free-lists.js';

const WORKER = new URL('./workers/free-list-worker.js', import.meta.url);

/** Pops every block it can, one at a time, asserting none comes twice; returns them. */
function drain(list: { pop(n: number, out: Int32Array, tag: number): number }, tag: number): number[] {
  const out = new Int32Array(1);
  const got: number[] = [];
  while (list.pop(1, out, tag) === 1) {
    assert.not.ok(got.includes(out[0]!), `block ${out[0]} popped twice`);
    got.push(out[0]!);
  }
  return got;
}

const ms = suite('Michael-Scott queue: deaths');

ms('a pusher dead after linking, before its TAIL swing: the others move TAIL on, nothing is lost', () => {
  const q = MsQueueFreeList.create(16);
  const a = q.a;
  const one = new Int32Array(1);
  assert.is(q.pop(1, one, q.id), 1);
  const tailBefore = a[q.structW + MS.TAIL]!;
  assert.is(q.push(one, 1, q.id), 1);
  // The state a pusher leaves when it dies between its link CAS and its TAIL CAS: TAIL one node behind.
  a[q.structW + MS.TAIL] = tailBefore;
  assert.ok(q.nodeOf(a[q.linkWord(q.nodeOf(tailBefore))]!) >= 0, 'the lagging tail has a successor');
  const got = drain(q, q.id);
  assert.is(got.length, 16);
  assert.is(q.push(Int32Array.from(got), 16, q.id), 16);
  assert.is(drain(q, q.id).length, 16);
});

ms('a popper dead after its HEAD CAS, before claiming: that block is lost, none lent twice', () => {
  const q = MsQueueFreeList.create(16);
  const a = q.a;
  // Swing HEAD one node, as the dead popper's CAS did; its block's owner word stays 0, on no queue.
  const h = a[q.structW + MS.HEAD]!;
  const first = a[q.linkWord(q.nodeOf(h))]!;
  const bits = 32 - Math.clz32(17);
  a[q.structW + MS.HEAD] = (((h >>> bits) + 1) << bits) | (first & ((1 << bits) - 1));
  const got = drain(q, q.id);
  assert.is(got.length, 15);
  assert.not.ok(got.includes(0), 'block 0 was the dead popper\'s');
});

ms.run();

const seg = suite('segmented queue: deaths and stalls');

seg('a dequeuer dead between its claim and DONE keeps its segment from recycling: pushes spill, only its block is lost', () => {
  const q = SegQueueFreeList.create(64);
  const a = q.a;
  // The dead dequeuer claimed slot 0 of the head segment (block 0) and never took it or counted it.
  const b = q.seg(0);
  a[b + SEGMENT.DEQ]! += 1;
  const one = new Int32Array(1);
  let spilled = false;
  // Enough pairs to wrap the tail round the ring back to the wedged segment.
  for (let i = 0; i < 8 * SEG && !spilled; i++) {
    assert.is(q.pop(1, one, q.id), 1);
    assert.is(q.push(one, 1, q.id), 1);
    spilled = Atomics.load(a, HDR.SPILL_HINT) === 1;
  }
  assert.ok(spilled, 'a push spilled once the tail met the wedged segment');
  const got = drain(q, q.id);
  assert.is(got.length, 63);
  assert.not.ok(got.includes(0), "block 0 was the dead dequeuer's");
  assert.is(q.push(Int32Array.from(got), got.length, q.id), 63, 'and they all go back');
});

seg('an enqueuer dead between its claim and its write: the dequeuer gives up on that slot, nothing else is lost', () => {
  const q = SegQueueFreeList.create(40);
  const a = q.a;
  const all = drain(q, q.id);
  assert.is(all.length, 40);
  // Tail segment 1 holds 8 claimed slots; a dead enqueuer claims slot 8 and never writes it.
  const tail = a[q.structW + SEG_QUEUE.TAIL]!;
  a[q.seg(tail) + SEGMENT.ENQ]! += 1;
  assert.is(q.push(Int32Array.from(all), 40, q.id), 40);
  const got = drain(q, q.id);
  assert.is(got.length, 40, 'the abandoned slot held no block; every block pushed comes back');
  assert.ok(q.retries > 0, 'the dequeuer waited, then abandoned the slot');
});

seg.run();

const kills = suite('benchmark structures: workers terminated mid-loop');

for (const subject of SUBJECTS.filter((s) => s.name === 'ms' || s.name === 'seg')) {
  kills(`${subject.name}: a worker terminated mid-loop; reclaim brings back what it held, at most its batch is lost, nothing is lent twice`, async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const blocks = 64;
      const { opened: o, spec } = subject.make(blocks);
      const holders = new Int32Array(new SharedArrayBuffer(4 * blocks));
      const start = new Int32Array(new SharedArrayBuffer(16));
      const worker = new Worker(WORKER, { workerData: { spec, holders, start, me: 0, rounds: Infinity } });
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      while (Atomics.load(start, 1) < 1) await new Promise((r) => setTimeout(r, 1));
      Atomics.store(start, 0, 1);
      Atomics.notify(start, 0);
      // Let it run a varying while, then kill it wherever it is.
      const until = 1000 + attempt * 3000;
      while (Atomics.load(start, 3) < until) await new Promise((r) => setImmediate(r));
      await worker.terminate();
      await exited;
      const dead = Atomics.load(start, 2);
      o.list.reclaim(dead);
      assert.ok([...o.owners].every((w) => w === 0), 'nothing tagged with the dead id after reclaim');
      const got = new Set<number>();
      const out = new Int32Array(8);
      for (let n = o.list.pop(8, out, o.id); n > 0; n = o.list.pop(8, out, o.id)) {
        for (let j = 0; j < n; j++) {
          assert.not.ok(got.has(out[j]!), `block ${out[j]} lent twice`);
          got.add(out[j]!);
        }
      }
      assert.ok(got.size >= blocks - 8, `${blocks - got.size} blocks lost: more than one batch`);
    }
  });
}

kills.run();
