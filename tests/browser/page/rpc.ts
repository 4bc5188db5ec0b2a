/**
 * Request/response over postMessage between the page and its Web Workers: the page calls a named
 * command in a worker and awaits its result (or its error, as ErrorInfo). Orchestration only: the
 * pools' own cross-isolate traffic goes through the SharedArrayBuffer, never through here.
 */
import { errorInfo, web, type ErrorInfo, type WebWorker } from './web.js';

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly arg: unknown;
}

type Reply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: ErrorInfo };

export class WorkerCallError extends Error {
  readonly info: ErrorInfo;
  constructor(cmd: string, info: ErrorInfo) {
    super(`worker command ${cmd} failed: ${info.name}${info.code ? ` [${info.code}]` : ''}: ${info.message}`);
    this.name = 'WorkerCallError';
    this.info = info;
  }
}

/** The page's end of one worker. */
export class Remote {
  readonly worker: WebWorker;
  private _next = 1;
  private readonly _pending = new Map<number, { cmd: string; resolve(v: unknown): void; reject(e: unknown): void }>();

  constructor(name: string) {
    this.worker = new web.Worker(new URL('./worker.js', import.meta.url), { type: 'module', name });
    this.worker.addEventListener('message', (event) => {
      const reply = event.data as Reply;
      const waiter = this._pending.get(reply.id);
      if (waiter === undefined) return;
      this._pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new WorkerCallError(waiter.cmd, reply.error));
    });
    this.worker.addEventListener('error', (event) => {
      const err = new Error(`worker ${name} failed: ${event.message ?? 'error event'}`);
      for (const waiter of this._pending.values()) waiter.reject(err);
      this._pending.clear();
    });
  }

  call<R>(cmd: string, arg?: unknown, transfer: unknown[] = []): Promise<R> {
    const id = this._next++;
    return new Promise<R>((resolve, reject) => {
      this._pending.set(id, { cmd, resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, cmd, arg } satisfies Request, transfer);
    });
  }

  terminate(): void {
    this.worker.terminate();
  }
}

/** Starts `n` workers, runs `fn` with them, and terminates them whatever happens. */
export async function withWorkers<R>(n: number, fn: (workers: Remote[]) => Promise<R>): Promise<R> {
  const workers = Array.from({ length: n }, (_, i) => new Remote(`isopool-${i}`));
  try {
    return await fn(workers);
  } finally {
    for (const w of workers) w.terminate();
  }
}

/** The worker's end: answers requests with `handlers[cmd](arg)`. */
export function serve(handlers: Record<string, (arg: never) => unknown>): void {
  web.addEventListener('message', (event) => {
    const { id, cmd, arg } = event.data as Request;
    const handler = handlers[cmd];
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`no worker command ${cmd}`);
        return handler(arg as never);
      })
      .then(
        (value) => web.postMessage({ id, ok: true, value } satisfies Reply),
        (err: unknown) => web.postMessage({ id, ok: false, error: errorInfo(err) } satisfies Reply),
      );
  });
}
