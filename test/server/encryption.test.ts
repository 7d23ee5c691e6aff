import t, { type Test } from 'tap';
import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config/index.js';
import { createApp } from '../../server/app.js';
import { encryptSecrets, startSecretSealer } from '../../server/encrypt-secrets.js';
import { openSecret } from '../../server/secrets.js';
import { forEachDatabase } from '../helpers/each-database.js';
import { captureOutput, exitOf, spawnSource } from '../helpers/source-process.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('base64');
const ENDPOINT_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const ROTATED_SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
const HMAC_SECRET = 'shared-with-the-provider';

async function api(server: TestServer, method: string, path: string, body?: unknown) {
  const res = await server.request(method, `/api/v1${path}`, { body });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** An endpoint whose secret was rotated (so it has a previous secret) and an hmac-verified source, made without a key. */
async function plainFixtures(server: TestServer) {
  const app = await api(server, 'POST', '/apps', { name: 'shop' });
  const recipient = await api(server, 'POST', `/apps/${app.id}/recipients`, { uid: 'acme' });
  const base = `/apps/${app.id}/recipients/${recipient.id}/endpoints`;
  const endpoint = await api(server, 'POST', base, { url: 'https://hooks.example.com/in', secret: ENDPOINT_SECRET });
  await api(server, 'POST', `${base}/${endpoint.id}/rotate-secret`, { secret: ROTATED_SECRET });
  const source = await api(server, 'POST', '/sources', {
    name: 'billing',
    verification: { type: 'hmac', secret: HMAC_SECRET, header: 'X-Signature', algorithm: 'sha256', encoding: 'hex' },
  });
  return { secretPath: `${base}/${endpoint.id}/secret`, endpointId: endpoint.id as string, source };
}

/** Runs `dispatch encrypt-secrets` as the operator would, against the test server's database. */
async function runCommand(server: TestServer, key: string | null) {
  const child = spawnSource('server/cli.ts', ['encrypt-secrets'], {
    DATABASE_URL: server.config.databaseUrl,
    ...(key ? { DISPATCH_ENCRYPTION_KEY: key } : {}),
  });
  const output = captureOutput(child);
  return { code: await exitOf(child), stdout: output.stdout(), stderr: output.stderr() };
}

/** A second HTTP server over the same database, configured with the encryption key. */
async function keyedServer(t: Test, server: TestServer, key: string) {
  const config = loadConfig({
    DATABASE_URL: server.config.databaseUrl,
    DISPATCH_ALLOW_PRIVATE_NETWORKS: 'true',
    DISPATCH_ENCRYPTION_KEY: key,
    DISPATCH_LOG_LEVEL: 'silent',
  });
  const listener = createApp({ ...server.deps, config }).listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        listener.closeAllConnections();
        listener.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
}

forEachDatabase(t, 'secrets at rest', async (t, server) => {
  t.test('encrypt-secrets seals plain secrets and the API still returns the originals with the key', async (t) => {
    const { secretPath, endpointId, source } = await plainFixtures(server);
    const before = await server.db('endpoints').where({ id: endpointId }).first();
    t.equal(before.secret, ROTATED_SECRET, 'stored plain without a key');
    t.equal(before.previous_secret, ENDPOINT_SECRET);

    const run = await runCommand(server, KEY);
    t.equal(run.code, 0, run.stderr);
    t.match(run.stdout, /sealed the secrets of 1 endpoint\(s\) and 1 source\(s\)/);
    t.notMatch(run.stdout + run.stderr, /whsec_|shared-with/, 'no secret is printed');

    const endpointRow = await server.db('endpoints').where({ id: endpointId }).first();
    t.match(endpointRow.secret, /^enc:v1:/);
    t.match(endpointRow.previous_secret, /^enc:v1:/);
    const key = Buffer.from(KEY, 'base64');
    t.equal(openSecret(endpointRow.previous_secret, key), ENDPOINT_SECRET);
    const sourceRow = await server.db('sources').where({ id: source.id }).first();
    t.match(sourceRow.forward_secret, /^enc:v1:/);
    t.equal(openSecret(sourceRow.forward_secret, key), source.forward_secret);
    const verification = JSON.parse(sourceRow.verification);
    t.match(verification.secret, /^enc:v1:/);
    t.equal(verification.header, 'X-Signature', 'non-secret settings stay as they were');
    t.notMatch(sourceRow.verification, /shared-with/);

    const url = await keyedServer(t, server, KEY);
    const shown = await fetch(url + `/api/v1${secretPath}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
    t.equal(shown.status, 200);
    t.equal((await shown.json()).data.secret, ROTATED_SECRET);

    const body = '{"paid":true}';
    const signature = createHmac('sha256', HMAC_SECRET).update(body).digest('hex');
    const ingest = await fetch(url + new URL(source.ingest_url).pathname, { method: 'POST', body, headers: { 'x-signature': signature } });
    t.equal(ingest.status, 200, 'the sealed verification secret still verifies');
    const event = await server
      .db('events')
      .where({ id: (await ingest.json()).event_id })
      .first();
    t.equal(Number(event.verified), 1);

    t.same(await encryptSecrets(server.db, key), { endpoints: 0, sources: 0, unreadable: 0 }, 'a second run changes nothing');
  });

  t.test('the server seals plain secrets by itself at start when a key is set', async (t) => {
    const { endpointId, source } = await plainFixtures(server);
    const config = loadConfig({ DATABASE_URL: server.config.databaseUrl, DISPATCH_ENCRYPTION_KEY: KEY });
    const sealer = startSecretSealer({ ...server.deps, config });
    t.teardown(() => sealer.stop(0));
    t.match(await sealer.done, { endpoints: 1, sources: 1, unreadable: 0 });
    t.match((await server.db('endpoints').where({ id: endpointId }).first()).secret, /^enc:v1:/);
    t.match((await server.db('sources').where({ id: source.id }).first()).forward_secret, /^enc:v1:/);
    t.equal(await startSecretSealer(server.deps).done, null, 'without a key it does nothing');
  });

  t.test('sealing pages through many rows in batches', async (t) => {
    await plainFixtures(server);
    await plainFixtures(server);
    const key = Buffer.from(KEY, 'base64');
    await encryptSecrets(server.db, key, { batchSize: 1 });
    const plainEndpoints = await server.db('endpoints').whereNot('secret', 'like', 'enc:v1:%');
    const plainSources = await server.db('sources').whereNot('forward_secret', 'like', 'enc:v1:%');
    t.equal(plainEndpoints.length + plainSources.length, 0);
  });

  t.test('secrets sealed with another key are counted, not re-sealed', async (t) => {
    const wrong = await encryptSecrets(server.db, Buffer.from(OTHER_KEY, 'base64'));
    t.equal(wrong.endpoints + wrong.sources, 0);
    t.ok(wrong.unreadable > 0);
  });
});

t.test('encrypt-secrets refuses to run without a key and fails on secrets sealed with another key', async (t) => {
  const server = await startTestServer('sqlite', { env: { DISPATCH_ENCRYPTION_KEY: KEY } });
  t.teardown(() => server.close());
  await plainFixtures(server);

  const missing = await runCommand(server, null);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /encrypt-secrets needs DISPATCH_ENCRYPTION_KEY/);

  const wrong = await runCommand(server, OTHER_KEY);
  t.equal(wrong.code, 1);
  t.match(wrong.stderr, /sealed with a different key/);
});
