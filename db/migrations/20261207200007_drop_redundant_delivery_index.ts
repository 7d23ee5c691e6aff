import type { Knex } from 'knex';

/**
 * Drops `deliveries (endpoint_id, status)`: the fifo lane index `(endpoint_id, status, due_at,
 * message_id, id)` begins with the same two columns, so it answers every query the old one did
 * (held counts, failure streaks, discards) and backs the endpoint foreign key on MySQL. Every
 * index is written once per fan-out row at accept: one fewer is one B-tree insert less per
 * delivery (issue 12).
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('deliveries', (t) => t.dropIndex(['endpoint_id', 'status'], 'deliveries_endpoint_id_status_index'));
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('deliveries', (t) => t.index(['endpoint_id', 'status'], 'deliveries_endpoint_id_status_index'));
}
