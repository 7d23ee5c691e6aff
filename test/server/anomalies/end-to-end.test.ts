import t from 'tap';
import { startAnomalyWorker } from '../../../server/anomalies/worker.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { startReceiver } from '../../helpers/receiver.js';
import { waitUntil } from '../../helpers/anomaly-fixtures.js';
import type { Json } from '../../helpers/json.js';

forEachDatabase(
  t,
  'real failing deliveries open endpoint_failing and endpoint_disabled at once; re-enabling and a success resolve them',
  async (t, server) => {
    runDispatcher(t, server);
    // the pass interval is an hour: everything below happens through the dispatcher's signals
    const worker = startAnomalyWorker(server.deps);
    t.teardown(() => worker.stop(5_000));
    let status = 500;
    // when the receiver first answered 200: nothing before it may resolve endpoint_failing
    let firstSuccessAt = Number.POSITIVE_INFINITY;
    const receiver = await startReceiver(() => {
      if (status === 200) firstSuccessAt = Math.min(firstSuccessAt, Date.now());
      return { status };
    });
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hooks` });
    const anomalyOf = async (type: string) =>
      (await api(server, 'GET', `/anomalies?type=${type}&status=open`)).find((a: Json) => a.subject.id === endpoint.id) ??
      (await api(server, 'GET', `/anomalies?type=${type}&status=resolved`)).find((a: Json) => a.subject.id === endpoint.id);

    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    const failing = await waitUntil(() => anomalyOf('endpoint_failing'), 'endpoint_failing to open');
    t.match(failing, { status: 'open', subject: { kind: 'endpoint', id: endpoint.id }, details: { threshold: 2 } });
    t.ok(failing.details.consecutive_failures >= 2);
    const disabled = await waitUntil(() => anomalyOf('endpoint_disabled'), 'endpoint_disabled to open');
    t.match(disabled, { status: 'open', title: /was disabled after failing continuously/ });

    status = 200;
    const answeredWithFailure = receiver.requests.length;
    await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${endpoint.id}`, { disabled: false });
    await waitUntil(async () => (await anomalyOf('endpoint_disabled'))?.status === 'resolved', 'endpoint_disabled to resolve');

    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
    const resolved = await waitUntil(async () => {
      const anomaly = await anomalyOf('endpoint_failing');
      return anomaly?.status === 'resolved' ? anomaly : null;
    }, 'endpoint_failing to resolve');
    // re-enabling alone does not resolve it: a success does — message 2, or a retry of message 1
    // that came due after re-enabling (which may come first, so only the order is checked)
    t.ok(receiver.requests.length > answeredWithFailure, 'the success that resolved it reached the receiver');
    t.ok(Date.parse(resolved.resolved_at) >= firstSuccessAt, 'failing stayed open until an attempt succeeded');
    await waitUntil(async () => receiver.requests.some((request) => request.body.toString() === '{"n":2}'), 'message 2 to be delivered');
  },
  {
    env: {
      // a threshold of two: the streak crosses it no later than auto-disable can strike (the
      // second failure at the earliest), however slowly the retries run on a loaded machine
      DISPATCH_FAILING_THRESHOLD: '2',
      DISPATCH_RETRY_SCHEDULE: '150ms,150ms,150ms,150ms',
      DISPATCH_DISABLE_AFTER: '250ms',
      DISPATCH_ANOMALY_INTERVAL: '1h',
    },
  },
);
