import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';

async function createApp(server: TestServer, uid: string) {
  const app = await server.request('POST', '/api/v1/apps', { body: { name: uid, uid } });
  return app.body.data.id as string;
}

const invoiceSchema = { type: 'object', required: ['invoice_id'], properties: { invoice_id: { type: 'string' } } };

forEachDatabase(t, 'event types API creates, reads and updates event types', async (t, server) => {
  const appId = await createApp(server, 'billing');
  const created = await server.request('POST', '/api/v1/apps/billing/event-types', {
    body: { name: 'invoice.paid', description: 'Paid in full', schema: invoiceSchema },
  });
  t.equal(created.status, 201);
  t.match(created.body.data, {
    id: /^et_/,
    app_id: appId,
    name: 'invoice.paid',
    description: 'Paid in full',
    schema: invoiceSchema,
    archived: false,
    archived_at: null,
  });
  t.type(created.body.data.created_at, 'string');

  const minimal = await server.request('POST', `/api/v1/apps/${appId}/event-types`, { body: { name: 'user_created-v2' } });
  t.equal(minimal.status, 201);
  t.match(minimal.body.data, { name: 'user_created-v2', description: null, schema: null });

  const fetched = await server.request('GET', '/api/v1/apps/billing/event-types/invoice.paid');
  t.equal(fetched.status, 200);
  t.same(fetched.body.data, created.body.data);

  const listed = await server.request('GET', '/api/v1/apps/billing/event-types');
  t.same(
    listed.body.data.map((e: { name: string }) => e.name),
    ['user_created-v2', 'invoice.paid'],
    'newest first',
  );

  const patched = await server.request('PATCH', '/api/v1/apps/billing/event-types/invoice.paid', { body: { description: 'Paid' } });
  t.equal(patched.status, 200);
  t.match(patched.body.data, { description: 'Paid', schema: invoiceSchema });
  const schemaRemoved = await server.request('PATCH', '/api/v1/apps/billing/event-types/invoice.paid', { body: { schema: null } });
  t.equal(schemaRemoved.body.data.schema, null);
  const row = await server.db('event_types').where({ app_id: appId, name: 'invoice.paid' }).first();
  t.equal(row.schema, null);
  t.equal(row.description, 'Paid');

  const missing = await server.request('GET', '/api/v1/apps/billing/event-types/invoice.refunded');
  t.equal(missing.status, 404);
  t.equal(missing.body.error, 'event_type_not_found');
  const noApp = await server.request('GET', '/api/v1/apps/nope/event-types');
  t.equal(noApp.status, 404);
  t.equal(noApp.body.error, 'app_not_found');
});

forEachDatabase(t, 'event types API validates the name and the JSON Schema', async (t, server) => {
  await createApp(server, 'shop');
  const noName = await server.request('POST', '/api/v1/apps/shop/event-types', { body: { description: 'x' } });
  t.equal(noName.status, 400);
  t.same(noName.body.details, [{ path: '/name', message: 'is required' }]);

  for (const name of ['has space', 'slash/name', 'ü', '', 'x'.repeat(257)]) {
    const bad = await server.request('POST', '/api/v1/apps/shop/event-types', { body: { name } });
    t.equal(bad.status, 400, `name ${JSON.stringify(name.slice(0, 20))} is refused`);
    t.equal(bad.body.details[0].path, '/name');
  }

  const badType = await server.request('POST', '/api/v1/apps/shop/event-types', { body: { name: 'a', schema: { type: 'nope' } } });
  t.equal(badType.status, 400);
  t.equal(badType.body.error, 'invalid_request');
  t.ok(badType.body.details.length > 0);
  t.ok(
    badType.body.details.every((d: { path: string }) => d.path.startsWith('/schema')),
    'details point at /schema',
  );
  t.match(badType.body.details[0].path, /^\/schema\/type/);

  const badRef = await server.request('POST', '/api/v1/apps/shop/event-types', {
    body: { name: 'a', schema: { $ref: '#/definitions/missing' } },
  });
  t.equal(badRef.status, 400);
  t.equal(badRef.body.details[0].path, '/schema');
  t.match(badRef.body.details[0].message, /missing/);

  const badRequired = await server.request('POST', '/api/v1/apps/shop/event-types', { body: { name: 'a', schema: { required: 'id' } } });
  t.equal(badRequired.status, 400);
  t.equal(badRequired.body.details[0].path, '/schema/required');

  const notObject = await server.request('POST', '/api/v1/apps/shop/event-types', { body: { name: 'a', schema: 'string' } });
  t.equal(notObject.status, 400);
  t.equal(notObject.body.details[0].path, '/schema');

  t.equal(
    await server
      .db('event_types')
      .count({ n: '*' })
      .first()
      .then((r) => Number(r?.n)),
    0,
    'nothing stored',
  );

  // user schemas may use unknown keywords and formats (strict off), and the same $id twice
  const lenient = {
    $id: 'https://example.com/order',
    type: 'object',
    'x-owner': 'team',
    properties: { at: { type: 'string', format: 'date-time' } },
  };
  t.equal(
    (await server.request('POST', '/api/v1/apps/shop/event-types', { body: { name: 'order.created', schema: lenient } })).status,
    201,
  );
  t.equal(
    (await server.request('POST', '/api/v1/apps/shop/event-types', { body: { name: 'order.updated', schema: lenient } })).status,
    201,
  );

  const draft2020 = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }] };
  t.equal(
    (await server.request('POST', '/api/v1/apps/shop/event-types', { body: { name: 'tuple', schema: draft2020 } })).status,
    201,
    'draft 2020-12 schemas compile',
  );
  const unknownDraft = await server.request('POST', '/api/v1/apps/shop/event-types', {
    body: { name: 'odd', schema: { $schema: 'https://example.com/my-meta' } },
  });
  t.equal(unknownDraft.status, 400, 'an unknown meta-schema is refused');
  t.equal(unknownDraft.body.details[0].path, '/schema');

  const badPatch = await server.request('PATCH', '/api/v1/apps/shop/event-types/order.created', { body: { schema: { type: 12 } } });
  t.equal(badPatch.status, 400);
  t.match(badPatch.body.details[0].path, /^\/schema/);
});

forEachDatabase(t, 'event types API answers 409 for a duplicate name in the same app', async (t, server) => {
  await createApp(server, 'one');
  await createApp(server, 'two');
  t.equal((await server.request('POST', '/api/v1/apps/one/event-types', { body: { name: 'invoice.paid' } })).status, 201);
  const dup = await server.request('POST', '/api/v1/apps/one/event-types', { body: { name: 'invoice.paid' } });
  t.equal(dup.status, 409);
  t.equal(dup.body.error, 'conflict');
  t.equal(
    (await server.request('POST', '/api/v1/apps/two/event-types', { body: { name: 'invoice.paid' } })).status,
    201,
    'another app may reuse the name',
  );
  t.equal(
    (await server.request('POST', '/api/v1/apps/one/event-types', { body: { name: 'Invoice.paid' } })).status,
    201,
    'names are case-sensitive',
  );
});

forEachDatabase(t, 'event types API archives and unarchives, hiding archived types by default', async (t, server) => {
  await createApp(server, 'crm');
  await server.request('POST', '/api/v1/apps/crm/event-types', { body: { name: 'contact.created' } });
  await server.request('POST', '/api/v1/apps/crm/event-types', { body: { name: 'contact.deleted' } });

  const archived = await server.request('POST', '/api/v1/apps/crm/event-types/contact.deleted/archive');
  t.equal(archived.status, 200);
  t.equal(archived.body.data.archived, true);
  t.ok(Date.parse(archived.body.data.archived_at) > 0);

  const again = await server.request('POST', '/api/v1/apps/crm/event-types/contact.deleted/archive');
  t.equal(again.status, 200);
  t.equal(again.body.data.archived_at, archived.body.data.archived_at, 'archiving twice keeps the first time');

  const visible = await server.request('GET', '/api/v1/apps/crm/event-types');
  t.same(
    visible.body.data.map((e: { name: string }) => e.name),
    ['contact.created'],
  );
  const all = await server.request('GET', '/api/v1/apps/crm/event-types?include_archived=true');
  t.same(
    all.body.data.map((e: { name: string }) => e.name),
    ['contact.deleted', 'contact.created'],
  );
  const explicitFalse = await server.request('GET', '/api/v1/apps/crm/event-types?include_archived=false');
  t.equal(explicitFalse.body.data.length, 1);
  const badFlag = await server.request('GET', '/api/v1/apps/crm/event-types?include_archived=maybe');
  t.equal(badFlag.status, 400);
  t.equal(badFlag.body.details[0].path, '/include_archived');

  const stillReadable = await server.request('GET', '/api/v1/apps/crm/event-types/contact.deleted');
  t.equal(stillReadable.body.data.archived, true);

  const unarchived = await server.request('POST', '/api/v1/apps/crm/event-types/contact.deleted/unarchive');
  t.equal(unarchived.status, 200);
  t.match(unarchived.body.data, { archived: false, archived_at: null });
  t.equal((await server.request('GET', '/api/v1/apps/crm/event-types')).body.data.length, 2);

  const unknown = await server.request('POST', '/api/v1/apps/crm/event-types/nope/archive');
  t.equal(unknown.status, 404);
  t.equal(unknown.body.error, 'event_type_not_found');
});
