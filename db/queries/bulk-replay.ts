import type { DbOrTx } from '../index.js';
import type { ReplayPair } from './replay-targets.js';

/** What a bulk replay selects (CONTRACT §8.3, §8.7); the payload filter is applied by the caller. */
export interface BulkReplayCriteria {
  appId: string;
  /** Message creation time, inclusive. */
  since: number;
  /** Message creation time, exclusive. */
  until: number;
  eventType?: string;
  /** Pairs whose endpoint belongs to this recipient (targeted and broadcast messages alike). */
  recipientId?: string;
  endpointId?: string;
  /** Only pairs whose latest delivery failed. */
  failedOnly: boolean;
}

/**
 * The endpoints of the app a bulk replay may reach under the criteria (the recipient's, or the
 * one named), as a set to test pairs against: read once per bulk replay.
 */
export async function listReplayEndpointIds(db: DbOrTx, criteria: BulkReplayCriteria): Promise<ReadonlySet<string>> {
  const query = db('endpoints').where('app_id', criteria.appId);
  if (criteria.recipientId !== undefined) void query.andWhere('recipient_id', criteria.recipientId);
  if (criteria.endpointId !== undefined) void query.andWhere('id', criteria.endpointId);
  const rows = await query.select<{ id: string }[]>('id');
  return new Set(rows.map((row) => row.id));
}

/**
 * One page of candidate pairs: the messages of the app in the window (payload still stored),
 * `messages` at most, after `afterMessageId` in id order, and for each the endpoints of
 * `endpointIds` whose latest delivery of it matches the criteria. A pair exists only where the
 * message had a delivery to the endpoint, so a replay never reaches an endpoint the message was
 * not for (CONTRACT §8.4). The latest delivery per pair is picked here from the page's rows (read
 * by message id), not by a correlated subquery: SQLite would drive that from the endpoint's
 * deliveries, quadratic in an endpoint's history. `lastMessageId` is the keyset cursor of the
 * next page (null at the end).
 */
export async function listReplayCandidates(
  db: DbOrTx,
  criteria: BulkReplayCriteria,
  endpointIds: ReadonlySet<string>,
  page: { afterMessageId: string | null; messages: number },
): Promise<{ pairs: ReplayPair[]; lastMessageId: string | null }> {
  const messageQuery = db('messages')
    .where('app_id', criteria.appId)
    .andWhere('created_at', '>=', criteria.since)
    .andWhere('created_at', '<', criteria.until)
    .andWhere('payload_expired', 0)
    .whereNotNull('payload');
  if (criteria.eventType !== undefined) void messageQuery.andWhere('event_type', criteria.eventType);
  if (page.afterMessageId !== null) void messageQuery.andWhere('id', '>', page.afterMessageId);
  const messageRows = await messageQuery
    .orderBy('id', 'asc')
    .limit(page.messages)
    .select<{ id: string; workspace_id: string }[]>('id', 'workspace_id');
  if (messageRows.length === 0) return { pairs: [], lastMessageId: null };
  const lastMessageId = messageRows.length < page.messages ? null : messageRows[messageRows.length - 1].id;
  const workspaceOf = new Map(messageRows.map((row) => [row.id, row.workspace_id]));

  const deliveryRows = await db('deliveries')
    .whereIn(
      'message_id',
      messageRows.map((row) => row.id),
    )
    .whereNotNull('endpoint_id')
    .select<{ id: string; message_id: string; endpoint_id: string; status: string }[]>('id', 'message_id', 'endpoint_id', 'status');
  // the latest delivery of each pair (ids are time-ordered)
  const latest = new Map<string, { id: string; messageId: string; endpointId: string; status: string }>();
  for (const row of deliveryRows) {
    if (!endpointIds.has(row.endpoint_id)) continue;
    const key = `${row.message_id} ${row.endpoint_id}`;
    const seen = latest.get(key);
    if (!seen || seen.id < row.id)
      latest.set(key, { id: row.id, messageId: row.message_id, endpointId: row.endpoint_id, status: row.status });
  }
  const pairs = [...latest.values()]
    .filter((pair) => !criteria.failedOnly || pair.status === 'failed')
    .map((pair) => ({ workspaceId: workspaceOf.get(pair.messageId) as string, messageId: pair.messageId, endpointId: pair.endpointId }))
    .sort((a, b) => (a.messageId === b.messageId ? compare(a.endpointId, b.endpointId) : compare(a.messageId, b.messageId)));
  return { pairs, lastMessageId };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The stored payloads (the JSON text sent) of these messages, by id; purged ones are absent. */
export async function findMessagePayloads(db: DbOrTx, messageIds: string[]): Promise<Map<string, string>> {
  const payloads = new Map<string, string>();
  if (messageIds.length === 0) return payloads;
  const rows = await db('messages')
    .whereIn('id', messageIds)
    .whereNotNull('payload')
    .select<{ id: string; payload: string }[]>('id', 'payload');
  for (const row of rows) payloads.set(row.id, row.payload);
  return payloads;
}
