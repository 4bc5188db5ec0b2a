/**
 * The free-list contract, one suite for every structure that moves block indices over owner words:
 * SharedPool's four free lists (through the `inspectSharedPool` seam, cache off) and the two
 * benchmark structures behind mempool's `crossbeam_ms_get_put` and `crossbeam_seg_get_put` rows
 * (benchmarks/structures/). `pop(n, out, tag)` takes free blocks and tags them; `push(idx, n,
 * expect)` frees those still tagged `expect`; `reclaim(id)` frees a dead isolate's. Sequences in
 * this isolate, then real worker_threads racing on one list: no block is ever held by two, and at
 * quiescence every block is free and can be taken again, each once.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { SUBJECTS, type Opened } from './helpers/free-lists.js';

const WORKER = new URL('./workers/free-list-worker.js', import.meta.url);

/** Pops every free block in batches of `batch`, checking each is new and tagged; returns them. */
function drain(o: Opened, tag: number, batch: number): number[] {
  const out = new Int32Array(batch);
  const got: number[] = [];
  for (let n = o.list.pop(batch, out, tag); n > 0; n = o.list.pop(batch, out, tag)) {
    for (let j = 0; j < n; j++) {
      assert.not.ok(got.includes(out[j]!), `block ${out[j]} popped twice`);
      assert.is(o.owners[out[j]!], tag, `owner word of block ${out[j]} after a pop tagged ${tag}`);
      got.push(out[j]!);
    }
  }
  return got;
}

function pushAll(o: Opened, blocks: readonly number[], expect: number): number {
  return o.list.push(Int32Array.from(blocks), blocks.length, expect);
}

for (const subject of SUBJECTS) {
  const contract = suite(`free-list contract (${subject.name})`);
  const BLOCKS = 100;

  contract('a fresh list lends every block once, tagged, in batches of any size; then it is empty', () => {
    for (const batch of [1, 7, 64, BLOCKS]) {
      const { opened: o } = subject.make(BLOCKS);
      const got = drain(o, o.id, batch);
      assert.is(got.length, BLOCKS);
      assert.is(o.list.pop(4, new Int32Array(4), o.id), 0);
    }
  });

  contract('push frees what is still tagged `expect`, once: a second push or a wrong `expect` frees nothing', () => {
    const { opened: o } = subject.make(BLOCKS);
    const got = drain(o, -o.id, 16);
    assert.is(pushAll(o, got.slice(0, 10), o.id), 0, 'expect +id for blocks cached (-id)');
    assert.is(pushAll(o, got.slice(0, 10), -o.id), 10);
    assert.is(pushAll(o, got.slice(0, 10), -o.id), 0, 'the second push');
    assert.ok(got.slice(0, 10).every((k) => o.owners[k] === 0));
    assert.ok(got.slice(10).every((k) => o.owners[k] === -o.id), 'the others untouched');
    // A batch naming one block twice frees it once.
    assert.is(pushAll(o, [got[10]!, got[10]!, got[11]!], -o.id), 2);
    assert.equal(drain(o, o.id, 5).sort((x, y) => x - y), [...got.slice(0, 12)].sort((x, y) => x - y));
  });

  contract('nothing is lost over many rounds of mixed batches: every block comes back, each once', () => {
    const { opened: o } = subject.make(BLOCKS);
    const held: number[] = [];
    const out = new Int32Array(13);
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let r = 0; r < 3000; r++) {
      if (random(2) === 0) {
        const n = o.list.pop(1 + random(13), out, o.id);
        for (let j = 0; j < n; j++) {
          assert.not.ok(held.includes(out[j]!), `block ${out[j]} lent twice`);
          held.push(out[j]!);
        }
        if (held.length === BLOCKS) assert.is(o.list.pop(1, out, o.id), 0, 'all lent: empty');
      } else if (held.length > 0) {
        const give = held.splice(random(held.length), 1 + random(Math.min(held.length, 9)));
        assert.is(pushAll(o, give, o.id), give.length);
      }
    }
    assert.is(pushAll(o, held, o.id), held.length);
    assert.is(drain(o, o.id, 8).length, BLOCKS);
  });

  contract("reclaim frees a dead isolate's lent and cached blocks, and nobody else's", () => {
    const { opened: o } = subject.make(BLOCKS);
    const dead = o.id + 1000;
    const out = new Int32Array(10);
    assert.is(o.list.pop(10, out, dead), 10);
    const lent = [...out];
    assert.is(o.list.pop(10, out, -dead), 10);
    const cached = [...out];
    assert.is(o.list.pop(10, out, o.id), 10);
    const mine = [...out];
    assert.is(o.list.reclaim(dead), 20);
    assert.ok([...lent, ...cached].every((k) => o.owners[k] === 0));
    assert.ok(mine.every((k) => o.owners[k] === o.id), 'a live isolate keeps its blocks');
    assert.is(o.list.reclaim(dead), 0, 'twice frees nothing more');
    assert.is(drain(o, o.id, 16).length, BLOCKS - 10);
  });

  contract('4 worker_threads race on one list: no block is held by two, and at quiescence every block is free', async () => {
    const blocks = 64;
    const { opened: o, spec } = subject.make(blocks);
    const holders = new Int32Array(new SharedArrayBuffer(4 * blocks));
    const start = new Int32Array(new SharedArrayBuffer(16));
    const workers = [0, 1, 2, 3].map((me) => new Worker(WORKER, { workerData: { spec, holders, start, me, rounds: 20_000 } }));
    const reports = workers.map(
      (w) =>
        new Promise<{ popped: number; failures: string }>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
        }),
    );
    // Every worker attached and waiting: start them together (a handshake on a shared word).
    while (Atomics.load(start, 1) < workers.length) await new Promise((r) => setTimeout(r, 1));
    Atomics.store(start, 0, 1);
    Atomics.notify(start, 0);
    const seen = await Promise.all(reports);
    await Promise.all(workers.map((w) => w.terminate()));
    assert.equal(seen.map((r) => r.failures).filter((f) => f !== ''), []);
    assert.ok(seen.every((r) => r.popped > 0), 'every worker got blocks');
    assert.ok([...o.owners].every((w) => w === 0), 'every owner word free at quiescence');
    assert.is(drain(o, o.id, 8).length, blocks);
  });

  contract.run();
}
