import t from 'tap';
import { runDetectorsOnce } from '../../../server/anomalies/engine.js';
import { startAnomalyWorker } from '../../../server/anomalies/worker.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { anomalyRows, createEndpointViaApi, manualClock, MINUTE, waitUntil } from '../../helpers/anomaly-fixtures.js';

const clock = manualClock();
const T0 = clock.now();
const DAY = 24 * 60 * MINUTE;

/** What the dispatcher's auto-disable writes: disabled after failing for DISPATCH_DISABLE_AFTER (5 d). */
async function autoDisable(db: import('knex').Knex, endpointId: string, at: number) {
  await db('endpoints')
    .where({ id: endpointId })
    .update({ disabled: 1, disabled_at: at, failing_since: at - 5 * DAY - 1, consecutive_failures: 40 });
}

forEachDatabase(
  t,
  'endpoint_disabled opens for auto-disabled endpoints only and resolves when re-enabled',
  async (t, server) => {
    clock.set(T0);
    const { db, deps } = server;
    const auto = await createEndpointViaApi(server);
    const manual = await createEndpointViaApi(server);
    await autoDisable(db, auto.id, T0 - MINUTE);
    // an operator disabling a briefly failing endpoint is not an anomaly
    await db('endpoints')
      .where({ id: manual.id })
      .update({ failing_since: T0 - 2 * MINUTE, consecutive_failures: 3 });
    t.equal((await server.request('PATCH', manual.path, { body: { disabled: true } })).status, 200);

    await runDetectorsOnce(deps, T0);
    const [opened] = await anomalyRows(db, auto.id);
    t.match(opened, {
      type: 'endpoint_disabled',
      status: 'open',
      subject_kind: 'endpoint',
      count: 1,
      title: 'Endpoint hooks.example.com was disabled after failing continuously',
    });
    t.same(await anomalyRows(db, manual.id), [], 'a manual disable opens nothing');

    await runDetectorsOnce(deps, T0 + MINUTE);
    t.equal((await anomalyRows(db, auto.id))[0].count, 1, 'staying disabled is not a recurrence');

    t.equal((await server.request('PATCH', auto.path, { body: { disabled: false } })).status, 200);
    await runDetectorsOnce(deps, T0 + 2 * MINUTE);
    t.match((await anomalyRows(db, auto.id))[0], { status: 'resolved', open_key: null });
  },
  { clock },
);

forEachDatabase(
  t,
  'endpoint_disabled opens on the endpoint_disabled signal and resolves when PATCH re-enables',
  async (t, server) => {
    const { db, deps } = server;
    const worker = startAnomalyWorker(deps);
    t.teardown(() => worker.stop(5_000));
    const endpoint = await createEndpointViaApi(server);
    await autoDisable(db, endpoint.id, Date.now());
    deps.signals.emit('endpoint_disabled', { endpointId: endpoint.id, workspaceId: endpoint.workspaceId });
    await waitUntil(async () => (await anomalyRows(db, endpoint.id, 'endpoint_disabled')).length === 1, 'endpoint_disabled to open');

    // the endpoints route emits endpoint_enabled after the PATCH commits
    t.equal((await server.request('PATCH', endpoint.path, { body: { disabled: false } })).status, 200);
    await waitUntil(async () => (await anomalyRows(db, endpoint.id))[0].status === 'resolved', 'endpoint_disabled to resolve');
    t.pass('resolved without waiting for a pass');
  },
  { env: { DISPATCH_ANOMALY_INTERVAL: '1h' } },
);
