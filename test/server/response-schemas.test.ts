import t, { type Test } from 'tap';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { openOrBumpAnomaly } from '../../db/queries/anomalies.js';
import { startOperationalEvents } from '../../server/operational/listener.js';
import { apiRoutes } from '../../server/routes/index.js';
import { portalRoutes } from '../../server/portal/router.js';
import { listEnvelope, singleEnvelope } from '../../server/schemas/responses/common.js';
import type { JsonSchema } from '../../server/schemas/validate.js';
import { forEachDatabase } from '../helpers/each-database.js';
import { runDispatcher } from '../helpers/dispatch-fixtures.js';
import { startReceiver } from '../helpers/receiver.js';
import type { ApiResponse, TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Every route's real answer matches the response schema it declares (the one OpenAPI publishes
 * and its serialiser is typed by): one scripted workflow drives each API and portal operation once
 * on each database and validates the body with ajv. A route the workflow does not reach fails the
 * last subtest, so a new route must be added here.
 */

const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => void };

interface Operation {
  method: string;
  /** Koa path template as served, e.g. `/api/v1/apps/:app`. */
  template: string;
  status: number;
  list: boolean;
  response: JsonSchema;
}

const operations: Operation[] = [
  ...apiRoutes.map((route) => ({ ...route, template: `/api/v1${route.path}`, list: route.list === true })),
  ...portalRoutes.map((route) => ({ ...route, template: `/api/v1/portal${route.path}`, list: route.list === true })),
];
const keyOf = (method: string, template: string) => `${method.toUpperCase()} ${template}`;

class Checker {
  readonly exercised = new Set<string>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly t: Test,
    private readonly server: TestServer,
  ) {
    addFormats.default(this.ajv);
  }

  /**
   * Calls `method template` with the path parameters filled in (and the admin key, or `token`) and
   * checks the status and the body against the operation's envelope + response schema.
   */
  async call(
    method: string,
    template: string,
    params: Record<string, string> = {},
    options: { body?: unknown; token?: string; headers?: Record<string, string>; query?: string } = {},
  ): Promise<ApiResponse> {
    const operation = operations.find((op) => op.method === method && op.template === template);
    if (!operation) throw new Error(`no operation ${keyOf(method, template)}`);
    const path =
      template.replace(/:([A-Za-z_]+)/g, (_, name: string) => encodeURIComponent(params[name] ?? `<${name}?>`)) + (options.query ?? '');
    const res = await this.server.request(method.toUpperCase(), path, { body: options.body, key: options.token, headers: options.headers });
    const key = keyOf(method, template);
    this.t.equal(res.status, operation.status, `${key} answers ${operation.status}`, { body: res.body });
    if (operation.list) this.t.ok(Array.isArray(res.body?.data) && res.body.data.length > 0, `${key} lists at least one item to check`);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(operation.list ? listEnvelope(operation.response) : singleEnvelope(operation.response));
      this.validators.set(key, validate);
    }
    this.t.ok(validate(res.body), `${key} matches its response schema`, { errors: validate.errors, body: res.body });
    this.exercised.add(key);
    return res;
  }
}

forEachDatabase(t, 'responses of every route', async (t, server) => {
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  runDispatcher(t, server);
  const api = new Checker(t, server);
  const since = new Date(Date.now() - 60_000).toISOString();

  // keys
  const key = (await api.call('post', '/api/v1/keys', {}, { body: { name: 'reader', scopes: ['app:read'] } })).body.data;
  await api.call('get', '/api/v1/keys');
  await api.call('get', '/api/v1/keys/:id', { id: key.id });
  await api.call('delete', '/api/v1/keys/:id', { id: key.id });

  // apps, event types, recipients
  const app = (await api.call('post', '/api/v1/apps', {}, { body: { name: 'Billing', uid: 'billing', metadata: { team: 'payments' } } }))
    .body.data;
  await api.call('get', '/api/v1/apps');
  await api.call('get', '/api/v1/apps/:app', { app: app.id });
  await api.call('patch', '/api/v1/apps/:app', { app: 'billing' }, { body: { name: 'Billing v2' } });
  const et = { app: app.id, name: 'invoice.paid' };
  await api.call('post', '/api/v1/apps/:app/event-types', et, {
    body: { name: 'invoice.paid', description: 'Paid.', schema: { type: 'object', properties: { invoice: { type: 'string' } } } },
  });
  await api.call('post', '/api/v1/apps/:app/event-types', et, { body: { name: 'invoice.void' } });
  await api.call('get', '/api/v1/apps/:app/event-types', et);
  await api.call('get', '/api/v1/apps/:app/event-types/:name', et);
  await api.call('patch', '/api/v1/apps/:app/event-types/:name', et, { body: { description: null } });
  await api.call('post', '/api/v1/apps/:app/event-types/:name/archive', { app: app.id, name: 'invoice.void' });
  await api.call('post', '/api/v1/apps/:app/event-types/:name/unarchive', { app: app.id, name: 'invoice.void' });
  const recipient = (await api.call('post', '/api/v1/apps/:app/recipients', { app: app.id }, { body: { uid: 'acme', name: 'Acme' } })).body
    .data;
  const rcp = { app: app.id, recipient: recipient.id };
  await api.call('get', '/api/v1/apps/:app/recipients', rcp);
  await api.call('get', '/api/v1/apps/:app/recipients/:recipient', rcp);
  await api.call('patch', '/api/v1/apps/:app/recipients/:recipient', rcp, { body: { name: null, metadata: { plan: 'pro' } } });
  const session = (await api.call('post', '/api/v1/apps/:app/recipients/:recipient/portal-sessions', rcp, { body: {} })).body.data;

  // endpoints and messages
  const endpoints = '/api/v1/apps/:app/recipients/:recipient/endpoints';
  const endpoint = (
    await api.call('post', endpoints, rcp, {
      body: {
        url: `${receiver.url}/hook`,
        description: 'main',
        event_types: ['invoice.paid'],
        headers: { 'x-tenant': '42' },
        rate_limit: 50,
      },
    })
  ).body.data;
  const ep = { ...rcp, endpoint: endpoint.id };
  await api.call('get', endpoints, rcp);
  await api.call('get', `${endpoints}/:endpoint`, ep);
  await api.call('patch', `${endpoints}/:endpoint`, ep, { body: { description: null, rate_limit: null } });
  await api.call('get', `${endpoints}/:endpoint/secret`, ep);
  await api.call('post', `${endpoints}/:endpoint/rotate-secret`, ep, { body: {} });
  const sent = (
    await api.call(
      'post',
      '/api/v1/apps/:app/messages',
      { app: app.id },
      {
        body: { event_type: 'invoice.paid', payload: { invoice: 'in_1' }, recipient: 'acme' },
        headers: { 'idempotency-key': 'order-1' },
      },
    )
  ).body.data;
  const msg = { app: app.id, msg: sent.id };
  await waitFor(
    async () => (await server.request('GET', `/api/v1/apps/${app.id}/messages/${sent.id}/attempts`)).body.data.length > 0,
    'the first attempt',
  );
  await api.call('get', '/api/v1/apps/:app/messages', { app: app.id });
  await api.call('get', '/api/v1/apps/:app/messages/:msg', msg);
  await api.call('get', '/api/v1/apps/:app/messages/:msg/attempts', msg);
  await api.call('get', '/api/v1/deliveries', {}, { query: `?status=succeeded&app=billing&event_type=invoice.paid&since=${since}` });
  await api.call('post', '/api/v1/apps/:app/messages/:msg/replay', msg, { body: {} });
  await api.call('get', `${endpoints}/:endpoint/attempts`, ep);
  await api.call('post', `${endpoints}/:endpoint/recover`, ep, { body: { since } });
  await api.call(
    'post',
    '/api/v1/apps/:app/filters/test',
    { app: app.id },
    { body: { filter: { invoice: 'in_1' }, payload: { invoice: 'in_1' } } },
  );
  await api.call('post', '/api/v1/apps/:app/messages/replay', { app: app.id }, { body: { since, status: 'any' } });
  // delivery overrides and held deliveries (CONTRACT §8, §8.2)
  await api.call('patch', `${endpoints}/:endpoint`, ep, {
    body: { disabled: true, filter: { invoice: { $prefix: 'in_' } }, retry_schedule: ['1s'], timeout: '5s' },
  });
  const heldMessage = (
    await api.call(
      'post',
      '/api/v1/apps/:app/messages',
      { app: app.id },
      { body: { event_type: 'invoice.paid', payload: { invoice: 'in_2' } } },
    )
  ).body.data;
  await api.call('get', '/api/v1/apps/:app/messages/:msg', { app: app.id, msg: heldMessage.id });
  await api.call('get', `${endpoints}/:endpoint`, ep);
  await api.call('post', `${endpoints}/:endpoint/discard-held`, ep);
  await api.call('get', '/api/v1/apps/:app/messages/:msg', { app: app.id, msg: heldMessage.id });
  await api.call('patch', `${endpoints}/:endpoint`, ep, { body: { disabled: false, filter: null, retry_schedule: null, timeout: null } });

  // the portal, as the recipient's developer sees it
  const portal = { token: session.token };
  await api.call('get', '/api/v1/portal/session', {}, portal);
  await api.call('get', '/api/v1/portal/event-types', {}, portal);
  await api.call('get', '/api/v1/portal/endpoints', {}, portal);
  const own = (await api.call('post', '/api/v1/portal/endpoints', {}, { ...portal, body: { url: `${receiver.url}/portal` } })).body.data;
  await api.call('get', '/api/v1/portal/endpoints/:id', { id: own.id }, portal);
  await api.call('patch', '/api/v1/portal/endpoints/:id', { id: own.id }, { ...portal, body: { disabled: false } });
  await api.call('get', '/api/v1/portal/endpoints/:id/secret', { id: own.id }, portal);
  await api.call('post', '/api/v1/portal/endpoints/:id/rotate-secret', { id: own.id }, { ...portal, body: {} });
  await api.call('get', '/api/v1/portal/messages', {}, portal);
  await api.call('get', '/api/v1/portal/messages/:id/attempts', { id: sent.id }, portal);
  await api.call('post', '/api/v1/portal/messages/:id/replay', { id: sent.id }, { ...portal, body: { endpoint_id: endpoint.id } });
  await api.call('delete', '/api/v1/portal/endpoints/:id', { id: own.id }, portal);

  // sources, ingest and events
  const source = (
    await api.call(
      'post',
      '/api/v1/sources',
      {},
      {
        body: {
          name: 'github',
          destination: { url: `${receiver.url}/forward`, headers: { 'x-team': 'ci' } },
          dedupe: { key: 'body_hash', window: '1h' },
        },
      },
    )
  ).body.data;
  const src = { id: source.id };
  await api.call('get', '/api/v1/sources');
  await api.call('get', '/api/v1/sources/:id', src);
  await api.call('patch', '/api/v1/sources/:id', src, {
    body: {
      name: 'github pushes',
      destinations: [
        { url: `${receiver.url}/forward`, headers: { 'x-team': 'ci' } },
        { url: `${receiver.url}/main`, filter: { ref: 'main' }, path_forwarding: true, rate_limit: 10 },
      ],
    },
  });
  // the ingest URL names the configured public URL; the same path on this test server
  const ingested = await fetch(server.url + new URL(source.ingest_url).pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"ref":"main"}',
  });
  t.equal(ingested.status, 200, 'the ingest URL takes the event');
  const listed = await waitFor(async () => {
    const events = (await server.request('GET', '/api/v1/events')).body.data;
    return events.length > 0 && events[0].status === 'delivered' ? events : null;
  }, 'the forward');
  await api.call('get', '/api/v1/events');
  await api.call('get', '/api/v1/events/:id', { id: listed[0].id });
  await api.call('post', '/api/v1/events/:id/replay', { id: listed[0].id });
  await api.call('post', '/api/v1/sources/:id/pause', src);
  await api.call('post', '/api/v1/sources/:id/resume', src);

  // operational webhooks (CONTRACT §8.5): the resolve below is announced to this endpoint
  const operational = startOperationalEvents(server.deps);
  t.teardown(() => operational.stop(5_000));
  const oep = (await api.call('post', '/api/v1/operational-endpoints', {}, { body: { url: `${receiver.url}/ops` } })).body.data;

  // anomalies: opened the way a detector opens one
  await openOrBumpAnomaly(
    server.db,
    {
      workspaceId: server.workspaceId,
      type: 'endpoint_failing',
      subjectKind: 'endpoint',
      subjectId: endpoint.id,
      title: 'Endpoint is failing',
      details: { consecutive_failures: 7, threshold: 5 },
      occurrenceKey: 'test-1',
    },
    Date.now(),
  );
  const anomaly = (await api.call('get', '/api/v1/anomalies')).body.data[0];
  await api.call('get', '/api/v1/anomalies/:id', { id: anomaly.id });
  await api.call('post', '/api/v1/anomalies/:id/acknowledge', { id: anomaly.id });
  await api.call('post', '/api/v1/anomalies/:id/resolve', { id: anomaly.id });
  await waitFor(
    async () => (await server.request('GET', `/api/v1/operational-endpoints/${oep.id}/attempts`)).body.data.length > 0,
    'the anomaly.resolved event at the operational endpoint',
  );
  await api.call('get', '/api/v1/operational-endpoints');
  await api.call('get', '/api/v1/operational-endpoints/:id', { id: oep.id });
  await api.call('get', '/api/v1/operational-endpoints/:id/attempts', { id: oep.id });
  await api.call(
    'patch',
    '/api/v1/operational-endpoints/:id',
    { id: oep.id },
    { body: { format: 'slack', event_types: ['anomaly.opened'] } },
  );
  await api.call('delete', '/api/v1/operational-endpoints/:id', { id: oep.id });
  await api.call('get', '/api/v1/stats');

  // deletes last
  await api.call('delete', '/api/v1/sources/:id', src);
  await api.call('delete', `${endpoints}/:endpoint`, ep);
  await api.call('delete', '/api/v1/apps/:app/recipients/:recipient', rcp);
  await api.call('delete', '/api/v1/apps/:app', { app: app.id });

  t.test('the workflow reached every API and portal route', async (t) => {
    const missing = operations.map((op) => keyOf(op.method, op.template)).filter((k) => !api.exercised.has(k));
    t.same(missing, [], 'add new routes to this workflow');
  });
});
