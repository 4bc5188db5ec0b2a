/**
 * `--module ./mine.js`: the user's object, and the three cases that answer "does pooling pay for
 * it?". The module exports `create()` (one new object) and optionally `reset(obj)` (run on release,
 * LocalPool's contract: returning `false` drops the object). The cases, side by side:
 *
 *   module_alloc   `create()` per iteration, the object left for the collector
 *   module_pool    a LocalPool round trip (acquire, release) over `create` and `reset`
 *   module_buffer  a BufferPool round trip (rent, `reset`, return), when `create()` returns a typed
 *                  array: BufferPool rounds the length up to a power of two
 *
 * Each case also reports what it costs the collector per 1M iterations (allocation.ts). The module
 * is loaded and checked (loadUserModule) before anything is timed, in the CLI and again in every
 * child process, and a module that is missing something fails with a sentence naming it.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BufferPool, LocalPool, type TypedArray, type TypedArrayConstructor } from 'isopool';
import { measureAllocation } from './allocation.js';
import type { BenchCase } from './case.js';

/** Iterations per benny call (>= 1,000: fact `benny-call`, as for the local cases). */
export const MODULE_BATCH = 1000;

/** V8 keeps a typed array's elements on the heap up to this many bytes (`typed_array_max_size_in_heap`). */
const MAX_ON_HEAP_BYTES = 64;

/** A module that cannot be measured: the CLI prints the message and exits with status 2. */
export class ModuleError extends Error {
  override name = 'ModuleError';
}

export interface UserModule {
  /** The module's absolute path. */
  readonly file: string;
  readonly create: () => object;
  readonly reset: ((obj: object) => boolean | void) | undefined;
  /** One object `create()` made, to describe it. */
  readonly sample: object;
  /** The sample's constructor and length when it is a typed array BufferPool can hold. */
  readonly typedArray: { readonly ctor: TypedArrayConstructor<TypedArray>; readonly length: number } | undefined;
}

function exportNames(mod: Record<string, unknown>): string {
  const names = Object.keys(mod).filter((k) => k !== 'default');
  const d = mod['default'];
  if (d !== null && typeof d === 'object') names.push(...Object.keys(d).map((k) => `default.${k}`));
  return names.length === 0 ? 'nothing' : names.join(', ');
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'function') return `a function ${v.name || '(anonymous)'}`;
  if (typeof v === 'object') return `an object`;
  return `${typeof v} ${String(v)}`;
}

/** What `create()` made, for the report: `Float64Array(1024), 8,192 bytes` or `an object of class Foo`. */
export function describeObject(o: object): string {
  if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
    const a = o as TypedArray;
    return `${a.constructor.name}(${a.length}), ${a.byteLength.toLocaleString('en-US')} bytes`;
  }
  const ctor = (o as { constructor?: { name?: string } }).constructor?.name;
  if (ctor !== undefined && ctor !== '' && ctor !== 'Object') return `an object of class ${ctor}`;
  const keys = Object.keys(o);
  return `an object { ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''} }`;
}

/** Loads `path` (ESM or CommonJS) and checks it exports what the cases need; throws ModuleError naming what is missing. */
export async function loadUserModule(path: string): Promise<UserModule> {
  const file = resolve(path);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ModuleError(`--module ${path}: cannot load ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A CommonJS module's exports arrive as `default` (and, when Node can tell, as named exports too).
  const d = mod['default'];
  const source = typeof mod['create'] === 'function' || d === null || typeof d !== 'object' ? mod : (d as Record<string, unknown>);
  const create = source['create'];
  const reset = source['reset'];
  if (typeof create !== 'function') {
    const found = create === undefined ? `it exports ${exportNames(mod)}` : `its create is ${describeValue(create)}`;
    throw new ModuleError(`--module ${path} must export a function create() that makes one object to pool; ${found}`);
  }
  if (reset !== undefined && typeof reset !== 'function') {
    throw new ModuleError(`--module ${path}: its export reset must be a function reset(obj) (run on release), received ${describeValue(reset)}`);
  }
  const call = (): object => {
    let o: unknown;
    try {
      o = (create as () => unknown)();
    } catch (err) {
      throw new ModuleError(`--module ${path}: create() threw: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (o === null || (typeof o !== 'object' && typeof o !== 'function')) {
      throw new ModuleError(`--module ${path}: create() must return an object to pool, received ${describeValue(o)}`);
    }
    return o;
  };
  const sample = call();
  if (call() === sample) {
    throw new ModuleError(`--module ${path}: create() returned the same object twice; it must make a new one each call (there is nothing to pool otherwise)`);
  }
  let typedArray: UserModule['typedArray'];
  if (ArrayBuffer.isView(sample) && !(sample instanceof DataView)) {
    const a = sample as TypedArray;
    typedArray = { ctor: a.constructor as TypedArrayConstructor<TypedArray>, length: a.length };
  }
  return { file, create: create as () => object, reset: reset as UserModule['reset'], sample, typedArray };
}

/** Where the cases park each object they get, so no allocation is optimised away (escape analysis). */
export let escape: unknown = null;

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`validation failed: ${what}`);
}

/** Off-heap bytes of one object `create()` makes (a typed array's backing store past V8's on-heap limit). */
function offHeapBytesOf(o: object): number {
  return ArrayBuffer.isView(o) && o.byteLength > MAX_ON_HEAP_BYTES ? o.byteLength : 0;
}

/** The collector's figures for a case, as extra columns. */
function allocationColumns(fn: () => void, quick: boolean, offHeapBytes: () => number): Record<string, number> {
  const a = measureAllocation(fn, { batch: MODULE_BATCH, budgetMs: quick ? 30 : 300, offHeapBytes });
  return {
    gc_per_1M: Number(a.gcPer1M.toFixed(2)),
    gc_ms_per_1M: Number(a.gcMsPer1M.toFixed(2)),
    alloc_bytes_per_1M: Math.round(a.bytesPer1M),
  };
}

function allocCase(user: UserModule, quick: boolean): BenchCase {
  const { create } = user;
  const perObject = offHeapBytesOf(user.sample);
  let made = 0;
  const fn = (): void => {
    for (let i = 0; i < MODULE_BATCH; i++) escape = create();
    made += MODULE_BATCH;
  };
  return {
    name: 'module_alloc',
    group: 'module',
    batch: MODULE_BATCH,
    fn,
    validate() {
      const before = made;
      fn();
      check(made - before === MODULE_BATCH, `module_alloc: one call makes ${MODULE_BATCH} objects`);
      check(escape !== null && escape !== user.sample, 'module_alloc: create() made new objects');
    },
    teardown() {
      escape = null;
    },
    extra: () => allocationColumns(fn, quick, () => made * perObject),
  };
}

function poolCase(user: UserModule, quick: boolean): BenchCase {
  const perObject = offHeapBytesOf(user.sample);
  let created = 0;
  const create = user.create;
  const pool = new LocalPool<object>({
    create: () => {
      created++;
      return create();
    },
    ...(user.reset ? { reset: user.reset } : {}),
    name: 'module_pool',
  });
  let pairs = 0;
  const fn = (): void => {
    for (let i = 0; i < MODULE_BATCH; i++) {
      const o = pool.acquire();
      escape = o;
      pool.release(o);
    }
    pairs += MODULE_BATCH;
  };
  return {
    name: 'module_pool',
    group: 'module',
    batch: MODULE_BATCH,
    fn,
    validate() {
      const a = pool.acquire();
      const b = pool.acquire();
      check(a !== b, 'module_pool: two objects held at once are distinct');
      pool.release(b);
      pool.release(a);
      const again = [pool.acquire(), pool.acquire()];
      check(again.includes(a) && again.includes(b), 'module_pool: released objects are lent again');
      for (const o of again) pool.release(o);
      const before = created;
      fn();
      // A reset that returns false drops every object: then the pool creates one per iteration, which
      // is what this case then measures (and the verdict will say pooling does not pay).
      check(pool.stats.lent === 0, `module_pool: nothing stays lent (lent ${pool.stats.lent})`);
      check(pairs >= MODULE_BATCH && created - before <= MODULE_BATCH, 'module_pool: one call performs its batch');
    },
    teardown() {
      pool.close();
      escape = null;
    },
    extra: () => allocationColumns(fn, quick, () => created * perObject),
  };
}

function bufferCase(user: UserModule, quick: boolean): BenchCase | undefined {
  const t = user.typedArray;
  if (t === undefined) return undefined;
  const { ctor, length } = t;
  const reset = user.reset;
  // Pool the sample's length even past BufferPool's default largest class.
  const classLength = 2 ** Math.ceil(Math.log2(Math.max(1, length)));
  const pool = new BufferPool(ctor, { maxLength: Math.max(classLength, (2 ** 20) / ctor.BYTES_PER_ELEMENT) });
  const classBytes = classLength * ctor.BYTES_PER_ELEMENT;
  const fn = (): void => {
    for (let i = 0; i < MODULE_BATCH; i++) {
      const a = pool.rent(length);
      escape = a;
      if (reset !== undefined) reset(a);
      pool.return(a);
    }
  };
  return {
    name: 'module_buffer',
    group: 'module',
    batch: MODULE_BATCH,
    fn,
    validate() {
      const a = pool.rent(length);
      check(a instanceof ctor && a.length === classLength, `module_buffer: rent(${length}) lends a ${ctor.name}(${classLength})`);
      pool.return(a);
      check(pool.rent(length) === a, 'module_buffer: the array returned is lent again');
      pool.return(a);
      const created = pool.stats.created;
      fn();
      check(pool.stats.created === created, 'module_buffer: the batch reuses arrays');
    },
    teardown() {
      pool.close();
      escape = null;
    },
    extra: () => allocationColumns(fn, quick, () => (classBytes > MAX_ON_HEAP_BYTES ? pool.stats.created * classBytes : 0)),
  };
}

/** The module's cases, `module_alloc` (every ratio's reference) first. */
export function moduleCases(user: UserModule, quick: boolean): BenchCase[] {
  const buffer = bufferCase(user, quick);
  return [allocCase(user, quick), poolCase(user, quick), ...(buffer ? [buffer] : [])];
}
