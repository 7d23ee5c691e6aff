import t from 'tap';
import { eraseRecipient } from '../../../db/queries/erasure.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { deliveryRow, messageRow, succeededAttemptRow } from '../../helpers/history-rows.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import type { Json } from '../../helpers/json.js';
import { createPortalSession, portal } from '../../helpers/portal.js';
import { startReceiver } from '../../helpers/receiver.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';

// DELETE /apps/{app}/recipients/{recipient} erases the recipient (CONTRACT §8.6, §8.7).

async function count(server: TestServer, table: string, where: (q: ReturnType<TestServer['db']>) => unknown): Promise<number> {
  const query = server.db(table);
  where(query);
  const row = (await query.count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n);
}

forEachDatabase(t, 'erasure deletes what the recipient owned, counts it exactly, and keeps everyone else', async (t, server) => {
  runDispatcher(t, server);
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  const setup = await createApp(server, { recipients: ['acme', 'beta'] });
  const a1 = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/a1` });
  const a2 = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/a2` });
  const b1 = await createEndpoint(server, setup, 'beta', { url: `${receiver.url}/b1` });
  const t1 = await send(server, setup, { event_type: 'invoice.paid', payload: { secret: 'acme-1' }, recipient: 'acme' });
  const t2 = await send(
    server,
    setup,
    { event_type: 'invoice.paid', payload: { secret: 'acme-2' }, recipient: 'acme' },
    { 'Idempotency-Key': 'k-2' },
  );
  const broadcast = await send(server, setup, { event_type: 'invoice.paid', payload: { all: true } });
  const forBeta = await send(server, setup, { event_type: 'invoice.paid', payload: { secret: 'beta-1' }, recipient: 'beta' });
  await waitFor(async () => (await count(server, 'attempts', () => undefined)) === 8, '8 attempts');
  const acmeSession = await createPortalSession(server, setup.app, 'acme');
  const betaSession = await createPortalSession(server, setup.app, 'beta');
  t.equal((await portal(server, acmeSession.token, 'GET', '/messages')).status, 200);

  const erased = await server.request('DELETE', `/api/v1/apps/${setup.app}/recipients/acme`);
  t.equal(erased.status, 200);
  t.same(erased.body, {
    ok: true,
    data: { id: setup.recipients.acme, deleted: true, erased: { endpoints: 2, messages: 2, attempts: 6 } },
  });

  // the recipient, its endpoints, its messages and its portal session are gone
  t.equal((await server.request('GET', `/api/v1/apps/${setup.app}/recipients/acme`)).body.error, 'recipient_not_found');
  for (const message of [t1, t2]) {
    const detail = await server.request('GET', `/api/v1/apps/${setup.app}/messages/${message.id}`);
    t.equal(detail.status, 404);
    t.equal(detail.body.error, 'message_not_found');
    const attempts = await server.request('GET', `/api/v1/apps/${setup.app}/messages/${message.id}/attempts`);
    t.equal(attempts.status, 404);
  }
  const endpointGone = await server.request('GET', `/api/v1/apps/${setup.app}/recipients/acme/endpoints/${a1.id}`);
  t.equal(endpointGone.status, 404);
  const revoked = await portal(server, acmeSession.token, 'GET', '/messages');
  t.equal(revoked.status, 401, "the recipient's portal session is rejected");
  t.equal(await count(server, 'portal_sessions', (q) => q.where({ recipient_id: setup.recipients.acme })), 0);
  t.equal(await count(server, 'messages', (q) => q.where({ recipient_id: setup.recipients.acme })), 0);
  t.equal(await count(server, 'idempotency_keys', (q) => q.whereIn('message_id', [t1.id, t2.id])), 0);
  t.equal(await count(server, 'deliveries', (q) => q.whereIn('endpoint_id', [a1.id, a2.id])), 0);
  t.equal(await count(server, 'attempts', (q) => q.whereIn('endpoint_id', [a1.id, a2.id])), 0);

  // no list yields its payloads
  const listed = await api(server, 'GET', `/apps/${setup.app}/messages`);
  t.same(listed.map((m: Json) => m.id).sort(), [broadcast.id, forBeta.id].sort());
  t.notOk(JSON.stringify(listed).includes('acme-'), 'no erased payload in the message list');
  const byRecipient = await server.request('GET', `/api/v1/apps/${setup.app}/messages?recipient=acme`);
  t.equal(byRecipient.body.error, 'recipient_not_found');
  const late = await server.request('POST', `/api/v1/apps/${setup.app}/messages`, {
    body: { event_type: 'invoice.paid', payload: { secret: 'acme-3' }, recipient: 'acme' },
  });
  t.equal(late.status, 404, 'a send right after erasure does not find the recipient (no cached copy)');
  t.equal(late.body.error, 'recipient_not_found');

  // the broadcast message stays, without its deliveries to the erased endpoints
  const detail = await api(server, 'GET', `/apps/${setup.app}/messages/${broadcast.id}`);
  t.same(
    detail.deliveries.map((d: Json) => d.endpoint_id),
    [b1.id],
  );
  const broadcastAttempts = await api(server, 'GET', `/apps/${setup.app}/messages/${broadcast.id}/attempts`);
  t.same(
    broadcastAttempts.map((a: Json) => a.endpoint_id),
    [b1.id],
  );

  // beta keeps everything
  const beta = await api(server, 'GET', `/apps/${setup.app}/messages/${forBeta.id}`);
  t.same(beta.payload, { secret: 'beta-1' });
  t.match(beta.deliveries, [{ endpoint_id: b1.id, status: 'succeeded', attempts: 1 }]);
  t.equal((await portal(server, betaSession.token, 'GET', '/endpoints')).status, 200, "another recipient's portal session still works");
  t.equal((await api(server, 'GET', `/apps/${setup.app}/recipients/beta/endpoints`)).length, 1);
  t.equal(await count(server, 'attempts', () => undefined), 2, "beta's two attempts (broadcast and its own) remain");

  const again = await server.request('DELETE', `/api/v1/apps/${setup.app}/recipients/acme`);
  t.equal(again.status, 404);
  t.equal(again.body.error, 'recipient_not_found');
});

forEachDatabase(t, 'erasure works through histories larger than one batch and counts them exactly', async (t, server) => {
  const setup = await createApp(server, { recipients: ['acme', 'beta'] });
  const acme = await createEndpoint(server, setup, 'acme', { url: 'http://127.0.0.1:9/acme' });
  const beta = await createEndpoint(server, setup, 'beta', { url: 'http://127.0.0.1:9/beta' });
  const now = Date.now();
  const targeted = 1_100;
  const broadcasts = 600;
  const scope = { workspaceId: server.workspaceId, appId: setup.app };
  const rows = (n: number, recipientId: string | null) => Array.from({ length: n }, () => messageRow(scope, now, { recipientId }));
  const work = (messageId: string, endpointId: string) => {
    const delivery = deliveryRow(server.workspaceId, now, { messageId, endpointId, status: 'succeeded' });
    return { delivery, attempt: succeededAttemptRow(delivery) };
  };
  const messages = [...rows(targeted, setup.recipients.acme), ...rows(broadcasts, null)];
  for (let i = 0; i < messages.length; i += 100) {
    const chunk = messages.slice(i, i + 100);
    const items = chunk.flatMap((m) => (m.recipient_id ? [work(m.id, acme.id)] : [work(m.id, acme.id), work(m.id, beta.id)]));
    await server.db.transaction(async (tx) => {
      await tx('messages').insert(chunk);
      await tx('deliveries').insert(items.map((item) => item.delivery));
      await tx('attempts').insert(items.map((item) => item.attempt));
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 0)); // SQLite blocked this process: let idle keep-alive sockets expire first

  const erased = await api(server, 'DELETE', `/apps/${setup.app}/recipients/acme`);
  t.same(erased.erased, { endpoints: 1, messages: targeted, attempts: targeted + broadcasts });
  t.equal(await count(server, 'messages', () => undefined), broadcasts, 'broadcast messages stay');
  t.equal(await count(server, 'attempts', () => undefined), broadcasts, "beta's attempts stay");
  t.equal(await count(server, 'deliveries', (q) => q.where({ endpoint_id: beta.id })), broadcasts);
  t.equal(await count(server, 'deliveries', (q) => q.whereNot({ endpoint_id: beta.id })), 0);
});

forEachDatabase(t, 'erasure sweeps a message another process stored from a cached recipient while it ran', async (t, server) => {
  const setup = await createApp(server, { recipients: ['acme'] });
  await createEndpoint(server, setup, 'acme', { url: 'http://127.0.0.1:9/acme' });
  await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 }, recipient: 'acme' });
  let raced = '';
  const erased = await eraseRecipient(
    server.db,
    { appId: setup.app, recipientId: setup.recipients.acme },
    {
      // what another process does in the second its send-context cache still holds the recipient
      recipientGone: async () => {
        const late = messageRow({ workspaceId: server.workspaceId, appId: setup.app }, Date.now(), {
          recipientId: setup.recipients.acme,
          payload: '{"late":true}',
        });
        raced = late.id;
        await server.db('messages').insert(late);
      },
    },
  );
  t.same(erased, { endpoints: 1, messages: 2, attempts: 0 });
  t.equal(await count(server, 'messages', (q) => q.where({ id: raced })), 0, 'the late message is gone too');
  const detail = await server.request('GET', `/api/v1/apps/${setup.app}/messages/${raced}`);
  t.equal(detail.status, 404);
});
