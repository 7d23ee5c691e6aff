import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';

forEachDatabase(t, 'recipients API creates, reads, updates and deletes recipients', async (t, server) => {
  const app = await server.request('POST', '/api/v1/apps', { body: { name: 'Billing', uid: 'billing' } });
  const appId = app.body.data.id;

  const created = await server.request('POST', '/api/v1/apps/billing/recipients', {
    body: { uid: 'acme', name: 'Acme', metadata: { tier: 'gold' } },
  });
  t.equal(created.status, 201);
  t.match(created.body.data, { id: /^rcp_/, app_id: appId, uid: 'acme', name: 'Acme', metadata: { tier: 'gold' } });
  const id = created.body.data.id;

  const bare = await server.request('POST', `/api/v1/apps/${appId}/recipients`);
  t.equal(bare.status, 201, 'every field is optional');
  t.match(bare.body.data, { uid: null, name: null, metadata: {} });

  for (const path of [
    `/api/v1/apps/billing/recipients/acme`,
    `/api/v1/apps/${appId}/recipients/${id}`,
    `/api/v1/apps/billing/recipients/${id}`,
  ]) {
    const got = await server.request('GET', path);
    t.equal(got.status, 200, path);
    t.same(got.body.data, created.body.data, `${path} finds it by id or uid`);
  }

  const listed = await server.request('GET', '/api/v1/apps/billing/recipients');
  t.same(
    listed.body.data.map((r: { id: string }) => r.id),
    [bare.body.data.id, id],
  );

  const patched = await server.request('PATCH', '/api/v1/apps/billing/recipients/acme', { body: { name: null, uid: 'acme-corp' } });
  t.equal(patched.status, 200);
  t.match(patched.body.data, { id, uid: 'acme-corp', name: null, metadata: { tier: 'gold' } });
  t.equal((await server.request('GET', '/api/v1/apps/billing/recipients/acme')).status, 404);
  t.equal((await server.request('GET', '/api/v1/apps/billing/recipients/acme-corp')).status, 200);

  const deleted = await server.request('DELETE', '/api/v1/apps/billing/recipients/acme-corp');
  t.same(deleted.body.data, { id, deleted: true, erased: { endpoints: 0, messages: 0, attempts: 0 } });
  const gone = await server.request('GET', `/api/v1/apps/billing/recipients/${id}`);
  t.equal(gone.status, 404);
  t.equal(gone.body.error, 'recipient_not_found');
  t.equal(await server.db('recipients').where({ id }).first(), undefined);
});

forEachDatabase(t, 'recipients API answers 409 for a duplicate uid within an app and 400 for bad fields', async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'a', uid: 'a' } });
  await server.request('POST', '/api/v1/apps', { body: { name: 'b', uid: 'b' } });
  t.equal((await server.request('POST', '/api/v1/apps/a/recipients', { body: { uid: 'acme' } })).status, 201);
  const dup = await server.request('POST', '/api/v1/apps/a/recipients', { body: { uid: 'acme' } });
  t.equal(dup.status, 409);
  t.equal(dup.body.error, 'conflict');
  t.equal((await server.request('POST', '/api/v1/apps/b/recipients', { body: { uid: 'acme' } })).status, 201, 'uids are per app');

  const other = await server.request('POST', '/api/v1/apps/a/recipients', { body: { uid: 'globex' } });
  const clash = await server.request('PATCH', `/api/v1/apps/a/recipients/${other.body.data.id}`, { body: { uid: 'acme' } });
  t.equal(clash.status, 409);

  const badUid = await server.request('POST', '/api/v1/apps/a/recipients', { body: { uid: 'a b' } });
  t.equal(badUid.status, 400);
  t.equal(badUid.body.details[0].path, '/uid');
  const badName = await server.request('POST', '/api/v1/apps/a/recipients', { body: { name: 5 } });
  t.equal(badName.status, 400);
  t.equal(badName.body.details[0].path, '/name');
  const unknownApp = await server.request('POST', '/api/v1/apps/zzz/recipients', { body: {} });
  t.equal(unknownApp.status, 404);
  t.equal(unknownApp.body.error, 'app_not_found');
});
