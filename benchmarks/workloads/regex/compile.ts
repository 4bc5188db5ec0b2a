/**
 * Parser and compiler of the regex workload: a practical subset of JavaScript's RegExp syntax
 * (no flags), compiled to a flat program for the Pike VM in ./pikevm.ts.
 *
 * Supported: literals; `.`; classes `[...]` with ranges, negation and the escapes below; `*` `+` `?`
 * and their lazy forms; `|`; capturing `(...)` and non-capturing `(?:...)` groups; `^` `$` (no
 * multiline); `\b` `\B`; `\d \D \w \W \s \S`; `\n \r \t \v \f \0 \xHH \uHHHH`; identity escapes of
 * punctuation (`\.`, `\\`, `\(`, ...). Everything else (`{n,m}`, back-references, lookaround, named
 * groups, `\c`) is a SyntaxError, never a silent difference from RegExp.
 *
 * Matching follows RegExp on UTF-16 code units (the non-`u` mode), including the two rules a
 * textbook Pike VM gets wrong: `.` excludes the four line terminators, and the captures inside a
 * quantified group are reset at the start of each iteration (ECMA-262 RepeatMatcher), which the
 * compiler emits as a RESET instruction at the head of the loop body.
 */

/** Instruction opcodes. */
export const Op = {
  /** Consume the code unit `a`. */
  CHAR: 0,
  /** Consume a code unit in class `a` (`.` is the class of everything but the line terminators). */
  CLASS: 2,
  /** A match: the thread's slots are the result. */
  MATCH: 3,
  /** Fork: continue at `a` (preferred) and at `b`. */
  SPLIT: 4,
  /** Continue at `a`. */
  JMP: 5,
  /** Record the position in slot `a`. */
  SAVE: 6,
  /** Continue only if assertion `a` (see `Assert`) holds here. */
  ASSERT: 7,
  /** Clear slots `a` .. `b - 1` (a quantified group's captures, at each iteration). */
  RESET: 8,
} as const;

export const Assert = { BOL: 0, EOL: 1, WORD: 2, NOT_WORD: 3 } as const;

/** A compiled pattern: parallel instruction arrays plus the class tables. */
export interface Program {
  readonly source: string;
  /** Number of instructions: the size of each sparse set and of each thread-slot table's rows. */
  readonly length: number;
  readonly op: Int32Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Capture groups, not counting group 0. */
  readonly groups: number;
  /** Slots per thread: 2 x (groups + 1). */
  readonly slots: number;
  /** Ints the closure stack needs at most (2 per frame). */
  readonly stackSize: number;
  /** True when every match must start at 0 (the pattern begins with `^`). */
  readonly anchored: boolean;
  /** ASCII membership of each class: 128 bytes per class. */
  readonly asciiClass: Uint8Array;
  /** Sorted, merged [lo, hi] ranges of each class above ASCII. */
  readonly wideClass: readonly Int32Array[];
}

// ---------------------------------------------------------------------------------------------------
// Parser

type Node =
  | { t: 'char'; c: number }
  | { t: 'any' }
  | { t: 'class'; ranges: number[] }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'group'; index: number; body: Node }
  | { t: 'repeat'; min: 0 | 1; max: 1 | typeof Infinity; greedy: boolean; body: Node }
  | { t: 'assert'; kind: number }
  | { t: 'empty' };

const MAX_UNIT = 0xffff;
const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
/** ECMA-262 WhiteSpace and LineTerminator code units: what `\s` matches. */
const SPACE = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f,
  0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];
/** What `.` does not match. */
const LINE_TERMINATORS = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];

/** Sorts and merges [lo, hi] pairs. */
function normalize(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(ranges: number[]): number[] {
  const r = normalize(ranges);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i]! > next) out.push(next, r[i]! - 1);
    next = r[i + 1]! + 1;
  }
  if (next <= MAX_UNIT) out.push(next, MAX_UNIT);
  return out;
}

class Parser {
  private pos = 0;
  groups = 0;

  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alt();
    if (this.pos < this.src.length) this.fail(`unmatched ')'`);
    return node;
  }

  private fail(what: string): never {
    throw new SyntaxError(`regex workload: ${what} at ${this.pos} in /${this.src}/`);
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.peek() === '|') {
      this.pos++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private cat(): Node {
    const items: Node[] = [];
    for (let ch = this.peek(); ch !== undefined && ch !== '|' && ch !== ')'; ch = this.peek()) {
      items.push(this.repeat());
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  private repeat(): Node {
    const start = this.pos;
    const atom = this.atom();
    const q = this.peek();
    if (q !== '*' && q !== '+' && q !== '?') return atom;
    if (atom.t === 'assert') this.fail(`nothing to repeat (an assertion) at ${start}`);
    this.pos++;
    let greedy = true;
    if (this.peek() === '?') {
      this.pos++;
      greedy = false;
    }
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?') this.fail('nothing to repeat');
    return { t: 'repeat', min: q === '+' ? 1 : 0, max: q === '?' ? 1 : Infinity, greedy, body: atom };
  }

  private atom(): Node {
    const ch = this.src[this.pos++]!;
    switch (ch) {
      case '.':
        return { t: 'any' };
      case '^':
        return { t: 'assert', kind: Assert.BOL };
      case '$':
        return { t: 'assert', kind: Assert.EOL };
      case '[':
        return this.cls();
      case '(': {
        let index = -1;
        if (this.peek() === '?') {
          if (this.src[this.pos + 1] !== ':') this.fail('lookaround and named groups are not supported');
          this.pos += 2;
        } else {
          index = ++this.groups;
        }
        const body = this.alt();
        if (this.peek() !== ')') this.fail(`missing ')'`);
        this.pos++;
        return index < 0 ? body : { t: 'group', index, body };
      }
      case '*':
      case '+':
      case '?':
        this.pos--;
        return this.fail('nothing to repeat');
      case '{':
        this.pos--;
        return this.fail('counted repetition {n,m} is not supported');
      case '\\':
        return this.escape(false);
      default:
        return { t: 'char', c: ch.charCodeAt(0) };
    }
  }

  /** After a backslash. In a class, returns ranges; outside, a node. */
  private escape(inClass: true): number[];
  private escape(inClass: false): Node;
  private escape(inClass: boolean): Node | number[] {
    const ch = this.src[this.pos++];
    if (ch === undefined) this.fail('\\ at end of pattern');
    const set = (ranges: number[]) => (inClass ? ranges : ({ t: 'class', ranges } as Node));
    const unit = (c: number) => (inClass ? [c, c] : ({ t: 'char', c } as Node));
    switch (ch) {
      case 'd': return set(DIGIT);
      case 'D': return set(complement(DIGIT));
      case 'w': return set(WORD);
      case 'W': return set(complement(WORD));
      case 's': return set(SPACE);
      case 'S': return set(complement(SPACE));
      case 'n': return unit(0x0a);
      case 'r': return unit(0x0d);
      case 't': return unit(0x09);
      case 'v': return unit(0x0b);
      case 'f': return unit(0x0c);
      case 'b': return inClass ? [0x08, 0x08] : { t: 'assert', kind: Assert.WORD };
      case 'B':
        if (inClass) return this.fail('\\B in a class');
        return { t: 'assert', kind: Assert.NOT_WORD };
      case '0':
        if (/[0-9]/.test(this.peek() ?? '')) this.fail('octal escapes are not supported');
        return unit(0);
      case 'x':
      case 'u': {
        const n = ch === 'x' ? 2 : 4;
        const hex = this.src.slice(this.pos, this.pos + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) this.fail(`bad \\${ch} escape`);
        this.pos += n;
        return unit(parseInt(hex, 16));
      }
      default:
        if (/[A-Za-z0-9]/.test(ch)) this.fail(`unsupported escape \\${ch}`);
        return unit(ch.charCodeAt(0));
    }
  }

  private cls(): Node {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: number[] = [];
    for (;;) {
      const ch = this.src[this.pos++];
      if (ch === undefined) this.fail(`missing ']'`);
      if (ch === ']') break;
      const lo = ch === '\\' ? this.escape(true) : [ch.charCodeAt(0), ch.charCodeAt(0)];
      // A range needs single units on both sides; `[\w-.]` keeps `-` literal (Annex B).
      if (this.peek() === '-' && this.src[this.pos + 1] !== ']' && this.src[this.pos + 1] !== undefined && lo.length === 2 && lo[0] === lo[1]) {
        const save = this.pos;
        this.pos++;
        const hc = this.src[this.pos++]!;
        const hi = hc === '\\' ? this.escape(true) : [hc.charCodeAt(0), hc.charCodeAt(0)];
        if (hi.length === 2 && hi[0] === hi[1]) {
          if (hi[0]! < lo[0]!) this.fail('range out of order in character class');
          ranges.push(lo[0]!, hi[0]!);
          continue;
        }
        // `[a-\d]`: a literal `a`, `-` and the set (Annex B).
        this.pos = save;
      }
      ranges.push(...lo);
    }
    return { t: 'class', ranges: negated ? complement(ranges) : normalize(ranges) };
  }
}

// ---------------------------------------------------------------------------------------------------
// Compiler

class Emitter {
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  classes: number[][] = [];

  emit(op: number, a = 0, b = 0): number {
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  get pc(): number {
    return this.op.length;
  }

  /** Lowest and highest capture group inside `node`, or undefined when there is none. */
  groupSpan(node: Node): [number, number] | undefined {
    let lo = Infinity;
    let hi = -Infinity;
    const walk = (n: Node): void => {
      if (n.t === 'group') {
        lo = Math.min(lo, n.index);
        hi = Math.max(hi, n.index);
        walk(n.body);
      } else if (n.t === 'cat' || n.t === 'alt') n.items.forEach(walk);
      else if (n.t === 'repeat') walk(n.body);
    };
    walk(node);
    return lo === Infinity ? undefined : [lo, hi];
  }

  node(n: Node): void {
    switch (n.t) {
      case 'char':
        this.emit(Op.CHAR, n.c);
        return;
      case 'any':
        this.emit(Op.CLASS, this.cls(complement(LINE_TERMINATORS)));
        return;
      case 'class':
        this.emit(Op.CLASS, this.cls(n.ranges));
        return;
      case 'assert':
        this.emit(Op.ASSERT, n.kind);
        return;
      case 'empty':
        return;
      case 'cat':
        for (const item of n.items) this.node(item);
        return;
      case 'group':
        this.emit(Op.SAVE, 2 * n.index);
        this.node(n.body);
        this.emit(Op.SAVE, 2 * n.index + 1);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let i = 0; i < n.items.length; i++) {
          if (i < n.items.length - 1) {
            const split = this.emit(Op.SPLIT, this.pc + 1);
            this.node(n.items[i]!);
            jumps.push(this.emit(Op.JMP));
            this.b[split] = this.pc;
          } else {
            this.node(n.items[i]!);
          }
        }
        for (const j of jumps) this.a[j] = this.pc;
        return;
      }
      case 'repeat': {
        const span = this.groupSpan(n.body);
        const body = () => {
          if (span !== undefined) this.emit(Op.RESET, 2 * span[0], 2 * span[1] + 2);
          this.node(n.body);
        };
        const fork = (split: number, loop: number, exit: number) => {
          this.a[split] = n.greedy ? loop : exit;
          this.b[split] = n.greedy ? exit : loop;
        };
        if (n.min === 0 && n.max === 1) {
          const split = this.emit(Op.SPLIT);
          body();
          fork(split, split + 1, this.pc);
        } else if (n.min === 0) {
          const split = this.emit(Op.SPLIT);
          body();
          this.emit(Op.JMP, split);
          fork(split, split + 1, this.pc);
        } else {
          const top = this.pc;
          body();
          const split = this.emit(Op.SPLIT);
          fork(split, top, split + 1);
        }
        return;
      }
    }
  }

  private cls(ranges: number[]): number {
    this.classes.push(ranges);
    return this.classes.length - 1;
  }
}

/** Parses and compiles `source`. Throws SyntaxError for anything outside the subset. */
export function compile(source: string): Program {
  if (typeof source !== 'string') throw new TypeError(`regex workload: pattern must be a string, received ${typeof source}`);
  const parser = new Parser(source);
  const ast = parser.parse();
  const e = new Emitter();
  e.emit(Op.SAVE, 0);
  e.node(ast);
  e.emit(Op.SAVE, 1);
  e.emit(Op.MATCH);

  const slots = 2 * (parser.groups + 1);
  // Closure stack bound: each instruction is explored at most once per closure; SPLIT pushes one
  // explore frame, SAVE one restore frame, RESET one per slot it clears; plus the initial frame.
  let frames = 1;
  for (let pc = 0; pc < e.op.length; pc++) {
    if (e.op[pc] === Op.SPLIT || e.op[pc] === Op.SAVE) frames++;
    else if (e.op[pc] === Op.RESET) frames += e.b[pc]! - e.a[pc]!;
  }
  const asciiClass = new Uint8Array(128 * e.classes.length);
  const wideClass: Int32Array[] = [];
  e.classes.forEach((ranges, k) => {
    const wide: number[] = [];
    for (let i = 0; i < ranges.length; i += 2) {
      const lo = ranges[i]!;
      const hi = ranges[i + 1]!;
      for (let c = lo; c <= Math.min(hi, 127); c++) asciiClass[128 * k + c] = 1;
      if (hi >= 128) wide.push(Math.max(lo, 128), hi);
    }
    wideClass.push(Int32Array.from(wide));
  });
  return {
    source,
    length: e.op.length,
    op: Int32Array.from(e.op),
    a: Int32Array.from(e.a),
    b: Int32Array.from(e.b),
    groups: parser.groups,
    slots,
    stackSize: 2 * frames,
    anchored: e.op[1] === Op.ASSERT && e.a[1] === Assert.BOL,
    asciiClass,
    wideClass,
  };
}
