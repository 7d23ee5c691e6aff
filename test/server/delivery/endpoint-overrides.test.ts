import t from 'tap';
import { leaseMs } from '../../../server/delivery/retry.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, runDispatcher, send, type Setup } from '../../helpers/dispatch-fixtures.js';
import { startReceiver } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { TestServer } from '../../helpers/server.js';
import type { Json } from '../../helpers/json.js';

// CONTRACT §8: per-endpoint retry_schedule and timeout (and filter, as stored and echoed)

t.setTimeout(240_000);

const base = (setup: Setup) => `/api/v1/apps/${setup.app}/recipients/acme/endpoints`;

async function finished(server: TestServer, messageId: string, timeoutMs = 30_000): Promise<Json> {
  return waitFor(
    async () => {
      const rows = await server.db('deliveries').where({ message_id: messageId });
      return rows.length > 0 && rows.every((row: Json) => row.status === 'succeeded' || row.status === 'failed') ? rows[0] : null;
    },
    `the delivery of ${messageId} to finish`,
    timeoutMs,
  );
}

forEachDatabase(t, 'endpoint delivery fields are stored, echoed as given, and cleared by null', async (t, server) => {
  const setup = await createApp(server);
  const filter = { 'customer.tier': { $in: ['gold', 'platinum'] }, $not: { test: true } };
  const created = await server.request('POST', base(setup), {
    body: { url: 'https://hooks.example.com/', filter, retry_schedule: ['5s', '1m', '2h', '1d'], timeout: '7s' },
  });
  t.equal(created.status, 201);
  t.match(created.body.data, { filter, retry_schedule: ['5s', '1m', '2h', '1d'], timeout: '7s', held_count: 0 });
  const id = created.body.data.id;
  const plain = await server.request('POST', base(setup), { body: { url: 'https://hooks.example.com/plain' } });
  t.match(plain.body.data, { filter: null, retry_schedule: null, timeout: null }, 'unset fields read null');

  const fetched = await server.request('GET', `${base(setup)}/${id}`);
  t.same(fetched.body.data.filter, filter);
  t.same(fetched.body.data.retry_schedule, ['5s', '1m', '2h', '1d']);
  t.equal(fetched.body.data.timeout, '7s');

  const oneAttempt = await server.request('PATCH', `${base(setup)}/${id}`, { body: { retry_schedule: [] } });
  t.same(oneAttempt.body.data.retry_schedule, [], '[] is kept: one attempt only');
  t.same(oneAttempt.body.data.filter, filter, 'fields not given are unchanged');
  const cleared = await server.request('PATCH', `${base(setup)}/${id}`, { body: { filter: null, retry_schedule: null, timeout: null } });
  t.equal(cleared.status, 200);
  t.match(cleared.body.data, { filter: null, retry_schedule: null, timeout: null });
  const stored = await server.db('endpoints').where({ id }).first();
  t.match(stored, { filter: null, retry_schedule: null, timeout: null }, 'cleared in the row too');
});

forEachDatabase(t, 'endpoint delivery fields: bad values answer 400 invalid_request with details', async (t, server) => {
  const setup = await createApp(server);
  const cases: { body: Record<string, unknown>; path: string }[] = [
    { body: { timeout: '0s' }, path: '/timeout' },
    { body: { timeout: '61s' }, path: '/timeout' },
    { body: { timeout: '2m' }, path: '/timeout' },
    { body: { timeout: '10 seconds' }, path: '/timeout' },
    { body: { timeout: 10 }, path: '/timeout' },
    { body: { retry_schedule: ['5s', '500ms'] }, path: '/retry_schedule/1' },
    { body: { retry_schedule: ['8d'] }, path: '/retry_schedule/0' },
    { body: { retry_schedule: ['5x'] }, path: '/retry_schedule/0' },
    { body: { retry_schedule: Array.from({ length: 21 }, () => '1s') }, path: '/retry_schedule' },
    { body: { retry_schedule: '5s' }, path: '/retry_schedule' },
    { body: { filter: { amount: { $between: [1, 2] } } }, path: '/filter/amount/$between' },
    { body: { filter: { $or: [] } }, path: '/filter/$or' },
    { body: { filter: ['a'] }, path: '/filter' },
    { body: { filter: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } } }, path: '/filter' },
    { body: { filter: { big: 'x'.repeat(5000) } }, path: '/filter' },
  ];
  for (const c of cases) {
    const created = await server.request('POST', base(setup), { body: { url: 'https://hooks.example.com/', ...c.body } });
    t.equal(created.status, 400, `create ${JSON.stringify(c.body).slice(0, 60)}`);
    t.equal(created.body.error, 'invalid_request');
    t.ok(
      (created.body.details as Json[]).some((d) => d.path === c.path),
      `details name ${c.path}: ${JSON.stringify(created.body.details).slice(0, 200)}`,
    );
  }
  const endpoint = await createEndpoint(server, setup, 'acme', { url: 'https://hooks.example.com/' });
  const patched = await server.request('PATCH', `${base(setup)}/${endpoint.id}`, { body: { timeout: '90s' } });
  t.equal(patched.status, 400, 'PATCH validates the same way');
  t.match(patched.body, { error: 'invalid_request', details: [{ path: '/timeout' }] });
  const bounds = await server.request('PATCH', `${base(setup)}/${endpoint.id}`, {
    body: { timeout: '60s', retry_schedule: ['1s', '7d'] },
  });
  t.equal(bounds.status, 200, 'the bounds themselves are accepted');
});

forEachDatabase(
  t,
  'retry_schedule [] makes exactly one attempt, then the delivery is failed',
  async (t, server) => {
    runDispatcher(t, server);
    const receiver = await startReceiver(() => ({ status: 500 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    await createEndpoint(server, setup, 'acme', { url: receiver.url, retry_schedule: [] });
    const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    const row = await finished(server, message.id);
    t.match(row, { status: 'failed', attempts: 1 });
    const polls = Date.now();
    await waitFor(() => Date.now() - polls > 700, 'a few dispatcher polls');
    t.equal(receiver.requests.length, 1, 'exactly one request');
    t.equal((await api(server, 'GET', `/apps/${setup.app}/messages/${message.id}/attempts`)).length, 1);
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '100ms,100ms,100ms' } },
);

forEachDatabase(
  t,
  'retry_schedule ["1s"] makes two attempts a second apart while the global schedule would wait an hour',
  async (t, server) => {
    runDispatcher(t, server);
    const receiver = await startReceiver(() => ({ status: 503 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: receiver.url, retry_schedule: ['1s'] });
    const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    const row = await finished(server, message.id);
    t.match(row, { status: 'failed', attempts: 2 });
    t.equal(receiver.requests.length, 2);
    const gap = receiver.requests[1].at - receiver.requests[0].at;
    t.ok(gap >= 750 && gap < 10_000, `second attempt after ~1 s ±20 % jitter (${gap} ms)`);

    // PATCH applies to deliveries already in progress: clearing the override brings the global schedule back
    await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${endpoint.id}`, { retry_schedule: null });
    const later = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
    await receiver.waitForRequests(3);
    const pending = await waitFor(async () => {
      const rows = await server.db('deliveries').where({ message_id: later.id, attempts: 1 });
      return rows[0];
    }, 'the first attempt of the second message');
    t.equal(pending.status, 'pending', 'retried on the global schedule');
    t.ok(Number(pending.next_attempt_at) - Date.now() > 30 * 60_000, 'an hour away');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '1h,1h' } },
);

forEachDatabase(
  t,
  'timeout 1s against a slow receiver fails the attempt with error timeout while the global timeout is longer',
  async (t, server) => {
    runDispatcher(t, server);
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 4_000 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    await createEndpoint(server, setup, 'acme', { url: receiver.url, timeout: '1s', retry_schedule: [] });
    const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    await finished(server, message.id);
    const [attempt] = await api(server, 'GET', `/apps/${setup.app}/messages/${message.id}/attempts`);
    t.match(attempt, { status: 'failed', error: 'timeout', response_status: null });
    // the receiver answers 200 after 4 s and the global timeout is 30 s: error `timeout` means the 1 s override cut it
    t.ok(attempt.duration_ms >= 900, `waited the 1 s first (${attempt.duration_ms} ms)`);
    const shown = await api(server, 'GET', `/apps/${setup.app}/messages/${message.id}`);
    t.match(shown.deliveries, [{ status: 'failed', last_error: 'timeout' }]);
  },
  { env: { DISPATCH_REQUEST_TIMEOUT: '30s' } },
);

forEachDatabase(
  t,
  'a timeout longer than DISPATCH_REQUEST_TIMEOUT is honoured and grows the lease of the claimed delivery',
  async (t, server) => {
    runDispatcher(t, server);
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 2_500 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    await createEndpoint(server, setup, 'acme', { url: receiver.url, timeout: '30s' });
    const claimedAfter = Date.now();
    const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    await receiver.waitForRequests(1);
    const leased = await server.db('deliveries').where({ message_id: message.id }).first();
    t.ok(leased.locked_by, 'claimed while the request is in flight');
    t.ok(
      Number(leased.due_at) >= claimedAfter + leaseMs(30_000) - 1_000,
      `lease sized for the endpoint's 30 s (${Number(leased.due_at) - claimedAfter} ms ahead), not the global 1 s`,
    );
    const row = await finished(server, message.id);
    t.match(row, { status: 'succeeded', attempts: 1 }, 'a 2.5 s answer succeeds although the global timeout is 1 s');
  },
  { env: { DISPATCH_REQUEST_TIMEOUT: '1s' } },
);
