/**
 * ResourcePool options: every bad value is a TypeError or RangeError naming the option and the value
 * received; unknown keys (a typo, a peer library's spelling) are refused with the option meant; the
 * options of `acquire`, `use` and `drain` are checked the same way.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_CREATE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_RESOURCE_MAX, ResourcePool, type ResourcePoolOptions } from '../src/index.js';
import { rejection } from './helpers/async.js';

const create = () => ({});
const make = (extra: Record<string, unknown>) => () => new ResourcePool({ create, ...extra } as ResourcePoolOptions<object>);

const options = suite('ResourcePool options');

options('the options object and `create` are required', () => {
  assert.throws(() => new ResourcePool(undefined as never), (e: unknown) => e instanceof TypeError && /ResourcePool options must be an object, received undefined/.test((e as Error).message));
  assert.throws(() => new ResourcePool({} as never), (e: unknown) => e instanceof TypeError && /`create` must be a function, received undefined/.test((e as Error).message));
  assert.throws(make({ create: 'connect' }), /`create` must be a function, received "connect"/);
});

options('hooks must be functions, named with the value received', () => {
  for (const key of ['destroy', 'validate', 'onError']) {
    assert.throws(make({ [key]: 42 }), (e: unknown) => e instanceof TypeError && new RegExp(`\`${key}\` must be a function, received 42`).test((e as Error).message));
  }
});

options('min and max are integers in range, and min never exceeds max', () => {
  assert.throws(make({ max: 0 }), (e: unknown) => e instanceof RangeError && /`max` must be between 1 and .* received 0/.test((e as Error).message));
  assert.throws(make({ max: 2.5 }), (e: unknown) => e instanceof RangeError && /`max` must be an integer, received 2.5/.test((e as Error).message));
  assert.throws(make({ max: '4' }), (e: unknown) => e instanceof TypeError && /`max` must be a number, received "4"/.test((e as Error).message));
  assert.throws(make({ min: -1 }), (e: unknown) => e instanceof RangeError && /`min` must be between 0 and .* received -1/.test((e as Error).message));
  assert.throws(make({ min: 3, max: 2 }), (e: unknown) => e instanceof RangeError && /`min` \(3\) must not exceed `max` \(2\)/.test((e as Error).message));
});

options('durations are ms within setTimeout\'s range or Infinity; lifetimes and create deadlines above 0', () => {
  for (const key of ['idleTimeout', 'maxLifetime', 'acquireTimeout', 'createTimeout']) {
    assert.throws(make({ [key]: '1s' }), (e: unknown) => e instanceof TypeError && new RegExp(`\`${key}\` must be a number of ms, received "1s"`).test((e as Error).message));
    assert.throws(make({ [key]: -5 }), (e: unknown) => e instanceof RangeError && new RegExp(`\`${key}\`.*received -5`).test((e as Error).message));
    assert.throws(make({ [key]: Number.NaN }), (e: unknown) => e instanceof RangeError && new RegExp(`\`${key}\`.*received NaN`).test((e as Error).message));
    assert.throws(make({ [key]: 2 ** 31 }), (e: unknown) => e instanceof RangeError && new RegExp(`\`${key}\`.*received 2147483648`).test((e as Error).message));
    make({ [key]: Infinity })().drain();
  }
  assert.throws(make({ maxLifetime: 0 }), /`maxLifetime` must be a number of ms from 1/);
  assert.throws(make({ createTimeout: 0 }), /`createTimeout` must be a number of ms from 1/);
  make({ idleTimeout: 0, acquireTimeout: 0 })().drain();
});

options('name must be a string and appears in messages', async () => {
  assert.throws(make({ name: 7 }), (e: unknown) => e instanceof TypeError && /`name` must be a string, received 7/.test((e as Error).message));
  const pool = new ResourcePool({ create, name: 'db' });
  assert.is(pool.name, 'db');
  assert.throws(() => pool.release({}), /db\.release\(\) was given a resource this pool did not make/);
  await pool.drain();
});

options('unknown keys are refused, naming the key and the option meant', () => {
  const cases: Array<[string, string | undefined]> = [
    ['maxSize', 'max'],
    ['idleTimeoutMillis', 'idleTimeout'],
    ['acquireTimeoutMillis', 'acquireTimeout'],
    ['creatTimeout', 'createTimeout'],
    ['valdate', 'validate'],
    ['testOnBorrow', undefined],
  ];
  for (const [key, meant] of cases) {
    assert.throws(make({ [key]: 1 }), (e: unknown) => {
      const m = (e as Error).message;
      return e instanceof TypeError && m.includes(`unknown option \`${key}\` for ResourcePool`) && (meant === undefined ? !m.includes('did you mean') : m.includes(`did you mean \`${meant}\`?`));
    });
  }
});

options('defaults: max 10, min 0, idleTimeout 30 s, createTimeout 30 s, no acquire timeout', async () => {
  assert.is(DEFAULT_RESOURCE_MAX, 10);
  assert.is(DEFAULT_IDLE_TIMEOUT, 30_000);
  assert.is(DEFAULT_CREATE_TIMEOUT, 30_000);
  const pool = new ResourcePool({ create });
  const held = await Promise.all(Array.from({ length: DEFAULT_RESOURCE_MAX }, () => pool.acquire()));
  assert.is(pool.stats.created, DEFAULT_RESOURCE_MAX);
  const eleventh = pool.acquire();
  assert.is(pool.stats.pending, 1);
  pool.release(held[0]!);
  assert.is(await eleventh, held[0]);
  for (const r of held) pool.release(r);
  await pool.drain();
});

const calls = suite('ResourcePool call options');

calls('acquire options: an object with a number timeout and an AbortSignal, nothing else', async () => {
  const pool = new ResourcePool({ create });
  const bad: Array<[unknown, RegExp]> = [
    [null, /acquire\(\) options must be an object, received null/],
    [{ timeout: -1 }, /`timeout` must be a number of ms from 0 .* received -1/],
    [{ signal: {} }, /`signal` of ResourcePool\.acquire\(\) must be an AbortSignal/],
    [{ timeoutMillis: 5 }, /unknown option `timeoutMillis` for ResourcePool\.acquire\(\) \(did you mean `timeout`\?\)/],
  ];
  for (const [opts, message] of bad) {
    const error = await rejection(pool.acquire(opts as never));
    assert.ok(error instanceof TypeError || error instanceof RangeError, String(error));
    assert.match((error as Error).message, message);
    const viaUse = await rejection(pool.use(() => 1, opts as never));
    assert.match((viaUse as Error).message, message);
  }
  assert.is(pool.stats.created, 0);
  await pool.drain();
});

calls('use takes a function', async () => {
  const pool = new ResourcePool({ create, name: 'p' });
  const error = await rejection(pool.use('run' as never));
  assert.instance(error, TypeError);
  assert.match((error as Error).message, /p\.use\(\) takes a function, received "run"/);
  await pool.drain();
});

calls('drain options: an object with a timeout, nothing else', async () => {
  const pool = new ResourcePool({ create });
  assert.match(String(await rejection(pool.drain(5 as never))), /drain\(\) options must be an object, received 5/);
  assert.match(String(await rejection(pool.drain({ timeout: 'soon' } as never))), /`timeout` must be a number/);
  assert.match(String(await rejection(pool.drain({ timout: 5 } as never))), /unknown option `timout` .* \(did you mean `timeout`\?\)/);
  assert.is(pool.closed, false);
  await pool.drain({ timeout: 1000 });
  assert.is(pool.closed, true);
});

options.run();
calls.run();
