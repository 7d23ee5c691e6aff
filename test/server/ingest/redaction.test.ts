import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { startReceiver, type ReceivedRequest } from '../../helpers/receiver.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startDispatcher } from '../../../server/delivery/dispatcher.js';

// CONTRACT §10 / §10.1: the credential Dispatch checked on ingest is stored as "[redacted]" for
// accepted and rejected requests, forwards and replays carry the rest of the headers without it.

const body = '{"type":"order.created","id":42}';

interface Scheme {
  name: string;
  verification: Record<string, string>;
  /** The header (lower-cased) that carries the credential. */
  header: string;
  good: Record<string, string>;
  bad: Record<string, string>;
  /** Every string that must never be stored, logged or forwarded. */
  secrets: string[];
}

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

const schemes: Scheme[] = [
  {
    name: 'basic_auth',
    verification: { type: 'basic_auth', username: 'hooks', password: 'pw-basic-7f3a9c' },
    header: 'authorization',
    good: { Authorization: basic('hooks', 'pw-basic-7f3a9c') },
    bad: { Authorization: basic('hooks', 'pw-guess-11d0e2') },
    secrets: ['pw-basic-7f3a9c', basic('hooks', 'pw-basic-7f3a9c').slice(6), 'pw-guess-11d0e2', basic('hooks', 'pw-guess-11d0e2').slice(6)],
  },
  {
    name: 'api_key',
    verification: { type: 'api_key', header: 'X-Hook-Key', key: 'k_live_5e8b2d41' },
    header: 'x-hook-key',
    good: { 'x-hook-key': 'k_live_5e8b2d41' },
    bad: { 'X-Hook-Key': 'k_live_guess_0a9f' },
    secrets: ['k_live_5e8b2d41', 'k_live_guess_0a9f'],
  },
];

async function ingest(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as { event_id?: string } };
}

function assertNoCredential(t: Test, request: ReceivedRequest, scheme: Scheme, what: string) {
  t.equal(request.headers[scheme.header], undefined, `${what}: no ${scheme.header} header`);
  t.notOk(
    Object.values(request.headers).some((value) => String(value).includes('[redacted]')),
    `${what}: the marker is never sent`,
  );
  t.notOk(
    scheme.secrets.some((secret) => JSON.stringify(request.headers).includes(secret)),
    `${what}: no credential anywhere`,
  );
  t.equal(request.headers['x-hub-signature-256'], 'sha256=0123abcd', `${what}: signature headers are passed on`);
  t.equal(request.headers['x-request-id'], 'req-1', `${what}: other headers are passed on`);
  t.equal(request.body.toString(), body);
}

async function eventStatus(server: TestServer, id: string): Promise<string> {
  return (await server.db('events').where({ id }).first('status')).status as string;
}

forEachDatabase(
  t,
  'ingest stores checked credentials redacted and never forwards or replays them',
  async (t, server) => {
    const dispatcher = startDispatcher(server.deps, { pollMs: 20 });
    t.teardown(() => dispatcher.stop(1000));
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const readKey = await server.request('POST', '/api/v1/keys', { body: { name: 'reader', scopes: ['event:read'] } });
    t.equal(readKey.status, 201);

    for (const scheme of schemes) {
      const created = await server.request('POST', '/api/v1/sources', {
        body: { name: scheme.name, verification: scheme.verification, destination: { url: `${receiver.url}/${scheme.name}` } },
      });
      t.equal(created.status, 201);
      const source = created.body.data;
      const url = (source.ingest_url as string).replace(server.config.publicUrl, server.url);
      const extra = { 'x-hub-signature-256': 'sha256=0123abcd', 'x-request-id': 'req-1' };

      const before = receiver.requests.length;
      const accepted = await ingest(url, { ...scheme.good, ...extra });
      t.equal(accepted.status, 200, `${scheme.name}: accepted`);
      const rejected = await ingest(url, { ...scheme.bad, ...extra });
      t.equal(rejected.status, 401, `${scheme.name}: wrong credential rejected`);
      const rejectedId = (await server.db('events').where({ source_id: source.id, status: 'rejected' }).first('id')).id as string;

      for (const [id, what] of [
        [accepted.body.event_id as string, 'accepted'],
        [rejectedId, 'rejected'],
      ]) {
        const detail = await server.request('GET', `/api/v1/events/${id}`, { key: readKey.body.data.key });
        t.equal(detail.status, 200);
        t.equal(detail.body.data.headers[scheme.header], '[redacted]', `${scheme.name} ${what}: GET /events/{id} shows [redacted]`);
        t.equal(detail.body.data.headers['x-hub-signature-256'], 'sha256=0123abcd', `${scheme.name} ${what}: signature header kept`);
      }

      // the raw rows, as a database reader or a backup would see them
      const rows = (await server.db('events').where({ source_id: source.id })) as Record<string, unknown>[];
      t.equal(rows.length, 2);
      for (const row of rows) {
        t.equal(
          JSON.parse(row.headers as string)[scheme.header],
          '[redacted]',
          `${scheme.name} ${String(row.status)}: column holds the marker`,
        );
        const stored = JSON.stringify(row);
        t.notOk(
          scheme.secrets.some((secret) => stored.includes(secret)),
          `${scheme.name} ${String(row.status)}: no credential in any column`,
        );
      }

      await waitFor(
        async () => (await eventStatus(server, accepted.body.event_id as string)) === 'delivered',
        `${scheme.name} forward delivered`,
      );
      const forwards = receiver.requests.slice(before);
      t.equal(forwards.length, 1, 'the rejected request is not forwarded');
      assertNoCredential(t, forwards[0], scheme, `${scheme.name} forward`);

      const replay = await server.request('POST', `/api/v1/events/${accepted.body.event_id}/replay`);
      t.equal(replay.status, 202);
      await receiver.waitForRequests(before + 2);
      assertNoCredential(t, receiver.requests[before + 1], scheme, `${scheme.name} replay`);
    }
    const logs = server.logs.join('\n');
    t.notOk(
      schemes.some((scheme) => scheme.secrets.some((secret) => logs.includes(secret))),
      'no credential in the logs',
    );
  },
  { env: { DISPATCH_ENCRYPTION_KEY: randomBytes(32).toString('base64') } },
);
