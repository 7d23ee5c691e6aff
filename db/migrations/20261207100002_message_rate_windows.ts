import type { Knex } from 'knex';
import { createTable, idColumn } from './table.js';

/**
 * Per-workspace accepted-message counters, one row per second, shared by every process on the
 * database so `messages_per_second` holds across replicas (CONTRACT §10). Processes add leases
 * of budget to `accepted` with a conditional UPDATE; retention deletes rows older than a minute.
 */
export async function up(knex: Knex) {
  await createTable(knex, 'message_rate_windows', (t) => {
    idColumn(t, 'workspace_id').notNullable();
    // epoch second the counter covers
    t.bigInteger('window_second').notNullable();
    t.integer('accepted').notNullable().defaultTo(0);
    t.primary(['workspace_id', 'window_second']);
    t.index(['window_second']);
  });
}

export async function down(knex: Knex) {
  await knex.schema.dropTable('message_rate_windows');
}
