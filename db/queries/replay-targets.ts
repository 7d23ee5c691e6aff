import type { Knex } from 'knex';
import { isMysql, type DbOrTx } from '../index.js';
import { insertDeliveries } from './deliveries.js';

/**
 * Restricts a query over messages `m` and endpoints `e` to the pairs a replay or recover may
 * send (CONTRACT §8.4, §8.7): same app, and the message was broadcast, or targeted the
 * endpoint's recipient, or was already scheduled to that endpoint. Only a `scheduled` delivery
 * counts: replay and recover deliveries never widen the targets, so one written before this rule
 * existed cannot be reused to reach another recipient.
 */
function whereReplayAllowed(db: DbOrTx, query: Knex.QueryBuilder): Knex.QueryBuilder {
  return query.whereRaw('e.app_id = m.app_id').andWhere((q) => {
    void q
      .whereNull('m.recipient_id')
      .orWhereRaw('m.recipient_id = e.recipient_id')
      .orWhereExists((n) =>
        n
          .select(db.raw('1'))
          .from('deliveries as ds')
          .whereRaw('ds.message_id = m.id and ds.endpoint_id = e.id')
          .andWhere('ds.trigger', 'scheduled'),
      );
  });
}

/**
 * Messages created in [since, until) whose latest delivery to the endpoint failed and whose
 * payload is still stored, and that the endpoint may receive: what `recover` re-sends.
 */
export async function findFailedMessageIds(db: DbOrTx, endpointId: string, since: number, until: number): Promise<string[]> {
  const query = db('deliveries as d')
    .join('messages as m', 'm.id', 'd.message_id')
    .join('endpoints as e', 'e.id', 'd.endpoint_id')
    .where('d.endpoint_id', endpointId)
    .andWhere('d.status', 'failed')
    .andWhere('m.created_at', '>=', since)
    .andWhere('m.created_at', '<', until)
    .andWhere('m.payload_expired', 0)
    .whereNotExists((n) =>
      n
        .select(db.raw('1'))
        .from('deliveries as d2')
        .whereRaw('d2.message_id = d.message_id and d2.endpoint_id = d.endpoint_id and d2.id > d.id'),
    );
  const rows = await whereReplayAllowed(db, query).orderBy('m.id', 'asc').select<{ id: string }[]>('m.id');
  return rows.map((row) => row.id);
}

/**
 * Of `endpointIds`, those a replay of message `messageId` may target (see whereReplayAllowed),
 * ascending by id: endpoints of another app, or of a recipient the message was not for, drop out.
 */
export async function filterReplayTargets(db: DbOrTx, messageId: string, endpointIds: string[]): Promise<string[]> {
  if (endpointIds.length === 0) return [];
  const query = db('endpoints as e')
    .join('messages as m', 'm.id', db.raw('?', [messageId]))
    .whereIn('e.id', endpointIds);
  const rows = await whereReplayAllowed(db, query).orderBy('e.id', 'asc').select<{ id: string }[]>('e.id');
  return rows.map((row) => row.id);
}

/** The endpoints a message was fanned out to (its scheduled deliveries), for replay. */
export async function findMessageEndpointIds(db: DbOrTx, messageId: string): Promise<string[]> {
  const rows = (await db('deliveries')
    .where({ message_id: messageId, trigger: 'scheduled' })
    .whereNotNull('endpoint_id')
    .distinct('endpoint_id')
    .orderBy('endpoint_id', 'asc')) as { endpoint_id: string }[];
  return rows.map((row) => row.endpoint_id);
}

const IDS_PER_READ = 500;

/** One (message, endpoint) pair a replay or recover delivery is created for. */
export interface ReplayPair {
  workspaceId: string;
  messageId: string;
  endpointId: string;
}

/**
 * Creates one single-attempt delivery (due now) per pair whose message and endpoint still exist,
 * in one short transaction, and returns how many it created. The pairs were chosen before: an
 * endpoint deleted or a message erased since then drops its pairs instead of failing the whole
 * batch on the foreign key. On MySQL the surviving rows are read FOR SHARE, so a concurrent
 * delete waits for this commit (and its cascade then removes what was just created).
 */
export async function insertExtraDeliveries(
  db: DbOrTx,
  pairs: readonly ReplayPair[],
  trigger: 'replay' | 'recover',
  now: number,
): Promise<number> {
  if (pairs.length === 0) return 0;
  return db.transaction(async (tx) => {
    const endpoints = await existingIds(tx, 'endpoints', [...new Set(pairs.map((pair) => pair.endpointId))]);
    const messages = await existingIds(tx, 'messages', [...new Set(pairs.map((pair) => pair.messageId))]);
    const live = pairs.filter((pair) => endpoints.has(pair.endpointId) && messages.has(pair.messageId));
    await insertDeliveries(
      tx,
      live.map((pair) => ({ ...pair, trigger, maxAttempts: 1, dueAt: now })),
      now,
    );
    return live.length;
  });
}

/** Of `ids`, those still in `table`, read in chunks (a recover may name many thousand messages). */
async function existingIds(tx: Knex.Transaction, table: 'endpoints' | 'messages', ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += IDS_PER_READ) {
    const query = tx(table)
      .whereIn('id', ids.slice(i, i + IDS_PER_READ))
      .select<{ id: string }[]>('id');
    for (const row of await (isMysql(tx) ? query.forShare() : query)) found.add(row.id);
  }
  return found;
}
