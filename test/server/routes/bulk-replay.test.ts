import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { startReceiver } from '../../helpers/receiver.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';

// POST /apps/{app}/messages/replay (CONTRACT §8.3, §8.7): one replay delivery per matching
// (message, endpoint) pair, delivered by the dispatcher to a real receiver.

/** Waits until no delivery of the app is pending (every attempt, retry and replay has finished). */
async function settled(server: TestServer, appId: string, replays: number): Promise<void> {
  await waitFor(
    async () => {
      const rows = await server
        .db('deliveries as d')
        .join('messages as m', 'm.id', 'd.message_id')
        .where('m.app_id', appId)
        .select<{ status: string; trigger: string }[]>('d.status', 'd.trigger');
      return rows.filter((row) => row.trigger === 'replay').length === replays && rows.every((row) => row.status !== 'pending');
    },
    `${replays} replays and no pending delivery`,
    60_000,
  );
}

forEachDatabase(
  t,
  'bulk replay re-sends the matching pairs and nothing else',
  async (t, server) => {
    runDispatcher(t, server);
    let failing = new Set(['/acme-a', '/beta']);
    const receiver = await startReceiver((request) => ({ status: failing.has(request.path) ? 503 : 200 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server, { eventTypes: { 'order.created': null, 'order.paid': null }, recipients: ['acme', 'beta'] });
    const acmeA = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/acme-a` });
    const acmeB = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/acme-b` });
    const betaA = await createEndpoint(server, setup, 'beta', { url: `${receiver.url}/beta` });
    const since = new Date(Date.now() - 1000).toISOString();
    const m1 = await send(server, setup, { event_type: 'order.created', payload: { tier: 'gold', n: 1 } });
    const m2 = await send(server, setup, { event_type: 'order.paid', payload: { tier: 'silver', n: 2 }, recipient: 'acme' });
    const m3 = await send(server, setup, { event_type: 'order.created', payload: { tier: 'silver', n: 3 } });
    t.same([m1.delivery_count, m2.delivery_count, m3.delivery_count], [3, 2, 3]);
    await settled(server, setup.app, 0);
    failing = new Set();
    const before = receiver.requests.length;
    const path = `/apps/${setup.app}/messages/replay`;

    // failed (the default) + recipient + filter: only m1 at acme's failing endpoint
    t.same(await api(server, 'POST', path, { since, recipient: 'acme', filter: { tier: 'gold' } }), { replayed: 1 });
    // failed + event_type: m2 at acme-a (acme-b succeeded)
    t.same(await api(server, 'POST', path, { since, event_type: 'order.paid', status: 'failed' }), { replayed: 1 });
    await settled(server, setup.app, 2);
    // the two replays succeeded, so the pairs still failing are m1@beta, m3@acme-a, m3@beta
    t.same(await api(server, 'POST', path, { since }), { replayed: 3 });
    // any status, one endpoint: every message it was sent (m1, m2, m3 at acme-b)
    t.same(await api(server, 'POST', path, { since, status: 'any', endpoint_id: acmeB.id }), { replayed: 3 });
    // recipient by uid with a filter on a broadcast and a targeted message alike
    t.same(await api(server, 'POST', path, { since, status: 'any', recipient: 'beta', filter: { n: { $gte: 2 } } }), { replayed: 1 });
    await settled(server, setup.app, 9);

    // nothing else: a window in the future, and no failed pair left
    const later = { since: new Date(Date.now() + 60_000).toISOString(), until: new Date(Date.now() + 120_000).toISOString() };
    t.same(await api(server, 'POST', path, later), { replayed: 0 }, 'a window with no message');
    t.same(await api(server, 'POST', path, { since }), { replayed: 0 }, 'every latest delivery succeeded');

    const replayed = receiver.requests
      .slice(before)
      .map((request) => `${String(request.headers['webhook-id'])} ${request.path}`)
      .sort();
    const expected = [
      `${m1.id} /acme-a`,
      `${m2.id} /acme-a`,
      `${m1.id} /beta`,
      `${m3.id} /acme-a`,
      `${m3.id} /beta`,
      `${m1.id} /acme-b`,
      `${m2.id} /acme-b`,
      `${m3.id} /acme-b`,
      `${m3.id} /beta`,
    ].sort();
    t.same(replayed, expected, 'each matching pair received exactly one replay, and no other pair any');

    const attempts = await api(server, 'GET', `/apps/${setup.app}/messages/${m2.id}/attempts`);
    t.match(attempts[0], { trigger: 'replay', status: 'succeeded' });
    const rows = await server
      .db('deliveries')
      .where({ trigger: 'replay' })
      .select<{ max_attempts: number | string; endpoint_id: string }[]>('max_attempts', 'endpoint_id');
    t.equal(rows.length, 9);
    t.ok(
      rows.every((row) => Number(row.max_attempts) === 1),
      'replays are single attempts',
    );
    t.ok(
      rows.every((row) => [acmeA.id, acmeB.id, betaA.id].includes(row.endpoint_id)),
      'only the endpoints the messages were sent to',
    );
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '50ms' } },
);

forEachDatabase(t, 'bulk replay skips purged payloads and never widens a targeted message', async (t, server) => {
  const setup = await createApp(server, { recipients: ['acme', 'beta'] });
  const acme = await createEndpoint(server, setup, 'acme', { url: 'http://127.0.0.1:9/acme' });
  await createEndpoint(server, setup, 'beta', { url: 'http://127.0.0.1:9/beta' });
  const since = new Date(Date.now() - 1000).toISOString();
  const targeted = await send(server, setup, { event_type: 'invoice.paid', payload: { a: 1 }, recipient: 'acme' });
  const purged = await send(server, setup, { event_type: 'invoice.paid', payload: { a: 2 }, recipient: 'acme' });
  await server.db('deliveries').update({ status: 'failed', due_at: null, next_attempt_at: null });
  await server.db('messages').where({ id: purged.id }).update({ payload: null, payload_expired: 1 });
  const path = `/apps/${setup.app}/messages/replay`;

  t.same(await api(server, 'POST', path, { since, recipient: 'beta', status: 'any' }), { replayed: 0 }, "beta never had acme's messages");
  t.same(await api(server, 'POST', path, { since, status: 'any' }), { replayed: 1 }, 'the purged payload is skipped');
  const replays = await server
    .db('deliveries')
    .where({ trigger: 'replay' })
    .select<{ message_id: string; endpoint_id: string }[]>('message_id', 'endpoint_id');
  t.same(replays, [{ message_id: targeted.id, endpoint_id: acme.id }]);
});

forEachDatabase(t, 'bulk replay answers 400, 403 and 404 before creating anything', async (t, server) => {
  const setup = await createApp(server);
  const other = await createApp(server);
  const foreign = await createEndpoint(server, other, 'acme', { url: 'http://127.0.0.1:9/x' });
  await createEndpoint(server, setup, 'acme', { url: 'http://127.0.0.1:9/y' });
  await send(server, setup, { event_type: 'invoice.paid', payload: { a: 1 } });
  await server.db('deliveries').update({ status: 'failed', due_at: null, next_attempt_at: null });
  const since = new Date(Date.now() - 60_000).toISOString();
  const path = `/api/v1/apps/${setup.app}/messages/replay`;
  const call = (body: unknown, key?: string) => server.request('POST', path, { body, key });

  const noApp = await server.request('POST', '/api/v1/apps/app_nope/messages/replay', { body: { since } });
  t.equal(noApp.status, 404);
  t.equal(noApp.body.error, 'app_not_found');
  const noRecipient = await call({ since, recipient: 'ghost' });
  t.equal(noRecipient.status, 404);
  t.equal(noRecipient.body.error, 'recipient_not_found');
  const otherApp = await call({ since, endpoint_id: foreign.id });
  t.equal(otherApp.status, 404, "another app's endpoint");
  t.equal(otherApp.body.error, 'endpoint_not_found');
  const unknownEndpoint = await call({ since, endpoint_id: 'ep_nope' });
  t.equal(unknownEndpoint.body.error, 'endpoint_not_found');

  const badFilter = await call({ since, filter: { a: { $between: [1, 2] } } });
  t.equal(badFilter.status, 400);
  t.equal(badFilter.body.error, 'invalid_request');
  t.same(badFilter.body.details, [{ path: '/filter/a/$between', message: 'unknown operator $between' }]);
  const noSince = await call({});
  t.equal(noSince.status, 400);
  t.same(noSince.body.details, [{ path: '/since', message: 'is required' }]);
  const badStatus = await call({ since, status: 'succeeded' });
  t.equal(badStatus.status, 400);
  t.equal(badStatus.body.details[0].path, '/status');
  const backwards = await call({ since, until: new Date(Date.now() - 120_000).toISOString() });
  t.equal(backwards.status, 400);
  t.same(backwards.body.details, [{ path: '/until', message: 'must be after since' }]);
  const extra = await call({ since, bogus: 1 });
  t.equal(extra.status, 400);

  const reader = await api(server, 'POST', '/keys', { name: 'r', scopes: ['message:read'] });
  const refused = await call({ since }, reader.key);
  t.equal(refused.status, 403);
  t.equal(refused.body.required_scope, 'message:write');
  t.equal(await countReplays(server), 0, 'nothing was created by a refused call');

  const writer = await api(server, 'POST', '/keys', { name: 'w', scopes: ['message:write'] });
  const allowed = await call({ since }, writer.key);
  t.equal(allowed.status, 202);
  t.same(allowed.body, { ok: true, data: { replayed: 1 } });
  t.equal(await countReplays(server), 1);
});

async function countReplays(server: TestServer): Promise<number> {
  const row = (await server.db('deliveries').where({ trigger: 'replay' }).count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}
