/**
 * BufferPool's front slot (buffer-pool.ts's essay): the array of the last rent a class served, lent
 * and taken back without the class lookup or the class pool. What it must never do: lend an array
 * twice, swallow a double return, lend a detached array, hold more than `perClass` idle arrays of a
 * class, or keep an array after trim and close.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool, ErrorCode, type BufferPoolStats } from '../src/index.js';
import { inspectBufferPool } from '../src/buffer/buffer-pool.js';
import { throwsCode } from './helpers/errors.js';

const test = suite('BufferPool front slot');

/** Every array made is lent, idle or counted discarded. */
function balanced(pool: { readonly stats: BufferPoolStats }): void {
  const s = pool.stats;
  assert.is(s.created - s.discarded, s.lent + s.idle, `created ${s.created} discarded ${s.discarded} lent ${s.lent} idle ${s.idle}`);
}

test('a rent of the class just returned takes the same array again, a hit; stats count it idle, not lent', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(100);
  pool.return(a);
  assert.equal([pool.stats.idle, pool.stats.lent], [1, 0]);
  const hits = pool.stats.hits;
  for (let i = 0; i < 5; i++) {
    const again = pool.rent(65 + i * 10); // every length in (64, 128] is class 128
    assert.is(again, a);
    assert.is(pool.stats.lent, 1);
    pool.return(again);
  }
  assert.is(pool.stats.hits, hits + 5);
  assert.is(pool.stats.idleElements, 128);
  balanced(pool);
});

test('another class is served by its class pool while the front keeps its own', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(100);
  pool.return(a);
  const b = pool.rent(1000);
  assert.is(b.length, 1024);
  pool.return(b);
  assert.is(pool.rent(1000), b, 'the class pool kept it');
  assert.is(pool.rent(100), a, 'the front still serves its class');
  assert.equal([pool.stats.lent, pool.stats.idle], [2, 0]);
  balanced(pool);
});

test('a second return of the idle front array is ERR_DOUBLE_RELEASE, and the array is lent once after it', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(8);
  pool.return(a);
  throwsCode(() => pool.return(a), ErrorCode.DOUBLE_RELEASE);
  const x = pool.rent(8);
  const y = pool.rent(8);
  assert.is.not(x, y);
  assert.ok(x === a || y === a);
  balanced(pool);
});

test('no class holds more than perClass idle arrays, the front\'s included; perClass 0 has no front', () => {
  for (const perClass of [1, 2, 8]) {
    const pool = new BufferPool(Uint8Array, { perClass });
    const held = Array.from({ length: perClass + 3 }, () => pool.rent(16));
    for (const a of held) pool.return(a);
    assert.is(pool.stats.idle, perClass, `perClass ${perClass}`);
    assert.is(pool.stats.discarded, 3);
    // Lending them all again makes nothing new, and every one is distinct.
    const again = Array.from({ length: perClass }, () => pool.rent(16));
    assert.is(new Set(again).size, perClass);
    assert.is(pool.stats.created, perClass + 3);
    balanced(pool);
  }
  const none = new BufferPool(Uint8Array, { perClass: 0 });
  const a = none.rent(16);
  none.return(a);
  assert.is(none.stats.idle, 0);
  assert.is.not(none.rent(16), a);
});

test('an idle front array whose buffer a kept reference transferred is never lent: the rent gets a fresh one', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(64);
  pool.return(a);
  structuredClone(a, { transfer: [a.buffer] }); // a holder kept `a` after return() and sent it away
  assert.is(a.length, 0);
  const b = pool.rent(64);
  assert.is(b.length, 64);
  assert.is.not(b, a);
  assert.is(pool.stats.discarded, 1);
  pool.return(b);
  assert.is(pool.rent(64), b, 'the front serves the new array');
  balanced(pool);
});

test('the front array lent, transferred and posted back: the new object is taken once, the old refused', () => {
  const pool = new BufferPool(Uint8Array);
  const a = pool.rent(32);
  a.fill(9);
  const back = structuredClone(a, { transfer: [a.buffer] });
  pool.return(back);
  assert.equal([pool.stats.lent, pool.stats.transferred], [0, 1]);
  throwsCode(() => pool.return(a), ErrorCode.FOREIGN_OBJECT);
  throwsCode(() => pool.return(back), ErrorCode.DOUBLE_RELEASE);
  const c = pool.rent(32);
  assert.is(c, back, 'the class lends the array that came back');
  assert.is(c.length, 32);
  pool.return(c);
  balanced(pool);
});

test('zero: rent and return clear the front array too', () => {
  for (const zero of ['rent', 'return'] as const) {
    const pool = new BufferPool(Uint8Array, { zero });
    const a = pool.rent(16);
    a.fill(5);
    pool.return(a);
    if (zero === 'return') assert.ok(a.every((x) => x === 0), 'cleared on return');
    const b = pool.rent(16);
    assert.is(b, a);
    assert.ok(b.every((x) => x === 0), `zero: '${zero}'`);
  }
});

test('trim and close drop the idle front array; after close a rent throws and a return is dropped', () => {
  const pool = new BufferPool(Uint8Array);
  pool.return(pool.rent(16));
  assert.is(pool.trim(0), 1);
  assert.is(pool.stats.idle, 0);
  const a = pool.rent(16);
  const b = pool.rent(16);
  pool.return(b);
  pool.close();
  assert.is(pool.stats.idle, 0);
  throwsCode(() => pool.rent(16), ErrorCode.CLOSED);
  pool.return(a);
  assert.equal([pool.stats.idle, pool.stats.lent], [0, 0]);
  balanced(pool);
});

test('checked mode has no front: every double return is caught by the class ledger', () => {
  const pool = new BufferPool(Uint8Array, { checked: true });
  const a = pool.rent(16);
  const b = pool.rent(16);
  pool.return(a);
  pool.return(b);
  throwsCode(() => pool.return(a), ErrorCode.DOUBLE_RELEASE);
  balanced(pool);
});

test('stats.hits stays exact across the front counter\'s wrap at 2^30 and 2^31; the counter stays below 2^30', () => {
  const pool = new BufferPool(Uint8Array);
  pool.return(pool.rent(16)); // a miss: binds the front
  for (const start of [2 ** 30 - 3, 2 ** 31 - 2]) {
    inspectBufferPool(pool).advanceFrontHits(start - pool.stats.hits);
    assert.is(pool.stats.hits, start);
    for (let i = 0; i < 6; i++) pool.return(pool.rent(16));
    assert.is(pool.stats.hits, start + 6, `from ${start}`);
    assert.ok(inspectBufferPool(pool).frontHits < 2 ** 30);
  }
  balanced(pool);
});

test.run();
