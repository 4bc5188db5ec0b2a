/**
 * The `_used` rows: the key mempool rows timed after the used program (used-program.ts) has run in
 * the same process, as a program that has used the library for a while runs them. Each row's fresh
 * twin (local.cases.ts, shared.cases.ts) stays: the pair shows what use costs.
 *
 * The reference of the group is `owner_slot_get_put_used`, the hand-written owner slot whose miss
 * branch the used program has run (so it is compiled, as in a real program). The issue's targets
 * read: `tls_get_put_used` and `tls_get_used` against it, `shared_tls_get_put_used` and
 * `buffer_rent_return_used` against `tls_get_put_used` (benchmarks/matrix.ts prints them).
 *
 * `validate()` runs the used program first (once per process), then checks the case like its fresh
 * twin does. The loops are the fresh rows' loops, written out again (see local.cases.ts for why).
 */
import { BufferPool, definePool, getLocalPool, LocalPool, SharedPool } from 'isopool';
import type { BenchCase } from './case.js';
import { BATCH, check, checkBatch, checkLending, Obj, OwnerSlot, RENT_LENGTH } from './local.cases.js';
import { runUsedProgram } from './used-program.js';

/** The group's name and its reference row. */
export const USED_GROUP = 'used';
export const USED_REFERENCE = 'owner_slot_get_put_used';

/** Where every case XORs what it read. */
export let usedCaseSink = 0;

/** The owner slot the reference row times, driven through its miss branch by the used program. */
const slot = new OwnerSlot();

function used(quick: boolean): Promise<void> {
  return runUsedProgram(slot, quick);
}

function ownerSlotUsed(quick: boolean): BenchCase {
  return {
    name: USED_REFERENCE,
    group: USED_GROUP,
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const o = slot.get();
        usedCaseSink ^= o.v;
        slot.put(o);
      }
    },
    async validate() {
      await used(quick);
      checkLending(USED_REFERENCE, () => slot.get(), (o) => slot.put(o));
      checkBatch(USED_REFERENCE, () => this.fn(), () => slot.hits, true);
    },
  };
}

function tlsGetPutUsed(quick: boolean): BenchCase {
  const pool = new LocalPool<Obj>({ create: () => new Obj() });
  return {
    name: 'tls_get_put_used',
    group: USED_GROUP,
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const o = pool.acquire();
        usedCaseSink ^= o.v;
        pool.release(o);
      }
    },
    async validate() {
      await used(quick);
      checkLending('tls_get_put_used', () => pool.acquire(), (o) => pool.release(o));
      checkBatch('tls_get_put_used', () => this.fn(), () => pool.stats.hits, true);
      check(pool.stats.lent === 0, 'tls_get_put_used: nothing stays lent');
    },
    teardown() {
      pool.close();
    },
  };
}

/** `getLocalPool(token)` and a pair on the pool it returns: the per-isolate lookup as a program uses it. */
function tlsGetUsed(quick: boolean): BenchCase {
  const token = definePool<Obj>({ create: () => new Obj(), name: 'bench.tls_get_used' });
  return {
    name: 'tls_get_used',
    group: USED_GROUP,
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const pool = getLocalPool(token);
        const o = pool.acquire();
        usedCaseSink ^= o.v;
        pool.release(o);
      }
    },
    async validate() {
      await used(quick);
      const pool = getLocalPool(token);
      check(getLocalPool(token) === pool, 'tls_get_used: the lookup returns this isolate\'s pool every time');
      checkLending('tls_get_used', () => getLocalPool(token).acquire(), (o) => getLocalPool(token).release(o));
      checkBatch('tls_get_used', () => this.fn(), () => pool.stats.hits, true);
    },
    teardown() {
      getLocalPool(token).close();
    },
  };
}

function leaseUsed(quick: boolean): BenchCase {
  const pool = new LocalPool<Obj>({ create: () => new Obj() });
  return {
    name: 'tls_lease_using_used',
    group: USED_GROUP,
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        using lease = pool.lease();
        usedCaseSink ^= lease.value.v;
      }
    },
    async validate() {
      await used(quick);
      pool.release(pool.acquire());
      checkBatch('tls_lease_using_used', () => this.fn(), () => pool.stats.hits, true);
      check(pool.stats.lent === 0, 'tls_lease_using_used: every lease gave its object back');
    },
    teardown() {
      pool.close();
    },
  };
}

function bufferUsed(quick: boolean): BenchCase {
  const pool = new BufferPool(Uint8Array);
  return {
    name: 'buffer_rent_return_used',
    group: USED_GROUP,
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const a = pool.rent(RENT_LENGTH);
        usedCaseSink ^= a.length;
        pool.return(a);
      }
    },
    async validate() {
      await used(quick);
      const a = pool.rent(RENT_LENGTH);
      const b = pool.rent(RENT_LENGTH);
      check(a !== b && a.length === RENT_LENGTH, 'buffer_rent_return_used: two arrays rented at once are distinct');
      pool.return(b);
      pool.return(a);
      checkBatch('buffer_rent_return_used', () => this.fn(), () => pool.stats.hits, false);
      check(pool.stats.lent === 0 && pool.stats.created === 2, 'buffer_rent_return_used: the batch made no array');
    },
    teardown() {
      pool.close();
    },
  };
}

function sharedUsed(quick: boolean): BenchCase {
  const pool = SharedPool.create({ blockSize: 64, blocks: 256, cache: 32 });
  return {
    name: 'shared_tls_get_put_used',
    group: USED_GROUP,
    batch: BATCH,
    fn() {
      for (let i = 0; i < BATCH; i++) {
        const b = pool.acquire();
        usedCaseSink ^= b.index;
        pool.release(b);
      }
    },
    async validate() {
      await used(quick);
      const a = pool.acquire();
      const b = pool.acquire();
      check(a.index !== b.index, 'shared_tls_get_put_used: two blocks held at once are distinct');
      pool.release(b);
      pool.release(a);
      const before = pool.stats.hits;
      this.fn();
      const s = pool.stats;
      check(s.lentHere === 0 && s.hits - before >= BATCH, 'shared_tls_get_put_used: the batch stays on the cache and lends nothing for good');
    },
    teardown() {
      pool.close();
    },
  };
}

/** The `_used` rows, reference first. `quick` runs a shorter used program (see used-program.ts). */
export function usedCases(opts: { quick: boolean }): BenchCase[] {
  const q = opts.quick;
  return [ownerSlotUsed(q), tlsGetPutUsed(q), tlsGetUsed(q), sharedUsed(q), bufferUsed(q), leaseUsed(q)];
}
