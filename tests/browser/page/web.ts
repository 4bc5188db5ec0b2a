/**
 * The few browser globals the page scripts use, typed here instead of pulling the DOM lib into the
 * whole project (whose other files are typed for Node). Only code under tests/browser/page/ runs in
 * the browser; it reaches the globals through `web`.
 */

export interface Port {
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
}

export interface WebWorker {
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

export interface WebGlobals {
  Worker: new (url: URL, options: { type: 'module'; name?: string }) => WebWorker;
  MessageChannel: new () => { port1: Port; port2: Port };
  /** True on a cross-origin isolated page (and in its workers). */
  crossOriginIsolated?: boolean;
  /** A worker's own scope: `postMessage` and `message` events. */
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  navigator: { hardwareConcurrency?: number; userAgent: string };
}

export const web = globalThis as unknown as WebGlobals;

/** An error as it crosses postMessage and page.evaluate: the fields the tests assert on. */
export interface ErrorInfo {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
}

export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, code: typeof code === 'string' ? code : undefined, message: err.message };
  }
  return { name: typeof err, code: undefined, message: String(err) };
}
