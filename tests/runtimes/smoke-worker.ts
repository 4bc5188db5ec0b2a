/** The Web Worker of the runtime smoke suite (smoke.ts): answers one command per message. */
import { getLocalPool, SharedPool, type SharedPoolHandle } from '../../src/index.js';
import { web } from '../browser/page/web.js';

export type SmokeCommand =
  | { readonly cmd: 'local'; readonly tag: string }
  | { readonly cmd: 'shared'; readonly tag: number; readonly handle: SharedPoolHandle; readonly count: number };

export interface LocalAnswer {
  readonly samePool: boolean;
  readonly madeBy: string[];
  readonly reused: boolean;
}

export interface SharedAnswer {
  readonly ownerId: number;
  readonly indices: number[];
}

function local(tag: string): LocalAnswer {
  const pool = getLocalPool('smoke', { create: () => ({ by: tag }) });
  const a = pool.acquire();
  const b = pool.acquire();
  pool.release(a);
  const again = pool.acquire();
  pool.release(again);
  pool.release(b);
  return { samePool: getLocalPool('smoke') === pool, madeBy: [a.by, b.by], reused: again === a };
}

function shared(tag: number, handle: SharedPoolHandle, count: number): SharedAnswer {
  const pool = SharedPool.attach(handle, { cache: 0 });
  const indices: number[] = [];
  for (let i = 0; i < count; i++) {
    const block = pool.acquire();
    block.bytes.fill(tag);
    indices.push(block.index);
  }
  return { ownerId: pool.ownerId, indices };
}

web.addEventListener('message', (event) => {
  const c = event.data as SmokeCommand;
  try {
    web.postMessage({ ok: true, value: c.cmd === 'local' ? local(c.tag) : shared(c.tag, c.handle, c.count) });
  } catch (err) {
    web.postMessage({ ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
});
