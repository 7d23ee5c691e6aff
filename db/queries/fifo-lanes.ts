import type { Knex } from 'knex';
import { isMysql, type DbOrTx } from '../index.js';

/**
 * Ordered (fifo) endpoints (CONTRACT §8 `ordering`). The pending deliveries of a fifo endpoint
 * form its lane, in accept order: message id (creation millisecond, then a monotonic part), then
 * delivery id. Only the lane's head has a `due_at`; every other row waits with `due_at` NULL and
 * its `next_attempt_at` kept. So the claim (claimDueDeliveries, a range scan over `due_at`) can
 * only ever see the head, whatever the backlog, and no two rows of a lane are leased at once in
 * any number of processes. The head keeps being the head through retries (its `due_at` is the
 * next attempt) and through a crash (its `due_at` is the lease expiry); the next row becomes due
 * only once the head has left `pending` (succeeded, failed for good, held, discarded, deleted).
 *
 * Every writer that changes a lane's membership calls {@link settleLanes} in its transaction;
 * it serialises on the endpoint row (FOR UPDATE on MySQL, the single writer on SQLite) so two
 * processes never promote two heads. {@link repairLanes} is the safety net for lanes left without a
 * head by a crash between two transactions.
 */

export type Ordering = 'none' | 'fifo';

/** Rows per UPDATE … WHERE id IN (…). */
const CHUNK = 500;

interface HeadRow {
  id: string;
  message_id: string | null;
  locked_by: string | null;
}

const byAcceptOrder = (a: HeadRow, b: HeadRow) =>
  (a.message_id ?? '') < (b.message_id ?? '') ? -1 : (a.message_id ?? '') > (b.message_id ?? '') ? 1 : a.id < b.id ? -1 : 1;

/** The lane rows that are due or leased: its head (more than one only after ordering was switched on). */
async function laneHeads(tx: DbOrTx, endpointId: string): Promise<HeadRow[]> {
  return tx('deliveries')
    .where({ endpoint_id: endpointId, status: 'pending' })
    .whereNotNull('due_at')
    .select<HeadRow[]>('id', 'message_id', 'locked_by');
}

/** Makes the row after the head due (at its scheduled time): the lane has no head. */
async function promoteNext(tx: DbOrTx, endpointId: string, now: number): Promise<number> {
  const next = await tx('deliveries')
    .where({ endpoint_id: endpointId, status: 'pending' })
    .whereNull('due_at')
    .orderBy([
      { column: 'message_id', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .first<{ id: string } | undefined>('id');
  if (!next) return 0;
  return tx('deliveries')
    .where({ id: next.id, status: 'pending' })
    .whereNull('due_at')
    .update({ due_at: tx.raw('coalesce(next_attempt_at, ?)', [now]) });
}

/** Leaves exactly one head: every row being attempted stays; the others wait again (keeping their schedule). */
async function demoteExtraHeads(tx: DbOrTx, heads: HeadRow[]): Promise<void> {
  const leased = heads.filter((row) => row.locked_by !== null);
  const keep = leased.length > 0 ? new Set(leased.map((row) => row.id)) : new Set([[...heads].sort(byAcceptOrder)[0].id]);
  const waiting = heads.filter((row) => !keep.has(row.id)).map((row) => row.id);
  for (let i = 0; i < waiting.length; i += CHUNK) {
    await tx('deliveries')
      .whereIn('id', waiting.slice(i, i + CHUNK))
      .where({ status: 'pending' })
      .whereNull('locked_by')
      .update({ due_at: null });
  }
}

/** A lane of an endpoint that is not (or no longer) fifo: every waiting row becomes due on its schedule. */
async function openLane(tx: DbOrTx, endpointId: string, now: number): Promise<number> {
  return tx('deliveries')
    .where({ endpoint_id: endpointId, status: 'pending' })
    .whereNull('due_at')
    .update({ due_at: tx.raw('coalesce(next_attempt_at, ?)', [now]) });
}

async function settle(tx: Knex.Transaction, endpointIds: string[], now: number): Promise<number> {
  // ascending ids: the lock order of every writer of endpoint rows (accept, attempt recorder)
  const select = tx('endpoints')
    .whereIn('id', endpointIds)
    .orderBy('id', 'asc')
    .select<{ id: string; ordering: string }[]>('id', 'ordering');
  if (isMysql(tx)) select.forUpdate();
  let changed = 0;
  for (const endpoint of await select) {
    if (endpoint.ordering !== 'fifo') {
      changed += await openLane(tx, endpoint.id, now);
      continue;
    }
    const heads = await laneHeads(tx, endpoint.id);
    if (heads.length === 0) changed += await promoteNext(tx, endpoint.id, now);
    else if (heads.length > 1) await demoteExtraHeads(tx, heads);
  }
  return changed;
}

/**
 * Restores each endpoint's lane rule after its pending deliveries changed: a fifo lane without a
 * head gets its next row (in accept order) due at that row's scheduled time; a lane with several
 * due rows keeps one (those being attempted, else the earliest); an endpoint that is not fifo
 * has every waiting row made due. Locks the endpoint rows (ascending id) on MySQL, so call it in
 * the transaction that changed the lane; given a plain handle it opens its own. Returns the
 * number of rows made due.
 */
export async function settleLanes(db: DbOrTx, endpointIds: readonly string[], now: number): Promise<number> {
  const ids = [...new Set(endpointIds)].sort();
  if (ids.length === 0) return 0;
  let changed = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    changed +=
      'isTransaction' in db && db.isTransaction
        ? await settle(db as Knex.Transaction, part, now)
        : await (db as Knex).transaction((tx) => settle(tx, part, now));
  }
  return changed;
}

/** Of `endpointIds`, those whose ordering is fifo (new deliveries to them wait in their lane). */
export async function findFifoEndpoints(db: DbOrTx, endpointIds: readonly string[]): Promise<Set<string>> {
  const ids = [...new Set(endpointIds)];
  const fifo = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db('endpoints')
      .whereIn('id', ids.slice(i, i + CHUNK))
      .andWhere('ordering', 'fifo')
      .select<{ id: string }[]>('id');
    for (const row of rows) fifo.add(row.id);
  }
  return fifo;
}

/**
 * Fifo endpoints after `afterId` whose lane breaks the rule: rows waiting but no head (a crash
 * between a head's end and the promotion, which is normally one transaction), or more than one
 * due row. Each test reads a few entries of deliveries_fifo_lane_index, never a whole lane.
 */
export async function listLanesToRepair(db: DbOrTx, afterId: string, limit: number): Promise<string[]> {
  const lane = (q: Knex.QueryBuilder) =>
    q.from('deliveries').whereRaw('deliveries.endpoint_id = endpoints.id').andWhere('deliveries.status', 'pending');
  const rows = await db('endpoints')
    .where('ordering', 'fifo')
    .andWhere('id', '>', afterId)
    .andWhere((q) =>
      q
        .where((stranded) =>
          stranded
            .whereExists((w) => lane(w.select(db.raw('1'))).whereNull('deliveries.due_at'))
            .whereNotExists((h) => lane(h.select(db.raw('1'))).whereNotNull('deliveries.due_at')),
        )
        .orWhere(db.raw('(?) > 1', [lane(db.queryBuilder().count({ n: '*' })).whereNotNull('deliveries.due_at')])),
    )
    .orderBy('id', 'asc')
    .limit(limit)
    .select<{ id: string }[]>('id');
  return rows.map((row) => row.id);
}

/**
 * The safety net run by every dispatcher now and then: settles every fifo lane that lost its
 * head or has too many. Returns the number of rows made due.
 */
export async function repairLanes(db: DbOrTx, now: number, batch = 100): Promise<number> {
  let changed = 0;
  for (let after = '', pages = 0; pages < 1_000; pages++) {
    const ids = await listLanesToRepair(db, after, batch);
    if (ids.length > 0) changed += await settleLanes(db, ids, now);
    if (ids.length < batch) break;
    after = ids[ids.length - 1];
  }
  return changed;
}
