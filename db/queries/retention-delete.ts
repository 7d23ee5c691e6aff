import type { Knex } from 'knex';
import type { DbOrTx } from '../index.js';

/**
 * Row deletion past the second retention horizon (`DISPATCH_RETENTION_DELETE_AFTER`). Like the
 * purges in retention.ts every statement is bounded: the ids are picked with a plain read over
 * an indexed range, then deleted by key in chunks, children (attempts, deliveries) before their
 * message or event so no statement cascades into an unbounded delete.
 */

/** Delivery states the dispatcher or an operator may still act on: such a row and its message stay. */
const LIVE_DELIVERY_STATUSES = ['pending', 'held'] as const;
/**
 * Event states that still lead to a forward: a paused source's `held` events are queued on resume.
 * A `pending` event without a pending delivery (store-only source) leads nowhere on its own.
 */
const LIVE_EVENT_STATUSES = ['held'] as const;

/** What one batch deleted. `selected` is how many messages/events it picked (the caller loops while a full batch came back). */
export interface DeletedRows {
  selected: number;
  parents: number;
  deliveries: number;
  attempts: number;
}

/**
 * Deletes rows of `table` matching `where`, `chunk` primary keys per statement, and returns how
 * many went. Each statement touches at most `chunk` rows, so it holds its locks only briefly.
 */
async function deleteInChunks(db: DbOrTx, table: string, where: (q: Knex.QueryBuilder) => void, chunk: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = (await db(table).where(where).limit(chunk).pluck('id')) as string[];
    if (ids.length === 0) return deleted;
    deleted += await db(table).whereIn('id', ids).where(where).delete();
    if (ids.length < chunk) return deleted;
  }
}

/**
 * Deletes up to `limit` messages created before `before` with their attempts and deliveries,
 * oldest first. A message with a delivery still pending or held is skipped, rows and all.
 */
export async function deleteOldMessages(db: DbOrTx, before: number, limit: number): Promise<DeletedRows> {
  const ids = (await db('messages as m')
    .where('m.created_at', '<', before)
    .whereNotExists((q) =>
      q.select(db.raw('1')).from('deliveries as d').whereRaw('d.message_id = m.id').whereIn('d.status', LIVE_DELIVERY_STATUSES),
    )
    .orderBy('m.created_at', 'asc')
    .limit(limit)
    .pluck('m.id')) as string[];
  if (ids.length === 0) return { selected: 0, parents: 0, deliveries: 0, attempts: 0 };
  const attempts = await deleteInChunks(db, 'attempts', (q) => q.whereIn('message_id', ids), limit);
  // the status guard re-checks at delete time: a delivery that became live meanwhile stays
  const deliveries = await deleteInChunks(
    db,
    'deliveries',
    (q) => q.whereIn('message_id', ids).whereNotIn('status', LIVE_DELIVERY_STATUSES),
    limit,
  );
  // no alias on the deleted table: MariaDB takes none in a single-table DELETE
  const parents = await db('messages')
    .whereIn('id', ids)
    .whereNotExists((q) => q.select(db.raw('1')).from('deliveries').whereRaw('deliveries.message_id = messages.id'))
    .delete();
  return { selected: ids.length, parents, deliveries, attempts };
}

/**
 * Deletes up to `limit` ingest events received before `before` with their forward attempts and
 * deliveries. A held event, or one with a forward still pending or held, is skipped.
 */
export async function deleteOldEvents(db: DbOrTx, before: number, limit: number): Promise<DeletedRows> {
  const ids = (await db('events as e')
    .where('e.created_at', '<', before)
    .whereNotIn('e.status', LIVE_EVENT_STATUSES)
    .whereNotExists((q) =>
      q.select(db.raw('1')).from('deliveries as d').whereRaw('d.event_id = e.id').whereIn('d.status', LIVE_DELIVERY_STATUSES),
    )
    .orderBy('e.created_at', 'asc')
    .limit(limit)
    .pluck('e.id')) as string[];
  if (ids.length === 0) return { selected: 0, parents: 0, deliveries: 0, attempts: 0 };
  const attempts = await deleteInChunks(db, 'attempts', (q) => q.whereIn('event_id', ids), limit);
  const deliveries = await deleteInChunks(
    db,
    'deliveries',
    (q) => q.whereIn('event_id', ids).whereNotIn('status', LIVE_DELIVERY_STATUSES),
    limit,
  );
  const parents = await db('events')
    .whereIn('id', ids)
    .whereNotIn('status', LIVE_EVENT_STATUSES)
    .whereNotExists((q) => q.select(db.raw('1')).from('deliveries').whereRaw('deliveries.event_id = events.id'))
    .delete();
  return { selected: ids.length, parents, deliveries, attempts };
}
