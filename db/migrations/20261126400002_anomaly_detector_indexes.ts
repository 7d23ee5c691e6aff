import type { Knex } from 'knex';

/**
 * Indexes that keep the periodic anomaly pass cheap on big tables:
 * - events (created_at, source_id, status) covers the one per-pass aggregate over the last ~70
 *   minutes of events (volume and rejection counts per source) without touching the rows;
 * - endpoints/sources (consecutive_failures) find failing targets without scanning every target.
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('events', (t) => {
    t.index(['created_at', 'source_id', 'status'], 'events_anomaly_window_index');
  });
  await knex.schema.alterTable('endpoints', (t) => {
    t.index(['consecutive_failures'], 'endpoints_consecutive_failures_index');
  });
  await knex.schema.alterTable('sources', (t) => {
    t.index(['consecutive_failures'], 'sources_consecutive_failures_index');
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('sources', (t) => t.dropIndex(['consecutive_failures'], 'sources_consecutive_failures_index'));
  await knex.schema.alterTable('endpoints', (t) => t.dropIndex(['consecutive_failures'], 'endpoints_consecutive_failures_index'));
  await knex.schema.alterTable('events', (t) => t.dropIndex(['created_at', 'source_id', 'status'], 'events_anomaly_window_index'));
}
