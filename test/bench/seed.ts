/**
 * Rows written straight through knex (never through the API) so cases start from a given state
 * in seconds: a million messages of history, or a backlog of pending deliveries. Rows are made
 * by INSERT … SELECT over a generated number range (1,000 × 1,000 cross join), 100,000 per
 * statement, on SQLite and MySQL/MariaDB alike (on MySQL without per-row foreign-key and unique
 * checks: the generated rows are consistent by construction).
 */
import type { Knex } from 'knex';
import { isMysql } from '../../db/index.js';

export interface SeedTarget {
  workspaceId: string;
  appId: string;
  endpointId: string;
}

const CHUNK = 100_000;

/** The columns seeded messages and deliveries fill, in the order of the SELECTs below. */
const MESSAGE_COLUMNS = [
  'id',
  'workspace_id',
  'app_id',
  'event_type',
  'recipient_id',
  'event_id',
  'payload',
  'payload_expired',
  'created_at',
];
const DELIVERY_COLUMNS = [
  'id',
  'workspace_id',
  'message_id',
  'endpoint_id',
  'event_id',
  'source_id',
  'trigger',
  'status',
  'attempts',
  'max_attempts',
  'next_attempt_at',
  'due_at',
  'locked_by',
  'created_at',
  'updated_at',
];
const DAY_MS = 86_400_000;

/** `<prefix><n as 18 digits>`: ids of seeded rows sort before every id newId() makes now. */
function idExpr(db: Knex, prefix: string): string {
  return isMysql(db) ? `CONCAT('${prefix}', LPAD(n, 18, '0'))` : `'${prefix}' || printf('%018d', n)`;
}

/** Runs `select` (a SELECT over `n`) for n in [from, from + count) into `table (columns)`, chunk by chunk. */
async function insertRange(db: Knex, table: string, columns: string[], select: string, from: number, count: number): Promise<void> {
  for (let lo = 0; lo < count; lo += CHUNK) {
    const size = Math.min(CHUNK, count - lo);
    const thousands = Math.ceil(size / 1000);
    // `trigger` is a reserved word on MySQL: quote every column
    const quote = isMysql(db) ? (c: string) => `\`${c}\`` : (c: string) => `"${c}"`;
    const sql = `INSERT INTO ${table} (${columns.map(quote).join(', ')})
      WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 999),
      r(n) AS (SELECT ${from + lo} + a.i * 1000 + b.i FROM k a CROSS JOIN k b WHERE a.i < ${thousands} AND a.i * 1000 + b.i < ${size})
      ${select}`;
    if (!isMysql(db)) {
      await db.raw(sql);
      continue;
    }
    // the rows are consistent by construction: InnoDB's per-row foreign-key and unique
    // lookups made seeding 1M messages of history take ~100 s on a busy 2-core machine
    await db.transaction(async (trx) => {
      await trx.raw('SET SESSION foreign_key_checks = 0, unique_checks = 0');
      try {
        await trx.raw(sql);
      } finally {
        await trx.raw('SET SESSION foreign_key_checks = 1, unique_checks = 1');
      }
    });
  }
}

/**
 * `count` delivered messages of the past (within the retention window, so the retention worker
 * leaves them alone), each with its succeeded delivery and its one attempt, all on one endpoint.
 */
export async function seedHistory(db: Knex, target: SeedTarget, count: number, now: number): Promise<void> {
  const since = now - 20 * DAY_MS;
  const payload = `'${JSON.stringify({ history: true, text: 'h'.repeat(180) })}'`;
  const at = `${since} + n * 1000`;
  const t = `'${target.workspaceId}', '${target.appId}'`;
  // MySQL: the three tables on three connections at once (no foreign-key checks, see
  // insertRange); SQLite has one writer, so one after the other
  const tables: (() => Promise<void>)[] = [];
  tables.push(() =>
    insertRange(
      db,
      'messages',
      MESSAGE_COLUMNS,
      `SELECT ${idExpr(db, 'msg_0000')}, ${t}, 'invoice.paid', NULL, NULL, ${payload}, 0, ${at} FROM r`,
      0,
      count,
    ),
  );
  tables.push(() =>
    insertRange(
      db,
      'deliveries',
      DELIVERY_COLUMNS,
      `SELECT ${idExpr(db, 'dlv_0000')}, '${target.workspaceId}', ${idExpr(db, 'msg_0000')}, '${target.endpointId}', NULL, NULL, 'scheduled', 'succeeded', 1, 8, NULL, NULL, NULL, ${at}, ${at} FROM r`,
      0,
      count,
    ),
  );
  tables.push(() =>
    insertRange(
      db,
      'attempts',
      [
        'id',
        'workspace_id',
        'delivery_id',
        'message_id',
        'endpoint_id',
        'event_id',
        'source_id',
        'attempt',
        'trigger',
        'status',
        'response_status',
        'response_body',
        'error',
        'duration_ms',
        'created_at',
      ],
      `SELECT ${idExpr(db, 'atm_0000')}, '${target.workspaceId}', ${idExpr(db, 'dlv_0000')}, ${idExpr(db, 'msg_0000')}, '${target.endpointId}', NULL, NULL, 1, 'scheduled', 'succeeded', 200, 'ok', NULL, 12, ${at} FROM r`,
      0,
      count,
    ),
  );
  if (isMysql(db)) await Promise.all(tables.map((insert) => insert()));
  else for (const insert of tables) await insert();
}

/**
 * `count` accepted messages (the given payload) each with one pending delivery due now: the
 * state right after a burst of sends, before the dispatcher has run. Ids start at `from` so
 * several backlogs never collide (and sort after any history).
 */
export async function seedBacklog(db: Knex, target: SeedTarget, count: number, now: number, payload: string, from = 0): Promise<void> {
  const quoted = `'${payload.replace(/'/g, "''")}'`;
  const t = `'${target.workspaceId}', '${target.appId}'`;
  await insertRange(
    db,
    'messages',
    MESSAGE_COLUMNS,
    `SELECT ${idExpr(db, 'msg_0001')}, ${t}, 'invoice.paid', NULL, NULL, ${quoted}, 0, ${now} FROM r`,
    from,
    count,
  );
  await insertRange(
    db,
    'deliveries',
    DELIVERY_COLUMNS,
    `SELECT ${idExpr(db, 'dlv_0001')}, '${target.workspaceId}', ${idExpr(db, 'msg_0001')}, '${target.endpointId}', NULL, NULL, 'scheduled', 'pending', 0, 8, ${now}, ${now}, NULL, ${now}, ${now} FROM r`,
    from,
    count,
  );
}
