import t, { type Test } from 'tap';
import { insertDeliveries } from '../../../db/queries/deliveries.js';
import { insertExtraDeliveries } from '../../../db/queries/replay-targets.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { createPortalSession, portal } from '../../helpers/portal.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { TestServer } from '../../helpers/server.js';

async function receivers(t: Test, count: number): Promise<Receiver[]> {
  const list = await Promise.all(Array.from({ length: count }, () => startReceiver()));
  t.teardown(() => Promise.all(list.map((r) => r.close())));
  return list;
}

async function waitFinished(server: TestServer, messageId: string, count: number) {
  return waitFor(async () => {
    const rows = await server.db('deliveries').where({ message_id: messageId });
    return rows.length >= count && rows.every((row) => row.status !== 'pending') ? rows : null;
  }, `deliveries of ${messageId} to finish`);
}

/**
 * Proves a receiver got nothing of `messageId` without sleeping: a later message that it is
 * entitled to is sent and awaited; deliveries run in order, so anything earlier arrived first.
 */
async function assertNothingArrived(t: Test, server: TestServer, app: string, recipient: string, receiver: Receiver, messageId: string) {
  const before = receiver.requests.length;
  const marker = await send(server, { app, recipients: {} }, { event_type: 'invoice.paid', payload: { marker: true }, recipient });
  await waitFor(() => receiver.requests.some((r) => r.headers['webhook-id'] === marker.id), 'the marker to arrive');
  const ids = receiver.requests.slice(before).map((r) => r.headers['webhook-id']);
  t.same(ids, [marker.id], 'only the marker arrived');
  t.notOk(
    receiver.requests.some((r) => r.headers['webhook-id'] === messageId),
    `${messageId} never reached this receiver`,
  );
}

forEachDatabase(t, 'replay refuses an endpoint of a recipient the message was not for', async (t, server) => {
  runDispatcher(t, server);
  const [a, b, other] = await receivers(t, 3);
  const setup = await createApp(server, { recipients: ['acme', 'globex'] });
  const epA = await createEndpoint(server, setup, 'acme', { url: a.url });
  const epB = await createEndpoint(server, setup, 'globex', { url: b.url });
  const otherApp = await createApp(server);
  const epOther = await createEndpoint(server, otherApp, 'acme', { url: other.url });
  const message = await send(server, setup, { event_type: 'invoice.paid', payload: { secret: 'acme only' }, recipient: 'acme' });
  await waitFinished(server, message.id, 1);

  for (const endpointId of [epB.id, epOther.id]) {
    const refused = await server.request('POST', `/api/v1/apps/${setup.app}/messages/${message.id}/replay`, {
      body: { endpoint_id: endpointId },
    });
    t.equal(refused.status, 404, `replay to ${endpointId} is refused`);
    t.equal(refused.body.error, 'endpoint_not_found');
  }
  const session = await createPortalSession(server, setup.app, 'acme');
  const viaPortal = await portal(server, session.token, 'POST', `/messages/${message.id}/replay`, { endpoint_id: epB.id });
  t.equal(viaPortal.status, 404);
  t.equal(viaPortal.body.error, 'endpoint_not_found', 'the portal cannot aim it at another recipient either');

  const all = await api(server, 'POST', `/apps/${setup.app}/messages/${message.id}/replay`, {});
  t.same(all, { message_id: message.id, replayed: 1 }, 'a replay without endpoint_id goes only where the message went');
  await waitFinished(server, message.id, 2);
  const rows = await server.db('deliveries').where({ message_id: message.id });
  t.same([...new Set(rows.map((r) => r.endpoint_id))], [epA.id], 'no delivery row for another recipient');
  await assertNothingArrived(t, server, setup.app, 'globex', b, message.id);
  t.equal(other.requests.length, 0, "the other app's receiver got nothing");
});

forEachDatabase(t, 'replay reaches an endpoint created after a broadcast message', async (t, server) => {
  runDispatcher(t, server);
  const [a, late] = await receivers(t, 2);
  const setup = await createApp(server, { recipients: ['acme', 'globex'] });
  await createEndpoint(server, setup, 'acme', { url: a.url });
  const message = await send(server, setup, { event_type: 'invoice.paid', payload: { to: 'everyone' } });
  await waitFinished(server, message.id, 1);
  const created = await createEndpoint(server, setup, 'globex', { url: late.url });
  const replayed = await server.request('POST', `/api/v1/apps/${setup.app}/messages/${message.id}/replay`, {
    body: { endpoint_id: created.id },
  });
  t.equal(replayed.status, 202);
  t.same(replayed.body.data, { message_id: message.id, replayed: 1 });
  const [request] = await late.waitForRequests(1);
  t.equal(request.headers['webhook-id'], message.id);
  t.same(JSON.parse(String(request.body)), { to: 'everyone' });
});

forEachDatabase(t, 'replay of a targeted message reaches a new endpoint of the same recipient', async (t, server) => {
  runDispatcher(t, server);
  const [a, late, later] = await receivers(t, 3);
  const setup = await createApp(server, { recipients: ['acme', 'globex'] });
  await createEndpoint(server, setup, 'acme', { url: a.url });
  const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 }, recipient: 'acme' });
  await waitFinished(server, message.id, 1);
  const created = await createEndpoint(server, setup, 'acme', { url: late.url });
  const replayed = await server.request('POST', `/api/v1/apps/${setup.app}/messages/${message.id}/replay`, {
    body: { endpoint_id: created.id },
  });
  t.equal(replayed.status, 202);
  t.equal(replayed.body.data.replayed, 1);
  const [request] = await late.waitForRequests(1);
  t.equal(request.headers['webhook-id'], message.id);

  const newer = await createEndpoint(server, setup, 'acme', { url: later.url });
  const session = await createPortalSession(server, setup.app, 'acme');
  const viaPortal = await portal(server, session.token, 'POST', `/messages/${message.id}/replay`, { endpoint_id: newer.id });
  t.equal(viaPortal.status, 202, 'the recipient can replay to its own new endpoint from the portal');
  const [portalRequest] = await later.waitForRequests(1);
  t.equal(portalRequest.headers['webhook-id'], message.id);
});

forEachDatabase(
  t,
  'recover never re-sends a message targeted at another recipient',
  async (t, server) => {
    runDispatcher(t, server);
    let healthy = false;
    const a = await startReceiver();
    const b = await startReceiver(() => ({ status: healthy ? 200 : 500 }));
    t.teardown(() => Promise.all([a.close(), b.close()]));
    const setup = await createApp(server, { recipients: ['acme', 'globex'] });
    await createEndpoint(server, setup, 'acme', { url: a.url });
    const epB = await createEndpoint(server, setup, 'globex', { url: b.url });
    const since = new Date(Date.now() - 1000).toISOString();
    const targeted = await send(server, setup, { event_type: 'invoice.paid', payload: { secret: 'acme only' }, recipient: 'acme' });
    const broadcast = await send(server, setup, { event_type: 'invoice.paid', payload: { to: 'everyone' } });
    await waitFinished(server, targeted.id, 1);
    await waitFinished(server, broadcast.id, 2);
    // a failed row at B's endpoint for A's message, as an unchecked replay could once write; it is
    // inserted already failed in one transaction, so the dispatcher never sees it pending
    await server.db.transaction(async (tx) => {
      const [row] = await insertDeliveries(
        tx,
        [
          {
            workspaceId: server.workspaceId,
            messageId: targeted.id,
            endpointId: epB.id,
            trigger: 'replay',
            maxAttempts: 1,
            dueAt: Date.now(),
          },
        ],
        Date.now(),
      );
      await tx('deliveries').where({ id: row.id }).update({ status: 'failed', attempts: 1, due_at: null, next_attempt_at: null });
    });
    healthy = true;
    const recovered = await api(server, 'POST', `/apps/${setup.app}/recipients/globex/endpoints/${epB.id}/recover`, { since });
    t.same(recovered, { replayed: 1 }, 'only the broadcast message is recovered');
    await waitFinished(server, broadcast.id, 3);
    const again = await server.request('POST', `/api/v1/apps/${setup.app}/messages/${targeted.id}/replay`, {
      body: { endpoint_id: epB.id },
    });
    t.equal(again.body.error, 'endpoint_not_found', 'a replay-written row does not make the endpoint a target');
    await assertNothingArrived(t, server, setup.app, 'globex', b, targeted.id);
    t.ok(
      b.requests.some((r) => r.headers['webhook-id'] === broadcast.id),
      'the broadcast message reached B',
    );
    const atB = await server.db('deliveries').where({ message_id: targeted.id, endpoint_id: epB.id });
    t.equal(atB.length, 1, 'no delivery beyond the planted row was queued for B');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '100ms' } },
);

forEachDatabase(
  t,
  'replay deliveries skip pairs whose endpoint was deleted or message erased after they were chosen',
  async (t, server) => {
    // no dispatcher: the created rows stay pending, to be counted
    const setup = await createApp(server, { recipients: ['acme'] });
    const kept = await createEndpoint(server, setup, 'acme', { url: 'http://127.0.0.1:9/kept' });
    const deleted = await createEndpoint(server, setup, 'acme', { url: 'http://127.0.0.1:9/deleted' });
    const first = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    const erased = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
    // what a bulk replay or recover selected before the endpoint and the message went away
    const pairs = [first, erased].flatMap((message) =>
      [kept, deleted].map((endpoint) => ({ workspaceId: server.workspaceId, messageId: message.id, endpointId: endpoint.id })),
    );
    await api(server, 'DELETE', `/apps/${setup.app}/recipients/acme/endpoints/${deleted.id}`);
    await server.db('messages').where({ id: erased.id }).delete();

    const created = await insertExtraDeliveries(server.db, pairs, 'replay', Date.now());
    t.equal(created, 1, 'only the pair whose message and endpoint both remain is created');
    const replays = await server.db('deliveries').where({ trigger: 'replay' }).select('message_id', 'endpoint_id', 'status');
    t.same(replays, [{ message_id: first.id, endpoint_id: kept.id, status: 'pending' }]);
    t.equal(
      await insertExtraDeliveries(server.db, pairs.slice(1), 'recover', Date.now()),
      0,
      'nothing left to create: 0, not a foreign-key error',
    );
  },
);
