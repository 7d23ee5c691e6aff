import type { DbOrTx } from '../index.js';
import { findFifoEndpoints, settleLanes } from './fifo-lanes.js';
import { toBool, toNumber } from './json.js';

/**
 * Held deliveries (CONTRACT §8.2): a disabled endpoint's deliveries wait as `held` (not due, never
 * claimed) until it is re-enabled or they are discarded. Every bulk change here works in batches of
 * `batch` rows, one short statement each (no transaction spanning them), so a large backlog never
 * holds locks the dispatcher or the accept path would wait on.
 */

/** Rows per statement in the bulk changes. */
export const HELD_BATCH = 500;

async function inBatches(select: () => Promise<string[]>, update: (ids: string[]) => Promise<number>, batch: number): Promise<number> {
  let total = 0;
  // bounded: each round changes the rows it selected, so they are not selected again
  for (let round = 0; round < 1_000_000; round++) {
    const ids = await select();
    if (ids.length === 0) break;
    total += await update(ids);
    if (ids.length < batch) break;
  }
  return total;
}

const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

/**
 * Whether the endpoint is (still) disabled or enabled as the bulk change expects: checked before
 * each batch, so a PATCH flipping it back mid-way (or a stale signal) stops the change.
 */
async function endpointIs(db: DbOrTx, endpointId: string, disabled: boolean): Promise<boolean> {
  const row = await db('endpoints').where({ id: endpointId }).first<{ disabled: number | boolean } | undefined>('disabled');
  return row !== undefined && toBool(row.disabled) === disabled;
}

/**
 * The next batch of the endpoint's deliveries in `status`, oldest first, or none once the endpoint
 * is no longer in the state the bulk change expects. Pending rows under a lease are left to the
 * process that holds them.
 */
async function pickWhileEndpointIs(
  db: DbOrTx,
  pick: { endpointId: string; disabled: boolean; status: 'pending' | 'held'; batch: number },
): Promise<string[]> {
  if (!(await endpointIs(db, pick.endpointId, pick.disabled))) return [];
  const query = db('deliveries').where({ endpoint_id: pick.endpointId, status: pick.status });
  if (pick.status === 'pending') query.whereNull('locked_by');
  return ids(await query.orderBy('id', 'asc').limit(pick.batch).select<{ id: string }[]>('id'));
}

const held = (now: number) => ({ status: 'held', due_at: null, next_attempt_at: null, updated_at: now });

/**
 * Turns the endpoint's pending deliveries that no process holds a lease on into `held` while the
 * endpoint is disabled. Leased ones finish their attempt; a retry they schedule is held when the
 * dispatcher claims it (`holdClaimedDeliveries`). Returns how many were held.
 */
export async function holdPendingDeliveries(db: DbOrTx, endpointId: string, now: number, batch = HELD_BATCH): Promise<number> {
  return inBatches(
    () => pickWhileEndpointIs(db, { endpointId, disabled: true, status: 'pending', batch }),
    (picked) => db('deliveries').whereIn('id', picked).andWhere({ status: 'pending' }).whereNull('locked_by').update(held(now)),
    batch,
  );
}

/**
 * Turns the endpoint's held deliveries back to pending while it is enabled (it was re-enabled),
 * in accept order: due now, or, for a fifo endpoint, waiting in its lane (due_at NULL) until
 * settleLanes makes the lane's head due, so they go one at a time in accept order.
 */
export async function releaseHeldDeliveries(db: DbOrTx, endpointId: string, now: number, batch = HELD_BATCH): Promise<number> {
  const fifo = (await findFifoEndpoints(db, [endpointId])).has(endpointId);
  const released = await inBatches(
    () => pickWhileEndpointIs(db, { endpointId, disabled: false, status: 'held', batch }),
    (picked) =>
      db('deliveries')
        .whereIn('id', picked)
        .andWhere({ status: 'held' })
        .update({ status: 'pending', due_at: fifo ? null : now, next_attempt_at: now, updated_at: now }),
    batch,
  );
  if (fifo) await settleLanes(db, [endpointId], now);
  return released;
}

const discarded = (now: number) => ({ status: 'failed', last_error: 'discarded', due_at: null, next_attempt_at: null, updated_at: now });

/** Finishes the endpoint's held deliveries as failed with `last_error: discarded`; returns how many. */
export async function discardHeldDeliveries(db: DbOrTx, endpointId: string, now: number, batch = HELD_BATCH): Promise<number> {
  return inBatches(
    async () => ids(await db('deliveries').where({ endpoint_id: endpointId, status: 'held' }).limit(batch).select<{ id: string }[]>('id')),
    (picked) => db('deliveries').whereIn('id', picked).andWhere({ status: 'held' }).update(discarded(now)),
    batch,
  );
}

/** Held deliveries per endpoint (through the (endpoint_id, status) index); endpoints without any map to 0. */
export async function countHeldDeliveries(db: DbOrTx, endpointIds: string[]): Promise<Map<string, number>> {
  const counts = new Map(endpointIds.map((id) => [id, 0]));
  if (endpointIds.length === 0) return counts;
  const rows = await db('deliveries')
    .whereIn('endpoint_id', endpointIds)
    .andWhere({ status: 'held' })
    .groupBy('endpoint_id')
    .select('endpoint_id')
    .count<{ endpoint_id: string; n: number | string }[]>({ n: '*' });
  for (const row of rows) counts.set(row.endpoint_id, toNumber(row.n));
  return counts;
}

/**
 * Claimed deliveries whose endpoint turned out to be disabled: held instead of attempted, their
 * leases given back. Guarded by the lease token like every write of a claimed row.
 */
export async function holdClaimedDeliveries(db: DbOrTx, ids: string[], lockToken: string, now: number): Promise<number> {
  let changed = 0;
  for (let i = 0; i < ids.length; i += HELD_BATCH) {
    changed += await db('deliveries')
      .whereIn('id', ids.slice(i, i + HELD_BATCH))
      .andWhere({ locked_by: lockToken })
      .update({ ...held(now), locked_by: null });
  }
  return changed;
}

/**
 * Held deliveries of one status scan, through the (workspace_id, status, id) index: workspaces are
 * few, so this reads only held rows, however many deliveries there are.
 */
function heldRows(db: DbOrTx, limit: number) {
  return db('workspaces as w')
    .join('deliveries as d', (j) => j.on('d.workspace_id', '=', 'w.id').andOnVal('d.status', '=', 'held'))
    .limit(limit);
}

/** One batch of the retention rule: held deliveries created before `before` are discarded. Returns how many. */
export async function discardExpiredHeldDeliveries(db: DbOrTx, before: number, now: number, limit: number): Promise<number> {
  const picked = ids(await heldRows(db, limit).where('d.created_at', '<', before).select<{ id: string }[]>('d.id as id'));
  if (picked.length === 0) return 0;
  return db('deliveries').whereIn('id', picked).andWhere({ status: 'held' }).update(discarded(now));
}

/**
 * One batch of the safety net for a race on MySQL: a message accepted while its endpoint was
 * being re-enabled may commit a `held` delivery after the re-enable released the others. Held
 * deliveries of endpoints that are enabled are made pending, due now. Returns how many.
 */
export async function releaseStrandedHeldDeliveries(db: DbOrTx, now: number, limit: number): Promise<number> {
  const rows = await heldRows(db, limit)
    .join('endpoints as e', 'e.id', 'd.endpoint_id')
    .where('e.disabled', false)
    .select<{ id: string; endpoint_id: string }[]>('d.id as id', 'd.endpoint_id as endpoint_id');
  if (rows.length === 0) return 0;
  // waiting (due_at NULL) first: settleLanes then makes them due, one head at a time for a fifo endpoint
  const released = await db('deliveries')
    .whereIn('id', ids(rows))
    .andWhere({ status: 'held' })
    .update({ status: 'pending', due_at: null, next_attempt_at: now, updated_at: now });
  await settleLanes(
    db,
    rows.map((row) => row.endpoint_id),
    now,
  );
  return released;
}
