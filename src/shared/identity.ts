/**
 * Memory identity: whether two SharedArrayBuffer objects are one memory or a copy.
 *
 * A pool's nonce (two header words, random, written once at create) tells pools apart, and the
 * buffer object a worker receives is a new object over the same memory, so an `===` test cannot
 * serve. But a copy (`sab.slice()`, or bytes copied into a new buffer) carries the nonce too. The
 * probe tells them apart: PROBE is a header counter that only grows (every probe adds 1), so a bump
 * made through one object shows through the other only if they share memory. It probes both ways,
 * so a copy whose own counter happens to run ahead still fails one direction.
 *
 * `claimIdentity` keeps, per isolate, the first buffer opened for each nonce (weakly): opening a
 * second, different memory with the same nonce means one of them is a copy, and attach refuses it.
 * A copy opened in an isolate that never saw the original is a pool of its own (a snapshot): it
 * shares no memory, and the probe keeps its blocks and the original's apart.
 */
import { H } from './layout.js';

const HEADER_WORDS = H.PROBE + 1;

/** True when `x` and `y` are the same pool memory (not merely equal bytes). */
export function sameMemory(x: SharedArrayBuffer, y: SharedArrayBuffer): boolean {
  if (x === y) return true;
  if (x.byteLength !== y.byteLength || x.byteLength < 4 * HEADER_WORDS) return false;
  const a = new Int32Array(x, 0, HEADER_WORDS);
  const b = new Int32Array(y, 0, HEADER_WORDS);
  // INVARIANT: the nonce is written once, before the handle is first shared.
  if (Atomics.load(a, H.NONCE) !== Atomics.load(b, H.NONCE) || Atomics.load(a, H.NONCE_HIGH) !== Atomics.load(b, H.NONCE_HIGH)) return false;
  // INVARIANT: PROBE only grows: our bump through one shows through the other iff they share memory.
  const mine = (Atomics.add(a, H.PROBE, 1) + 1) | 0;
  if (((Atomics.load(b, H.PROBE) - mine) | 0) < 0) return false;
  // INVARIANT: and the other way round.
  const theirs = (Atomics.add(b, H.PROBE, 1) + 1) | 0;
  return ((Atomics.load(a, H.PROBE) - theirs) | 0) >= 0;
}

/** This isolate's first buffer per nonce, held weakly; pruned of collected ones as it grows. */
const opened = new Map<string, WeakRef<SharedArrayBuffer>>();
let pruneAt = 64;

/**
 * Records `sab` as this isolate's memory for its nonce. False when a different memory with the same
 * nonce is already open here: one of the two is a copy.
 */
export function claimIdentity(sab: SharedArrayBuffer): boolean {
  const a = new Int32Array(sab, 0, HEADER_WORDS);
  // INVARIANT: the nonce is written once, before the handle is first shared.
  const key = `${Atomics.load(a, H.NONCE)}:${Atomics.load(a, H.NONCE_HIGH)}`;
  const known = opened.get(key)?.deref();
  if (known !== undefined) return sameMemory(known, sab);
  opened.set(key, new WeakRef(sab));
  if (opened.size > pruneAt) {
    for (const [k, ref] of opened) if (ref.deref() === undefined) opened.delete(k);
    pruneAt = 2 * opened.size + 64;
  }
  return true;
}
