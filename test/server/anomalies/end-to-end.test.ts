import t from 'tap';
import { startAnomalyWorker } from '../../../server/anomalies/worker.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { startReceiver } from '../../helpers/receiver.js';
import { waitUntil } from '../../helpers/anomaly-fixtures.js';

forEachDatabase(t, 'real failing deliveries open endpoint_failing and endpoint_disabled at once; re-enabling and a success resolve them', async (t, server) => {
  runDispatcher(t, server);
  // the pass interval is an hour: everything below happens through the dispatcher's signals
  const worker = startAnomalyWorker(server.deps);
  t.teardown(() => worker.stop(5_000));
  let status = 500;
  const receiver = await startReceiver(() => ({ status }));
  t.teardown(() => receiver.close());
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hooks` });
  const anomalyOf = async (type: string) =>
    (await api(server, 'GET', `/anomalies?type=${type}&status=open`)).find((a: any) => a.subject.id === endpoint.id)
    ?? (await api(server, 'GET', `/anomalies?type=${type}&status=resolved`)).find((a: any) => a.subject.id === endpoint.id);

  await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
  const failing = await waitUntil(() => anomalyOf('endpoint_failing'), 'endpoint_failing to open');
  t.match(failing, { status: 'open', subject: { kind: 'endpoint', id: endpoint.id }, details: { threshold: 2 } });
  t.ok(failing.details.consecutive_failures >= 2);
  const disabled = await waitUntil(() => anomalyOf('endpoint_disabled'), 'endpoint_disabled to open');
  t.match(disabled, { status: 'open', title: /was disabled after failing continuously/ });

  status = 200;
  await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${endpoint.id}`, { disabled: false });
  await waitUntil(async () => (await anomalyOf('endpoint_disabled'))?.status === 'resolved', 'endpoint_disabled to resolve');
  t.equal((await anomalyOf('endpoint_failing')).status, 'open', 'failing stays open until an attempt succeeds');

  await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
  await waitUntil(async () => (await anomalyOf('endpoint_failing'))?.status === 'resolved', 'endpoint_failing to resolve');
  t.ok(receiver.requests.some((request) => request.body.toString() === '{"n":2}'), 'the success that resolved it reached the receiver');
}, {
  env: {
    // a threshold of two: the streak crosses it no later than auto-disable can strike (the
    // second failure at the earliest), however slowly the retries run on a loaded machine
    DISPATCH_FAILING_THRESHOLD: '2',
    DISPATCH_RETRY_SCHEDULE: '150ms,150ms,150ms,150ms',
    DISPATCH_DISABLE_AFTER: '250ms',
    DISPATCH_ANOMALY_INTERVAL: '1h',
  },
});
