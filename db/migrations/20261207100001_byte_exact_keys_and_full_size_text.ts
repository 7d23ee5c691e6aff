import type { Knex } from 'knex';
import { addForeignKey, dropForeignKey, FOREIGN_KEYS_BEFORE_BYTE_EXACT, listForeignKeys } from './foreign-keys.js';
import { isMysqlSchema, noPadBinaryCollation } from './table.js';

/**
 * MySQL/MariaDB only (SQLite compares bytes and has no text size limit):
 * - every Dispatch table moves from `utf8mb4_bin` (PAD SPACE: `'inv-1 ' = 'inv-1'`, so a new
 *   message with event_id "inv-1 " was answered with the stored "inv-1" one and its payload
 *   dropped) to the server's NO PAD binary collation, keys, unique indexes and all;
 * - every TEXT column (64 KiB) becomes MEDIUMTEXT (16 MiB): metadata, schemas, endpoint headers,
 *   event headers/query/path etc. must hold what the API accepts (1 MiB bodies, 5 MiB ingest).
 *
 * Both changes go in one ALTER per table because each rebuilds the table (events can be big).
 * MariaDB refuses to change the collation of a foreign key column even with FOREIGN_KEY_CHECKS = 0,
 * so the foreign keys are dropped first and added back afterwards. MySQL commits DDL at once, so a
 * failure halfway leaves some tables converted and some keys dropped: every step is idempotent
 * and the keys known to exist before this migration are re-added even when a previous run dropped
 * them, so running the migration again finishes the job. Tables and columns are read from
 * information_schema so tables created outside `createTable` are covered too; knex's own
 * bookkeeping tables are left alone.
 */
export const config = {
  // SET FOREIGN_KEY_CHECKS is per connection: the transaction pins every statement to one
  transaction: true,
} as const;

interface TextColumn {
  table: string;
  column: string;
  nullable: string;
}

/** The Dispatch tables of the current database (not knex_migrations / knex_migrations_lock). */
async function dispatchTables(knex: Knex): Promise<string[]> {
  const rows = (await knex
    .select({ name: 'TABLE_NAME' })
    .from('information_schema.TABLES')
    .where('TABLE_SCHEMA', knex.raw('DATABASE()'))
    .andWhere('TABLE_TYPE', 'BASE TABLE')
    .andWhereNot('TABLE_NAME', 'like', 'knex\\_migrations%')
    .orderBy('TABLE_NAME')) as { name: string }[];
  return rows.map((row) => row.name);
}

/** Columns of at most 64 KiB of text (TINYTEXT, TEXT), by table. */
async function smallTextColumns(knex: Knex): Promise<Map<string, TextColumn[]>> {
  const rows = (await knex
    .select({ table: 'TABLE_NAME', column: 'COLUMN_NAME', nullable: 'IS_NULLABLE' })
    .from('information_schema.COLUMNS')
    .where('TABLE_SCHEMA', knex.raw('DATABASE()'))
    .whereIn('DATA_TYPE', ['tinytext', 'text'])
    .orderBy(['TABLE_NAME', 'ORDINAL_POSITION'])) as TextColumn[];
  const byTable = new Map<string, TextColumn[]>();
  for (const row of rows) byTable.set(row.table, [...(byTable.get(row.table) ?? []), row]);
  return byTable;
}

/** Tables whose default or any of whose columns has another collation than `collation`. */
async function tablesOffCollation(knex: Knex, collation: string): Promise<Set<string>> {
  const tables = (await knex
    .select({ name: 'TABLE_NAME' })
    .from('information_schema.TABLES')
    .where('TABLE_SCHEMA', knex.raw('DATABASE()'))
    .andWhereNot('TABLE_COLLATION', collation)) as { name: string }[];
  const columns = (await knex
    .select({ name: 'TABLE_NAME' })
    .from('information_schema.COLUMNS')
    .where('TABLE_SCHEMA', knex.raw('DATABASE()'))
    .whereNotNull('COLLATION_NAME')
    .andWhereNot('COLLATION_NAME', collation)) as { name: string }[];
  return new Set([...tables, ...columns].map((row) => row.name));
}

/** Runs `body` with foreign key checks off: re-adding a key then neither rebuilds nor rescans its table. */
async function withoutForeignKeyChecks(knex: Knex, body: () => Promise<void>): Promise<void> {
  await knex.raw('SET FOREIGN_KEY_CHECKS = 0');
  try {
    await body();
  } finally {
    // **MUST** restore: the connection goes back to the pool afterwards
    await knex.raw('SET FOREIGN_KEY_CHECKS = 1');
  }
}

/**
 * Converts every Dispatch table to `collation`, widening 64 KiB text columns when `widen`, with
 * the foreign keys of the tables it alters taken off meanwhile (see the file comment). Tables
 * already right are left alone: on a fresh database `createTable` made them so, and nothing runs.
 */
async function convertTables(knex: Knex, collation: string, widen: boolean): Promise<void> {
  const all = await dispatchTables(knex);
  const textColumns = widen ? await smallTextColumns(knex) : new Map<string, TextColumn[]>();
  const offCollation = await tablesOffCollation(knex, collation);
  const tables = all.filter((table) => offCollation.has(table) || textColumns.has(table));
  const current = await listForeignKeys(knex);
  const touched = current.filter((key) => tables.includes(key.table) || tables.includes(key.referencedTable));
  const lost = FOREIGN_KEYS_BEFORE_BYTE_EXACT.filter(
    (key) =>
      all.includes(key.table) &&
      all.includes(key.referencedTable) &&
      !current.some((found) => found.table === key.table && found.name === key.name),
  );
  if (tables.length === 0 && lost.length === 0) return;
  await withoutForeignKeyChecks(knex, async () => {
    for (const key of touched) await dropForeignKey(knex, key);
    for (const table of tables) {
      const parts = [`CONVERT TO CHARACTER SET utf8mb4 COLLATE ${collation}`];
      const bindings: string[] = [table];
      for (const column of textColumns.get(table) ?? []) {
        parts.push(`MODIFY ?? MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE ${collation} ${column.nullable === 'YES' ? 'NULL' : 'NOT NULL'}`);
        bindings.push(column.column);
      }
      await knex.raw(`ALTER TABLE ?? ${parts.join(', ')}`, bindings);
    }
    for (const key of [...touched, ...lost]) await addForeignKey(knex, key);
  });
}

export async function up(knex: Knex) {
  if (!isMysqlSchema(knex)) return;
  await convertTables(knex, await noPadBinaryCollation(knex), true);
}

/** Back to PAD SPACE `utf8mb4_bin`; columns stay MEDIUMTEXT (narrowing could cut stored text). */
export async function down(knex: Knex) {
  if (!isMysqlSchema(knex)) return;
  await convertTables(knex, 'utf8mb4_bin', false);
}
