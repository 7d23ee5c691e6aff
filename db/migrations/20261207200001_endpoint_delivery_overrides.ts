import type { Knex } from 'knex';

/**
 * Per-endpoint delivery control (CONTRACT §8, §8.2): a payload `filter` (JSON text, ≤ 4 KiB),
 * a `retry_schedule` (JSON array of duration strings, echoed as given) and a `timeout` (a duration
 * string) that override the process-wide settings when set; and on deliveries the `last_error`
 * a delivery finished with without an attempt (`discarded` for discarded held deliveries).
 * Held deliveries need no new index: they are found per endpoint through (endpoint_id, status).
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('endpoints', (t) => {
    t.text('filter').nullable();
    t.text('retry_schedule').nullable();
    t.string('timeout', 16).nullable();
  });
  await knex.schema.alterTable('deliveries', (t) => {
    t.string('last_error', 32).nullable();
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('deliveries', (t) => {
    t.dropColumn('last_error');
  });
  await knex.schema.alterTable('endpoints', (t) => {
    t.dropColumn('timeout');
    t.dropColumn('retry_schedule');
    t.dropColumn('filter');
  });
}
