import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { KEY, renderTui } from '../helpers/tui-render.js';

t.test('apps screen drills to a recipient’s endpoints; e disables and enables one', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const app = (await server.request('POST', '/api/v1/apps', { body: { name: 'Billing', uid: 'billing' } })).body.data;
  const recipient = (await server.request('POST', `/api/v1/apps/${app.id}/recipients`, { body: { name: 'Acme Corp', uid: 'acme' } })).body
    .data;
  const endpointPath = `/api/v1/apps/${app.id}/recipients/${recipient.id}/endpoints`;
  const endpoint = (await server.request('POST', endpointPath, { body: { url: 'https://hooks.acme.example/dispatch' } })).body.data;
  t.ok(endpoint?.id, 'fixture endpoint created');

  const tui = renderTui(server.url, server.adminKey, 'Apps');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› Billing\s+billing/);
  await tui.press(KEY.enter);
  await tui.waitForFrame(/› Acme Corp\s+acme/);
  t.match(tui.lastFrame(), 'Apps › Billing › recipients');
  await tui.press(KEY.enter);
  let frame = await tui.waitForFrame(/› hooks\.acme\.example\s+enabled\s+—\s+never/);
  t.match(frame, 'Apps › Billing › Acme Corp › endpoints');
  t.match(frame, /URL\s+STATE\s+SUCCESS\s+LAST ATTEMPT/, 'host only on a 100-column terminal');
  t.match(frame, /e enable\/disable\s+s rotate secret\s+r recover since…\s+x discard held/);

  await tui.press('e');
  frame = await tui.waitForFrame(/example\s+disabled/);
  t.match(frame, 'Disabled https://hooks.acme.example/dispatch');
  const disabled = await server.request('GET', `${endpointPath}/${endpoint.id}`);
  t.equal(disabled.body.data.disabled, true, 'the server has the endpoint disabled');

  await tui.press('e');
  await tui.waitForFrame(/example\s+enabled/);
  const enabled = await server.request('GET', `${endpointPath}/${endpoint.id}`);
  t.equal(enabled.body.data.disabled, false, 'and enabled again');

  await tui.press(KEY.escape);
  await tui.waitForFrame('Apps › Billing › recipients');
  await tui.press(KEY.escape);
  await tui.waitForFrame(/Apps \(1\)/);
});

t.test('endpoints view rotates the secret (shown once), recovers since a look-back and discards held', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const app = (await server.request('POST', '/api/v1/apps', { body: { name: 'Billing' } })).body.data;
  const recipient = (await server.request('POST', `/api/v1/apps/${app.id}/recipients`, { body: { name: 'Acme' } })).body.data;
  const endpointPath = `/api/v1/apps/${app.id}/recipients/${recipient.id}/endpoints`;
  const endpoint = (await server.request('POST', endpointPath, { body: { url: 'https://hooks.acme.example/dispatch' } })).body.data;

  const tui = renderTui(server.url, server.adminKey, 'Apps');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› Billing/);
  await tui.press(KEY.enter);
  await tui.waitForFrame(/› Acme/);
  await tui.press(KEY.enter);
  await tui.waitForFrame(/› hooks\.acme\.example\s+enabled/);

  await tui.press('s');
  await tui.waitForFrame('Rotate the signing secret of https://hooks.acme.example/dispatch?');
  await tui.press('y');
  let frame = await tui.waitForFrame(/whsec_\S+/);
  const shown = /whsec_\S+/.exec(frame)?.[0];
  const secret = (await server.request('GET', `${endpointPath}/${endpoint.id}/secret`)).body.data.secret;
  t.equal(shown, secret, 'the new secret on screen is the one the server signs with');
  t.not(secret, endpoint.secret, 'and it is a new one');
  await tui.press(KEY.enter);
  frame = await tui.waitForFrameWithout('whsec_');
  t.match(frame, /› hooks\.acme\.example/, 'gone once dismissed');

  await tui.press('r');
  await tui.waitForFrame('Re-send the messages that failed on hooks.acme.example since:');
  await tui.press(KEY.backspace);
  await tui.press(KEY.backspace);
  await tui.press(KEY.backspace);
  await tui.press('2');
  await tui.press('h');
  await tui.waitForFrame(/│ 2h +│/);
  await tui.press(KEY.enter);
  await tui.waitForFrame('Recovering 0 failed messages to https://hooks.acme.example/dispatch.');

  await tui.press('x');
  await tui.waitForFrame('Discard the held deliveries of https://hooks.acme.example/dispatch?');
  await tui.press('n');
  await tui.waitForFrameWithout('Discard the held');
  await tui.press('x');
  await tui.press('y');
  await tui.waitForFrame('Discarded 0 held deliveries of https://hooks.acme.example/dispatch.');
});

t.test('apps screen says which scope is missing when the key cannot write endpoints', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const app = (await server.request('POST', '/api/v1/apps', { body: { name: 'Shop' } })).body.data;
  const recipient = (await server.request('POST', `/api/v1/apps/${app.id}/recipients`, { body: { name: 'Tenant' } })).body.data;
  await server.request('POST', `/api/v1/apps/${app.id}/recipients/${recipient.id}/endpoints`, {
    body: { url: 'https://example.com/hook' },
  });
  const reader = (
    await server.request('POST', '/api/v1/keys', { body: { name: 'reader', scopes: ['app:read', 'recipient:read', 'endpoint:read'] } })
  ).body.data.key;

  const tui = renderTui(server.url, reader, 'Apps');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› Shop/);
  await tui.press(KEY.enter);
  await tui.waitForFrame(/› Tenant/);
  await tui.press(KEY.enter);
  const listed = await tui.waitForFrame(/example\.com\s+enabled\s+—\s+never/);
  t.ok(listed, 'listed without anomaly:read');
  await tui.press('e');
  await tui.waitForFrame('lacks the "endpoint:write" scope');
});
