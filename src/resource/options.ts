/**
 * ResourcePool's options, checked once at the public edge (TypeError / RangeError naming the option
 * and the value received; unknown keys refused) and resolved into a `ResourcePoolConfig` that the
 * pool reads without checking again.
 */
import type { PoolError } from '../errors.js';
import { checkFunction, checkInteger, checkKnownKeys, checkOptionsObject, checkString, describe } from '../validate.js';
import { MAX_TIMEOUT } from '../waiter-queue.js';

/**
 * Default `max`: 10 live resources, node-postgres' pool default. A connection pool's useful size is
 * set by the server (its connection limit and cores), not by the client, so the default is modest
 * and meant to be set.
 */
export const DEFAULT_RESOURCE_MAX = 10;
/**
 * Default `idleTimeout`: 30 s, the default of generic-pool (`idleTimeoutMillis`) and tarn: long
 * enough that a steady load keeps its connections, short enough that a burst's surplus goes.
 */
export const DEFAULT_IDLE_TIMEOUT = 30_000;
/**
 * Default `createTimeout`: 30 s, tarn's `createTimeoutMillis`. A `create` that never settles would
 * otherwise hold a slot under `max`, and the acquire waiting for it, for good.
 */
export const DEFAULT_CREATE_TIMEOUT = 30_000;

/** Largest `max` and `min`: far past any count of connections one process can hold. */
const MAX_COUNT = 2 ** 30;

export interface ResourcePoolOptions<T extends object> {
  /** Makes one resource (may be async). Required. */
  create: () => T | PromiseLike<T>;
  /** Closes one resource (may be async). Failures go to `onError`. */
  destroy?: (resource: T) => void | PromiseLike<void>;
  /**
   * Checked before an idle resource is lent: `true` lends it, `false` destroys it and another is
   * tried. May be async. Resources fresh from `create` are lent without it.
   */
  validate?: (resource: T) => boolean | PromiseLike<boolean>;
  /** Resources kept warm, created in the background. Default 0. */
  min?: number;
  /** Live resources: idle + lent + being created, validated or destroyed. Default 10. */
  max?: number;
  /** ms an idle resource above `min` is kept. Default 30,000; `Infinity` keeps them. */
  idleTimeout?: number;
  /** ms a resource lives, from its creation: older ones are destroyed instead of lent or kept. Default Infinity. */
  maxLifetime?: number;
  /** Default `timeout` of `acquire()`, in ms. Default Infinity. */
  acquireTimeout?: number;
  /** ms a `create` (or a `destroy`) may take before it counts as failed. Default 30,000. */
  createTimeout?: number;
  /** Used in error messages. Default `'ResourcePool'`. */
  name?: string;
  /**
   * Hears the failures no caller can: a `destroy` that failed, a `validate` that threw, a `create`
   * made in the background that failed. Each is a PoolError whose `cause` is the original error.
   */
  onError?: (error: PoolError) => void;
}

/** Options after checking, with every default filled in. */
export interface ResourcePoolConfig<T extends object> {
  readonly create: () => T | PromiseLike<T>;
  readonly destroy: ((resource: T) => void | PromiseLike<void>) | undefined;
  readonly validate: ((resource: T) => boolean | PromiseLike<boolean>) | undefined;
  readonly min: number;
  readonly max: number;
  readonly idleTimeout: number;
  readonly maxLifetime: number;
  readonly acquireTimeout: number;
  readonly createTimeout: number;
  readonly name: string;
  readonly onError: ((error: PoolError) => void) | undefined;
}

const KEYS = [
  'create',
  'destroy',
  'validate',
  'min',
  'max',
  'idleTimeout',
  'maxLifetime',
  'acquireTimeout',
  'createTimeout',
  'name',
  'onError',
] as const;

export function resolveResourcePoolOptions<T extends object>(options: ResourcePoolOptions<T>): ResourcePoolConfig<T> {
  checkOptionsObject('ResourcePool options', options);
  checkKnownKeys('ResourcePool', options, KEYS);
  checkFunction('create', options.create, false);
  checkFunction('destroy', options.destroy, true);
  checkFunction('validate', options.validate, true);
  checkFunction('onError', options.onError, true);
  const max = options.max === undefined ? DEFAULT_RESOURCE_MAX : checkInteger('max', options.max, 1, MAX_COUNT);
  const min = options.min === undefined ? 0 : checkInteger('min', options.min, 0, MAX_COUNT);
  if (min > max) throw new RangeError(`isopool: option \`min\` (${min}) must not exceed \`max\` (${max})`);
  return {
    create: options.create,
    destroy: options.destroy,
    validate: options.validate,
    min,
    max,
    idleTimeout: checkMs('idleTimeout', options.idleTimeout, DEFAULT_IDLE_TIMEOUT, 0),
    // 0 would expire every resource as it is made: nothing could ever be lent.
    maxLifetime: checkMs('maxLifetime', options.maxLifetime, Infinity, 1),
    acquireTimeout: checkMs('acquireTimeout', options.acquireTimeout, Infinity, 0),
    // 0 would fail every create.
    createTimeout: checkMs('createTimeout', options.createTimeout, DEFAULT_CREATE_TIMEOUT, 1),
    name: checkString('name', options.name) ?? 'ResourcePool',
    onError: options.onError,
  };
}

/** A duration option: ms from `min` to MAX_TIMEOUT (setTimeout's largest delay), or Infinity. */
function checkMs(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(`isopool: option \`${name}\` must be a number of ms, received ${describe(value)}`);
  }
  if (!(value >= min) || (value > MAX_TIMEOUT && value !== Infinity)) {
    throw new RangeError(`isopool: option \`${name}\` must be a number of ms from ${min} to ${MAX_TIMEOUT}, or Infinity, received ${describe(value)}`);
  }
  return value;
}
