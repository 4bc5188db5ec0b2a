#!/usr/bin/env node
/**
 * isopool-bench (the package's bin; `npm run bench` runs it): see benchmarks/main.ts.
 *
 * A shim, so that a missing dev dependency gives a sentence instead of a stack: the benchmarks time
 * isopool against peers (benny, reusify) that are dev dependencies, so they run from a clone of the
 * repository after `npm ci`, not from an installed package.
 */
let main: (argv: readonly string[]) => Promise<number>;
try {
  ({ main } = await import('./main.js'));
} catch (err) {
  const e = err as { code?: string; message?: string };
  if (e.code === 'ERR_MODULE_NOT_FOUND' && /'(benny|reusify)'/.test(e.message ?? '')) {
    process.stderr.write(
      `isopool-bench: ${e.message}\nThe benchmarks need the dev dependencies: run them from a clone of isopool after \`npm ci\`.\n`,
    );
    process.exit(2);
  }
  throw err;
}
process.exitCode = await main(process.argv.slice(2));
