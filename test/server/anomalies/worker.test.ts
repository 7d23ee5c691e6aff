import t from 'tap';
import { startAnomalyWorker } from '../../../server/anomalies/worker.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { anomalyRows, insertDelivery, insertEndpoint, MINUTE, waitUntil } from '../../helpers/anomaly-fixtures.js';

forEachDatabase(
  t,
  'anomaly worker runs a pass every DISPATCH_ANOMALY_INTERVAL and stops cleanly',
  async (t, server) => {
    const { db, deps } = server;
    const endpoint = await insertEndpoint(db, server.workspaceId, Date.now() - 60 * MINUTE);
    const delivery = await insertDelivery(db, endpoint, Date.now() - 11 * MINUTE);
    const signals = ['attempt', 'endpoint_disabled', 'endpoint_enabled'];
    const listenersBefore = signals.map((signal) => deps.signals.listenerCount(signal));
    const worker = startAnomalyWorker(deps);
    let stopped = false;
    t.teardown(() => (stopped ? undefined : worker.stop(5_000)));

    await waitUntil(async () => (await anomalyRows(db, endpoint.id, 'backlog')).length === 1, 'a pass to open backlog');
    await db('deliveries').where({ id: delivery }).update({ status: 'succeeded', due_at: null });
    await waitUntil(async () => (await anomalyRows(db, endpoint.id, 'backlog'))[0].status === 'resolved', 'a later pass to resolve it');

    await worker.stop(5_000);
    stopped = true;
    t.same(
      signals.map((signal) => deps.signals.listenerCount(signal)),
      listenersBefore,
      'no signal listener is left behind',
    );
    t.same(
      server.logs.filter((line) => line.includes('"level":50')),
      [],
      'no pass logged an error',
    );
  },
  { env: { DISPATCH_ANOMALY_INTERVAL: '50ms' } },
);
