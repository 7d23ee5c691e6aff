/**
 * Cases 4 and 6: how soon accepted work reaches the receiver. Case 4 offers messages at a fixed
 * rate (open loop) and takes, per message, the time from its 202 answer to its first arrival at
 * the receiver. Case 6 sends one message to an app with 1,000 endpoints and times until every
 * endpoint got it.
 */
import { BENCH_ADMIN_KEY } from '../children.js';
import { cpuSince, perUnit } from '../cpu.js';
import type { CaseResult } from '../result.js';
import {
  MESSAGE_BODY,
  MESSAGE_PAYLOAD,
  apiHeaders,
  createOutbound,
  dbProcess,
  forDialect,
  freshDatabase,
  percentile,
  round,
  serverOn,
  type CaseContext,
} from '../world.js';
import { preciseNow } from '../workers/ipc.js';

const RATE = 1000;

type Paced = { offeredPerSecond: number; results: [string, number, number, number][] };

/** Case 4: p50/p99 of 202 → first attempt at 1,000 msg/s offered. */
export async function acceptToAttempt(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const seconds = Math.max(3, Math.round(5 * ctx.options.scale));
  const { url, db } = await freshDatabase(ctx);
  const server = await serverOn(ctx, url);
  const target = await createOutbound(server, db, ctx.tools.receiverUrl);

  // baseline: the same paced offer posted straight to the receiver (request → response)
  await ctx.tools.receiver.call({ cmd: 'reset' });
  const raw = await ctx.tools.sender.call<Paced>({
    cmd: 'paced',
    url: `${ctx.tools.receiverUrl}/`,
    headers: { 'content-type': 'application/json' },
    body: MESSAGE_PAYLOAD,
    rate: RATE,
    seconds,
  });
  const rawLatencies = raw.results.map(([, sent, answered]) => answered - sent).sort((a, b) => a - b);

  await ctx.tools.receiver.call({ cmd: 'reset', record: true });
  const serverCpu = cpuSince(server.process.pid);
  const dbCpu = cpuSince(dbProcess(ctx)?.pid);
  const paced = await ctx.tools.sender.call<Paced>({
    cmd: 'paced',
    url: `${server.url}/api/v1/apps/${target.appId}/messages`,
    headers: apiHeaders(BENCH_ADMIN_KEY),
    body: MESSAGE_BODY,
    rate: RATE,
    seconds,
  });
  const accepted = paced.results.filter(([id]) => id !== '');
  await ctx.tools.receiver.call({ cmd: 'waitFor', count: accepted.length, timeoutMs: 30_000 });
  const serverMs = serverCpu();
  const dbMs = dbCpu();
  const arrivals = await ctx.tools.receiver.call<[string, number][]>({ cmd: 'arrivals' });
  const firstArrival = new Map<string, number>();
  for (const [id, at] of arrivals) if (!firstArrival.has(id)) firstArrival.set(id, at);
  const latencies: number[] = [];
  let missing = 0;
  for (const [id, , answered] of accepted) {
    const at = firstArrival.get(id);
    if (at === undefined) missing++;
    else latencies.push(at - answered);
  }
  latencies.sort((a, b) => a - b);
  const p99 = percentile(latencies, 99);
  const acceptLatencies = accepted.map(([, sent, answered]) => answered - sent).sort((a, b) => a - b);
  const goal = forDialect(ctx, { sqlite: 10, mysql: 25 });
  return {
    headline: `${p99.toFixed(1)} ms`,
    cpu: { per: 'msg', server: perUnit(serverMs, accepted.length), db: perUnit(dbMs, accepted.length), dbApprox: dbProcess(ctx)?.approx },
    metric: 'p99 202 → first attempt',
    value: round(p99, 1),
    unit: 'ms',
    baseline: { name: 'p99 undici → receiver round trip, same pace', value: round(percentile(rawLatencies, 99), 1), unit: 'ms' },
    ratio: null,
    target: `p99 < ${goal} ms`,
    met: missing === 0 && p99 < goal,
    details: {
      offered_per_s: round(paced.offeredPerSecond),
      messages: paced.results.length,
      accepted: accepted.length,
      never_arrived: missing,
      p50_ms: round(percentile(latencies, 50), 1),
      p99_ms: round(p99, 1),
      max_ms: round(latencies[latencies.length - 1] ?? NaN, 1),
      accept_p50_ms: round(percentile(acceptLatencies, 50), 1),
      accept_p99_ms: round(percentile(acceptLatencies, 99), 1),
      baseline_p50_ms: round(percentile(rawLatencies, 50), 1),
      // arrival can precede the client reading its 202 (the dispatcher wakes at commit)
      negative: latencies.filter((l) => l < 0).length,
    },
  };
}

/** Case 6: one message to 1,000 endpoints, time until all delivered. */
export async function fanOut(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const endpoints = 1000;
  const { url, db } = await freshDatabase(ctx);
  const server = await serverOn(ctx, url);
  const setupStarted = Date.now();
  const target = await createOutbound(server, db, ctx.tools.receiverUrl, endpoints);
  const setupSeconds = (Date.now() - setupStarted) / 1000;

  await ctx.tools.receiver.call({ cmd: 'reset' });
  const raw = await ctx.tools.sender.call<{ ms: number }>({
    cmd: 'burst',
    url: ctx.tools.receiverUrl,
    headers: { 'content-type': 'application/json' },
    body: MESSAGE_PAYLOAD,
    count: endpoints,
    concurrency: 200,
    paths: endpoints,
  });

  await ctx.tools.receiver.call({ cmd: 'reset' });
  const serverCpu = cpuSince(server.process.pid);
  const dbCpu = cpuSince(dbProcess(ctx)?.pid);
  const sentAt = preciseNow();
  const message = await server.api('POST', `/apps/${target.appId}/messages`, JSON.parse(MESSAGE_BODY));
  const answeredAt = preciseNow();
  const stats = await ctx.tools.receiver.call<{ count: number; first: number; last: number }>({
    cmd: 'waitFor',
    count: endpoints,
    timeoutMs: 30_000,
  });
  if (stats.count < endpoints) throw new Error(`only ${stats.count} of ${endpoints} endpoints received the message within 30 s`);
  const ms = stats.last - sentAt;
  const serverMs = serverCpu();
  const dbMs = dbCpu();
  return {
    headline: `${Math.round(ms)} ms`,
    cpu: { per: 'delivery', server: perUnit(serverMs, stats.count), db: perUnit(dbMs, stats.count), dbApprox: dbProcess(ctx)?.approx },
    metric: `fan-out to ${endpoints} endpoints, send → all delivered`,
    value: round(ms),
    unit: 'ms',
    baseline: { name: 'undici + p-queue (200): 1,000 POSTs', value: round(raw.ms), unit: 'ms' },
    ratio: round(raw.ms / ms, 2),
    target: 'all delivered < 1,000 ms',
    met: ms < 1000,
    details: {
      delivery_count: message.delivery_count,
      accept_ms: round(answeredAt - sentAt, 1),
      first_arrival_ms: round(stats.first - sentAt, 1),
      endpoint_setup_seconds: round(setupSeconds, 1),
    },
  };
}
