import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServer, type TestServer } from './browser/server.js';

let server: TestServer;

test.before(async () => {
  server = await startServer();
});

test.after(async () => {
  await server.close();
});

test('the server listens on 127.0.0.1 only, on a port the OS picked', () => {
  assert.match(server.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.is.not(server.origin, 'http://127.0.0.1:0');
});

test('the iso page is served with COOP, COEP and CORP; the plain page with CORP only', async () => {
  const iso = await fetch(server.pageUrl('iso'));
  assert.is(iso.status, 200);
  assert.is(iso.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.is(iso.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.is(iso.headers.get('cross-origin-resource-policy'), 'same-origin');
  assert.match(await iso.text(), /<!doctype html>/);
  const plain = await fetch(server.pageUrl('plain'));
  assert.is(plain.status, 200);
  assert.is(plain.headers.get('cross-origin-opener-policy'), null);
  assert.is(plain.headers.get('cross-origin-embedder-policy'), null);
  assert.is(plain.headers.get('cross-origin-resource-policy'), 'same-origin');
});

test('the compiled library and page scripts are served as JavaScript under both prefixes', async () => {
  for (const variant of ['iso', 'plain'] as const) {
    for (const path of ['src/index.js', 'tests/browser/page/worker.js', 'src/index.js.map']) {
      const res = await fetch(`${server.pageUrl(variant)}${path}`);
      assert.is(res.status, 200, `${variant}/${path}`);
      assert.is(res.headers.get('cross-origin-resource-policy'), 'same-origin');
      if (path.endsWith('.js')) assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
      await res.arrayBuffer();
    }
  }
});

test('nothing outside build/src and the page scripts is served', async () => {
  const refused = [
    '/iso/tests/browser/server.js', // Node-only test code
    '/iso/src/index.d.ts', // not .js
    '/iso/src/../tests/browser/server.js',
    '/iso/src/%2e%2e/%2e%2e/package.json',
    '/iso/src/..%2F..%2Fpackage.json',
    '/iso/src/..%2Ftests%2Fbrowser%2Fserver.js', // decodes to a path that exists in build/
    '/package.json',
    '/iso/src/no-such-module.js',
  ];
  for (const path of refused) {
    const res = await fetch(`${server.origin}${path}`);
    assert.is(res.status, 404, path);
    await res.arrayBuffer();
  }
  const post = await fetch(`${server.pageUrl('iso')}src/index.js`, { method: 'POST' });
  assert.is(post.status, 405);
  await post.arrayBuffer();
});

test.run();
