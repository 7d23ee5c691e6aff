import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createWorkspaceWithKey } from '../../../server/bootstrap.js';

forEachDatabase(t, 'apps API creates, reads, updates and deletes apps', async (t, server) => {
  const created = await server.request('POST', '/api/v1/apps', {
    body: { name: 'Billing', uid: 'billing', metadata: { team: 'payments' } },
  });
  t.equal(created.status, 201);
  t.match(created.body.data, { id: /^app_/, uid: 'billing', name: 'Billing', metadata: { team: 'payments' } });
  t.equal(created.body.data.created_at, created.body.data.updated_at);
  t.ok(!Number.isNaN(Date.parse(created.body.data.created_at)), 'ISO timestamp');
  const id = created.body.data.id;

  const byId = await server.request('GET', `/api/v1/apps/${id}`);
  t.equal(byId.status, 200);
  t.same(byId.body.data, created.body.data);
  const byUid = await server.request('GET', '/api/v1/apps/billing');
  t.same(byUid.body.data, created.body.data, 'the uid finds the same app');

  const patched = await server.request('PATCH', '/api/v1/apps/billing', { body: { name: 'Billing v2', metadata: { team: 'core' } } });
  t.equal(patched.status, 200);
  t.match(patched.body.data, { id, uid: 'billing', name: 'Billing v2', metadata: { team: 'core' } });
  const row = await server.db('apps').where({ id }).first();
  t.equal(row.name, 'Billing v2');

  const uidCleared = await server.request('PATCH', `/api/v1/apps/${id}`, { body: { uid: null } });
  t.equal(uidCleared.body.data.uid, null);
  t.equal((await server.request('GET', '/api/v1/apps/billing')).status, 404, 'the removed uid no longer resolves');

  const listed = await server.request('GET', '/api/v1/apps');
  t.equal(listed.status, 200);
  t.same(
    listed.body.data.map((a: { id: string }) => a.id),
    [id],
  );
  t.equal(listed.body.next_cursor, null);

  const deleted = await server.request('DELETE', `/api/v1/apps/${id}`);
  t.equal(deleted.status, 200);
  t.same(deleted.body.data, { id, deleted: true });
  const gone = await server.request('GET', `/api/v1/apps/${id}`);
  t.equal(gone.status, 404);
  t.equal(gone.body.error, 'app_not_found');
  t.equal((await server.request('DELETE', `/api/v1/apps/${id}`)).status, 404);
});

forEachDatabase(t, 'apps API rejects a missing or bad field with details', async (t, server) => {
  const missing = await server.request('POST', '/api/v1/apps', { body: { uid: 'x' } });
  t.equal(missing.status, 400);
  t.equal(missing.body.error, 'invalid_request');
  t.same(missing.body.details, [{ path: '/name', message: 'is required' }]);

  const empty = await server.request('POST', '/api/v1/apps', { body: { name: '' } });
  t.equal(empty.status, 400);
  t.equal(empty.body.details[0].path, '/name');

  const badUid = await server.request('POST', '/api/v1/apps', { body: { name: 'a', uid: 'has space' } });
  t.equal(badUid.status, 400);
  t.equal(badUid.body.details[0].path, '/uid');

  const unknown = await server.request('POST', '/api/v1/apps', { body: { name: 'a', colour: 'red' } });
  t.equal(unknown.status, 400);
  t.same(unknown.body.details, [{ path: '/colour', message: 'is not a known field' }]);

  const badJson = await server.request('POST', '/api/v1/apps', { rawBody: '{"name":' });
  t.equal(badJson.status, 400);
  t.equal(badJson.body.error, 'invalid_json');

  const badMetadata = await server.request('POST', '/api/v1/apps', { body: { name: 'a', metadata: [1] } });
  t.equal(badMetadata.status, 400);
  t.equal(badMetadata.body.details[0].path, '/metadata');
});

forEachDatabase(t, 'apps API answers 409 for a duplicate uid', async (t, server) => {
  t.equal((await server.request('POST', '/api/v1/apps', { body: { name: 'a', uid: 'shop' } })).status, 201);
  const dup = await server.request('POST', '/api/v1/apps', { body: { name: 'b', uid: 'shop' } });
  t.equal(dup.status, 409);
  t.equal(dup.body.error, 'conflict');
  t.match(dup.body.message, /shop/);
  t.equal(
    await server
      .db('apps')
      .count({ n: '*' })
      .first()
      .then((r) => Number(r?.n)),
    1,
    'no second row',
  );

  const other = await server.request('POST', '/api/v1/apps', { body: { name: 'c', uid: 'other' } });
  const renamed = await server.request('PATCH', `/api/v1/apps/${other.body.data.id}`, { body: { uid: 'shop' } });
  t.equal(renamed.status, 409, 'changing a uid to a taken one is a conflict too');

  // uids are per workspace: another workspace may reuse one
  const second = await createWorkspaceWithKey(server.db, 'second', Date.now());
  const elsewhere = await server.request('POST', '/api/v1/apps', { key: second.key, body: { name: 'a', uid: 'shop' } });
  t.equal(elsewhere.status, 201);
});

forEachDatabase(t, 'apps API deletes an app with its event types, recipients and endpoints', async (t, server) => {
  const app = (await server.request('POST', '/api/v1/apps', { body: { name: 'a', uid: 'a' } })).body.data;
  const keep = (await server.request('POST', '/api/v1/apps', { body: { name: 'b', uid: 'b' } })).body.data;
  for (const uid of ['a', 'b']) {
    await server.request('POST', `/api/v1/apps/${uid}/event-types`, { body: { name: 'x.created' } });
    await server.request('POST', `/api/v1/apps/${uid}/recipients`, { body: { uid: 'r' } });
    t.equal(
      (await server.request('POST', `/api/v1/apps/${uid}/recipients/r/endpoints`, { body: { url: 'https://h.example/' } })).status,
      201,
    );
  }
  t.equal((await server.request('DELETE', '/api/v1/apps/a')).status, 200);
  for (const table of ['event_types', 'recipients', 'endpoints']) {
    const rows = await server.db(table).select('app_id');
    t.same(
      rows.map((r: { app_id: string }) => r.app_id),
      [keep.id],
      `${table} of the deleted app are gone`,
    );
  }
  t.not(app.id, keep.id);
});
