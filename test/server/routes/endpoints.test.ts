import t from 'tap';
import { randomBytes } from 'node:crypto';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';
import { isValidSigningSecret } from '../../../server/secrets.js';
import { listCandidateEndpoints } from '../../../db/queries/candidate-endpoints.js';
import { findDeliverableEndpoint } from '../../../db/queries/endpoints.js';
import { endpointMatches } from '../../../server/delivery/matcher.js';

const BASE = '/api/v1/apps/billing/recipients/acme/endpoints';

async function setup(server: TestServer) {
  const app = await server.request('POST', '/api/v1/apps', { body: { name: 'Billing', uid: 'billing' } });
  const recipient = await server.request('POST', '/api/v1/apps/billing/recipients', { body: { uid: 'acme' } });
  await server.request('POST', '/api/v1/apps/billing/event-types', { body: { name: 'invoice.paid' } });
  await server.request('POST', '/api/v1/apps/billing/event-types', { body: { name: 'invoice.voided' } });
  return { appId: app.body.data.id as string, recipientId: recipient.body.data.id as string };
}

const givenSecret = () => 'whsec_' + randomBytes(32).toString('base64');

forEachDatabase(t, 'endpoints API creates, reads, updates and deletes endpoints', async (t, server) => {
  const { appId, recipientId } = await setup(server);
  const created = await server.request('POST', BASE, {
    body: {
      url: 'https://hooks.acme.example/in',
      description: 'prod',
      event_types: ['invoice.paid', 'invoice.paid'],
      headers: { 'X-Tenant': '42' },
      rate_limit: 10,
    },
  });
  t.equal(created.status, 201);
  t.match(created.body.data, {
    id: /^ep_/,
    app_id: appId,
    recipient_id: recipientId,
    url: 'https://hooks.acme.example/in',
    description: 'prod',
    event_types: ['invoice.paid'],
    headers: { 'X-Tenant': '42' },
    rate_limit: 10,
    disabled: false,
    disabled_at: null,
  });
  t.ok(isValidSigningSecret(created.body.data.secret), 'a whsec_ secret is generated and returned once');
  const { id, secret } = created.body.data;

  const fetched = await server.request('GET', `${BASE}/${id}`);
  t.equal(fetched.status, 200);
  t.notOk('secret' in fetched.body.data, 'GET never includes the secret');
  const { secret: _omit, ...withoutSecret } = created.body.data;
  t.same(fetched.body.data, withoutSecret);

  const listed = await server.request('GET', BASE);
  t.same(listed.body.data, [withoutSecret]);
  t.notOk(JSON.stringify(listed.body).includes(secret), 'the list never includes the secret');

  const read = await server.request('GET', `${BASE}/${id}/secret`);
  t.same(read.body, { ok: true, data: { secret } });

  const patched = await server.request('PATCH', `${BASE}/${id}`, {
    body: { url: 'https://hooks.acme.example/v2', description: null, event_types: [], headers: {}, rate_limit: null },
  });
  t.equal(patched.status, 200);
  t.match(patched.body.data, { url: 'https://hooks.acme.example/v2', description: null, event_types: [], headers: {}, rate_limit: null });
  t.ok(Date.parse(patched.body.data.updated_at) >= Date.parse(patched.body.data.created_at));

  const deleted = await server.request('DELETE', `${BASE}/${id}`);
  t.same(deleted.body.data, { id, deleted: true });
  const gone = await server.request('GET', `${BASE}/${id}`);
  t.equal(gone.status, 404);
  t.equal(gone.body.error, 'endpoint_not_found');
  t.equal((await server.request('GET', `${BASE}/${id}/secret`)).status, 404);
});

forEachDatabase(t, 'endpoints API validates url, headers, rate_limit, secret and event_types', async (t, server) => {
  await setup(server);
  const expectBad = async (body: unknown, path: string | RegExp, label: string) => {
    const res = await server.request('POST', BASE, { body });
    t.equal(res.status, 400, label);
    t.equal(res.body.error, 'invalid_request', label);
    t.match(res.body.details?.[0]?.path, path, label);
  };
  const ok = 'https://hooks.acme.example/in';
  await expectBad({}, '/url', 'url is required');
  await expectBad({ url: '' }, '/url', 'url must not be empty');
  await expectBad({ url: 'not a url' }, '/url', 'url must be absolute');
  await expectBad({ url: 'ftp://files.example/x' }, '/url', 'url must be http(s)');
  await expectBad({ url: ok, rate_limit: 0 }, '/rate_limit', 'rate_limit at least 1');
  await expectBad({ url: ok, rate_limit: 1.5 }, '/rate_limit', 'rate_limit is an integer');
  await expectBad({ url: ok, headers: { 'X-A': 1 } }, '/headers/X-A', 'header values are strings');
  for (const name of [
    'Host',
    'content-type',
    'Content-Length',
    'User-Agent',
    'webhook-id',
    'Webhook-Signature',
    'connection',
    'Transfer-Encoding',
  ]) {
    await expectBad({ url: ok, headers: { [name]: 'x' } }, `/headers/${name}`, `header ${name} is reserved`);
  }
  await expectBad({ url: ok, headers: { 'bad name': 'x' } }, '/headers/bad name', 'header names are tokens');
  await expectBad({ url: ok, headers: { 'X-A': 'a\r\nX-Injected: 1' } }, '/headers/X-A', 'no CRLF in values');
  await expectBad({ url: ok, secret: 'whsec_short' }, '/secret', 'secret must be whsec_ + 24..64 bytes');
  await expectBad({ url: ok, secret: randomBytes(32).toString('base64') }, '/secret', 'secret needs the whsec_ prefix');
  await expectBad({ url: ok, event_types: ['invoice.refunded'] }, '/event_types/0', 'event types must exist');
  await expectBad({ url: ok, event_types: ['bad name'] }, '/event_types/0', 'event type names follow the pattern');

  await server.request('POST', '/api/v1/apps/billing/event-types/invoice.voided/archive');
  await expectBad({ url: ok, event_types: ['invoice.paid', 'invoice.voided'] }, '/event_types/1', 'archived event types are refused');
  t.equal(
    await server
      .db('endpoints')
      .count({ n: '*' })
      .first()
      .then((r) => Number(r?.n)),
    0,
    'nothing stored',
  );

  const secret = givenSecret();
  const given = await server.request('POST', BASE, { body: { url: ok, secret, disabled: true } });
  t.equal(given.status, 201);
  t.equal(given.body.data.secret, secret, 'a given secret is used');
  t.equal(given.body.data.disabled, true);
  t.ok(Date.parse(given.body.data.disabled_at) > 0, 'created disabled: disabled_at is set');
  t.equal((await server.request('GET', `${BASE}/${given.body.data.id}/secret`)).body.data.secret, secret);

  const badPatch = await server.request('PATCH', `${BASE}/${given.body.data.id}`, { body: { headers: { host: 'evil' } } });
  t.equal(badPatch.status, 400);
  const badPatchTypes = await server.request('PATCH', `${BASE}/${given.body.data.id}`, { body: { event_types: ['nope'] } });
  t.equal(badPatchTypes.status, 400);
  t.equal(badPatchTypes.body.details[0].path, '/event_types/0');
});

forEachDatabase(t, 'endpoints API re-enables a disabled endpoint and announces it', async (t, server) => {
  await setup(server);
  const created = await server.request('POST', BASE, { body: { url: 'https://hooks.acme.example/in' } });
  const id = created.body.data.id;
  const disabled = await server.request('PATCH', `${BASE}/${id}`, { body: { disabled: true } });
  t.equal(disabled.body.data.disabled, true);
  t.ok(disabled.body.data.disabled_at);
  // as the dispatcher leaves an auto-disabled endpoint
  await server
    .db('endpoints')
    .where({ id })
    .update({ consecutive_failures: 40, failing_since: Date.now() - 1000 });

  const announced: unknown[] = [];
  server.deps.signals.on('endpoint_enabled', (event) => announced.push(event));
  const enabled = await server.request('PATCH', `${BASE}/${id}`, { body: { disabled: false } });
  t.equal(enabled.status, 200);
  t.match(enabled.body.data, { disabled: false, disabled_at: null });
  const row = await server.db('endpoints').where({ id }).first();
  t.equal(Number(row.consecutive_failures), 0);
  t.equal(row.failing_since, null);
  t.equal(row.disabled_at, null);
  t.same(announced, [{ endpointId: id, workspaceId: server.workspaceId }]);
});

forEachDatabase(t, 'endpoints API rotates the secret and keeps the previous one for 24 h', async (t, server) => {
  await setup(server);
  const created = await server.request('POST', BASE, { body: { url: 'https://hooks.acme.example/in' } });
  const { id, secret: first } = created.body.data;

  const before = Date.now();
  const rotated = await server.request('POST', `${BASE}/${id}/rotate-secret`);
  t.equal(rotated.status, 200);
  const second = rotated.body.data.secret;
  t.ok(isValidSigningSecret(second));
  t.not(second, first);
  t.equal((await server.request('GET', `${BASE}/${id}/secret`)).body.data.secret, second, 'the new secret is current');

  const row = await server.db('endpoints').where({ id }).first();
  t.equal(row.previous_secret, first, 'the previous secret is kept');
  const expiresAt = Number(row.previous_secret_expires_at);
  t.ok(expiresAt >= before + 24 * 3600_000 && expiresAt <= Date.now() + 24 * 3600_000, 'and expires in 24 h');

  const deliverable = await findDeliverableEndpoint(server.db, id, { now: Date.now() });
  t.same(deliverable?.secrets, [second, first], 'both secrets sign during the window');
  const later = await findDeliverableEndpoint(server.db, id, { now: expiresAt + 1 });
  t.same(later?.secrets, [second], 'only the new one after it');

  const third = givenSecret();
  const givenRotation = await server.request('POST', `${BASE}/${id}/rotate-secret`, { body: { secret: third } });
  t.same(givenRotation.body.data, { secret: third }, 'a given secret is used');
  const after = await server.db('endpoints').where({ id }).first();
  t.equal(after.secret, third);
  t.equal(after.previous_secret, second);
  t.same((await findDeliverableEndpoint(server.db, id, { now: Date.now() }))?.secrets, [third, second]);

  const bad = await server.request('POST', `${BASE}/${id}/rotate-secret`, { body: { secret: 'nope' } });
  t.equal(bad.status, 400);
  t.equal(bad.body.details[0].path, '/secret');
  t.notOk(server.logs.join('').includes(third), 'secrets never reach the logs');
});

forEachDatabase(
  t,
  'endpoints API stores secrets sealed when an encryption key is set',
  async (t, server) => {
    await setup(server);
    const secret = givenSecret();
    const created = await server.request('POST', BASE, { body: { url: 'https://hooks.acme.example/in', secret } });
    const id = created.body.data.id;
    const row = await server.db('endpoints').where({ id }).first();
    t.match(row.secret, /^enc:v1:/);
    t.notOk(row.secret.includes(secret.slice(6)));
    t.equal((await server.request('GET', `${BASE}/${id}/secret`)).body.data.secret, secret);

    const rotated = await server.request('POST', `${BASE}/${id}/rotate-secret`);
    const sealed = await server.db('endpoints').where({ id }).first();
    t.match(sealed.previous_secret, /^enc:v1:/);
    const ep = await findDeliverableEndpoint(server.db, id, { encryptionKey: server.config.encryptionKey, now: Date.now() });
    t.same(ep?.secrets, [rotated.body.data.secret, secret]);
  },
  { env: { DISPATCH_ENCRYPTION_KEY: randomBytes(32).toString('base64') } },
);

forEachDatabase(
  t,
  'endpoints API refuses literal private destinations when private networks are blocked',
  async (t, server) => {
    await setup(server);
    for (const url of [
      'http://127.0.0.1/hook',
      'http://[::1]:8080/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/',
      'http://10.0.0.7/',
      'http://0.0.0.0/',
    ]) {
      const res = await server.request('POST', BASE, { body: { url } });
      t.equal(res.status, 400, url);
      t.equal(res.body.error, 'destination_invalid', url);
    }
    const named = await server.request('POST', BASE, { body: { url: 'https://localhost.example.com/hook' } });
    t.equal(named.status, 201, 'host names are not resolved at create time');
    const moved = await server.request('PATCH', `${BASE}/${named.body.data.id}`, { body: { url: 'http://192.168.1.1/' } });
    t.equal(moved.status, 400);
    t.equal(moved.body.error, 'destination_invalid');
    const credentials = await server.request('POST', BASE, { body: { url: 'https://user:pw@hooks.example.com/' } });
    t.equal(credentials.body.error, 'destination_invalid');
    const allowedCidr = await server.request('POST', BASE, { body: { url: 'http://10.1.2.3/' } });
    t.equal(allowedCidr.status, 201, 'DISPATCH_ALLOWED_CIDRS lets a private range through');
  },
  { env: { DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false', DISPATCH_ALLOWED_CIDRS: '10.1.0.0/16' } },
);

forEachDatabase(
  t,
  'fan-out matches endpoints (disabled ones too: they get held deliveries) of the target recipients and the event type among the candidates',
  async (t, server) => {
    const { appId, recipientId } = await setup(server);
    await server.request('POST', '/api/v1/apps/billing/recipients', { body: { uid: 'globex' } });
    const make = (recipient: string, body: object) =>
      server
        .request('POST', `/api/v1/apps/billing/recipients/${recipient}/endpoints`, { body: { url: 'https://h.example/', ...body } })
        .then((r) => r.body.data);
    const all = await make('acme', { headers: { 'X-A': '1' }, rate_limit: 5 });
    const paidOnly = await make('acme', { event_types: ['invoice.paid'] });
    const disabled = await make('acme', { disabled: true });
    const globex = await make('globex', {});

    const matching = async (target: string | null, eventType: string) =>
      (await listCandidateEndpoints(server.db, [{ appId, recipientId: target }])).filter((ep) =>
        endpointMatches(ep, { appId, recipientId: target, eventType }),
      );
    const acme = await matching(recipientId, 'invoice.paid');
    t.same(
      acme.map((ep) => ep.id),
      [all.id, paidOnly.id, disabled.id].sort(),
      'other recipients are left out; a disabled endpoint matches (CONTRACT §8.2: its deliveries are held)',
    );
    t.match(acme[0], { appId, recipientId, eventTypes: [], disabled: false });
    t.notOk('secrets' in acme[0], 'matching never opens secrets');
    t.match(
      await findDeliverableEndpoint(server.db, all.id, { now: Date.now() }),
      { headers: { 'X-A': '1' }, rateLimit: 5, secrets: [all.secret] },
      'secrets open where a request is signed',
    );
    const everyone = await matching(null, 'invoice.voided');
    t.same(everyone.map((ep) => ep.id).sort(), [all.id, disabled.id, globex.id].sort(), 'the event type filter applies');
  },
);
