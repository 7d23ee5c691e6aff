import type { DbOrTx } from '../index.js';
import { toNumber } from './json.js';

/**
 * Retention purges, each one bounded batch: the ids are picked with a plain (non-locking) read,
 * then one short UPDATE/DELETE by primary key, so no statement holds locks for long and the
 * delivery path is never blocked behind a big purge. Every function returns the rows it changed;
 * the caller repeats while a full batch came back.
 */

/**
 * Drops the payloads of messages created before `before` (the row stays, `payload_expired` = 1).
 * A message with a delivery still pending keeps its payload until that delivery finishes.
 */
export async function expireMessagePayloads(db: DbOrTx, before: number, limit: number): Promise<number> {
  const rows = await db('messages as m')
    .where('m.payload_expired', 0)
    .andWhere('m.created_at', '<', before)
    .whereNotExists((q) =>
      q.select(db.raw('1')).from('deliveries as d').whereRaw('d.message_id = m.id').whereIn('d.status', ['pending', 'held']),
    )
    .orderBy('m.created_at', 'asc')
    .limit(limit)
    .select<{ id: string }[]>('m.id');
  if (rows.length === 0) return 0;
  await db('messages')
    .whereIn(
      'id',
      rows.map((row) => row.id),
    )
    .andWhere('payload_expired', 0)
    .update({ payload: null, payload_expired: 1 });
  return rows.length;
}

/** Drops the bodies of ingest events received before `before` (`body_expired` = 1), except while a forward is pending. */
export async function expireEventBodies(db: DbOrTx, before: number, limit: number): Promise<number> {
  const rows = await db('events as e')
    .where('e.body_expired', 0)
    .andWhere('e.created_at', '<', before)
    .whereNotExists((q) => q.select(db.raw('1')).from('deliveries as d').whereRaw('d.event_id = e.id').andWhere('d.status', 'pending'))
    .orderBy('e.created_at', 'asc')
    .limit(limit)
    .select<{ id: string }[]>('e.id');
  if (rows.length === 0) return 0;
  await db('events')
    .whereIn(
      'id',
      rows.map((row) => row.id),
    )
    .andWhere('body_expired', 0)
    .update({ body: null, body_expired: 1 });
  return rows.length;
}

/**
 * Drops the response bodies of attempts made in [since, before). Attempts have no "expired"
 * flag, so the caller passes `since` (how far it already got) to keep the scan to new rows.
 * Returns how many rows it cleared and the created_at of the last one (the next `since`).
 */
export async function clearAttemptResponses(
  db: DbOrTx,
  since: number,
  before: number,
  limit: number,
): Promise<{ count: number; lastCreatedAt: number | null }> {
  const rows = await db('attempts')
    .where('created_at', '>=', since)
    .andWhere('created_at', '<', before)
    .whereNotNull('response_body')
    .orderBy('created_at', 'asc')
    .limit(limit)
    .select<{ id: string; created_at: number | string }[]>('id', 'created_at');
  if (rows.length === 0) return { count: 0, lastCreatedAt: null };
  await db('attempts')
    .whereIn(
      'id',
      rows.map((row) => row.id),
    )
    .update({ response_body: null });
  return { count: rows.length, lastCreatedAt: toNumber(rows[rows.length - 1].created_at) };
}

/** Deletes idempotency keys taken before `before` (they no longer dedupe anything). */
export async function deleteIdempotencyKeys(db: DbOrTx, before: number, limit: number): Promise<number> {
  const rows = await db('idempotency_keys')
    .where('created_at', '<', before)
    .orderBy('created_at', 'asc')
    .limit(limit)
    .select<{ app_id: string; idempotency_key: string }[]>('app_id', 'idempotency_key');
  if (rows.length === 0) return 0;
  // the created_at guard keeps a key re-taken in the meantime
  await db('idempotency_keys')
    .whereIn(
      ['app_id', 'idempotency_key'],
      rows.map((row) => [row.app_id, row.idempotency_key]),
    )
    .andWhere('created_at', '<', before)
    .delete();
  return rows.length;
}

/** Deletes rate-limit send stamps older than `before` (no window looks back that far). */
export async function deleteSendStamps(db: DbOrTx, before: number, limit: number): Promise<number> {
  const rows = await db('rate_limit_sends')
    .where('sent_at', '<', before)
    .orderBy('sent_at', 'asc')
    .limit(limit)
    .select<{ id: number }[]>('id');
  if (rows.length === 0) return 0;
  await db('rate_limit_sends')
    .whereIn(
      'id',
      rows.map((row) => row.id),
    )
    .delete();
  return rows.length;
}

/** Deletes portal sessions that expired before `before` (their tokens answer 401 already). */
export async function deleteExpiredPortalSessions(db: DbOrTx, before: number, limit: number): Promise<number> {
  const rows = await db('portal_sessions').where('expires_at', '<', before).limit(limit).select<{ id: string }[]>('id');
  if (rows.length === 0) return 0;
  await db('portal_sessions')
    .whereIn(
      'id',
      rows.map((row) => row.id),
    )
    .delete();
  return rows.length;
}
