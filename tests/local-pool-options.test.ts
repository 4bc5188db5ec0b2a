/** LocalPool options: each option is checked at construction, and an error names the option and the value. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalPool, type LocalPoolOptions } from '../src/index.js';

const create = () => ({});

function rejects(options: unknown, kind: typeof TypeError | typeof RangeError, message: RegExp): void {
  try {
    new LocalPool(options as LocalPoolOptions<object>);
  } catch (error) {
    assert.instance(error, kind);
    assert.match((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected ${kind.name} ${message}`);
}

test('options must be an object', () => {
  rejects(undefined, TypeError, /LocalPool options must be an object, received undefined/);
  rejects('x', TypeError, /received "x"/);
});

test('create must be a function unless createBatch is given', () => {
  rejects({}, TypeError, /option `create` must be a function, received undefined/);
  rejects({ create: 3 }, TypeError, /option `create` must be a function, received 3/);
  rejects({ createBatch: 'no' }, TypeError, /option `createBatch` must be a function, received "no"/);
  assert.ok(new LocalPool({ createBatch: () => 0 }));
});

test('reset, dispose and disposeBatch must be functions when given', () => {
  rejects({ create, reset: true }, TypeError, /option `reset` must be a function, received true/);
  rejects({ create, dispose: {} }, TypeError, /option `dispose` must be a function, received an object \(Object\)/);
  rejects({ create, disposeBatch: [] }, TypeError, /option `disposeBatch` must be a function, received an array/);
});

test('max must be a non-negative integer', () => {
  rejects({ create, max: -1 }, RangeError, /option `max` must be between 0 and \d+, received -1/);
  rejects({ create, max: 1.5 }, RangeError, /option `max` must be an integer, received 1.5/);
  rejects({ create, max: '4' }, TypeError, /option `max` must be a number, received "4"/);
  rejects({ create, max: NaN }, RangeError, /option `max` must be an integer, received NaN/);
});

test('limit must be a positive integer or Infinity', () => {
  rejects({ create, limit: 0 }, RangeError, /option `limit` must be between 1 and Infinity, received 0/);
  rejects({ create, limit: 2.5 }, RangeError, /option `limit` must be an integer/);
  assert.ok(new LocalPool({ create, limit: Infinity }));
});

test('prefill must fit within limit and max', () => {
  rejects({ create, limit: 2, prefill: 3 }, RangeError, /option `prefill` \(3\) must not exceed `limit` \(2\)/);
  rejects({ create, max: 2, prefill: 3 }, RangeError, /option `prefill` \(3\) must not exceed `max` \(2\)/);
  rejects({ create, prefill: -2 }, RangeError, /option `prefill` must be between 0/);
});

test("grow must be a positive integer or 'double'", () => {
  rejects({ create, grow: 0 }, RangeError, /option `grow` must be between 1/);
  rejects({ create, grow: 'triple' }, RangeError, /option `grow` must be a positive integer or 'double', received "triple"/);
  rejects({ create, grow: null }, TypeError, /option `grow` must be a number, received null/);
});

test('checked, soft and name have the right types', () => {
  rejects({ create, checked: 'yes' }, TypeError, /option `checked` must be a boolean, received "yes"/);
  rejects({ create, soft: 1 }, TypeError, /option `soft` must be a boolean, received 1/);
  rejects({ create, name: Symbol('s') }, TypeError, /option `name` must be a string, received Symbol\(s\)/);
});

test('leaks needs an onLeak function and a sample in (0, 1]', () => {
  rejects({ create, leaks: 1 }, TypeError, /option `leaks` must be an object, received 1/);
  rejects({ create, leaks: {} }, TypeError, /option `leaks.onLeak` must be a function, received undefined/);
  rejects({ create, leaks: { onLeak() {}, sample: 0 } }, RangeError, /option `leaks.sample` must be a number in \(0, 1\], received 0/);
  rejects({ create, leaks: { onLeak() {}, sample: 2 } }, RangeError, /received 2/);
  rejects({ create, leaks: { onLeak() {}, sample: 10n } }, RangeError, /received 10n/);
});

test('an unknown option is a TypeError naming it and the option meant (regression: typos like maxSize were silently ignored)', () => {
  rejects({ create, maxSize: 4 }, TypeError, /unknown option `maxSize` for LocalPool \(did you mean `max`\?\)/);
  rejects({ create, prefil: 2 }, TypeError, /unknown option `prefil` for LocalPool \(did you mean `prefill`\?\)/);
  rejects({ create, Limit: 2 }, TypeError, /did you mean `limit`/);
  rejects({ create, creatBatch: () => 0 }, TypeError, /did you mean `createBatch`/);
  rejects({ create, validate: () => true }, TypeError, /unknown option `validate` for LocalPool; its options are `create`, `createBatch`, `reset`, .*`name`$/);
  rejects({ create, max: undefined, sise: undefined }, TypeError, /unknown option `sise`/);
  rejects({ create, leaks: { onLeak() {}, sampel: 1 } }, TypeError, /unknown option `sampel` for option `leaks` \(did you mean `sample`\?\)/);
});

test.run();
