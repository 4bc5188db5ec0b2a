/**
 * The Pike VM of the regex workload: leftmost-first search with capture slots, as RegExp does.
 *
 * ## How it searches
 *
 * Threads are program counters that advance in lockstep over the input, one code unit at a time.
 * The current and next thread lists are *sparse sets* over the program's instructions (Briggs and
 * Torczon): `dense` lists the members in priority order, `sparse[pc]` points back into `dense`, so
 * membership, insertion and clearing are O(1) and the arrays never need zeroing — which is what lets
 * the scratch be reused with whatever the last search left in it. Each list also has a slot table
 * (`slots` ints per instruction): the capture positions of the thread waiting at that instruction.
 *
 * Priority is RegExp's backtracking order: a SPLIT explores its preferred branch first, a thread that
 * started earlier outranks one that starts later, and when a thread reaches MATCH every thread of
 * lower priority is cut. That yields the leftmost match, and among those the one backtracking finds
 * first (leftmost-first), with its captures. The epsilon closure (SPLIT, JMP, SAVE, RESET, ASSERT)
 * runs on an explicit stack whose restore frames undo SAVE/RESET on the way back, so one `cur` array
 * serves every thread.
 *
 * ## The scratch
 *
 * One search needs, sized to the program (n instructions, k slots a thread):
 *   2 x dense (n) + 2 x sparse (n) as Uint32Array, 2 x slot tables (n x k) as Int32Array,
 *   the closure stack (`program.stackSize`) and `cur` (k) as Int32Array: eight typed arrays.
 * They are the state that mempool's regex engine pools; `../scratch.ts` gets them from one of three
 * sources: fresh allocation, a LocalPool, or BufferPool arrays.
 */
import { Assert, Op, type Program } from './compile.js';

/** One search's scratch. The arrays may be longer than the program needs (pooled ones are). */
export class Scratch {
  dense0: Uint32Array;
  sparse0: Uint32Array;
  slots0: Int32Array;
  dense1: Uint32Array;
  sparse1: Uint32Array;
  slots1: Int32Array;
  stack: Int32Array;
  cur: Int32Array;

  /** Allocates every array at exactly the size `program` needs (or empty ones without a program). */
  constructor(program?: Program) {
    const n = program?.length ?? 0;
    const table = n * (program?.slots ?? 0);
    this.dense0 = new Uint32Array(n);
    this.sparse0 = new Uint32Array(n);
    this.slots0 = new Int32Array(table);
    this.dense1 = new Uint32Array(n);
    this.sparse1 = new Uint32Array(n);
    this.slots1 = new Int32Array(table);
    this.stack = new Int32Array(program?.stackSize ?? 0);
    this.cur = new Int32Array(program?.slots ?? 0);
  }

  /** True when every array is long enough for `program`. */
  fits(program: Program): boolean {
    return (
      this.dense0.length >= program.length &&
      this.slots0.length >= program.length * program.slots &&
      this.stack.length >= program.stackSize &&
      this.cur.length >= program.slots
    );
  }

  /** Replaces the arrays that are too short for `program` (a pooled scratch grows to its largest user). */
  grow(program: Program): void {
    const n = program.length;
    if (this.dense0.length < n) {
      this.dense0 = new Uint32Array(n);
      this.sparse0 = new Uint32Array(n);
      this.dense1 = new Uint32Array(n);
      this.sparse1 = new Uint32Array(n);
    }
    if (this.slots0.length < n * program.slots) {
      this.slots0 = new Int32Array(n * program.slots);
      this.slots1 = new Int32Array(n * program.slots);
    }
    if (this.stack.length < program.stackSize) this.stack = new Int32Array(program.stackSize);
    if (this.cur.length < program.slots) this.cur = new Int32Array(program.slots);
  }
}

function isWordUnit(input: string, at: number): boolean {
  if (at < 0 || at >= input.length) return false;
  const c = input.charCodeAt(at);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);
}

function inWide(ranges: Int32Array, c: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (c < ranges[i]!) return false;
    if (c <= ranges[i + 1]!) return true;
  }
  return false;
}

/**
 * Adds the thread at `pc0` (captures in `cur`) and everything its epsilon closure reaches to the
 * list (`dense`, `sparse`, `size`, `table`), in priority order. Returns the list's new size; `cur`
 * is restored on return.
 */
function addThread(
  p: Program,
  input: string,
  at: number,
  dense: Uint32Array,
  sparse: Uint32Array,
  size: number,
  table: Int32Array,
  cur: Int32Array,
  stack: Int32Array,
  pc0: number,
): number {
  const op = p.op;
  const arg = p.a;
  const ns = p.slots;
  // Frames of two ints: [pc, -1] explores pc; [-(slot + 1), value] restores cur[slot].
  let top = 0;
  stack[top++] = pc0;
  stack[top++] = -1;
  while (top > 0) {
    const value = stack[--top]!;
    let pc = stack[--top]!;
    if (pc < 0) {
      cur[-pc - 1] = value;
      continue;
    }
    for (;;) {
      const s = sparse[pc]!;
      if (s < size && dense[s] === pc) break;
      dense[size] = pc;
      sparse[pc] = size;
      size++;
      const o = op[pc]!;
      if (o === Op.JMP) {
        pc = arg[pc]!;
      } else if (o === Op.SPLIT) {
        stack[top++] = p.b[pc]!;
        stack[top++] = -1;
        pc = arg[pc]!;
      } else if (o === Op.SAVE) {
        const slot = arg[pc]!;
        stack[top++] = -slot - 1;
        stack[top++] = cur[slot]!;
        cur[slot] = at;
        pc++;
      } else if (o === Op.RESET) {
        for (let slot = arg[pc]!, end = p.b[pc]!; slot < end; slot++) {
          stack[top++] = -slot - 1;
          stack[top++] = cur[slot]!;
          cur[slot] = -1;
        }
        pc++;
      } else if (o === Op.ASSERT) {
        const kind = arg[pc]!;
        let holds: boolean;
        if (kind === Assert.BOL) holds = at === 0;
        else if (kind === Assert.EOL) holds = at === input.length;
        else holds = (isWordUnit(input, at - 1) !== isWordUnit(input, at)) === (kind === Assert.WORD);
        if (!holds) break;
        pc++;
      } else {
        // CHAR, CLASS, MATCH: the thread waits here with its captures.
        const row = pc * ns;
        for (let k = 0; k < ns; k++) table[row + k] = cur[k]!;
        break;
      }
    }
  }
  return size;
}

/**
 * Searches `input` for the leftmost-first match of `p`. On a match, writes the capture slots into
 * `out` (start/end of group 0, then of each group; -1 for a group that did not take part) and returns
 * true. `s` must fit `p` (see `Scratch.fits`); its contents on entry do not matter.
 */
export function search(p: Program, input: string, s: Scratch, out: Int32Array): boolean {
  const op = p.op;
  const arg = p.a;
  const ns = p.slots;
  const ascii = p.asciiClass;
  const len = input.length;
  const cur = s.cur;
  const stack = s.stack;
  let dc = s.dense0;
  let sc = s.sparse0;
  let tc = s.slots0;
  let dn = s.dense1;
  let sn = s.sparse1;
  let tn = s.slots1;
  let sizeC = 0;
  let matched = false;
  for (let at = 0; at <= len; at++) {
    if (!matched && (at === 0 || !p.anchored)) {
      cur.fill(-1, 0, ns);
      sizeC = addThread(p, input, at, dc, sc, sizeC, tc, cur, stack, 0);
    }
    if (sizeC === 0) {
      if (matched || p.anchored) break;
      continue;
    }
    const ch = at < len ? input.charCodeAt(at) : -1;
    let sizeN = 0;
    for (let i = 0; i < sizeC; i++) {
      const pc = dc[i]!;
      const o = op[pc]!;
      if (o === Op.MATCH) {
        matched = true;
        const row = pc * ns;
        for (let k = 0; k < ns; k++) out[k] = tc[row + k]!;
        break; // every thread after this one has lower priority
      }
      // The list also holds the closure's epsilon instructions (marked visited): only CHAR and
      // CLASS consume.
      let ok: boolean;
      if (ch < 0) continue;
      else if (o === Op.CHAR) ok = ch === arg[pc];
      else if (o !== Op.CLASS) continue;
      else if (ch < 128) ok = ascii[(arg[pc]! << 7) + ch] === 1;
      else ok = inWide(p.wideClass[arg[pc]!]!, ch);
      if (ok) {
        const row = pc * ns;
        for (let k = 0; k < ns; k++) cur[k] = tc[row + k]!;
        sizeN = addThread(p, input, at + 1, dn, sn, sizeN, tn, cur, stack, pc + 1);
      }
    }
    let t32 = dc;
    dc = dn;
    dn = t32;
    t32 = sc;
    sc = sn;
    sn = t32;
    const ti = tc;
    tc = tn;
    tn = ti;
    sizeC = sizeN;
  }
  return matched;
}
