/**
 * The contract between benchmark cases and the CLI that times them.
 *
 * benny adds ~6.5 ns per call (benchmarks/README.md, fact `benny-call`), as much as two LocalPool
 * pairs, so every case loops a batch of iterations per call and the CLI divides:
 * ns/iter = 1e9 / (benny ops/s) / batch.
 */
export interface BenchCase {
  /** cargo-bench style name, e.g. `tls_get_put`; the report prints `bench::<name>`. */
  readonly name: string;
  /** Section of the report: `mempool`, `peers`, `workload`, ... */
  readonly group: string;
  /** Iterations performed by one call of `fn` (>= 1,000 for get/put cases). */
  readonly batch: number;
  /** Performs `batch` iterations; an async case (ResourcePool's) returns a promise benny awaits. */
  fn(): void | Promise<void>;
  /**
   * Runs before timing; throws (or rejects) if the case does not really do its work (hands out and
   * takes back objects correctly, finds the expected matches, ...). A case that measures nothing fails loudly.
   */
  validate(): void | Promise<void>;
  /** Frees what the case holds, after timing. */
  teardown?(): void;
  /** Extra columns for the report (for example GC events per million searches), read after timing. */
  extra?(): Record<string, number | string>;
}
