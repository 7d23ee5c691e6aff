import type { Knex } from 'knex';

/**
 * Binary collations that compare without PAD SPACE, best first: MySQL 8 names it
 * `utf8mb4_0900_bin`, MariaDB (10.2 and later) `utf8mb4_nopad_bin`. The older `utf8mb4_bin` pads:
 * `'inv-1 ' = 'inv-1'` there, so a key with a trailing space would hit another row's unique index.
 */
export const NO_PAD_BINARY_COLLATIONS = ['utf8mb4_0900_bin', 'utf8mb4_nopad_bin'] as const;

/** True when `knex` talks to MySQL/MariaDB (SQLite compares bytes already: nothing to choose). */
export function isMysqlSchema(knex: Knex): boolean {
  // knex types `client` as any; at run time it is the Knex.Client that holds the config
  return (knex.client as Knex.Client).config.client === 'mysql2';
}

/**
 * The NO PAD binary utf8mb4 collation this MySQL/MariaDB server has. Throws on a server with
 * neither (MySQL 5.7, MariaDB < 10.2): Dispatch needs byte-exact keys and refuses to run without.
 */
export async function noPadBinaryCollation(knex: Knex): Promise<string> {
  const rows = (await knex
    .select({ name: 'COLLATION_NAME' })
    .from('information_schema.COLLATIONS')
    .whereIn('COLLATION_NAME', [...NO_PAD_BINARY_COLLATIONS])) as { name: string }[];
  const names = new Set(rows.map((row) => row.name));
  const found = NO_PAD_BINARY_COLLATIONS.find((name) => names.has(name));
  if (!found) {
    throw new Error(
      `the database server has no NO PAD binary collation (${NO_PAD_BINARY_COLLATIONS.join(' or ')}): use MySQL 8 or MariaDB 10.6+`,
    );
  }
  return found;
}

/**
 * Creates a table the same way on both dialects. On MySQL every table is utf8mb4 with a NO PAD
 * binary collation, so keys compare byte for byte as they do on SQLite: ids sort by byte (base62
 * ids are time-ordered), uids/names are case-sensitive and a trailing space makes another key.
 * `table.text(name)` without a type is MEDIUMTEXT (16 MiB) there: MySQL's plain TEXT holds 64 KiB,
 * less than the API accepts (1 MiB bodies, 5 MiB ingest), and SQLite has no such limit.
 */
export async function createTable(knex: Knex, name: string, build: (table: Knex.CreateTableBuilder) => void): Promise<void> {
  const collation = isMysqlSchema(knex) ? await noPadBinaryCollation(knex) : null;
  await knex.schema.createTable(name, (table) => {
    if (collation) {
      table.charset('utf8mb4');
      table.collate(collation);
      table.engine('InnoDB');
      const text = table.text.bind(table);
      table.text = (column: string, textType?: string) => text(column, textType ?? 'mediumtext');
    }
    build(table);
  });
}

/** A prefixed id column (`msg_` + 22 base62 characters fits in 32). */
export function idColumn(table: Knex.CreateTableBuilder, name = 'id') {
  return table.string(name, 32);
}
