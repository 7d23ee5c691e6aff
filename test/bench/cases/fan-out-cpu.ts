/**
 * Case 5: server CPU per fan-out delivery row at accept. The same load (64 connections, 1 KiB
 * message) is sent to an app whose recipient has 1 endpoint and to one whose recipient has 100;
 * (CPU ms/msg with 100 − with 1) / 99 is what each extra delivery row costs the accepting
 * process (and mariadbd). So that no delivery CPU mixes into the figure, the endpoints point
 * at a loopback server that accepts connections and never answers, and this case's server runs
 * with DISPATCH_CONCURRENCY=1 and a 120 s request timeout: its dispatcher holds one attempt in
 * flight and does nothing else while the rows pile up (disabled endpoints would not do: their rows are stored `held`, CONTRACT §8.2, and never attempted).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { BENCH_ADMIN_KEY } from '../children.js';
import type { CaseResult } from '../result.js';
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
import { countRows, load, type Measured } from './accept.js';

const WIDE = 100;

export async function fanOutRowCpu(ctx: CaseContext): Promise<Partial<CaseResult>> {
  const { url, db } = await freshDatabase(ctx);
  ctx.scope.assertOpen();
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  ctx.scope.defer(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  const server = await serverOn(ctx, url, { DISPATCH_CONCURRENCY: '1', DISPATCH_REQUEST_TIMEOUT: '120s' });
  // runs before the server stops: its one attempt then fails at once instead of holding shutdown
  ctx.scope.defer(() => {
    for (const socket of sockets) socket.destroy();
  });
  const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const one = await createOutbound(server, db, silentUrl, 1, { uid: 'one' });
  const wide = await createOutbound(server, db, silentUrl, WIDE, { uid: 'wide' });
  const dbp = dbProcess(ctx);
  const seconds = Math.max(3, Math.round(ctx.options.seconds * 0.6));
  const run = (appId: string) =>
    load(
      ctx,
      server.process.pid as number,
      `${server.url}/api/v1/apps/${appId}/messages`,
      apiHeaders(BENCH_ADMIN_KEY),
      MESSAGE_BODY,
      dbp?.pid ?? null,
      seconds,
      () => countRows(db, 'messages', { app_id: appId }),
    );
  const single: Measured = await run(one.appId);
  const fanned: Measured = await run(wide.appId);
  const rows = await countRows(db, 'deliveries');
  const expectedRows = single.accepted + fanned.accepted * WIDE;
  const usPerRow = ((fanned.cpuMsPerRequest - single.cpuMsPerRequest) / (WIDE - 1)) * 1000;
  const dbUsPerRow =
    fanned.dbCpuMsPerRequest === null || single.dbCpuMsPerRequest === null
      ? null
      : ((fanned.dbCpuMsPerRequest - single.dbCpuMsPerRequest) / (WIDE - 1)) * 1000;
  const goal = forDialect(ctx, { sqlite: 8, mysql: 10 });
  return {
    metric: 'server CPU per fan-out delivery row at accept',
    value: round(usPerRow, 1),
    unit: 'µs/row',
    baseline: {
      name: `server CPU per msg, 1 endpoint → ${WIDE}`,
      value: round(single.cpuMsPerRequest, 2),
      unit: `ms → ${round(fanned.cpuMsPerRequest, 2)} ms`,
    },
    ratio: null,
    headline: `${usPerRow.toFixed(1)} µs`,
    target: `≤ ${goal} µs/row`,
    met: usPerRow <= goal && rows === expectedRows,
    cpu: {
      per: 'row',
      unit: 'µs',
      server: round(usPerRow, 1),
      db: dbUsPerRow === null ? null : round(dbUsPerRow, 1),
      dbApprox: dbp?.approx,
    },
    details: {
      seconds_each: seconds,
      one_endpoint: {
        per_s: round(single.acceptedPerSecond),
        cpu_ms_per_msg: round(single.cpuMsPerRequest, 3),
        db_cpu_ms_per_msg: single.dbCpuMsPerRequest,
      },
      hundred_endpoints: {
        per_s: round(fanned.acceptedPerSecond),
        cpu_ms_per_msg: round(fanned.cpuMsPerRequest, 3),
        db_cpu_ms_per_msg: fanned.dbCpuMsPerRequest,
        rows_per_s: round(fanned.acceptedPerSecond * WIDE),
      },
      delivery_rows: rows,
      expected_rows: expectedRows,
      db_us_per_row: dbUsPerRow === null ? null : round(dbUsPerRow, 1),
    },
  };
}
