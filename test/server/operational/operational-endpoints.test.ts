import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';

const base = '/api/v1/operational-endpoints';

async function keyWith(server: TestServer, scopes: string[]): Promise<string> {
  const created = await server.request('POST', '/api/v1/keys', { body: { name: scopes.join(' '), scopes } });
  if (created.status !== 201) throw new Error(`key create answered ${created.status}`);
  return created.body.data.key as string;
}

forEachDatabase(t, 'operational endpoints are created, listed, read, patched and deleted', async (t, server) => {
  const created = await server.request('POST', base, { body: { url: 'http://127.0.0.1:9/ops', headers: { 'x-team': 'ops' } } });
  t.equal(created.status, 201);
  const endpoint = created.body.data;
  t.match(endpoint, {
    id: /^oep_[0-9A-Za-z]{22}$/,
    url: 'http://127.0.0.1:9/ops',
    event_types: [],
    format: 'standard',
    headers: { 'x-team': 'ops' },
    disabled: false,
    disabled_at: null,
    secret: /^whsec_[A-Za-z0-9+/=]+$/,
  });

  const slack = await server.request('POST', base, {
    body: {
      url: 'http://127.0.0.1:9/slack',
      format: 'slack',
      event_types: ['anomaly.opened', 'anomaly.opened', 'message.failed'],
      disabled: true,
    },
  });
  t.equal(slack.status, 201);
  t.match(slack.body.data, { format: 'slack', event_types: ['anomaly.opened', 'message.failed'], disabled: true, disabled_at: String });

  const list = await server.request('GET', `${base}?limit=1`);
  t.equal(list.status, 200);
  t.same(
    list.body.data.map((e: { id: string }) => e.id),
    [slack.body.data.id],
    'newest first, one per page',
  );
  t.equal(list.body.data[0].secret, undefined, 'lists never show the secret');
  const second = await server.request('GET', `${base}?limit=1&cursor=${list.body.next_cursor}`);
  t.same(
    second.body.data.map((e: { id: string }) => e.id),
    [endpoint.id],
  );
  t.equal(second.body.next_cursor, null);

  const read = await server.request('GET', `${base}/${endpoint.id}`);
  t.equal(read.status, 200);
  t.equal(read.body.data.secret, undefined, 'a read never shows the secret');
  t.equal(read.body.data.url, endpoint.url);

  const patched = await server.request('PATCH', `${base}/${endpoint.id}`, {
    body: { format: 'slack', event_types: ['endpoint.disabled'], url: 'http://127.0.0.1:9/other', disabled: true },
  });
  t.equal(patched.status, 200);
  t.match(patched.body.data, {
    id: endpoint.id,
    format: 'slack',
    event_types: ['endpoint.disabled'],
    url: 'http://127.0.0.1:9/other',
    disabled: true,
    disabled_at: String,
    headers: { 'x-team': 'ops' },
  });
  const enabled = await server.request('PATCH', `${base}/${endpoint.id}`, { body: { disabled: false, format: 'standard' } });
  t.match(enabled.body.data, { format: 'standard', disabled: false, disabled_at: null });

  const deleted = await server.request('DELETE', `${base}/${endpoint.id}`);
  t.equal(deleted.status, 200);
  t.same(deleted.body.data, { id: endpoint.id, deleted: true });
  for (const [method, body] of [
    ['GET', undefined],
    ['PATCH', { disabled: true }],
    ['DELETE', undefined],
  ] as const) {
    const gone = await server.request(method, `${base}/${endpoint.id}`, { body });
    t.equal(gone.status, 404, `${method} after delete`);
    t.equal(gone.body.error, 'endpoint_not_found');
  }
  const unknown = await server.request('GET', `${base}/oep_000000000000000000000`);
  t.equal(unknown.body.error, 'endpoint_not_found', 'an unknown oep_ id is 404 endpoint_not_found');
  const userEndpointId = await server.request('GET', `${base}/ep_000000000000000000000`);
  t.equal(userEndpointId.status, 404, 'a user endpoint id is not an operational endpoint');
});

forEachDatabase(t, 'operational endpoint input is validated', async (t, server) => {
  const cases: [string, unknown, string][] = [
    ['no url', {}, '/url'],
    ['unknown format', { url: 'http://127.0.0.1:9/', format: 'teams' }, '/format'],
    ['unknown event type', { url: 'http://127.0.0.1:9/', event_types: ['invoice.paid'] }, '/event_types/0'],
    ['unknown field', { url: 'http://127.0.0.1:9/', secret: 'whsec_x' }, '/secret'],
    ['refused header', { url: 'http://127.0.0.1:9/', headers: { 'webhook-id': 'x' } }, '/headers/webhook-id'],
    ['control character in a header', { url: 'http://127.0.0.1:9/', headers: { 'x-a': 'a\u0001b' } }, '/headers/x-a'],
    ['url too long', { url: `http://127.0.0.1:9/${'a'.repeat(2100)}` }, '/url'],
  ];
  for (const [label, body, path] of cases) {
    const answer = await server.request('POST', base, { body });
    t.equal(answer.status, 400, label);
    t.equal(answer.body.error, 'invalid_request', label);
    t.ok(
      (answer.body.details as { path: string }[]).some((detail) => detail.path === path),
      `${label}: details name ${path}`,
      { details: answer.body.details },
    );
  }
  const created = await server.request('POST', base, { body: { url: 'http://127.0.0.1:9/' } });
  const patch = await server.request('PATCH', `${base}/${created.body.data.id}`, { body: { format: null } });
  t.equal(patch.status, 400);
  t.equal(patch.body.error, 'invalid_request');
  t.equal((await server.request('GET', base)).body.data.length, 1, 'nothing was created by refused requests');
});

forEachDatabase(
  t,
  'an operational endpoint on a blocked literal IP is refused',
  async (t, server) => {
    const answer = await server.request('POST', base, { body: { url: 'http://169.254.169.254/latest' } });
    t.equal(answer.status, 400);
    t.equal(answer.body.error, 'destination_invalid');
    const ok = await server.request('POST', base, { body: { url: 'https://hooks.slack.example/services/T0/B0/x', format: 'slack' } });
    t.equal(ok.status, 201);
    const patch = await server.request('PATCH', `${base}/${ok.body.data.id}`, { body: { url: 'http://10.0.0.1/' } });
    t.equal(patch.body.error, 'destination_invalid');
  },
  { env: { DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false' } },
);

forEachDatabase(t, 'operational endpoints need anomaly:read to read and anomaly:write to change', async (t, server) => {
  const reader = await keyWith(server, ['anomaly:read']);
  const writer = await keyWith(server, ['anomaly:write']);
  const endpointOnly = await keyWith(server, ['endpoint:read', 'endpoint:write']);
  const created = await server.request('POST', base, { key: writer, body: { url: 'http://127.0.0.1:9/' } });
  t.equal(created.status, 201, 'anomaly:write creates');
  const id = created.body.data.id as string;
  t.equal((await server.request('GET', base, { key: reader })).status, 200, 'anomaly:read lists');
  t.equal((await server.request('GET', `${base}/${id}`, { key: reader })).status, 200, 'anomaly:read reads');

  const denied = await server.request('PATCH', `${base}/${id}`, { key: reader, body: { disabled: true } });
  t.equal(denied.status, 403);
  t.same([denied.body.error, denied.body.required_scope], ['missing_scope', 'anomaly:write']);
  const noRead = await server.request('GET', base, { key: writer });
  t.same([noRead.status, noRead.body.required_scope], [403, 'anomaly:read'], 'write does not imply read');
  const wrongResource = await server.request('POST', base, { key: endpointOnly, body: { url: 'http://127.0.0.1:9/' } });
  t.same([wrongResource.status, wrongResource.body.required_scope], [403, 'anomaly:write'], 'endpoint scopes do not reach them');
  t.equal((await server.request('DELETE', `${base}/${id}`, { key: reader })).status, 403);
  t.equal((await server.request('DELETE', `${base}/${id}`, { key: writer })).status, 200);
  t.equal((await server.request('GET', base, { key: null })).status, 401);
});

forEachDatabase(
  t,
  'the system app is hidden from /apps, sends and plan counts',
  async (t, server) => {
    const created = await server.request('POST', base, { body: { url: 'http://127.0.0.1:9/' } });
    t.equal(created.status, 201);
    const system = await server.db('apps').whereNotNull('system_of').first();
    t.ok(system, 'creating an operational endpoint created the workspace system app');
    t.equal(system.system_of, server.workspaceId);
    const appCountBefore = (await server.request('GET', '/api/v1/apps')).body.data.length;
    t.equal(appCountBefore, 0, 'GET /apps does not list the system app');

    for (const [method, path, body] of [
      ['GET', `/api/v1/apps/${system.id}`, undefined],
      ['PATCH', `/api/v1/apps/${system.id}`, { name: 'mine now' }],
      ['DELETE', `/api/v1/apps/${system.id}`, undefined],
      ['GET', `/api/v1/apps/${system.id}/recipients`, undefined],
      ['GET', `/api/v1/apps/${system.id}/messages`, undefined],
      ['POST', `/api/v1/apps/${system.id}/messages`, { event_type: 'message.failed', payload: {} }],
      ['POST', `/api/v1/apps/${system.id}/event-types`, { name: 'x' }],
    ] as const) {
      const answer = await server.request(method, path, { body });
      t.equal(answer.status, 404, `${method} ${path.replace(system.id, '<system app>')}`);
      t.equal(answer.body.error, 'app_not_found');
    }
    t.ok(await server.db('apps').where({ id: system.id }).first(), 'the system app is untouched');

    // DISPATCH_PLAN_LIMITS apps=1: the system app does not use the workspace's only app
    const app = await server.request('POST', '/api/v1/apps', { body: { name: 'shop' } });
    t.equal(app.status, 201, 'the one allowed app can still be created');
    t.equal((await server.request('POST', '/api/v1/apps', { body: { name: 'second' } })).body.error, 'plan_limit_reached');
    t.same(
      (await server.request('GET', '/api/v1/apps')).body.data.map((a: { id: string }) => a.id),
      [app.body.data.id],
    );

    // a second operational endpoint reuses the system app; endpoints_per_recipient=2 bounds them
    t.equal((await server.request('POST', base, { body: { url: 'http://127.0.0.1:9/', format: 'slack' } })).status, 201);
    t.equal((await server.db('apps').whereNotNull('system_of')).length, 1, 'one system app per workspace');
    const third = await server.request('POST', base, { body: { url: 'http://127.0.0.1:9/' } });
    t.equal(third.status, 429);
    t.equal(third.body.error, 'plan_limit_reached');
  },
  { env: { DISPATCH_PLAN_LIMITS: '{"apps":1,"endpoints_per_recipient":2}' } },
);

forEachDatabase(t, 'concurrent first creates share one system app', async (t, server) => {
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      server.request('POST', base, { body: { url: `http://127.0.0.1:9/${i}`, format: i % 2 ? 'slack' : 'standard' } }),
    ),
  );
  t.same(
    answers.map((a) => a.status),
    Array(6).fill(201),
  );
  t.equal((await server.db('apps').whereNotNull('system_of')).length, 1);
  const system = await server.db('apps').whereNotNull('system_of').first();
  t.equal((await server.db('recipients').where({ app_id: system.id })).length, 2, 'one recipient per format');
  t.equal((await server.request('GET', base)).body.data.length, 6);
});

forEachDatabase(t, "an operational endpoint's attempt log needs anomaly:read and its id", async (t, server) => {
  const created = await server.request('POST', base, { body: { url: 'http://127.0.0.1:9/' } });
  const empty = await server.request('GET', `${base}/${created.body.data.id}/attempts?status=failed`);
  t.equal(empty.status, 200);
  t.same([empty.body.data, empty.body.next_cursor], [[], null]);
  const unknown = await server.request('GET', `${base}/oep_000000000000000000000/attempts`);
  t.same([unknown.status, unknown.body.error], [404, 'endpoint_not_found']);
  const writer = await keyWith(server, ['anomaly:write']);
  const denied = await server.request('GET', `${base}/${created.body.data.id}/attempts`, { key: writer });
  t.same([denied.status, denied.body.required_scope], [403, 'anomaly:read']);
  const bad = await server.request('GET', `${base}/${created.body.data.id}/attempts?status=pending`);
  t.same([bad.status, bad.body.error], [400, 'invalid_request']);
});
