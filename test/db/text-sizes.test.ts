import t from 'tap';
import { forEachDatabase } from '../helpers/each-database.js';
import { api, createApp } from '../helpers/dispatch-fixtures.js';

// MySQL's TEXT holds 65,535 bytes; every column that stores caller text must hold what the API
// accepts (1 MiB bodies), on MariaDB as on SQLite, and give it back byte for byte.

/** About `bytes` bytes of UTF-8 text mixing ASCII, 2-, 3- and 4-byte characters. */
function mixedText(bytes: number): string {
  const unit = 'Dispatch é ✓ 🙂 "quoted" \\ back/slash; ';
  return unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));
}

/** `length` visible ASCII characters (0x21–0x7e), as header values must be. */
function visibleAscii(length: number, seed: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(0x21 + ((i * 7 + seed) % 94));
  return text;
}

const BIG = 70 * 1024;

forEachDatabase(t, 'app and recipient metadata over 64 KiB are stored and read back identical', async (t, server) => {
  const metadata = { notes: mixedText(BIG), nested: { list: [mixedText(2_000), 42, true, null] } };
  t.ok(Buffer.byteLength(JSON.stringify(metadata)) > 70_000, 'larger than a MySQL TEXT column');

  const app = await server.request('POST', '/api/v1/apps', { body: { name: 'big', uid: 'big', metadata } });
  t.equal(app.status, 201, JSON.stringify(app.body).slice(0, 200));
  t.equal(JSON.stringify((await api(server, 'GET', '/apps/big')).metadata), JSON.stringify(metadata));

  const recipient = await server.request('POST', '/api/v1/apps/big/recipients', { body: { uid: 'acme', metadata } });
  t.equal(recipient.status, 201, JSON.stringify(recipient.body).slice(0, 200));
  t.equal(JSON.stringify((await api(server, 'GET', '/apps/big/recipients/acme')).metadata), JSON.stringify(metadata));

  const patched = { notes: mixedText(BIG * 2) };
  t.equal((await server.request('PATCH', '/api/v1/apps/big', { body: { metadata: patched } })).status, 200);
  t.equal(JSON.stringify((await api(server, 'GET', '/apps/big')).metadata), JSON.stringify(patched));
});

forEachDatabase(t, 'an event-type schema over 64 KiB is stored, read back identical and enforced', async (t, server) => {
  const setup = await createApp(server, { eventTypes: {} });
  const properties: Record<string, unknown> = {};
  for (let i = 0; JSON.stringify(properties).length < BIG; i++) {
    properties[`field_${i}`] = { type: 'string', description: mixedText(1_000) };
  }
  const schema = { type: 'object', required: ['field_0'], properties };
  const description = mixedText(4_000).slice(0, 4_096);
  const created = await server.request('POST', `/api/v1/apps/${setup.app}/event-types`, {
    body: { name: 'big.schema', description, schema },
  });
  t.equal(created.status, 201, JSON.stringify(created.body).slice(0, 200));

  const stored = await api(server, 'GET', `/apps/${setup.app}/event-types/big.schema`);
  t.equal(JSON.stringify(stored.schema), JSON.stringify(schema));
  t.equal(stored.description, description);
  const invalid = await server.request('POST', `/api/v1/apps/${setup.app}/messages`, { body: { event_type: 'big.schema', payload: {} } });
  t.equal(invalid.body.error, 'payload_invalid', 'the stored schema is the one enforced');
});

forEachDatabase(t, 'endpoint headers of 20 x 4 KiB and long url/description are stored and read back identical', async (t, server) => {
  const setup = await createApp(server);
  const headers: Record<string, string> = {};
  for (let i = 1; i <= 20; i++) headers[`x-h-${i}`] = visibleAscii(4_096, i);
  const url = `http://127.0.0.1:9/hook?${'q=1&'.repeat(500)}`.slice(0, 2_048);
  const description = mixedText(4_000).slice(0, 4_096);
  const created = await server.request('POST', `/api/v1/apps/${setup.app}/recipients/acme/endpoints`, {
    body: { url, description, headers, event_types: ['invoice.paid'] },
  });
  t.equal(created.status, 201, JSON.stringify(created.body).slice(0, 200));

  const stored = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${created.body.data.id}`);
  t.same(stored.headers, headers);
  t.equal(JSON.stringify(stored.headers), JSON.stringify(headers), 'same names, order and bytes');
  t.equal(stored.url, url);
  t.equal(stored.description, description);
});

forEachDatabase(t, 'a message payload near the 1 MiB body limit is stored and read back identical', async (t, server) => {
  const setup = await createApp(server);
  const payload = { blob: mixedText(800 * 1024) };
  const sent = await server.request('POST', `/api/v1/apps/${setup.app}/messages`, { body: { event_type: 'invoice.paid', payload } });
  t.equal(sent.status, 202, JSON.stringify(sent.body).slice(0, 200));
  const stored = await api(server, 'GET', `/apps/${setup.app}/messages/${sent.body.data.id}`);
  t.equal(JSON.stringify(stored.payload), JSON.stringify(payload));
});
