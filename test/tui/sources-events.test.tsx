import t from 'tap';
import { KEY, poll, renderTui } from '../helpers/tui-render.js';
import { startWorld } from '../helpers/tui-world.js';

t.test('sources screen pauses and resumes a source and opens its events; events screen shows detail and replays', async (t) => {
  const world = await startWorld(t, 200);
  const { server, receiver } = world;
  const source = await world.api('POST', '/sources', { name: 'github-pushes', destination: { url: `${receiver.url}/forward` } });
  await world.api('POST', '/sources', { name: 'stripe-prod' });
  const ingestPath = new URL(source.ingest_url).pathname;
  const ingested = await server.request('POST', `${ingestPath}?delivery=42`, { body: { hello: 'world', nested: { n: 1 } }, key: null });
  t.equal(ingested.status, 200, 'the event was ingested');
  const eventId: string = ingested.body.event_id;
  await receiver.waitForRequests(1);

  const tui = renderTui(server.url, server.adminKey, 'Sources');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/github-pushes\s+none\s+active\s+\d+s ago\s+1\s+1\s+src_/);
  let frame = await tui.waitForFrame(/stripe-prod\s+none\s+active\s+—\s+0\s+0\s+src_/);
  await tui.press(KEY.down);
  await tui.waitForFrame(/› github-pushes/);

  await tui.press('p');
  frame = await tui.waitForFrame(/› github-pushes\s+none\s+paused/);
  t.match(frame, 'Paused github-pushes');
  t.equal((await server.request('GET', `/api/v1/sources/${source.id}`)).body.data.paused, true, 'the server has it paused');
  await tui.press('p');
  await tui.waitForFrame(/› github-pushes\s+none\s+active/);
  t.equal((await server.request('GET', `/api/v1/sources/${source.id}`)).body.data.paused, false, 'and resumed');

  await tui.press(KEY.enter);
  frame = await tui.waitForFrame(/Events — github-pushes, any status \(1\)/);
  t.match(frame, /› \d{4}-\d\d-\d\d \S+\s+github-pushes\s+POST\s+delivered\s+no\s+evt_/);

  await tui.press(KEY.enter);
  frame = await tui.waitForFrame(`attempts (1)`);
  t.match(frame, `Event ${eventId}`);
  t.match(frame, /POST \S*\?delivery=42/);
  t.match(frame, 'status delivered · not verified');
  t.match(frame, /#1 scheduled succeeded 200/);
  t.match(frame, 'content-type: application/json');
  await tui.press(KEY.pageDown);
  frame = await tui.waitForFrame(/^\s{4}"n": 1$/m);
  t.match(frame, /^\s{2}"hello": "world",$/m, 'the JSON body is pretty-printed');

  await tui.press('g');
  await tui.waitForFrame('attempts (1)');
  await tui.press('R');
  await tui.waitForFrame(`Replay event ${eventId}`);
  await tui.press('y');
  frame = await tui.waitForFrame(/#\d replay\s+succeeded 200/);
  t.match(frame, `Replay of ${eventId} accepted`);
  t.match(frame, 'attempts (2)');
  t.equal(receiver.requests.length, 2, 'the destination received the replay');
  const detail = await poll(
    () => server.request('GET', `/api/v1/events/${eventId}`).then((r) => (r.body.data.attempts.length === 2 ? r.body.data : null)),
    () => 'two attempts',
  );
  t.ok(
    detail.attempts.some((a: { trigger: string }) => a.trigger === 'replay'),
    'the server recorded a replay attempt',
  );

  await tui.press(KEY.escape);
  await tui.waitForFrame('Events — github-pushes');
  await tui.press('s');
  await tui.waitForFrame('Events — all sources, any status (1)');
  await tui.press('f');
  await tui.waitForFrame('Events — all sources, pending (0)');
});

t.test('events screen scrolls a long body', async (t) => {
  const world = await startWorld(t, 200);
  const source = await world.api('POST', '/sources', { name: 'bulk' });
  const body = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field_${String(i).padStart(2, '0')}`, i]));
  await world.server.request('POST', new URL(source.ingest_url).pathname, { body, key: null });
  const tui = renderTui(world.server.url, world.server.adminKey, 'Events');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› \S+ \S+\s+bulk\s+POST\s+\S+\s+no/);
  await tui.press(KEY.enter);
  let frame = await tui.waitForFrame(/lines 1–\d+ of \d+/);
  t.notMatch(frame, '"field_59"', 'the end of the body is below the fold');
  for (let i = 0; i < 4; i++) await tui.press(KEY.pageDown);
  frame = await tui.waitForFrame('"field_59": 59');
  t.notMatch(frame, 'lines 1–', 'scrolled down');
});

t.test('source detail shows destinations, their filters and per-destination delivery state; event detail lists forwards', async (t) => {
  const world = await startWorld(t, 200);
  const { server, receiver } = world;
  const source = await world.api('POST', '/sources', {
    name: 'orders',
    destinations: [
      { url: `${receiver.url}/all` },
      { url: `${receiver.url}/big`, filter: { amount: { $gte: 100 } }, path_forwarding: true, rate_limit: 7 },
    ],
  });
  const ingestPath = new URL(source.ingest_url).pathname;
  const small = await server.request('POST', ingestPath, { body: { amount: 5 }, key: null });
  const big = await server.request('POST', `${ingestPath}/eu?x=1`, { body: { amount: 250 }, key: null });
  await receiver.waitForRequests(3);
  await poll(
    () => server.request('GET', `/api/v1/events/${big.body.event_id}`).then((r) => r.body.data.status === 'delivered'),
    () => 'big event delivered',
  );
  t.ok(
    receiver.requests.some((request) => request.path === '/big/eu?x=1'),
    'path forwarded to destination 1',
  );

  const tui = renderTui(server.url, server.adminKey, 'Sources');
  t.teardown(() => tui.unmount());
  await tui.waitForFrame(/› orders\s+none\s+active\s+\d+s ago\s+2\s+2\s+src_/);
  await tui.press('d');
  let frame = await tui.waitForFrame(/recent: 1 delivered, 0 failed, 0 pending/);
  t.match(frame, 'Source orders');
  t.match(frame, 'destinations (2)');
  t.match(frame, `→0 ${receiver.url}/all`);
  t.match(frame, 'filter every event');
  t.match(frame, `→1 ${receiver.url}/big`);
  t.match(frame, 'filter {"amount":{"$gte":100}}');
  t.match(frame, 'path forwarding · ≤ 7/s');
  t.match(frame, /recent: 2 delivered, 0 failed, 0 pending/, 'destination 0 got both events');
  t.match(frame, `newest ${big.body.event_id} delivered`);
  t.match(frame, /newest: delivered \(1 attempt\)/);

  await tui.press(KEY.escape);
  await tui.waitForFrame(/› orders/);
  await tui.press(KEY.enter);
  await tui.waitForFrame(/Events — orders, any status \(2\)/);
  await tui.press(KEY.enter);
  frame = await tui.waitForFrame('forwards (2)');
  t.match(frame, new RegExp(`→0 delivered\\s+1 attempt\\s+${receiver.url}/all`));
  t.match(frame, new RegExp(`→1 delivered\\s+1 attempt\\s+${receiver.url}/big`));
  t.match(frame, /→[01] #1 scheduled succeeded 200/);
  await tui.press(KEY.escape);
  await tui.press(KEY.down);
  await tui.press(KEY.enter);
  frame = await tui.waitForFrame('forwards (1)');
  t.match(frame, `Event ${small.body.event_id}`);
});
