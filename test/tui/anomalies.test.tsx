import t from 'tap';
import { KEY, poll, renderTui } from '../helpers/tui-render.js';
import { startWorld } from '../helpers/tui-world.js';

t.test('anomalies screen acknowledges and resolves an endpoint_failing anomaly on the server', async (t) => {
  const world = await startWorld(t, 500);
  await world.api('POST', `/apps/${world.app.id}/messages`, { event_type: 'invoice.paid', payload: { n: 1 } });
  const anomaly = await poll(
    () => world.server.request('GET', '/api/v1/anomalies').then((r) => r.body.data?.[0]),
    () => 'an endpoint_failing anomaly',
  );
  const id: string = anomaly.id;
  t.equal(anomaly.type, 'endpoint_failing');

  const tui = renderTui(world.server.url, world.server.adminKey);
  t.teardown(() => tui.unmount());
  let frame = await tui.waitForFrame(/› open\s+endpoint_failing\s+1\s+\d+s ago\s+Endpoint/);
  t.match(frame, 'Anomalies — active (1)', 'the default screen lists active anomalies');
  t.match(frame, /updated \ds ago/, 'shows when it refreshed');

  await tui.press('a');
  frame = await tui.waitForFrame(/› acknowledged\s+endpoint_failing/);
  t.match(frame, `Acknowledged ${id}`);
  t.equal(
    (await world.server.request('GET', `/api/v1/anomalies/${id}`)).body.data.status,
    'acknowledged',
    'the server has it acknowledged',
  );

  await tui.press(KEY.enter);
  frame = await tui.waitForFrame(`Anomaly ${id}`);
  t.match(frame, /subject:\s+endpoint ep_/);
  t.match(frame, 'details');
  await tui.press(KEY.escape);
  await tui.waitForFrame('Anomalies — active');

  await tui.press('r');
  await tui.waitForFrame(`Resolved ${id}`);
  t.equal((await world.server.request('GET', `/api/v1/anomalies/${id}`)).body.data.status, 'resolved', 'the server has it resolved');
  await tui.press('f');
  await tui.press('f');
  await tui.press('f');
  frame = await tui.waitForFrame(/Anomalies — resolved \(\d+\)/);
  await tui.waitForFrame(/resolved\s+endpoint_failing/);
});

t.test('anomalies screen names anomaly:write when a read-only key acknowledges', async (t) => {
  const world = await startWorld(t, 500);
  await world.api('POST', `/apps/${world.app.id}/messages`, { event_type: 'invoice.paid', payload: { n: 1 } });
  const reader = (await world.api('POST', '/keys', { name: 'watcher', scopes: ['anomaly:read'] })).key;
  const tui = renderTui(world.server.url, reader);
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› open\s+endpoint_failing/);
  await tui.press('a');
  const frame = await tui.waitForFrame('lacks the "anomaly:write" scope');
  t.match(frame, /› open\s+endpoint_failing/, 'the anomaly stays open');
});
