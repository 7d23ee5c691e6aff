import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { Receiver } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { Json } from '../../helpers/json.js';
import { createSource, eventDetail, receivers, send, sendUnnormalised, waitStatus } from '../../helpers/destination-fixtures.js';

// Several destinations per source (CONTRACT §9.3, §9.4): each matching destination gets its own
// forward, attempts and outcome; filters route events; the event status aggregates the forwards.

t.setTimeout(180_000);

forEachDatabase(
  t,
  'destinations each receive their own signed forward and the event is delivered once both succeeded',
  async (t, server) => {
    const [first, second] = await receivers(t, server, 2);
    const source = await createSource(server, {
      destinations: [
        { url: `${first.url}/a`, headers: { 'x-team': 'one' } },
        { url: `${second.url}/b`, rate_limit: 5 },
      ],
    });
    t.same(source.data.destination, { url: `${first.url}/a`, headers: { 'x-team': 'one' }, filter: null, path_forwarding: false });
    t.equal(source.data.destinations.length, 2);
    t.same(source.data.destinations[1], { url: `${second.url}/b`, rate_limit: 5, filter: null, path_forwarding: false });

    const sent = await send(source.url, '{"kind":"push"}');
    t.equal(sent.status, 200);
    const event = await waitStatus(server, sent.body.event_id, 'delivered');
    t.equal(first.requests.length, 1);
    t.equal(second.requests.length, 1);
    t.equal(first.requests[0].path, '/a');
    t.equal(first.requests[0].headers['x-team'], 'one');
    t.equal(second.requests[0].path, '/b');
    t.equal(second.requests[0].headers['x-team'], undefined, 'custom headers belong to their destination');
    t.equal(first.requests[0].headers['webhook-id'], sent.body.event_id);
    t.equal(second.requests[0].headers['webhook-id'], sent.body.event_id);
    t.same(event.forwards, [
      { destination_index: 0, status: 'delivered', attempts: 1 },
      { destination_index: 1, status: 'delivered', attempts: 1 },
    ]);
    t.same(event.attempts.map((attempt: Json) => attempt.destination_index).sort(), [0, 1]);
    const rows = await server.db('deliveries').where({ event_id: sent.body.event_id }).orderBy('destination_index');
    t.same(
      rows.map((row: Json) => [Number(row.destination_index), row.status]),
      [
        [0, 'succeeded'],
        [1, 'succeeded'],
      ],
    );
    const stamps = await server.db('rate_limit_sends').where({ target_id: `${source.id}#1` });
    t.equal(stamps.length, 1, "destination 1's rate limit counts its own sends");
  },
);

forEachDatabase(t, 'filters route each event to the destinations that match; no match is filtered', async (t, server) => {
  const [paid, all, eu] = await receivers(t, server, 3);
  const source = await createSource(server, {
    destinations: [
      { url: paid.url, filter: { 'customer.tier': { $in: ['pro', 'enterprise'] } } },
      { url: all.url, filter: {} },
      { url: eu.url, filter: { region: 'eu', amount: { $gte: 10 } } },
    ],
  });
  t.same(source.data.destinations[0].filter, { 'customer.tier': { $in: ['pro', 'enterprise'] } });

  const pro = await send(source.url, '{"customer":{"tier":"pro"},"region":"us","amount":50}');
  const euSmall = await send(source.url, '{"customer":{"tier":"free"},"region":"eu","amount":5}');
  const euBig = await send(source.url, '{"customer":{"tier":"enterprise"},"region":"eu","amount":12}');
  const text = await send(source.url, 'not json at all', 'text/plain');
  for (const sent of [pro, euSmall, euBig, text]) await waitStatus(server, sent.body.event_id, 'delivered');
  const bodies = (receiver: Receiver) => receiver.requests.map((request) => request.body.toString());
  t.same(bodies(paid).sort(), [
    '{"customer":{"tier":"enterprise"},"region":"eu","amount":12}',
    '{"customer":{"tier":"pro"},"region":"us","amount":50}',
  ]);
  t.equal(all.requests.length, 4, 'an empty filter matches everything, non-JSON bodies included');
  t.same(bodies(eu), ['{"customer":{"tier":"enterprise"},"region":"eu","amount":12}']);
  t.same(
    (await eventDetail(server, pro.body.event_id)).forwards.map((f: Json) => f.destination_index),
    [0, 1],
  );
  t.same(
    (await eventDetail(server, text.body.event_id)).forwards.map((f: Json) => f.destination_index),
    [1],
  );

  const selective = await createSource(server, { destinations: [{ url: paid.url, filter: { type: 'invoice.paid' } }] });
  const ignored = await send(selective.url, '{"type":"invoice.created"}');
  const notJson = await send(selective.url, '<xml/>', 'application/xml');
  t.equal(ignored.status, 200);
  for (const id of [ignored.body.event_id, notJson.body.event_id]) {
    const event = await eventDetail(server, id);
    t.equal(event.status, 'filtered');
    t.same(event.forwards, []);
    t.equal((await server.db('deliveries').where({ event_id: id })).length, 0, 'a filtered event is not forwarded');
  }
  const listed = await server.request('GET', `/api/v1/events?source_id=${selective.id}&status=filtered`);
  t.equal(listed.body.data.length, 2, 'events list by status=filtered');
  const replay = await server.request('POST', `/api/v1/events/${ignored.body.event_id}/replay`, { body: {} });
  t.equal(replay.status, 400, 'nothing matches: nothing to replay');
  t.equal(replay.body.error, 'invalid_request');
});

forEachDatabase(
  t,
  'one destination failing makes the event failed while the other destination got it',
  async (t, server) => {
    const [ok, broken] = await receivers(t, server, 2);
    broken.respond(() => ({ status: 500, body: 'down' }));
    const source = await createSource(server, { destinations: [{ url: ok.url }, { url: broken.url }] });
    const sent = await send(source.url, '{"n":1}');
    const event = await waitStatus(server, sent.body.event_id, 'failed');
    t.equal(ok.requests.length, 1);
    t.equal(broken.requests.length, 3, 'the broken destination got its own retries');
    t.same(event.forwards, [
      { destination_index: 0, status: 'delivered', attempts: 1 },
      { destination_index: 1, status: 'failed', attempts: 3 },
    ]);
    t.equal(event.attempts.filter((attempt: Json) => attempt.destination_index === 1 && attempt.status === 'failed').length, 3);

    broken.respond(() => ({ status: 200, body: 'back' }));
    const replay = await server.request('POST', `/api/v1/events/${sent.body.event_id}/replay`, { body: { destination_index: 1 } });
    t.equal(replay.status, 202);
    const delivered = await waitStatus(server, sent.body.event_id, 'delivered');
    t.equal(ok.requests.length, 1, 'a replay to one destination leaves the other alone');
    t.equal(broken.requests.length, 4);
    t.same(delivered.forwards[1], { destination_index: 1, status: 'delivered', attempts: 4 });
    const replayAttempt = delivered.attempts[delivered.attempts.length - 1];
    t.match(replayAttempt, { destination_index: 1, trigger: 'replay', status: 'succeeded' });

    const all = await server.request('POST', `/api/v1/events/${sent.body.event_id}/replay`);
    t.equal(all.status, 202, 'replay without a body goes to every matching destination');
    await waitFor(() => ok.requests.length === 2 && broken.requests.length === 5, 'replayed to both', 30_000);
    await waitStatus(server, sent.body.event_id, 'delivered');

    const missing = await server.request('POST', `/api/v1/events/${sent.body.event_id}/replay`, { body: { destination_index: 2 } });
    t.equal(missing.status, 400);
    t.equal(missing.body.details[0].path, '/destination_index');
    const tooBig = await server.request('POST', `/api/v1/events/${sent.body.event_id}/replay`, { body: { destination_index: 10 } });
    t.equal(tooBig.status, 400);
    t.equal(tooBig.body.error, 'invalid_request');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '30ms,30ms' } },
);

forEachDatabase(t, 'path_forwarding appends the sub-path and query to the destination URL', async (t, server) => {
  const [receiver] = await receivers(t, server, 1);
  const source = await createSource(server, {
    destinations: [
      { url: `${receiver.url}/hooks?team=ops`, path_forwarding: true },
      { url: `${receiver.url}/plain`, filter: { copy: true } },
      { url: `${receiver.url}/base/`, path_forwarding: true, filter: { copy: true } },
    ],
  });
  const sub = await send(`${source.url}/github/push?delivery=42&x=a%20b`, '{"copy":false}');
  await waitStatus(server, sub.body.event_id, 'delivered');
  t.same(
    receiver.requests.map((request) => request.path),
    ['/hooks/github/push?team=ops&delivery=42&x=a%20b'],
  );
  const bare = await send(source.url, '{"copy":true}');
  await waitStatus(server, bare.body.event_id, 'delivered');
  const climbing = await sendUnnormalised(source.url, '{"copy":true}');
  await waitStatus(server, climbing.event_id, 'delivered');
  t.same(
    receiver.requests
      .map((request) => request.path)
      .slice(1)
      .sort(),
    ['/base/', '/base/a/admin?q=1', '/hooks/a/admin?team=ops&q=1', '/hooks?team=ops', '/plain', '/plain'],
  );
});

forEachDatabase(
  t,
  'a paused source releases held events through the filters; dedupe holds with several destinations',
  async (t, server) => {
    const [one, two] = await receivers(t, server, 2);
    const source = await createSource(server, {
      destinations: [
        { url: one.url, filter: { n: { $lt: 2 } } },
        { url: two.url, filter: { n: { $gte: 1 } } },
      ],
      dedupe: { key: 'json:id', window: '1h' },
    });
    t.equal((await server.request('POST', `/api/v1/sources/${source.id}/pause`)).status, 200);
    const ids: string[] = [];
    for (const n of [0, 1, 2, 9]) ids.push((await send(source.url, JSON.stringify({ id: `e${n}`, n: n === 9 ? 'x' : n }))).body.event_id);
    const duplicate = await send(source.url, '{"id":"e1","n":1}');
    t.equal(duplicate.body.event_id, ids[1], 'a repeat answers the original');
    t.equal((await server.db('deliveries').where({ source_id: source.id })).length, 0, 'nothing forwarded while paused');

    const resumed = await server.request('POST', `/api/v1/sources/${source.id}/resume`);
    t.equal(resumed.body.data.released, 4);
    for (const id of ids.slice(0, 3)) await waitStatus(server, id, 'delivered');
    t.equal((await eventDetail(server, ids[3])).status, 'filtered', 'no filter matched a string n');
    t.same(one.requests.map((request) => JSON.parse(request.body.toString()).n).sort(), [0, 1]);
    t.same(two.requests.map((request) => JSON.parse(request.body.toString()).n).sort(), [1, 2]);

    const live = await send(source.url, '{"id":"e7","n":1}');
    await waitStatus(server, live.body.event_id, 'delivered');
    const again = await send(source.url, '{"id":"e7","n":1}');
    t.equal(again.body.event_id, live.body.event_id);
    await waitFor(() => one.requests.length === 3 && two.requests.length === 3, 'live event to both');
    t.equal((await server.db('deliveries').where({ event_id: live.body.event_id })).length, 2, 'the duplicate queued nothing');
  },
);
