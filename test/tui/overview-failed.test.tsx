import t from 'tap';
import type { Json } from '../helpers/json.js';
import { KEY, poll, renderTui } from '../helpers/tui-render.js';
import { startWorld } from '../helpers/tui-world.js';

t.test('overview shows live figures that move after traffic and fits 80×24', async (t) => {
  const world = await startWorld(t, 200);
  const { server, receiver, app } = world;
  const source = await world.api('POST', '/sources', { name: 'stripe' });
  const tui = renderTui(server.url, server.adminKey, 'Overview');
  t.teardown(() => tui.unmount());
  let frame = await tui.waitForFrame(/Accepted\s+0\.00\/s now\s+0\.00\/s avg/);
  t.match(frame, /success —\s+p50 —\s+p99 —/);
  t.match(frame, /Anomalies\s+none open/);
  t.match(frame, /stripe\s+0\.00\/s now/);

  for (let i = 0; i < 3; i++) await world.api('POST', `/apps/${app.id}/messages`, { event_type: 'invoice.paid', payload: { i } });
  for (let i = 0; i < 2; i++) {
    const ingest = await fetch(String(source.ingest_url).replace(server.config.publicUrl, server.url), { method: 'POST', body: '{}' });
    t.equal(ingest.status, 200);
  }
  await receiver.waitForRequests(3);
  // the window average does not depend on which 10 s bucket the traffic fell in (a slow machine)
  const settled = [/Delivered\s+\d\.\d\d\/s now\s+0\.01\/s avg/, /pending 0/, /stripe\s+\d\.\d\d\/s now\s+<0\.01\/s avg/];
  frame = await poll(
    () => (settled.every((pattern) => pattern.test(tui.lastFrame())) ? tui.lastFrame() : null),
    () => `three deliveries and two events in frame:\n${tui.lastFrame()}`,
    20_000,
  );
  t.match(frame, /Accepted\s+\d\.\d\d\/s now\s+0\.01\/s avg\s+·*█+·*$/m, 'accepted: one bar in the sparkline');
  t.match(frame, /success 100\.0%\s+p50 \d+ ms\s+p99 \d+ ms/);
  t.match(frame, /pending 0\s+held 0\s+oldest —/);
  t.match(frame, /stripe\s+\d\.\d\d\/s now\s+<0\.01\/s avg\s+·*█+·*$/m, 'events per source');

  tui.resize(80, 24);
  frame = await tui.waitForFrame(/^Delivered.{0,66}$/m);
  const lines = frame.split('\n');
  t.ok(lines.length <= 23, `fits 24 rows (${lines.length} lines)`);
  t.ok(
    lines.every((line) => line.length <= 80),
    'no line is wider than 80 columns',
  );
  t.match(frame, /r refresh now\s+0-7 tabs/, 'the footer is on screen');
});

t.test('failed view lists failed deliveries, filters by event type and bulk-replays the filter', async (t) => {
  const world = await startWorld(t, 503, { DISPATCH_RETRY_SCHEDULE: '10ms' });
  const { server, receiver, app } = world;
  await world.api('POST', `/apps/${app.id}/event-types`, { name: 'invoice.void' });
  for (const type of ['invoice.paid', 'invoice.paid', 'invoice.void'])
    await world.api('POST', `/apps/${app.id}/messages`, { event_type: type, payload: { type } });
  await poll(
    async () => (await world.api('GET', '/deliveries?status=failed')).length === 3,
    () => 'three deliveries to fail for good',
    20_000,
  );
  const before = receiver.requests.length;

  const tui = renderTui(server.url, server.adminKey, 'Failed');
  t.teardown(() => tui.unmount());
  let frame = await tui.waitForFrame(/Failed deliveries \(3\)/);
  t.match(frame, 'filter app all · last 24h');
  t.match(frame, /› \d+s\s+invoice\.void\s+127\.0\.0\.1:\d+\s+HTTP 503\s+2/, 'newest first, with the last error and tries');

  await tui.press('t');
  frame = await tui.waitForFrame(/Failed deliveries \(1\)/);
  t.match(frame, 'filter app all · type invoice.void · last 24h');
  await tui.press('R');
  await tui.waitForFrame('Replay every failed delivery of app all · type invoice.void · last 24h?');
  await tui.press('y');
  await tui.waitForFrame('Replaying 1 failed delivery.');

  await receiver.waitForRequests(before + 1);
  const latest = receiver.requests[receiver.requests.length - 1];
  t.same(JSON.parse(latest.body.toString()), { type: 'invoice.void' }, 'the replay went out');
  const replayed: Json[] = await poll(
    async () => {
      const rows: Json[] = await world.api('GET', '/deliveries?status=failed&event_type=invoice.void');
      return rows.length === 1 && rows[0].trigger === 'replay' ? rows : null;
    },
    () => 'the replay delivery to be recorded',
  );
  t.equal(replayed[0].attempts, 1);
  const paid: Json[] = await world.api('GET', '/deliveries?status=failed&event_type=invoice.paid');
  t.equal(paid.length, 2, 'deliveries outside the filter were not replayed');
  t.ok(
    paid.every((d) => d.trigger === 'scheduled'),
    'still their scheduled deliveries',
  );

  await tui.press('c');
  await tui.waitForFrame(/Failed deliveries \(3\)/);
  await tui.press(KEY.down);
  await tui.press('p');
  await tui.waitForFrame(/filter app Billing · endpoint 127\.0\.0\.1:\d+ · last 24h/);
});
