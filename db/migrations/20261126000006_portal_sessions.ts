import type { Knex } from 'knex';
import { createTable, idColumn } from './table.js';

export async function up(knex: Knex) {
  await createTable(knex, 'portal_sessions', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    idColumn(t, 'app_id').notNullable();
    idColumn(t, 'recipient_id').notNullable().references('id').inTable('recipients').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex) {
  await knex.schema.dropTable('portal_sessions');
}
