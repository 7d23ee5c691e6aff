import type { Knex } from 'knex';
import { createTable, idColumn } from './table.js';

export async function up(knex: Knex) {
  await createTable(knex, 'workspaces', (t) => {
    idColumn(t).primary();
    t.string('name', 200).notNullable();
    t.bigInteger('created_at').notNullable();
  });
  await createTable(knex, 'api_keys', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable().references('id').inTable('workspaces').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('prefix', 16).notNullable();
    t.string('key_hash', 64).notNullable().unique();
    t.text('scopes').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('revoked_at').nullable();
    t.index(['workspace_id', 'id']);
  });
}

export async function down(knex: Knex) {
  await knex.schema.dropTable('api_keys');
  await knex.schema.dropTable('workspaces');
}
