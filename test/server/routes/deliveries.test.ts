import t from 'tap';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { Json } from '../../helpers/json.js';
import { startReceiver } from '../../helpers/receiver.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';

async function list(server: TestServer, query = ''): Promise<{ data: Json[]; next_cursor: string | null }> {
  const response = await server.request('GET', `/api/v1/deliveries${query}`);
  if (response.status !== 200) throw new Error(`GET /deliveries${query} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

forEachDatabase(
  t,
  'deliveries list failed deliveries across apps, filtered, paged, and drop the ones a replay delivered',
  async (t, server) => {
    let failing = true;
    const receiver = await startReceiver(() => ({ status: failing ? 503 : 200, body: 'no' }));
    t.teardown(() => receiver.close());
    const billing = await createApp(server, { eventTypes: { 'invoice.paid': null, 'invoice.void': null } });
    const shipping = await createApp(server, { eventTypes: { 'parcel.sent': null } });
    const billingEp = await createEndpoint(server, billing, 'acme', { url: `${receiver.url}/billing` });
    const shippingEp = await createEndpoint(server, shipping, 'acme', { url: `${receiver.url}/shipping` });
    runDispatcher(t, server);
    const paid: Json[] = [];
    for (let i = 0; i < 3; i++) paid.push(await send(server, billing, { event_type: 'invoice.paid', payload: { i } }));
    const voided = await send(server, billing, { event_type: 'invoice.void', payload: {} });
    const parcel = await send(server, shipping, { event_type: 'parcel.sent', payload: {} });

    const all = await waitFor(async () => {
      const page = await list(server);
      return page.data.length === 5 ? page : null;
    }, 'five failed deliveries (one attempt each)');
    t.equal(all.next_cursor, null);
    t.same(
      all.data.map((d: Json) => d.message_id),
      [parcel.id, voided.id, paid[2].id, paid[1].id, paid[0].id],
      'newest first across apps',
    );
    t.match(all.data[0], {
      id: /^dlv_/,
      app_id: shipping.app,
      event_type: 'parcel.sent',
      endpoint_id: shippingEp.id,
      recipient_id: shipping.recipients.acme,
      endpoint_url: `${receiver.url}/shipping`,
      status: 'failed',
      trigger: 'scheduled',
      attempts: 2,
      next_attempt_at: null,
      last_attempt: { id: /^atm_/, error: 'http_status', response_status: 503 },
    });

    t.equal((await list(server, `?app=${billing.app}`)).data.length, 4, 'by app');
    t.equal((await list(server, `?app=${billing.app}&event_type=invoice.void`)).data.length, 1, 'by event type');
    t.equal((await list(server, `?endpoint_id=${shippingEp.id}`)).data.length, 1, 'by endpoint');
    const future = new Date(Date.now() + 60_000).toISOString();
    t.equal((await list(server, `?since=${future}`)).data.length, 0, 'by time');
    t.equal((await list(server, '?status=succeeded')).data.length, 0, 'by status');

    const first = await list(server, '?limit=2');
    t.equal(first.data.length, 2);
    const second = await list(server, `?limit=2&cursor=${first.next_cursor}`);
    const third = await list(server, `?limit=2&cursor=${second.next_cursor}`);
    t.same(
      [...first.data, ...second.data, ...third.data].map((d: Json) => d.id),
      all.data.map((d: Json) => d.id),
      'pages cover the list once',
    );
    t.equal(third.next_cursor, null);

    failing = false;
    await api(server, 'POST', `/apps/${billing.app}/messages/${paid[0].id}/replay`, { endpoint_id: billingEp.id });
    const after = await waitFor(async () => {
      const page = await list(server);
      return page.data.length === 4 ? page : null;
    }, 'the replayed delivery to leave the failed list');
    t.notOk(
      after.data.some((d: Json) => d.message_id === paid[0].id),
      'a failed delivery that a replay delivered is no longer listed',
    );
    const succeeded = await waitFor(async () => {
      const page = await list(server, '?status=succeeded');
      return page.data.length === 1 ? page : null;
    }, 'the replay to succeed');
    t.match(succeeded.data, [{ message_id: paid[0].id, trigger: 'replay', status: 'succeeded', attempts: 1 }]);
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '10ms' } },
);

forEachDatabase(t, 'deliveries refuse bad filters and need message:read', async (t, server) => {
  const bad = await server.request('GET', '/api/v1/deliveries?status=lost');
  t.equal(bad.status, 400);
  t.match(bad.body, { error: 'invalid_request', details: [{ path: String }] });
  const reversed = await server.request('GET', '/api/v1/deliveries?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z');
  t.equal(reversed.status, 400);
  t.equal((await server.request('GET', '/api/v1/deliveries?app=nope')).body.error, 'app_not_found');
  const key = await api(server, 'POST', '/keys', { name: 'anomalies', scopes: ['anomaly:read'] });
  const denied = await server.request('GET', '/api/v1/deliveries', { key: key.key });
  t.equal(denied.status, 403);
  t.equal(denied.body.required_scope, 'message:read');
});

forEachDatabase(
  t,
  'deliveries show the endpoint URL only to keys that may read endpoints',
  async (t, server) => {
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: 'http://127.0.0.1:9/hooks?token=s3cret' });
    runDispatcher(t, server);
    await send(server, setup, { event_type: 'invoice.paid', payload: {} });
    await waitFor(async () => (await list(server)).data.length === 1, 'the delivery to fail for good');
    const messagesOnly = await api(server, 'POST', '/keys', { name: 'dlq', scopes: ['message:read'] });
    const both = await api(server, 'POST', '/keys', { name: 'ops', scopes: ['message:read', 'endpoint:read'] });
    const hidden = await server.request('GET', '/api/v1/deliveries', { key: messagesOnly.key });
    t.match(hidden.body.data, [{ endpoint_id: endpoint.id, endpoint_url: null }]);
    const shown = await server.request('GET', '/api/v1/deliveries', { key: both.key });
    t.match(shown.body.data, [{ endpoint_id: endpoint.id, endpoint_url: 'http://127.0.0.1:9/hooks?token=s3cret' }]);
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '10ms' } },
);
