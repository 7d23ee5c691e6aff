/**
 * Cases 1 and 9: requests accepted per second under autocannon (64 connections, 1 KiB JSON),
 * next to the bare Koa route answering 202 measured right before and after on the same machine,
 * with the CPU the server (and mariadbd) spent per request.
 */
import type { Knex } from 'knex';
import type { LoadResult } from '../workers/autocannon.js';
import { BENCH_ADMIN_KEY, type ServerChild } from '../children.js';
import { cpuSince, perUnit } from '../cpu.js';
import type { CaseResult } from '../result.js';
import { MESSAGE_BODY, apiHeaders, dbProcess, forDialect, freshDatabase, round, serverOn, type CaseContext } from '../world.js';

export const CONNECTIONS = 64;

/** Rows of `table` (optionally where `where`), as a number on both dialects. */
export async function countRows(db: Knex, table: string, where: Record<string, string> = {}): Promise<number> {
  return Number(((await db(table).where(where).count({ n: '*' }).first()) as { n: number | string }).n);
}

export type Measured = LoadResult & {
  cpuMsPerRequest: number;
  dbCpuMsPerRequest: number | null;
  accepted: number;
  acceptedPerSecond: number;
};

/**
 * Polls `count` every 150 ms until two readings agree (at most 5 s): the requests autocannon
 * left in flight when its time was up are still being committed after it returns.
 */
export async function settled(count: () => Promise<number>): Promise<number> {
  let last = await count();
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = await count();
    if (now === last) break;
    last = now;
  }
  return last;
}

/**
 * One autocannon run against `url`, with the CPU time the serving process (`pid`) and the
 * database process (`dbPid`, if any) spent per accepted request: figures that stay comparable
 * when other work shares the machine. With `stored` (rows the server committed, e.g. messages
 * of the app), CPU is read once that count settled and divided by its increase, which includes
 * the requests autocannon left in flight (it does not count them).
 */
export async function load(
  ctx: CaseContext,
  pid: number,
  url: string,
  headers: Record<string, string>,
  body: string,
  dbPid: number | null = null,
  seconds = ctx.options.seconds,
  stored?: () => Promise<number>,
): Promise<Measured> {
  const storedBefore = stored ? await stored() : 0;
  const cpu = cpuSince(pid);
  const dbCpu = cpuSince(dbPid);
  const result = await ctx.tools.load.call<LoadResult>({
    cmd: 'run',
    url,
    method: 'POST',
    headers,
    body,
    connections: CONNECTIONS,
    seconds,
  });
  const accepted = stored ? (await settled(stored)) - storedBefore : result.total - result.non2xx - result.errors;
  return {
    ...result,
    accepted,
    acceptedPerSecond: result.requestsPerSecond * ((result.total - result.non2xx - result.errors) / Math.max(1, result.total)),
    cpuMsPerRequest: (cpu() ?? 0) / Math.max(1, accepted),
    dbCpuMsPerRequest: perUnit(dbCpu(), accepted),
  };
}

/**
 * The bare route measured before and after the Dispatch run, averaged: the machine is shared, and
 * bracketing the measurement keeps a load change during the case from skewing the ratio.
 */
async function bareAround(
  ctx: CaseContext,
  measure: () => Promise<Measured[]>,
): Promise<{ bare: Measured; measured: Measured[]; spread: number[] }> {
  const bareLoad = () =>
    load(ctx, ctx.tools.bareKoa.process.pid as number, ctx.tools.bareKoaUrl, { 'content-type': 'application/json' }, MESSAGE_BODY);
  const before = await bareLoad();
  const measured = await measure();
  const after = await bareLoad();
  const mean = (pick: (m: Measured) => number) => (pick(before) + pick(after)) / 2;
  const bare: Measured = {
    ...after,
    requestsPerSecond: mean((m) => m.requestsPerSecond),
    acceptedPerSecond: mean((m) => m.acceptedPerSecond),
    total: before.total + after.total,
    cpuMsPerRequest: mean((m) => m.cpuMsPerRequest),
  };
  return { bare, measured, spread: [round(before.requestsPerSecond), round(after.requestsPerSecond)] };
}

function summary(result: Measured) {
  return {
    per_s: round(result.acceptedPerSecond),
    total: result.total,
    non2xx: result.non2xx,
    errors: result.errors,
    p50_ms: result.p50,
    p99_ms: result.p99,
    cpu_ms_per_request: round(result.cpuMsPerRequest, 3),
    db_cpu_ms_per_request: result.dbCpuMsPerRequest,
  };
}

/** One accept-style load: what is posted, what it stores, and the target against the bare route. */
interface AcceptLoad {
  metric: string;
  unit: string;
  per: string;
  url: string;
  headers: Record<string, string>;
  /** The table one accepted request adds a row to (counted to know what was stored). */
  table: 'messages' | 'events';
  /** The target ratio to the bare Koa route, or null when none is set. */
  goal: number | null;
}

/** Loads `spec.url` between two bare Koa runs and reports the rate as a ratio to the bare route. */
async function againstBareKoa(ctx: CaseContext, db: Knex, server: ServerChild, spec: AcceptLoad): Promise<Partial<CaseResult>> {
  const dbp = dbProcess(ctx);
  const count = () => countRows(db, spec.table);
  const {
    bare,
    measured: [dispatch],
    spread,
  } = await bareAround(ctx, async () => [
    await load(ctx, server.process.pid as number, spec.url, spec.headers, MESSAGE_BODY, dbp?.pid ?? null, ctx.options.seconds, count),
  ]);
  const stored = await count();
  const ratio = dispatch.acceptedPerSecond / bare.requestsPerSecond;
  return {
    metric: spec.metric,
    value: round(dispatch.acceptedPerSecond),
    unit: spec.unit,
    baseline: { name: 'bare Koa 202 route', value: round(bare.requestsPerSecond), unit: 'req/s' },
    ratio: round(ratio, 2),
    headline: ratio.toFixed(2),
    target: spec.goal === null ? 'none set' : `ratio ≥ ${spec.goal.toFixed(2)}`,
    met: spec.goal === null ? null : ratio >= spec.goal,
    cpu: {
      per: spec.per,
      server: round(dispatch.cpuMsPerRequest, 3),
      db: dispatch.dbCpuMsPerRequest,
      dbApprox: dbp?.approx,
      baseline: round(bare.cpuMsPerRequest, 3),
    },
    details: {
      cpu_ratio: round(bare.cpuMsPerRequest / dispatch.cpuMsPerRequest, 2),
      connections: CONNECTIONS,
      body_bytes: Buffer.byteLength(MESSAGE_BODY),
      dispatch: summary(dispatch),
      bare: { ...summary(bare), before_after_per_s: spread },
      [`${spec.table}_stored`]: stored,
    },
  };
}

/**
 * Case 1: `POST /apps/{app}/messages` for a recipient with no matching endpoint (message rows
 * only: the accept path without fan-out or delivery work; the dispatcher runs as in `npm start`).
 * Accepting with one endpoint and delivering at once is case 2.
 */
export async function acceptNoEndpoint(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const { url, db } = await freshDatabase(ctx);
  const server = await serverOn(ctx, url);
  const quiet = await server.api('POST', '/apps', { name: 'quiet' });
  await server.api('POST', `/apps/${quiet.id}/event-types`, { name: 'invoice.paid' });
  await server.api('POST', `/apps/${quiet.id}/recipients`, { uid: 'nobody' });
  return againstBareKoa(ctx, db, server, {
    metric: 'accepted msg/s, no matching endpoint',
    unit: 'msg/s',
    per: 'msg',
    url: `${server.url}/api/v1/apps/${quiet.id}/messages`,
    headers: apiHeaders(BENCH_ADMIN_KEY),
    table: 'messages',
    goal: forDialect(ctx, { sqlite: 0.3, mysql: 0.2 }),
  });
}

/** Case 9: `POST /in/{token}` of a store-only source (no verification, no destination). */
export async function ingestEvents(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const { url, db } = await freshDatabase(ctx);
  const server = await serverOn(ctx, url);
  const source = await server.api('POST', '/sources', { name: 'bench' });
  return againstBareKoa(ctx, db, server, {
    metric: 'ingested events/s',
    unit: 'events/s',
    per: 'event',
    url: `${server.url}${new URL(source.ingest_url as string).pathname}`,
    headers: { 'content-type': 'application/json' },
    table: 'events',
    goal: null,
  });
}
