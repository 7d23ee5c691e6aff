import t from 'tap';
import { runRetentionPass } from '../../../server/retention/worker.js';
import { inParallel, startChildServer, type ChildServer } from '../../helpers/child-server.js';
import { createTestDatabase } from '../../helpers/databases.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, runDispatcher, send, type Setup } from '../../helpers/dispatch-fixtures.js';
import { startReceiver } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { TestServer } from '../../helpers/server.js';
import type { Json } from '../../helpers/json.js';

// CONTRACT §8.2: a disabled endpoint's deliveries are held, not skipped

t.setTimeout(240_000);

const endpointPath = (setup: Setup, id: string) => `/apps/${setup.app}/recipients/acme/endpoints/${id}`;

async function statuses(server: TestServer, endpointId: string): Promise<string[]> {
  const rows = await server.db('deliveries').where({ endpoint_id: endpointId }).orderBy('id').select<{ status: string }[]>('status');
  return rows.map((row) => row.status);
}

async function detail(server: TestServer, setup: Setup, messageId: string): Promise<Json> {
  return (await api(server, 'GET', `/apps/${setup.app}/messages/${messageId}`)).deliveries[0];
}

forEachDatabase(
  t,
  'held deliveries: disabling holds pending and new deliveries, nothing is attempted, re-enabling delivers each once',
  async (t, server) => {
    runDispatcher(t, server);
    // the first request fails, so message 1 waits for a retry an hour away (pending); the rest succeed
    const receiver = await startReceiver((_req, index) => (index === 0 ? { status: 500 } : { status: 200 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: receiver.url });

    const first = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    await receiver.waitForRequests(1);
    await waitFor(async () => (await detail(server, setup, first.id)).attempts === 1, 'the failed first attempt to be recorded');
    t.match(await detail(server, setup, first.id), { status: 'pending', last_error: 'http_status' }, 'waiting for its retry');

    const disabled = await api(server, 'PATCH', endpointPath(setup, endpoint.id), { disabled: true });
    t.match(disabled, { disabled: true, held_count: 1 }, 'the pending delivery is held at once and counted');
    t.match(await detail(server, setup, first.id), { status: 'held', attempts: 1, next_attempt_at: null, last_error: 'http_status' });

    const later = [];
    for (let n = 2; n <= 6; n++) later.push(await send(server, setup, { event_type: 'invoice.paid', payload: { n } }));
    t.same(
      later.map((m) => m.delivery_count),
      [1, 1, 1, 1, 1],
      'new messages still fan out to the disabled endpoint',
    );
    t.same(await statuses(server, endpoint.id), ['held', 'held', 'held', 'held', 'held', 'held']);
    t.match(await api(server, 'GET', endpointPath(setup, endpoint.id)), { held_count: 6 });
    const listed = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints`);
    t.equal(listed[0].held_count, 6, 'lists show the held count too');
    const pendingList = await api(server, 'GET', `/apps/${setup.app}/messages?status=pending`);
    t.equal(pendingList.length, 6, 'a message with a held delivery is not finished: it lists as pending');

    // let the dispatcher poll a few times: a held delivery is never claimed
    const polls = Date.now();
    await waitFor(() => Date.now() - polls > 1_000, 'a second of dispatcher polls');
    t.equal(receiver.requests.length, 1, 'no attempt is made while disabled');

    const enabled = await api(server, 'PATCH', endpointPath(setup, endpoint.id), { disabled: false });
    t.match(enabled, { disabled: false, held_count: 0 });
    await receiver.waitForRequests(7, 30_000);
    await waitFor(
      async () => (await statuses(server, endpoint.id)).every((status) => status === 'succeeded'),
      'every delivery to succeed',
      30_000,
    );
    const ids = receiver.requests.slice(1).map((request) => request.headers['webhook-id']);
    t.same([...ids].sort(), [first.id, ...later.map((m) => m.id)].sort(), 'each held message delivered exactly once');
    t.match(await detail(server, setup, first.id), { status: 'succeeded', attempts: 2, last_error: null });
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '1h' } },
);

forEachDatabase(
  t,
  'discard-held fails the held deliveries with last_error discarded; re-enabling sends only newer ones',
  async (t, server) => {
    runDispatcher(t, server);
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: receiver.url, disabled: true });
    const other = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/other` });
    const held = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
    await receiver.waitForRequests(2);
    t.ok(
      receiver.requests.every((request) => request.path === '/other'),
      'only the enabled endpoint was called',
    );

    const missing = await server.request('POST', `/api/v1${endpointPath(setup, 'ep_missing')}/discard-held`);
    t.equal(missing.status, 404);
    t.equal(missing.body.error, 'endpoint_not_found');
    const discarded = await server.request('POST', `/api/v1${endpointPath(setup, endpoint.id)}/discard-held`);
    t.equal(discarded.status, 200);
    t.same(discarded.body, { ok: true, data: { discarded: 2 } });
    const again = await api(server, 'POST', `${endpointPath(setup, endpoint.id)}/discard-held`);
    t.same(again, { discarded: 0 }, 'nothing is left to discard');
    const deliveries = (await api(server, 'GET', `/apps/${setup.app}/messages/${held.id}`)).deliveries as Json[];
    t.same(
      deliveries.find((d) => d.endpoint_id === endpoint.id),
      { endpoint_id: endpoint.id, status: 'failed', attempts: 0, next_attempt_at: null, last_error: 'discarded' },
    );
    t.match(
      deliveries.find((d) => d.endpoint_id === other.id),
      { status: 'succeeded', last_error: null },
    );
    t.equal((await server.db('attempts').where({ endpoint_id: endpoint.id })).length, 0, 'discarding makes no attempt');

    await api(server, 'PATCH', endpointPath(setup, endpoint.id), { disabled: false });
    const fresh = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 3 } });
    await receiver.waitForRequests(4);
    const toEndpoint = receiver.requests.filter((request) => request.path === '/');
    t.same(
      toEndpoint.map((request) => request.headers['webhook-id']),
      [fresh.id],
      'the discarded ones are not sent after re-enabling',
    );
  },
);

forEachDatabase(
  t,
  'auto-disable holds the pending retries of the endpoint it disables',
  async (t, server) => {
    runDispatcher(t, server);
    const receiver = await startReceiver(() => ({ status: 503 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: receiver.url });
    const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    await waitFor(
      async () => (await api(server, 'GET', endpointPath(setup, endpoint.id))).disabled === true,
      'the endpoint to be auto-disabled',
      30_000,
    );
    await waitFor(async () => (await detail(server, setup, message.id)).status === 'held', 'its retry to be held', 30_000);
    const attemptsThen = receiver.requests.length;
    const polls = Date.now();
    await waitFor(() => Date.now() - polls > 800, 'some dispatcher polls');
    t.equal(receiver.requests.length, attemptsThen, 'no attempt once held');
    t.match(await detail(server, setup, message.id), { status: 'held', last_error: 'http_status' });
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms', DISPATCH_DISABLE_AFTER: '250ms' } },
);

forEachDatabase(t, 'held deliveries: a stale endpoint_disabled signal for an enabled endpoint holds nothing', async (t, server) => {
  runDispatcher(t, server);
  const receiver = await startReceiver((_req, index) => (index === 0 ? { status: 500 } : { status: 200 }));
  t.teardown(() => receiver.close());
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: receiver.url, retry_schedule: ['1s'] });
  const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
  await waitFor(async () => (await detail(server, setup, message.id)).attempts === 1, 'the failed first attempt');
  // e.g. the recorder announced an auto-disable that a PATCH undid before the hold ran
  server.deps.emit('endpoint_disabled', { endpointId: endpoint.id, workspaceId: server.workspaceId });
  await waitFor(async () => (await detail(server, setup, message.id)).status === 'succeeded', 'the retry to succeed', 30_000);
  t.equal(receiver.requests.length, 2, 'retried as scheduled, never held');
});

forEachDatabase(t, 'a pending delivery of a disabled endpoint that the dispatcher claims is held, not attempted', async (t, server) => {
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: receiver.url });
  const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
  // what a fan-out racing the PATCH leaves behind: the flag is set, the row still pending
  await server.db('endpoints').where({ id: endpoint.id }).update({ disabled: 1 });
  runDispatcher(t, server);
  await waitFor(async () => (await statuses(server, endpoint.id))[0] === 'held', 'the claimed delivery to be held');
  t.equal(receiver.requests.length, 0, 'not attempted');
  t.match(await detail(server, setup, message.id), { status: 'held', attempts: 0 });
});

forEachDatabase(
  t,
  'retention discards held deliveries older than DISPATCH_RETENTION and releases held ones of enabled endpoints',
  async (t, server) => {
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const old = await createEndpoint(server, setup, 'acme', { url: receiver.url, disabled: true });
    const stranded = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/stranded` });
    const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    // a held row of an enabled endpoint: what a fan-out that raced a re-enable commits
    await server.db('deliveries').where({ endpoint_id: stranded.id }).update({ status: 'held', due_at: null, next_attempt_at: null });
    const now = Date.now();
    const young = await runRetentionPass(server.deps);
    t.match(young, { heldDiscarded: 0, heldReleased: 1 }, 'young held rows stay; the stranded one is released');
    t.same(await statuses(server, old.id), ['held']);
    const released = await server.db('deliveries').where({ endpoint_id: stranded.id }).first();
    t.equal(released.status, 'pending');
    t.ok(Number(released.due_at) >= now - 1000, 'due now');

    const later = { ...server.deps, clock: { now: () => Date.now() + server.config.retentionMs + 60_000 } };
    const report = await runRetentionPass(later);
    t.match(report, { heldDiscarded: 1 });
    t.match(
      ((await api(server, 'GET', `/apps/${setup.app}/messages/${message.id}`)).deliveries as Json[]).find((d) => d.endpoint_id === old.id),
      { status: 'failed', last_error: 'discarded' },
    );
  },
);

forEachDatabase(t, 'held deliveries: discard-held needs endpoint:write', async (t, server) => {
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: 'https://hooks.example.com/', disabled: true });
  const reader = await api(server, 'POST', '/keys', { name: 'reader', scopes: ['endpoint:read'] });
  const denied = await server.request('POST', `/api/v1${endpointPath(setup, endpoint.id)}/discard-held`, { key: reader.key });
  t.equal(denied.status, 403);
  t.match(denied.body, { error: 'missing_scope', required_scope: 'endpoint:write' });
});

const mysqlSkip = process.env.TEST_MYSQL_URL ? false : 'needs TEST_MYSQL_URL (MariaDB/MySQL)';

t.test(
  'held deliveries across two processes: disabled on one, sent through the other, delivered once when enabled',
  { skip: mysqlSkip },
  async (t) => {
    const database = await createTestDatabase('mysql');
    t.teardown(() => database.drop());
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    // one at a time: the first migrates and bootstraps, the second finds it done
    const first = await startChildServer(database.url);
    t.teardown(() => first.kill());
    const second = await startChildServer(database.url);
    t.teardown(() => second.kill());
    const must = async (child: ChildServer, method: string, path: string, body?: unknown) => {
      const response = await child.request(method, `/api/v1${path}`, body);
      if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.data;
    };
    const app = await must(first, 'POST', '/apps', { name: 'held' });
    await must(first, 'POST', `/apps/${app.id}/event-types`, { name: 'tick' });
    await must(first, 'POST', `/apps/${app.id}/recipients`, { uid: 'r' });
    const endpoint = await must(first, 'POST', `/apps/${app.id}/recipients/r/endpoints`, { url: receiver.url });
    const path = `/apps/${app.id}/recipients/r/endpoints/${endpoint.id}`;
    await must(first, 'PATCH', path, { disabled: true });

    const total = 200;
    const ids = await inParallel(
      total,
      10,
      async (i) => (await must(second, 'POST', `/apps/${app.id}/messages`, { event_type: 'tick', payload: { i } })).id as string,
    );
    t.equal(new Set(ids).size, total);
    await waitFor(async () => (await must(second, 'GET', path)).held_count === total, 'every message to be held', 30_000);
    const polls = Date.now();
    await waitFor(() => Date.now() - polls > 1_500, 'both dispatchers to poll a few times');
    t.equal(receiver.connections(), 0, 'nothing is attempted while the endpoint is disabled');

    await must(first, 'PATCH', path, { disabled: false });
    await receiver.waitForRequests(total, 120_000);
    await waitFor(async () => (await must(second, 'GET', path)).held_count === 0, 'no held delivery left', 30_000);
    await waitFor(
      async () => (await must(second, 'GET', `/apps/${app.id}/messages?status=pending&limit=1`)).length === 0,
      'every delivery to finish',
      60_000,
    );
    const counts = new Map<string, number>();
    for (const request of receiver.requests) {
      const id = request.headers['webhook-id'] as string;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    t.equal(counts.size, total, 'every held message was delivered');
    t.ok(
      [...counts.values()].every((n) => n === 1),
      'each exactly once',
    );
    t.same([...counts.keys()].sort(), [...ids].sort());
  },
);
