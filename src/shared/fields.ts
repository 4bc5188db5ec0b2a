/**
 * Typed fields beside a block's bytes: `fields: { id: 'u32', score: 'f64', seq: 'i64' }` gives
 * every Block a `fields` object whose properties read and write the block's own record in the
 * shared buffer, so a producer in one worker and a consumer in another share a struct with
 * nothing serialised.
 *
 * ## Layout
 *
 * A block's memory starts with its record, then its `bytes` (`blockSize` of them). Fields sit in
 * declaration order, each at an offset that is a multiple of its size (natural alignment), and the
 * record is rounded up to 8 bytes, so `bytes` stays 8-byte aligned (a Float64Array over it works).
 * Blocks start on 64-byte boundaries, so every field is aligned in the buffer too. The schema is
 * kept in the buffer as text (`id:u32,score:f64`), in the FIELDS region the header points to, so an
 * isolate that attaches rebuilds the same record layout (layout.ts checks it agrees).
 *
 * ## Access: a property load and an element access
 *
 * Each Block's `fields` object holds one small typed array per element type its record uses, over
 * that block's record (fixed-length views, so a growable buffer does not slow them: a
 * length-tracking view reads and writes about 20 times slower, benchmarks/README.md, fact
 * `gsab-views`). A field is an accessor on a prototype shared by the
 * pool's fields objects: `get score() { return this[F64][1] }`, a symbol-keyed property load and an
 * element load at a constant index, which V8 inlines at a monomorphic site. The views are symbol
 * keys and the accessors enumerable, so `for...in` and `JSON.stringify` (through `toJSON`) see the
 * fields and nothing else (`Object.keys` sees no own keys: the fields live on the prototype).
 * Writes store as the typed array does: integers wrap, `i64`/`u64` take and give bigints (a number
 * there is a TypeError, as BigInt64Array's).
 *
 * ## Cost, measured
 *
 * Not yet what it should be: bench rows `fields_object`, `fields_typed_array`, `fields_block` (one
 * integer write and one float read a record; Node v20.20.2, 2-vCPU VM under load, 2026-11-22 02:36
 * UTC) gave 12, 15 and 71 ns an iteration. The accessors are inlined (--trace-turbo-inlining), and a
 * single long loop over the same objects ran at about 11 ns, so the gap is in how V8 compiles `fn`
 * called again and again; not yet understood.
 *
 * ## Alternatives rejected
 *
 * - One view per element type over the whole block region, indexed by the block's offset: one more
 *   context load and an add per access, and the views must be rebuilt when the pool grows.
 * - A DataView per record: `getFloat64(8, true)` is a call with an endianness flag per access.
 * - Generating the accessor class with `new Function`: refused by pages with a strict CSP.
 */
import { describe } from '../validate.js';

/** The element types a field can have; `i64` and `u64` hold bigints. */
export const FIELD_TYPES = {
  i8: Int8Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
  i64: BigInt64Array,
  u64: BigUint64Array,
} as const;

export type FieldType = keyof typeof FIELD_TYPES;

/** A schema: field name -> element type. */
export type FieldSchema = Readonly<Record<string, FieldType>>;

/** The `fields` object of a Block whose pool has schema `F`. */
export type FieldsOf<F extends FieldSchema> = { -readonly [K in keyof F]: F[K] extends 'i64' | 'u64' ? bigint : number };

/** Most fields in one schema: the schema text stays under 2 KiB, and a record far below a block. */
export const MAX_FIELDS = 64;
/** Longest field name (schema text in the header region). */
const MAX_NAME = 64;

/** Names a field may not take: what every object inherits, and the fields object's own `toJSON`. */
const RESERVED = new Set(['toJSON', ...Object.getOwnPropertyNames(Object.prototype)]);

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** One field of a record: its name, element type, and byte offset within the record. */
export interface FieldSlot {
  readonly name: string;
  readonly type: FieldType;
  readonly offset: number;
}

/** A schema laid out: its fields in order, the record's size, and the schema as text. */
export interface RecordLayout {
  readonly slots: readonly FieldSlot[];
  /** Bytes before a block's `bytes`: 0 without fields, else a multiple of 8. */
  readonly recordBytes: number;
  /** `name:type,name:type`: what the buffer keeps. */
  readonly text: string;
}

export const NO_FIELDS: RecordLayout = { slots: [], recordBytes: 0, text: '' };

/** Checks a `fields` option (TypeError naming a bad name or type) and lays it out. */
export function layoutFields(fields: unknown): RecordLayout {
  if (fields === undefined) return NO_FIELDS;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new TypeError(`isopool: option \`fields\` must be an object of field name -> type (${Object.keys(FIELD_TYPES).join(', ')}), received ${describe(fields)}`);
  }
  const entries = Object.entries(fields as Record<string, unknown>);
  if (entries.length > MAX_FIELDS) throw new TypeError(`isopool: option \`fields\` has ${entries.length} fields, more than ${MAX_FIELDS}`);
  const slots: FieldSlot[] = [];
  let at = 0;
  for (const [name, type] of entries) {
    if (!NAME.test(name) || name.length > MAX_NAME || RESERVED.has(name)) {
      throw new TypeError(
        `isopool: option \`fields\` has a bad field name ${JSON.stringify(name)}: a name is an identifier of at most ${MAX_NAME} characters, and not one every object has (${JSON.stringify(name)} is ${RESERVED.has(name) ? 'reserved' : 'not an identifier'})`,
      );
    }
    if (typeof type !== 'string' || !Object.hasOwn(FIELD_TYPES, type)) {
      throw new TypeError(`isopool: option \`fields\`: field \`${name}\` has an unknown type ${describe(type)}; the types are ${Object.keys(FIELD_TYPES).join(', ')}`);
    }
    const size = FIELD_TYPES[type as FieldType].BYTES_PER_ELEMENT;
    at = Math.ceil(at / size) * size;
    slots.push({ name, type: type as FieldType, offset: at });
    at += size;
  }
  return { slots, recordBytes: Math.ceil(at / 8) * 8, text: slots.map((s) => `${s.name}:${s.type}`).join(',') };
}

/** The layout of schema text read from a buffer, or undefined when the text is no valid schema. */
export function parseFields(text: string): RecordLayout | undefined {
  if (text === '') return NO_FIELDS;
  const schema: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [name, type, extra] = part.split(':');
    if (name === undefined || type === undefined || extra !== undefined || Object.hasOwn(schema, name)) return undefined;
    schema[name] = type;
  }
  try {
    const layout = layoutFields(schema);
    return layout.text === text ? layout : undefined;
  } catch {
    return undefined;
  }
}

/** Symbol keys of a fields object's views, one per element type. */
const VIEW = Object.fromEntries(Object.keys(FIELD_TYPES).map((t) => [t, Symbol(t)])) as Record<FieldType, symbol>;

type Views = { [K in FieldType]?: InstanceType<(typeof FIELD_TYPES)[K]> };

/**
 * Makes the `fields` objects of one pool attachment: a prototype with an accessor per field, and
 * per block an object holding views over that block's record.
 */
export class FieldsMaker {
  private readonly _layout: RecordLayout;
  private readonly _proto: object;
  /** The element types the record uses. */
  private readonly _types: readonly FieldType[];

  constructor(layout: RecordLayout) {
    this._layout = layout;
    this._types = [...new Set(layout.slots.map((s) => s.type))];
    const proto: Record<string | symbol, unknown> = {};
    for (const { name, type, offset } of layout.slots) {
      const key = VIEW[type];
      const i = offset / FIELD_TYPES[type].BYTES_PER_ELEMENT;
      Object.defineProperty(proto, name, {
        get(this: Record<symbol, Views[FieldType]>) {
          return this[key]![i];
        },
        set(this: Record<symbol, Views[FieldType]>, v: never) {
          this[key]![i] = v;
        },
        enumerable: true,
      });
    }
    Object.defineProperty(proto, 'toJSON', {
      value(this: Record<string, unknown>) {
        const out: Record<string, unknown> = {};
        for (const { name, type } of layout.slots) out[name] = type === 'i64' || type === 'u64' ? String(this[name]) : this[name];
        return out;
      },
    });
    this._proto = Object.freeze(proto);
  }

  get layout(): RecordLayout {
    return this._layout;
  }

  /** The fields object of the record at `byteOffset` of `sab` (frozen: a misspelt field throws). */
  make(sab: SharedArrayBuffer, byteOffset: number): object {
    const fields = Object.create(this._proto) as Record<symbol, unknown>;
    for (const type of this._types) {
      const C = FIELD_TYPES[type] as unknown as { new (b: ArrayBufferLike, at: number, n: number): unknown; readonly BYTES_PER_ELEMENT: number };
      fields[VIEW[type]] = new C(sab, byteOffset, this._layout.recordBytes / C.BYTES_PER_ELEMENT);
    }
    return Object.freeze(fields);
  }
}
