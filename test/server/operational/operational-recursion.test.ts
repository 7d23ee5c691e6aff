import t from 'tap';
import { startOperationalEvents } from '../../../server/operational/listener.js';
import { api, createApp, createEndpoint, runDispatcher } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { Json } from '../../helpers/json.js';
import { bodies, checkSigned, operationalEndpoint, receiver, startWorkers, WAIT_MS } from '../../helpers/operational-fixtures.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Operational endpoints that fail or are disabled: retried, held, and never the subject of an operational event. */
for (const [label, env] of [
  ['exhausting its retries', { DISPATCH_RETRY_SCHEDULE: '100ms,100ms' }],
  ['being auto-disabled', { DISPATCH_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms', DISPATCH_DISABLE_AFTER: '150ms' }],
] as const) {
  forEachDatabase(
    t,
    `a failing operational endpoint is retried and raises no operational event about itself (${label})`,
    async (t, server) => {
      const failing = await operationalEndpoint(t, server, {}, 500);
      const healthy = await operationalEndpoint(t, server, {});
      const workers = startWorkers(t, server, { anomalies: true });
      const setup = await createApp(server);
      const customer = await receiver(t);
      const endpoint = await createEndpoint(server, setup, setup.recipients.acme, { url: customer.url });
      // one event for both operational endpoints: a manual disable of a customer endpoint
      await api(server, 'PATCH', `/apps/${setup.app}/recipients/${setup.recipients.acme}/endpoints/${endpoint.id}`, { disabled: true });

      await healthy.receiver.waitForRequests(1, WAIT_MS);
      const settled = await waitFor(
        async () => {
          const row = await server.db('deliveries').where({ endpoint_id: failing.id }).first();
          const oep = await server.db('endpoints').where({ id: failing.id }).first();
          return row && (row.status === 'failed' || oep.disabled) ? { row, disabled: Boolean(oep.disabled) } : null;
        },
        'the failing operational endpoint to give up',
        WAIT_MS,
      );
      const attempts = await server.db('attempts').where({ endpoint_id: failing.id });
      t.ok(attempts.length >= 2, `retried (${attempts.length} attempts logged)`);
      t.ok(
        attempts.every((a: { status: string; response_status: number }) => a.status === 'failed' && Number(a.response_status) === 500),
        'each attempt logged',
      );
      const failedLog: Json[] = await api(server, 'GET', `/operational-endpoints/${failing.id}/attempts?status=failed`);
      t.equal(failedLog.length, attempts.length, 'its failed attempts are in its attempt log');
      for (const status of ['failed', 'held']) {
        const listed: Json[] = await api(server, 'GET', `/deliveries?status=${status}`);
        t.notOk(
          listed.some((d) => d.endpoint_id === failing.id),
          `GET /deliveries?status=${status} (message:read) does not list operational deliveries`,
        );
      }
      if (label === 'being auto-disabled') t.ok(settled.disabled, 'Dispatch disabled the failing operational endpoint');
      else t.equal(settled.row.status, 'failed', 'its delivery exhausted its retries');
      // endpoint_failing may open on it (visible in GET /anomalies) but is not announced
      await waitFor(
        async () => (await server.db('anomalies').where({ subject_id: failing.id, type: 'endpoint_failing' })).length === 1,
        'endpoint_failing about the operational endpoint',
        WAIT_MS,
      );
      if (label === 'being auto-disabled') {
        await waitFor(
          async () => (await server.db('anomalies').where({ subject_id: failing.id, type: 'endpoint_disabled' })).length === 1,
          'endpoint_disabled about the operational endpoint',
          WAIT_MS,
        );
      }
      await workers.settle();

      const system = await server.db('apps').whereNotNull('system_of').first();
      const messages = await server.db('messages').where({ app_id: system.id });
      t.same(
        messages.map((m: { event_type: string }) => m.event_type),
        ['endpoint.disabled'],
        'the only operational event is the one about the customer endpoint',
      );
      t.notOk(
        messages.some((m: { payload: string }) => m.payload.includes(failing.id)),
        'no event names the failing operational endpoint',
      );
      t.equal(healthy.receiver.requests.length, 1);
      t.match(bodies(healthy.receiver)[0], { type: 'endpoint.disabled', data: { endpoint_id: endpoint.id, reason: 'manual' } });
    },
    { env: { ...env, DISPATCH_FAILING_THRESHOLD: '2', DISPATCH_ANOMALY_INTERVAL: '1h' } },
  );
}

forEachDatabase(t, 'a disabled operational endpoint keeps what was pending and gets nothing new', async (t, server) => {
  const ops = await operationalEndpoint(t, server, {});
  const listener = startOperationalEvents(server.deps);
  t.teardown(() => listener.stop(5_000));
  const setup = await createApp(server);
  const customer = await receiver(t);
  const endpoint = await createEndpoint(server, setup, setup.recipients.acme, { url: customer.url });
  const path = `/apps/${setup.app}/recipients/${setup.recipients.acme}/endpoints/${endpoint.id}`;
  const deliveriesOf = () => server.db('deliveries').where({ endpoint_id: ops.id });

  // no dispatcher yet: the event waits as a pending delivery
  await api(server, 'PATCH', path, { disabled: true });
  await waitFor(async () => (await deliveriesOf()).length === 1, 'the endpoint.disabled delivery', WAIT_MS);
  const oepPath = `/operational-endpoints/${ops.id}`;
  t.equal((await api(server, 'PATCH', oepPath, { disabled: true })).disabled, true);
  t.same(
    (await deliveriesOf()).map((d: { status: string }) => d.status),
    ['held'],
    'disabling holds what was pending',
  );

  await api(server, 'PATCH', path, { disabled: false }); // endpoint.enabled while the oep is disabled
  const system = await server.db('apps').whereNotNull('system_of').first();
  await listener.stop(10_000);
  t.equal((await server.db('messages').where({ app_id: system.id })).length, 1, 'no message for an event nobody receives');
  t.equal((await deliveriesOf()).length, 1, 'nothing new for the disabled operational endpoint');

  runDispatcher(t, server);
  t.equal((await api(server, 'PATCH', oepPath, { disabled: false })).disabled, false);
  await ops.receiver.waitForRequests(1, WAIT_MS);
  t.match(bodies(ops.receiver)[0], { type: 'endpoint.disabled', data: { endpoint_id: endpoint.id, reason: 'manual' } });
  checkSigned(t, ops.receiver.requests[0], ops.secret, 'released');
  await waitFor(async () => (await deliveriesOf())[0].status === 'succeeded', 'the released delivery to succeed', WAIT_MS);
  t.equal(ops.receiver.requests.length, 1);
});
