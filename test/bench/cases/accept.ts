/**
 * Cases 1 and 5: requests accepted per second under autocannon (64 connections, 1 KiB JSON),
 * next to the bare Koa route answering 202 measured right before on the same machine.
 */
import type { LoadResult } from '../workers/autocannon.js';
import { BENCH_ADMIN_KEY, processCpuSeconds } from '../children.js';
import type { CaseResult } from '../result.js';
import { MESSAGE_BODY, apiHeaders, createOutbound, freshDatabase, round, serverOn, type CaseContext } from '../world.js';

const CONNECTIONS = 64;

type Measured = LoadResult & { cpuMsPerRequest: number };

/**
 * One autocannon run against `url`, with the CPU time the serving process (`pid`) spent per
 * request: a figure that stays comparable when other work shares the machine.
 */
async function load(ctx: CaseContext, pid: number, url: string, headers: Record<string, string>, body: string): Promise<Measured> {
  const cpuBefore = processCpuSeconds(pid);
  const result = await ctx.tools.load.call<LoadResult>({ cmd: 'run', url, method: 'POST', headers, body, connections: CONNECTIONS, seconds: ctx.options.seconds });
  return { ...result, cpuMsPerRequest: ((processCpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, result.total) };
}

/**
 * The bare route measured before and after the Dispatch run, averaged: the machine is shared, and
 * bracketing the measurement keeps a load change during the case from skewing the ratio.
 */
async function bareAround(ctx: CaseContext, measure: () => Promise<Measured[]>): Promise<{ bare: Measured; measured: Measured[]; spread: number[] }> {
  const bareLoad = () => load(ctx, ctx.tools.bareKoa.process.pid as number, ctx.tools.bareKoaUrl, { 'content-type': 'application/json' }, MESSAGE_BODY);
  const before = await bareLoad();
  const measured = await measure();
  const after = await bareLoad();
  const mean = (pick: (m: Measured) => number) => (pick(before) + pick(after)) / 2;
  const bare: Measured = { ...after, requestsPerSecond: mean((m) => m.requestsPerSecond), total: before.total + after.total, cpuMsPerRequest: mean((m) => m.cpuMsPerRequest) };
  return { bare, measured, spread: [round(before.requestsPerSecond), round(after.requestsPerSecond)] };
}

function summary(result: Measured) {
  return { per_s: round(result.requestsPerSecond), total: result.total, non2xx: result.non2xx, errors: result.errors, p50_ms: result.p50, p99_ms: result.p99, cpu_ms_per_request: round(result.cpuMsPerRequest, 3) };
}

/** Case 1: `POST /apps/{app}/messages` (one matching endpoint, dispatcher running as in `npm start`). */
export async function acceptedMessages(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const { url, db } = await freshDatabase(ctx);
  const server = await serverOn(ctx, url);
  const target = await createOutbound(server, db, ctx.tools.receiverUrl);
  // the same accept path for an app whose recipient has no endpoint: message rows only, no
  // delivery work competing for the CPU (shows what the dispatcher's share costs case 1)
  const quiet = await server.api('POST', '/apps', { name: 'quiet' });
  await server.api('POST', `/apps/${quiet.id}/event-types`, { name: 'invoice.paid' });
  await server.api('POST', `/apps/${quiet.id}/recipients`, { uid: 'nobody' });
  await ctx.tools.receiver.call({ cmd: 'reset' });
  const { bare, measured: [acceptOnly, dispatch], spread } = await bareAround(ctx, async () => [
    await load(ctx, server.process.pid as number, `${server.url}/api/v1/apps/${quiet.id}/messages`, apiHeaders(BENCH_ADMIN_KEY), MESSAGE_BODY),
    await load(ctx, server.process.pid as number, `${server.url}/api/v1/apps/${target.appId}/messages`, apiHeaders(BENCH_ADMIN_KEY), MESSAGE_BODY),
  ]);
  const stored = Number(((await db('messages').count({ n: '*' }).first()) as { n: number | string }).n);
  const accepted = dispatch.total - dispatch.non2xx - dispatch.errors;
  const perSecond = dispatch.requestsPerSecond * (accepted / Math.max(1, dispatch.total));
  return {
    metric: 'accepted msg/s', value: round(perSecond), unit: 'msg/s',
    baseline: { name: 'bare Koa 202 route', value: round(bare.requestsPerSecond), unit: 'req/s' },
    ratio: round(perSecond / bare.requestsPerSecond, 2),
    target: 'ratio ≥ 0.40', met: perSecond / bare.requestsPerSecond >= 0.4,
    details: { cpu_ratio: round(bare.cpuMsPerRequest / dispatch.cpuMsPerRequest, 2), connections: CONNECTIONS, body_bytes: Buffer.byteLength(MESSAGE_BODY), dispatch: summary(dispatch), bare: { ...summary(bare), before_after_per_s: spread }, accept_only_no_endpoint: { ...summary(acceptOnly), ratio: round(acceptOnly.requestsPerSecond / bare.requestsPerSecond, 2) }, messages_stored: stored, delivered_meanwhile: (await ctx.tools.receiver.call<{ count: number }>({ cmd: 'stats' })).count },
  };
}

/** Case 5: `POST /in/{token}` of a store-only source (no verification, no destination). */
export async function ingestEvents(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const { url, db } = await freshDatabase(ctx);
  const server = await serverOn(ctx, url);
  const source = await server.api('POST', '/sources', { name: 'bench' });
  const token = new URL(source.ingest_url as string).pathname;
  const { bare, measured: [dispatch], spread } = await bareAround(ctx, async () => [
    await load(ctx, server.process.pid as number, `${server.url}${token}`, { 'content-type': 'application/json' }, MESSAGE_BODY),
  ]);
  const stored = Number(((await db('events').count({ n: '*' }).first()) as { n: number | string }).n);
  const accepted = dispatch.total - dispatch.non2xx - dispatch.errors;
  const perSecond = dispatch.requestsPerSecond * (accepted / Math.max(1, dispatch.total));
  return {
    metric: 'ingested events/s', value: round(perSecond), unit: 'events/s',
    baseline: { name: 'bare Koa 202 route', value: round(bare.requestsPerSecond), unit: 'req/s' },
    ratio: round(perSecond / bare.requestsPerSecond, 2),
    target: 'ratio ≥ 0.40 (case 1\'s; the issue sets none)', met: perSecond / bare.requestsPerSecond >= 0.4,
    details: { cpu_ratio: round(bare.cpuMsPerRequest / dispatch.cpuMsPerRequest, 2), connections: CONNECTIONS, body_bytes: Buffer.byteLength(MESSAGE_BODY), dispatch: summary(dispatch), bare: { ...summary(bare), before_after_per_s: spread }, events_stored: stored },
  };
}
