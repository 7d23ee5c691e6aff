import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import { noPadBinaryCollation } from '../../db/migrations/table.js';

export type Dialect = 'sqlite' | 'mysql';

/** The databases every database test runs on: SQLite always, MariaDB/MySQL when TEST_MYSQL_URL is set. */
export function testDialects(): Dialect[] {
  return process.env.TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
}

export interface TestDatabase {
  dialect: Dialect;
  url: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * MySQL only: the schema's default collation. Defaults to the server's NO PAD binary one (as
   * production tables use); `utf8mb4_bin` recreates a database from before byte-exact keys.
   */
  collation?: string;
}

/**
 * A fresh, empty database of the given dialect, private to one test: a temp SQLite file, or a
 * new schema `dispatch_t_<random>` on the TEST_MYSQL_URL server (so parallel test files and
 * several developers never see each other's rows).
 */
export async function createTestDatabase(dialect: Dialect, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-test-'));
    return {
      dialect,
      url: `sqlite:${join(dir, 'dispatch.sqlite')}`,
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = new URL(process.env.TEST_MYSQL_URL as string);
  const name = `dispatch_t_${randomBytes(6).toString('hex')}`;
  const admin = adminConnection(base);
  try {
    const collation = options.collation ?? (await noPadBinaryCollation(admin));
    if (!/^\w+$/.test(collation)) throw new Error(`not a collation name: ${collation}`);
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE ${collation}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    async drop() {
      const conn = adminConnection(base);
      try {
        await conn.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.destroy();
      }
    },
  };
}

function adminConnection(base: URL) {
  return knex({
    client: 'mysql2',
    connection: {
      host: base.hostname,
      port: Number(base.port || 3306),
      user: decodeURIComponent(base.username),
      password: decodeURIComponent(base.password),
    },
    pool: { min: 0, max: 1 },
  });
}
