import type { Knex } from 'knex';
import { createTable, idColumn } from './table.js';

export async function up(knex: Knex) {
  await createTable(knex, 'sources', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable().references('id').inTable('workspaces').onDelete('CASCADE');
    t.string('name', 256).notNullable();
    t.string('token', 64).notNullable().unique();
    t.text('verification').notNullable();
    t.text('destination').nullable();
    t.text('dedupe').nullable();
    t.text('allowed_methods').notNullable();
    t.text('forward_secret').notNullable();
    t.boolean('paused').notNullable().defaultTo(false);
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['workspace_id', 'id']);
  });
  await createTable(knex, 'events', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    idColumn(t, 'source_id').notNullable().references('id').inTable('sources').onDelete('CASCADE');
    t.string('method', 16).notNullable();
    t.text('path').notNullable();
    t.text('query').notNullable();
    t.text('headers').notNullable();
    t.text('body', 'longtext').nullable();
    t.string('body_encoding', 8).notNullable();
    t.boolean('body_expired').notNullable().defaultTo(false);
    t.boolean('verified').notNullable();
    t.string('status', 16).notNullable();
    t.text('rejection_reason').nullable();
    idColumn(t, 'duplicate_of').nullable();
    t.string('dedupe_key', 255).nullable();
    t.bigInteger('created_at').notNullable();
    t.index(['source_id', 'id']);
    t.index(['workspace_id', 'id']);
    t.index(['source_id', 'dedupe_key', 'created_at']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex) {
  await knex.schema.dropTable('events');
  await knex.schema.dropTable('sources');
}
