import t from 'tap';
import { openOrBumpAnomaly } from '../../../db/queries/anomalies.js';
import { createWorkspaceWithKey } from '../../../server/bootstrap.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { Json } from '../../helpers/json.js';
import { startReceiver } from '../../helpers/receiver.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';

const total = (perSecond: number[]) => Math.round(perSecond.reduce((sum, n) => sum + n, 0) * 10);

async function stats(server: TestServer, key?: string): Promise<Json> {
  const response = await server.request('GET', '/api/v1/stats', { key });
  if (response.status !== 200) throw new Error(`GET /stats answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.data;
}

forEachDatabase(t, 'stats start empty: 30 zero buckets, no rate, no latency', async (t, server) => {
  const data = await stats(server);
  t.same(data, {
    window_s: 300,
    bucket_s: 10,
    accepted_per_s: new Array(30).fill(0),
    delivered_per_s: new Array(30).fill(0),
    success_rate: null,
    pending: 0,
    held: 0,
    oldest_pending_age_s: null,
    attempt_latency_ms: null,
    anomalies_open: {},
    sources: [],
  });
});

forEachDatabase(
  t,
  'stats move after traffic: accepted, pending, delivered, success rate, latency',
  async (t, server) => {
    const receiver = await startReceiver((_request, index) => ({ status: index % 4 === 3 ? 500 : 200, body: 'ok' }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hook` });
    for (let i = 0; i < 8; i++) await send(server, setup, { event_type: 'invoice.paid', payload: { i } });

    // nothing runs the dispatcher yet: all eight are pending
    const before = await stats(server);
    t.equal(before.accepted_per_s.length, 30);
    t.equal(total(before.accepted_per_s), 8, 'eight accepted in the window');
    t.ok(before.accepted_per_s[29] > 0, 'the newest bucket is last');
    t.equal(before.pending, 8);
    t.ok(before.oldest_pending_age_s >= 0 && before.oldest_pending_age_s < 60, 'oldest pending age in seconds');
    t.equal(before.success_rate, null);
    t.equal(total(before.delivered_per_s), 0);

    runDispatcher(t, server);
    const after = await waitFor(
      async () => {
        const data = await stats(server);
        // the two failed attempts may be recorded a moment after the six successes
        return data.pending === 2 && total(data.delivered_per_s) === 6 && data.success_rate === 0.75 ? data : null;
      },
      'six delivered and two failed attempts (6 of 8 succeeded), the two waiting for their retry',
      30_000,
    );
    t.equal(after.delivered_per_s.length, 30);
    t.equal(after.oldest_pending_age_s >= 0, true);
    t.match(after.attempt_latency_ms, { p50: Number, p99: Number });
    t.ok(after.attempt_latency_ms.p99 >= after.attempt_latency_ms.p50);
    t.equal(total(after.accepted_per_s), 8, 'accepted figures are unchanged');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '1h' } },
);

forEachDatabase(t, 'stats count held deliveries, open anomalies by type and events per source', async (t, server) => {
  const source = await api(server, 'POST', '/sources', { name: 'stripe' });
  await api(server, 'POST', '/sources', { name: 'quiet' });
  const ingestUrl = String(source.ingest_url).replace(server.config.publicUrl, server.url);
  for (let i = 0; i < 5; i++) {
    const response = await fetch(ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"n":${i}}` });
    t.equal(response.status, 200);
  }
  const ws = server.workspaceId;
  const sighting = { workspaceId: ws, subjectKind: 'endpoint' as const, title: 'x', details: {}, occurrenceKey: 'k' };
  await openOrBumpAnomaly(server.db, { ...sighting, type: 'backlog', subjectId: 'ep_a' }, Date.now());
  await openOrBumpAnomaly(server.db, { ...sighting, type: 'endpoint_failing', subjectId: 'ep_a' }, Date.now());
  await openOrBumpAnomaly(server.db, { ...sighting, type: 'endpoint_failing', subjectId: 'ep_b' }, Date.now());

  // a held delivery, as the held-deliveries feature writes it (status 'held', no due time)
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: 'http://127.0.0.1:9/never' });
  const message = await send(server, setup, { event_type: 'invoice.paid', payload: {} });
  await server.db('deliveries').where({ message_id: message.id, endpoint_id: endpoint.id }).update({ status: 'held', due_at: null });

  const data = await waitFor(async () => {
    const figures = await stats(server);
    return total(figures.sources[0]?.events_per_s ?? []) === 5 ? figures : null;
  }, 'five events counted for the source');
  t.same(data.anomalies_open, { backlog: 1, endpoint_failing: 2 });
  t.equal(data.held, 1);
  t.equal(data.pending, 0);
  t.equal(data.sources.length, 2, 'every source is listed');
  t.match(data.sources[0], { id: source.id, name: 'stripe' });
  t.match(data.sources[1], { name: 'quiet', events_per_s: new Array(30).fill(0) });
  t.equal(data.sources[0].events_per_s.length, 30);
});

forEachDatabase(t, 'stats need * or anomaly:read and read only the key’s workspace', async (t, server) => {
  const setup = await createApp(server);
  await send(server, setup, { event_type: 'invoice.paid', payload: {} });
  const reader = await api(server, 'POST', '/keys', { name: 'watch', scopes: ['anomaly:read'] });
  const other = await api(server, 'POST', '/keys', { name: 'msgs', scopes: ['message:read', 'anomaly:write'] });
  t.equal(total((await stats(server, reader.key)).accepted_per_s), 1, 'anomaly:read may read the stats');
  const denied = await server.request('GET', '/api/v1/stats', { key: other.key });
  t.equal(denied.status, 403);
  t.match(denied.body, { ok: false, error: 'missing_scope', required_scope: 'anomaly:read' });
  const anonymous = await server.request('GET', '/api/v1/stats', { key: null });
  t.equal(anonymous.status, 401);

  const { key } = await createWorkspaceWithKey(server.db, 'elsewhere', Date.now());
  const foreign = await stats(server, key);
  t.equal(total(foreign.accepted_per_s), 0, "another workspace's messages are not counted");
  t.equal(foreign.pending, 0);
});
