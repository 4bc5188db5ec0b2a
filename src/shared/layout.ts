/**
 * The memory layout of a SharedPool's one SharedArrayBuffer, as pure offset math.
 *
 * ```
 *  byte 0     header      magic, layout version, geometry (cold line 0); FREE_COUNT (line 1, not kept);
 *                         WAITERS (line 2); PUSH_GEN (line 3); waiter slots (lines 4-5, cold);
 *                         growth and fields (line 6: maxBlocks, grow, the block count now, the
 *                         grower's id, the record). 448 bytes, every hot word alone on its line.
 *  OWNER      owner table one Int32 per block: 0 free, +id lent by isolate id, -id cached by id,
 *                         TRANSIT | id being freed by isolate id (ownership.ts)
 *  GEN        lendings    one Int32 per block: bumped each time the block is lent from the shared list
 *  FREE       free list   the strategy's structure (see freeWords), hot words on their own lines
 *  BITS       free bits   one bit per block: the bitmap strategy's list, every other strategy's
 *                         fallback (free-lists/free-list.ts)
 *  FIELDS     schema      the `fields` schema as text (`id:u32,score:f64`; fields.ts), if any
 *  BLOCKS     blocks      `blocks` x stride bytes, each block starting on a 64-byte boundary: its
 *                         record of fields (if any), then its bytes
 * ```
 *
 * Everything after the header is derived from (blockSize, blocks, strategy, maxBlocks, grow,
 * fields) by `computeGeometry`, and `attach` recomputes it and compares it with the header, so a
 * handle whose header disagrees with its own size is rejected instead of read out of bounds.
 *
 * ## Growth
 *
 * Every region up to BLOCKS is sized for `maxBlocks` from the start (a few words a block), so a pool
 * that grows (growth.ts) only lengthens BLOCKS: the buffer is a growable SharedArrayBuffer whose
 * maxByteLength is the size at `maxBlocks`, and every isolate sees the new length at once. NBLOCKS
 * counts the blocks that exist; it only grows, and every loop over blocks is bounded by it, read
 * once. Views over the buffer are fixed-length: a length-tracking view of a growable buffer reads
 * and writes many times slower (benchmarks/README.md, fact `gsab-views`).
 */

import { NO_FIELDS, parseFields, type RecordLayout } from './fields.js';

/** 'ISOP' read as a little-endian Int32: the first word of every isopool SharedArrayBuffer. */
export const MAGIC = 0x504f5349;
/**
 * Bumped whenever any offset below changes meaning: an older reader must refuse a newer buffer.
 * 2: PUSH_GEN added (line 3) and made the futex word; FREE_COUNT is a statistic only.
 * 3: waiter slots (lines 4-5), so reclaim can take back a dead isolate's share of WAITERS.
 * 4: WAITERS_DRY, a flag bit in the WAITERS word.
 * 5: the GEN table and the BITS region (every strategy) with their offsets in header words 12-13;
 *    NONCE_HIGH (14), BITS_HINT (15), PROBE (line 1); owner words may hold TRANSIT | id; the mutex keeps a lock
 *    sequence (word 2); Treiber links read UNLINKED (-1) off the stack; mpmc cells are one word
 *    each (lap and index), no longer a sequence and a value.
 * 6: header line 6 (growth: MAX_BLOCKS, GROW, NBLOCKS, GROWER, GROWTHS; fields: FIELDS_OFFSET,
 *    FIELDS_BYTES, RECORD_BYTES), so the header is 448 bytes and every offset after it moved; the
 *    regions before BLOCKS are sized for maxBlocks (Treiber's index bits and the ring's capacity
 *    follow maxBlocks, not blocks); the FIELDS region; a block's record precedes its bytes.
 */
export const LAYOUT_VERSION = 6;

/** x86-64 and ARM64 cache lines are 64 bytes; a hot word alone on one is not falsely shared. */
export const CACHE_LINE = 64;
export const WORDS_PER_LINE = CACHE_LINE / 4;

/**
 * Blocks start on a cache-line boundary and their stride is a multiple of one, so two isolates
 * writing neighbouring blocks never share a line, and any TypedArray view of a block is aligned.
 * It costs up to 63 bytes a block; pooled blocks are scratch buffers, usually KiB.
 */
export const BLOCK_ALIGN = CACHE_LINE;

/**
 * Most blocks in one pool. The Treiber head packs (index + 1) and an ABA tag into 32 bits: at most
 * 65,535 blocks leaves the tag at least 16 bits (65,536 pushes or pops before it wraps).
 */
export const MAX_BLOCKS = 0xffff;

/** Largest buffer: every offset is an Int32 in the header. */
export const MAX_TOTAL_BYTES = 0x7fffffc0;

/** Header words (Int32 indices). */
export const H = {
  MAGIC: 0,
  VERSION: 1,
  BLOCK_SIZE: 2,
  BLOCKS: 3,
  STRATEGY: 4,
  STRIDE: 5,
  OWNER_OFFSET: 6,
  FREE_OFFSET: 7,
  BLOCKS_OFFSET: 8,
  TOTAL_BYTES: 9,
  /** Last isolate id handed out; ids are 1, 2, 3, ... and never reused. Cold: touched on attach. */
  NEXT_ID: 10,
  /** A random number written at create: tells this pool's buffer from any other's (clones included). */
  NONCE: 11,
  GEN_OFFSET: 12,
  BITS_OFFSET: 13,
  /** 21 more random bits of the nonce: two pools in one isolate share a 53-bit nonce by chance once in 2^53. */
  NONCE_HIGH: 14,
  /**
   * Non-zero when a block may be free in the BITS region of a strategy that is not `bitmap` (a
   * release that could not reach the structure, a reclaim): a pop that comes back short scans the
   * bits only then. Read on short pops, written on the rare paths that free through the bits: a
   * generation each free moves on, reset only by a scan that emptied the bits (free-list.ts).
   */
  BITS_HINT: 15,
  /**
   * Blocks free when the structure was laid out (the mutex re-bases it when it rebuilds its stack).
   * Not kept up to date: nothing reads it (`stats.free` scans the owner words), and keeping it cost
   * every pop and every push of the shared list an Atomics.add. Line 1.
   */
  FREE_COUNT: WORDS_PER_LINE,
  /**
   * A counter that only grows, bumped by the memory-identity probe (identity.ts): a write through
   * one SharedArrayBuffer that shows through another proves they are one memory, not a copy. Line 1
   * (cold: touched when a Block made over another buffer object is released or adopted).
   */
  PROBE: WORDS_PER_LINE + 1,
  /**
   * Callers in acquireSync/acquireAsync, all isolates (the low 30 bits), plus WAITERS_DRY: a release
   * notifies only when the count is > 0, and caches only when the whole word is 0. Line 2.
   */
  WAITERS: 2 * WORDS_PER_LINE,
  /**
   * Push generation: every push that frees a block adds 1 after the structure holds the block, and
   * nothing else writes it (it only grows, wrapping after 2^32 pushes). The futex word waiters sleep
   * on: unlike a count, which can go 1 -> 0 -> 1 between a waiter's read and its sleep, it never
   * returns to a value a waiter saw. Line 3.
   */
  PUSH_GEN: 3 * WORDS_PER_LINE,
  /**
   * WAITER_SLOTS pairs (isolate id, its waiters counted in WAITERS), claimed by an isolate while it
   * has waiters and freed when it has none: `reclaim(id)` subtracts a dead isolate's count from
   * WAITERS. Lines 4-5; touched only when a wait starts or ends.
   */
  WAITER_TABLE: 4 * WORDS_PER_LINE,
  /** Most blocks the pool may grow to (= BLOCKS when it cannot grow). Line 6, cold. */
  MAX_BLOCKS: 6 * WORDS_PER_LINE,
  /** Blocks one growth adds; 0: as many as exist (doubling), capped at MAX_BLOCKS. */
  GROW: 6 * WORDS_PER_LINE + 1,
  /**
   * Blocks that exist now: BLOCKS at create, raised by each growth (only ever raised, by the isolate
   * holding GROWER). Read on the free lists' rare paths and by scans; written once per growth.
   */
  NBLOCKS: 6 * WORDS_PER_LINE + 2,
  /** 0, or the id of the isolate growing the pool now: the growth lock (growth.ts). */
  GROWER: 6 * WORDS_PER_LINE + 3,
  /** Growths finished so far: a statistic, and the sequence growers tell a growth since their pop by (growth.ts). */
  GROWTHS: 6 * WORDS_PER_LINE + 4,
  FIELDS_OFFSET: 6 * WORDS_PER_LINE + 5,
  /** Bytes of the schema text in the FIELDS region (0: no fields). */
  FIELDS_BYTES: 6 * WORDS_PER_LINE + 6,
  /** Bytes of each block's record, before its `bytes` (0: no fields). */
  RECORD_BYTES: 6 * WORDS_PER_LINE + 7,
} as const;

/**
 * Bit 30 of the WAITERS word: a pop came back short (the shared list ran dry) and no push has
 * freed a block since. In the waiter count's word so the hot release reads one header word, not
 * two (it caches only while the word is 0: nobody waits and the list is not known dry). Bit 30
 * because the count stays far below 2^30 (one per waiting caller) and bit 31 would make it negative.
 */
export const WAITERS_DRY = 1 << 30;
/** The waiter count's bits of the WAITERS word. */
export const WAITERS_COUNT = WAITERS_DRY - 1;

/**
 * Isolates whose waiters are counted per isolate at once: 16 pairs fill two cache lines. Waiting is
 * the rare, blocks-are-out path; an isolate that finds every slot taken waits untracked, and only
 * its death mid-wait leaks a WAITERS count (which disables caching; see shared-pool.ts).
 */
export const WAITER_SLOTS = 16;

export const HEADER_BYTES = 7 * CACHE_LINE;

export const STRATEGIES = ['mutex', 'treiber', 'mpmc', 'bitmap'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * Words of the mutex free list: lock, top, the lock sequence (bumped by each holder, so a waiter
 * can tell a lock still held by the same section from one taken again), then the stack on its own line.
 */
export const MUTEX = { LOCK: 0, TOP: 1, SEQ: 2, STACK: WORDS_PER_LINE } as const;
/** Words of the Treiber free list: the tagged head, then next links on their own line. */
export const TREIBER = { HEAD: 0, NEXT: WORDS_PER_LINE } as const;
/** Words of the Vyukov ring: enqueue and dequeue positions on separate lines, then one word per cell. */
export const MPMC = { ENQ: 0, DEQ: WORDS_PER_LINE, CELLS: 2 * WORDS_PER_LINE } as const;

/** Smallest power of two >= n (n >= 1). */
export function ringCapacity(blocks: number): number {
  let cap = 1;
  while (cap < blocks) cap *= 2;
  return cap;
}

/** Int32 words the strategy's free structure needs. */
export function freeWords(strategy: Strategy, blocks: number): number {
  switch (strategy) {
    case 'mutex':
      return MUTEX.STACK + blocks;
    case 'treiber':
      return TREIBER.NEXT + blocks;
    case 'mpmc':
      return MPMC.CELLS + ringCapacity(blocks);
    case 'bitmap':
      return 0; // its list is the BITS region every strategy has
  }
}

/** Int32 words of the BITS region: one bit per block. */
export function bitWords(blocks: number): number {
  return Math.ceil(blocks / 32);
}

export interface Geometry {
  readonly blockSize: number;
  /** Blocks at create. */
  readonly blocks: number;
  /** Most blocks the pool may grow to (= blocks when it cannot grow); every region but BLOCKS is sized for it. */
  readonly maxBlocks: number;
  /** Blocks one growth adds; 0: as many as exist. */
  readonly grow: number;
  readonly strategy: Strategy;
  /** Bytes from one block's start to the next's: its record and its bytes, rounded up to a line. */
  readonly stride: number;
  /** The fields each block's record holds, and the record's size (0 without fields). */
  readonly fields: RecordLayout;
  readonly ownerOffset: number;
  readonly genOffset: number;
  readonly freeOffset: number;
  readonly bitsOffset: number;
  readonly fieldsOffset: number;
  readonly blocksOffset: number;
  /** The buffer's size at create (`blocks` blocks). */
  readonly totalBytes: number;
  /** The buffer's size at `maxBlocks` blocks. */
  readonly maxBytes: number;
}

/** The buffer's size with `n` blocks. */
export function bytesFor(g: Geometry, n: number): number {
  return g.blocksOffset + g.stride * n;
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** What a pool is made of; `computeGeometry` lays it out. */
export interface Shape {
  readonly blockSize: number;
  readonly blocks: number;
  readonly strategy: Strategy;
  readonly maxBlocks?: number;
  readonly grow?: number;
  readonly fields?: RecordLayout;
}

/** Offsets of every region; the caller has range-checked the numbers (maxBlocks >= blocks). */
export function computeGeometry(shape: Shape): Geometry {
  const { blockSize, blocks, strategy } = shape;
  const maxBlocks = shape.maxBlocks ?? blocks;
  const fields = shape.fields ?? NO_FIELDS;
  const stride = alignUp(fields.recordBytes + blockSize, BLOCK_ALIGN);
  const ownerOffset = HEADER_BYTES;
  const genOffset = alignUp(ownerOffset + 4 * maxBlocks, CACHE_LINE);
  const freeOffset = alignUp(genOffset + 4 * maxBlocks, CACHE_LINE);
  const bitsOffset = alignUp(freeOffset + 4 * freeWords(strategy, maxBlocks), CACHE_LINE);
  const fieldsOffset = alignUp(bitsOffset + 4 * bitWords(maxBlocks), CACHE_LINE);
  const blocksOffset = alignUp(fieldsOffset + fields.text.length, BLOCK_ALIGN);
  return {
    blockSize,
    blocks,
    maxBlocks,
    grow: shape.grow ?? 0,
    strategy,
    stride,
    fields,
    ownerOffset,
    genOffset,
    freeOffset,
    bitsOffset,
    fieldsOffset,
    blocksOffset,
    totalBytes: blocksOffset + stride * blocks,
    maxBytes: blocksOffset + stride * maxBlocks,
  };
}

/** Writes the header words of a fresh buffer. */
export function writeHeader(a: Int32Array, g: Geometry): void {
  a[H.MAGIC] = MAGIC;
  a[H.VERSION] = LAYOUT_VERSION;
  a[H.BLOCK_SIZE] = g.blockSize;
  a[H.BLOCKS] = g.blocks;
  a[H.STRATEGY] = STRATEGIES.indexOf(g.strategy);
  a[H.STRIDE] = g.stride;
  a[H.OWNER_OFFSET] = g.ownerOffset;
  a[H.FREE_OFFSET] = g.freeOffset;
  a[H.BLOCKS_OFFSET] = g.blocksOffset;
  a[H.TOTAL_BYTES] = g.totalBytes;
  a[H.GEN_OFFSET] = g.genOffset;
  a[H.BITS_OFFSET] = g.bitsOffset;
  a[H.NONCE] = (Math.random() * 0x100000000) | 0;
  a[H.NONCE_HIGH] = (Math.random() * 0x200000) | 0;
  a[H.MAX_BLOCKS] = g.maxBlocks;
  a[H.GROW] = g.grow;
  a[H.NBLOCKS] = g.blocks;
  a[H.FIELDS_OFFSET] = g.fieldsOffset;
  a[H.FIELDS_BYTES] = g.fields.text.length;
  a[H.RECORD_BYTES] = g.fields.recordBytes;
  const text = new Uint8Array(a.buffer, g.fieldsOffset, g.fields.text.length);
  for (let i = 0; i < text.length; i++) text[i] = g.fields.text.charCodeAt(i);
}

/** What `readHeader` needs of the buffer besides its words. */
export interface BufferShape {
  /** The buffer's length, read anew at each get (a growable buffer's grows while attach reads). */
  readonly byteLength: number;
  /** A growable SharedArrayBuffer's maxByteLength; undefined for a fixed-length one. */
  readonly maxByteLength: number | undefined;
}

/**
 * Reads and checks a header against the buffer's length. Returns the geometry, or a sentence saying
 * what is wrong (the caller wraps it in a PoolError).
 */
export function readHeader(a: Int32Array, buffer: BufferShape): Geometry | string {
  const { byteLength } = buffer;
  if (byteLength < HEADER_BYTES) return `it is ${byteLength} bytes, shorter than the ${HEADER_BYTES}-byte header`;
  if (a[H.MAGIC] !== MAGIC) return 'it does not start with the isopool magic number';
  const version = a[H.VERSION]!;
  if (version !== LAYOUT_VERSION) return `its layout version is ${version}, this isopool reads version ${LAYOUT_VERSION}`;
  const blockSize = a[H.BLOCK_SIZE]!;
  const blocks = a[H.BLOCKS]!;
  const strategy = STRATEGIES[a[H.STRATEGY]!];
  if (blockSize < 1 || blocks < 1 || blocks > MAX_BLOCKS || strategy === undefined) {
    return `its geometry is invalid (blockSize ${blockSize}, blocks ${blocks}, strategy #${a[H.STRATEGY]})`;
  }
  const maxBlocks = a[H.MAX_BLOCKS]!;
  const grow = a[H.GROW]!;
  if (maxBlocks < blocks || maxBlocks > MAX_BLOCKS || grow < 0 || grow > MAX_BLOCKS) return `its growth words are invalid (maxBlocks ${maxBlocks}, grow ${grow})`;
  const fields = readFields(a, byteLength);
  if (fields === undefined) return 'its fields schema is damaged';
  const g = computeGeometry({ blockSize, blocks, strategy, maxBlocks, grow, fields });
  if (
    a[H.FIELDS_OFFSET] !== g.fieldsOffset ||
    a[H.RECORD_BYTES] !== fields.recordBytes ||
    a[H.STRIDE] !== g.stride ||
    a[H.OWNER_OFFSET] !== g.ownerOffset ||
    a[H.FREE_OFFSET] !== g.freeOffset ||
    a[H.GEN_OFFSET] !== g.genOffset ||
    a[H.BITS_OFFSET] !== g.bitsOffset ||
    a[H.BLOCKS_OFFSET] !== g.blocksOffset ||
    a[H.TOTAL_BYTES] !== g.totalBytes
  ) {
    return 'its header offsets disagree with its geometry';
  }
  if (buffer.maxByteLength === undefined) {
    if (maxBlocks !== blocks) return `it cannot grow, and its header says it grows to ${maxBlocks} blocks`;
    if (byteLength !== g.totalBytes) return `it is ${byteLength} bytes, its header says ${g.totalBytes}`;
    // INVARIANT: a pool that cannot grow never writes NBLOCKS after create.
    if (Atomics.load(a, H.NBLOCKS) !== blocks) return `its block count is ${Atomics.load(a, H.NBLOCKS)}, and it cannot grow from ${blocks}`;
    return g;
  }
  if (buffer.maxByteLength !== g.maxBytes) return `it grows to ${buffer.maxByteLength} bytes, its header says ${g.maxBytes}`;
  // INVARIANT: a snapshot; NBLOCKS only grows, and the buffer grows before NBLOCKS is raised.
  const now = Atomics.load(a, H.NBLOCKS);
  if (now < blocks || now > maxBlocks) return `its block count is ${now}, outside ${blocks}..${maxBlocks}`;
  // Read again after NBLOCKS: a grower lengthens the buffer before it raises the count.
  const length = buffer.byteLength;
  if (length < bytesFor(g, now)) return `it is ${length} bytes, too short for its ${now} blocks`;
  return g;
}

/** The schema text in the FIELDS region, laid out; undefined when it is out of bounds or no schema. */
function readFields(a: Int32Array, byteLength: number): RecordLayout | undefined {
  const at = a[H.FIELDS_OFFSET]!;
  const n = a[H.FIELDS_BYTES]!;
  if (n === 0) return NO_FIELDS;
  if (at < HEADER_BYTES || n < 0 || n > MAX_SCHEMA_BYTES || at + n > byteLength) return undefined;
  return parseFields(String.fromCharCode(...new Uint8Array(a.buffer, at, n)));
}

/** Longest schema text: MAX_FIELDS of `name:type,` at the longest name. */
const MAX_SCHEMA_BYTES = 4096;
