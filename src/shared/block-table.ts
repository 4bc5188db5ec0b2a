/**
 * BlockTable: this isolate's view objects of a pool's blocks, one frozen `Block` per index, made on
 * first use and reused, and the check that an argument names a block of this pool (a Block of this
 * attachment, any isolate's Block over the same memory, or an index).
 */
import { ErrorCode, PoolError } from '../errors.js';
import { describe } from '../validate.js';
import { H, type Geometry } from './layout.js';

/** A block of the pool: its index and a Uint8Array over its bytes (one object per index per isolate). */
export interface Block {
  readonly index: number;
  readonly bytes: Uint8Array;
}

export class SharedBlock implements Block {
  readonly index: number;
  readonly bytes: Uint8Array;
  /**
   * @internal The cached attachment that made this object (undefined without a cache): the hot
   * release's one-load proof that the block is its own.
   */
  readonly _home: object | undefined;

  constructor(index: number, bytes: Uint8Array, home: object | undefined) {
    this.index = index;
    this.bytes = bytes;
    this._home = home;
    Object.freeze(this);
  }
}

export class BlockTable {
  private readonly _sab: SharedArrayBuffer;
  private readonly _geometry: Geometry;
  private readonly _home: object | undefined;
  private readonly _blocks: (SharedBlock | undefined)[];
  /** The pool's nonce, which tells its buffer from any other's (clones from other isolates included). */
  private readonly _nonce: number;

  /** `home` is stamped on every Block made here (the cached attachment), or undefined. */
  constructor(sab: SharedArrayBuffer, geometry: Geometry, home: object | undefined) {
    this._sab = sab;
    this._geometry = geometry;
    this._home = home;
    this._blocks = new Array<SharedBlock | undefined>(geometry.blocks);
    // INVARIANT: the nonce is written once, before the handle is first shared.
    this._nonce = Atomics.load(new Int32Array(sab, 0, H.NONCE + 1), H.NONCE);
  }

  /** This isolate's Block for index `i` (made on first use). */
  at(i: number): SharedBlock {
    const b = this._blocks[i];
    if (b !== undefined) return b;
    const g = this._geometry;
    const made = new SharedBlock(i, new Uint8Array(this._sab, g.blocksOffset + i * g.stride, g.blockSize), this._home);
    this._blocks[i] = made;
    return made;
  }

  /** Index of a block given as a Block of this pool (any isolate's or attachment's) or an index. */
  indexOf(block: Block | number, method: string): number {
    const blocks = this._geometry.blocks;
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
      throw new PoolError(ErrorCode.FOREIGN_OBJECT, `isopool: SharedPool.${method}() was given a block of another pool`);
    }
    return i;
  }

  /** Whether `buffer` is this pool's memory: the same object, or a clone of it from another isolate. */
  private _sameBuffer(buffer: ArrayBufferLike): boolean {
    if (buffer === this._sab) return true;
    if (Object.prototype.toString.call(buffer) !== '[object SharedArrayBuffer]' || buffer.byteLength !== this._geometry.totalBytes) return false;
    // INVARIANT: the nonce is written once, before the handle is first shared.
    return Atomics.load(new Int32Array(buffer, 0, H.NONCE + 1), H.NONCE) === this._nonce;
  }
}
