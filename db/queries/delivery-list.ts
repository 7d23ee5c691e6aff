import type { DbOrTx } from '../index.js';
import { toNumber, toNumberOrNull } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';
import { notOperationalEndpoint } from './operational-endpoints.js';

export type ListedDeliveryStatus = 'pending' | 'held' | 'succeeded' | 'failed';

export interface DeliveryListFilter {
  status: ListedDeliveryStatus;
  appId?: string;
  eventType?: string;
  endpointId?: string;
  /** Bounds on the message's created_at, [since, until), as the bulk replay reads them. */
  since?: number;
  until?: number;
  limit: number;
  cursor?: string;
}

/** One (message, endpoint) pair's current delivery, with what the operator needs to judge it. */
export interface ListedDelivery {
  id: string;
  messageId: string;
  appId: string;
  eventType: string;
  endpointId: string;
  recipientId: string;
  endpointUrl: string;
  status: string;
  trigger: string;
  attempts: number;
  nextAttemptAt: number | null;
  createdAt: number;
  updatedAt: number;
  messageCreatedAt: number;
  lastAttempt: { id: string; error: string | null; responseStatus: number | null; createdAt: number } | null;
}

interface Row {
  id: string;
  message_id: string;
  app_id: string;
  event_type: string;
  endpoint_id: string;
  recipient_id: string;
  url: string;
  status: string;
  trigger: string;
  attempts: number | string;
  next_attempt_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  message_created_at: number | string;
}

interface AttemptRow {
  id: string;
  message_id: string;
  endpoint_id: string;
  error: string | null;
  response_status: number | string | null;
  created_at: number | string;
}

/**
 * A workspace's outbound deliveries in one status, newest first, across its apps: only the
 * latest delivery of each (message, endpoint) pair, so a failed delivery that a replay has since
 * delivered leaves the list (as `status:"failed"` of the bulk replay reads it, CONTRACT §8.7).
 * Reads the (workspace_id, status, id) index in id order; each row carries its last attempt.
 */
export async function listWorkspaceDeliveries(db: DbOrTx, workspaceId: string, filter: DeliveryListFilter): Promise<Page<ListedDelivery>> {
  const query = db('deliveries as d')
    .join('messages as m', 'm.id', 'd.message_id')
    .join('endpoints as e', 'e.id', 'd.endpoint_id')
    .where('d.workspace_id', workspaceId)
    .andWhere('d.status', filter.status)
    .andWhere(notOperationalEndpoint('d.endpoint_id'))
    .whereNotExists((n) =>
      n
        .select(db.raw('1'))
        .from('deliveries as d2')
        .whereRaw('d2.message_id = d.message_id and d2.endpoint_id = d.endpoint_id and d2.id > d.id'),
    )
    .select(
      'd.id',
      'd.message_id',
      'm.app_id',
      'm.event_type',
      'd.endpoint_id',
      'e.recipient_id',
      'e.url',
      'd.status',
      'd.trigger',
      'd.attempts',
      'd.next_attempt_at',
      'd.created_at',
      'd.updated_at',
      { message_created_at: 'm.created_at' },
    );
  if (filter.appId) void query.andWhere('m.app_id', filter.appId);
  if (filter.eventType) void query.andWhere('m.event_type', filter.eventType);
  if (filter.endpointId) void query.andWhere('d.endpoint_id', filter.endpointId);
  if (filter.since !== undefined) void query.andWhere('m.created_at', '>=', filter.since);
  if (filter.until !== undefined) void query.andWhere('m.created_at', '<', filter.until);
  const page = await pageByIdDesc<Row, Row>(query, { limit: filter.limit, cursor: filter.cursor, column: 'd.id' }, (row) => row);
  const last = await lastAttempts(
    db,
    page.items.map((row) => row.message_id),
  );
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((row) => ({
      id: row.id,
      messageId: row.message_id,
      appId: row.app_id,
      eventType: row.event_type,
      endpointId: row.endpoint_id,
      recipientId: row.recipient_id,
      endpointUrl: row.url,
      status: row.status,
      trigger: row.trigger,
      attempts: toNumber(row.attempts),
      nextAttemptAt: toNumberOrNull(row.next_attempt_at),
      createdAt: toNumber(row.created_at),
      updatedAt: toNumber(row.updated_at),
      messageCreatedAt: toNumber(row.message_created_at),
      lastAttempt: last.get(`${row.message_id} ${row.endpoint_id}`) ?? null,
    })),
  };
}

/** The newest attempt per (message, endpoint) of these messages, from the (message_id, id) index. */
async function lastAttempts(db: DbOrTx, messageIds: string[]): Promise<Map<string, ListedDelivery['lastAttempt']>> {
  const found = new Map<string, ListedDelivery['lastAttempt']>();
  if (messageIds.length === 0) return found;
  const rows = await db('attempts')
    .whereIn('message_id', [...new Set(messageIds)])
    .orderBy('id', 'desc')
    .select<AttemptRow[]>('id', 'message_id', 'endpoint_id', 'error', 'response_status', 'created_at');
  for (const row of rows) {
    const key = `${row.message_id} ${row.endpoint_id}`;
    if (found.has(key)) continue;
    found.set(key, {
      id: row.id,
      error: row.error,
      responseStatus: toNumberOrNull(row.response_status),
      createdAt: toNumber(row.created_at),
    });
  }
  return found;
}
