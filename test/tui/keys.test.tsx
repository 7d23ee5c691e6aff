import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { KEY, renderTui } from '../helpers/tui-render.js';

t.test('keys screen creates a two-scope key that is refused a third scope, then revokes it', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const tui = renderTui(server.url, server.adminKey, 'Keys');
  t.teardown(() => tui.unmount());

  await tui.waitForFrame('admin');
  t.match(tui.lastFrame(), /› admin\s+rlk_\S+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \*/, 'lists the bootstrap key with its scopes');

  await tui.press('n');
  await tui.waitForFrame('Name:');
  await tui.press('reporting');
  await tui.press(KEY.enter);
  await tui.waitForFrame('Scopes (0 chosen)');
  // ALL_SCOPES order: *, app:r/w, recipient, event_type, endpoint, message, source, event, anomaly (15, 16), key (17, 18)
  for (let i = 0; i < 15; i++) await tui.press(KEY.down);
  await tui.press(' ');
  await tui.waitForFrame('[x] anomaly:read');
  await tui.press(KEY.down);
  await tui.press(KEY.down);
  await tui.press(' ');
  await tui.waitForFrame('[x] key:read');
  await tui.press(KEY.enter);

  const shown = await tui.waitForFrame(/rlk_[A-Za-z0-9]{20,}/);
  const plaintext = /rlk_[A-Za-z0-9]{20,}/.exec(shown)![0];
  t.match(shown, 'never show it again');
  t.match(shown, 'anomaly:read key:read');

  const read = await server.request('GET', '/api/v1/keys', { key: plaintext });
  t.equal(read.status, 200, 'the new key has key:read');
  const write = await server.request('POST', '/api/v1/keys', { key: plaintext, body: { name: 'x', scopes: ['*'] } });
  t.equal(write.status, 403, 'a third scope is refused');
  t.equal(write.body.required_scope, 'key:write');
  const stored = await server.db('api_keys').where({ name: 'reporting' }).first();
  t.same(JSON.parse(stored.scopes), ['anomaly:read', 'key:read']);

  await tui.press(KEY.enter);
  await tui.waitForFrame(/reporting\s+rlk_/);
  await tui.press(KEY.up); // the selection stayed on "admin"; the new key sits above it
  await tui.waitForFrame(/› reporting/);
  await tui.press('d');
  await tui.waitForFrame('Revoke key "reporting"');
  await tui.press('y');
  await tui.waitForFrame('Revoked');
  await tui.waitForFrameWithout(/reporting\s+rlk_/);
  const after = await server.request('GET', '/api/v1/keys', { key: plaintext });
  t.equal(after.status, 401, 'the revoked key is rejected');
});

t.test('keys screen names the missing scope when a read-only key tries to create a key', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const created = await server.request('POST', '/api/v1/keys', { body: { name: 'viewer', scopes: ['key:read'] } });
  const tui = renderTui(server.url, created.body.data.key, 'Keys');
  t.teardown(() => tui.unmount());

  await tui.waitForFrame('viewer');
  await tui.press('n');
  await tui.waitForFrame('Name:');
  await tui.press('sneaky');
  await tui.press(KEY.enter);
  await tui.waitForFrame('Scopes (0 chosen)');
  await tui.press(KEY.enter);
  await tui.waitForFrame('Pick at least one scope');
  await tui.press(' ');
  await tui.press(KEY.enter);
  const frame = await tui.waitForFrame('lacks the "key:write" scope');
  t.match(frame, 'Forbidden');
  t.equal((await server.db('api_keys').where({ name: 'sneaky' })).length, 0, 'nothing was created');
});

t.test('keys screen tells a key without key:read which scope it needs', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const created = await server.request('POST', '/api/v1/keys', { body: { name: 'anomalies only', scopes: ['anomaly:read'] } });
  const tui = renderTui(server.url, created.body.data.key, 'Keys');
  t.teardown(() => tui.unmount());
  const frame = await tui.waitForFrame('lacks the "key:read" scope');
  t.match(frame, /✖ Forbidden/, 'shown on the red error line');
});

t.test('keys screen loads the next page when the selection scrolls past the first one', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  for (let i = 0; i < 60; i++)
    await server.request('POST', '/api/v1/keys', { body: { name: `bulk ${String(i).padStart(2, '0')}`, scopes: ['app:read'] } });
  const tui = renderTui(server.url, server.adminKey, 'Keys');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame('API keys (50+)', 10_000);
  await tui.press('G');
  await tui.waitForFrame('API keys (61)');
  await tui.press('G');
  const frame = await tui.waitForFrame(/› admin/);
  t.match(frame, /bulk 00\s+rlk_/, 'the oldest rows came from the second page');
});
