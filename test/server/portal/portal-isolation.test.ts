import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, send } from '../../helpers/dispatch-fixtures.js';
import { createPortalSession, portal } from '../../helpers/portal.js';
import { apiRoutes } from '../../../server/routes/index.js';
import { portalRoutes } from '../../../server/portal/router.js';

/** A concrete path for a route pattern, with every :param replaced by `value(name)`. */
const fill = (path: string, value: (name: string) => string) => path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => value(name));

forEachDatabase(t, 'portal isolation', async (t, server) => {
  const setup = await createApp(server, { recipients: ['acme', 'globex'] });
  const otherApp = await createApp(server, { recipients: ['acme'] });
  const acmeLink = await createPortalSession(server, setup.app, 'acme');
  const acmeEndpoint = await createEndpoint(server, setup, 'acme', { url: 'https://acme.example/hook' });
  const globex = await createEndpoint(server, setup, 'globex', { url: 'https://globex.example/hook' });
  const foreign = await createEndpoint(server, otherApp, 'acme', { url: 'https://acme.example/other-app' });
  const globexMessage = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 }, recipient: 'globex' });
  const acmeMessage = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 }, recipient: 'acme' });
  const foreignMessage = await send(server, otherApp, { event_type: 'invoice.paid', payload: { n: 3 }, recipient: 'acme' });

  await t.test("portal answers 404 for another recipient's endpoints", async (t) => {
    for (const id of [globex.id, foreign.id, 'ep_missing']) {
      for (const [method, path, body] of [
        ['GET', `/endpoints/${id}`],
        ['PATCH', `/endpoints/${id}`, { description: 'mine now' }],
        ['DELETE', `/endpoints/${id}`],
        ['GET', `/endpoints/${id}/secret`],
        ['POST', `/endpoints/${id}/rotate-secret`, {}],
      ] as const) {
        const response = await portal(server, acmeLink.token, method, path, body);
        t.equal(response.status, 404, `${method} ${path}`);
        t.equal(response.body.error, 'endpoint_not_found', `${method} ${path}`);
      }
    }
    const listed = await portal(server, acmeLink.token, 'GET', '/endpoints');
    t.same(
      listed.body.data.map((e: { id: string }) => e.id),
      [acmeEndpoint.id],
      'only its own endpoints are listed',
    );
    const untouched = await server.db('endpoints').whereIn('id', [globex.id, foreign.id]);
    t.equal(untouched.length, 2, 'nothing of the others was deleted');
    t.ok(
      untouched.every((row: { description: string | null }) => row.description === null),
      'nothing of the others was changed',
    );
  });

  await t.test("portal answers 404 for another recipient's messages and endpoints on replay", async (t) => {
    for (const id of [globexMessage.id, foreignMessage.id, 'msg_missing']) {
      const attempts = await portal(server, acmeLink.token, 'GET', `/messages/${id}/attempts`);
      t.equal(attempts.status, 404);
      t.equal(attempts.body.error, 'message_not_found');
      const replay = await portal(server, acmeLink.token, 'POST', `/messages/${id}/replay`, { endpoint_id: acmeEndpoint.id });
      t.equal(replay.status, 404);
      t.equal(replay.body.error, 'message_not_found');
    }
    for (const endpointId of [globex.id, foreign.id]) {
      const replay = await portal(server, acmeLink.token, 'POST', `/messages/${acmeMessage.id}/replay`, { endpoint_id: endpointId });
      t.equal(replay.status, 404);
      t.equal(replay.body.error, 'endpoint_not_found');
    }
    t.equal(
      await server
        .db('deliveries')
        .where({ trigger: 'replay' })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      0,
      'no replay was queued',
    );
  });

  await t.test('portal routes refuse API keys and missing or unknown tokens with 401', async (t) => {
    for (const route of portalRoutes) {
      const path = '/api/v1/portal' + fill(route.path, () => acmeEndpoint.id);
      const method = route.method.toUpperCase();
      for (const key of [server.adminKey, null, 'ps_unknown0000000000000000000000000000000000', 'Basic abc']) {
        const response = await server.request(method, path, { key, body: route.body ? {} : undefined });
        t.equal(response.status, 401, `${method} ${route.path} with ${key === null ? 'no credential' : key.slice(0, 6)}`);
        t.equal(response.body.error, 'unauthorized');
      }
    }
  });

  await t.test('every API route answers 401 to a portal token', async (t) => {
    t.ok(apiRoutes.length > 20);
    for (const route of apiRoutes) {
      const path =
        '/api/v1' +
        fill(route.path, (name) =>
          name === 'app' ? setup.app : name === 'recipient' ? 'acme' : name === 'endpoint' ? acmeEndpoint.id : `x_${name}`,
        );
      const response = await server.request(route.method.toUpperCase(), path, { key: acmeLink.token, body: route.body ? {} : undefined });
      t.equal(response.status, 401, `${route.method.toUpperCase()} ${route.path}`);
      t.equal(response.body.error, 'unauthorized');
    }
    // the portal token cannot mint itself a longer session either
    const mint = await server.request('POST', `/api/v1/apps/${setup.app}/recipients/acme/portal-sessions`, {
      key: acmeLink.token,
      body: { expires_in: 604_800 },
    });
    t.equal(mint.status, 401);
  });

  await t.test('portal token of one app cannot reach the same recipient uid in another app', async (t) => {
    const otherLink = await createPortalSession(server, otherApp.app, 'acme');
    const listed = await portal(server, otherLink.token, 'GET', '/endpoints');
    t.same(
      listed.body.data.map((e: { id: string }) => e.id),
      [foreign.id],
    );
    const messages = await portal(server, otherLink.token, 'GET', '/messages');
    t.same(
      messages.body.data.map((m: { id: string }) => m.id),
      [foreignMessage.id],
    );
    const types = await api(server, 'GET', `/apps/${otherApp.app}/event-types`);
    const portalTypes = await portal(server, otherLink.token, 'GET', '/event-types');
    t.same(
      portalTypes.body.data.map((e: { id: string }) => e.id),
      types.map((e: { id: string }) => e.id),
    );
  });
});
