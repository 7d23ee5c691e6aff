/**
 * Delivery throughput and latency on SQLite and MariaDB (not part of `npm test`):
 *   TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test node --import=@tapjs/typescript/import test/bench/delivery.ts [messages] [senders]
 * One in-process server + dispatcher, one endpoint on a loopback receiver that answers 200 at once.
 * Reports accepted messages/s, deliveries/s and p50/p99 of accept (202) → first attempt arrival.
 */
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { startTestServer } from '../helpers/server.js';
import { testDialects } from '../helpers/databases.js';
import { startReceiver } from '../helpers/receiver.js';
import { inParallel } from '../helpers/child-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { api, createApp, createEndpoint } from '../helpers/dispatch-fixtures.js';
import { startDispatcher } from '../../server/delivery/dispatcher.js';

const total = Number(process.argv[2] ?? 3000);
const senders = Number(process.argv[3] ?? 32);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Requests/s of a bare Koa POST route answering 202 JSON on this machine right now (the reference). */
async function bareKoaRate(): Promise<number> {
  const app = new Koa();
  app.use(async (ctx) => {
    await new Promise<void>((resolve) => { ctx.req.resume(); ctx.req.on('end', resolve); });
    ctx.status = 202;
    ctx.body = { ok: true, data: { id: 'msg_x' } };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const started = performance.now();
  await inParallel(total, senders, async (i) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i, text: 'x'.repeat(200) }) });
    await response.text();
  });
  const rate = total / ((performance.now() - started) / 1000);
  server.close();
  return rate;
}

const bare = Math.round(await bareKoaRate());
console.log(JSON.stringify({ bare_koa_post_per_s: bare }));

for (const dialect of testDialects()) {
  const server = await startTestServer(dialect, { env: { DISPATCH_LOG_LEVEL: 'warn' } });
  const dispatcher = process.env.BENCH_NO_DISPATCH ? { stop: async (_ms: number) => {} } : startDispatcher(server.deps);
  const receiver = await startReceiver();
  const setup = await createApp(server);
  await createEndpoint(server, setup, 'acme', { url: receiver.url });
  void api;

  const acceptedAt = new Map<string, number>();
  const started = performance.now();
  await inParallel(total, senders, async (i) => {
    const response = await fetch(`${server.url}/api/v1/apps/${setup.app}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'invoice.paid', payload: { i, text: 'x'.repeat(200) } }),
    });
    const body = (await response.json()) as { data: { id: string } };
    if (response.status !== 202) throw new Error(`send answered ${response.status}`);
    acceptedAt.set(body.data.id, Date.now());
  });
  const acceptSeconds = (performance.now() - started) / 1000;
  if (process.env.BENCH_NO_DISPATCH) { console.log(dialect, 'accepted/s', Math.round(total / acceptSeconds)); await server.close(); continue; }
  await waitFor(() => receiver.requests.length >= total, 'all deliveries', 300_000, 20);
  const deliverSeconds = (performance.now() - started) / 1000;

  const latencies: number[] = [];
  const seen = new Set<string>();
  for (const request of receiver.requests) {
    const id = request.headers['webhook-id'] as string;
    if (seen.has(id)) continue;
    seen.add(id);
    latencies.push(request.at - (acceptedAt.get(id) as number));
  }
  latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({
    dialect,
    messages: total,
    senders,
    accepted_per_s: Math.round(total / acceptSeconds),
    accepted_vs_bare_koa: Number((total / acceptSeconds / bare).toFixed(2)),
    deliveries_per_s: Math.round(total / deliverSeconds),
    accept_to_first_attempt_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  }));
  await dispatcher.stop(2000);
  await receiver.close();
  await server.close();
}
