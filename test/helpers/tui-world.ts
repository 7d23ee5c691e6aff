import type { Test } from 'tap';
import { startWorkers } from '../../server/workers.js';
import { startReceiver, type ProgrammedResponse, type Receiver } from './receiver.js';
import { startTestServer, type TestServer } from './server.js';
import type { Json } from './json.js';

export interface World {
  server: TestServer;
  receiver: Receiver;
  app: { id: string; name: string };
  recipient: { id: string };
  endpoint: { id: string; url: string };
  /** Calls the API with the admin key; throws unless it answered 2xx; returns `data`. */
  api(method: string, path: string, body?: unknown): Promise<Json>;
}

/**
 * A running appliance for TUI tests: a real server on SQLite with its dispatcher and anomaly
 * worker, a loopback receiver answering `status`, and one app → recipient → endpoint pointing at
 * it. Retries are an hour apart so each message makes exactly one scheduled attempt; one failure
 * opens endpoint_failing. `env` overrides (e.g. a short retry schedule so deliveries fail for good).
 */
export async function startWorld(t: Test, status = 200, env: Record<string, string> = {}): Promise<World> {
  const receiver = await startReceiver((): ProgrammedResponse => ({ status, body: status < 300 ? 'ok' : 'nope' }));
  const server = await startTestServer('sqlite', {
    env: { DISPATCH_RETRY_SCHEDULE: '1h', DISPATCH_FAILING_THRESHOLD: '1', DISPATCH_ANOMALY_INTERVAL: '1h', ...env },
  });
  const workers = startWorkers(server.deps);
  // tap runs teardowns last-in first-out: workers stop before the server closes its database
  t.teardown(() => receiver.close());
  t.teardown(() => server.close());
  t.teardown(() => workers.stop(2_000));
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await server.request(method, `/api/v1${path}`, { body });
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body.data;
  };
  const app = await api('POST', '/apps', { name: 'Billing', uid: 'billing' });
  await api('POST', `/apps/${app.id}/event-types`, { name: 'invoice.paid' });
  const recipient = await api('POST', `/apps/${app.id}/recipients`, { name: 'Acme Corp', uid: 'acme' });
  const endpoint = await api('POST', `/apps/${app.id}/recipients/${recipient.id}/endpoints`, { url: `${receiver.url}/hooks` });
  return { server, receiver, app, recipient, endpoint, api };
}
