import type { Knex } from 'knex';
import { idColumn } from './table.js';

/**
 * Operational webhooks (CONTRACT §8.5): Dispatch delivers its own events (anomaly.opened,
 * message.failed, …) through its own pipeline, as messages of a system-owned app per workspace.
 * `apps.system_of` holds the workspace id on that app and NULL on every app a user creates: the
 * unique index lets a lazy create race safely (NULLs never collide on SQLite or MySQL), and every
 * user-facing app query filters on `system_of IS NULL`. Operational endpoints are ordinary
 * `endpoints` rows of that app with `oep_` ids, so they need no table of their own.
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('apps', (t) => {
    idColumn(t, 'system_of').nullable();
    t.unique(['system_of'], { indexName: 'apps_system_of_unique' });
  });
}

export async function down(knex: Knex) {
  await knex.schema.alterTable('apps', (t) => {
    t.dropUnique(['system_of'], 'apps_system_of_unique');
    t.dropColumn('system_of');
  });
}
