import { randomBytes } from 'node:crypto';
import t from 'tap';
import { encryptSecrets } from '../../../server/encrypt-secrets.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { Json } from '../../helpers/json.js';
import { startReceiver } from '../../helpers/receiver.js';
import { startTokenServer } from '../../helpers/token-server.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';

t.setTimeout(180_000);

const CLIENT_ID = 'dispatch client';
const CLIENT_SECRET = 'cs_s3cr3t+/=value';
const PASSWORD = 'pw-Tr0ub4dor&3';

const oauth = (tokenUrl: string, extra: Record<string, string> = {}) => ({
  type: 'oauth2_client_credentials',
  token_url: tokenUrl,
  client_id: CLIENT_ID,
  client_secret: CLIENT_SECRET,
  ...extra,
});

async function attemptsOf(server: TestServer, app: string, endpointId: string): Promise<Json[]> {
  return (await api(server, 'GET', `/apps/${app}/recipients/acme/endpoints/${endpointId}/attempts?limit=100`)) as Json[];
}

forEachDatabase(t, 'auth basic sends the Authorization header and hides the password', async (t, server) => {
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  const setup = await createApp(server);
  const created = await api(server, 'POST', `/apps/${setup.app}/recipients/acme/endpoints`, {
    url: `${receiver.url}/hook`,
    auth: { type: 'basic', username: 'acme', password: PASSWORD },
  });
  t.same(created.auth, { type: 'basic', username: 'acme', password: null }, 'the create answer shows no password');
  runDispatcher(t, server);
  await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
  const [request] = await receiver.waitForRequests(1);
  t.equal(request.headers.authorization, `Basic ${Buffer.from(`acme:${PASSWORD}`).toString('base64')}`, 'Basic credentials received');
  const read = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${created.id}`);
  t.same(read.auth, { type: 'basic', username: 'acme', password: null }, 'GET hides it');
  const list = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints`);
  t.same(list[0].auth, { type: 'basic', username: 'acme', password: null }, 'the list hides it');
  const row = await server.db('endpoints').where({ id: created.id }).first('auth');
  t.equal(JSON.parse(row.auth).password, PASSWORD, 'without DISPATCH_ENCRYPTION_KEY the row holds it plain');
  const cleared = await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${created.id}`, { auth: null });
  t.equal(cleared.auth, null, 'null clears auth');
  t.notOk(
    server.logs.some((line) => line.includes(PASSWORD)),
    'the password never reaches a log line',
  );
});

forEachDatabase(t, 'auth oauth2 fetches one token for a burst of 50 deliveries', async (t, server) => {
  const tokens = await startTokenServer();
  t.teardown(() => tokens.close());
  const receiver = await startReceiver(() => ({ status: 200, delayMs: 20 }));
  t.teardown(() => receiver.close());
  const setup = await createApp(server);
  const created = await api(server, 'POST', `/apps/${setup.app}/recipients/acme/endpoints`, {
    url: `${receiver.url}/hook`,
    auth: oauth(tokens.url, { scope: 'webhooks:write', audience: 'https://api.acme.example' }),
  });
  t.same(
    created.auth,
    {
      type: 'oauth2_client_credentials',
      token_url: tokens.url,
      client_id: CLIENT_ID,
      client_secret: null,
      scope: 'webhooks:write',
      audience: 'https://api.acme.example',
    },
    'the answer hides client_secret',
  );
  for (let i = 0; i < 50; i++) await send(server, setup, { event_type: 'invoice.paid', payload: { i } });
  runDispatcher(t, server);
  const requests = await receiver.waitForRequests(50, 30_000);
  t.equal(tokens.requests.length, 1, 'one token request for 50 deliveries');
  t.ok(
    requests.every((r) => r.headers.authorization === 'Bearer tok-1'),
    'every delivery carries the token',
  );
  const [tokenRequest] = tokens.requests;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID).replace(/%20/g, '+')}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;
  t.equal(tokenRequest.authorization, basic, 'HTTP Basic client authentication (form-encoded id and secret)');
  t.equal(tokenRequest.contentType, 'application/x-www-form-urlencoded');
  t.same(
    Object.fromEntries(tokenRequest.form),
    { grant_type: 'client_credentials', scope: 'webhooks:write', audience: 'https://api.acme.example' },
    'the client credentials grant with scope and audience',
  );
  t.notOk(
    server.logs.some((line) => line.includes('tok-1') || line.includes(CLIENT_SECRET)),
    'neither the token nor the client secret reaches a log line',
  );
});

/** The servers' clock: real time plus an offset a test moves forward (no waiting for a token to age). */
const movingClock = { offsetMs: 0, now: () => Date.now() + movingClock.offsetMs };

forEachDatabase(
  t,
  'auth oauth2 fetches a new token once the cached one is within 30 s of expiring',
  async (t, server) => {
    movingClock.offsetMs = 0;
    const tokens = await startTokenServer();
    t.teardown(() => tokens.close());
    // every token lives 40 s: usable for the 10 s before the 30 s margin
    tokens.answer((n) => ({ status: 200, body: { access_token: `tok-${n}`, token_type: 'bearer', expires_in: 40 } }));
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hook`, auth: oauth(tokens.url) });
    runDispatcher(t, server);
    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    await receiver.waitForRequests(1);
    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
    await receiver.waitForRequests(2);
    t.equal(tokens.requests.length, 1, 'a token still usable is reused');
    // 11 s later (the server's clock moves; deliveries already sent are not due again) it is within the margin
    movingClock.offsetMs = 11_000;
    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 3 } });
    const requests = await receiver.waitForRequests(3);
    t.equal(tokens.requests.length, 2, 'a token within 30 s of expiry is fetched again');
    t.same(
      requests.map((r) => r.headers.authorization),
      ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2'],
    );
  },
  { clock: movingClock },
);

forEachDatabase(t, 'auth oauth2 refetches the token once within the attempt after a 401', async (t, server) => {
  const tokens = await startTokenServer();
  t.teardown(() => tokens.close());
  const receiver = await startReceiver((request) => ({ status: request.headers.authorization === 'Bearer tok-1' ? 401 : 200 }));
  t.teardown(() => receiver.close());
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hook`, auth: oauth(tokens.url) });
  runDispatcher(t, server);
  const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
  const requests = await receiver.waitForRequests(2);
  t.same(
    requests.map((r) => r.headers.authorization),
    ['Bearer tok-1', 'Bearer tok-2'],
    'the 401 made one new token request',
  );
  t.equal(tokens.requests.length, 2);
  const attempts = await waitFor(async () => {
    const list = await attemptsOf(server, setup.app, endpoint.id);
    return list.length > 0 ? list : null;
  }, 'the attempt recorded');
  t.equal(attempts.length, 1, 'one attempt');
  t.equal(attempts[0].status, 'succeeded', 'with the final outcome');
  t.equal(attempts[0].response_status, 200);
  t.equal(attempts[0].message_id, message.id);

  // a receiver that refuses every token: still only one refetch per attempt
  receiver.respond(() => ({ status: 401 }));
  await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
  await receiver.waitForRequests(4);
  const failed = await waitFor(async () => {
    const list = await attemptsOf(server, setup.app, endpoint.id);
    return list.length > 1 ? list : null;
  }, 'the second attempt recorded');
  t.equal(failed[0].status, 'failed');
  t.equal(failed[0].response_status, 401, 'the last 401 is the recorded outcome');
  t.equal(failed[0].error, 'http_status');
  t.equal(tokens.requests.length, 3, 'one more token for that attempt, not a loop');
});

forEachDatabase(
  t,
  'auth oauth2 token endpoint failing fails the attempt with auth_failed, retried on schedule',
  async (t, server) => {
    const tokens = await startTokenServer();
    t.teardown(() => tokens.close());
    tokens.answer(() => ({ status: 500, body: { error: 'server_error' } }));
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hook`, auth: oauth(tokens.url) });
    runDispatcher(t, server);
    const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    const attempts = await waitFor(async () => {
      const list = await attemptsOf(server, setup.app, endpoint.id);
      return list.length >= 2 ? list : null;
    }, 'two failed attempts (the first and its retry)');
    for (const attempt of attempts.slice(0, 2)) {
      t.equal(attempt.status, 'failed');
      t.equal(attempt.error, 'auth_failed', 'error class auth_failed');
      t.equal(attempt.response_status, null, 'no answer from the receiver');
    }
    t.equal(receiver.connections(), 0, 'the receiver was never contacted');
    // the token endpoint recovers: the next retry delivers with its token
    tokens.answer((n) => ({ status: 200, body: { access_token: `tok-${n}`, expires_in: 3600 } }));
    const [request] = await receiver.waitForRequests(1, 20_000);
    t.match(request.headers.authorization, /^Bearer tok-\d+$/);
    await waitFor(
      async () => (await api(server, 'GET', `/apps/${setup.app}/messages/${message.id}`)).deliveries[0].status === 'succeeded',
      'the delivery succeeded after the token endpoint recovered',
      20_000,
    );
    t.pass('delivered once a token could be had');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms,200ms' } },
);

forEachDatabase(
  t,
  'auth refuses a token_url on a blocked literal address and validates its shape',
  async (t, server) => {
    const setup = await createApp(server);
    const base = `/api/v1/apps/${setup.app}/recipients/acme/endpoints`;
    const blocked = await server.request('POST', base, {
      body: { url: 'https://hooks.example.com/in', auth: oauth('http://169.254.169.254/token') },
    });
    t.equal(blocked.status, 400);
    t.equal(blocked.body.error, 'destination_invalid', 'a literal blocked token_url is refused at create');
    const created = await api(server, 'POST', base.replace('/api/v1', ''), { url: 'https://hooks.example.com/in' });
    const patched = await server.request('PATCH', `${base}/${created.id}`, { body: { auth: oauth('http://[::1]:8080/token') } });
    t.equal(patched.status, 400);
    t.equal(patched.body.error, 'destination_invalid', 'and at PATCH');
    for (const auth of [
      { type: 'basic', username: 'a:b', password: 'x' },
      { type: 'basic', username: 'a' },
      { type: 'bearer', token: 'x' },
      { type: 'oauth2_client_credentials', token_url: 'https://auth.example.com/t', client_id: 'c' },
      { type: 'basic', username: 'a', password: 'x', extra: 1 },
    ]) {
      const bad = await server.request('POST', base, { body: { url: 'https://hooks.example.com/in', auth } });
      t.equal(bad.status, 400, `${JSON.stringify(auth)} → 400`);
      t.equal(bad.body.error, 'invalid_request');
      t.ok(
        (bad.body.details as { path: string }[]).some((d) => d.path.startsWith('/auth')),
        'details point into /auth',
      );
    }
  },
  { env: { DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false' } },
);

const KEY = randomBytes(32).toString('base64');

forEachDatabase(
  t,
  'auth secrets are sealed at rest with DISPATCH_ENCRYPTION_KEY and still delivered',
  async (t, server) => {
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const setup = await createApp(server, { eventTypes: { 'invoice.paid': null, 'other.event': null } });
    const basic = await createEndpoint(server, setup, 'acme', {
      url: `${receiver.url}/hook`,
      auth: { type: 'basic', username: 'acme', password: PASSWORD },
    });
    const other = await createEndpoint(server, setup, 'acme', {
      url: 'https://hooks.example.com/in',
      event_types: ['other.event'],
      auth: oauth('https://auth.example.com/token'),
    });
    const rows = await server.db('endpoints').whereIn('id', [basic.id, other.id]).orderBy('id').select('auth');
    const [basicAuth, oauthAuth] = rows.map((row: { auth: string }) => JSON.parse(row.auth) as Record<string, string>);
    t.match(basicAuth.password, /^enc:v1:/, 'password sealed');
    t.match(oauthAuth.client_secret, /^enc:v1:/, 'client_secret sealed');
    t.equal(oauthAuth.client_id, CLIENT_ID, 'the rest stays readable');
    t.notOk(JSON.stringify(rows).includes(PASSWORD) || JSON.stringify(rows).includes(CLIENT_SECRET), 'no plaintext secret in the rows');
    runDispatcher(t, server);
    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    const [request] = await receiver.waitForRequests(1);
    t.equal(request.headers.authorization, `Basic ${Buffer.from(`acme:${PASSWORD}`).toString('base64')}`, 'opened for the delivery');

    // a secret stored before the key was set is sealed by the sealer, compare-and-set
    await server
      .db('endpoints')
      .where({ id: basic.id })
      .update({ auth: JSON.stringify({ type: 'basic', username: 'acme', password: 'plain-pw' }) });
    const report = await encryptSecrets(server.db, Buffer.from(KEY, 'base64'));
    t.ok(report.endpoints >= 1, 'the sealer counts the endpoint');
    const sealed = JSON.parse((await server.db('endpoints').where({ id: basic.id }).first('auth')).auth) as Record<string, string>;
    t.match(sealed.password, /^enc:v1:/, 'a plain stored password is sealed by the sealer');
    const again = await encryptSecrets(server.db, Buffer.from(KEY, 'base64'));
    t.equal(again.unreadable, 0, 'nothing unreadable');
  },
  { env: { DISPATCH_ENCRYPTION_KEY: KEY } },
);
