import type { Knex } from 'knex';

/**
 * Indexes for erasing a recipient (CONTRACT §8.6) in small batches: its targeted messages in id
 * order (also what the message list filtered by recipient reads), and the idempotency keys of a
 * message, so each batch reads only the rows it deletes however large the app.
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('messages', (t) => {
    t.index(['recipient_id', 'id'], 'messages_recipient_index');
  });
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.index(['message_id'], 'idempotency_keys_message_index');
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('idempotency_keys', (t) => t.dropIndex(['message_id'], 'idempotency_keys_message_index'));
  await knex.schema.alterTable('messages', (t) => t.dropIndex(['recipient_id', 'id'], 'messages_recipient_index'));
}
