/**
 * The argument checks every pool's public edge shares (src/validate.ts): here `checkKnownKeys`,
 * which the pools' option checks use to refuse unknown keys and name the option meant.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkKnownKeys } from '../src/validate.js';

const ALLOWED = ['blockSize', 'blocks', 'cache', 'strategy'] as const;

function message(options: object): string | undefined {
  try {
    checkKnownKeys('SharedPool.create()', options, ALLOWED);
  } catch (error) {
    assert.instance(error, TypeError);
    return (error as Error).message;
  }
  return undefined;
}

test('known keys pass, whatever their values; inherited and symbol keys are not looked at', () => {
  assert.is(message({ blockSize: 64, blocks: undefined }), undefined);
  assert.is(message(Object.create({ inherited: 1 })), undefined);
  assert.is(message({ [Symbol('s')]: 1 }), undefined);
});

test('a typo, another case, a swap of two letters or a prefix names the option meant', () => {
  assert.is(message({ blockSise: 64 }), 'isopool: unknown option `blockSise` for SharedPool.create() (did you mean `blockSize`?)');
  assert.match(message({ Cache: 1 })!, /did you mean `cache`\?/);
  assert.match(message({ stratgey: 'x' })!, /did you mean `strategy`\?/);
  assert.match(message({ blockSizeBytes: 1 })!, /did you mean `blockSize`\?/);
  assert.match(message({ cach: 1 })!, /did you mean `cache`\?/);
});

test('a key close to none lists the options there are', () => {
  assert.is(message({ validate: true }), 'isopool: unknown option `validate` for SharedPool.create(); its options are `blockSize`, `blocks`, `cache`, `strategy`');
  assert.match(message({ x: 1 })!, /its options are/);
});

test.run();
