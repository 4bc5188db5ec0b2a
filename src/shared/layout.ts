/**
 * The memory layout of a SharedPool's one SharedArrayBuffer, as pure offset math.
 *
 * ```
 *  byte 0     header      magic, layout version, geometry (cold line 0); FREE_COUNT (line 1);
 *                         WAITERS (line 2); PUSH_GEN (line 3); waiter slots (lines 4-5, cold).
 *                         384 bytes, every hot word alone on its 64-byte line.
 *  OWNER      owner table one Int32 per block: 0 free, +id lent by isolate id, -id cached by id,
 *                         TRANSIT | id being freed by isolate id (ownership.ts)
 *  GEN        lendings    one Int32 per block: bumped each time the block is lent from the shared list
 *  FREE       free list   the strategy's structure (see freeWords), hot words on their own lines
 *  BITS       free bits   one bit per block: the bitmap strategy's list, every other strategy's
 *                         fallback (free-lists/free-list.ts)
 *  BLOCKS     blocks      `blocks` x stride bytes, each block starting on a 64-byte boundary
 * ```
 *
 * Everything after the header is derived from (blockSize, blocks, strategy) by `computeGeometry`,
 * and `attach` recomputes it and compares it with the header, so a handle whose header disagrees
 * with its own size is rejected instead of read out of bounds.
 */

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
 */
export const LAYOUT_VERSION = 5;

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
  /** Blocks on the shared free list (transiently off by a batch while a lock-free push or pop is between its two steps). A statistic and a hint, never a futex word. Line 1. */
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

export const HEADER_BYTES = 6 * CACHE_LINE;

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
  readonly blocks: number;
  readonly strategy: Strategy;
  /** Bytes from one block's start to the next's. */
  readonly stride: number;
  readonly ownerOffset: number;
  readonly genOffset: number;
  readonly freeOffset: number;
  readonly bitsOffset: number;
  readonly blocksOffset: number;
  readonly totalBytes: number;
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Offsets of every region; the caller has range-checked blockSize and blocks. */
export function computeGeometry(blockSize: number, blocks: number, strategy: Strategy): Geometry {
  const stride = alignUp(blockSize, BLOCK_ALIGN);
  const ownerOffset = HEADER_BYTES;
  const genOffset = alignUp(ownerOffset + 4 * blocks, CACHE_LINE);
  const freeOffset = alignUp(genOffset + 4 * blocks, CACHE_LINE);
  const bitsOffset = alignUp(freeOffset + 4 * freeWords(strategy, blocks), CACHE_LINE);
  const blocksOffset = alignUp(bitsOffset + 4 * bitWords(blocks), BLOCK_ALIGN);
  const totalBytes = blocksOffset + stride * blocks;
  return { blockSize, blocks, strategy, stride, ownerOffset, genOffset, freeOffset, bitsOffset, blocksOffset, totalBytes };
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
}

/**
 * Reads and checks a header against the buffer's length. Returns the geometry, or a sentence saying
 * what is wrong (the caller wraps it in a PoolError).
 */
export function readHeader(a: Int32Array, byteLength: number): Geometry | string {
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
  const g = computeGeometry(blockSize, blocks, strategy);
  if (
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
  if (byteLength !== g.totalBytes) return `it is ${byteLength} bytes, its header says ${g.totalBytes}`;
  return g;
}
