import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';

async function createSource(server: TestServer, body: Record<string, unknown> = {}) {
  const created = await server.request('POST', '/api/v1/sources', { body: { name: 'events', ...body } });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return { id: created.body.data.id as string, url: created.body.data.ingest_url.replace(server.config.publicUrl, server.url) as string };
}

async function send(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return (await response.json()) as { ok: boolean; event_id?: string; error?: string };
}

forEachDatabase(t, 'events API lists with filters and pages, and shows the stored request', async (t, server) => {
  const signed = await createSource(server, { verification: { type: 'api_key', header: 'x-key', key: 'right' } });
  const other = await createSource(server);
  const first = await send(signed.url, '{"n":1}', { 'x-key': 'right', 'content-type': 'application/json' });
  const rejected = await send(signed.url, '{"n":2}', { 'x-key': 'wrong' });
  t.equal(rejected.error, 'signature_invalid');
  const binary = await send(other.url, Buffer.from([0xde, 0xad, 0xbe, 0xef]));

  const all = await server.request('GET', '/api/v1/events');
  t.equal(all.status, 200);
  t.equal(all.body.data.length, 3);
  t.equal(all.body.data[0].id, binary.event_id, 'newest first');
  t.equal(all.body.data[0].body, undefined, 'lists carry no bodies');
  t.equal(all.body.data[0].headers, undefined, 'lists carry no headers');

  const onlyRejected = await server.request('GET', '/api/v1/events?status=rejected');
  t.equal(onlyRejected.body.data.length, 1);
  t.match(onlyRejected.body.data[0], { source_id: signed.id, status: 'rejected', verified: false, rejection_reason: 'key does not match' });

  const bySource = await server.request('GET', `/api/v1/events?source_id=${signed.id}`);
  t.equal(bySource.body.data.length, 2);
  const firstCreated = (await server.db('events').where({ id: first.event_id }).first()).created_at;
  const since = await server.request('GET', `/api/v1/events?since=${encodeURIComponent(new Date(Number(firstCreated) + 1).toISOString())}`);
  t.notOk(
    since.body.data.some((e: { id: string }) => e.id === first.event_id),
    'since excludes older events',
  );
  const until = await server.request('GET', `/api/v1/events?until=${encodeURIComponent(new Date(Number(firstCreated) + 1).toISOString())}`);
  t.ok(
    until.body.data.some((e: { id: string }) => e.id === first.event_id),
    'until includes older events',
  );

  const page1 = await server.request('GET', '/api/v1/events?limit=2');
  t.equal(page1.body.data.length, 2);
  t.type(page1.body.next_cursor, 'string');
  const page2 = await server.request('GET', `/api/v1/events?limit=2&cursor=${page1.body.next_cursor}`);
  t.equal(page2.body.data.length, 1);
  t.equal(page2.body.next_cursor, null);

  const detail = await server.request('GET', `/api/v1/events/${first.event_id}`);
  t.match(detail.body.data, {
    id: first.event_id,
    source_id: signed.id,
    method: 'POST',
    path: '/',
    query: '',
    body: '{"n":1}',
    body_encoding: 'utf8',
    verified: true,
    status: 'pending',
    rejection_reason: null,
    attempts: [],
  });
  t.equal(detail.body.data.headers['content-type'], 'application/json');
  t.equal(detail.body.data.headers['x-key'], '[redacted]', 'the api_key credential is stored redacted (CONTRACT §10)');
  const bin = await server.request('GET', `/api/v1/events/${binary.event_id}`);
  t.match(bin.body.data, { body: '3q2+7w==', body_encoding: 'base64' });

  t.equal((await server.request('GET', '/api/v1/events?status=bogus')).body.error, 'invalid_request');
  t.equal((await server.request('GET', '/api/v1/events?since=yesterday')).body.error, 'invalid_request');
  t.equal((await server.request('GET', '/api/v1/events/evt_missing')).body.error, 'event_not_found');
});

forEachDatabase(t, 'events API replay refuses what cannot be forwarded', async (t, server) => {
  const storeOnly = await createSource(server);
  const stored = await send(storeOnly.url, 'x');
  const noDestination = await server.request('POST', `/api/v1/events/${stored.event_id}/replay`);
  t.equal(noDestination.status, 400);
  t.equal(noDestination.body.error, 'invalid_request');
  t.match(noDestination.body.message, /no destination/);

  const forwarding = await createSource(server, {
    verification: { type: 'api_key', header: 'x-key', key: 'k' },
    destination: { url: 'https://backend.example.com/' },
    dedupe: { key: 'body_hash', window: '1h' },
  });
  await send(forwarding.url, 'bad', { 'x-key': 'nope' });
  const rejected = await server.db('events').where({ source_id: forwarding.id, status: 'rejected' }).first();
  t.equal((await server.request('POST', `/api/v1/events/${rejected.id}/replay`)).body.error, 'invalid_request');

  const original = await send(forwarding.url, 'same', { 'x-key': 'k' });
  await send(forwarding.url, 'same', { 'x-key': 'k' });
  const duplicate = await server.db('events').where({ source_id: forwarding.id, status: 'duplicate' }).first();
  const dupReplay = await server.request('POST', `/api/v1/events/${duplicate.id}/replay`);
  t.equal(dupReplay.body.error, 'invalid_request');
  t.match(dupReplay.body.message, original.event_id);

  await server.request('POST', `/api/v1/sources/${forwarding.id}/pause`);
  const paused = await server.request('POST', `/api/v1/events/${original.event_id}/replay`);
  t.equal(paused.body.error, 'invalid_request');
  t.match(paused.body.message, /paused/);
  await server.request('POST', `/api/v1/sources/${forwarding.id}/resume`);

  await server.db('events').where({ id: original.event_id }).update({ body: null, body_expired: true });
  const expired = await server.request('POST', `/api/v1/events/${original.event_id}/replay`);
  t.equal(expired.status, 400);
  t.equal(expired.body.error, 'payload_expired');

  t.equal((await server.request('POST', '/api/v1/events/evt_missing/replay')).status, 404);
  const signals: string[] = [];
  server.deps.signals.on('ingested', (e: { status: string }) => signals.push(e.status));
  await send(forwarding.url, 'fresh', { 'x-key': 'k' });
  await send(forwarding.url, 'fresh', { 'x-key': 'k' });
  await send(forwarding.url, 'fresh', { 'x-key': 'bad' });
  t.same(signals, ['accepted', 'duplicate', 'rejected'], 'each stored request is signalled for metrics');
  const before = await server.db('deliveries').where({ source_id: forwarding.id, trigger: 'replay' });
  t.equal(before.length, 0, 'no replay delivery was queued by refused replays');
});

forEachDatabase(t, 'events API requires event scopes', async (t, server) => {
  const key = (await server.request('POST', '/api/v1/keys', { body: { name: 'r', scopes: ['event:read'] } })).body.data.key;
  t.equal((await server.request('GET', '/api/v1/events', { key })).status, 200);
  const denied = await server.request('POST', '/api/v1/events/evt_x/replay', { key });
  t.equal(denied.status, 403);
  t.equal(denied.body.required_scope, 'event:write');
  const sourceKey = (await server.request('POST', '/api/v1/keys', { body: { name: 's', scopes: ['source:read'] } })).body.data.key;
  t.equal((await server.request('GET', '/api/v1/events', { key: sourceKey })).status, 403);
});
