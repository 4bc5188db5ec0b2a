/** Node-only test helper: run a block with an environment variable set, then restore it. */

/** Runs `fn` with `process.env[name] = value`, restoring the previous value (or its absence) after. */
export function withEnv(name: string, value: string, fn: () => void): void {
  const before = process.env[name];
  process.env[name] = value;
  try {
    fn();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}
