import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createSource, receivers, send, waitStatus } from '../../helpers/destination-fixtures.js';
import { newId } from '../../../db/ids.js';

// Configuring several destinations (CONTRACT §9.3, §9.4): validation, the one-destination form,
// and sources written before several destinations existed.

t.setTimeout(120_000);

forEachDatabase(t, 'a source stored the old way (one destination column) still forwards', async (t, server) => {
  const [receiver] = await receivers(t, server, 1);
  const now = Date.now();
  const id = newId('src', now);
  const token = `legacy${id.slice(4)}`;
  await server.db('sources').insert({
    id,
    workspace_id: server.workspaceId,
    name: 'legacy',
    token,
    verification: '{"type":"none"}',
    destination: JSON.stringify({ url: `${receiver.url}/legacy`, headers: { 'x-old': '1' } }),
    destinations: null,
    dedupe: null,
    allowed_methods: '["POST"]',
    forward_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    paused: false,
    consecutive_failures: 0,
    created_at: now,
    updated_at: now,
  });
  const shown = await server.request('GET', `/api/v1/sources/${id}`);
  t.same(shown.body.data.destinations, [
    { url: `${receiver.url}/legacy`, headers: { 'x-old': '1' }, filter: null, path_forwarding: false },
  ]);
  const sent = await send(`${server.url}/in/${token}`, '{"old":true}');
  await waitStatus(server, sent.body.event_id, 'delivered');
  t.equal(receiver.requests[0].path, '/legacy');
  t.equal(receiver.requests[0].headers['x-old'], '1');

  const patched = await server.request('PATCH', `/api/v1/sources/${id}`, { body: { destination: { url: `${receiver.url}/new` } } });
  t.equal(patched.status, 200);
  const row = await server.db('sources').where({ id }).first();
  t.equal(row.destination, null, 'the legacy column is emptied once destinations are written');
  t.same(JSON.parse(row.destinations), [{ url: `${receiver.url}/new` }]);
});

forEachDatabase(t, 'sources API validates destinations', async (t, server) => {
  const bad = async (body: Record<string, unknown>) => {
    const response = await server.request('POST', '/api/v1/sources', { body: { name: 'x', ...body } });
    t.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
    return response.body;
  };
  const both = await bad({ destination: { url: 'https://a.example/' }, destinations: [{ url: 'https://b.example/' }] });
  t.same(both.details, [{ path: '/destinations', message: 'must not be given together with destination' }]);
  t.equal((await bad({ destinations: [] })).error, 'invalid_request');
  t.equal(
    (await bad({ destinations: Array.from({ length: 11 }, (_, i) => ({ url: `https://h${i}.example/` })) })).error,
    'invalid_request',
  );
  const filter = await bad({
    destinations: [{ url: 'https://a.example/' }, { url: 'https://b.example/', filter: { n: { $between: [1, 2] } } }],
  });
  t.equal(filter.error, 'invalid_request');
  t.match(filter.details[0].path, /^\/destinations\/1\/filter/);
  const header = await bad({ destinations: [{ url: 'https://a.example/', headers: { 'webhook-id': 'x' } }] });
  t.equal(header.details[0].path, '/destinations/0/headers/webhook-id');
  t.equal((await bad({ destinations: [{ url: 'https://a.example/', path_forwarding: 'yes' }] })).error, 'invalid_request');

  const created = await createSource(server, { destinations: [{ url: 'https://a.example/' }, { url: 'https://b.example/' }] });
  const cleared = await server.request('PATCH', `/api/v1/sources/${created.id}`, { body: { destinations: null } });
  t.equal(cleared.status, 200);
  t.same(cleared.body.data.destinations, []);
  t.equal(cleared.body.data.destination, null);
  const one = await server.request('PATCH', `/api/v1/sources/${created.id}`, { body: { destination: { url: 'https://c.example/' } } });
  t.same(one.body.data.destinations, [{ url: 'https://c.example/', filter: null, path_forwarding: false }]);
});

forEachDatabase(
  t,
  'a destination at a literal blocked address is refused at create',
  async (t, server) => {
    const response = await server.request('POST', '/api/v1/sources', {
      body: { name: 'x', destinations: [{ url: 'https://a.example/' }, { url: 'http://10.1.2.3/' }] },
    });
    t.equal(response.status, 400);
    t.equal(response.body.error, 'destination_invalid');
  },
  { env: { DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false' } },
);
