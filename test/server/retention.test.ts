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
forEachDatabase(
  t,
  'retention',
  async (t, server) => {
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
      t.same(
        again,
        {
          heldDiscarded: 0,
          heldReleased: 0,
          messagePayloads: 0,
          eventBodies: 0,
          attemptResponses: 0,
          idempotencyKeys: 0,
          sendStamps: 0,
          portalSessions: 0,
          messageRateWindows: 0,
          messagesDeleted: 0,
          eventsDeleted: 0,
          deliveriesDeleted: 0,
          attemptsDeleted: 0,
        },
        'a second pass finds nothing',
      );
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
        await api(
          server,
          'POST',
          `/apps/${app}/messages`,
          { event_type: 'invoice.paid', payload: { i } },
          { 'idempotency-key': `key-${i}` },
        );
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
      await waitUntil(
        async () => (await server.db('messages').where({ id: first.id }).first()).payload === null,
        'the first purge',
        10_000,
        10,
      );
      const second = await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 'second' } });
      clock.advance(2 * HOUR);
      await waitUntil(
        async () => (await server.db('messages').where({ id: second.id }).first()).payload === null,
        'a later purge',
        10_000,
        10,
      );
      await worker.stop(0);
      t.match(server.logs.join(''), /retention purged expired data/);
      t.notMatch(server.logs.join(''), /"n":"second"/, 'payloads never reach the log');
    });
    // these tests move the clock by days: rows stay so that what each one checks is still there
  },
  { env: { DISPATCH_RETENTION: '1h', DISPATCH_RETENTION_DELETE_AFTER: '1000d' }, clock },
);

const deletionClock = movableClock();
forEachDatabase(
  t,
  'retention row deletion',
  async (t, server) => {
    t.test('deletes messages, events, deliveries and attempts past 3 x DISPATCH_RETENTION, keeps recent and pending ones', async (t) => {
      const receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
      t.teardown(() => receiver.close());
      const app = await appWithEventType(server);
      const recipient = await api(server, 'POST', `/apps/${app}/recipients`, { uid: 'deletion' });
      await api(server, 'POST', `/apps/${app}/recipients/${recipient.id}/endpoints`, { url: receiver.url });
      const quiet = await appWithEventType(server);

      // an old message delivered (one delivery, one attempt) ...
      const delivered = await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 'delivered' } });
      const dispatcher = startDispatcher(server.deps);
      t.teardown(() => dispatcher.stop(1_000));
      await waitUntil(() => server.db('deliveries').where({ message_id: delivered.id, status: 'succeeded' }).first(), 'the delivery');
      await dispatcher.stop(1_000);
      // ... an old message whose delivery is still pending, old ones without deliveries ...
      const pending = await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 'pending' } });
      const bare = [];
      for (let i = 0; i < 5; i++)
        bare.push((await api(server, 'POST', `/apps/${quiet}/messages`, { event_type: 'invoice.paid', payload: { i } })).id);
      // ... an old stored-only event and an old held one (its source is paused)
      const storeOnly = await api(server, 'POST', '/sources', { name: 'store-only' });
      const stored = await (await fetch(server.url + new URL(storeOnly.ingest_url).pathname, { method: 'POST', body: '{"a":1}' })).json();
      const paused = await api(server, 'POST', '/sources', { name: 'paused' });
      await api(server, 'POST', `/sources/${paused.id}/pause`);
      const held = await (await fetch(server.url + new URL(paused.ingest_url).pathname, { method: 'POST', body: '{"b":2}' })).json();
      t.equal((await server.db('events').where({ id: held.event_id }).first()).status, 'held');

      // past DISPATCH_RETENTION but within 3 x: payloads go, rows stay
      deletionClock.advance(2 * HOUR);
      const between = await runRetentionPass(server.deps);
      t.equal(
        between.messagesDeleted + between.eventsDeleted + between.deliveriesDeleted + between.attemptsDeleted,
        0,
        'no row is deleted before 3 x DISPATCH_RETENTION',
      );
      t.ok(await server.db('messages').where({ id: delivered.id }).first());

      deletionClock.advance(2 * HOUR);
      const recent = await api(server, 'POST', `/apps/${quiet}/messages`, { event_type: 'invoice.paid', payload: { n: 'recent' } });
      const recentEvent = await (
        await fetch(server.url + new URL(storeOnly.ingest_url).pathname, { method: 'POST', body: '{"c":3}' })
      ).json();
      const report = await runRetentionPass(server.deps, { batchSize: 2 });
      t.equal(report.messagesDeleted, 6, 'the delivered message and the five without deliveries, in batches of 2');
      t.equal(report.deliveriesDeleted, 1);
      t.equal(report.attemptsDeleted, 1);
      t.equal(report.eventsDeleted, 1, 'the stored-only event');

      t.notOk(await server.db('messages').where({ id: delivered.id }).first(), 'the old delivered message is gone');
      t.same(await server.db('deliveries').where({ message_id: delivered.id }), [], 'with its delivery');
      t.same(await server.db('attempts').where({ message_id: delivered.id }), [], 'and its attempt');
      t.same(await server.db('messages').whereIn('id', bare), []);
      t.notOk(await server.db('events').where({ id: stored.event_id }).first(), 'the old stored event is gone');

      t.ok(await server.db('messages').where({ id: pending.id }).first(), 'a message whose delivery is pending stays');
      t.equal((await server.db('deliveries').where({ message_id: pending.id }).first()).status, 'pending', 'and so does the delivery');
      t.ok(await server.db('events').where({ id: held.event_id }).first(), 'a held event stays');
      t.ok(await server.db('messages').where({ id: recent.id }).first(), 'a recent message stays');
      t.ok(await server.db('events').where({ id: recentEvent.event_id }).first(), 'a recent event stays');
      const shown = await server.request('GET', `/api/v1/apps/${app}/messages/${delivered.id}`);
      t.equal(shown.status, 404, 'the API no longer finds the deleted message');
    });
  },
  { env: { DISPATCH_RETENTION: '1h' }, clock: deletionClock },
);
