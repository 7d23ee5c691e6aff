/**
 * BASELINE, NOT PRODUCT CODE. The "DIY BullMQ peer" of issue 12: what a Node team writes
 * instead of adopting Dispatch, measured by `npm run bench` (case 2) next to Dispatch's
 * end-to-end case. Nothing in server/ or db/ may import it.
 *
 * One process, as such a team would deploy it: a Koa route `POST /messages` that checks a bearer
 * key, parses the JSON body, `queue.add()`s the message to BullMQ on Redis and answers 202 with
 * its id; and, in the same process, a BullMQ Worker (concurrency 100) that signs each message
 * with Standard Webhooks headers (CONTRACT delivery rule 3: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256>`) and POSTs it with undici to the one endpoint it
 * was started with, failing the job on anything but a 2xx so BullMQ retries it with exponential
 * backoff (8 attempts). Redis runs with AOF `appendfsync everysec` (started by the bench).
 *
 * What it leaves out that Dispatch does (all in the peer's favour): no endpoint lookup or fan-out
 * (one fixed endpoint), no attempt log or response capture, no idempotency, no schema or rate
 * limits, no SSRF guard; a 202 is answered once Redis acknowledged the job, i.e. the job is in
 * Redis' memory and its AOF buffer, not fsynced (everysec).
 *
 * Driven through the bench's IPC (`workers/ipc.ts`): `start` → `{ url }`, `stats`, `stop`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Queue, Worker, type Job } from 'bullmq';
import Koa from 'koa';
import { Agent } from 'undici';
import { serve } from '../workers/ipc.js';

interface Start {
  redisPort: number;
  /** The endpoint every message goes to, e.g. the bench receiver. */
  endpointUrl: string;
  /** `whsec_…` (CONTRACT rule 3). */
  secret: string;
  apiKey: string;
  concurrency?: number;
}

interface WebhookJob {
  id: string;
  eventType: string;
  /** The payload serialised once at accept, sent byte for byte on every attempt. */
  payload: string;
}

const QUEUE = 'webhooks';

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` (Standard Webhooks). */
export function sign(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

// CONTRACT rule 3's check vector: refuse to run a baseline that signs differently
if (
  sign(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'), 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}') !==
  'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
) {
  throw new Error('bullmq-peer: Standard Webhooks signature does not match the CONTRACT check vector');
}

let running: { stop(): Promise<void>; stats(): { completed: number; failed: number } } | null = null;

async function start(command: Start): Promise<{ url: string }> {
  if (running) throw new Error('already started');
  const connection = { host: '127.0.0.1', port: command.redisPort };
  const key = Buffer.from(command.secret.replace(/^whsec_/, ''), 'base64');
  const endpoint = new URL(command.endpointUrl);
  const agent = new Agent({ keepAliveTimeout: 30_000, headersTimeout: 15_000, bodyTimeout: 15_000 });
  const queue = new Queue<WebhookJob>(QUEUE, {
    connection,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 10_000 },
    },
  });
  let completed = 0;
  let failed = 0;

  const worker = new Worker<WebhookJob>(
    QUEUE,
    async (job: Job<WebhookJob>) => {
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await agent.request({
        origin: endpoint.origin,
        path: endpoint.pathname + endpoint.search,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'diy-bullmq-peer/1',
          'webhook-id': job.data.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': sign(key, job.data.id, timestamp, job.data.payload),
        },
        body: job.data.payload,
      });
      await response.body.dump();
      if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`endpoint answered ${response.statusCode}`);
    },
    { connection, concurrency: command.concurrency ?? 100 },
  );
  worker.on('completed', () => {
    completed++;
  });
  worker.on('failed', () => {
    failed++;
  });
  worker.on('error', (error) => {
    console.error(`bullmq-peer worker: ${error.message}`);
  });

  const app = new Koa();
  const bearer = `Bearer ${command.apiKey}`;
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/messages') {
      ctx.status = 404;
      return;
    }
    if (ctx.get('authorization') !== bearer) {
      ctx.status = 401;
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    let body: { event_type?: unknown; payload?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      ctx.status = 400;
      ctx.body = { error: 'invalid JSON' };
      return;
    }
    if (typeof body.event_type !== 'string' || typeof body.payload !== 'object' || body.payload === null) {
      ctx.status = 400;
      ctx.body = { error: 'event_type and payload are required' };
      return;
    }
    const id = `msg_${randomUUID().replace(/-/g, '')}`;
    await queue.add(body.event_type, { id, eventType: body.event_type, payload: JSON.stringify(body.payload) });
    ctx.status = 202;
    ctx.body = { data: { id } };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  await worker.waitUntilReady();
  running = {
    stats: () => ({ completed, failed }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.close(true);
      await queue.close();
      await agent.close();
    },
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

serve({
  start,
  stats: () => running?.stats() ?? { completed: 0, failed: 0 },
  async stop() {
    const stopping = running;
    running = null;
    await stopping?.stop();
    return true;
  },
});
