/**
 * Cases 2, 6 and 7: a backlog of pending deliveries (seeded through knex while no server runs)
 * drained by the real server child to the bare receiver. The rate is taken between the first
 * and the last arrival at the receiver, so process start-up is not counted.
 */
import type { Knex } from 'knex';
import { processCpuSeconds, type ServerChild } from '../children.js';
import type { CaseResult } from '../result.js';
import { seedBacklog, seedHistory, type SeedTarget } from '../seed.js';
import { MESSAGE_PAYLOAD, createOutbound, freshDatabase, round, serverOn, type CaseContext } from '../world.js';

interface Drain {
  delivered: number;
  perSecond: number;
  seconds: number;
  peakRssBytes: number;
  idleRssBytes: number;
  /** Server CPU per delivery, start-up included (a figure that holds on a busy machine). */
  cpuMsPerDelivery: number;
}

/** A database with the outbound app, built by a first server child that is stopped again. */
async function preparedDatabase(ctx: CaseContext): Promise<{ url: string; db: Knex; target: SeedTarget; idleRssBytes: number }> {
  const { url, db } = await freshDatabase(ctx);
  const setup = await serverOn(ctx, url);
  const target = await createOutbound(setup, db, ctx.tools.receiverUrl);
  const idleRssBytes = setup.memory().rss;
  await setup.stop();
  return { url, db, target, idleRssBytes };
}

/** Seeds `count` pending deliveries, starts the server and waits until the receiver saw them all. */
async function drain(ctx: CaseContext, url: string, db: Knex, target: SeedTarget, count: number, from: number, timeoutMs: number): Promise<Drain & { server: ServerChild }> {
  await seedBacklog(db, target, count, Date.now(), MESSAGE_PAYLOAD, from);
  await ctx.tools.receiver.call({ cmd: 'reset' });
  const server = await serverOn(ctx, url);
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, server.memory().peak); }, 100);
  let stats: { count: number; first: number; last: number };
  try {
    stats = await ctx.tools.receiver.call({ cmd: 'waitFor', count, timeoutMs });
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, server.memory().peak);
  const cpuMsPerDelivery = (processCpuSeconds(server.process.pid as number) * 1000) / Math.max(1, stats.count);
  if (stats.count < count) throw new Error(`only ${stats.count} of ${count} deliveries arrived within ${timeoutMs / 1000} s`);
  const seconds = (stats.last - stats.first) / 1000;
  return { delivered: stats.count, perSecond: (stats.count - 1) / seconds, seconds, peakRssBytes: peak, idleRssBytes: 0, cpuMsPerDelivery, server };
}

/** The raw baseline: undici + p-queue (DISPATCH_CONCURRENCY = 200) posting the payload straight to the receiver. */
async function rawUndici(ctx: CaseContext, count: number): Promise<{ perSecond: number; failed: number }> {
  await ctx.tools.receiver.call({ cmd: 'reset' });
  return ctx.tools.sender.call({ cmd: 'burst', url: `${ctx.tools.receiverUrl}/`, headers: { 'content-type': 'application/json' }, body: MESSAGE_PAYLOAD, count, concurrency: 200 });
}

const backlogSize = (ctx: CaseContext) => Math.round(20_000 * ctx.options.scale);

/** Case 2: deliveries/s draining a backlog vs raw undici + p-queue to the same receiver. */
export async function deliveries(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const count = backlogSize(ctx);
  const { url, db, target } = await preparedDatabase(ctx);
  // the raw baseline before and after the drain, averaged (the machine is shared)
  const rawBefore = await rawUndici(ctx, count);
  const measured = await drain(ctx, url, db, target, count, 0, 90_000);
  const rawAfter = await rawUndici(ctx, count);
  const raw = { perSecond: (rawBefore.perSecond + rawAfter.perSecond) / 2, failed: rawBefore.failed + rawAfter.failed };
  return {
    metric: 'deliveries/s', value: round(measured.perSecond), unit: 'deliveries/s',
    baseline: { name: 'undici + p-queue (200) → receiver', value: round(raw.perSecond), unit: 'req/s' },
    ratio: round(measured.perSecond / raw.perSecond, 2),
    target: 'ratio ≥ 0.30', met: measured.perSecond / raw.perSecond >= 0.3,
    details: { backlog: count, payload_bytes: Buffer.byteLength(MESSAGE_PAYLOAD), drain_seconds: round(measured.seconds, 2), server_cpu_ms_per_delivery: round(measured.cpuMsPerDelivery, 3), raw_failed: raw.failed, raw_before_after_per_s: [round(rawBefore.perSecond), round(rawAfter.perSecond)] },
  };
}

/**
 * Case 6: the same drain on a database holding `history` delivered messages (each with its
 * delivery and attempt) vs on an empty one, both measured in this case.
 */
export async function historyRate(ctx: CaseContext, history: number): Promise<Partial<CaseResult>> {
  const count = backlogSize(ctx);
  const empty = await preparedDatabase(ctx);
  const onEmpty = await drain(ctx, empty.url, empty.db, empty.target, count, 0, 90_000);
  await onEmpty.server.stop();
  const full = await preparedDatabase(ctx);
  const seedStarted = Date.now();
  await seedHistory(full.db, full.target, history, Date.now());
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  ctx.log(`seeded ${history} historical messages in ${seedSeconds.toFixed(1)} s`);
  const onFull = await drain(ctx, full.url, full.db, full.target, count, 0, 90_000);
  const ratio = onFull.perSecond / onEmpty.perSecond;
  return {
    metric: `deliveries/s with ${history.toLocaleString('en')} messages of history`, value: round(onFull.perSecond), unit: 'deliveries/s',
    baseline: { name: 'same drain on an empty database', value: round(onEmpty.perSecond), unit: 'deliveries/s' },
    ratio: round(ratio, 2),
    target: 'ratio ≥ 0.8', met: ratio >= 0.8,
    details: { backlog: count, history_messages: history, history_rows: history * 3, seed_seconds: round(seedSeconds, 1), cpu_ms_per_delivery_empty: round(onEmpty.cpuMsPerDelivery, 3), cpu_ms_per_delivery_history: round(onFull.cpuMsPerDelivery, 3) },
  };
}

/** Case 7: peak RSS of the server child while it drains a backlog of 100,000 deliveries. */
export async function backlogRss(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const count = Math.round(100_000 * ctx.options.scale);
  const { url, db, target, idleRssBytes } = await preparedDatabase(ctx);
  const measured = await drain(ctx, url, db, target, count, 0, 150_000);
  const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
  return {
    metric: `peak RSS draining ${count.toLocaleString('en')} deliveries`, value: mb(measured.peakRssBytes), unit: 'MB',
    baseline: { name: 'idle server RSS after start', value: mb(idleRssBytes), unit: 'MB' },
    ratio: null,
    target: 'peak RSS < 300 MB', met: measured.peakRssBytes < 300 * 1024 * 1024,
    details: { backlog: count, drain_per_s: round(measured.perSecond), drain_seconds: round(measured.seconds, 1), server_cpu_ms_per_delivery: round(measured.cpuMsPerDelivery, 3) },
  };
}
