import t from 'tap';
import { startDispatcher } from '../../server/delivery/dispatcher.js';
import { reportInFlight } from '../../server/metrics.js';
import { forEachDatabase } from '../helpers/each-database.js';
import { startReceiver } from '../helpers/receiver.js';
import { waitUntil } from '../helpers/source-process.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The value of one sample in Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

async function api(server: TestServer, method: string, path: string, body?: unknown) {
  const res = await server.request(method, `/api/v1${path}`, { body });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** An app with one event type and one recipient whose endpoints point at the given URLs. */
async function appWithEndpoints(server: TestServer, urls: string[]) {
  const app = await api(server, 'POST', '/apps', { name: 'shop' });
  await api(server, 'POST', `/apps/${app.id}/event-types`, { name: 'invoice.paid' });
  const recipient = await api(server, 'POST', `/apps/${app.id}/recipients`, { uid: 'acme' });
  for (const url of urls) await api(server, 'POST', `/apps/${app.id}/recipients/${recipient.id}/endpoints`, { url });
  return app.id as string;
}

let offset = 0;
const clock = { now: () => Date.now() + offset };

forEachDatabase(
  t,
  '/metrics',
  async (t, server) => {
    t.test('answers Prometheus text without an API key', async (t) => {
      const res = await fetch(`${server.url}/metrics`);
      t.equal(res.status, 200);
      t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      for (const name of [
        'dispatch_messages_accepted_total',
        'dispatch_ingest_events_total',
        'dispatch_attempts_total',
        'dispatch_deliveries_pending',
        'dispatch_oldest_pending_age_seconds',
        'dispatch_attempt_duration_seconds',
        'dispatch_accept_to_first_attempt_seconds',
        'dispatch_deliveries_in_flight',
        'process_resident_memory_bytes',
      ])
        t.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exported`);
      t.equal(sample(text, 'dispatch_attempts_total', { outcome: 'failed', error: 'timeout' }), 0, 'known series start at 0');
      t.equal(sample(text, 'dispatch_ingest_events_total', { status: 'duplicate' }), 0);
    });

    t.test('reports queue depth and the oldest due delivery from the database', async (t) => {
      const before = await scrape(server);
      t.equal(sample(before, 'dispatch_deliveries_pending'), 0);
      t.equal(sample(before, 'dispatch_oldest_pending_age_seconds'), 0);
      const app = await appWithEndpoints(server, ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']);
      await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 1 } });
      offset += 5_000;
      const after = await scrape(server);
      t.equal(sample(after, 'dispatch_deliveries_pending'), 2, 'one per endpoint, no dispatcher running');
      const age = sample(after, 'dispatch_oldest_pending_age_seconds') as number;
      t.ok(age >= 5 && age < 10, `waited about 5 s (${age})`);
      t.equal(sample(after, 'dispatch_messages_accepted_total'), 1);
      await server.db('deliveries').delete();
    });

    t.test('counts attempts by outcome and error class, with latency and accept-to-first-attempt histograms', async (t) => {
      const ok = await startReceiver(() => ({ status: 200 }));
      const failing = await startReceiver(() => ({ status: 503 }));
      t.teardown(() => Promise.all([ok.close(), failing.close()]));
      const app = await appWithEndpoints(server, [ok.url, failing.url]);
      const dispatcher = startDispatcher(server.deps);
      t.teardown(() => dispatcher.stop(1_000));
      await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 2 } });
      await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 3 } });

      const text = await waitUntil(async () => {
        const scraped = await scrape(server);
        return (sample(scraped, 'dispatch_attempts_total', { outcome: 'failed' }) ?? 0) >= 2 ? scraped : null;
      }, 'four attempts in the metrics');
      t.equal(sample(text, 'dispatch_messages_accepted_total'), 3, 'accepted messages, this test and the one before');
      t.equal(sample(text, 'dispatch_attempts_total', { outcome: 'succeeded', error: 'none' }), 2);
      t.equal(sample(text, 'dispatch_attempts_total', { outcome: 'failed', error: 'http_status' }), 2);
      t.equal(sample(text, 'dispatch_attempt_duration_seconds_count', { outcome: 'succeeded' }), 2);
      t.equal(sample(text, 'dispatch_attempt_duration_seconds_count', { outcome: 'failed' }), 2);
      t.equal(sample(text, 'dispatch_accept_to_first_attempt_seconds_count'), 4, 'first attempts only');
      t.ok((sample(text, 'dispatch_accept_to_first_attempt_seconds_sum') as number) >= 0);
      t.equal(sample(text, 'dispatch_deliveries_pending'), 2, 'the failed deliveries wait for their retry');
      t.equal(sample(text, 'dispatch_oldest_pending_age_seconds'), 0, 'a retry scheduled for later is not overdue');
    });

    t.test('counts ingest requests by how they were stored', async (t) => {
      const open = await api(server, 'POST', '/sources', { name: 'open' });
      const signed = await api(server, 'POST', '/sources', {
        name: 'signed',
        verification: { type: 'hmac', secret: 'provider-secret', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex' },
      });
      const post = (source: { ingest_url: string }) =>
        fetch(server.url + new URL(source.ingest_url).pathname, { method: 'POST', body: '{"a":1}' });
      t.equal((await post(open)).status, 200);
      t.equal((await post(open)).status, 200);
      t.equal((await post(signed)).status, 401);
      const text = await scrape(server);
      t.equal(sample(text, 'dispatch_ingest_events_total', { status: 'accepted' }), 2);
      t.equal(sample(text, 'dispatch_ingest_events_total', { status: 'rejected' }), 1);
    });

    t.test('reports the deliveries this process has in flight', async (t) => {
      const hanging = await startReceiver(() => ({ hang: true }));
      t.teardown(() => hanging.close());
      const app = await appWithEndpoints(server, [hanging.url]);
      const dispatcher = startDispatcher(server.deps);
      const probe = reportInFlight(server.deps.metrics, () => dispatcher.inFlight());
      t.teardown(async () => {
        await probe.stop(0);
        await dispatcher.stop(0);
      });
      await api(server, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: { n: 4 } });
      await hanging.waitForRequests(1);
      t.equal(sample(await scrape(server), 'dispatch_deliveries_in_flight'), 1);
      await hanging.close();
      await waitUntil(async () => sample(await scrape(server), 'dispatch_deliveries_in_flight') === 0, 'the attempt to finish');
    });
  },
  { clock, env: { DISPATCH_REQUEST_TIMEOUT: '5s' } },
);

t.test('two apps in one process keep separate registries', async (t) => {
  const first = await startTestServer('sqlite');
  const second = await startTestServer('sqlite');
  t.teardown(() => Promise.all([first.close(), second.close()]));
  const app = await appWithEndpoints(first, []);
  await api(first, 'POST', `/apps/${app}/messages`, { event_type: 'invoice.paid', payload: {} });
  t.equal(sample(await scrape(first), 'dispatch_messages_accepted_total'), 1);
  t.equal(sample(await scrape(second), 'dispatch_messages_accepted_total'), 0);
});
