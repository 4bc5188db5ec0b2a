/**
 * A real Redis server for tests: Debian's `redis-server`, started on a free loopback port
 * (127.0.0.1 only, no persistence: `--save '' --appendonly no`) and stopped by the test, with bounded
 * waits for both. Readiness is the server's own "Ready to accept connections" line, and a stop is
 * the process's `exit` event: no polling, no sleeps.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long a start or a stop may take before the test fails: a loaded 2-core VM starts Redis in well under 1 s. */
const START_MS = 10_000;
const STOP_MS = 10_000;
/** Fresh ports tried when another process takes the one picked between probing and binding it. */
const PORT_ATTEMPTS = 5;

/** The `redis-server` executable on PATH, or undefined. */
export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/**
 * For a Redis test file: the executable, or undefined after printing a visible "skipped: no
 * redis-server" line (the file then registers no test). Under .ci/run (ISOPOOL_CI=1) a missing
 * server registers one failing test instead: CI installs it first (.ci/setup-redis).
 */
export function redisServerOrSkip(test: (name: string, fn: () => void) => void, file: string): string | undefined {
  const found = findRedisServer();
  if (found !== undefined) return found;
  if (process.env['ISOPOOL_CI'] === '1') {
    test('CI has a redis-server to run the Redis tests against', () => {
      throw new Error('no redis-server on PATH although .ci/setup-redis ran');
    });
  } else {
    console.log(`${file}: skipped: no redis-server on PATH (.ci/setup-redis installs it)`);
  }
  return undefined;
}

/** A port the kernel had free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class RedisServer {
  private _child: ChildProcess | undefined = undefined;
  private readonly _dir = mkdtempSync(join(tmpdir(), 'isopool-redis-'));

  private constructor(
    private readonly _executable: string,
    /** The loopback port it listens on (kept across restarts). */
    readonly port: number,
  ) {}

  /** Starts a server on a free loopback port. */
  static async start(executable: string): Promise<RedisServer> {
    let lastError: unknown;
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      const server = new RedisServer(executable, await freePort());
      try {
        await server.resume();
        return server;
      } catch (error) {
        lastError = error;
        server._removeDir();
      }
    }
    throw lastError;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this._child !== undefined;
  }

  /** (Re)starts the process on `port`; resolves once it accepts connections. */
  resume(): Promise<void> {
    if (this._child !== undefined) return Promise.reject(new Error('redis-server is already running'));
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this._dir, '--loglevel', 'notice'];
    const child = spawn(this._executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this._child = child;
    return new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${START_MS} ms: ${output.slice(-500)}`)), START_MS);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) done();
      };
      const onExit = (code: number | null): void => {
        this._child = undefined;
        fail(new Error(`redis-server exited (${code}) before it was ready: ${output.slice(-500)}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
      };
      const done = (): void => {
        cleanup();
        child.stdout!.resume(); // keep draining its log, so a full pipe never blocks it
        child.stderr!.resume();
        resolve();
      };
      const fail = (error: Error): void => {
        cleanup();
        if (this._child === child) child.kill('SIGKILL');
        reject(error);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
    });
  }

  /**
   * Stops the process (SIGTERM: Redis closes every client connection and exits; SIGKILL: the
   * kernel closes them) and resolves on its `exit` event.
   */
  pause(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this._child;
    if (child === undefined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`redis-server did not exit within ${STOP_MS} ms of ${signal}`));
      }, STOP_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        this._child = undefined;
        resolve();
      });
      child.kill(signal);
    });
  }

  /** Stops the process and removes its directory. */
  async stop(): Promise<void> {
    await this.pause();
    this._removeDir();
  }

  private _removeDir(): void {
    rmSync(this._dir, { recursive: true, force: true });
  }
}
