import t from 'tap';
import { forEachDatabase } from '../helpers/each-database.js';
import { api, createApp, send } from '../helpers/dispatch-fixtures.js';

// Keys the database compares must match byte for byte on both databases: MySQL's utf8mb4_bin
// pads with spaces ('inv-1 ' = 'inv-1') and a case-folding collation would merge 'a' and 'A'.

forEachDatabase(t, 'event_id differing by a trailing space makes a second message with its own payload', async (t, server) => {
  const setup = await createApp(server);
  const first = await send(server, setup, { event_type: 'invoice.paid', event_id: 'inv-1', payload: { n: 1 } });
  const second = await send(server, setup, { event_type: 'invoice.paid', event_id: 'inv-1 ', payload: { n: 2 } });
  t.not(second.id, first.id, 'a new message, not the stored inv-1 one');
  t.equal(second.event_id, 'inv-1 ');
  t.same(second.payload, { n: 2 });

  const stored = await api(server, 'GET', `/apps/${setup.app}/messages/${second.id}`);
  t.equal(stored.event_id, 'inv-1 ');
  t.same(stored.payload, { n: 2 }, 'the new payload was stored, not dropped');
  t.same((await api(server, 'GET', `/apps/${setup.app}/messages/${first.id}`)).payload, { n: 1 });

  const again = await send(server, setup, { event_type: 'invoice.paid', event_id: 'inv-1 ', payload: { n: 3 } });
  t.equal(again.id, second.id, 'the exact same event_id is still idempotent');
  const upper = await send(server, setup, { event_type: 'invoice.paid', event_id: 'INV-1', payload: { n: 4 } });
  t.not(upper.id, first.id, 'case differs: another message');
  t.same(upper.payload, { n: 4 });
});

forEachDatabase(t, 'Idempotency-Key header compares case-sensitively and byte-exactly', async (t, server) => {
  const setup = await createApp(server);
  const first = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } }, { 'idempotency-key': 'key-1' });
  const upper = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } }, { 'idempotency-key': 'KEY-1' });
  const inner = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 3 } }, { 'idempotency-key': 'key-1 x' });
  t.not(upper.id, first.id);
  t.not(inner.id, first.id);
  t.same((await api(server, 'GET', `/apps/${setup.app}/messages/${upper.id}`)).payload, { n: 2 });
  t.same((await api(server, 'GET', `/apps/${setup.app}/messages/${inner.id}`)).payload, { n: 3 });
  const again = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 9 } }, { 'idempotency-key': 'key-1' });
  t.equal(again.id, first.id, 'the same key is still idempotent');
  t.same(again.payload, { n: 1 });
});

forEachDatabase(t, 'app uids differing by case are two apps and a trailing space finds neither', async (t, server) => {
  const lower = await server.request('POST', '/api/v1/apps', { body: { name: 'lower', uid: 'a' } });
  const upper = await server.request('POST', '/api/v1/apps', { body: { name: 'upper', uid: 'A' } });
  t.equal(lower.status, 201);
  t.equal(upper.status, 201, 'no 409: "A" is not "a"');
  t.not(upper.body.data.id, lower.body.data.id);
  t.equal((await api(server, 'GET', '/apps/A')).name, 'upper');
  t.equal((await api(server, 'GET', '/apps/a')).name, 'lower');

  // "a " is refused by the uid pattern today; whatever validation says, it must never be "a"
  const spaced = await server.request('POST', '/api/v1/apps', { body: { name: 'spaced', uid: 'a ' } });
  t.not(spaced.status, 409, 'a trailing space does not collide with "a"');
  if (spaced.status === 201) t.not(spaced.body.data.id, lower.body.data.id);
  else t.equal(spaced.status, 400);
  const bySpaced = await server.request('GET', '/api/v1/apps/a%20');
  if (spaced.status === 201) t.equal(bySpaced.body.data?.id, spaced.body.data.id);
  else t.equal(bySpaced.status, 404, '"a " does not find app "a"');
});

forEachDatabase(t, 'recipient uids compare byte-exactly in paths and message targets', async (t, server) => {
  const setup = await createApp(server, { recipients: ['acme', 'ACME'] });
  t.not(setup.recipients.ACME, setup.recipients.acme, 'two recipients');
  t.equal((await api(server, 'GET', `/apps/${setup.app}/recipients/ACME`)).id, setup.recipients.ACME);
  const spaced = await server.request('GET', `/api/v1/apps/${setup.app}/recipients/acme%20`);
  t.equal(spaced.status, 404, '"acme " does not find "acme"');
  t.equal(spaced.body.error, 'recipient_not_found');
  const targeted = await server.request('POST', `/api/v1/apps/${setup.app}/messages`, {
    body: { event_type: 'invoice.paid', recipient: 'acme ', payload: {} },
  });
  t.equal(targeted.status, 404, 'a message for "acme " is not sent to "acme"');
  t.equal(targeted.body.error, 'recipient_not_found');
});

forEachDatabase(t, 'event-type names differing by case are two types and a trailing space finds neither', async (t, server) => {
  const setup = await createApp(server, { eventTypes: { 'invoice.paid': { type: 'object', required: ['lower'] } } });
  const upper = await server.request('POST', `/api/v1/apps/${setup.app}/event-types`, {
    body: { name: 'Invoice.Paid', schema: { type: 'object', required: ['upper'] } },
  });
  t.equal(upper.status, 201, 'no 409: "Invoice.Paid" is not "invoice.paid"');
  t.same((await api(server, 'GET', `/apps/${setup.app}/event-types/Invoice.Paid`)).schema, { type: 'object', required: ['upper'] });
  t.same((await api(server, 'GET', `/apps/${setup.app}/event-types/invoice.paid`)).schema, { type: 'object', required: ['lower'] });
  const spaced = await server.request('GET', `/api/v1/apps/${setup.app}/event-types/invoice.paid%20`);
  t.equal(spaced.status, 404, '"invoice.paid " does not find "invoice.paid"');
  t.equal(spaced.body.error, 'event_type_not_found');

  // each name's own schema applies: the type was looked up byte-exactly
  const wrongForUpper = await server.request('POST', `/api/v1/apps/${setup.app}/messages`, {
    body: { event_type: 'Invoice.Paid', payload: { lower: 1 } },
  });
  t.equal(wrongForUpper.status, 400);
  t.equal(wrongForUpper.body.error, 'payload_invalid');
  t.equal((await send(server, setup, { event_type: 'Invoice.Paid', payload: { upper: 1 } })).event_type, 'Invoice.Paid');
});
