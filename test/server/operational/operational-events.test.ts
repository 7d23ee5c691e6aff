import t from 'tap';
import { api, createApp, createEndpoint, send } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { Json } from '../../helpers/json.js';
import {
  bodies,
  checkSigned,
  eventOf,
  ISO,
  operationalEndpoint,
  receiver,
  startWorkers,
  WAIT_MS,
} from '../../helpers/operational-fixtures.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Each operational event type reaches operational endpoints signed, in both formats, filtered by event_types. */
forEachDatabase(
  t,
  'message.failed and anomaly.opened/resolved reach operational endpoints, signed, per format and event_types',
  async (t, server) => {
    const standard = await operationalEndpoint(t, server, {});
    const slack = await operationalEndpoint(t, server, { format: 'slack', event_types: ['message.failed', 'anomaly.opened'] });
    const elsewhere = await operationalEndpoint(t, server, { event_types: ['endpoint.enabled'] });
    const disabled = await operationalEndpoint(t, server, { disabled: true });
    startWorkers(t, server, { anomalies: true });

    const customer = await receiver(t, 500);
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, setup.recipients.acme, { url: customer.url });
    const sent = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });

    await waitFor(
      () => eventOf(standard.receiver, 'message.failed') && eventOf(standard.receiver, 'anomaly.opened'),
      'message.failed and anomaly.opened',
      WAIT_MS,
    );
    t.equal(customer.requests.length, 3, 'the customer endpoint was tried 3 times (2 retries)');
    const failed = eventOf(standard.receiver, 'message.failed');
    t.match(failed, { type: 'message.failed', created_at: ISO });
    t.same(failed.data, { message_id: sent.id, app_id: setup.app, endpoint_id: endpoint.id, attempts: 3 });

    const opened = eventOf(standard.receiver, 'anomaly.opened');
    const anomalyId = opened.data.anomaly.id as string;
    t.match(opened.data.anomaly, { id: /^anm_/, type: 'endpoint_failing', status: 'open', subject: { kind: 'endpoint', id: endpoint.id } });
    const asServed = await api(server, 'GET', `/anomalies/${anomalyId}`);
    t.same(Object.keys(opened.data.anomaly).sort(), Object.keys(asServed).sort(), 'data.anomaly is the anomaly as the API serialises it');
    t.same([opened.data.anomaly.title, opened.data.anomaly.first_seen_at], [asServed.title, asServed.first_seen_at]);

    // the customer recovers: the next success resolves endpoint_failing
    customer.respond(() => ({ status: 200 }));
    await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
    await waitFor(() => eventOf(standard.receiver, 'anomaly.resolved'), 'anomaly.resolved', WAIT_MS);
    const resolved = eventOf(standard.receiver, 'anomaly.resolved');
    t.match(resolved.data.anomaly, { id: anomalyId, status: 'resolved', resolved_at: ISO });

    t.same(
      bodies(standard.receiver)
        .map((body) => body.type)
        .sort(),
      ['anomaly.opened', 'anomaly.resolved', 'message.failed'],
    );
    for (const request of standard.receiver.requests) checkSigned(t, request, standard.secret, 'standard');
    // the attempt log, as GET /operational-endpoints/{id}/attempts shows it
    const log: Json[] = await waitFor(
      async () => {
        const listed: Json[] = await api(server, 'GET', `/operational-endpoints/${standard.id}/attempts`);
        return listed.length === 3 ? listed : null;
      },
      'three logged attempts',
      WAIT_MS,
    );
    t.ok(
      log.every((a) => a.endpoint_id === standard.id && a.status === 'succeeded' && a.response_status === 200),
      'each delivery logged as an attempt',
    );
    t.same(
      log.map((a) => a.message_id).sort(),
      standard.receiver.requests.map((request) => request.headers['webhook-id']).sort(),
      'the attempts are the events it received (message_id = webhook-id)',
    );

    await slack.receiver.waitForRequests(2, WAIT_MS);
    for (const request of slack.receiver.requests) checkSigned(t, request, slack.secret, 'slack');
    const texts = bodies(slack.receiver);
    for (const body of texts) t.same(Object.keys(body), ['text'], 'slack format posts {"text"} only');
    const lines = texts.map((body) => body.text as string);
    t.ok(
      lines.some((line) => line.includes(sent.id) && line.includes(endpoint.id) && line.includes('3 attempts')),
      'a one-line message.failed',
      { lines },
    );
    t.ok(
      lines.some((line) => line.includes(anomalyId) && line.includes('opened')),
      'a one-line anomaly.opened',
    );
    t.ok(
      lines.every((line) => !line.includes('\n')),
      'one line each',
    );

    // event_types and disabled are decided when the event is written: no delivery row at all
    const system = await server.db('apps').whereNotNull('system_of').first();
    const systemMessages = await server.db('messages').where({ app_id: system.id });
    t.equal(systemMessages.length, 5, 'one message per event and format that has a receiving endpoint');
    t.equal((await server.db('deliveries').whereIn('endpoint_id', [elsewhere.id, disabled.id])).length, 0);
    t.equal(elsewhere.receiver.requests.length, 0, 'an endpoint filtered to endpoint.enabled got nothing');
    t.equal(disabled.receiver.connections(), 0, 'a disabled operational endpoint got nothing');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '100ms,100ms', DISPATCH_FAILING_THRESHOLD: '2', DISPATCH_ANOMALY_INTERVAL: '1h' } },
);

forEachDatabase(
  t,
  'endpoint.disabled and endpoint.enabled announce auto-disable and manual PATCHes',
  async (t, server) => {
    const ops = await operationalEndpoint(t, server, { event_types: ['endpoint.disabled', 'endpoint.enabled'] });
    startWorkers(t, server);
    const customer = await receiver(t, 503);
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, setup.recipients.acme, { url: customer.url });
    const path = `/apps/${setup.app}/recipients/${setup.recipients.acme}/endpoints/${endpoint.id}`;
    const expected = { endpoint_id: endpoint.id, app_id: setup.app, recipient_id: setup.recipients.acme };

    await send(server, setup, { event_type: 'invoice.paid', payload: {} });
    await ops.receiver.waitForRequests(1, WAIT_MS);
    t.match(bodies(ops.receiver)[0], { type: 'endpoint.disabled', created_at: ISO });
    t.same(bodies(ops.receiver)[0].data, { ...expected, reason: 'auto' }, 'Dispatch disabled it after failing for DISPATCH_DISABLE_AFTER');
    t.equal((await api(server, 'GET', path)).disabled, true);

    const steps: [boolean, string][] = [
      [false, 'endpoint.enabled'],
      [true, 'endpoint.disabled'],
      [true, ''], // already disabled: no change, no event
      [false, 'endpoint.enabled'],
    ];
    let count = 1;
    for (const [disable, type] of steps) {
      await api(server, 'PATCH', path, { disabled: disable });
      if (!type) continue;
      count++;
      await ops.receiver.waitForRequests(count, WAIT_MS);
      const last = bodies(ops.receiver)[count - 1];
      t.equal(last.type, type);
      t.same(last.data, { ...expected, reason: 'manual' });
    }
    await api(server, 'PATCH', path, { description: 'still enabled' });
    for (const request of ops.receiver.requests) checkSigned(t, request, ops.secret, 'toggle');
    // every event is written before its PATCH answers' signal settles: the rows are the whole story
    const system = await server.db('apps').whereNotNull('system_of').first();
    await waitFor(async () => (await server.db('messages').where({ app_id: system.id })).length === 4, '4 toggle events', WAIT_MS);
    t.equal(ops.receiver.requests.length, 4, 'four state changes, four events (a no-op PATCH sends none)');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '100ms,100ms,100ms', DISPATCH_DISABLE_AFTER: '50ms' } },
);

forEachDatabase(
  t,
  'an anomaly resolved by hand is announced once',
  async (t, server) => {
    const ops = await operationalEndpoint(t, server, { event_types: ['anomaly.resolved'] });
    startWorkers(t, server, { anomalies: true });
    const customer = await receiver(t, 500);
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, setup.recipients.acme, { url: customer.url });
    await send(server, setup, { event_type: 'invoice.paid', payload: {} });
    const anomaly = await waitFor(
      async () => ((await api(server, 'GET', '/anomalies?type=endpoint_failing')) as Json[]).find((a) => a.subject.id === endpoint.id),
      'endpoint_failing to open',
      WAIT_MS,
    );
    await api(server, 'POST', `/anomalies/${anomaly.id}/resolve`);
    await api(server, 'POST', `/anomalies/${anomaly.id}/resolve`); // already resolved: nothing new
    await ops.receiver.waitForRequests(1, WAIT_MS);
    t.match(bodies(ops.receiver)[0], { type: 'anomaly.resolved', data: { anomaly: { id: anomaly.id, status: 'resolved' } } });
    checkSigned(t, ops.receiver.requests[0], ops.secret, 'resolved by hand');
    const system = await server.db('apps').whereNotNull('system_of').first();
    t.equal((await server.db('messages').where({ app_id: system.id, event_type: 'anomaly.resolved' })).length, 1);
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '1h', DISPATCH_FAILING_THRESHOLD: '1', DISPATCH_ANOMALY_INTERVAL: '1h' } },
);
