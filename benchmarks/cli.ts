#!/usr/bin/env node
/**
 * isopool-bench (the package's bin; `npm run bench` runs it): see main.ts.
 *
 * A shim, so that a broken install gives a sentence instead of a stack: the benchmarks time isopool
 * against peers (benny times them, reusify is one of them), which are this package's dependencies;
 * if one is missing, the install is incomplete.
 */
let main: (argv: readonly string[]) => Promise<number>;
try {
  ({ main } = await import('./main.js'));
} catch (err) {
  const e = err as { code?: string; message?: string };
  const missing = /Cannot find (?:package|module) '(isopool|benny|reusify)'/.exec(e.message ?? '');
  if (e.code === 'ERR_MODULE_NOT_FOUND' && missing !== null) {
    process.stderr.write(
      `isopool-bench: ${e.message}\nisopool-bench needs its dependency ${missing[1]}: reinstall it (npm install isopool-bench), or run \`npm ci\` in a clone of isopool.\n`,
    );
    process.exit(2);
  }
  throw err;
}
process.exitCode = await main(process.argv.slice(2));
