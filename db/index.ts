import knex, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { redactDatabaseMessage } from './error-redaction.js';
import { isDeadlock, isLockConflict } from './errors.js';
import { ensureMigrationTables, listAppliedMigrations } from './queries/migration-tables.js';
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
  // knex types `client` as any; at run time it is the Knex.Client that holds the config
  return (db.client as Knex.Client).config.client === 'mysql2';
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
 * Errors keep `?` placeholders instead of the statement formatted with its bound values (knex
 * otherwise writes secrets and payloads into `err.message`), and knex's own warnings, which it
 * prints to stdout by default (e.g. `Connection Error: …`), go to stderr redacted.
 */
const SAFE_ERRORS = {
  compileSqlOnError: false,
  log: {
    warn: (message: unknown) => writeKnexLog('warn', message),
    error: (message: unknown) => writeKnexLog('error', message),
    deprecate: (message: unknown) => writeKnexLog('deprecate', message),
    debug: (message: unknown) => writeKnexLog('debug', message),
  },
} as const;

function writeKnexLog(level: string, message: unknown): void {
  // a non-text entry is a query object (debug) with its bindings: never printed
  const text = typeof message === 'string' ? redactDatabaseMessage(message) : '(query details omitted)';
  process.stderr.write(`knex ${level}: ${text}\n`);
}

interface Mysql2Callbacks {
  query(sql: string, callback: (err: Error | null) => void): void;
}

interface Mysql2Connection {
  state?: string;
  stream?: { destroyed?: boolean; writable?: boolean; readable?: boolean };
}

/**
 * Checked by the pool before it hands out an idle connection (no round trip): a connection whose
 * server went away (socket closed or errored, mysql2 state `error`/`disconnected`) is destroyed
 * instead of answering the next request with "Can't add new command when connection is in closed
 * state". knex's own check still runs after this one.
 */
function isLiveMysqlConnection(conn: Mysql2Connection): boolean {
  const stream = conn.stream;
  if (!stream || stream.destroyed || stream.writable === false || stream.readable === false) return false;
  return conn.state === undefined || conn.state === 'authenticated' || conn.state === 'connected';
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
      ...SAFE_ERRORS,
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
      pool: {
        min: 0,
        max: options.poolSize ?? 20,
        validate: isLiveMysqlConnection,
        // every transaction here is READ COMMITTED (work claims and group commits need no gap locks;
        // Galera certifies rows anyway): set once per connection instead of a `SET TRANSACTION`
        // round trip before each transaction
        afterCreate(conn: Mysql2Callbacks, done: (err: Error | null, conn: unknown) => void) {
          conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err) => done(err, conn));
        },
      },
      ...SAFE_ERRORS,
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
  const ssl =
    sslMode === 'verify' || sslMode === 'verify_identity' || sslMode === 'verify_ca'
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

/**
 * Applies every pending migration. Replicas may start together, on one MySQL or on different
 * nodes of a multi-primary cluster (Galera), where row locks are per node:
 * - the bookkeeping tables are created idempotently first (db/queries/migration-tables.ts);
 * - on MySQL knex takes its lock in a transaction of its own (not inside one wrapping all the
 *   migrations, whose first DDL would commit it implicitly), so the cluster certifies the lock
 *   write before any migration runs: of two nodes taking it at once one gets a deadlock error;
 *   MySQL commits DDL implicitly anyway, so the wrapping transaction protected nothing there;
 * - knex lists what is pending before it takes the lock: once it holds the lock the list is
 *   checked again (beforeAll), and a list another process applied meanwhile is given up.
 * Whoever loses — knex says "already locked", the lock write deadlocked, or the list was stale —
 * waits (jittered) and runs `latest` again, which re-reads what is already applied.
 */
export async function migrate(db: Db, options: { lockWaitMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.lockWaitMs ?? 120_000);
  for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      await ensureMigrationTables(db);
      await db.migrate.latest({
        migrationSource,
        disableTransactions: isMysql(db),
        beforeAll: async (conn: DbOrTx, pending: unknown[]) => {
          const applied = await listAppliedMigrations(conn);
          // the migration source lists plain names (db/migrations/index.ts)
          if (pending.some((name) => applied.has(name as string))) throw new StaleMigrationList();
        },
      });
      return;
    } catch (error) {
      if (!isMigrationRace(error) || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + (Math.random() * delay) / 2));
    }
  }
}

/** Another process applied migrations between knex's listing and its lock. */
class StaleMigrationList extends Error {
  constructor() {
    super('another process applied migrations meanwhile');
    this.name = 'StaleMigrationList';
  }
}

/** Another process is migrating (or set up the bookkeeping at the same moment): try again later. */
function isMigrationRace(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof StaleMigrationList) return true;
  // knex's LockError (name MigrationLocked) wraps whatever the lock write threw, a deadlock included
  if (error.name === 'MigrationLocked' || /already locked/i.test(error.message)) return true;
  return isDeadlock(error) || isLockConflict(error);
}

/** True when no migration is pending. */
export async function isMigrated(db: Db): Promise<boolean> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  return pending.length === 0;
}

/** Runs a trivial statement; throws when the database cannot be reached (readiness checks). */
export async function pingDatabase(db: DbOrTx): Promise<void> {
  await db.raw('select 1 as ok');
}
