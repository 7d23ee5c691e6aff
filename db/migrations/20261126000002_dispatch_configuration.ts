import type { Knex } from 'knex';
import { createTable, idColumn } from './table.js';

export async function up(knex: Knex) {
  await createTable(knex, 'apps', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable().references('id').inTable('workspaces').onDelete('CASCADE');
    t.string('uid', 256).nullable();
    t.string('name', 256).notNullable();
    t.text('metadata').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['workspace_id', 'uid']);
    t.index(['workspace_id', 'id']);
  });
  await createTable(knex, 'event_types', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    idColumn(t, 'app_id').notNullable().references('id').inTable('apps').onDelete('CASCADE');
    t.string('name', 256).notNullable();
    t.text('description').nullable();
    t.text('schema').nullable();
    t.bigInteger('archived_at').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['app_id', 'name']);
  });
  await createTable(knex, 'recipients', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    idColumn(t, 'app_id').notNullable().references('id').inTable('apps').onDelete('CASCADE');
    t.string('uid', 256).nullable();
    t.string('name', 256).nullable();
    t.text('metadata').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['app_id', 'uid']);
    t.index(['app_id', 'id']);
  });
  await createTable(knex, 'endpoints', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    idColumn(t, 'app_id').notNullable();
    idColumn(t, 'recipient_id').notNullable().references('id').inTable('recipients').onDelete('CASCADE');
    t.text('url').notNullable();
    t.text('description').nullable();
    t.text('event_types').notNullable();
    t.text('headers').notNullable();
    t.integer('rate_limit').nullable();
    t.boolean('disabled').notNullable().defaultTo(false);
    t.bigInteger('disabled_at').nullable();
    t.text('secret').notNullable();
    t.text('previous_secret').nullable();
    t.bigInteger('previous_secret_expires_at').nullable();
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.bigInteger('failing_since').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['recipient_id', 'id']);
    t.index(['app_id', 'id']);
  });
}

export async function down(knex: Knex) {
  for (const name of ['endpoints', 'recipients', 'event_types', 'apps']) await knex.schema.dropTable(name);
}
