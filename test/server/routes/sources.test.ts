import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { startTestServer } from '../../helpers/server.js';
import { testDialects } from '../../helpers/databases.js';

const hmacVerification = {
  type: 'hmac',
  secret: 'top-secret-value',
  header: 'X-Sig',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
};

forEachDatabase(t, 'sources API creates, reads, updates and deletes a source', async (t, server) => {
  const created = await server.request('POST', '/api/v1/sources', {
    body: {
      name: 'billing provider',
      verification: hmacVerification,
      destination: { url: 'https://backend.example.com/hooks', headers: { 'X-Team': 'billing' }, rate_limit: 5 },
      dedupe: { key: 'header:X-Delivery-Id', window: '1h' },
    },
  });
  t.equal(created.status, 201);
  const source = created.body.data;
  t.match(source, {
    id: /^src_/,
    name: 'billing provider',
    ingest_url: new RegExp(`^${server.config.publicUrl}/in/[A-Za-z0-9]{30,}$`),
    forward_secret: /^whsec_/,
    verification: { type: 'hmac', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
    destination: { url: 'https://backend.example.com/hooks', headers: { 'X-Team': 'billing' }, rate_limit: 5 },
    dedupe: { key: 'header:X-Delivery-Id', window: '1h' },
    allowed_methods: ['POST'],
    paused: false,
  });
  t.notOk(JSON.stringify(created.body).includes('top-secret-value'), 'the verification secret is never returned');

  const got = await server.request('GET', `/api/v1/sources/${source.id}`);
  t.equal(got.status, 200);
  t.equal(got.body.data.forward_secret, undefined, 'the forward secret is returned on create only');
  t.notOk(JSON.stringify(got.body).includes('top-secret-value'));
  t.same(got.body.data.verification, { type: 'hmac', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' });

  const second = await server.request('POST', '/api/v1/sources', { body: { name: 'store only' } });
  t.equal(second.status, 201);
  t.same(second.body.data.verification, { type: 'none' });
  t.equal(second.body.data.destination, null);
  const listed = await server.request('GET', '/api/v1/sources?limit=1');
  t.equal(listed.status, 200);
  t.equal(listed.body.data.length, 1);
  t.equal(listed.body.data[0].id, second.body.data.id, 'newest first');
  const next = await server.request('GET', `/api/v1/sources?limit=1&cursor=${listed.body.next_cursor}`);
  t.equal(next.body.data[0].id, source.id);
  t.notOk(JSON.stringify(next.body).includes('top-secret-value'));

  const patched = await server.request('PATCH', `/api/v1/sources/${source.id}`, {
    body: {
      name: 'renamed',
      destination: null,
      dedupe: null,
      allowed_methods: ['POST', 'PUT'],
      verification: { type: 'github', secret: 'gh-secret' },
    },
  });
  t.equal(patched.status, 200);
  t.match(patched.body.data, {
    name: 'renamed',
    destination: null,
    dedupe: null,
    allowed_methods: ['POST', 'PUT'],
    verification: { type: 'github' },
  });
  t.equal(patched.body.data.ingest_url, source.ingest_url, 'the ingest URL is stable');

  const paused = await server.request('POST', `/api/v1/sources/${source.id}/pause`);
  t.equal(paused.body.data.paused, true);
  const resumed = await server.request('POST', `/api/v1/sources/${source.id}/resume`);
  t.match(resumed.body.data, { paused: false, released: 0 });

  const deleted = await server.request('DELETE', `/api/v1/sources/${source.id}`);
  t.same(deleted.body, { ok: true, data: { id: source.id, deleted: true } });
  t.equal((await server.request('GET', `/api/v1/sources/${source.id}`)).body.error, 'source_not_found');
  t.equal((await server.request('DELETE', `/api/v1/sources/${source.id}`)).status, 404);
  const ingest = await fetch(source.ingest_url.replace(server.config.publicUrl, server.url), { method: 'POST', body: 'x' });
  t.equal(ingest.status, 404, 'a deleted source stops answering');
});

forEachDatabase(t, 'sources API validates verification, destination and dedupe', async (t, server) => {
  const bad = async (body: unknown) => (await server.request('POST', '/api/v1/sources', { body })).body;

  const missingHeader = await bad({ name: 'x', verification: { type: 'hmac', secret: 's', algorithm: 'sha256', encoding: 'hex' } });
  t.equal(missingHeader.error, 'invalid_request');
  t.same(missingHeader.details, [{ path: '/verification/header', message: 'is required' }], 'only the chosen scheme is reported');

  const unknownType = await bad({ name: 'x', verification: { type: 'carrier_pigeon' } });
  t.equal(unknownType.error, 'invalid_request');
  t.match(unknownType.details[0], { path: '/verification' });

  const extraField = await bad({ name: 'x', verification: { type: 'github', secret: 's', header: 'X' } });
  t.same(extraField.details, [{ path: '/verification/header', message: 'is not a known field' }]);

  t.equal((await bad({ name: 'x', verification: { type: 'standard_webhooks', secret: 'not-whsec' } })).error, 'invalid_request');
  t.equal(
    (await bad({ name: 'x', verification: { type: 'hmac', secret: 's', header: 'X', algorithm: 'md5', encoding: 'hex' } })).error,
    'invalid_request',
  );

  t.equal((await bad({ name: 'x', destination: { url: 'ftp://example.com/' } })).error, 'invalid_request');
  const hop = await bad({ name: 'x', destination: { url: 'https://example.com/', headers: { 'Transfer-Encoding': 'chunked' } } });
  t.same(hop.details, [{ path: '/destination/headers/Transfer-Encoding', message: 'is set by Dispatch on every forward' }]);
  t.equal(
    (await bad({ name: 'x', destination: { url: 'https://example.com/', headers: { 'webhook-id': 'x' } } })).error,
    'invalid_request',
  );

  t.equal((await bad({ name: 'x', dedupe: { key: 'cookie:x', window: '1h' } })).error, 'invalid_request');
  t.equal((await bad({ name: 'x', dedupe: { key: 'body_hash', window: 'forever' } })).error, 'invalid_request');
  t.equal((await bad({ name: 'x', dedupe: { key: 'body_hash', window: '31d' } })).error, 'invalid_request');
  t.equal((await bad({ name: 'x', allowed_methods: [] })).error, 'invalid_request');
  t.equal((await bad({ name: 'x', allowed_methods: ['TRACE'] })).error, 'invalid_request');
  t.equal((await bad({})).error, 'invalid_request');

  const json = await server.request('POST', '/api/v1/sources', { rawBody: '{"name":' });
  t.equal(json.body.error, 'invalid_json');
});

for (const dialect of testDialects()) {
  t.test(`sources API refuses private destinations, enforces the plan limit and seals secrets at rest [${dialect}]`, async (t) => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const server = await startTestServer(dialect, {
      env: { DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false', DISPATCH_PLAN_LIMITS: '{"sources":1}', DISPATCH_ENCRYPTION_KEY: key },
    });
    t.teardown(() => server.close());
    const blocked = await server.request('POST', '/api/v1/sources', { body: { name: 'x', destination: { url: 'http://10.0.0.5/hooks' } } });
    t.equal(blocked.status, 400);
    t.equal(blocked.body.error, 'destination_invalid');
    const created = await server.request('POST', '/api/v1/sources', {
      body: {
        name: 'x',
        destination: { url: 'https://hooks.example.com/in' },
        verification: { type: 'api_key', header: 'X-Key', key: 'plain-key-value' },
      },
    });
    t.equal(created.status, 201);
    const over = await server.request('POST', '/api/v1/sources', { body: { name: 'y' } });
    t.equal(over.status, 429);
    t.equal(over.body.error, 'plan_limit_reached');

    const row = await server.db('sources').where({ id: created.body.data.id }).first();
    t.notOk(row.verification.includes('plain-key-value'), 'verification secret encrypted');
    t.match(row.forward_secret, /^enc:v1:/, 'forward secret encrypted');
    const url = created.body.data.ingest_url.replace(server.config.publicUrl, server.url);
    t.equal(
      (await fetch(url, { method: 'POST', headers: { 'X-Key': 'plain-key-value' }, body: '{}' })).status,
      200,
      'opened for verification',
    );
    t.equal((await fetch(url, { method: 'POST', headers: { 'X-Key': 'wrong' }, body: '{}' })).status, 401);
  });
}

forEachDatabase(t, 'sources API requires source scopes', async (t, server) => {
  const key = (await server.request('POST', '/api/v1/keys', { body: { name: 'r', scopes: ['source:read'] } })).body.data.key;
  const denied = await server.request('POST', '/api/v1/sources', { key, body: { name: 'x' } });
  t.equal(denied.status, 403);
  t.equal(denied.body.required_scope, 'source:write');
  t.equal((await server.request('GET', '/api/v1/sources', { key })).status, 200);
  t.equal((await server.request('GET', '/api/v1/sources/src_missing', { key })).body.error, 'source_not_found');
});
