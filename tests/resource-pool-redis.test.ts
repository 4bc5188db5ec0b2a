/**
 * ResourcePool against a real server: Debian's `redis-server` (tests/helpers/redis-server.ts starts
 * it on a free 127.0.0.1 port and stops it), reached through the `redis` npm client (node-redis, a
 * dev dependency). Why the real client rather than a minimal RESP client of our own: it is what a
 * user would pool, with its own async connect, close and error events, so the tests meet a real
 * client's lifecycle instead of one shaped to suit the pool. Its automatic reconnection and offline
 * queue are turned off (`reconnectStrategy: false`, `disableOfflineQueue: true`): a dead connection
 * must stay dead for the pool to find it.
 *
 * What it proves: connections are made lazily and `min` are kept warm; `PING` as `validate`; a server
 * restart in the middle of a run (every idle connection dead) lends nothing dead, hangs no acquire,
 * and the pool recovers; `idleTimeout` and `maxLifetime` close real connections; `drain` closes every
 * socket (the server's client list has none of the pool's connections left).
 *
 * The server's client count is read with `CLIENT LIST` (the pool's connections carry the name
 * CLIENT_NAME); Redis publishes no event when it frees a client, so `poolClientsOnServer` polls it,
 * bounded. Everything else waits on events: the server's ready line and exit, the pool's calls.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from 'redis';
import { ErrorCode, PoolError, ResourcePool } from '../src/index.js';
import { Calls, settle } from './helpers/calls.js';
import { RedisServer, redisServerOrSkip } from './helpers/redis-server.js';


/** The name every pooled connection gives itself (CLIENT SETNAME), to count them on the server. */
const CLIENT_NAME = 'isopool-test';
/** Bound on waits for the server to drop closed connections from its list. */
const SERVER_MS = 5_000;

const test = suite('ResourcePool with a real Redis server');
const executable = redisServerOrSkip(test, 'resource-pool-redis.test');
let server: RedisServer;

function newClient(name: string) {
  return createClient({
    socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false, connectTimeout: 2_000 },
    name,
    disableOfflineQueue: true,
  });
}
type Client = ReturnType<typeof newClient>;

function connect(name: string): Promise<Client> {
  const client = newClient(name);
  client.on('error', () => undefined); // a dead connection reports here; the pool finds it through PING
  return client.connect();
}

/** A pool's create / destroy / validate over node-redis (`hooks`), with each call recorded. */
function redisSource() {
  const made = new Calls<Client>();
  const destroyed = new Calls<Client>();
  return {
    made,
    destroyed,
    hooks: {
      create: async () => {
        const client = await connect(CLIENT_NAME);
        made.record(client);
        return client;
      },
      destroy: async (client: Client) => {
        destroyed.record(client);
        if (client.isOpen) await client.close();
      },
      validate: async (client: Client) => {
        try {
          return (await client.ping()) === 'PONG';
        } catch {
          return false;
        }
      },
    },
  };
}

/** The pool's connections in the server's client list, polled until it shows `expected` or SERVER_MS passes. */
async function poolClientsOnServer(expected: number): Promise<number> {
  const deadline = performance.now() + SERVER_MS;
  for (;;) {
    const admin = await connect('admin');
    const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
    await admin.close();
    const count = list.split('\n').filter((line) => line.includes(` name=${CLIENT_NAME} `)).length;
    if (count === expected || performance.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function clientId(client: Client): Promise<number> {
  return Number(await client.sendCommand(['CLIENT', 'ID']));
}

if (executable !== undefined) {
  test.before(async () => {
    server = await RedisServer.start(executable);
  });

  test.after(async () => {
    await server.stop();
  });

  test('connections are made lazily, one per concurrent holder; min are made in the background and kept', async () => {
    const lazy = redisSource();
    const pool = new ResourcePool({ ...lazy.hooks, max: 5 });
    await settle();
    assert.is(await poolClientsOnServer(0), 0, 'nothing connects before the first acquire');
    for (let i = 0; i < 10; i++) await pool.use((c) => c.incr('lazy'));
    assert.is(lazy.made.count, 1, 'sequential use shares one connection');
    await Promise.all([1, 2, 3].map(() => pool.use((c) => c.ping())));
    assert.ok(lazy.made.count <= 3);
    assert.is(await poolClientsOnServer(lazy.made.count), lazy.made.count);
    await pool.drain();

    const warm = redisSource();
    const kept = new ResourcePool({ ...warm.hooks, min: 2, max: 4 });
    await warm.made.until(2);
    assert.is(await poolClientsOnServer(2), 2, 'min connections, without any acquire');
    const held = await kept.acquire();
    kept.destroy(held); // a broken connection goes; min is made again
    await warm.made.until(3);
    await settle();
    assert.is(kept.stats.idle, 2);
    assert.is(await poolClientsOnServer(2), 2);
    await kept.drain();
    assert.is(await poolClientsOnServer(0), 0);
  });

  test('PING as validate: connections that died idle (server restarted) are destroyed, never lent', async () => {
    const src = redisSource();
    const pool = new ResourcePool({ ...src.hooks, max: 3 });
    const first = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const c of first) pool.release(c);
    await server.pause();
    await server.resume();
    const c = await pool.acquire();
    assert.ok(!first.includes(c), 'a new connection');
    assert.is(await c.ping(), 'PONG');
    assert.is(pool.stats.validationFailures, 3, 'each dead idle connection failed PING');
    assert.equal(new Set(src.destroyed.args), new Set(first));
    pool.release(c);
    await pool.drain();
    assert.is(await poolClientsOnServer(0), 0);
  });

  test('a restart in the middle of a run: nothing dead is lent, no acquire hangs, the pool recovers', async () => {
    const src = redisSource();
    /** Server generation: 0 until the old server has exited, 1 after. */
    let generation = 0;
    /** The generation in which each connection was last vetted (created, or a PING began). */
    const vettedIn = new Map<Client, number>();
    const pool = new ResourcePool<Client>({
      create: async () => {
        const g = generation;
        const c = await src.hooks.create();
        vettedIn.set(c, g);
        return c;
      },
      destroy: src.hooks.destroy,
      validate: (c) => (vettedIn.set(c, generation), src.hooks.validate(c)),
      min: 4,
      max: 4,
      acquireTimeout: 5_000,
      createTimeout: 2_000,
    });
    await src.made.until(4); // every connection idle and warm before the run
    const ok = new Calls<number>();
    const createFailed = new Calls<PoolError>();
    const lostWhileHeld: Client[] = [];
    const unexpected: unknown[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        let c: Client;
        try {
          c = await pool.acquire();
        } catch (error) {
          if (error instanceof PoolError && error.code === ErrorCode.CREATE_FAILED) createFailed.record(error);
          else unexpected.push(error);
          await settle(); // the server is down: yield instead of spinning
          continue;
        }
        try {
          await c.incr('counter');
        } catch {
          lostWhileHeld.push(c); // it died while held (or was vetted just before the server died)
          pool.destroy(c);
          continue;
        }
        ok.record(generation);
        pool.release(c);
      }
    };
    const workers = [worker(), worker()];
    await ok.until(50);
    await server.pause(); // SIGTERM: Redis closes every connection and exits
    generation = 1;
    await createFailed.until(1); // acquires fail fast while it is down
    await server.resume();
    const before = ok.count;
    await ok.until(before + 50);
    running = false;
    await Promise.all(workers);

    assert.equal(unexpected, [], 'every failed acquire was ERR_CREATE_FAILED: none timed out');
    assert.is(pool.stats.timeouts, 0);
    const vettedAfterExit = lostWhileHeld.filter((c) => vettedIn.get(c) === 1);
    assert.is(vettedAfterExit.length, 0, 'a connection vetted after the old server exited was dead when lent');
    assert.ok(lostWhileHeld.length <= 4, `at most max connections die under their holders (${lostWhileHeld.length})`);
    assert.ok(pool.stats.validationFailures >= 2, 'the idle connections killed by the restart failed PING');
    await src.made.until(pool.stats.destroyed + 4); // back to min: the first success ended the warm-up backoff
    await settle();
    const s = pool.stats;
    assert.equal([s.idle, s.lent, s.pending, s.creating, s.validating, s.destroying], [4, 0, 0, 0, 0, 0]);
    assert.is(s.created - s.destroyed, 4);
    await pool.drain();
    assert.is(await poolClientsOnServer(0), 0);
  });

  test('idleTimeout closes idle connections above min; maxLifetime replaces a connection', async () => {
    const src = redisSource();
    const IDLE_MS = 200;
    const pool = new ResourcePool({ ...src.hooks, min: 1, max: 3, idleTimeout: IDLE_MS });
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    const releasedAt = performance.now();
    for (const c of held) pool.release(c);
    assert.is(await poolClientsOnServer(3), 3);
    await src.destroyed.until(2, IDLE_MS * 1.5 + SERVER_MS);
    assert.ok(performance.now() - releasedAt >= IDLE_MS);
    assert.is(await poolClientsOnServer(1), 1, 'min stays open');
    await pool.drain();

    const aged = redisSource();
    const LIFE_MS = 300;
    const rotating = new ResourcePool({ ...aged.hooks, min: 1, maxLifetime: LIFE_MS, idleTimeout: Infinity });
    const [firstConn] = await aged.made.until(1);
    const bornAt = performance.now();
    const firstId = await rotating.use(clientId);
    await aged.destroyed.until(1, LIFE_MS + SERVER_MS);
    assert.ok(performance.now() - bornAt >= LIFE_MS - 1);
    assert.is(aged.destroyed.args[0], firstConn);
    await aged.made.until(2); // min made again
    const secondId = await rotating.use(clientId);
    assert.is.not(secondId, firstId, 'a new server-side connection');
    assert.is(await poolClientsOnServer(1), 1);
    await rotating.drain();
  });

  test('drain waits for the lent connection, then closes every socket', async () => {
    const src = redisSource();
    const pool = new ResourcePool({ ...src.hooks, min: 2, max: 4 });
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    pool.release(held[0]!);
    pool.release(held[1]!);
    let drained = false;
    const done = pool.drain().then(() => (drained = true));
    assert.is(await held[2]!.ping(), 'PONG', 'a lent connection stays usable while draining');
    await settle();
    assert.is(drained, false);
    pool.release(held[2]!);
    await done;
    assert.ok(src.made.args.every((c) => !c.isOpen), 'every client is closed');
    assert.is(await poolClientsOnServer(0), 0, 'the server holds none of the pool\'s connections');
  });
}

test.run();
