import t from 'tap';
import { forEachDatabase } from '../helpers/each-database.js';
import { startReceiver } from '../helpers/receiver.js';
import { waitUntil } from '../helpers/source-process.js';
import type { TestServer } from '../helpers/server.js';
import { startDispatcher } from '../../server/delivery/dispatcher.js';
import { runRetentionPass, startRetentionWorker } from '../../server/retention/worker.js';

const HOUR = 60 * 60 * 1000;

/** A clock the test moves forward: everything the server stamps uses it. */
function movableClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => (offset += ms) };
}

async function api(server: TestServer, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const res = await server.request(method, `/api/v1${path}`, { body, headers });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

async function appWithEventType(server: TestServer) {
  const app = await api(server, 'POST', '/apps', { name: 'shop' });
  await api(server, 'POST', `/apps/${app.id}/event-types`, { name: 'invoice.paid' });
  return app.id as string;
}

const clock = movableClock();
forEachDatabase(t, 'retention', async (t, server) => {
  t.test('purges message payloads and ingest bodies past DISPATCH_RETENTION; replay answers 400 payload_expired', async (t) => {
    const app = await appWithEventType(server);
    const message = await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 1 } });
    const source = await api(server, 'POST', '/sources', { name: 'store-only' });
    const ingest = await fetch(server.url + new URL(source.ingest_url).pathname, { method: 'POST', body: '{"hello":"world"}' });
    t.equal(ingest.status, 200);
    const eventId = (await ingest.json()).event_id as string;

    // within the retention window nothing changes
    clock.advance(30 * 60 * 1000);
    const early = await runRetentionPass(server.deps);
    t.equal(early.messagePayloads, 0);
    t.equal(early.eventBodies, 0);

    clock.advance(HOUR);
    const report = await runRetentionPass(server.deps);
    t.equal(report.messagePayloads, 1);
    t.equal(report.eventBodies, 1);

    const row = await server.db('messages').where({ id: message.id }).first();
    t.equal(row.payload, null);
    t.equal(Number(row.payload_expired), 1);
    const event = await server.db('events').where({ id: eventId }).first();
    t.equal(event.body, null);
    t.equal(Number(event.body_expired), 1);

    const shown = await server.request('GET', `/api/v1/apps/${app}/messages/${message.id}`);
    t.equal(shown.status, 200, 'the message row stays');
    t.equal(shown.body.data.payload, null);
    const replay = await server.request('POST', `/api/v1/apps/${app}/messages/${message.id}/replay`, { body: {} });
    t.equal(replay.status, 400);
    t.equal(replay.body.error, 'payload_expired');

    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    await api(server, 'PATCH', `/sources/${source.id}`, { destination: { url: receiver.url } });
    const shownEvent = await server.request('GET', `/api/v1/events/${eventId}`);
    t.equal(shownEvent.body.data.body_expired, true);
    const eventReplay = await server.request('POST', `/api/v1/events/${eventId}/replay`);
    t.equal(eventReplay.status, 400);
    t.equal(eventReplay.body.error, 'payload_expired');

    const again = await runRetentionPass(server.deps);
    t.same(again, { messagePayloads: 0, eventBodies: 0, attemptResponses: 0, idempotencyKeys: 0, sendStamps: 0, portalSessions: 0 }, 'a second pass finds nothing');
  });

  t.test('keeps the payload of a message whose delivery is still pending, and purges it once delivered', async (t) => {
    const receiver = await startReceiver(() => ({ status: 200, body: 'thanks, stored' }));
    t.teardown(() => receiver.close());
    const app = await appWithEventType(server);
    const recipient = await api(server, 'POST', `/apps/${app}/recipients`, { uid: 'acme' });
    await api(server, 'POST', `/apps/${app}/recipients/${recipient.id}/endpoints`, { url: receiver.url });
    const message = await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 2 } });

    clock.advance(2 * HOUR);
    const pending = await runRetentionPass(server.deps);
    t.equal(pending.messagePayloads, 0, 'the pending delivery still needs the payload');
    t.not((await server.db('messages').where({ id: message.id }).first()).payload, null);

    const dispatcher = startDispatcher(server.deps);
    t.teardown(() => dispatcher.stop(1_000));
    const attempt = await waitUntil(() => server.db('attempts').where({ message_id: message.id }).first(), 'the attempt');
    t.equal(attempt.response_body, 'thanks, stored');
    await dispatcher.stop(1_000);

    clock.advance(2 * HOUR);
    const report = await runRetentionPass(server.deps);
    t.equal(report.messagePayloads, 1);
    t.ok(report.attemptResponses >= 1);
    t.equal((await server.db('messages').where({ id: message.id }).first()).payload, null);
    t.equal((await server.db('attempts').where({ id: attempt.id }).first()).response_body, null);
    t.equal((await server.db('attempts').where({ id: attempt.id }).first()).status, 'succeeded', 'the attempt row stays');
  });

  t.test('deletes idempotency keys after 24 h and rate-limit stamps after a minute, in batches', async (t) => {
    const app = await appWithEventType(server);
    for (let i = 0; i < 5; i++) {
      await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { i } }, { 'idempotency-key': `key-${i}` });
    }
    const now = clock.now();
    await server.db('rate_limit_sends').insert([0, 1, 2].map((i) => ({ target_id: 'ep_retention', sent_at: now - 2 * 60_000 - i })));
    await server.db('rate_limit_sends').insert({ target_id: 'ep_retention', sent_at: now });

    const early = await runRetentionPass(server.deps, { batchSize: 2 });
    t.equal(early.idempotencyKeys, 0, 'keys younger than 24 h stay');
    t.equal(early.sendStamps, 3);
    t.equal((await server.db('rate_limit_sends').where({ target_id: 'ep_retention' })).length, 1, 'the recent stamp stays');

    clock.advance(25 * HOUR);
    const report = await runRetentionPass(server.deps, { batchSize: 2 });
    t.equal(report.idempotencyKeys, 5, 'all keys, in batches of 2');
    t.equal((await server.db('idempotency_keys').where({ app_id: app })).length, 0);
    t.ok(report.messagePayloads >= 5, 'the payloads past the retention went too');
  });

  t.test('deletes expired portal sessions and keeps live ones', async (t) => {
    const app = await appWithEventType(server);
    const recipient = await api(server, 'POST', `/apps/${app}/recipients`, { uid: 'retention-portal' });
    const short = await api(server, 'POST', `/apps/${app}/recipients/${recipient.id}/portal-sessions`, { expires_in: 60 });
    const long = await api(server, 'POST', `/apps/${app}/recipients/${recipient.id}/portal-sessions`, { expires_in: 604800 });
    clock.advance(2 * 60_000);
    const report = await runRetentionPass(server.deps);
    t.equal(report.portalSessions, 1);
    t.equal((await server.db('portal_sessions').where({ recipient_id: recipient.id })).length, 1, 'the live session stays');
    const live = await server.request('GET', '/api/v1/portal/session', { key: long.token });
    t.equal(live.status, 200);
    const gone = await server.request('GET', '/api/v1/portal/session', { key: short.token });
    t.equal(gone.status, 401);
  });

  t.test('the worker purges on its own at start and every interval', async (t) => {
    const app = await appWithEventType(server);
    const first = await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 'first' } });
    clock.advance(2 * HOUR);
    const worker = startRetentionWorker(server.deps, { intervalMs: 20 });
    t.teardown(() => worker.stop(0));
    await waitUntil(async () => (await server.db('messages').where({ id: first.id }).first()).payload === null, 'the first purge', 10_000, 10);
    const second = await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 'second' } });
    clock.advance(2 * HOUR);
    await waitUntil(async () => (await server.db('messages').where({ id: second.id }).first()).payload === null, 'a later purge', 10_000, 10);
    await worker.stop(0);
    t.match(server.logs.join(''), /retention purged expired data/);
    t.notMatch(server.logs.join(''), /"n":"second"/, 'payloads never reach the log');
  });
}, { env: { DISPATCH_RETENTION: '1h' }, clock });
