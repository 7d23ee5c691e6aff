import type { Test } from 'tap';
import { startDispatcher, type Dispatcher } from '../../server/delivery/dispatcher.js';
import type { TestServer } from './server.js';
import type { Json } from './json.js';

/** Starts this test server's dispatcher (the test harness does not start workers); stopped at teardown. */
export function runDispatcher(t: Test, server: TestServer): Dispatcher {
  const dispatcher = startDispatcher(server.deps);
  // tap runs teardowns last-in first-out: this stops before the server closes its database
  t.teardown(() => dispatcher.stop(2_000));
  return dispatcher;
}

export interface Setup {
  app: string;
  recipients: Record<string, string>;
}

/** Calls the API and fails loudly unless the status is the expected one; returns `data`. */
export async function api(server: TestServer, method: string, path: string, body?: unknown, expected = [200, 201, 202]): Promise<Json> {
  const response = await server.request(method, `/api/v1${path}`, { body });
  if (!expected.includes(response.status))
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.data;
}

/** An app with the given event types (name → JSON Schema or null) and recipients (by uid). */
export async function createApp(
  server: TestServer,
  options: { eventTypes?: Record<string, Record<string, unknown> | null>; recipients?: string[] } = {},
): Promise<Setup> {
  const app = await api(server, 'POST', '/apps', { name: 'shop' });
  for (const [name, schema] of Object.entries(options.eventTypes ?? { 'invoice.paid': null })) {
    await api(server, 'POST', `/apps/${app.id}/event-types`, schema ? { name, schema } : { name });
  }
  const recipients: Record<string, string> = {};
  for (const uid of options.recipients ?? ['acme']) {
    recipients[uid] = (await api(server, 'POST', `/apps/${app.id}/recipients`, { uid })).id;
  }
  return { app: app.id, recipients };
}

/** Creates an endpoint for a recipient and returns its id and secret. */
export async function createEndpoint(
  server: TestServer,
  setup: Setup,
  recipient: string,
  body: Record<string, unknown>,
): Promise<{ id: string; secret: string }> {
  const endpoint = await api(server, 'POST', `/apps/${setup.app}/recipients/${recipient}/endpoints`, body);
  return { id: endpoint.id, secret: endpoint.secret };
}

/** Sends a message; returns the 202 data. */
export async function send(
  server: TestServer,
  setup: Setup,
  body: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<Json> {
  const response = await server.request('POST', `/api/v1/apps/${setup.app}/messages`, { body, headers });
  if (response.status !== 202) throw new Error(`send answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.data;
}
