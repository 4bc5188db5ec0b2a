/** Node-only test helper: a real garbage collection, without starting node with --expose-gc. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Collects, then yields to the event loop until `done()` is true or `rounds` collections pass. */
export async function collectUntil(done: () => boolean, rounds = 50): Promise<boolean> {
  for (let i = 0; i < rounds && !done(); i++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done();
}
