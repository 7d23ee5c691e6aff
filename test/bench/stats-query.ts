/**
 * How long GET /api/v1/stats takes to compute with a long history (issue 16: ≤ 20 ms with 1M
 * messages). Seeds one workspace with HISTORY messages spread over the last HISTORY_HOURS, each
 * with one delivery (1 % failed, 0.1 % pending, the rest succeeded) and one attempt, plus an
 * ingest source with one event per 20 messages, on SQLite and (with TEST_MYSQL_URL) on MariaDB;
 * then times readWorkspaceStats, the whole computation behind the route.
 *
 *   TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test npx tsx test/bench/stats-query.ts [messages]
 */
import { loadavg } from 'node:os';
import { createDb, isMysql, migrate, type Db } from '../../db/index.js';
import { newId } from '../../db/ids.js';
import { readWorkspaceStats } from '../../db/queries/stats.js';
import { bootstrapDefaultWorkspace } from '../../server/bootstrap.js';
import { createTestDatabase, testDialects, type Dialect } from '../helpers/databases.js';

const HISTORY = Number(process.argv[2] ?? 1_000_000);
const HISTORY_HOURS = 24;
// SQLite caps a compound SELECT (knex's multi-row insert there) at 500 terms
const batchSize = (db: Db) => (isMysql(db) ? 2_000 : 400);
const RUNS = 50;

async function insertBatches(db: Db, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const size = batchSize(db);
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += size) await tx(table).insert(rows.slice(i, i + size));
  });
}

async function seed(db: Db, workspaceId: string, now: number): Promise<void> {
  const appId = newId('app', now - HISTORY_HOURS * 3_600_000);
  await db('apps').insert({
    id: appId,
    workspace_id: workspaceId,
    name: 'bench',
    uid: null,
    metadata: '{}',
    created_at: now,
    updated_at: now,
  });
  const recipientId = newId('rcp', now);
  await db('recipients').insert({
    id: recipientId,
    workspace_id: workspaceId,
    app_id: appId,
    uid: null,
    name: null,
    metadata: '{}',
    created_at: now,
    updated_at: now,
  });
  const endpointId = newId('ep', now);
  await db('endpoints').insert({
    id: endpointId,
    workspace_id: workspaceId,
    app_id: appId,
    recipient_id: recipientId,
    url: 'https://hooks.example.com/',
    event_types: '[]',
    headers: '{}',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    disabled: false,
    created_at: now,
    updated_at: now,
  });
  const sourceId = newId('src', now);
  await db('sources').insert({
    id: sourceId,
    workspace_id: workspaceId,
    name: 'bench',
    token: newId('src', now),
    verification: '{"type":"none"}',
    allowed_methods: '["POST"]',
    forward_secret: 'whsec_x',
    created_at: now,
    updated_at: now,
  });
  const span = HISTORY_HOURS * 3_600_000;
  const started = Date.now();
  for (let chunk = 0; chunk < HISTORY; chunk += 20_000) {
    const messages = [];
    const deliveries = [];
    const attempts = [];
    const events = [];
    for (let i = chunk; i < Math.min(HISTORY, chunk + 20_000); i++) {
      const at = now - span + Math.floor((i / HISTORY) * span);
      const messageId = newId('msg', at);
      const status = i % 1000 === 0 ? 'pending' : i % 100 === 0 ? 'failed' : 'succeeded';
      messages.push({ id: messageId, workspace_id: workspaceId, app_id: appId, event_type: 'bench.event', payload: '{}', created_at: at });
      deliveries.push({
        id: newId('dlv', at),
        workspace_id: workspaceId,
        message_id: messageId,
        endpoint_id: endpointId,
        trigger: 'scheduled',
        status,
        attempts: status === 'pending' ? 0 : 1,
        max_attempts: 8,
        next_attempt_at: status === 'pending' ? at : null,
        due_at: status === 'pending' ? at : null,
        created_at: at,
        updated_at: at,
      });
      if (status !== 'pending')
        attempts.push({
          id: newId('atm', at + 30),
          workspace_id: workspaceId,
          delivery_id: deliveries[deliveries.length - 1].id,
          message_id: messageId,
          endpoint_id: endpointId,
          attempt: 1,
          trigger: 'scheduled',
          status: status === 'failed' ? 'failed' : 'succeeded',
          response_status: status === 'failed' ? 503 : 200,
          error: status === 'failed' ? 'http_status' : null,
          duration_ms: 20 + (i % 180),
          created_at: at + 30,
        });
      if (i % 20 === 0)
        events.push({
          id: newId('evt', at),
          workspace_id: workspaceId,
          source_id: sourceId,
          method: 'POST',
          path: '/',
          query: '',
          headers: '{}',
          body: '{}',
          body_encoding: 'utf8',
          verified: true,
          status: 'delivered',
          created_at: at,
        });
    }
    await insertBatches(db, 'messages', messages);
    await insertBatches(db, 'deliveries', deliveries);
    await insertBatches(db, 'attempts', attempts);
    await insertBatches(db, 'events', events);
  }
  console.log(`  seeded ${HISTORY} messages + deliveries + attempts in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function measure(dialect: Dialect): Promise<void> {
  const database = await createTestDatabase(dialect);
  const db = createDb({ databaseUrl: database.url, poolSize: 10 });
  try {
    await migrate(db);
    const now = Date.now();
    const { workspace } = await bootstrapDefaultWorkspace(db, 'rlk_bench_stats_key_0123456789abcdef', now);
    console.log(`${dialect}:`);
    await seed(db, workspace.id, now);
    if (dialect === 'mysql') await db.raw('ANALYZE TABLE messages, deliveries, attempts, events');
    // read at the seeding's `now`, so the window holds the same rows however long seeding took
    const first = await readWorkspaceStats(db, workspace.id, now);
    const times: number[] = [];
    const perQuery = timeQueries(db);
    for (let run = 0; run < RUNS; run++) {
      const started = process.hrtime.bigint();
      await readWorkspaceStats(db, workspace.id, now);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    perQuery.stop();
    times.sort((a, b) => a - b);
    const accepted = first.accepted.reduce((sum, n) => sum + n, 0);
    console.log(`  window: ${accepted} accepted, ${first.attempts} attempts, ${first.pending} pending`);
    console.log(
      `  readWorkspaceStats over ${RUNS} runs: median ${times[RUNS >> 1].toFixed(1)} ms, ` +
        `p90 ${times[Math.floor(RUNS * 0.9)].toFixed(1)} ms, max ${times[RUNS - 1].toFixed(1)} ms (load average ${loadAverage()})`,
    );
    for (const line of perQuery.report()) console.log(`    ${line}`);
  } finally {
    await db.destroy();
    await database.drop();
  }
}

/** Median time of each distinct statement (from knex's query events), slowest first. */
function timeQueries(db: Db) {
  const started = new Map<string, bigint>();
  const bySql = new Map<string, number[]>();
  const onQuery = (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, process.hrtime.bigint());
  const onResponse = (_response: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const at = started.get(q.__knexQueryUid);
    if (at === undefined) return;
    const list = bySql.get(q.sql) ?? [];
    list.push(Number(process.hrtime.bigint() - at) / 1e6);
    bySql.set(q.sql, list);
  };
  db.on('query', onQuery).on('query-response', onResponse);
  return {
    stop: () => db.off('query', onQuery).off('query-response', onResponse),
    report: () =>
      [...bySql.entries()]
        .map(([sql, list]) => ({ sql, median: list.sort((a, b) => a - b)[list.length >> 1] }))
        .sort((a, b) => b.median - a.median)
        .map(({ sql, median }) => `${median.toFixed(1).padStart(6)} ms  ${sql.slice(0, 110)}`),
  };
}

function loadAverage(): string {
  return loadavg()[0].toFixed(1);
}

for (const dialect of testDialects()) await measure(dialect);
