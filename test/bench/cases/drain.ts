/**
 * Cases 3, 7 and 8: a backlog of pending deliveries (seeded through knex while no server runs)
 * drained by the real server child to the bare receiver. The rate is taken between the first
 * and the last arrival at the receiver, so process start-up is not counted.
 */
import type { Knex } from 'knex';
import { processCpuSeconds, type ServerChild } from '../children.js';
import { cpuSince, perUnit } from '../cpu.js';
import type { CaseResult } from '../result.js';
import { seedBacklog, seedHistory, type SeedTarget } from '../seed.js';
import { MESSAGE_PAYLOAD, createOutbound, dbProcess, forDialect, freshDatabase, round, serverOn, type CaseContext } from '../world.js';

interface Drain {
  delivered: number;
  perSecond: number;
  seconds: number;
  peakRssBytes: number;
  idleRssBytes: number;
  /** Server CPU per delivery, start-up included (a figure that holds on a busy machine). */
  cpuMsPerDelivery: number;
  /** mariadbd CPU per delivery from server start to the last arrival (null on SQLite). */
  dbCpuMsPerDelivery: number | null;
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

/**
 * Seeds `count` pending deliveries, starts the server and waits until the receiver saw them all
 * (with `partial`, until `timeoutMs` passed: what arrived by then is the result).
 */
async function drain(
  ctx: CaseContext,
  url: string,
  db: Knex,
  target: SeedTarget,
  count: number,
  from: number,
  timeoutMs: number,
  partial = false,
): Promise<Drain & { server: ServerChild }> {
  await seedBacklog(db, target, count, Date.now(), MESSAGE_PAYLOAD, from);
  await ctx.tools.receiver.call({ cmd: 'reset' });
  const dbCpu = cpuSince(dbProcess(ctx)?.pid);
  const server = await serverOn(ctx, url);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, server.memory().peak);
  }, 100);
  let stats: { count: number; first: number; last: number };
  try {
    stats = await ctx.tools.receiver.call({ cmd: 'waitFor', count, timeoutMs });
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, server.memory().peak);
  const cpuMsPerDelivery = (processCpuSeconds(server.process.pid as number) * 1000) / Math.max(1, stats.count);
  const dbCpuMsPerDelivery = perUnit(dbCpu(), stats.count);
  if (stats.count < count && !partial) throw new Error(`only ${stats.count} of ${count} deliveries arrived within ${timeoutMs / 1000} s`);
  const seconds = (stats.last - stats.first) / 1000;
  return {
    delivered: stats.count,
    perSecond: (stats.count - 1) / seconds,
    seconds,
    peakRssBytes: peak,
    idleRssBytes: 0,
    cpuMsPerDelivery,
    dbCpuMsPerDelivery,
    server,
  };
}

/** The raw baseline: undici + p-queue (DISPATCH_CONCURRENCY = 200) posting the payload straight to the receiver. */
async function rawUndici(ctx: CaseContext, count: number): Promise<{ perSecond: number; failed: number; cpuMsPerRequest: number }> {
  await ctx.tools.receiver.call({ cmd: 'reset' });
  const cpu = cpuSince(ctx.tools.sender.process.pid);
  const result = await ctx.tools.sender.call<{ perSecond: number; failed: number }>({
    cmd: 'burst',
    url: `${ctx.tools.receiverUrl}/`,
    headers: { 'content-type': 'application/json' },
    body: MESSAGE_PAYLOAD,
    count,
    concurrency: 200,
  });
  return { ...result, cpuMsPerRequest: (cpu() ?? 0) / count };
}

// 10,000 (20,000 before issue 12) keeps the run under 10 minutes; a drain still lasts ≥ 2 s at
// the ~5k deliveries/s of a quiet machine (rates are taken from first to last arrival)
const backlogSize = (ctx: CaseContext) => Math.round(10_000 * ctx.options.scale);

/** Case 3: deliveries/s draining a backlog vs raw undici + p-queue to the same receiver. */
export async function deliveries(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const count = backlogSize(ctx);
  const { url, db, target } = await preparedDatabase(ctx);
  // the raw baseline before and after the drain, averaged (the machine is shared)
  const rawBefore = await rawUndici(ctx, count);
  const measured = await drain(ctx, url, db, target, count, 0, 90_000);
  const rawAfter = await rawUndici(ctx, count);
  const raw = {
    perSecond: (rawBefore.perSecond + rawAfter.perSecond) / 2,
    failed: rawBefore.failed + rawAfter.failed,
    cpuMsPerRequest: (rawBefore.cpuMsPerRequest + rawAfter.cpuMsPerRequest) / 2,
  };
  const ratio = measured.perSecond / raw.perSecond;
  const goal = forDialect(ctx, { sqlite: 0.5, mysql: 0.4 });
  return {
    metric: 'drain deliveries/s',
    value: round(measured.perSecond),
    unit: 'deliveries/s',
    baseline: { name: 'undici + p-queue (200) → receiver', value: round(raw.perSecond), unit: 'req/s' },
    ratio: round(ratio, 2),
    headline: ratio.toFixed(2),
    target: `ratio ≥ ${goal.toFixed(2)}`,
    met: ratio >= goal,
    cpu: {
      per: 'delivery',
      server: round(measured.cpuMsPerDelivery, 3),
      db: measured.dbCpuMsPerDelivery,
      dbApprox: dbProcess(ctx)?.approx,
      baseline: round(raw.cpuMsPerRequest, 3),
    },
    details: {
      backlog: count,
      payload_bytes: Buffer.byteLength(MESSAGE_PAYLOAD),
      drain_seconds: round(measured.seconds, 2),
      server_cpu_ms_per_delivery: round(measured.cpuMsPerDelivery, 3),
      raw_failed: raw.failed,
      raw_before_after_per_s: [round(rawBefore.perSecond), round(rawAfter.perSecond)],
    },
  };
}

/**
 * Case 7: the same drain on a database holding `history` delivered messages (each with its
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
    headline: ratio.toFixed(2),
    cpu: {
      per: 'delivery',
      server: round(onFull.cpuMsPerDelivery, 3),
      db: onFull.dbCpuMsPerDelivery,
      dbApprox: dbProcess(ctx)?.approx,
      baseline: round(onEmpty.cpuMsPerDelivery, 3),
      baselineDb: onEmpty.dbCpuMsPerDelivery,
    },
    metric: `deliveries/s with ${history.toLocaleString('en')} messages of history`,
    value: round(onFull.perSecond),
    unit: 'deliveries/s',
    baseline: { name: 'same drain on an empty database', value: round(onEmpty.perSecond), unit: 'deliveries/s' },
    ratio: round(ratio, 2),
    target: 'ratio ≥ 0.9',
    met: ratio >= 0.9,
    details: {
      backlog: count,
      history_messages: history,
      history_rows: history * 3,
      seed_seconds: round(seedSeconds, 1),
      cpu_ms_per_delivery_empty: round(onEmpty.cpuMsPerDelivery, 3),
      cpu_ms_per_delivery_history: round(onFull.cpuMsPerDelivery, 3),
    },
  };
}

/**
 * Case 8: peak RSS (the kernel's VmHWM) of the server child while it drains a backlog of 100,000
 * deliveries, for at most 30 s: that drains all of it at a quiet machine's ~4–5k/s; on a busy
 * one the backlog is still ≥ half there when the time is up (the figure says how many arrived).
 */
export async function backlogRss(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const count = Math.round(100_000 * ctx.options.scale);
  const { url, db, target, idleRssBytes } = await preparedDatabase(ctx);
  const measured = await drain(ctx, url, db, target, count, 0, 30_000, true);
  const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
  const all = measured.delivered >= count;
  return {
    metric: `peak RSS with a ${count.toLocaleString('en')}-delivery backlog (${all ? 'all' : measured.delivered.toLocaleString('en')} delivered${all ? '' : ' in 30 s'})`,
    value: mb(measured.peakRssBytes),
    unit: 'MB',
    baseline: { name: 'idle server RSS after start', value: mb(idleRssBytes), unit: 'MB' },
    ratio: null,
    headline: `${mb(measured.peakRssBytes)} MB`,
    target: 'peak RSS < 200 MB',
    met: measured.peakRssBytes < 200 * 1024 * 1024,
    cpu: {
      per: 'delivery',
      server: round(measured.cpuMsPerDelivery, 3),
      db: measured.dbCpuMsPerDelivery,
      dbApprox: dbProcess(ctx)?.approx,
    },
    details: {
      backlog: count,
      delivered: measured.delivered,
      drain_per_s: round(measured.perSecond),
      drain_seconds: round(measured.seconds, 1),
      server_cpu_ms_per_delivery: round(measured.cpuMsPerDelivery, 3),
    },
  };
}
