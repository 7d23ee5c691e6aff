import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';
import { standardWebhooksSignature, waitFor } from '../../helpers/ingest-signing.js';
import { startDispatcher } from '../../../server/delivery/dispatcher.js';
import type { Json } from '../../helpers/json.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** A real receiver on loopback: records every request and answers `status()`. */
async function startReceiver(t: Test, status: () => number = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method as string,
        url: req.url as string,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      });
      res.statusCode = status();
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?team=ops`, received };
}

function runDispatcher(t: Test, server: TestServer) {
  const dispatcher = startDispatcher(server.deps, { pollMs: 20 });
  t.teardown(() => dispatcher.stop(1000));
}

async function createSource(server: TestServer, body: Record<string, unknown>) {
  const created = await server.request('POST', '/api/v1/sources', { body: { name: 'forwarding', ...body } });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return { ...created.body.data, url: created.body.data.ingest_url.replace(server.config.publicUrl, server.url) as string };
}

/** Sends with node:http so hop-by-hop and incoming signature headers really reach the server. */
function sendRaw(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode as number, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function eventStatus(server: TestServer, id: string) {
  return (await server.db('events').where({ id }).first()).status as string;
}

/** Checks a forward the way a receiver would: Standard Webhooks signature with the forward secret. */
function assertSigned(t: Test, forward: Received, secret: string, eventId: string) {
  t.equal(forward.headers['webhook-id'], eventId, 'webhook-id is the evt_ id');
  const timestamp = Number(forward.headers['webhook-timestamp']);
  t.ok(Math.abs(Date.now() / 1000 - timestamp) < 60);
  t.equal(
    forward.headers['webhook-signature'],
    standardWebhooksSignature(secret, eventId, timestamp, forward.body),
    'signature verifies with forward_secret',
  );
}

forEachDatabase(t, 'forwarding sends the original bytes, content-type and headers, signed with the forward secret', async (t, server) => {
  runDispatcher(t, server);
  const receiver = await startReceiver(t);
  const source = await createSource(server, {
    destination: { url: receiver.url, headers: { 'X-Team': 'ops', 'X-Original': 'overridden' } },
  });

  const json = Buffer.from('{"b": 2,  "a": [1, 2.50]}\n');
  const accepted = await sendRaw(
    source.url,
    {
      'content-type': 'application/vnd.custom+json; charset=utf-8',
      'x-original': 'from-sender',
      'x-request-id': 'abc-123',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'webhook-id': 'msg_incoming',
      'webhook-signature': 'v1,incoming',
      'svix-id': 'msg_incoming',
    },
    json,
  );
  t.equal(accepted.status, 200);
  const eventId = accepted.body.event_id;
  const delivery = await server.db('deliveries').where({ event_id: eventId }).first();
  t.match(
    delivery,
    { source_id: source.id, trigger: 'scheduled', max_attempts: server.config.retryScheduleMs.length + 1 },
    'queued in the ingest transaction',
  );

  await waitFor(async () => (await eventStatus(server, eventId)) === 'delivered', 10_000, 'delivered');
  t.equal(receiver.received.length, 1);
  const forward = receiver.received[0];
  t.equal(forward.method, 'POST');
  t.equal(forward.url, '/hooks?team=ops');
  t.same(forward.body, json, 'byte-identical body');
  t.equal(forward.headers['content-type'], 'application/vnd.custom+json; charset=utf-8');
  t.equal(forward.headers['x-request-id'], 'abc-123', 'original headers kept');
  t.equal(forward.headers['x-team'], 'ops', 'destination headers added');
  t.equal(forward.headers['x-original'], 'overridden', 'destination headers win');
  t.equal(forward.headers['keep-alive'], undefined, 'hop-by-hop dropped');
  t.equal(forward.headers['proxy-authorization'], undefined);
  t.equal(forward.headers['svix-id'], undefined, 'incoming signature headers dropped');
  assertSigned(t, forward, source.forward_secret, eventId);

  const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x81, 0xc3, 0x28, 0x0a, 0x0d]);
  const bin = await sendRaw(source.url, { 'content-type': 'application/octet-stream' }, binary);
  await waitFor(async () => (await eventStatus(server, bin.body.event_id)) === 'delivered', 10_000, 'binary delivered');
  const binForward = receiver.received[1];
  t.same(binForward.body, binary, 'non-UTF-8 body forwarded byte for byte');
  t.equal(binForward.headers['content-type'], 'application/octet-stream');
  assertSigned(t, binForward, source.forward_secret, bin.body.event_id);

  const detail = await server.request('GET', `/api/v1/events/${eventId}`);
  t.match(detail.body.data, {
    status: 'delivered',
    verified: false,
    attempts: [{ event_id: eventId, source_id: source.id, attempt: 1, trigger: 'scheduled', status: 'succeeded', response_status: 200 }],
  });
});

forEachDatabase(
  t,
  'forwarding retries, marks the event failed after the last attempt, and replay delivers it',
  async (t, server) => {
    runDispatcher(t, server);
    let answer = 500;
    const receiver = await startReceiver(t, () => answer);
    const source = await createSource(server, { destination: { url: receiver.url } });
    const accepted = await sendRaw(source.url, { 'content-type': 'application/json' }, Buffer.from('{"retry":true}'));
    const eventId = accepted.body.event_id;
    await waitFor(async () => (await eventStatus(server, eventId)) === 'failed', 10_000, 'failed');
    t.equal(receiver.received.length, 3, 'first attempt plus the two scheduled retries');
    t.equal((await server.db('sources').where({ id: source.id }).first()).consecutive_failures, 3);

    answer = 200;
    const replay = await server.request('POST', `/api/v1/events/${eventId}/replay`);
    t.same(replay.body, { ok: true, data: { event_id: eventId, status: 'pending' } });
    t.equal(replay.status, 202);
    await waitFor(async () => (await eventStatus(server, eventId)) === 'delivered', 10_000, 'replay delivered');
    const attempts = (await server.request('GET', `/api/v1/events/${eventId}`)).body.data.attempts;
    t.same(
      attempts.map((a: { trigger: string; status: string }) => `${a.trigger}:${a.status}`),
      ['scheduled:failed', 'scheduled:failed', 'scheduled:failed', 'replay:succeeded'],
    );
    t.same(
      new Set(receiver.received.map((r) => r.headers['webhook-id'])),
      new Set([eventId]),
      'webhook-id stable across retries and replays',
    );
    t.equal((await server.db('sources').where({ id: source.id }).first()).consecutive_failures, 0, 'a success ends the streak');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '30ms,30ms' } },
);

forEachDatabase(t, 'forwarding holds events while paused, delivers them on resume, never forwards duplicates', async (t, server) => {
  runDispatcher(t, server);
  const receiver = await startReceiver(t);
  const source = await createSource(server, {
    destination: { url: receiver.url, rate_limit: 50 },
    dedupe: { key: 'header:x-id', window: '1h' },
  });
  await server.request('POST', `/api/v1/sources/${source.id}/pause`);
  const ids: string[] = [];
  for (const n of [1, 2, 3]) ids.push((await sendRaw(source.url, { 'x-id': `id-${n}` }, Buffer.from(`held ${n}`))).body.event_id);
  const dup = await sendRaw(source.url, { 'x-id': 'id-1' }, Buffer.from('held 1 again'));
  t.same(dup.body, { ok: true, event_id: ids[0], duplicate: true });
  for (const id of ids) t.equal(await eventStatus(server, id), 'held');
  t.equal((await server.db('deliveries').where({ source_id: source.id })).length, 0, 'nothing queued while paused');

  const resumed = await server.request('POST', `/api/v1/sources/${source.id}/resume`);
  t.equal(resumed.body.data.released, 3);
  await waitFor(
    async () => {
      const statuses = await Promise.all(ids.map((id) => eventStatus(server, id)));
      return statuses.every((s) => s === 'delivered');
    },
    10_000,
    'held events delivered',
  );
  t.same(receiver.received.map((r) => r.body.toString()).sort(), ['held 1', 'held 2', 'held 3'], 'the duplicate was never forwarded');
  t.equal(
    await server
      .db('events')
      .where({ source_id: source.id, status: 'duplicate' })
      .count({ n: '*' })
      .first()
      .then((r) => Number(r?.n)),
    1,
  );
  const stamps = await server.db('rate_limit_sends').where({ target_id: source.id });
  t.equal(stamps.length, 3, 'destination.rate_limit goes through the shared rate limiter');
});

forEachDatabase(t, 'forwarding honours destination.rate_limit', async (t, server) => {
  runDispatcher(t, server);
  const receiver = await startReceiver(t);
  const source = await createSource(server, { destination: { url: receiver.url, rate_limit: 2 } });
  for (let n = 0; n < 5; n++) await sendRaw(source.url, {}, Buffer.from(`n${n}`));
  await waitFor(async () => receiver.received.length === 5, 10_000, 'five forwards');
  const times = receiver.received.map((r) => r.at).sort((a, b) => a - b);
  // 2 per rolling second: no three forwards inside one second (a little slack for the receiver's clock)
  for (let i = 0; i + 2 < times.length; i++)
    t.ok(times[i + 2] - times[i] >= 900, `forwards ${i + 1}..${i + 3} span ${times[i + 2] - times[i]} ms`);
});
