import type { Knex } from 'knex';

/**
 * Several destinations per source (CONTRACT §9.3). `sources.destinations` holds the JSON array
 * (`[]` = store only); every existing `destination` moves into it as `destinations[0]`, and the old
 * column is left empty but kept: dropping a column on SQLite rebuilds the table, and rebuilding
 * `sources` would cascade-delete its events through their foreign key. A row whose `destinations`
 * is still NULL (written by an older process during an upgrade) is read from `destination`
 * (db/queries/sources.ts). Each forward delivery names the destination it goes to with
 * `deliveries.destination_index` (0 for every forward queued before).
 */
export async function up(knex: Knex) {
  await knex.schema.alterTable('sources', (t) => {
    // up to 10 destinations with 8 KiB header values and 4 KiB filters: more than MySQL's 64 KiB TEXT
    t.text('destinations', 'mediumtext').nullable();
  });
  await knex.schema.alterTable('deliveries', (t) => {
    t.integer('destination_index').notNullable().defaultTo(0);
  });
  await moveDestinations(knex);
}

/** Moves `destination` into `destinations` in batches (sources are few; no long lock). */
async function moveDestinations(knex: Knex): Promise<void> {
  for (;;) {
    const rows = await knex('sources')
      .whereNull('destinations')
      .orderBy('id')
      .limit(500)
      .select<{ id: string; destination: string | null }[]>('id', 'destination');
    if (rows.length === 0) return;
    for (const row of rows) {
      const destinations = row.destination === null || row.destination === '' ? '[]' : `[${row.destination}]`;
      await knex('sources').where({ id: row.id }).update({ destinations, destination: null });
    }
  }
}

export async function down(knex: Knex) {
  for (;;) {
    const rows = await knex('sources')
      .whereNotNull('destinations')
      .orderBy('id')
      .limit(500)
      .select<{ id: string; destinations: string }[]>('id', 'destinations');
    if (rows.length === 0) break;
    for (const row of rows) {
      const [first] = JSON.parse(row.destinations) as Record<string, unknown>[];
      const destination = first ? JSON.stringify({ url: first.url, headers: first.headers, rate_limit: first.rate_limit }) : null;
      await knex('sources').where({ id: row.id }).update({ destination, destinations: null });
    }
  }
  // plain DROP COLUMN (SQLite 3.35+ and MySQL): knex's SQLite path would rebuild the tables
  await knex.raw('ALTER TABLE deliveries DROP COLUMN destination_index');
  await knex.raw('ALTER TABLE sources DROP COLUMN destinations');
}
