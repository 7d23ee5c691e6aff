import type { Knex } from 'knex';

/**
 * Lets the retention worker find what is still to purge without walking everything it already
 * purged: a range scan over (expired flag = 0, created_at < cutoff) touches only live payloads.
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('messages', (t) => {
    t.index(['payload_expired', 'created_at'], 'messages_retention_index');
  });
  await knex.schema.alterTable('events', (t) => {
    t.index(['body_expired', 'created_at'], 'events_retention_index');
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('events', (t) => t.dropIndex(['body_expired', 'created_at'], 'events_retention_index'));
  await knex.schema.alterTable('messages', (t) => t.dropIndex(['payload_expired', 'created_at'], 'messages_retention_index'));
}
