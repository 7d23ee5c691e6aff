import type { Knex } from 'knex';
import type { Db } from '../index.js';
import { isMysql } from '../index.js';
import { toNumber } from './json.js';

export interface SlotRequest {
  targetId: string;
  /** The table holding the target row, locked FOR UPDATE so reservations of one target serialise. */
  lockTable: 'endpoints' | 'sources';
  /** Whose stamps are counted (default `targetId`): one source's destinations each have their own. */
  stampKey?: string;
  limit: number;
  windowMs: number;
}

export type SlotResult = { granted: true; sentAt: number; stampId: number } | { granted: false; freeAt: number };

/**
 * Reserves one send for a rate-limited target, shared by every process on the database: inside
 * one transaction that locks the target row, counts the stamps in the last `windowMs`; when
 * fewer than `limit`, records a stamp and grants; otherwise answers when the oldest stamp that
 * blocks leaves the window. Stamps older than the window are purged on the way.
 */
export async function reserveSendSlot(db: Db, request: SlotRequest, clock: () => number): Promise<SlotResult> {
  return db.transaction(async (tx: Knex.Transaction) => {
    if (isMysql(tx)) await tx(request.lockTable).where({ id: request.targetId }).forUpdate().select('id');
    // read the time only once the lock is held: the stamp must not predate a competitor's
    const now = clock();
    const stampKey = request.stampKey ?? request.targetId;
    const recent = await tx('rate_limit_sends')
      .where({ target_id: stampKey })
      .andWhere('sent_at', '>', now - request.windowMs)
      .orderBy('sent_at', 'desc')
      .limit(request.limit)
      .select<{ sent_at: number | string }[]>('sent_at');
    if (recent.length >= request.limit) {
      return { granted: false as const, freeAt: toNumber(recent[request.limit - 1].sent_at) + request.windowMs };
    }
    await tx('rate_limit_sends')
      .where({ target_id: stampKey })
      .andWhere('sent_at', '<=', now - request.windowMs)
      .delete();
    const [stampId] = await tx('rate_limit_sends').insert({ target_id: stampKey, sent_at: now });
    return { granted: true as const, sentAt: now, stampId: Number(stampId) };
  });
}

/** Removes stamps too old to matter to any window (a periodic sweep for targets gone quiet). */
export async function purgeSendStamps(db: Db, olderThan: number): Promise<number> {
  return db('rate_limit_sends').where('sent_at', '<', olderThan).delete();
}

/** Gives a reserved send back (the send did not happen in time), freeing its slot. */
export async function cancelSendStamp(db: Db, stampId: number): Promise<void> {
  await db('rate_limit_sends').where({ id: stampId }).delete();
}
