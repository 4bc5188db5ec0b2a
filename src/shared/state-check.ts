/**
 * What `attach` checks of a pool's shared state beyond its geometry: the words no run of the pool
 * can hold. The id counter is never negative and below MAX_OWNER_ID; every owner word is 0, or
 * names an id handed out (lent, cached, in transit); waiter slots name handed-out ids with counts of
 * zero or more; the free structure's words are in range (the mutex's holder and top, Treiber's head
 * and links, the ring's counters and cells, no bit past the last block).
 *
 * These are the states random damage almost always produces, and the cheap ones to refuse: a
 * buffer that passes is still read defensively (every index is range-checked before use, every
 * loop is bounded), so damage these checks cannot see costs blocks, never a hang or a block lent
 * twice. O(blocks) reads, once per attach.
 */
import { bitWords, H, MPMC, MUTEX, ringCapacity, TREIBER, WAITER_SLOTS, type Geometry } from './layout.js';
import { MAX_OWNER_ID, TRANSIT } from './ownership.js';

/** A word of a pool that may be live. */
function word(a: Int32Array, at: number): number {
  // INVARIANT: a snapshot; only values no live pool can hold at any instant are refused.
  return Atomics.load(a, at);
}

/** A sentence saying what is impossible in the buffer's state, or undefined when nothing is. */
export function checkState(a: Int32Array, g: Geometry): string | undefined {
  const next = word(a, H.NEXT_ID);
  if (next < 0 || next >= MAX_OWNER_ID) return `its next-owner-id word is ${next}`;
  const handedOut = (id: number): boolean => id >= 1 && id <= next;
  const ownerW = g.ownerOffset >> 2;
  for (let k = 0; k < g.blocks; k++) {
    const o = word(a, ownerW + k);
    if (o !== 0 && !handedOut(o > MAX_OWNER_ID ? o ^ TRANSIT : Math.abs(o))) return `block ${k}'s owner word is ${o}, with ${next} ids handed out`;
  }
  if (word(a, H.WAITERS) < 0) return 'its waiter count is negative';
  for (let s = 0; s < WAITER_SLOTS; s++) {
    const id = word(a, H.WAITER_TABLE + 2 * s);
    if ((id !== 0 && !handedOut(id)) || word(a, H.WAITER_TABLE + 2 * s + 1) < 0) return `waiter slot ${s} is damaged`;
  }
  return checkStructure(a, g, next);
}

function checkStructure(a: Int32Array, g: Geometry, next: number): string | undefined {
  const f = g.freeOffset >> 2;
  const last = bitWords(g.blocks) - 1;
  if ((g.blocks & 31) !== 0 && word(a, (g.bitsOffset >> 2) + last) >>> (g.blocks & 31) !== 0) return 'a free bit is set past the last block';
  switch (g.strategy) {
    case 'mutex': {
      const holder = word(a, f + MUTEX.LOCK) >>> 1;
      const top = word(a, f + MUTEX.TOP);
      if (holder > next || top < 0 || top > g.blocks) return `its lock word or stack top is damaged (holder ${holder}, top ${top})`;
      return inRange(a, f + MUTEX.STACK, top, 0, g.blocks - 1) ? undefined : 'its stack holds an index out of range';
    }
    case 'treiber': {
      const head = word(a, f + TREIBER.HEAD) & ((1 << (32 - Math.clz32(g.blocks))) - 1);
      if (head > g.blocks) return `its stack head names block ${head - 1} of ${g.blocks}`;
      return inRange(a, f + TREIBER.NEXT, g.blocks, -1, g.blocks) ? undefined : 'a stack link is out of range';
    }
    case 'mpmc': {
      const cap = ringCapacity(g.blocks);
      const deq = word(a, f + MPMC.DEQ);
      const queued = (word(a, f + MPMC.ENQ) - deq) | 0;
      // A live ring moves its counters between our two reads: judge only a still head.
      if ((queued < 0 || queued > cap) && word(a, f + MPMC.DEQ) === deq) return `its ring counters are ${queued} apart, for ${cap} cells`;
      for (let i = 0; i < cap; i++) if ((word(a, f + MPMC.CELLS + i) & 0xffff) > g.blocks) return `ring cell ${i} names a block out of range`;
      return undefined;
    }
    case 'bitmap':
      return undefined;
  }
}

/** Whether words [from, from + n) all hold values in [min, max]. */
function inRange(a: Int32Array, from: number, n: number, min: number, max: number): boolean {
  for (let j = 0; j < n; j++) {
    const v = word(a, from + j);
    if (v < min || v > max) return false;
  }
  return true;
}
