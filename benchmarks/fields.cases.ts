/**
 * Typed fields (SharedPool's `fields` option, src/shared/fields.ts) against what they replace: one
 * iteration writes an integer field and reads a float field of one record.
 *
 * - `fields_object`: a plain object `{ id, score }` (the group's ratio baseline).
 * - `fields_typed_array`: what a field costs at least: a property load of a holder's typed array and
 *   an element access at a constant index, per field (`r.u32[4] = i; x += r.f64[1]`).
 * - `fields_block`: `block.fields.id = i; x += block.fields.score` on a SharedPool block whose
 *   schema is `{ score: 'f64', id: 'u32' }`.
 *
 * Records rotate over 64 blocks (and 64 objects and holders), so no case reads one constant slot.
 * The loops are written out per case on purpose: one shared loop would see all three record shapes
 * and time a polymorphic access.
 */
import { SharedPool, type Block } from 'isopool';
import type { BenchCase } from './case.js';

/** Iterations per call: a few ns each, so benny's ~6.5 ns a call is under 0.1 %. */
export const BATCH = 10_000;

/** Records each case cycles through: a pool's worth, small enough to stay in cache. */
const RECORDS = 64;

/** The record the last iteration of a call writes. */
const LAST = (BATCH - 1) & (RECORDS - 1);

const SCHEMA = { score: 'f64', id: 'u32' } as const;

export let sink = 0;

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`validation failed: ${what}`);
}

function objectCase(): BenchCase {
  const records = Array.from({ length: RECORDS }, (_, i) => ({ score: i / 2, id: 0 }));
  return {
    name: 'fields_object',
    group: 'fields',
    batch: BATCH,
    fn() {
      let x = 0;
      for (let i = 0; i < BATCH; i++) {
        const r = records[i & (RECORDS - 1)]!;
        r.id = i;
        x += r.score;
      }
      sink += x;
    },
    validate() {
      this.fn();
      check(records[LAST]!.id === BATCH - 1, 'fields_object wrote its records');
    },
  };
}

function typedArrayCase(): BenchCase {
  const sab = new SharedArrayBuffer(RECORDS * 64);
  const records = Array.from({ length: RECORDS }, (_, i) => {
    const r = { f64: new Float64Array(sab, i * 64, 2), u32: new Uint32Array(sab, i * 64, 4) };
    r.f64[0] = i / 2;
    return r;
  });
  return {
    name: 'fields_typed_array',
    group: 'fields',
    batch: BATCH,
    fn() {
      let x = 0;
      for (let i = 0; i < BATCH; i++) {
        const r = records[i & (RECORDS - 1)]!;
        r.u32[2] = i;
        x += r.f64[0]!;
      }
      sink += x;
    },
    validate() {
      this.fn();
      check(records[LAST]!.u32[2] === BATCH - 1, 'fields_typed_array wrote its records');
    },
  };
}

function blockCase(): BenchCase {
  let pool: SharedPool<typeof SCHEMA> | undefined;
  let blocks: Block<{ score: number; id: number }>[] = [];
  return {
    name: 'fields_block',
    group: 'fields',
    batch: BATCH,
    fn() {
      let x = 0;
      for (let i = 0; i < BATCH; i++) {
        const f = blocks[i & (RECORDS - 1)]!.fields;
        f.id = i;
        x += f.score;
      }
      sink += x;
    },
    validate() {
      pool = SharedPool.create({ blockSize: 48, blocks: RECORDS, cache: 0, fields: SCHEMA });
      blocks = Array.from({ length: RECORDS }, () => pool!.acquire());
      blocks.forEach((b, i) => (b.fields.score = i / 2));
      this.fn();
      check(blocks[LAST]!.fields.id === BATCH - 1 && blocks[3]!.fields.score === 1.5, 'fields_block wrote and read its records');
    },
    teardown() {
      for (const b of blocks) pool!.release(b);
      pool!.close();
    },
  };
}

export function fieldsCases(): BenchCase[] {
  return [objectCase(), typedArrayCase(), blockCase()];
}
