import type { DbOrTx } from '../index.js';
import { isUniqueViolation } from '../errors.js';
import { toNumber } from './json.js';

/** How long an idempotency key holds (CONTRACT: 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Reserves an idempotency key for a new message inside the accepting transaction. The primary
 * key (app_id, idempotency_key) makes concurrent duplicates collide: returns false when the key
 * is already held (the caller rolls back and answers with the holder's message).
 */
export async function reserveIdempotencyKey(db: DbOrTx, appId: string, key: string, messageId: string, now: number): Promise<boolean> {
  try {
    await db('idempotency_keys').insert({ app_id: appId, idempotency_key: key, message_id: messageId, created_at: now });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** The message id a key points at, with when the key was taken. */
export async function findIdempotencyKey(db: DbOrTx, appId: string, key: string): Promise<{ messageId: string; createdAt: number } | null> {
  const row = await db('idempotency_keys')
    .where({ app_id: appId, idempotency_key: key })
    .first<{ message_id: string; created_at: number | string } | undefined>();
  return row ? { messageId: row.message_id, createdAt: toNumber(row.created_at) } : null;
}

/** Drops a key older than the TTL so it can be reused; only that exact old row is removed. */
export async function deleteExpiredIdempotencyKey(db: DbOrTx, appId: string, key: string, createdAt: number): Promise<void> {
  await db('idempotency_keys').where({ app_id: appId, idempotency_key: key, created_at: createdAt }).delete();
}
