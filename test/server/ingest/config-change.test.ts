import t, { type Test } from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { startChildServer } from '../../helpers/child-server.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startDispatcher } from '../../../server/delivery/dispatcher.js';
import { deleteSource, updateSource, type SourceChanges } from '../../../db/queries/sources.js';

// A source change must never strand or mis-file an event: the ingest path caches token lookups
// for up to 1 s per process, so every decision that matters (held or pending, forward or not,
// dedupe) is taken from the source row in the storing transaction. "Another process" is played
// by writing the row directly (this process's cache is not told), and once by a real second process.

t.setTimeout(120_000);

async function setup(t: Test, server: TestServer) {
  const dispatcher = startDispatcher(server.deps, { pollMs: 20 });
  t.teardown(() => dispatcher.stop(1000));
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  return receiver;
}

async function createSource(server: TestServer, body: Record<string, unknown> = {}) {
  const created = await server.request('POST', '/api/v1/sources', { body: { name: 'changing', ...body } });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return { id: created.body.data.id as string, url: (created.body.data.ingest_url as string).replace(server.config.publicUrl, server.url) };
}

async function send(url: string, headers: Record<string, string> = {}, body = '{"n":1}') {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as { event_id: string; duplicate?: boolean; error?: string } };
}

/** What a PATCH served by another process writes: this process's token cache is not cleared. */
async function changeElsewhere(server: TestServer, id: string, changes: SourceChanges) {
  const updated = await updateSource(server.db, server.workspaceId, id, changes, server.config.encryptionKey, Date.now());
  if (!updated) throw new Error(`no source ${id}`);
}

async function eventRow(server: TestServer, id: string) {
  return server.db('events').where({ id }).first();
}

async function forwardsOf(server: TestServer, eventId: string): Promise<number> {
  return (await server.db('deliveries').where({ event_id: eventId })).length;
}

async function waitDelivered(server: TestServer, receiver: Receiver, eventId: string, count: number) {
  await receiver.waitForRequests(count);
  await waitFor(async () => (await eventRow(server, eventId)).status === 'delivered', `${eventId} delivered`);
}

forEachDatabase(t, 'a destination added right after an event (same or another process) forwards the next event', async (t, server) => {
  const receiver = await setup(t, server);

  const viaApi = await createSource(server);
  const first = await send(viaApi.url);
  t.equal((await eventRow(server, first.body.event_id)).status, 'pending', 'store-only: pending, the lookup is cached now');
  const patched = await server.request('PATCH', `/api/v1/sources/${viaApi.id}`, { body: { destination: { url: `${receiver.url}/api` } } });
  t.equal(patched.status, 200);
  const second = await send(viaApi.url);
  await waitDelivered(server, receiver, second.body.event_id, 1);
  t.equal(receiver.requests[0].headers['webhook-id'], second.body.event_id, 'PATCH on this process: forwarded');

  const viaOther = await createSource(server);
  const warm = await send(viaOther.url);
  t.equal(await forwardsOf(server, warm.body.event_id), 0);
  await changeElsewhere(server, viaOther.id, { destinations: [{ url: `${receiver.url}/other` }] });
  const next = await send(viaOther.url);
  t.equal(next.status, 200);
  await waitDelivered(server, receiver, next.body.event_id, 2);
  t.match(
    receiver.requests[1],
    { path: '/other', headers: { 'webhook-id': next.body.event_id } },
    'change by another process: forwarded at once',
  );
  t.equal((await eventRow(server, warm.body.event_id)).status, 'pending', 'the event stored before the change stays stored-only');
});

forEachDatabase(t, 'a destination removed or a pause elsewhere is honoured at once; resume forwards what was held', async (t, server) => {
  const receiver = await setup(t, server);
  const source = await createSource(server, { destination: { url: receiver.url } });
  const warm = await send(source.url);
  await waitDelivered(server, receiver, warm.body.event_id, 1);

  await changeElsewhere(server, source.id, { paused: true });
  const held = await send(source.url);
  t.equal(
    (await eventRow(server, held.body.event_id)).status,
    'held',
    'paused elsewhere: held, although the cached lookup says not paused',
  );
  t.equal(await forwardsOf(server, held.body.event_id), 0, 'and not forwarded');
  const resumed = await server.request('POST', `/api/v1/sources/${source.id}/resume`);
  t.equal(resumed.body.data.released, 1);
  await waitDelivered(server, receiver, held.body.event_id, 2);

  await changeElsewhere(server, source.id, { destinations: [] });
  const storeOnly = await send(source.url);
  t.equal(storeOnly.status, 200);
  t.equal((await eventRow(server, storeOnly.body.event_id)).status, 'pending', 'destination removed elsewhere: stored');
  t.equal(await forwardsOf(server, storeOnly.body.event_id), 0, 'with no forward to a destination that is gone');
  t.equal(receiver.requests.length, 2);
});

forEachDatabase(
  t,
  'a forward queued before its destination was removed ends failed, and a replay sends it once a destination is back',
  async (t, server) => {
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const source = await createSource(server, { destination: { url: receiver.url } });
    // no dispatcher yet: the forward stays queued while the destination goes away
    const queued = await send(source.url);
    t.equal(await forwardsOf(server, queued.body.event_id), 1, 'a forward was queued');
    await changeElsewhere(server, source.id, { destinations: [] });
    const dispatcher = startDispatcher(server.deps, { pollMs: 20 });
    t.teardown(() => dispatcher.stop(1000));
    await waitFor(async () => (await eventRow(server, queued.body.event_id)).status === 'failed', 'the stranded event to be failed');
    t.equal(receiver.requests.length, 0, 'nothing was sent to a destination that is gone');

    await changeElsewhere(server, source.id, { destinations: [{ url: `${receiver.url}/back` }] });
    const replayed = await server.request('POST', `/api/v1/events/${queued.body.event_id}/replay`);
    t.equal(replayed.status, 202);
    await waitDelivered(server, receiver, queued.body.event_id, 1);
    t.equal(receiver.requests[0].path, '/back');
  },
);

forEachDatabase(t, 'dedupe turned on elsewhere applies to the very next request', async (t, server) => {
  const source = await createSource(server);
  await send(source.url, { 'x-delivery': 'warm' });
  await changeElsewhere(server, source.id, { dedupe: { key: 'header:x-delivery', window: '1h' } });
  const original = await send(source.url, { 'x-delivery': 'd-1' });
  const repeat = await send(source.url, { 'x-delivery': 'd-1' });
  t.same(repeat.body, { ok: true, event_id: original.body.event_id, duplicate: true }, 'the repeat answers the original');
  const statuses = (await server.db('events').where({ source_id: source.id }).orderBy('id')).map((row: { status: string }) => row.status);
  t.same(statuses, ['pending', 'pending', 'duplicate']);
});

forEachDatabase(t, 'a source deleted elsewhere answers 404 and stores nothing', async (t, server) => {
  const source = await createSource(server);
  await send(source.url);
  t.ok(await server.db.transaction((tx) => deleteSource(tx, server.workspaceId, source.id)));
  const gone = await send(source.url);
  t.equal(gone.status, 404);
  t.equal(gone.body.error, 'source_not_found');
  t.equal((await server.db('events').where({ source_id: source.id })).length, 0);
});

forEachDatabase(t, 'a destination added through a second server process forwards the next event of the first', async (t, server) => {
  const receiver = await setup(t, server);
  // the child finds the database migrated and bootstrapped: the admin key of this server works there
  const child = await startChildServer(server.config.databaseUrl, { DISPATCH_ADMIN_KEY: server.adminKey });
  t.teardown(() => child.kill());
  const source = await createSource(server);
  // warms this process's token cache only after the (slow) child start, so the PATCH lands within its window
  await send(source.url);
  const patched = await fetch(`${child.url}/api/v1/sources/${source.id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ destination: { url: receiver.url } }),
  });
  t.equal(patched.status, 200);
  const next = await send(source.url);
  await waitDelivered(server, receiver, next.body.event_id, 1);
  t.equal(receiver.requests[0].headers['webhook-id'], next.body.event_id);
  t.equal(receiver.requests.length, 1, 'forwarded once, by whichever process claimed it');
});
