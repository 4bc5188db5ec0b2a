/** BufferPool options and arguments: the defaults, `perClass`, and the errors that name a bad option or length. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool, DEFAULT_MAX_BYTES, DEFAULT_PER_CLASS } from '../src/index.js';

const options = suite('BufferPool options');

options('defaults: 1 MiB largest class, 8 arrays per class', () => {
  assert.is(DEFAULT_MAX_BYTES, 2 ** 20);
  assert.is(DEFAULT_PER_CLASS, 8);
  assert.is(new BufferPool(Uint8Array).maxLength, 2 ** 20);
  assert.is(new BufferPool(Float64Array).maxLength, 2 ** 17);
  const pool = new BufferPool(Uint8Array);
  const held = Array.from({ length: 10 }, () => pool.rent(4));
  for (const a of held) pool.return(a);
  assert.is(pool.stats.idle, 8);
  assert.is(pool.stats.discarded, 2);
});

options('perClass bounds the idle arrays of each class; 0 keeps none', () => {
  const pool = new BufferPool(Uint8Array, { perClass: 2 });
  const held = [pool.rent(4), pool.rent(4), pool.rent(4), pool.rent(8)];
  for (const a of held) pool.return(a);
  const s = pool.stats;
  assert.is(s.idle, 3);
  assert.is(s.idleElements, 4 + 4 + 8);
  const none = new BufferPool(Uint8Array, { perClass: 0 });
  const a = none.rent(4);
  none.return(a);
  assert.is.not(none.rent(4), a);
  assert.is(none.stats.idle, 0);
});

options('bad arguments are TypeError / RangeError naming the option and the value', () => {
  const cases: [() => unknown, RegExp, ErrorConstructor][] = [
    [() => new BufferPool(null as unknown as Uint8ArrayConstructor), /typed array constructor .* received null/, TypeError],
    [() => new BufferPool(Array as unknown as Uint8ArrayConstructor), /typed array constructor .* received a function \(Array\)/, TypeError],
    [() => new BufferPool(DataView as unknown as Uint8ArrayConstructor), /received a function \(DataView\)/, TypeError],
    [() => new BufferPool(Uint8Array, 5 as unknown as object), /options must be an object, received 5/, TypeError],
    [() => new BufferPool(Uint8Array, { maxLength: 100 }), /`maxLength` must be a power of two, received 100/, RangeError],
    [() => new BufferPool(Uint8Array, { maxLength: 0 }), /`maxLength` must be between 1 and 1073741824, received 0/, RangeError],
    [() => new BufferPool(Uint8Array, { maxLength: 2 ** 31 }), /`maxLength`/, RangeError],
    [() => new BufferPool(Uint8Array, { perClass: -1 }), /`perClass` must be between 0 and \d+, received -1/, RangeError],
    [() => new BufferPool(Uint8Array, { zero: 'always' as 'rent' }), /`zero` must be 'never', 'rent' or 'return', received "always"/, RangeError],
    [() => new BufferPool(Uint8Array, { checked: 1 as unknown as boolean }), /`checked` must be a boolean, received 1/, TypeError],
    // regression: `zero: null` passed as the default
    [() => new BufferPool(Uint8Array, { zero: null as unknown as 'rent' }), /`zero` must be 'never', 'rent' or 'return', received null/, RangeError],
    // regression: unknown keys were silently ignored
    [() => new BufferPool(Uint8Array, { maxlength: 64 } as never), /unknown option `maxlength` for BufferPool \(did you mean `maxLength`\?\)/, TypeError],
    [() => new BufferPool(Uint8Array, { size: 64 } as never), /unknown option `size` for BufferPool; its options are `maxLength`, `perClass`, `zero`, `checked`/, TypeError],
  ];
  for (const [fn, message, type] of cases) {
    try {
      fn();
      assert.unreachable(String(message));
    } catch (error) {
      assert.instance(error, type, String(message));
      assert.match((error as Error).message, message);
    }
  }
});

options('bad rent lengths are TypeError / RangeError naming minLength and the value', () => {
  const pool = new BufferPool(Uint8Array);
  assert.throws(() => pool.rent(-1), (e: Error) => e instanceof RangeError && /`minLength` must be between 0 and \d+, received -1/.test(e.message));
  assert.throws(() => pool.rent(1.5), (e: Error) => e instanceof RangeError && /`minLength` must be an integer, received 1.5/.test(e.message));
  assert.throws(() => pool.rent(NaN), (e: Error) => e instanceof RangeError && /received NaN/.test(e.message));
  assert.throws(() => pool.rent('8' as unknown as number), (e: Error) => e instanceof TypeError && /`minLength` must be a number, received "8"/.test(e.message));
  assert.throws(() => pool.classLength(-3), RangeError);
  assert.throws(() => pool.trim(-1), RangeError);
});

options.run();
