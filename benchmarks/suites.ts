/**
 * The suites the CLI runs, how they are loaded, and which of their cases a run selects, in which
 * order.
 *
 * The local suite is imported directly. The SharedPool and workload suites are loaded by a computed
 * specifier and checked at run time against the contract (a function returning BenchCase[]), so a
 * build without one of them still runs the others: a suite that is not in the build shows up as
 * FAILED lines naming the module and a non-zero exit, never skipped quietly and never faked.
 */
import { matches } from './args.js';
import type { BenchCase } from './case.js';
import { localCases } from './local.cases.js';
import { loadUserModule, moduleCases } from './module-cases.js';
import { referenceFor, type Report } from './report.js';
import { usedCases } from './used.cases.js';

export interface SuiteOptions {
  quick: boolean;
  workers: number;
}

export interface Suite {
  /** Short name, for messages. */
  name: string;
  /** Module specifier relative to this file (compiled). */
  module: string;
  /** The cases this suite is expected to provide, for the FAILED lines when it is missing. */
  expected: readonly string[];
  /** The export to call. */
  exportName: string;
  /** Loaded cases, or why not. */
  load(opts: SuiteOptions): Promise<BenchCase[]>;
  /** The suite's module once imported; undefined until then, and when it is not in the build. */
  loaded?: Record<string, unknown>;
}

/** Thrown when a suite's module is not in the build. */
export class MissingSuiteError extends Error {
  override name = 'MissingSuiteError';
  constructor(
    readonly suite: string,
    readonly module: string,
    readonly expected: readonly string[],
    detail: string,
  ) {
    super(`suite ${suite} is missing: ${module} ${detail}`);
  }
}

function isBenchCase(c: unknown): c is BenchCase {
  if (c === null || typeof c !== 'object') return false;
  const o = c as Record<string, unknown>;
  return (
    typeof o['name'] === 'string' &&
    typeof o['group'] === 'string' &&
    typeof o['batch'] === 'number' &&
    typeof o['fn'] === 'function' &&
    typeof o['validate'] === 'function'
  );
}

async function importOptional(spec: string): Promise<Record<string, unknown> | undefined> {
  const url = new URL(spec, import.meta.url);
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (err) {
    // Only "this very file is not there" counts as missing; a suite that fails to load is a failure.
    const e = err as { code?: string; message?: string };
    if (e.code === 'ERR_MODULE_NOT_FOUND' && (e.message ?? '').includes(url.pathname)) return undefined;
    throw err;
  }
}

export function dynamicSuite(name: string, module: string, exportName: string, expected: readonly string[]): Suite {
  const suite: Suite = {
    name,
    module,
    exportName,
    expected,
    async load(opts) {
      const mod = await importOptional(module);
      suite.loaded = mod;
      if (mod === undefined) {
        throw new MissingSuiteError(name, `benchmarks/${module.replace(/^\.\//, '').replace(/\.js$/, '.ts')}`, expected, 'is not in this build');
      }
      const make = mod[exportName];
      if (typeof make !== 'function') {
        throw new MissingSuiteError(name, module, expected, `does not export a function \`${exportName}\``);
      }
      const cases: unknown = await (make as (o: SuiteOptions) => unknown)(opts);
      if (!Array.isArray(cases) || !cases.every(isBenchCase)) {
        throw new Error(`suite ${name}: ${exportName}() must return BenchCase[] (name, group, batch, fn, validate)`);
      }
      return cases;
    },
  };
  return suite;
}

/** `--module <file>`'s one suite: the module's own cases (module-cases.ts). */
function moduleSuite(file: string): Suite {
  return {
    name: 'module',
    module: './module-cases.js',
    exportName: 'moduleCases',
    expected: ['module_alloc', 'module_pool', 'module_buffer'],
    load: async (opts) => moduleCases(await loadUserModule(file), opts.quick),
  };
}

/** Every suite, in report order; with `module`, only that module's. */
export function allSuites(module?: string): Suite[] {
  if (module !== undefined) return [moduleSuite(module)];
  return [
    {
      name: 'local',
      module: './local.cases.js',
      exportName: 'localCases',
      expected: ['tls_get_put', 'tls_get', 'tls_lease_using', 'buffer_rent_return', 'owner_slot_get_put', 'array_stack_get_put', 'reusify_get_put', 'isopool_reusify_get_put', 'alloc_small', 'alloc_u8_16k'],
      load: async () => localCases(),
    },
    dynamicSuite('shared', './shared.cases.js', 'sharedCases', [
      'mutex_get_put',
      'mpmc_get_put',
      'treiber_get_put',
      'bitmap_get_put',
      'shared_tls_get_put',
    ]),
    dynamicSuite('structure', './structure.cases.js', 'structureCases', ['ms_get_put', 'seg_get_put']),
    dynamicSuite('bare', './bare.cases.js', 'bareCases', ['bare_mutex_get_put', 'bare_treiber_get_put', 'bare_mpmc_get_put', 'bare_bitmap_get_put']),
    {
      name: 'used',
      module: './used.cases.js',
      exportName: 'usedCases',
      expected: ['owner_slot_get_put_used', 'tls_get_put_used', 'tls_get_used', 'shared_tls_get_put_used', 'buffer_rent_return_used', 'tls_lease_using_used'],
      load: async (opts) => usedCases(opts),
    },
    dynamicSuite('workload', './workloads/cases.js', 'workloadCases', ['workload_alloc', 'workload_pool', 'workload_buffer']),
    dynamicSuite('resource', './resource.cases.js', 'resourceCases', ['resource_await', 'resource_idle_get_put', 'resource_idle_validate_get_put', 'generic_pool_get_put', 'tarn_get_put']),
    dynamicSuite('transfer', './transfer.cases.js', 'transferCases', ['transfer_alloc', 'transfer_pool']),
    dynamicSuite('fields', './fields.cases.js', 'fieldsCases', ['fields_object', 'fields_typed_array', 'fields_block']),
  ];
}

/** Report order of case groups; unknown groups go last, in suite order (the sort is stable). */
const GROUP_ORDER = ['mempool', 'shared', 'peers', 'used', 'alloc', 'workload', 'transfer', 'fields'];

function groupRank(group: string): number {
  const i = GROUP_ORDER.indexOf(group);
  return i < 0 ? GROUP_ORDER.length : i;
}

export interface Selection {
  /** The cases to time, in report order. */
  cases: BenchCase[];
  /** Cases the filters left out. */
  filteredOut: number;
  /** Suites not in the build, with the cases of theirs the filters would have selected. */
  missing: Report['missing'];
  /** Names of the suites whose module is in this build (loaded, with or without the expected export). */
  inBuild: Set<string>;
  /** Every case name the suites have or expect, selected or not, in suite order (for a filter's error). */
  names: string[];
}

/**
 * Loads every suite and keeps the cases the filters select. Everything is loaded before anything is
 * timed, so the names pad to one width and a missing suite is known up front. Order: mempool's table
 * first, allocation (which leaves garbage behind for the collector) after the pools, and inside a
 * group its reference case first, so every ratio can be printed as its line is.
 */
export async function selectCases(filters: readonly string[], exact: boolean, opts: SuiteOptions): Promise<Selection> {
  const selection: Selection = { cases: [], filteredOut: 0, missing: [], inBuild: new Set(), names: [] };
  for (const s of allSuites()) {
    try {
      for (const c of await s.load(opts)) {
        selection.names.push(c.name);
        if (matches(c.name, filters, exact)) selection.cases.push(c);
        else selection.filteredOut++;
      }
      selection.inBuild.add(s.name);
    } catch (err) {
      if (!(err instanceof MissingSuiteError)) throw err;
      if (s.loaded !== undefined) selection.inBuild.add(s.name);
      selection.names.push(...err.expected);
      const wanted = err.expected.filter((n) => matches(n, filters, exact));
      if (wanted.length > 0) selection.missing.push({ suite: err.suite, module: err.module, cases: wanted });
    }
  }
  const refRank = (c: BenchCase) => (c.name === referenceFor(c.group) ? 0 : 1);
  selection.cases.sort((a, b) => groupRank(a.group) - groupRank(b.group) || refRank(a) - refRank(b));
  return selection;
}
