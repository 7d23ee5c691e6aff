import type { Knex } from 'knex';

/**
 * Indexes for GET /api/v1/stats and the workspace-wide failed-deliveries list, so each figure is
 * a range read of one workspace's recent rows however much history the tables hold:
 * accepted messages and received events per time bucket, attempts of the window with their
 * outcome and duration (covering: no row lookups), and deliveries by status in id order (pending
 * and held counts, the oldest pending one, failed deliveries newest first).
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('messages', (t) => {
    t.index(['workspace_id', 'created_at'], 'messages_stats_index');
  });
  await knex.schema.alterTable('attempts', (t) => {
    t.index(['workspace_id', 'created_at', 'status', 'duration_ms'], 'attempts_stats_index');
  });
  await knex.schema.alterTable('deliveries', (t) => {
    t.index(['workspace_id', 'status', 'id'], 'deliveries_stats_index');
  });
  await knex.schema.alterTable('events', (t) => {
    t.index(['workspace_id', 'created_at', 'source_id'], 'events_stats_index');
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('events', (t) => t.dropIndex(['workspace_id', 'created_at', 'source_id'], 'events_stats_index'));
  await knex.schema.alterTable('deliveries', (t) => t.dropIndex(['workspace_id', 'status', 'id'], 'deliveries_stats_index'));
  await knex.schema.alterTable('attempts', (t) =>
    t.dropIndex(['workspace_id', 'created_at', 'status', 'duration_ms'], 'attempts_stats_index'),
  );
  await knex.schema.alterTable('messages', (t) => t.dropIndex(['workspace_id', 'created_at'], 'messages_stats_index'));
}
