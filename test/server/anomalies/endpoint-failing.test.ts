import t from 'tap';
import { runDetectorsOnce } from '../../../server/anomalies/engine.js';
import { startAnomalyWorker } from '../../../server/anomalies/worker.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import {
  anomalyRows,
  insertAttempts,
  insertEndpoint,
  insertSource,
  manualClock,
  MINUTE,
  waitUntil,
} from '../../helpers/anomaly-fixtures.js';

const clock = manualClock();
const T0 = clock.now();
const env = { DISPATCH_FAILING_THRESHOLD: '3' };

forEachDatabase(
  t,
  'endpoint_failing opens at the threshold, bumps on new failures and resolves when an attempt succeeds',
  async (t, server) => {
    clock.set(T0);
    const { db, deps } = server;
    const endpoint = await insertEndpoint(db, server.workspaceId, T0, {
      url: 'https://hooks.example.com/services/s3cret-path?token=s3cret',
    });
    await insertAttempts(db, endpoint, ['succeeded', 'failed', 'failed'], T0 - 10_000);
    await runDetectorsOnce(deps, T0);
    t.same(await anomalyRows(db, endpoint.id), [], 'two failures stay below the threshold of three');

    await insertAttempts(db, endpoint, ['failed'], T0 - 1_000);
    const tally = await runDetectorsOnce(deps, T0);
    t.equal(tally.opened.length, 1);
    const [opened] = await anomalyRows(db, endpoint.id);
    t.match(opened, {
      type: 'endpoint_failing',
      status: 'open',
      subject_kind: 'endpoint',
      count: 1,
      open_key: `endpoint_failing:${endpoint.id}`,
    });

    await runDetectorsOnce(deps, T0 + 30_000);
    t.equal((await anomalyRows(db, endpoint.id))[0].count, 1, 'a pass without new failures is not a recurrence');

    await insertAttempts(db, endpoint, ['failed'], T0 + 40_000);
    await runDetectorsOnce(deps, T0 + 60_000);
    const api = await server.request('GET', `/api/v1/anomalies/${opened.id}`);
    t.match(api.body.data, {
      type: 'endpoint_failing',
      status: 'open',
      subject: { kind: 'endpoint', id: endpoint.id },
      title: 'Endpoint hooks.example.com is failing',
      count: 2,
      first_seen_at: new Date(T0).toISOString(),
      last_seen_at: new Date(T0 + 60_000).toISOString(),
      details: { threshold: 3, last_error: 'http_status', last_response_status: 500 },
    });
    t.notOk(JSON.stringify(api.body).includes('s3cret'), 'neither the URL path nor its query (which may hold credentials) is shown');

    await insertAttempts(db, endpoint, ['succeeded'], T0 + 70_000);
    await runDetectorsOnce(deps, T0 + 90_000);
    const [resolved] = await anomalyRows(db, endpoint.id);
    t.match(resolved, { status: 'resolved', open_key: null });
    t.equal(Number(resolved.resolved_at), T0 + 90_000);
  },
  { env, clock },
);

forEachDatabase(
  t,
  'endpoint_failing watches source destinations, found by their recorded streak',
  async (t, server) => {
    clock.set(T0);
    const { db, deps } = server;
    const source = await insertSource(db, server.workspaceId, T0 - 2 * 60 * MINUTE, 'github');
    // failures an hour old: only the streak column (the dispatcher's record) finds this target
    await insertAttempts(db, source, ['failed', 'failed', 'failed', 'failed'], T0 - 60 * MINUTE);
    await db('sources').where({ id: source.id }).update({ consecutive_failures: 4 });
    await runDetectorsOnce(deps, T0);
    const [opened] = await anomalyRows(db, source.id);
    t.match(opened, {
      type: 'endpoint_failing',
      subject_kind: 'source',
      status: 'open',
      title: 'The destination of Source "github" is failing',
    });
    t.match(JSON.parse(opened.details), { consecutive_failures: 4, threshold: 3 });

    await insertAttempts(db, source, ['succeeded'], T0 + 1_000);
    await runDetectorsOnce(deps, T0 + 2_000);
    t.equal((await anomalyRows(db, source.id))[0].status, 'resolved');
  },
  { env, clock },
);

forEachDatabase(
  t,
  'endpoint_failing opens on the dispatcher attempt signal at once and resolves on the success signal',
  async (t, server) => {
    const { db, deps } = server;
    const worker = startAnomalyWorker(deps);
    t.teardown(() => worker.stop(5_000));
    const now = Date.now();
    const endpoint = await insertEndpoint(db, server.workspaceId, now);
    // old failures and no streak column: the periodic pass cannot see them, only the signal can
    await insertAttempts(db, endpoint, ['failed', 'failed', 'failed'], now - 60 * MINUTE);
    deps.signals.emit('attempt', {
      kind: 'endpoint',
      targetId: endpoint.id,
      workspaceId: endpoint.workspaceId,
      status: 'failed',
      consecutiveFailures: 3,
    });
    const [opened] = await waitUntil(async () => {
      const rows = await anomalyRows(db, endpoint.id, 'endpoint_failing');
      return rows.length > 0 && rows;
    }, 'endpoint_failing to open');
    t.match(opened, { status: 'open', count: 1 });
    t.match(JSON.parse(opened.details), { consecutive_failures: 3 });

    await insertAttempts(db, endpoint, ['succeeded'], now);
    deps.signals.emit('attempt', {
      kind: 'endpoint',
      targetId: endpoint.id,
      workspaceId: endpoint.workspaceId,
      status: 'succeeded',
      consecutiveFailures: 0,
    });
    await waitUntil(async () => (await anomalyRows(db, endpoint.id))[0].status === 'resolved', 'endpoint_failing to resolve');
    t.pass('resolved by the success signal');
  },
  { env: { ...env, DISPATCH_ANOMALY_INTERVAL: '1h' } },
);
