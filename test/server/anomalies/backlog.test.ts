import t from 'tap';
import { runDetectorsOnce } from '../../../server/anomalies/engine.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import {
  anomalyRows,
  insertDelivery,
  insertEndpoint,
  insertSource,
  manualClock,
  MINUTE,
  waitUntil,
} from '../../helpers/anomaly-fixtures.js';
import { createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { startReceiver } from '../../helpers/receiver.js';

const clock = manualClock();
const T0 = clock.now();

forEachDatabase(
  t,
  'backlog opens when the oldest pending delivery is over 10 min old and resolves when it drains',
  async (t, server) => {
    clock.set(T0);
    const { db, deps } = server;
    const endpoint = await insertEndpoint(db, server.workspaceId, T0 - 60 * MINUTE);
    const healthy = await insertEndpoint(db, server.workspaceId, T0 - 60 * MINUTE);
    const source = await insertSource(db, server.workspaceId, T0 - 60 * MINUTE);
    await insertDelivery(db, endpoint, T0 - 20 * MINUTE, 'succeeded');
    const head = await insertDelivery(db, endpoint, T0 - 11 * MINUTE);
    const next = await insertDelivery(db, endpoint, T0 - 2 * MINUTE);
    await insertDelivery(db, healthy, T0 - 9 * MINUTE);
    const forward = await insertDelivery(db, source, T0 - 12 * MINUTE);

    await runDetectorsOnce(deps, T0);
    const [opened] = await anomalyRows(db, endpoint.id);
    t.match(opened, {
      type: 'backlog',
      subject_kind: 'endpoint',
      status: 'open',
      count: 1,
      title: 'Endpoint hooks.example.com has deliveries pending for over 10 min',
    });
    t.match(JSON.parse(opened.details), { oldest_pending_delivery_id: head, age_seconds: 660 });
    t.same(await anomalyRows(db, healthy.id), [], 'nine minutes is not a backlog');
    t.match((await anomalyRows(db, source.id))[0], {
      type: 'backlog',
      subject_kind: 'source',
      title: 'Source "stripe-prod" has forwards pending for over 10 min',
    });

    // the head is delivered but the next one is now stale too: the backlog persists and recurs
    await db('deliveries').where({ id: head }).update({ status: 'succeeded', due_at: null });
    await runDetectorsOnce(deps, T0 + 9 * MINUTE);
    t.match((await anomalyRows(db, endpoint.id))[0], { status: 'open', count: 2 });

    await db('deliveries').whereIn('id', [next, forward]).update({ status: 'succeeded', due_at: null });
    await runDetectorsOnce(deps, T0 + 10 * MINUTE);
    t.match((await anomalyRows(db, endpoint.id))[0], { status: 'resolved', open_key: null });
    t.equal((await anomalyRows(db, source.id))[0].status, 'resolved');
  },
  { clock },
);

forEachDatabase(
  t,
  'backlog opens for messages accepted through the API and left undelivered, and resolves once the dispatcher delivers them',
  async (t, server) => {
    clock.set(T0 - 11 * MINUTE);
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: receiver.url });
    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });

    // eleven minutes later, with no dispatcher running, the delivery is still pending
    clock.set(T0);
    await runDetectorsOnce(server.deps, T0);
    t.match((await anomalyRows(server.db, endpoint.id))[0], { type: 'backlog', status: 'open' });

    runDispatcher(t, server);
    await receiver.waitForRequests(1);
    await waitUntil(
      async () => (await server.db('deliveries').where({ endpoint_id: endpoint.id, status: 'pending' })).length === 0,
      'the delivery to finish',
    );
    await runDetectorsOnce(server.deps, T0 + 1_000);
    t.equal((await anomalyRows(server.db, endpoint.id))[0].status, 'resolved');
  },
  { clock },
);
