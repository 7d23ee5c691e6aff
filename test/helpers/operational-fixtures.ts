/**
 * Fixtures for the operational-webhook tests (test/server/operational/): operational endpoints on
 * loopback receivers, the workers a server process runs for them, and Standard Webhooks checks.
 */
import { createHmac } from 'node:crypto';
import type { Test } from 'tap';
import { startAnomalyWorker } from '../../server/anomalies/worker.js';
import { startOperationalEvents } from '../../server/operational/listener.js';
import { api, runDispatcher } from './dispatch-fixtures.js';
import type { Json } from './json.js';
import { startReceiver, type ReceivedRequest, type Receiver } from './receiver.js';
import type { TestServer } from './server.js';

/** Generous: these tests wait on retries and on the dispatcher under a loaded machine. */
export const WAIT_MS = 60_000;

export interface Oep {
  id: string;
  secret: string;
  receiver: Receiver;
}

/** A loopback receiver answering `status` to everything, closed at teardown. */
export async function receiver(t: Test, status = 200): Promise<Receiver> {
  const started = await startReceiver(() => ({ status }));
  t.teardown(() => started.close());
  return started;
}

/** An operational endpoint (POST /operational-endpoints with `body`) pointing at its own receiver. */
export async function operationalEndpoint(t: Test, server: TestServer, body: Record<string, unknown>, status = 200): Promise<Oep> {
  const target = await receiver(t, status);
  const created = await api(server, 'POST', '/operational-endpoints', { url: `${target.url}/ops`, ...body });
  return { id: created.id, secret: created.secret, receiver: target };
}

/**
 * Starts what a server process runs for these events: the dispatcher, the operational listener
 * and (optionally) the anomaly worker. `settle()` stops the anomaly worker and then the listener,
 * each waiting for the work it started: afterwards every operational event is in the database.
 */
export function startWorkers(t: Test, server: TestServer, options: { anomalies?: boolean } = {}): { settle(): Promise<void> } {
  runDispatcher(t, server);
  const listener = startOperationalEvents(server.deps);
  t.teardown(() => listener.stop(5_000));
  const worker = options.anomalies ? startAnomalyWorker(server.deps) : null;
  if (worker) t.teardown(() => worker.stop(5_000));
  return {
    async settle() {
      await worker?.stop(10_000);
      await listener.stop(10_000);
    },
  };
}

/** The request is signed per Standard Webhooks with `secret` over its exact body, for a msg_ id. */
export function checkSigned(t: Test, request: ReceivedRequest, secret: string, label: string): void {
  const id = String(request.headers['webhook-id']);
  const timestamp = String(request.headers['webhook-timestamp']);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(request.body).digest('base64');
  t.match(id, /^msg_/, `${label}: webhook-id is the message id`);
  t.ok(String(request.headers['webhook-signature']).split(' ').includes(`v1,${expected}`), `${label}: signed with the oep secret`);
  t.equal(request.headers['content-type'], 'application/json', `${label}: JSON`);
}

export const bodies = (target: Receiver): Json[] => target.requests.map((request): Json => JSON.parse(request.body.toString('utf8')));
export const eventOf = (target: Receiver, type: string): Json => bodies(target).find((body) => body.type === type);
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
