import t from 'tap';
import YAML from 'yaml';
import { forEachDatabase } from '../helpers/each-database.js';
import { apiRoutes } from '../../server/routes/index.js';
import { portalRoutes } from '../../server/portal/router.js';
import type { Json } from '../helpers/json.js';

forEachDatabase(t, 'operations endpoints', async (t, server) => {
  t.test('healthz answers while the process is up', async (t) => {
    const res = await server.request('GET', '/healthz', { key: null });
    t.equal(res.status, 200);
    t.equal(res.body.data.status, 'up');
  });

  t.test('readyz answers 200 only once migrations are applied', async (t) => {
    server.deps.readiness.migrated = false;
    const before = await server.request('GET', '/readyz', { key: null });
    t.equal(before.status, 503);
    t.equal(before.body.error, 'database_unavailable');
    server.deps.readiness.migrated = true;
    const after = await server.request('GET', '/readyz', { key: null });
    t.equal(after.status, 200);
    t.equal(after.body.data.status, 'ready');
  });

  t.test('openapi.json documents every implemented route with scope, errors and examples', async (t) => {
    const res = await server.request('GET', '/api/v1/openapi.json', { key: null });
    t.equal(res.status, 200);
    const doc = res.body;
    t.equal(doc.openapi, '3.1.0');
    for (const route of apiRoutes) {
      const path = '/api/v1' + route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method];
      t.ok(operation, `${route.method.toUpperCase()} ${path} is documented`);
      if (!operation) continue;
      t.equal(operation['x-scope'], route.scope);
      t.ok(operation.responses[String(route.status)].content['application/json'].example, `${path} has an example`);
      t.ok(operation.responses['401'], `${path} documents 401`);
      if (route.scope !== 'authenticated') t.ok(operation.responses['403'], `${path} documents 403`);
      for (const code of route.errors) {
        const documented = Object.values(operation.responses).some(
          (response: Json) => response.content?.['application/json']?.examples?.[code],
        );
        t.ok(documented, `${path} documents ${code}`);
      }
      const pathParams = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map(([, name]) => name);
      t.same(
        operation.parameters.filter((p: Json) => p.in === 'path').map((p: Json) => p.name),
        pathParams,
      );
      if (route.body) t.ok(operation.requestBody.content['application/json'].schema, `${path} has a request schema`);
    }
  });

  t.test('openapi.json documents every portal route with portal-token security', async (t) => {
    const doc = (await server.request('GET', '/api/v1/openapi.json', { key: null })).body;
    t.ok(doc.components.securitySchemes.portalSession);
    for (const route of portalRoutes) {
      const path = '/api/v1/portal' + route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method];
      t.ok(operation, `${route.method.toUpperCase()} ${path} is documented`);
      if (!operation) continue;
      t.same(operation.security, [{ portalSession: [] }]);
      t.same(operation.tags, ['Portal']);
      t.notOk(operation.responses['403'], 'no scope errors on portal routes');
      t.ok(operation.responses[String(route.status)].content['application/json'].example.data !== undefined, `${path} has an example`);
    }
  });

  t.test('openapi.yaml is the same document', async (t) => {
    const json = await server.request('GET', '/api/v1/openapi.json', { key: null });
    const yaml = await server.request('GET', '/api/v1/openapi.yaml', { key: null });
    t.equal(yaml.status, 200);
    t.match(yaml.headers.get('content-type'), /yaml/);
    t.same(YAML.parse(yaml.body), json.body);
  });

  t.test('docs are served from the server itself', async (t) => {
    const page = await server.request('GET', '/docs', { key: null });
    t.equal(page.status, 200);
    t.match(page.body, /swagger-ui-bundle\.js/);
    t.notMatch(page.body, /https?:\/\/(?!127)/, 'no CDN');
    const bundle = await fetch(`${server.url}/docs/assets/swagger-ui-bundle.js`);
    t.equal(bundle.status, 200);
    t.ok((await bundle.text()).length > 100_000);
    const init = await server.request('GET', '/docs/init.js', { key: null });
    t.match(init.body, /openapi\.json/);
  });
});

forEachDatabase(t, 'the error boundary', async (t, server) => {
  t.test('unknown routes answer route_not_found', async (t) => {
    const res = await server.request('GET', '/api/v1/nothing-here');
    t.equal(res.status, 404);
    t.same(res.body, { ok: false, error: 'route_not_found', message: res.body.message });
  });

  t.test('malformed JSON answers invalid_json', async (t) => {
    const res = await server.request('POST', '/api/v1/keys', { rawBody: '{"name": ' });
    t.equal(res.status, 400);
    t.equal(res.body.error, 'invalid_json');
  });

  t.test('a body over 1 MiB answers payload_too_large', async (t) => {
    const res = await server.request('POST', '/api/v1/keys', { rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }) });
    t.equal(res.status, 413);
    t.equal(res.body.error, 'payload_too_large');
  });

  t.test('schema failures answer invalid_request with details per field', async (t) => {
    const res = await server.request('POST', '/api/v1/keys', { body: { scopes: ['nope'] } });
    t.equal(res.status, 400);
    t.equal(res.body.error, 'invalid_request');
    t.ok(res.body.details.some((d: Json) => d.path === '/name' && /required/.test(d.message)));
    t.ok(res.body.details.some((d: Json) => d.path === '/scopes/0'));
  });

  t.test('bad query parameters answer invalid_request', async (t) => {
    const res = await server.request('GET', '/api/v1/keys?limit=500');
    t.equal(res.status, 400);
    t.equal(res.body.details[0].path, '/limit');
  });

  t.test('pagination walks every page newest first', async (t) => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await server.request('POST', '/api/v1/keys', { body: { name: `k${i}`, scopes: ['app:read'] } });
      ids.push(res.body.data.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Json = await server.request('GET', `/api/v1/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      t.equal(res.status, 200);
      t.ok(res.body.data.length <= 2);
      seen.push(...res.body.data.map((k: Json) => k.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    t.same(seen.slice(0, 5), [...ids].reverse(), 'newest first, no gaps');
    t.equal(new Set(seen).size, seen.length, 'no duplicates');
  });

  t.test('logs never contain the API key', async (t) => {
    await server.request('GET', '/api/v1/keys');
    const created = await server.request('POST', '/api/v1/keys', { body: { name: 'secret-check', scopes: ['*'] } });
    await server.request('GET', '/api/v1/keys', { key: created.body.data.key });
    const logs = server.logs.join('');
    t.ok(logs.length > 0, 'requests were logged');
    t.notOk(logs.includes(server.adminKey));
    t.notOk(logs.includes(created.body.data.key));
  });
});

t.test('an unreachable database answers 503 database_unavailable and readyz 503', async (t) => {
  const { createRuntime } = await import('../../server/runtime.js');
  const { createApp } = await import('../../server/app.js');
  const { createDb } = await import('../../db/index.js');
  const { loadConfig } = await import('../../config/index.js');
  const { createLogger } = await import('../../server/logger.js');
  const config = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:1/nowhere', DISPATCH_LOG_LEVEL: 'silent' });
  const db = createDb({ databaseUrl: config.databaseUrl, poolSize: 1 });
  const app = createApp(createRuntime({ config, db, logger: createLogger('silent'), migrated: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(async () => {
    server.close();
    await db.destroy();
  });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const res = await fetch(`${base}/api/v1/keys`, { headers: { authorization: 'Bearer rlk_whatever_key_1234567890' } });
  t.equal(res.status, 503);
  const body = await res.json();
  t.equal(body.error, 'database_unavailable');
  t.notMatch(JSON.stringify(body), /ECONNREFUSED|127\.0\.0\.1/, 'no driver detail in the body');
  t.equal((await fetch(`${base}/readyz`)).status, 503);
});
