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
 * Each element type has its own accessor literal (ACCESSORS), naming its view's symbol as a
 * constant. The first design had one getter literal keyed by a variable symbol; closures of one
 * literal share their feedback, so with two element types in a schema its `this[key]` saw two
 * symbols and compiled to a generic keyed load, a hash lookup per access: `fields_block` ran 8.4x
 * `fields_object` (70 against 8.4 ns, Node v20.20.2, 2-vCPU VM under load, 2026-11-22). The
 * current figures are the bench rows `fields_object`, `fields_typed_array` and `fields_block`
 * (README, "The current run").
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

// Symbol keys of a fields object's views, one per element type: module constants, so the
// accessors below name them as constants.
const I8 = Symbol('i8');
const U8 = Symbol('u8');
const I16 = Symbol('i16');
const U16 = Symbol('u16');
const I32 = Symbol('i32');
const U32 = Symbol('u32');
const F32 = Symbol('f32');
const F64 = Symbol('f64');
const I64 = Symbol('i64');
const U64 = Symbol('u64');

const VIEW: Record<FieldType, symbol> = { i8: I8, u8: U8, i16: I16, u16: U16, i32: I32, u32: U32, f32: F32, f64: F64, i64: I64, u64: U64 };

/** A fields object as its accessors see it: a view per element type its record uses. */
type Holder = Record<symbol, { [i: number]: unknown }>;

interface Accessor {
  get(this: Holder): unknown;
  set(this: Holder, v: unknown): void;
}

/**
 * The accessor pair of a field of each element type at element index `i` of its view: one function
 * literal per type, each naming one constant symbol (see "Cost, measured" above for why).
 */
const ACCESSORS: Record<FieldType, (i: number) => Accessor> = {
  i8: (i) => ({ get() { return this[I8]![i]; }, set(v) { this[I8]![i] = v; } }),
  u8: (i) => ({ get() { return this[U8]![i]; }, set(v) { this[U8]![i] = v; } }),
  i16: (i) => ({ get() { return this[I16]![i]; }, set(v) { this[I16]![i] = v; } }),
  u16: (i) => ({ get() { return this[U16]![i]; }, set(v) { this[U16]![i] = v; } }),
  i32: (i) => ({ get() { return this[I32]![i]; }, set(v) { this[I32]![i] = v; } }),
  u32: (i) => ({ get() { return this[U32]![i]; }, set(v) { this[U32]![i] = v; } }),
  f32: (i) => ({ get() { return this[F32]![i]; }, set(v) { this[F32]![i] = v; } }),
  f64: (i) => ({ get() { return this[F64]![i]; }, set(v) { this[F64]![i] = v; } }),
  i64: (i) => ({ get() { return this[I64]![i]; }, set(v) { this[I64]![i] = v; } }),
  u64: (i) => ({ get() { return this[U64]![i]; }, set(v) { this[U64]![i] = v; } }),
};

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
      const { get, set } = ACCESSORS[type](offset / FIELD_TYPES[type].BYTES_PER_ELEMENT);
      Object.defineProperty(proto, name, { get, set, enumerable: true });
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
