/**
 * Ingest throughput: events/s accepted by `POST /in/:token` on SQLite and (with TEST_MYSQL_URL)
 * MariaDB/MySQL, measured with autocannon against a real server on loopback.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test \
 *     node --import=./node_modules/@tapjs/typescript/dist/esm/import.mjs test/bench/ingest-throughput.ts [seconds=10] [connections=50]
 *   (or after `npm run build`: node dist/test/bench/ingest-throughput.js)
 *
 * Scenarios: GET /healthz as a baseline of what the machine gives right now, a store-only source
 * without verification, and one verifying a GitHub signature with dedupe by delivery header
 * (every request a new key, so each takes the dedupe lock path). "server CPU ms/req" is CPU
 * time of the server process per request, which stays meaningful on a busy machine.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config/index.js';
import { createDb, migrate } from '../../db/index.js';
import { createApp } from '../../server/app.js';
import { bootstrapDefaultWorkspace } from '../../server/bootstrap.js';
import { createRuntime } from '../../server/runtime.js';
import { createLogger } from '../../server/logger.js';
import { createTestDatabase, testDialects, type Dialect } from '../helpers/databases.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));

/** Load generator run in a child process so it does not share the server's event loop. */
const RUNNER = `
const autocannon = require(process.argv[1]);
const opts = JSON.parse(process.argv[2]);
let n = 0;
// a fresh value per request in the unique header (dedupe keys never repeat)
opts.requests = [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, [opts.uniqueHeader]: 'd-' + process.pid + '-' + (++n) } }) }];
autocannon(opts).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });
`;

function autocannon(url: string, headers: Record<string, string>, payload: string | undefined, method = 'POST'): Promise<AutocannonResult> {
  const options = { url, method, connections, duration: seconds, headers, body: payload, uniqueHeader: 'x-github-delivery' };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', RUNNER, AUTOCANNON, JSON.stringify(options)], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(new Error(`autocannon runner failed: ${error.message}`, { cause: error }));
      else resolve(JSON.parse(stdout) as AutocannonResult);
    });
  });
}

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);
const body = JSON.stringify({
  type: 'invoice.paid',
  data: { object: { id: 'in_1NirD82eZvKYlo2C', amount_paid: 4200, currency: 'eur', lines: [1, 2, 3] } },
});

const ADMIN_KEY = 'rlk_bench_admin_key_0123456789abcdef';

/**
 * A server built the way `npm start` builds it (server/index.ts): default pool size, background
 * workers running, log level warn, on a fresh private database.
 */
async function startBenchServer(dialect: Dialect) {
  const database = await createTestDatabase(dialect);
  const config = loadConfig({ DATABASE_URL: database.url, DISPATCH_ADMIN_KEY: ADMIN_KEY, DISPATCH_LOG_LEVEL: 'warn' });
  const db = createDb({ databaseUrl: config.databaseUrl });
  await migrate(db);
  await bootstrapDefaultWorkspace(db, ADMIN_KEY, Date.now());
  const deps = createRuntime({ config, db, logger: createLogger(config.logLevel), migrated: true });
  const http = createApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => http.once('listening', resolve));
  deps.startWorkers();
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    db,
    async createSource(body: unknown): Promise<{ id: string; ingestUrl: string }> {
      const response = await fetch(`${url}/api/v1/sources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const created = (await response.json()) as { data: { id: string; ingest_url: string } };
      return { id: created.data.id, ingestUrl: created.data.ingest_url.replace(config.publicUrl, url) };
    },
    async close() {
      await deps.stopWorkers(1000);
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await deps.close();
      await database.drop();
    },
  };
}

async function measure(dialect: Dialect, scenario: 'healthz (baseline)' | 'store-only' | 'github+dedupe') {
  const server = await startBenchServer(dialect);
  try {
    const secret = 'bench-secret';
    const sourceBody =
      scenario === 'store-only'
        ? { name: 'bench' }
        : { name: 'bench', verification: { type: 'github', secret }, dedupe: { key: 'header:x-github-delivery', window: '1h' } };
    const source = await server.createSource(sourceBody);
    const url = source.ingestUrl;
    const signature = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
    const cpuBefore = process.cpuUsage();
    const result =
      scenario === 'healthz (baseline)'
        ? await autocannon(`${server.url}/healthz`, {}, undefined, 'GET')
        : await autocannon(url, { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body);
    const cpu = process.cpuUsage(cpuBefore);
    const stored = await server.db('events').where({ source_id: source.id }).count({ n: '*' }).first();
    // CPU the server process spent per request: a figure that holds even on a busy machine
    const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total);
    return {
      dialect,
      scenario,
      'req/s': Math.round(result.requests.average),
      total: result.requests.total,
      stored: Number(stored?.n ?? 0),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      'server CPU ms/req': Number(cpuMsPerRequest.toFixed(3)),
      'req/s per server core': Math.round(1000 / cpuMsPerRequest),
      non2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    await server.close();
  }
}

const rows = [];
for (const dialect of testDialects()) {
  for (const scenario of ['healthz (baseline)', 'store-only', 'github+dedupe'] as const) rows.push(await measure(dialect, scenario));
}
console.table(rows);
const load = (await import('node:os')).loadavg()[0].toFixed(1);
console.log(
  `load average ${load} on ${(await import('node:os')).cpus().length} cores; ${seconds} s per scenario, ${connections} connections, ${Buffer.byteLength(body)}-byte JSON body, Node ${process.version}`,
);
