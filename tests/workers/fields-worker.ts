/**
 * Worker for the typed-fields suite (tests/shared-pool-fields.test.ts): syncpool's producer and
 * consumer over a SharedPool whose blocks carry fields { id: 'u32', score: 'f64', seq: 'i64',
 * tag: 'u8' } and a name in their bytes. Nothing is serialised: the producer fills a block's fields
 * and bytes in place and puts its index into a queue of Int32 words; the consumer adopts the block
 * by index, checks every field and the name against what record `i` must hold, and releases it to
 * the shared list for the producer to fill again. Modes:
 * - `produce`: `records` records, each in a block from `acquireSync` (it waits when all are out).
 * - `consume`: `records` records, in order; counts records that do not hold what they must in BAD.
 * Synchronisation is by Atomics on the queue's words only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedPool, type SharedPoolHandle } from '../../src/shared/shared-pool.js';

/** The queue's words: how many records are published, how many consumed, records checked wrong; then one block index per record. */
export const QUEUE = { PUBLISHED: 0, CONSUMED: 1, BAD: 2, SLOTS: 3 } as const;

/** The schema of the producer/consumer records. */
export const RECORD_FIELDS = { id: 'u32', score: 'f64', seq: 'i64', tag: 'u8' } as const;

/** What record `i` holds: its fields and its name (in the block's bytes, one byte per char). */
export function expected(i: number): { id: number; score: number; seq: bigint; tag: number; name: string } {
  return { id: 1000 + i, score: i * 1.5 + 0.25, seq: BigInt(i) * 1_000_000_007n - 5n, tag: (i * 37) & 0xff, name: `record-${i}` };
}

interface Data {
  mode: 'produce' | 'consume';
  handle: SharedPoolHandle<typeof RECORD_FIELDS>;
  queue: Int32Array;
  records: number;
}

const data = workerData as Data;
if (data !== null && typeof data === 'object' && 'mode' in data) {
  const pool = SharedPool.attach(data.handle, { cache: 0 });
  if (data.mode === 'produce') produce(pool, data);
  else consume(pool, data);
  pool.close();
  parentPort!.postMessage({ ownerId: pool.ownerId });
}

function produce(pool: SharedPool<typeof RECORD_FIELDS>, d: Data): void {
  for (let i = 0; i < d.records; i++) {
    const b = pool.acquireSync({ timeout: 30_000 });
    const want = expected(i);
    b.fields.id = want.id;
    b.fields.score = want.score;
    b.fields.seq = want.seq;
    b.fields.tag = want.tag;
    b.bytes[0] = want.name.length;
    for (let k = 0; k < want.name.length; k++) b.bytes[1 + k] = want.name.charCodeAt(k);
    d.queue[QUEUE.SLOTS + i] = b.index;
    // INVARIANT: publishes slot i and, before it, the block's fields and bytes (a seq-cst store).
    Atomics.store(d.queue, QUEUE.PUBLISHED, i + 1);
    Atomics.notify(d.queue, QUEUE.PUBLISHED);
  }
}

function consume(pool: SharedPool<typeof RECORD_FIELDS>, d: Data): void {
  for (let i = 0; i < d.records; i++) {
    // INVARIANT: PUBLISHED only grows; the producer notifies after each store.
    while (Atomics.load(d.queue, QUEUE.PUBLISHED) <= i) Atomics.wait(d.queue, QUEUE.PUBLISHED, i, 1000);
    const b = pool.adopt(d.queue[QUEUE.SLOTS + i]!);
    const want = expected(i);
    const f = b.fields;
    let name = '';
    for (let k = 0; k < b.bytes[0]!; k++) name += String.fromCharCode(b.bytes[1 + k]!);
    if (f.id !== want.id || f.score !== want.score || f.seq !== want.seq || f.tag !== want.tag || name !== want.name) Atomics.add(d.queue, QUEUE.BAD, 1);
    pool.release(b);
    // INVARIANT: a count the test reads at the end.
    Atomics.add(d.queue, QUEUE.CONSUMED, 1);
  }
}
