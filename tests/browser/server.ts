/**
 * Test-only static server for the browser tests: the compiled library and the page scripts, on
 * 127.0.0.1 and a port the OS picks, under two prefixes.
 *
 *   /iso/...    with `Cross-Origin-Opener-Policy: same-origin` and
 *               `Cross-Origin-Embedder-Policy: require-corp`: the page is cross-origin isolated,
 *               so SharedArrayBuffer and Atomics.wait in workers are available.
 *   /plain/...  without them: a page as most sites serve it, where SharedArrayBuffer is missing.
 *
 * Every response carries `Cross-Origin-Resource-Policy: same-origin`, so a require-corp page may load
 * it. Under either prefix, `/` is an empty HTML page, `/src/**` is build/src and `/tests/browser/page/**`
 * is build/tests/browser/page: the compiled modules keep their relative `.js` imports, so the page
 * code imports the library exactly as Node does. Nothing else in build/ (or outside it) is served.
 *
 * The two variants share one origin on purpose: cross-origin isolation is decided per document by
 * its response headers, so a path prefix is enough, and one server keeps the test simple.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { normalize, resolve, sep } from 'node:path';

/** build/ — this file compiles to build/tests/browser/server.js. */
const BUILD_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** URL path prefixes (after the variant) that may be served, and the build/ folder each maps to. */
const SERVED_DIRS = ['src/', 'tests/browser/page/'] as const;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

export const VARIANTS = ['iso', 'plain'] as const;
export type Variant = (typeof VARIANTS)[number];

const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>isopool browser test</title><body></body>\n';

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The page URL of a variant, e.g. `http://127.0.0.1:41234/iso/`. */
  pageUrl(variant: Variant): string;
  /** Requests answered, by status code (for tests of the server itself). */
  readonly counts: Map<number, number>;
  close(): Promise<void>;
}

function headersFor(variant: Variant, type: string): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  if (variant === 'iso') {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  return headers;
}

/** Maps a request path to a file under build/, or undefined when it is not one we serve. */
export function resolveFile(rest: string): string | undefined {
  if (!SERVED_DIRS.some((dir) => rest.startsWith(dir))) return undefined;
  if (!(rest.endsWith('.js') || rest.endsWith('.js.map'))) return undefined;
  const file = resolve(BUILD_DIR, normalize(rest));
  // normalize() folds `..`; anything that still escapes its served folder is refused.
  if (!SERVED_DIRS.some((dir) => file.startsWith(resolve(BUILD_DIR, dir) + sep))) return undefined;
  return file;
}

async function handle(req: IncomingMessage, res: ServerResponse, counts: Map<number, number>): Promise<void> {
  const send = (status: number, variant: Variant, type: string, body: string | Buffer): void => {
    counts.set(status, (counts.get(status) ?? 0) + 1);
    res.writeHead(status, headersFor(variant, type));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  // Chromium asks every origin for a favicon; answering it keeps the page's console free of 404s.
  if (url.pathname === '/favicon.ico') return send(204, 'plain', TYPES['.html']!, '');
  const match = /^\/(iso|plain)\/(.*)$/.exec(decodeURIComponent(url.pathname));
  const variant = (match?.[1] ?? 'plain') as Variant;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, variant, TYPES['.html']!, 'method not allowed\n');
  if (match === null) return send(404, variant, TYPES['.html']!, 'not found\n');
  const rest = match[2]!;
  if (rest === '' || rest === 'index.html') return send(200, variant, TYPES['.html']!, PAGE_HTML);
  const file = resolveFile(rest);
  if (file === undefined) return send(404, variant, TYPES['.html']!, 'not found\n');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return send(404, variant, TYPES['.html']!, 'not found\n');
  }
  send(200, variant, TYPES[file.endsWith('.map') ? '.map' : '.js']!, body);
}

/** Starts the server on 127.0.0.1 and a random free port. */
export async function startServer(): Promise<TestServer> {
  const counts = new Map<number, number>();
  const server = createServer((req, res) => {
    handle(req, res, counts).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    counts,
    pageUrl: (variant) => `${origin}/${variant}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
