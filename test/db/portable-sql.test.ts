import t, { type Test } from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDb, migrate, type Db } from '../../db/index.js';
import { advanceRollupState, readRollupState, upsertEventBuckets, type EventBucket } from '../../db/queries/event-rollups.js';
import { ensureMigrationTables } from '../../db/queries/migration-tables.js';
import { createTestDatabase, testDialects } from '../helpers/databases.js';

const root = new URL('../../', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

t.test('db/ uses no SQL that MySQL 8.4 lacks or deprecates', async (t) => {
  for (const file of sourceFiles(join(root, 'db'))) {
    const text = readFileSync(file, 'utf8');
    const name = file.slice(root.length);
    // VALUES(col) in ON DUPLICATE KEY UPDATE: deprecated since MySQL 8.0.20
    t.notMatch(text, /\bVALUES\((\?\?|`?[a-z_]+`?)\)/i, `${name}: no VALUES(col) in an upsert`);
    // knex's merge() without columns writes VALUES(col) on MySQL
    t.notMatch(text, /\.merge\(\)/, `${name}: no column-less merge()`);
    // RETURNING is MariaDB (and SQLite) only: knex's returning() is dropped on MySQL, and raw
    // RETURNING may appear only in a SQLite-only branch (an `!isMysql(` test a few lines above)
    t.notMatch(text, /\.returning\(/, `${name}: no knex returning()`);
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      if (!/\bRETURNING\b/i.test(line)) continue;
      const branch = lines.slice(Math.max(0, i - 12), i + 1).some((above) => above.includes('!isMysql('));
      t.ok(branch, `${name}:${i + 1}: RETURNING only in a SQLite-only branch`);
    }
  }
});

async function openDb(t: Test, dialect: 'sqlite' | 'mysql'): Promise<Db> {
  const database = await createTestDatabase(dialect);
  t.teardown(() => database.drop());
  const db = createDb({ databaseUrl: database.url, poolSize: 2 });
  t.teardown(() => db.destroy());
  await migrate(db);
  return db;
}

const bucket = (changes: Partial<EventBucket>): EventBucket => ({
  sourceId: 'src_a',
  bucketStart: 60_000,
  events: 1,
  rejected: 0,
  lastEventAt: null,
  lastEventId: null,
  lastRejectedAt: null,
  lastRejectedId: null,
  ...changes,
});

for (const dialect of testDialects()) {
  t.test(`upsertEventBuckets keeps the larger stored or incoming value per column [${dialect}]`, async (t) => {
    const db = await openDb(t, dialect);
    // the bucket row references a source: take the foreign keys out of the way for this unit
    await db.transaction(async (tx) => {
      if (dialect === 'mysql') await tx.raw('SET FOREIGN_KEY_CHECKS = 0');
      else await tx.raw('PRAGMA defer_foreign_keys = ON');
      await upsertEventBuckets(tx, 60_000, [
        bucket({ events: 5, lastEventAt: 100, lastEventId: 'evt_a' }),
        bucket({ sourceId: 'src_b', events: 2 }),
      ]);
      // a lagging process writes smaller counts and NULLs: nothing goes back
      await upsertEventBuckets(tx, 60_000, [
        bucket({ events: 3, rejected: 1, lastEventAt: null, lastEventId: 'evt_B', lastRejectedAt: 90, lastRejectedId: 'evt_r' }),
        bucket({ sourceId: 'src_b', events: 7, lastEventAt: 50 }),
      ]);
      const rows = (await tx('source_event_buckets').where({ bucket_ms: 60_000 }).orderBy('source_id').select()) as Record<
        string,
        unknown
      >[];
      t.same(
        rows.map((row) => [
          row.source_id,
          Number(row.events),
          Number(row.rejected),
          row.last_event_at === null ? null : Number(row.last_event_at),
        ]),
        [
          ['src_a', 5, 1, 100],
          ['src_b', 7, 0, 50],
        ],
      );
      t.equal(rows[0].last_event_id, 'evt_a', 'ids compare byte for byte (a > B)');
      t.equal(rows[0].last_rejected_id, 'evt_r');
      await tx('source_event_buckets').delete();
      if (dialect === 'mysql') await tx.raw('SET FOREIGN_KEY_CHECKS = 1');
    });
  });

  t.test(`advanceRollupState never moves the mark back [${dialect}]`, async (t) => {
    const db = await openDb(t, dialect);
    await advanceRollupState(db, 60_000, 1_000);
    await advanceRollupState(db, 60_000, 500);
    t.equal(await readRollupState(db, 60_000), 1_000);
    await advanceRollupState(db, 60_000, 2_000);
    t.equal(await readRollupState(db, 60_000), 2_000);
  });
}

for (const dialect of testDialects().filter((d) => d === 'mysql')) {
  t.test(`migrate keeps one lock row and repairs a second one a concurrent start left [${dialect}]`, async (t) => {
    const db = await openDb(t, dialect);
    await ensureMigrationTables(db);
    t.equal((await db('knex_migrations_lock').select()).length, 1, 'idempotent: still one row');
    await db('knex_migrations_lock').insert({ is_locked: 0 });
    await migrate(db);
    const rows = (await db('knex_migrations_lock').select()) as { index: number; is_locked: number }[];
    t.same(
      rows.map((row) => [Number(row.index), Number(row.is_locked)]),
      [[1, 0]],
      'the extra row is gone, so knex can take the lock again',
    );
  });
}
