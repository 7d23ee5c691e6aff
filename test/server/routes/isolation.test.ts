import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createWorkspaceWithKey } from '../../../server/bootstrap.js';

forEachDatabase(t, "configuration API answers 404 for another workspace's resources", async (t, server) => {
  const app = (await server.request('POST', '/api/v1/apps', { body: { name: 'Billing', uid: 'billing' } })).body.data;
  const recipient = (await server.request('POST', '/api/v1/apps/billing/recipients', { body: { uid: 'acme' } })).body.data;
  await server.request('POST', '/api/v1/apps/billing/event-types', { body: { name: 'invoice.paid' } });
  const endpoint = (await server.request('POST', '/api/v1/apps/billing/recipients/acme/endpoints', { body: { url: 'https://h.example/' } }))
    .body.data;

  const intruder = await createWorkspaceWithKey(server.db, 'intruder', Date.now());
  const as = (method: string, path: string, body?: unknown) => server.request(method, path, { key: intruder.key, body });

  for (const ref of [app.id, 'billing']) {
    const probes: [string, string, unknown?][] = [
      ['GET', `/api/v1/apps/${ref}`],
      ['PATCH', `/api/v1/apps/${ref}`, { name: 'mine' }],
      ['DELETE', `/api/v1/apps/${ref}`],
      ['GET', `/api/v1/apps/${ref}/event-types`],
      ['POST', `/api/v1/apps/${ref}/event-types`, { name: 'x' }],
      ['GET', `/api/v1/apps/${ref}/event-types/invoice.paid`],
      ['POST', `/api/v1/apps/${ref}/event-types/invoice.paid/archive`],
      ['GET', `/api/v1/apps/${ref}/recipients`],
      ['POST', `/api/v1/apps/${ref}/recipients`, {}],
      ['GET', `/api/v1/apps/${ref}/recipients/${recipient.id}`],
      ['DELETE', `/api/v1/apps/${ref}/recipients/acme`],
      ['GET', `/api/v1/apps/${ref}/recipients/acme/endpoints`],
      ['POST', `/api/v1/apps/${ref}/recipients/acme/endpoints`, { url: 'https://evil.example/' }],
      ['GET', `/api/v1/apps/${ref}/recipients/acme/endpoints/${endpoint.id}`],
      ['GET', `/api/v1/apps/${ref}/recipients/acme/endpoints/${endpoint.id}/secret`],
      ['POST', `/api/v1/apps/${ref}/recipients/acme/endpoints/${endpoint.id}/rotate-secret`, {}],
      ['PATCH', `/api/v1/apps/${ref}/recipients/acme/endpoints/${endpoint.id}`, { url: 'https://evil.example/' }],
      ['DELETE', `/api/v1/apps/${ref}/recipients/acme/endpoints/${endpoint.id}`],
    ];
    for (const [method, path, body] of probes) {
      const res = await as(method, path, body);
      t.equal(res.status, 404, `${method} ${path}`);
      t.equal(res.body.error, 'app_not_found', `${method} ${path}`);
    }
  }
  t.same((await as('GET', '/api/v1/apps')).body.data, [], "the other workspace's list is empty");

  // the intruder's own app with the same uid still cannot reach the first workspace's children
  await as('POST', '/api/v1/apps', { name: 'Mine', uid: 'billing' });
  const viaOwnApp = await as('GET', `/api/v1/apps/billing/recipients/${recipient.id}`);
  t.equal(viaOwnApp.status, 404);
  t.equal(viaOwnApp.body.error, 'recipient_not_found');

  const untouched = await server.request('GET', `/api/v1/apps/billing/recipients/acme/endpoints/${endpoint.id}/secret`);
  t.equal(untouched.body.data.secret, endpoint.secret, 'nothing changed in the first workspace');
  t.equal((await server.request('GET', '/api/v1/apps/billing')).body.data.name, 'Billing');
});

forEachDatabase(t, "configuration API answers 404 for another app's recipient and another recipient's endpoint", async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'a', uid: 'a' } });
  await server.request('POST', '/api/v1/apps', { body: { name: 'b', uid: 'b' } });
  const ra = (await server.request('POST', '/api/v1/apps/a/recipients', { body: { uid: 'shared' } })).body.data;
  await server.request('POST', '/api/v1/apps/b/recipients', { body: { uid: 'shared' } });
  await server.request('POST', '/api/v1/apps/a/recipients', { body: { uid: 'other' } });
  const ep = (await server.request('POST', '/api/v1/apps/a/recipients/shared/endpoints', { body: { url: 'https://h.example/' } })).body
    .data;

  const crossApp = await server.request('GET', `/api/v1/apps/b/recipients/${ra.id}`);
  t.equal(crossApp.status, 404);
  t.equal(crossApp.body.error, 'recipient_not_found');
  const sameUidOtherApp = await server.request('GET', `/api/v1/apps/b/recipients/shared/endpoints/${ep.id}`);
  t.equal(sameUidOtherApp.status, 404);
  t.equal(sameUidOtherApp.body.error, 'endpoint_not_found');
  for (const [method, suffix] of [
    ['GET', ''],
    ['PATCH', ''],
    ['DELETE', ''],
    ['GET', '/secret'],
    ['POST', '/rotate-secret'],
  ]) {
    const res = await server.request(method, `/api/v1/apps/a/recipients/other/endpoints/${ep.id}${suffix}`, {
      body: method === 'PATCH' || method === 'POST' ? {} : undefined,
    });
    t.equal(res.status, 404, `${method} …/other/endpoints/{ep}${suffix}`);
    t.equal(res.body.error, 'endpoint_not_found');
  }
  const crossAppEventType = await server.request('POST', '/api/v1/apps/a/event-types', { body: { name: 'only.in.a' } });
  t.equal(crossAppEventType.status, 201);
  t.equal((await server.request('GET', '/api/v1/apps/b/event-types/only.in.a')).status, 404);
  const wrongAppFilter = await server.request('POST', '/api/v1/apps/b/recipients/shared/endpoints', {
    body: { url: 'https://h.example/', event_types: ['only.in.a'] },
  });
  t.equal(wrongAppFilter.status, 400, "another app's event type is not a valid filter");
});
