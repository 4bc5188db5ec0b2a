/**
 * The regex workload as a fixed unit of work, shared by the benchmark cases, the worker runner and
 * the standalone measurement: every pattern of `PATTERNS` searched over the same evenly sampled
 * short lines of the corpus, with the scratch from one source.
 */
import { GCProfiler } from 'node:v8';
import { loadCorpus, PATTERNS, SHORT_LINE_MAX } from './corpus.js';
import { Regex, type ScratchSource } from './regex/regex.js';

/** Default lines per workload: 100 lines x 15 patterns = 1,500 searches per pass. */
export const DEFAULT_LINES = 100;

export interface WorkloadOptions {
  /** Short lines searched per pass (default 100); each is searched with every pattern. */
  lines?: number;
}

export class Workload {
  readonly source: ScratchSource;
  readonly lines: readonly string[];
  readonly regexes: readonly Regex[];
  /** Searches in one pass: lines x patterns. */
  readonly searches: number;
  private readonly _out: Int32Array[];
  /** Matches found by the last pass; read it so no engine can optimise the searches away. */
  matches = 0;

  constructor(source: ScratchSource, options: WorkloadOptions = {}) {
    this.source = source;
    this.lines = loadCorpus({ lines: options.lines ?? DEFAULT_LINES, maxLength: SHORT_LINE_MAX });
    this.regexes = PATTERNS.map((p) => new Regex(p, source));
    this._out = this.regexes.map((r) => r.newSlots());
    this.searches = this.lines.length * this.regexes.length;
  }

  /** One pass: every pattern over every line. Returns the number of matches. */
  pass(): number {
    const regexes = this.regexes;
    const out = this._out;
    const lines = this.lines;
    let matches = 0;
    for (let l = 0; l < lines.length; l++) {
      const line = lines[l]!;
      for (let r = 0; r < regexes.length; r++) if (regexes[r]!.exec(line, out[r]!)) matches++;
    }
    this.matches = matches;
    return matches;
  }

  /**
   * Runs one pass and checks every result against RegExp (span and captures, `d` flag); throws on
   * the first difference or if nothing matched. Returns the number of matches.
   */
  validate(): number {
    let matches = 0;
    for (let r = 0; r < this.regexes.length; r++) {
      const mine = this.regexes[r]!;
      const re = new RegExp(mine.program.source, 'd');
      for (const line of this.lines) {
        const m = re.exec(line);
        const want = m === null ? null : JSON.stringify(Array.from(m.indices!, (s) => (s === undefined ? null : [s[0], s[1]])));
        const got = mine.indices(line);
        const gotText = got === null ? null : JSON.stringify(got.map((s) => (s === undefined ? null : s)));
        if (want !== gotText) {
          throw new Error(`regex workload (${this.source}): /${mine.program.source}/ on ${JSON.stringify(line)}: RegExp ${want}, engine ${gotText}`);
        }
        if (m !== null) matches++;
      }
    }
    if (matches === 0) throw new Error(`regex workload (${this.source}): no pattern matched any line: nothing would be measured`);
    if (this.pass() !== matches) throw new Error(`regex workload (${this.source}): exec() and indices() disagree on the match count`);
    return matches;
  }
}

/**
 * Counts garbage collections, and their total duration, between `start()` and `stop()`.
 *
 * It reads them from `v8.GCProfiler`, which records each collection as it happens, not from
 * perf_hooks `gc` entries: Node emits those through `setImmediate`, so code that never yields to the
 * event loop (benny runs every cycle of a case synchronously, and calls `complete` in the same task)
 * sees none of them when it asks. Both count the same collections once the loop has turned:
 * `measure.js` prints the perf_hooks count beside this one as a check. Counts every collection in the
 * isolate, including those caused by the harness around the measured code: compare figures taken in
 * one run, side by side.
 */
export class GcMeter {
  private _profiler: GCProfiler | undefined;
  private _events = 0;
  private _ms = 0;

  start(): void {
    if (this._profiler !== undefined) return;
    this._profiler = new GCProfiler();
    this._profiler.start();
  }

  /** Stops counting and adds what was recorded to the totals. Synchronous: no event-loop turn needed. */
  stop(): void {
    const profiler = this._profiler;
    if (profiler === undefined) return;
    this._profiler = undefined;
    const result = profiler.stop() as { statistics: { cost: number }[] } | undefined;
    for (const gc of result?.statistics ?? []) {
      this._events++;
      this._ms += gc.cost / 1000; // `cost` is in microseconds
    }
  }

  /** Collections counted over every start/stop interval since `reset()`. */
  get events(): number {
    return this._events;
  }

  /** Total duration of those collections, in ms. */
  get ms(): number {
    return this._ms;
  }

  reset(): void {
    this._events = 0;
    this._ms = 0;
  }
}
