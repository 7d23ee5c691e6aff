import type { Knex } from 'knex';

/**
 * Ordered delivery and receiver credentials per endpoint (CONTRACT §8, §8.7).
 *
 * - `endpoints.ordering`: `none` or `fifo`. A fifo endpoint's pending deliveries form a lane in
 *   accept order (message id: creation time, then a monotonic part); only the lane's head has a
 *   `due_at`, the others wait with `due_at` NULL, so the claim's range scan over `due_at` never
 *   sees a backlog and no two deliveries of the lane can be leased at once.
 * - `deliveries_fifo_lane_index` (endpoint_id, status, due_at, message_id, id) finds a lane's head
 *   (due_at not null) and its next row (due_at null, lowest message id) without reading the lane.
 * - `endpoints.auth`: JSON `{type, …}` whose `password` / `client_secret` are sealed like the
 *   signing secret when DISPATCH_ENCRYPTION_KEY is set.
 * - `endpoints_ordering_index` lets the lane sweep list fifo endpoints without reading every endpoint.
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('endpoints', (t) => {
    t.string('ordering', 8).notNullable().defaultTo('none');
    t.text('auth').nullable();
    t.index(['ordering'], 'endpoints_ordering_index');
  });
  await knex.schema.alterTable('deliveries', (t) => {
    t.index(['endpoint_id', 'status', 'due_at', 'message_id', 'id'], 'deliveries_fifo_lane_index');
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('deliveries', (t) =>
    t.dropIndex(['endpoint_id', 'status', 'due_at', 'message_id', 'id'], 'deliveries_fifo_lane_index'),
  );
  await knex.schema.alterTable('endpoints', (t) => {
    t.dropIndex(['ordering'], 'endpoints_ordering_index');
    t.dropColumn('auth');
    t.dropColumn('ordering');
  });
}
