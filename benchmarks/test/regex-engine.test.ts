/**
 * The workload's regex engine on hand-picked cases where engines usually part ways with RegExp, its
 * parser's refusals, and the three scratch sources' bookkeeping.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getLocalBufferPool, getLocalPool } from 'isopool';
import { compile } from '../workloads/regex/compile.js';
import { Regex, SCRATCH_POOL, SCRATCH_SOURCES } from '../workloads/regex/regex.js';

function oracle(source: string, input: string) {
  const m = new RegExp(source, 'd').exec(input);
  return m === null ? null : Array.from(m.indices!, (s) => (s === undefined ? undefined : [s[0], s[1]]));
}

const semantics = suite('regex engine semantics against RegExp');

const CASES: [string, string[]][] = [
  // leftmost-first, not leftmost-longest
  ['a|ab', ['ab', 'xab']],
  ['(a|ab)(c|bcd)', ['abcd']],
  // greedy and lazy
  ['a(.*)b', ['aXbYb']],
  ['a(.*?)b', ['aXbYb']],
  ['(a+?)(a*)', ['aaaa']],
  ['x??y', ['xy', 'y']],
  // captures inside a quantified group are reset each iteration (ECMA-262 RepeatMatcher)
  ['(a|(b))+', ['ba', 'ab', 'bb']],
  ['(?:(a)|(b))*c', ['abc', 'bac']],
  ['((a)|b)+', ['ab', 'ba']],
  // a group that does not take part is undefined
  ['(a)|(b)', ['b', 'a']],
  // anchors and word boundaries
  ['^abc', ['abc', 'xabc']],
  ['abc$', ['abc', 'abcx']],
  ['^$', ['', 'a']],
  ['\\bfoo\\b', ['foo', 'a foo.', 'food', 'xfoo']],
  ['\\Boo\\B', ['foo', 'fooo', 'oo']],
  // dot and line terminators; classes above ASCII; \s over Unicode spaces
  ['a.c', ['abc', 'a\nc', 'a\u2028c', 'a\u00e9c']],
  ['[^a-z]+', ['abc\u00e9\u4e2ddef']],
  ['\\s+', ['x\u00a0\u3000\ufeffy']],
  ['[\\w-.]+', ['a-b.c d']],
  ['[a-\\d]+', ['a-1z']],
  ['\\x41\\u0042[\\b]\\0', ['AB\b\0']],
  ['[\\]\\\\]+', ['a]\\]b']],
  // empty match and empty alternatives
  ['x*', ['yyy']],
  ['(|a)b', ['ab']],
  ['(a|)+b', ['aab']],
];

for (const [source, inputs] of CASES) {
  semantics(`/${source}/ matches as RegExp does on ${inputs.map((i) => JSON.stringify(i)).join(', ')}`, () => {
    for (const scratch of SCRATCH_SOURCES) {
      const re = new Regex(source, scratch);
      for (const input of inputs) assert.equal(re.indices(input), oracle(source, input), `${scratch}: ${JSON.stringify(input)}`);
    }
  });
}

semantics('exec fills a caller slot array and returns false without touching the match on a miss', () => {
  const re = new Regex('(\\d+)-(\\d+)');
  const out = re.newSlots();
  assert.is(out.length, 6);
  assert.ok(re.exec('x 12-345 y', out));
  assert.equal(Array.from(out), [2, 8, 2, 4, 5, 8]);
  assert.not.ok(re.exec('none', out));
  assert.is(re.groups, 2);
});

semantics.run();

const parser = suite('regex engine parser');

parser('anything outside the subset is a SyntaxError naming the place', () => {
  const bad: [string, RegExp][] = [
    ['a{2}', /counted repetition/],
    ['(a', /missing '\)'/],
    ['a)', /unmatched '\)'/],
    ['*a', /nothing to repeat/],
    ['a**', /nothing to repeat/],
    ['^*', /nothing to repeat \(an assertion\)/],
    ['(?=a)', /lookaround/],
    ['\\1', /unsupported escape/],
    ['\\01', /octal/],
    ['\\xZZ', /bad \\x escape/],
    ['[abc', /missing '\]'/],
    ['[z-a]', /range out of order/],
    ['[\\B]', /\\B in a class/],
    ['a\\', /at end of pattern/],
  ];
  for (const [source, message] of bad) {
    assert.throws(() => compile(source), (e: Error) => e instanceof SyntaxError && message.test(e.message) && e.message.includes(`/${source}/`), source);
  }
  assert.throws(() => compile(5 as unknown as string), TypeError);
  assert.throws(() => new Regex('a', 'stack' as 'pool'), /scratch must be one of alloc, pool, buffer, received stack/);
});

parser('programs: group count, slots, anchoring and a stack bound that covers RESET', () => {
  const p = compile('^(a)(?:b(c))*');
  assert.is(p.groups, 2);
  assert.is(p.slots, 6);
  assert.ok(p.anchored);
  assert.not.ok(compile('^a|b').anchored);
  // SAVE 0, ASSERT, SAVE 2, CHAR, SAVE 3, SPLIT, RESET 4..6, CHAR, SAVE 4, CHAR, SAVE 5, JMP, SAVE 1, MATCH
  assert.is(p.length, 14);
  // 1 initial frame + 6 SAVE + 1 SPLIT + 2 slots reset, two ints each
  assert.is(p.stackSize, 20);
});

parser.run();

const sources = suite('regex engine scratch sources');

sources('pool: one scratch per isolate, lent during a search and back after it', () => {
  const pool = getLocalPool(SCRATCH_POOL);
  const re = new Regex('(\\w+)@(\\w+)', 'pool');
  const before = pool.stats;
  assert.equal(re.indices('me@host'), [[0, 7], [0, 2], [3, 7]]);
  const after = pool.stats;
  assert.is(after.lent, 0);
  assert.ok(after.hits + after.misses === before.hits + before.misses + 1);
});

sources('pool: a scratch grows to the largest program that used it, then serves smaller ones', () => {
  const pool = getLocalPool(SCRATCH_POOL);
  const big = new Regex('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)(m)(n)(o)(p)', 'pool');
  const small = new Regex('(x)', 'pool');
  assert.ok(big.indices('abcdefghijklmnop') !== null);
  const s = pool.acquire();
  pool.release(s);
  assert.ok(s.fits(big.program) && s.fits(small.program));
  assert.equal(small.indices('yx'), [[1, 2], [1, 2]]);
});

sources('buffer: eight arrays rented per search, all returned', () => {
  const u32 = getLocalBufferPool(Uint32Array);
  const i32 = getLocalBufferPool(Int32Array);
  const re = new Regex('"([^"]*)"', 'buffer');
  const before = u32.stats.hits + u32.stats.misses + i32.stats.hits + i32.stats.misses;
  assert.equal(re.indices('say "hi"'), [[4, 8], [5, 7]]);
  const after = u32.stats.hits + u32.stats.misses + i32.stats.hits + i32.stats.misses;
  assert.is(after - before, 8);
  assert.is(u32.stats.lent + i32.stats.lent, 0);
});

sources('a scratch left dirty by another pattern does not change results (sparse sets need no zeroing)', () => {
  const dirty = new Regex('(\\w+)\\s*=\\s*(\\w+)', 'pool');
  const clean = new Regex('(\\w+)\\s*=\\s*(\\w+)', 'alloc');
  const other = new Regex('[a-z]+(\\d)?', 'pool');
  for (const line of ['x = y', 'abc1', 'key=value;', 'nothing']) {
    other.indices(line + line);
    assert.equal(dirty.indices(line), clean.indices(line), line);
  }
});

sources.run();
