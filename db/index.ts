import knex, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { migrationSource } from './migrations/index.js';

export type Db = Knex;
export type DbOrTx = Knex | Knex.Transaction;

export interface DbOptions {
  databaseUrl: string;
  /** Connection pool size on MySQL (SQLite always uses one connection). */
  poolSize?: number;
}

/** True when the database is MySQL/MariaDB (SKIP LOCKED available); false for SQLite. */
export function isMysql(db: DbOrTx): boolean {
  return db.client.config.client === 'mysql2';
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

/** Distinct SQL texts kept prepared per SQLite connection (whereIn lists of many lengths make new texts). */
const STATEMENT_CACHE_MAX = 1_000;

/**
 * knex prepares every query again (better-sqlite3 `prepare`: about a tenth of the server's CPU
 * on the hot paths in the benchmark). Statements are reusable and SQLite re-prepares them itself
 * after a schema change, so the connection keeps them by SQL text. Nothing in this codebase sets
 * per-statement modes (safeIntegers, raw, pluck), so a cached statement behaves as a fresh one.
 */
function cachePreparedStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= STATEMENT_CACHE_MAX) cache.clear();
      cache.set(sql, statement);
    }
    return statement;
  };
}

/**
 * Opens the database named by `DATABASE_URL`: `sqlite:<path>` (better-sqlite3, WAL) or
 * `mysql://user:pass@host:port/db` (mysql2). Timestamps are stored as epoch milliseconds and
 * ids as binary-collated strings, so the same queries behave the same on both.
 */
export function createDb(options: DbOptions): Db {
  const url = options.databaseUrl;
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (filename !== ':memory:') mkdirSync(dirname(resolve(filename)), { recursive: true });
    return knex({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          cachePreparedStatements(conn);
          done(null, conn);
        },
      },
    });
  }
  if (url.startsWith('mysql://')) {
    return knex({
      client: 'mysql2',
      connection: mysqlConnection(url),
      pool: { min: 0, max: options.poolSize ?? 20 },
      // an unreachable database answers 503 database_unavailable in seconds, not after a minute
      acquireConnectionTimeout: 10_000,
    });
  }
  throw new Error(`unsupported DATABASE_URL: ${url.split(':')[0]}`);
}

/**
 * `mysql://user:pass@host:port/db[?ssl=true|required|verify]`: `ssl=true` or `required` encrypts the
 * connection, `verify` also checks the server certificate against the system CAs (managed MySQL).
 */
function mysqlConnection(url: string): Knex.MySql2ConnectionConfig {
  const parsed = new URL(url);
  const sslMode = (parsed.searchParams.get('ssl') ?? parsed.searchParams.get('ssl-mode') ?? '').toLowerCase();
  const ssl = sslMode === 'verify' || sslMode === 'verify_identity' || sslMode === 'verify_ca'
    ? { rejectUnauthorized: true }
    : sslMode === 'true' || sslMode === 'required'
      ? { rejectUnauthorized: false }
      : undefined;
  return {
    ...(ssl ? { ssl } : {}),
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    charset: 'utf8mb4',
    supportBigNumbers: true,
  };
}

/** Applies every pending migration (knex takes a lock table, so replicas may start together). */
export async function migrate(db: Db, options: { lockWaitMs?: number } = {}): Promise<void> {
  // knex fails at once when another process holds the migration lock (replicas starting
  // together): wait for that process to finish instead, then re-check what is pending
  const deadline = Date.now() + (options.lockWaitMs ?? 120_000);
  for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      await db.migrate.latest({ migrationSource });
      return;
    } catch (error) {
      const locked = error instanceof Error && /already locked/i.test(error.message);
      if (!locked || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** True when no migration is pending. */
export async function isMigrated(db: Db): Promise<boolean> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  return pending.length === 0;
}
