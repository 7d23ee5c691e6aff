/**
 * Delivery throughput and latency on SQLite and MariaDB (not part of `npm test`):
 *   TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test TS_NODE_TRANSPILE_ONLY=1 \
 *     node --import=@tapjs/typescript/import test/bench/delivery.ts [messages] [senders]
 * One in-process server, one endpoint on a loopback receiver answering 200 at once.
 *  1. accept: `messages` sends by `senders` concurrent clients, dispatcher off → accepted/s,
 *     next to a bare Koa POST route driven the same way;
 *  2. drain: the dispatcher starts on that backlog → deliveries/s, next to raw undici POSTs
 *     to the same receiver at DISPATCH_CONCURRENCY;
 *  3. latency: paced sends with the dispatcher running → p50/p99 of 202 → first attempt arrival.
 */
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testDialects } from '../helpers/databases.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { inParallel } from '../helpers/child-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { createApp, createEndpoint, type Setup } from '../helpers/dispatch-fixtures.js';
import { startDispatcher } from '../../server/delivery/dispatcher.js';

const total = Number(process.argv[2] ?? 3000);
const senders = Number(process.argv[3] ?? 32);
const payload = (i: number) => JSON.stringify({ event_type: 'invoice.paid', payload: { i, text: 'x'.repeat(200) } });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function bareKoaRate(): Promise<number> {
  const app = new Koa();
  app.use(async (ctx) => {
    await new Promise<void>((resolve) => {
      ctx.req.resume();
      ctx.req.on('end', resolve);
    });
    ctx.status = 202;
    ctx.body = { ok: true, data: { id: 'msg_x' } };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const started = performance.now();
  await inParallel(total, senders, async (i) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload(i) });
    await response.text();
  });
  const rate = total / ((performance.now() - started) / 1000);
  server.close();
  return rate;
}

async function rawUndiciRate(receiver: Receiver, concurrency: number): Promise<number> {
  const agent = new Agent();
  const body = Buffer.from(payload(0));
  const started = performance.now();
  await inParallel(total, concurrency, async () => {
    const response = await agent.request({
      origin: receiver.url,
      path: '/',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await response.body.text();
  });
  const rate = total / ((performance.now() - started) / 1000);
  await agent.close();
  return rate;
}

async function sendAll(server: TestServer, setup: Setup, count: number, parallel: number, acceptedAt?: Map<string, number>) {
  await inParallel(count, parallel, async (i) => {
    const response = await fetch(`${server.url}/api/v1/apps/${setup.app}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      body: payload(i),
    });
    const body = (await response.json()) as { data: { id: string } };
    if (response.status !== 202) throw new Error(`send answered ${response.status}`);
    acceptedAt?.set(body.data.id, Date.now());
  });
}

for (const dialect of testDialects()) {
  const server = await startTestServer(dialect, { env: { DISPATCH_LOG_LEVEL: 'warn' } });
  const receiver = await startReceiver();
  const setup = await createApp(server);
  await createEndpoint(server, setup, 'acme', { url: receiver.url });

  // the reference is measured right before, so both see the same machine load
  const bare = await bareKoaRate();
  let started = performance.now();
  await sendAll(server, setup, total, senders);
  const accepted = total / ((performance.now() - started) / 1000);

  started = performance.now();
  let dispatcher = startDispatcher(server.deps);
  await waitFor(() => receiver.requests.length >= total, 'the backlog to drain', 600_000, 10);
  const delivered = total / ((performance.now() - started) / 1000);
  await dispatcher.stop(2000);
  const raw = await rawUndiciRate(receiver, server.config.concurrency);

  receiver.requests.length = 0;
  dispatcher = startDispatcher(server.deps);
  const acceptedAt = new Map<string, number>();
  const paced = Math.min(total, 500);
  await sendAll(server, setup, paced, 4, acceptedAt);
  await waitFor(() => receiver.requests.length >= paced, 'paced deliveries', 600_000, 10);
  const latencies = receiver.requests
    .map((r) => r.at - (acceptedAt.get(r.headers['webhook-id'] as string) as number))
    .sort((a, b) => a - b);
  await dispatcher.stop(2000);

  console.log(
    JSON.stringify({
      dialect,
      messages: total,
      senders,
      accepted_per_s: Math.round(accepted),
      bare_koa_per_s: Math.round(bare),
      accepted_vs_bare_koa: Number((accepted / bare).toFixed(2)),
      deliveries_per_s: Math.round(delivered),
      raw_undici_per_s: Math.round(raw),
      delivered_vs_raw_undici: Number((delivered / raw).toFixed(2)),
      accept_to_first_attempt_ms: { paced_messages: paced, p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    }),
  );
  await receiver.close();
  await server.close();
}
