import type { Knex } from 'knex';
import { createTable, idColumn } from './table.js';

export async function up(knex: Knex) {
  await createTable(knex, 'anomalies', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    t.string('type', 32).notNullable();
    t.string('status', 16).notNullable();
    t.string('subject_kind', 16).notNullable();
    idColumn(t, 'subject_id').notNullable();
    // `${type}:${subject_id}` while open or acknowledged, null once resolved: the unique index
    // makes "one open anomaly per (type, subject)" hold across processes
    t.string('open_key', 80).nullable().unique();
    t.text('title').notNullable();
    t.integer('count').notNullable().defaultTo(1);
    t.text('details').notNullable();
    t.bigInteger('first_seen_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.bigInteger('acknowledged_at').nullable();
    t.bigInteger('resolved_at').nullable();
    t.index(['workspace_id', 'id']);
    t.index(['subject_id']);
  });
}

export async function down(knex: Knex) {
  await knex.schema.dropTable('anomalies');
}
