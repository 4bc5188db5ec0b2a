/**
 * BlockTable: this isolate's view objects of a pool's blocks, one frozen `Block` per index, made on
 * first use and reused, and the check that an argument names a block of this pool (a Block of this
 * attachment, any isolate's Block over the same memory, or an index).
 *
 * ## Posting a Block
 *
 * A Block is postable (postMessage, structuredClone): structured clone copies an object's own
 * enumerable properties, calling getters, and leaves the rest out. So `_home` (the attachment, full
 * of functions structured clone refuses) is non-enumerable, and `generation` is an own enumerable
 * getter of the block's GEN word: the copy carries `{ index, bytes, generation }`, its `bytes` a view
 * of the same shared memory. A copy released or adopted after its block went back to the shared
 * list and was lent again has an older generation than the GEN word: refused as stale. `fields`
 * (a pool with a schema, fields.ts) is non-enumerable too: a posted copy would carry an empty
 * object, as structured clone drops accessors; the receiver adopts the block to get its own.
 *
 * ## One hidden class
 *
 * Every Block of every pool has the same getter function, `generationOf`, which reads the GEN table
 * through the block's non-enumerable `_gens`. V8 keeps an accessor property in the hidden class:
 * with one getter closure per pool (this module's first design) the Blocks of a second pool could
 * not share the first's hidden class and went to dictionary mode, and a cached pair of every pool
 * then did hash lookups for `index` and `_home`: 100-160 against 13-16 ns a pair with a second
 * cached pool open (Node 20.20.2, 2-vCPU AMD EPYC VM, 2026-11-22). tests/hot-paths.test.ts checks
 * that Blocks of two pools share one hidden class in fast mode.
 */
import { ErrorCode, PoolError } from '../errors.js';
import { describe } from '../validate.js';
import { FieldsMaker } from './fields.js';
import { sameMemory } from './identity.js';
import { H, type Geometry } from './layout.js';

/**
 * A block of the pool: its index, a Uint8Array over its bytes, and with a `fields` schema its
 * record (one object per index per isolate).
 */
export interface Block<Fields extends object = {}> {
  readonly index: number;
  readonly bytes: Uint8Array;
  /** The block's typed fields (`fields` option of `SharedPool.create`); `{}` without a schema. */
  readonly fields: Fields;
  /**
   * Which lending of this block this is: the count of times it was lent from the shared list. A
   * Block posted to another isolate carries the value it had when posted, so a release or adopt of
   * a stale copy (after the block was released and lent again) is refused.
   */
  readonly generation: number;
}

export class SharedBlock implements Block<any> {
  readonly index: number;
  readonly bytes: Uint8Array;
  /** Typed by the pool (`SharedPool<F>`'s `Block<FieldsOf<F>>`); here one class serves every schema. */
  declare readonly fields: any;
  declare readonly generation: number;
  /**
   * @internal The cached attachment that made this object (undefined without a cache): the hot
   * release's one-load proof that the block is its own. Non-enumerable: left out of a posted copy.
   */
  declare readonly _home: object | undefined;
  /** @internal The pool's GEN table, which `generation` reads. Non-enumerable, like `_home`. */
  declare readonly _gens: Int32Array;

  constructor(index: number, bytes: Uint8Array, fields: object, home: object | undefined, gens: Int32Array) {
    this.index = index;
    this.bytes = bytes;
    Object.defineProperty(this, 'fields', { value: fields });
    Object.defineProperty(this, 'generation', { get: generationOf, enumerable: true });
    Object.defineProperty(this, '_home', { value: home });
    Object.defineProperty(this, '_gens', { value: gens });
    Object.freeze(this);
  }
}

/** The `fields` of every block of a pool without a schema. */
const NO_RECORD: Record<string, never> = Object.freeze({});

/** The `generation` getter of every Block: one function, so every Block has one hidden class (see above). */
function generationOf(this: SharedBlock): number {
  // INVARIANT: a snapshot of the lending count; bumped only by the claim that lends the block.
  return Atomics.load(this._gens, this.index);
}

export class BlockTable {
  private readonly _sab: SharedArrayBuffer;
  private readonly _geometry: Geometry;
  private readonly _home: object | undefined;
  private readonly _blocks: (SharedBlock | undefined)[];
  /** The GEN table: lendings of each block. */
  private readonly _gens: Int32Array;
  /** The header's words, for NBLOCKS (blocks that exist now). */
  private readonly _header: Int32Array;
  /** Makes each block's `fields` object; undefined without a schema (every block shares NO_RECORD). */
  private readonly _fields: FieldsMaker | undefined;

  /** `home` is stamped on every Block made here (the cached attachment), or undefined. */
  constructor(sab: SharedArrayBuffer, geometry: Geometry, home: object | undefined) {
    this._sab = sab;
    this._geometry = geometry;
    this._home = home;
    this._blocks = new Array<SharedBlock | undefined>(geometry.maxBlocks);
    this._header = new Int32Array(sab, 0, H.RECORD_BYTES + 1);
    this._fields = geometry.fields.slots.length === 0 ? undefined : new FieldsMaker(geometry.fields);
    this._gens = new Int32Array(sab, geometry.genOffset, geometry.maxBlocks);
  }

  /** This isolate's Block for index `i` (made on first use). */
  at(i: number): SharedBlock {
    const b = this._blocks[i];
    if (b !== undefined) return b;
    const g = this._geometry;
    const at = g.blocksOffset + i * g.stride;
    if (at + g.stride > this._sab.byteLength) {
      // Only a damaged block count names a block whose memory the buffer has not grown to.
      throw new PoolError(ErrorCode.BAD_HANDLE, `isopool: SharedPool block ${i} has no memory: the pool's block count word is damaged`);
    }
    const fields = this._fields === undefined ? NO_RECORD : this._fields.make(this._sab, at);
    const made = new SharedBlock(i, new Uint8Array(this._sab, at + g.fields.recordBytes, g.blockSize), fields, this._home, this._gens);
    this._blocks[i] = made;
    return made;
  }

  /** Whether `block` is one of this attachment's own Block objects. */
  isOwn(block: Block | number): boolean {
    return typeof block === 'object' && block !== null && this._blocks[block.index] === block;
  }

  /**
   * Index of a block given as a Block of this pool (any isolate's or attachment's) or an index.
   * A Block object of another attachment or isolate must be over this pool's memory (not a copy's)
   * and, if it carries a generation, the block's current one.
   */
  indexOf(block: Block | number, method: string): number {
    // INVARIANT: a snapshot; NBLOCKS only grows, and a block under it has its memory.
    const blocks = Math.min(Atomics.load(this._header, H.NBLOCKS) >>> 0, this._geometry.maxBlocks);
    if (typeof block === 'number') {
      if (!Number.isInteger(block) || block < 0 || block >= blocks) {
        throw new RangeError(`isopool: SharedPool.${method}() takes a block or an index in [0, ${blocks}), received ${describe(block)}`);
      }
      return block;
    }
    if (block === null || typeof block !== 'object') {
      throw new TypeError(`isopool: SharedPool.${method}() takes a block or an index, received ${describe(block)}`);
    }
    const i = (block as { index?: unknown }).index;
    const bytes = (block as { bytes?: unknown }).bytes;
    if (typeof i === 'number' && this._blocks[i] === block) return i;
    if (
      typeof i !== 'number' ||
      !Number.isInteger(i) ||
      i < 0 ||
      i >= blocks ||
      !(bytes instanceof Uint8Array) ||
      !this._sameBuffer(bytes.buffer)
    ) {
      throw new PoolError(ErrorCode.FOREIGN_OBJECT, `isopool: SharedPool.${method}() was given a block of another pool (or of a copy of this one)`);
    }
    const generation = (block as { generation?: unknown }).generation;
    // INVARIANT: a snapshot; the release or adopt that follows decides by CAS on the owner word.
    if (typeof generation === 'number' && generation !== Atomics.load(this._gens, i)) {
      throw new PoolError(
        ErrorCode.DOUBLE_RELEASE,
        `isopool: SharedPool.${method}() was given a stale copy of block ${i} (generation ${generation}): it was released and lent again since (now generation ${Atomics.load(this._gens, i)})`,
      );
    }
    return i;
  }

  /** Whether `buffer` is this pool's memory: the same object, or another object over the same memory (not a copy). */
  private _sameBuffer(buffer: ArrayBufferLike): boolean {
    if (buffer === this._sab) return true;
    return Object.prototype.toString.call(buffer) === '[object SharedArrayBuffer]' && sameMemory(this._sab, buffer as SharedArrayBuffer);
  }
}
