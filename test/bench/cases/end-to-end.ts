/**
 * Case 2: end to end — messages accepted and delivered at once (1 endpoint at the bench
 * receiver) under 64 autocannon connections for `--seconds`, on Dispatch and on the DIY BullMQ
 * peer (test/bench/peers/bullmq-peer.ts on its own redis-server with AOF everysec), measured
 * peer → Dispatch → peer in the same case so a load change on the shared machine shows.
 *
 * Deliveries/s = deliveries that reached the receiver / (last arrival − load start): a system
 * that accepts faster than it delivers is charged for the backlog it leaves behind. CPU per
 * message = CPU of the app process (Dispatch or the peer) and of its store (mariadbd,
 * redis-server; SQLite is in-process) over load and drain, divided by accepted messages.
 */
import { randomBytes } from 'node:crypto';
import { BENCH_ADMIN_KEY, startWorker } from '../children.js';
import { cpuSince, perUnit } from '../cpu.js';
import { startRedis } from '../redis.js';
import type { CaseResult } from '../result.js';
import { preciseNow } from '../workers/ipc.js';
import type { LoadResult } from '../workers/autocannon.js';
import {
  MESSAGE_BODY,
  apiHeaders,
  createOutbound,
  dbProcess,
  forDialect,
  freshDatabase,
  round,
  serverOn,
  type CaseContext,
} from '../world.js';
import { CONNECTIONS, settled } from './accept.js';

interface EndToEnd {
  accepted: number;
  acceptedPerSecond: number;
  delivered: number;
  deliveredPerSecond: number;
  /** Seconds from the end of the load to the last delivery (the backlog left behind). */
  tailSeconds: number;
  appCpuMsPerMsg: number | null;
  storeCpuMsPerMsg: number | null;
  p99AcceptMs: number;
  non2xx: number;
}

async function endToEnd(ctx: CaseContext, url: string, appPid: number, storePid: number | null): Promise<EndToEnd> {
  await ctx.tools.receiver.call({ cmd: 'reset' });
  const app = cpuSince(appPid);
  const store = cpuSince(storePid);
  const started = preciseNow();
  const result = await ctx.tools.load.call<LoadResult>({
    cmd: 'run',
    url,
    method: 'POST',
    headers: apiHeaders(BENCH_ADMIN_KEY),
    body: MESSAGE_BODY,
    connections: CONNECTIONS,
    seconds: ctx.options.seconds,
  });
  const loadEnded = preciseNow();
  const accepted = result.total - result.non2xx - result.errors;
  type Stats = { count: number; first: number; last: number };
  const reached = await ctx.tools.receiver.call<Stats>({ cmd: 'waitFor', count: accepted, timeoutMs: 90_000 });
  if (reached.count < accepted)
    throw new Error(`only ${reached.count} of ${accepted} accepted messages were delivered within 90 s of the load's end`);
  // the requests autocannon left in flight were accepted too (it does not count them): wait
  // until their deliveries arrived, and count every delivered message as work done
  let stats = reached;
  await settled(async () => (stats = await ctx.tools.receiver.call<Stats>({ cmd: 'stats' })).count);
  const appMs = app();
  const storeMs = store();
  const messages = Math.max(accepted, stats.count);
  return {
    accepted: messages,
    acceptedPerSecond: result.requestsPerSecond * (accepted / Math.max(1, result.total)),
    delivered: stats.count,
    deliveredPerSecond: stats.count / ((stats.last - started) / 1000),
    tailSeconds: Math.max(0, (stats.last - loadEnded) / 1000),
    appCpuMsPerMsg: perUnit(appMs, messages),
    storeCpuMsPerMsg: perUnit(storeMs, messages),
    p99AcceptMs: result.p99,
    non2xx: result.non2xx + result.errors,
  };
}

const summary = (m: EndToEnd) => ({
  accepted_per_s: round(m.acceptedPerSecond),
  delivered_per_s: round(m.deliveredPerSecond),
  accepted: m.accepted,
  delivered: m.delivered,
  tail_s: round(m.tailSeconds, 2),
  app_cpu_ms_per_msg: m.appCpuMsPerMsg,
  store_cpu_ms_per_msg: m.storeCpuMsPerMsg,
  accept_p99_ms: m.p99AcceptMs,
  non2xx_or_errors: m.non2xx,
});

export async function endToEndVsBullmq(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const { url, db } = await freshDatabase(ctx);
  ctx.scope.assertOpen();
  const redis = await startRedis();
  ctx.scope.defer(() => redis.stop());
  const peer = await startWorker('../peers/bullmq-peer');
  ctx.scope.defer(async () => {
    await peer.call({ cmd: 'stop' }).catch(() => {});
    await peer.stop();
  });
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const peerUrl = (
    await peer.call<{ url: string }>({
      cmd: 'start',
      redisPort: redis.port,
      endpointUrl: `${ctx.tools.receiverUrl}/`,
      secret,
      apiKey: BENCH_ADMIN_KEY,
      concurrency: 100,
    })
  ).url;
  const server = await serverOn(ctx, url);
  const target = await createOutbound(server, db, ctx.tools.receiverUrl);
  const dbp = dbProcess(ctx);

  const peerRun = () => endToEnd(ctx, `${peerUrl}/messages`, peer.process.pid as number, redis.pid);
  const before = await peerRun();
  const dispatch = await endToEnd(
    ctx,
    `${server.url}/api/v1/apps/${target.appId}/messages`,
    server.process.pid as number,
    dbp?.pid ?? null,
  );
  const after = await peerRun();
  const mean = (pick: (m: EndToEnd) => number | null) => {
    const [a, b] = [pick(before), pick(after)];
    return a === null || b === null ? null : (a + b) / 2;
  };
  const peerDelivered = mean((m) => m.deliveredPerSecond) as number;
  const ratio = dispatch.deliveredPerSecond / peerDelivered;
  const goal = forDialect(ctx, { sqlite: 1.5, mysql: 1.0 });
  const stats = await peer.call<{ completed: number; failed: number }>({ cmd: 'stats' });
  return {
    metric: 'end-to-end deliveries/s, 1 endpoint',
    value: round(dispatch.deliveredPerSecond),
    unit: 'deliveries/s',
    baseline: {
      name: `DIY BullMQ peer (Redis AOF everysec), accepts ${round(mean((m) => m.acceptedPerSecond) as number)}/s`,
      value: round(peerDelivered),
      unit: 'deliveries/s',
    },
    ratio: round(ratio, 2),
    headline: `${ratio.toFixed(2)}×`,
    target: `ratio ≥ ${goal.toFixed(1)}`,
    met: ratio >= goal,
    cpu: {
      per: 'msg',
      server: dispatch.appCpuMsPerMsg,
      db: dispatch.storeCpuMsPerMsg,
      dbApprox: dbp?.approx,
      baseline: mean((m) => m.appCpuMsPerMsg) === null ? null : round(mean((m) => m.appCpuMsPerMsg) as number, 3),
      baselineDb: mean((m) => m.storeCpuMsPerMsg) === null ? null : round(mean((m) => m.storeCpuMsPerMsg) as number, 3),
    },
    details: {
      connections: CONNECTIONS,
      seconds: ctx.options.seconds,
      body_bytes: Buffer.byteLength(MESSAGE_BODY),
      dispatch: summary(dispatch),
      dispatch_accepted_per_s: round(dispatch.acceptedPerSecond),
      peer_before: summary(before),
      peer_after: summary(after),
      peer_jobs: stats,
      peer_concurrency: 100,
    },
  };
}
