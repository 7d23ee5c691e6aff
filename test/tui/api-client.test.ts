import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, createApiClient } from '../../tui/api-client.js';
import { describeError } from '../../tui/describe-error.js';
import { startTestServer } from '../helpers/server.js';

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

t.test('api client returns data and pages, and passes server error codes through as ApiError', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const admin = createApiClient({ baseUrl: `${server.url}/`, apiKey: server.adminKey });
  t.match(await admin.health(), { status: 'up' });

  const created = await admin.createKey('reader', ['key:read']);
  t.match(created, { name: 'reader', scopes: ['key:read'], key: /^rlk_/ });
  const first = await admin.listKeys({ limit: 1 });
  t.equal(first.items.length, 1);
  t.type(first.nextCursor, 'string', 'a cursor for the next page');
  const second = await admin.listKeys({ limit: 1, cursor: first.nextCursor });
  t.not(second.items[0].id, first.items[0].id);

  const reader = createApiClient({ baseUrl: server.url, apiKey: created.key });
  const forbidden = await rejection(reader.createKey('x', ['*']));
  t.match(forbidden, { status: 403, code: 'missing_scope', requiredScope: 'key:write' });
  t.equal(describeError(forbidden), 'Forbidden: this API key lacks the "key:write" scope.');

  const missing = await rejection(admin.revokeKey('key_doesnotexist'));
  t.match(missing, { status: 404, code: 'key_not_found', requiredScope: null });
  t.equal(describeError(missing), `${missing.message} (404 key_not_found)`);

  await admin.revokeKey(created.id);
  const revoked = await rejection(reader.listKeys());
  t.match(revoked, { status: 401, code: 'unauthorized' });
  t.match(describeError(revoked), 'The API key was rejected');
});

t.test('api client reports an unreachable server and a non-Dispatch answer', async (t) => {
  const plain = createServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>bad gateway</h1>'));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const port = (plain.address() as AddressInfo).port;
  const proxy = await rejection(createApiClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'rlk_x' }).listAnomalies());
  t.match(proxy, { status: 502, code: 'http_502' });
  await new Promise<void>((resolve) => plain.close(() => resolve()));

  const down = await rejection(createApiClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'rlk_x' }).listAnomalies());
  t.match(down, { status: 0, code: 'unreachable', message: /ECONNREFUSED/ });
  t.match(describeError(down), /^Cannot reach the server: /);
});
