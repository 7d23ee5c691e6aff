import t from 'tap';
import { api, createApp } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';

// POST /apps/{app}/filters/test (CONTRACT §8.1): the same evaluator endpoints use, over HTTP.

forEachDatabase(t, 'filters/test answers whether the filter matches the payload', async (t, server) => {
  const setup = await createApp(server);
  const path = `/api/v1/apps/${setup.app}/filters/test`;
  const payload = { customer: { tier: 'gold' }, items: [{ sku: 'A-1' }], total: 120 };

  const yes = await server.request('POST', path, { body: { filter: { 'customer.tier': 'gold', total: { $gte: 100 } }, payload } });
  t.equal(yes.status, 200);
  t.same(yes.body, { ok: true, data: { matches: true } });

  const no = await server.request('POST', path, { body: { filter: { 'items.0.sku': { $in: ['B-7'] } }, payload } });
  t.equal(no.status, 200);
  t.same(no.body.data, { matches: false });

  const empty = await server.request('POST', path, { body: { filter: {}, payload: [1, 2] } });
  t.same(empty.body.data, { matches: true }, 'any JSON payload; the empty filter matches everything');

  const byUid = await api(server, 'PATCH', `/apps/${setup.app}`, { uid: 'shop' });
  t.equal(byUid.uid, 'shop');
  const viaUid = await server.request('POST', '/api/v1/apps/shop/filters/test', {
    body: { filter: { missing: { $exists: false } }, payload },
  });
  t.same(viaUid.body.data, { matches: true }, 'the app by uid');
});

forEachDatabase(t, 'filters/test refuses invalid filters and bodies with 400 invalid_request and details', async (t, server) => {
  const setup = await createApp(server);
  const path = `/api/v1/apps/${setup.app}/filters/test`;

  const badOperator = await server.request('POST', path, { body: { filter: { total: { $regex: '^1' } }, payload: {} } });
  t.equal(badOperator.status, 400);
  t.equal(badOperator.body.error, 'invalid_request');
  t.same(badOperator.body.details, [{ path: '/filter/total/$regex', message: 'unknown operator $regex' }]);

  const badArgument = await server.request('POST', path, { body: { filter: { $or: [{ a: { $in: 'x' } }] }, payload: {} } });
  t.equal(badArgument.status, 400);
  t.equal(badArgument.body.details[0].path, '/filter/$or/0/a/$in');

  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 10; i += 1) deep = { a: deep };
  const tooDeep = await server.request('POST', path, { body: { filter: deep, payload: {} } });
  t.equal(tooDeep.status, 400);
  t.equal(tooDeep.body.details[0].path, '/filter');
  t.match(tooDeep.body.details[0].message, /10 levels/);

  const tooLarge = await server.request('POST', path, { body: { filter: { a: 'x'.repeat(5000) }, payload: {} } });
  t.equal(tooLarge.status, 400);
  t.match(tooLarge.body.details[0].message, /4096 bytes/);

  const notObject = await server.request('POST', path, { body: { filter: ['a'], payload: {} } });
  t.equal(notObject.status, 400);
  t.equal(notObject.body.error, 'invalid_request');
  t.equal(notObject.body.details[0].path, '/filter');

  const noPayload = await server.request('POST', path, { body: { filter: {} } });
  t.equal(noPayload.status, 400);
  t.equal(noPayload.body.error, 'invalid_request');
});

forEachDatabase(t, 'filters/test answers 404 for an unknown app and needs endpoint:read', async (t, server) => {
  const setup = await createApp(server);
  const body = { filter: { a: 1 }, payload: { a: 1 } };
  const missing = await server.request('POST', '/api/v1/apps/app_nope/filters/test', { body });
  t.equal(missing.status, 404);
  t.equal(missing.body.error, 'app_not_found');

  const writer = await api(server, 'POST', '/keys', { name: 'w', scopes: ['endpoint:write'] });
  const refused = await server.request('POST', `/api/v1/apps/${setup.app}/filters/test`, { body, key: writer.key });
  t.equal(refused.status, 403);
  t.equal(refused.body.error, 'missing_scope');
  t.equal(refused.body.required_scope, 'endpoint:read');

  const reader = await api(server, 'POST', '/keys', { name: 'r', scopes: ['endpoint:read'] });
  const allowed = await server.request('POST', `/api/v1/apps/${setup.app}/filters/test`, { body, key: reader.key });
  t.equal(allowed.status, 200);
  t.same(allowed.body.data, { matches: true });
});
