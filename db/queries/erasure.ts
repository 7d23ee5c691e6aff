import type { Knex } from 'knex';
import type { DbOrTx } from '../index.js';

/** What erasing a recipient deleted (CONTRACT §8.6). */
export interface ErasureCounts {
  endpoints: number;
  messages: number;
  attempts: number;
}

/** Rows read and deleted per statement: every step is a short statement, never a long lock. */
const ROWS_PER_BATCH = 500;
/** Endpoint ids per `IN (…)` list. */
const ENDPOINTS_PER_BATCH = 100;

/**
 * Erases a recipient (CONTRACT §8.6, §8.7) in batches of short statements: its portal sessions
 * first (its developers lose access at once), then the attempts and deliveries at its endpoints
 * (broadcast messages stay, their deliveries to the recipient go), then every message that
 * targeted it with its attempts, deliveries and idempotency keys, then its endpoints and the
 * recipient row. Messages and attempts written while it ran (a send or an attempt in flight) are
 * swept once more after the recipient row is gone (and `hooks.recipientGone` has let the caller
 * drop cached copies of it), when nothing new can name it.
 */
export async function eraseRecipient(
  db: DbOrTx,
  target: { appId: string; recipientId: string },
  hooks: { recipientGone?: () => void | Promise<void> } = {},
): Promise<ErasureCounts> {
  const counts: ErasureCounts = { endpoints: 0, messages: 0, attempts: 0 };
  await db('portal_sessions').where('recipient_id', target.recipientId).del();
  const endpointIds = await listEndpointIds(db, target.recipientId);
  counts.attempts += await deleteEndpointWork(db, endpointIds);
  await eraseTargetedMessages(db, target, counts);
  // endpoints created meanwhile are erased too (their ids join the final attempt sweep)
  for (;;) {
    const ids = await listEndpointIds(db, target.recipientId, ENDPOINTS_PER_BATCH);
    if (ids.length === 0) break;
    for (const id of ids) if (!endpointIds.includes(id)) endpointIds.push(id);
    counts.attempts += await deleteEndpointWork(db, ids);
    counts.endpoints += await db('endpoints').whereIn('id', ids).del();
  }
  await db('recipients').where({ id: target.recipientId, app_id: target.appId }).del();
  // the caller forgets (and lets other processes forget) cached copies of the recipient here
  await hooks.recipientGone?.();
  await eraseTargetedMessages(db, target, counts);
  counts.attempts += await deleteEndpointWork(db, endpointIds);
  return counts;
}

async function listEndpointIds(db: DbOrTx, recipientId: string, limit?: number): Promise<string[]> {
  const query = db('endpoints').where('recipient_id', recipientId).orderBy('id', 'asc').select('id');
  if (limit !== undefined) void query.limit(limit);
  const rows = (await query) as { id: string }[];
  return rows.map((row) => row.id);
}

/** Deletes the attempts and deliveries at these endpoints, a batch at a time; returns the attempts deleted. */
async function deleteEndpointWork(db: DbOrTx, endpointIds: string[]): Promise<number> {
  let attempts = 0;
  for (let i = 0; i < endpointIds.length; i += ENDPOINTS_PER_BATCH) {
    const chunk = endpointIds.slice(i, i + ENDPOINTS_PER_BATCH);
    attempts += await deleteInBatches(db, 'attempts', (q) => q.whereIn('endpoint_id', chunk));
    await deleteInBatches(db, 'deliveries', (q) => q.whereIn('endpoint_id', chunk));
  }
  return attempts;
}

/** Deletes every row of `table` the condition selects, ROWS_PER_BATCH ids at a time; returns the count. */
async function deleteInBatches(
  db: DbOrTx,
  table: 'attempts' | 'deliveries',
  where: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = (await where(db(table)).select('id').limit(ROWS_PER_BATCH)) as { id: string }[];
    if (rows.length === 0) return deleted;
    deleted += await db(table)
      .whereIn(
        'id',
        rows.map((row) => row.id),
      )
      .del();
  }
}

/**
 * Deletes the messages that targeted only this recipient (`recipient_id` names it), each batch in
 * one transaction with its attempts, deliveries and idempotency keys; adds to `counts`.
 */
async function eraseTargetedMessages(db: DbOrTx, target: { appId: string; recipientId: string }, counts: ErasureCounts): Promise<void> {
  for (;;) {
    const rows = await db('messages')
      .where({ recipient_id: target.recipientId, app_id: target.appId })
      .orderBy('id', 'asc')
      .limit(ROWS_PER_BATCH)
      .select<{ id: string }[]>('id');
    if (rows.length === 0) return;
    const ids = rows.map((row) => row.id);
    await db.transaction(async (tx) => {
      counts.attempts += await tx('attempts').whereIn('message_id', ids).del();
      await tx('deliveries').whereIn('message_id', ids).del();
      await tx('idempotency_keys').whereIn('message_id', ids).del();
      counts.messages += await tx('messages').whereIn('id', ids).del();
    });
  }
}
