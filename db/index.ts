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
        afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
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

function mysqlConnection(url: string): Knex.MySql2ConnectionConfig {
  const parsed = new URL(url);
  return {
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
export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

/** True when no migration is pending. */
export async function isMigrated(db: Db): Promise<boolean> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  return pending.length === 0;
}
