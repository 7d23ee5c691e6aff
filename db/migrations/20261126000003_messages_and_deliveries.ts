import type { Knex } from 'knex';
import { createTable, idColumn } from './table.js';

/**
 * Messages, the delivery work rows the dispatcher claims, and the attempt log. `deliveries` and
 * `attempts` serve both directions: outbound rows carry message_id/endpoint_id, ingest forwards
 * carry event_id/source_id.
 */
export async function up(knex: Knex) {
  await createTable(knex, 'messages', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    idColumn(t, 'app_id').notNullable().references('id').inTable('apps').onDelete('CASCADE');
    t.string('event_type', 256).notNullable();
    idColumn(t, 'recipient_id').nullable();
    t.string('event_id', 256).nullable();
    t.text('payload', 'longtext').nullable();
    t.boolean('payload_expired').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.index(['app_id', 'id']);
    t.index(['created_at']);
  });
  await createTable(knex, 'idempotency_keys', (t) => {
    idColumn(t, 'app_id').notNullable().references('id').inTable('apps').onDelete('CASCADE');
    t.string('idempotency_key', 256).notNullable();
    idColumn(t, 'message_id').notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['app_id', 'idempotency_key']);
    t.index(['created_at']);
  });
  await createTable(knex, 'deliveries', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    idColumn(t, 'message_id').nullable().references('id').inTable('messages').onDelete('CASCADE');
    idColumn(t, 'endpoint_id').nullable().references('id').inTable('endpoints').onDelete('CASCADE');
    idColumn(t, 'event_id').nullable();
    idColumn(t, 'source_id').nullable();
    t.string('trigger', 16).notNullable();
    t.string('status', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable();
    // when the next attempt is scheduled (shown to users); null once finished
    t.bigInteger('next_attempt_at').nullable();
    // when the dispatcher may claim the row: next_attempt_at, or the lease expiry while claimed
    t.bigInteger('due_at').nullable();
    t.string('locked_by', 64).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['due_at']);
    t.index(['message_id']);
    t.index(['endpoint_id', 'status']);
    t.index(['event_id']);
    t.index(['source_id', 'status']);
  });
  await createTable(knex, 'attempts', (t) => {
    idColumn(t).primary();
    idColumn(t, 'workspace_id').notNullable();
    idColumn(t, 'delivery_id').notNullable();
    idColumn(t, 'message_id').nullable().references('id').inTable('messages').onDelete('CASCADE');
    idColumn(t, 'endpoint_id').nullable();
    idColumn(t, 'event_id').nullable();
    idColumn(t, 'source_id').nullable();
    t.integer('attempt').notNullable();
    t.string('trigger', 16).notNullable();
    t.string('status', 16).notNullable();
    t.integer('response_status').nullable();
    t.text('response_body').nullable();
    t.string('error', 32).nullable();
    t.integer('duration_ms').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['message_id', 'id']);
    t.index(['endpoint_id', 'id']);
    t.index(['event_id', 'id']);
    t.index(['source_id', 'id']);
    t.index(['created_at']);
  });
  // send stamps for per-endpoint rate limits shared by every process on the database
  await createTable(knex, 'rate_limit_sends', (t) => {
    t.increments('id').primary();
    idColumn(t, 'target_id').notNullable();
    t.bigInteger('sent_at').notNullable();
    t.index(['target_id', 'sent_at']);
  });
}

export async function down(knex: Knex) {
  for (const name of ['rate_limit_sends', 'attempts', 'deliveries', 'idempotency_keys', 'messages']) await knex.schema.dropTable(name);
}
