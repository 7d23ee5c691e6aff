import t from 'tap';
import { startTestServer } from '../helpers/server.js';
import { KEY, renderTui } from '../helpers/tui-render.js';

t.test('apps screen drills from apps to recipients to endpoints and disables then enables one', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const app = (await server.request('POST', '/api/v1/apps', { body: { name: 'Billing', uid: 'billing' } })).body.data;
  const recipient = (await server.request('POST', `/api/v1/apps/${app.id}/recipients`, { body: { name: 'Acme Corp', uid: 'acme' } })).body.data;
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
  let frame = await tui.waitForFrame(/hooks\.acme\.example\/dispatch\s+all\s+enabled\s+ok/);
  t.match(frame, 'Apps › Billing › Acme Corp › endpoints');

  await tui.press('e');
  frame = await tui.waitForFrame(/dispatch\s+all\s+disabled/);
  t.match(frame, 'Disabled https://hooks.acme.example/dispatch');
  const disabled = await server.request('GET', `${endpointPath}/${endpoint.id}`);
  t.equal(disabled.body.data.disabled, true, 'the server has the endpoint disabled');

  await tui.press('e');
  await tui.waitForFrame(/dispatch\s+all\s+enabled/);
  const enabled = await server.request('GET', `${endpointPath}/${endpoint.id}`);
  t.equal(enabled.body.data.disabled, false, 'and enabled again');

  await tui.press(KEY.escape);
  await tui.waitForFrame('Apps › Billing › recipients');
  await tui.press(KEY.escape);
  await tui.waitForFrame(/Apps \(1\)/);
});

t.test('apps screen says which scope is missing when the key cannot write endpoints', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());
  const app = (await server.request('POST', '/api/v1/apps', { body: { name: 'Shop' } })).body.data;
  const recipient = (await server.request('POST', `/api/v1/apps/${app.id}/recipients`, { body: { name: 'Tenant' } })).body.data;
  await server.request('POST', `/api/v1/apps/${app.id}/recipients/${recipient.id}/endpoints`, { body: { url: 'https://example.com/hook' } });
  const reader = (await server.request('POST', '/api/v1/keys', { body: { name: 'reader', scopes: ['app:read', 'recipient:read', 'endpoint:read'] } })).body.data.key;

  const tui = renderTui(server.url, reader, 'Apps');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› Shop/);
  await tui.press(KEY.enter);
  await tui.waitForFrame(/› Tenant/);
  await tui.press(KEY.enter);
  const listed = await tui.waitForFrame(/example\.com\/hook\s+all\s+enabled\s+\?/);
  t.ok(listed, 'health is "?" when anomalies are not readable');
  await tui.press('e');
  await tui.waitForFrame('lacks the "endpoint:write" scope');
});
