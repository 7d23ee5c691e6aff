import type { Knex } from 'knex';

/**
 * Creates a table the same way on both dialects. On MySQL every table is utf8mb4 with a binary
 * collation: ids sort by byte (base62 ids are time-ordered) and uids/names are case-sensitive,
 * as they are on SQLite.
 */
export function createTable(knex: Knex, name: string, build: (table: Knex.CreateTableBuilder) => void) {
  return knex.schema.createTable(name, (table) => {
    if (knex.client.config.client === 'mysql2') {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
      table.engine('InnoDB');
    }
    build(table);
  });
}

/** A prefixed id column (`msg_` + 22 base62 characters fits in 32). */
export function idColumn(table: Knex.CreateTableBuilder, name = 'id') {
  return table.string(name, 32);
}
