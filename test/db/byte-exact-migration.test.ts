import t from 'tap';
import type { Knex } from 'knex';
import { createTestDatabase, testDialects } from '../helpers/databases.js';
import { migrateUpTo } from '../helpers/migrate-up-to.js';
import { createDb, migrate } from '../../db/index.js';
import * as byteExact from '../../db/migrations/20261207100001_byte_exact_keys_and_full_size_text.js';
import { dropForeignKey, FOREIGN_KEYS_BEFORE_BYTE_EXACT, listForeignKeys, type ForeignKey } from '../../db/migrations/foreign-keys.js';
import { noPadBinaryCollation } from '../../db/migrations/table.js';

const MIGRATION = '20261207100001_byte_exact_keys_and_full_size_text';
const NOW = 1_796_000_000_000;

/**
 * Turns the tables `createTable` made today back into what databases created before the migration
 * hold: PAD SPACE utf8mb4_bin everywhere and 64 KiB TEXT where MEDIUMTEXT is now the default.
 */
async function makeTablesLikeBefore(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    await byteExact.down(trx);
    const columns: { table: string; column: string; nullable: string }[] = await trx
      .select({ table: 'TABLE_NAME', column: 'COLUMN_NAME', nullable: 'IS_NULLABLE' })
      .from('information_schema.COLUMNS')
      .where('TABLE_SCHEMA', trx.raw('DATABASE()'))
      .andWhere('DATA_TYPE', 'mediumtext');
    for (const { table, column, nullable } of columns) {
      await trx.raw(`ALTER TABLE ?? MODIFY ?? TEXT ${nullable === 'YES' ? 'NULL' : 'NOT NULL'}`, [table, column]);
    }
  });
}

/** information_schema facts about one column of the current database. */
async function columnInfo(db: Knex, table: string, column: string): Promise<{ collation: string | null; type: string }> {
  const [row] = await db
    .select({ collation: 'COLLATION_NAME', type: 'DATA_TYPE' })
    .from('information_schema.COLUMNS')
    .where({ TABLE_SCHEMA: db.raw('DATABASE()'), TABLE_NAME: table, COLUMN_NAME: column });
  return row;
}

/** Foreign keys as comparable strings (MySQL 8 says NO ACTION where MariaDB says RESTRICT). */
function describeKeys(keys: readonly ForeignKey[]): string[] {
  return keys
    .map((key) => `${key.table}.${key.column} -> ${key.referencedTable}.${key.referencedColumn} as ${key.name} on delete ${key.onDelete}`)
    .sort();
}

/** UTF-8 text of about `bytes` bytes with multi-byte characters (fits a 65,535-byte TEXT when small enough). */
function mixedText(bytes: number): string {
  const unit = 'é ✓ 🙂 inv ';
  return unit.repeat(Math.floor(bytes / Buffer.byteLength(unit)));
}

async function insertRowsLikeBefore(db: Knex, metadata: string): Promise<void> {
  await db('workspaces').insert({ id: 'ws_m', name: 'm', created_at: NOW });
  await db('apps').insert({ id: 'app_m', workspace_id: 'ws_m', uid: 'inv-1', name: 'shop', metadata, created_at: NOW, updated_at: NOW });
  await db('messages').insert({
    id: 'msg_m',
    workspace_id: 'ws_m',
    app_id: 'app_m',
    event_type: 'invoice.paid',
    recipient_id: null,
    event_id: 'inv-1',
    payload: '{"n":1}',
    payload_expired: false,
    created_at: NOW,
  });
  await db('idempotency_keys').insert({ app_id: 'app_m', idempotency_key: 'inv-1', message_id: 'msg_m', created_at: NOW });
}

for (const dialect of testDialects()) {
  t.test(`the byte-exact migration converts a database created before it and keeps its rows [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect, { collation: 'utf8mb4_bin' });
    t.teardown(() => database.drop());
    const db = createDb({ databaseUrl: database.url, poolSize: 2 });
    t.teardown(() => db.destroy());
    await migrateUpTo(db, MIGRATION);
    const mysql = dialect === 'mysql';
    const keysBefore = mysql ? await listForeignKeys(db) : [];
    if (mysql) {
      t.same(describeKeys(keysBefore), describeKeys(FOREIGN_KEYS_BEFORE_BYTE_EXACT), 'the migration knows every foreign key');
      await makeTablesLikeBefore(db);
      t.same(await columnInfo(db, 'apps', 'uid'), { collation: 'utf8mb4_bin', type: 'varchar' }, 'old collation before');
      t.equal((await columnInfo(db, 'apps', 'metadata')).type, 'text', 'old 64 KiB column before');
    }
    const metadata = JSON.stringify({ notes: mixedText(60_000) });
    t.ok(Buffer.byteLength(metadata) < 65_535 && Buffer.byteLength(metadata) > 59_000);
    await insertRowsLikeBefore(db, metadata);
    if (mysql) t.equal((await db('apps').where({ uid: 'inv-1 ' })).length, 1, 'PAD SPACE matched "inv-1 " before');

    await migrate(db);

    if (mysql) {
      const collation = await noPadBinaryCollation(db);
      for (const [table, column] of [
        ['apps', 'uid'],
        ['recipients', 'uid'],
        ['messages', 'event_id'],
        ['idempotency_keys', 'idempotency_key'],
        ['event_types', 'name'],
        ['sources', 'token'],
        ['api_keys', 'key_hash'],
        ['events', 'dedupe_key'],
        ['portal_sessions', 'token_hash'],
      ]) {
        t.equal((await columnInfo(db, table, column)).collation, collation, `${table}.${column} is ${collation}`);
      }
      for (const [table, column] of [
        ['apps', 'metadata'],
        ['recipients', 'metadata'],
        ['event_types', 'schema'],
        ['endpoints', 'headers'],
        ['sources', 'verification'],
        ['events', 'headers'],
        ['anomalies', 'details'],
        ['attempts', 'response_body'],
      ]) {
        t.equal((await columnInfo(db, table, column)).type, 'mediumtext', `${table}.${column} holds 16 MiB`);
      }
      t.equal((await columnInfo(db, 'messages', 'payload')).type, 'longtext', 'LONGTEXT is not narrowed');
      t.same(describeKeys(await listForeignKeys(db)), describeKeys(keysBefore), 'every foreign key is back');
    }
    const app = await db('apps').where({ id: 'app_m' }).first();
    t.equal(app.uid, 'inv-1');
    t.equal(app.metadata, metadata, 'text survived byte for byte');
    t.equal((await db('messages').where({ event_id: 'inv-1' }).first()).payload, '{"n":1}');
    t.equal((await db('apps').where({ uid: 'inv-1 ' })).length, 0, '"inv-1 " no longer matches "inv-1"');
    t.equal((await db('idempotency_keys').where({ app_id: 'app_m', idempotency_key: 'inv-1 ' })).length, 0);

    await db('apps').insert({
      id: 'app_n',
      workspace_id: 'ws_m',
      uid: 'inv-1 ',
      name: 'spaced',
      metadata: '{}',
      created_at: NOW,
      updated_at: NOW,
    });
    await t.rejects(
      db('apps').insert({ id: 'app_o', workspace_id: 'ws_m', uid: 'inv-1', name: 'dup', metadata: '{}', created_at: NOW, updated_at: NOW }),
      'the unique index still holds',
    );
    await t.rejects(
      db('recipients').insert({
        id: 'rcp_x',
        workspace_id: 'ws_m',
        app_id: 'app_missing',
        uid: null,
        name: null,
        metadata: '{}',
        created_at: NOW,
        updated_at: NOW,
      }),
      'foreign keys are still enforced',
    );
    const big = JSON.stringify({ notes: mixedText(200_000) });
    await db('apps').where({ id: 'app_m' }).update({ metadata: big });
    t.equal((await db('apps').where({ id: 'app_m' }).first()).metadata, big, 'over 64 KiB fits now');
  });
}

for (const dialect of testDialects().filter((d) => d === 'mysql')) {
  t.test(
    `a migrated database has no PAD SPACE collation and no 64 KiB text column, and the migration is re-runnable [${dialect}]`,
    async (t) => {
      const database = await createTestDatabase(dialect, { collation: 'utf8mb4_bin' });
      t.teardown(() => database.drop());
      const db = createDb({ databaseUrl: database.url, poolSize: 2 });
      t.teardown(() => db.destroy());
      await migrate(db);
      // a failure halfway leaves some tables converted and keys dropped (MySQL commits DDL):
      // running it again must finish the job and put the dropped keys back
      const keys = await listForeignKeys(db);
      for (const key of keys.filter((k) => k.table === 'events' || k.table === 'apps')) await dropForeignKey(db, key);
      t.equal((await listForeignKeys(db)).length, keys.length - 2);
      await db.transaction((trx) => byteExact.up(trx));
      t.same(describeKeys(await listForeignKeys(db)), describeKeys(keys), 'dropped keys are back');

      const collation = await noPadBinaryCollation(db);
      const tables: { name: string; collation: string }[] = await db
        .select({ name: 'TABLE_NAME', collation: 'TABLE_COLLATION' })
        .from('information_schema.TABLES')
        .where('TABLE_SCHEMA', db.raw('DATABASE()'))
        .andWhereNot('TABLE_NAME', 'like', 'knex\\_migrations%');
      t.ok(tables.length >= 15, `${tables.length} tables`);
      t.same(
        tables.filter((table) => table.collation !== collation),
        [],
        `every table defaults to ${collation}`,
      );
      const columns: { table: string; column: string; collation: string | null; type: string }[] = await db
        .select({ table: 'TABLE_NAME', column: 'COLUMN_NAME', collation: 'COLLATION_NAME', type: 'DATA_TYPE' })
        .from('information_schema.COLUMNS')
        .where('TABLE_SCHEMA', db.raw('DATABASE()'))
        .andWhereNot('TABLE_NAME', 'like', 'knex\\_migrations%');
      t.same(
        columns.filter((c) => c.collation !== null && c.collation !== collation),
        [],
        'every text column compares NO PAD',
      );
      t.same(
        columns.filter((c) => c.type === 'text' || c.type === 'tinytext'),
        [],
        'no column is limited to 64 KiB',
      );
    },
  );
}
