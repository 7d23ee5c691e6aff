import { request as httpRequest } from 'node:http';
import type { Test } from 'tap';
import { startReceiver, type Receiver } from './receiver.js';
import type { TestServer } from './server.js';
import { waitFor } from './wait-for.js';
import type { Json } from './json.js';
import { startDispatcher } from '../../server/delivery/dispatcher.js';

export { createSource } from './sources.js';

// Helpers of the several-destinations tests (test/server/ingest/destinations*.test.ts).

/** Starts this server's dispatcher and `count` loopback receivers, all stopped at teardown. */
export async function receivers(t: Test, server: TestServer, count: number): Promise<Receiver[]> {
  const dispatcher = startDispatcher(server.deps, { pollMs: 20 });
  t.teardown(() => dispatcher.stop(1000));
  const started: Receiver[] = [];
  for (let i = 0; i < count; i++) {
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    started.push(receiver);
  }
  return started;
}

/** POSTs `body` to an ingest URL. */
export async function send(url: string, body: string, contentType = 'application/json') {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as { event_id: string } };
}

/** Sends with node:http, which (unlike fetch) keeps `..` segments in the path as given. */
export function sendUnnormalised(url: string, body: string): Promise<{ event_id: string }> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path: `${pathname}/a/../../admin${search}?q=1`, method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as { event_id: string }));
    });
    req.on('error', reject);
    req.setHeader('content-type', 'application/json');
    req.end(body);
  });
}

/** GET /events/{id} data. */
export async function eventDetail(server: TestServer, id: string): Promise<Json> {
  const response = await server.request('GET', `/api/v1/events/${id}`);
  if (response.status !== 200) throw new Error(JSON.stringify(response.body));
  return response.body.data;
}

/** Waits until the event has `status`; returns its detail. */
export async function waitStatus(server: TestServer, id: string, status: string): Promise<Json> {
  return waitFor(
    async () => {
      const event = await eventDetail(server, id);
      return event.status === status ? event : null;
    },
    `${id} ${status}`,
    30_000,
  );
}
