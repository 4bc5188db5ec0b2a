/**
 * Worker for the free-list contract: opens the list from its spec, then for `rounds` rounds pops a
 * batch of 1 to 8 blocks (tagged lent or cached, in turn), takes each in a shared holder table by
 * CAS (a block another isolate holds is a failure: lent twice), checks its owner word, releases
 * half of what it holds with the tag as `expect`, and tries one of those releases again (it must
 * free nothing). Waits on start[0] (every worker counted in start[1] first) so all begin together;
 * reports what it saw.
 * With `rounds: Infinity` it never stops (the kill tests terminate it): it publishes its id in
 * `start[2]` and counts its rounds in `start[3]`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { open, type Spec } from '../helpers/free-lists.js';

interface Data {
  spec: Spec;
  /** One word per block: 0, or the number of the worker holding it. */
  holders: Int32Array;
  start: Int32Array;
  me: number;
  rounds: number;
}

const { spec, holders, start, me, rounds } = workerData as Data;
const { list, id, owners } = open(spec);
const mine = me + 1;
const out = new Int32Array(8);
const one = new Int32Array(1);
const held: Array<{ k: number; tag: number }> = [];
let popped = 0;
let failures = '';
let seed = me * 7919 + 1;
const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);

Atomics.store(start, 2, id);
Atomics.add(start, 1, 1);
while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0, 1000);

for (let r = 0; r < rounds && failures === ''; r++) {
  const tag = r % 2 === 0 ? id : -id;
  Atomics.add(start, 3, 1);
  const n = list.pop(1 + random(8), out, tag);
  popped += n;
  for (let j = 0; j < n; j++) {
    const k = out[j]!;
    // INVARIANT: 0 -> mine claims the holder word; anything else means another worker holds k.
    const other = Atomics.compareExchange(holders, k, 0, mine);
    if (other !== 0) failures = `block ${k} popped while worker ${other} held it`;
    else if (Atomics.load(owners, k) !== tag) failures = `block ${k}: owner ${Atomics.load(owners, k)} after a pop tagged ${tag}`;
    held.push({ k, tag });
  }
  // Release half of what is held (at least one), oldest first.
  for (let left = Math.max(1, held.length >> 1); left > 0 && held.length > 0; left--) {
    const { k, tag: t } = held.shift()!;
    Atomics.store(holders, k, 0);
    one[0] = k;
    if (list.push(one, 1, t) !== 1) failures ||= `a release of block ${k} (owner ${t}) freed nothing`;
    one[0] = k;
    if (random(4) === 0 && list.push(one, 1, t) !== 0) failures ||= `a second release of block ${k} freed it again`;
  }
}
for (const { k, tag } of held) {
  Atomics.store(holders, k, 0);
  one[0] = k;
  if (list.push(one, 1, tag) !== 1) failures ||= `the final release of block ${k} freed nothing`;
}
parentPort!.postMessage({ popped, failures, retries: list.retries });
