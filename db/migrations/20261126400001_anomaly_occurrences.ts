import type { Knex } from 'knex';

/**
 * What the anomaly engine needs to count recurrences exactly across processes: `occurrence_key`
 * names the evidence behind the last sighting (e.g. the failure streak length, the newest rejected
 * event), so two processes observing the same evidence bump `count` once, not twice.
 * `resolved_manually` lets a detector leave alone a condition an operator closed by hand until it
 * recurs with new evidence.
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('anomalies', (t) => {
    t.string('occurrence_key', 128).nullable();
    t.boolean('resolved_manually').notNullable().defaultTo(false);
    t.index(['subject_id', 'type', 'id']);
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('anomalies', (t) => {
    t.dropIndex(['subject_id', 'type', 'id']);
    t.dropColumn('resolved_manually');
    t.dropColumn('occurrence_key');
  });
}
