import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, send } from '../../helpers/dispatch-fixtures.js';

const invoiceSchema = {
  type: 'object',
  required: ['invoice', 'amount'],
  properties: { invoice: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
};

forEachDatabase(t, 'messages API validates the event type and the payload schema', async (t, server) => {
  const setup = await createApp(server, { eventTypes: { 'invoice.paid': invoiceSchema, 'old.type': null } });
  await createEndpoint(server, setup, 'acme', { url: 'http://example.com/hook' });
  const path = `/api/v1/apps/${setup.app}/messages`;

  const ok = await server.request('POST', path, { body: { event_type: 'invoice.paid', payload: { invoice: 'in_1', amount: 5 } } });
  t.equal(ok.status, 202);
  t.match(ok.body.data, {
    id: /^msg_/,
    app_id: setup.app,
    event_type: 'invoice.paid',
    recipient_id: null,
    event_id: null,
    payload: { invoice: 'in_1', amount: 5 },
    delivery_count: 1,
  });
  t.match(ok.body.data.created_at, /^\d{4}-\d\d-\d\dT.*Z$/);

  const invalid = await server.request('POST', path, { body: { event_type: 'invoice.paid', payload: { invoice: 7, amount: -1 } } });
  t.equal(invalid.status, 400);
  t.equal(invalid.body.error, 'payload_invalid');
  t.same(invalid.body.details.map((d: { path: string }) => d.path).sort(), ['/payload/amount', '/payload/invoice']);

  const unknown = await server.request('POST', path, { body: { event_type: 'nope', payload: {} } });
  t.equal(unknown.status, 404);
  t.equal(unknown.body.error, 'event_type_not_found');

  await api(server, 'POST', `/apps/${setup.app}/event-types/old.type/archive`, {});
  const archived = await server.request('POST', path, { body: { event_type: 'old.type', payload: {} } });
  t.equal(archived.status, 400);
  t.equal(archived.body.error, 'event_type_archived');

  const noRecipient = await server.request('POST', path, {
    body: { event_type: 'invoice.paid', payload: { invoice: 'a', amount: 1 }, recipient: 'ghost' },
  });
  t.equal(noRecipient.body.error, 'recipient_not_found');
  const noApp = await server.request('POST', '/api/v1/apps/app_missing/messages', { body: { event_type: 'invoice.paid', payload: {} } });
  t.equal(noApp.body.error, 'app_not_found');
  const badBody = await server.request('POST', path, { body: { event_type: 'invoice.paid' } });
  t.equal(badBody.body.error, 'invalid_request');
  t.same(badBody.body.details, [{ path: '/payload', message: 'is required' }]);

  const stored = await server.db('messages').where({ id: ok.body.data.id }).first();
  t.equal(stored.payload, JSON.stringify({ invoice: 'in_1', amount: 5 }), 'payload serialised once and stored as sent');
  t.equal((await server.db('messages')).length, 1, 'rejected messages store nothing');
});

forEachDatabase(t, 'messages API lists newest first with filters, and shows deliveries in detail', async (t, server) => {
  const setup = await createApp(server, { eventTypes: { 'a.one': null, 'b.two': null }, recipients: ['acme', 'beta'] });
  const ep = await createEndpoint(server, setup, 'acme', { url: 'http://example.com/a' });
  const m1 = await send(server, setup, { event_type: 'a.one', payload: { n: 1 }, recipient: 'acme' });
  const m2 = await send(server, setup, { event_type: 'b.two', payload: { n: 2 }, recipient: 'beta' });
  const m3 = await send(server, setup, { event_type: 'a.one', payload: { n: 3 } });
  await server
    .db('deliveries')
    .where({ message_id: m3.id })
    .update({ status: 'succeeded', due_at: null, next_attempt_at: null, attempts: 1 });

  const all = await server.request('GET', `/api/v1/apps/${setup.app}/messages`);
  t.same(
    all.body.data.map((m: { id: string }) => m.id),
    [m3.id, m2.id, m1.id],
  );
  t.same(
    all.body.data.map((m: { delivery_count: number }) => m.delivery_count),
    [1, 0, 1],
  );
  t.equal(all.body.next_cursor, null);
  const byType = await api(server, 'GET', `/apps/${setup.app}/messages?event_type=a.one`);
  t.same(
    byType.map((m: { id: string }) => m.id),
    [m3.id, m1.id],
  );
  const byRecipient = await api(server, 'GET', `/apps/${setup.app}/messages?recipient=beta`);
  t.same(
    byRecipient.map((m: { id: string }) => m.id),
    [m2.id],
  );
  const pending = await api(server, 'GET', `/apps/${setup.app}/messages?status=pending`);
  t.same(
    pending.map((m: { id: string }) => m.id),
    [m1.id],
  );
  const succeeded = await api(server, 'GET', `/apps/${setup.app}/messages?status=succeeded`);
  t.same(
    succeeded.map((m: { id: string }) => m.id),
    [m3.id],
  );
  const since = await api(server, 'GET', `/apps/${setup.app}/messages?since=${encodeURIComponent(m2.created_at)}`);
  t.ok(since.every((m: { id: string }) => m.id !== m1.id || m1.created_at === m2.created_at));
  const until = await api(
    server,
    'GET',
    `/apps/${setup.app}/messages?until=${encodeURIComponent(new Date(Date.parse(m1.created_at)).toISOString())}`,
  );
  t.same(until, [], 'until is exclusive');
  const page1 = await server.request('GET', `/api/v1/apps/${setup.app}/messages?limit=2`);
  t.equal(page1.body.data.length, 2);
  const page2 = await api(server, 'GET', `/apps/${setup.app}/messages?limit=2&cursor=${page1.body.next_cursor}`);
  t.same(
    page2.map((m: { id: string }) => m.id),
    [m1.id],
  );

  const detail = await api(server, 'GET', `/apps/${setup.app}/messages/${m1.id}`);
  t.same(detail.deliveries, [
    { endpoint_id: ep.id, status: 'pending', attempts: 0, next_attempt_at: detail.deliveries[0].next_attempt_at, last_error: null },
  ]);
  t.notOk('delivery_count' in detail);
  const missing = await server.request('GET', `/api/v1/apps/${setup.app}/messages/msg_nope`);
  t.equal(missing.body.error, 'message_not_found');
  const attempts = await api(server, 'GET', `/apps/${setup.app}/messages/${m1.id}/attempts`);
  t.same(attempts, []);
});

forEachDatabase(
  t,
  'messages API answers 429 rate_limited past messages_per_second',
  async (t, server) => {
    const setup = await createApp(server);
    const results = [];
    for (let i = 0; i < 8; i++)
      results.push(
        await server.request('POST', `/api/v1/apps/${setup.app}/messages`, { body: { event_type: 'invoice.paid', payload: { i } } }),
      );
    const limited = results.filter((r) => r.status === 429);
    t.ok(limited.length >= 1, 'some sends are limited');
    t.equal(limited[0].body.error, 'rate_limited');
    t.match(limited[0].headers.get('retry-after'), /^[12]$/);
    t.ok(results.filter((r) => r.status === 202).length >= 3);
  },
  { env: { DISPATCH_PLAN_LIMITS: '{"messages_per_second":3}' } },
);

forEachDatabase(t, 'messages API enforces scopes', async (t, server) => {
  const setup = await createApp(server);
  const reader = await api(server, 'POST', '/keys', { name: 'r', scopes: ['message:read'] });
  const denied = await server.request('POST', `/api/v1/apps/${setup.app}/messages`, {
    key: reader.key,
    body: { event_type: 'invoice.paid', payload: {} },
  });
  t.equal(denied.status, 403);
  t.equal(denied.body.required_scope, 'message:write');
  const listed = await server.request('GET', `/api/v1/apps/${setup.app}/messages`, { key: reader.key });
  t.equal(listed.status, 200);
  const recover = await server.request('POST', `/api/v1/apps/${setup.app}/recipients/acme/endpoints/ep_x/recover`, {
    key: reader.key,
    body: { since: new Date().toISOString() },
  });
  t.equal(recover.body.required_scope, 'endpoint:write');
});
