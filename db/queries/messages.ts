import type { Knex } from 'knex';
import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { insertRows } from './multi-row-insert.js';
import { toBool, toNumber, toNumberOrNull } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';
import type { DeliveryStatus } from './deliveries.js';

export interface Message {
  id: string;
  workspaceId: string;
  appId: string;
  eventType: string;
  recipientId: string | null;
  eventId: string | null;
  /** The payload exactly as serialised at accept time (the bytes every attempt sends); null once purged. */
  payload: string | null;
  payloadExpired: boolean;
  createdAt: number;
}

export interface MessageRow {
  id: string;
  workspace_id: string;
  app_id: string;
  event_type: string;
  recipient_id: string | null;
  event_id: string | null;
  payload: string | null;
  payload_expired: number | boolean;
  created_at: number | string;
}

export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  workspaceId: row.workspace_id,
  appId: row.app_id,
  eventType: row.event_type,
  recipientId: row.recipient_id,
  eventId: row.event_id,
  payload: row.payload,
  payloadExpired: toBool(row.payload_expired),
  createdAt: toNumber(row.created_at),
});

export async function insertMessage(
  db: DbOrTx,
  message: Omit<Message, 'id' | 'payloadExpired' | 'createdAt'>,
  now: number,
): Promise<Message> {
  const row: MessageRow = {
    id: newId('msg', now),
    workspace_id: message.workspaceId,
    app_id: message.appId,
    event_type: message.eventType,
    recipient_id: message.recipientId,
    event_id: message.eventId,
    payload: message.payload,
    payload_expired: 0,
    created_at: now,
  };
  await db('messages').insert(row);
  return toMessage(row);
}

/** Builds a message row's values (id from `now`) without writing it; see insertMessages. */
export function newMessage(message: Omit<Message, 'id' | 'payloadExpired' | 'createdAt'>, now: number): Message {
  return { ...message, id: newId('msg', now), payloadExpired: false, createdAt: now };
}

const MESSAGE_COLUMNS = [
  'id',
  'workspace_id',
  'app_id',
  'event_type',
  'recipient_id',
  'event_id',
  'payload',
  'payload_expired',
  'created_at',
] as const;

/** Inserts many messages in multi-row statements (the group-commit accept path, prepared SQL text). */
export async function insertMessages(db: DbOrTx, messages: Message[]): Promise<void> {
  const rows = messages.map((m) => [m.id, m.workspaceId, m.appId, m.eventType, m.recipientId, m.eventId, m.payload, 0, m.createdAt]);
  await insertRows(db, 'messages', MESSAGE_COLUMNS, rows);
}

export async function findMessage(db: DbOrTx, appId: string, id: string): Promise<Message | null> {
  const row = (await db('messages').where({ app_id: appId, id }).first()) as MessageRow | undefined;
  return row ? toMessage(row) : null;
}

/** What accepting a message needs to know of its app and event type. */
export interface SendContext {
  app: { id: string; workspaceId: string };
  /** Null when the app has no event type of that name. */
  eventType: { id: string; name: string; schemaText: string | null; archivedAt: number | null; updatedAt: number } | null;
}

/** findSendContext's row: the app's columns, and the event type's (null when the app has none of that name). */
interface SendContextRow {
  app_id: string;
  workspace_id: string;
  et_id: string | null;
  et_name: string | null;
  et_schema: string | null;
  et_archived_at: number | string | null;
  et_updated_at: number | string | null;
}

/**
 * The workspace's app named by `appRef` (id or uid; an id match wins) joined with its event type
 * `eventType`, in one round trip: the hot path of `POST /apps/{app}/messages`. Null when no app.
 */
export async function findSendContext(db: DbOrTx, workspaceId: string, appRef: string, eventType: string): Promise<SendContext | null> {
  const rows = await db('apps as a')
    .leftJoin('event_types as et', (join) => join.on('et.app_id', '=', 'a.id').andOn('et.name', '=', db.raw('?', [eventType])))
    .where('a.workspace_id', workspaceId)
    .whereNull('a.system_of')
    .andWhere((q) => q.where('a.id', appRef).orWhere('a.uid', appRef))
    .limit(2)
    .select<SendContextRow[]>(
      'a.id as app_id',
      'a.workspace_id',
      'et.id as et_id',
      'et.name as et_name',
      'et.schema as et_schema',
      'et.archived_at as et_archived_at',
      'et.updated_at as et_updated_at',
    );
  const row = rows.find((r) => r.app_id === appRef) ?? rows[0];
  if (!row) return null;
  return {
    app: { id: row.app_id, workspaceId: row.workspace_id },
    eventType:
      row.et_id === null
        ? null
        : {
            id: row.et_id,
            name: row.et_name as string,
            schemaText: row.et_schema,
            archivedAt: toNumberOrNull(row.et_archived_at),
            updatedAt: toNumber(row.et_updated_at),
          },
  };
}

/** Payloads of messages by id (the dispatcher loads a claimed batch's bodies in one query). */
export async function findPayloads(db: DbOrTx, ids: string[]): Promise<Map<string, string | null>> {
  const rows = await db('messages').whereIn('id', ids).select<{ id: string; payload: string | null }[]>('id', 'payload');
  return new Map(rows.map((row) => [row.id, row.payload]));
}

/**
 * A message's status over its deliveries: `pending` while any delivery is pending; otherwise
 * `failed` when the latest delivery to some endpoint failed; otherwise `succeeded` (every
 * endpoint's latest delivery succeeded). A message that matched no endpoint has no status.
 */
export type MessageStatus = DeliveryStatus;

export interface MessageFilter {
  eventType?: string;
  recipientId?: string;
  status?: MessageStatus;
  since?: number;
  until?: number;
}

/** Latest delivery per (message, endpoint) that failed, correlated to the outer `messages` row. */
function latestFailed(db: DbOrTx) {
  return (q: Knex.QueryBuilder) =>
    q
      .select(db.raw('1'))
      .from('deliveries as d')
      .whereRaw('d.message_id = messages.id')
      .andWhere('d.status', 'failed')
      .whereNotExists((n) =>
        n
          .select(db.raw('1'))
          .from('deliveries as d2')
          .whereRaw('d2.message_id = d.message_id and d2.endpoint_id = d.endpoint_id and d2.id > d.id'),
      );
}

/** A delivery of the message with `status`; `pending` includes `held` (not finished either: it waits for its endpoint). */
function anyWithStatus(db: DbOrTx, status: DeliveryStatus) {
  const statuses = status === 'pending' ? ['pending', 'held'] : [status];
  return (q: Knex.QueryBuilder) =>
    q.select(db.raw('1')).from('deliveries as d').whereRaw('d.message_id = messages.id').whereIn('d.status', statuses);
}

/** The app's messages, newest first, with the list filters of the messages route. */
export async function listMessages(
  db: DbOrTx,
  appId: string,
  filter: MessageFilter & { limit: number; cursor?: string },
): Promise<Page<Message>> {
  const query = db('messages').where({ app_id: appId });
  if (filter.eventType !== undefined) query.andWhere({ event_type: filter.eventType });
  if (filter.recipientId !== undefined) query.andWhere({ recipient_id: filter.recipientId });
  if (filter.since !== undefined) query.andWhere('created_at', '>=', filter.since);
  if (filter.until !== undefined) query.andWhere('created_at', '<', filter.until);
  if (filter.status === 'pending') query.whereExists(anyWithStatus(db, 'pending'));
  if (filter.status === 'failed') query.whereNotExists(anyWithStatus(db, 'pending')).whereExists(latestFailed(db));
  if (filter.status === 'succeeded') {
    query.whereNotExists(anyWithStatus(db, 'pending')).whereNotExists(latestFailed(db)).whereExists(anyWithStatus(db, 'succeeded'));
  }
  return pageByIdDesc(query, filter, toMessage);
}

/** How many endpoints each message was fanned out to at accept time (its scheduled deliveries). */
export async function countScheduledDeliveries(db: DbOrTx, messageIds: string[]): Promise<Map<string, number>> {
  const counts = new Map(messageIds.map((id) => [id, 0]));
  if (messageIds.length === 0) return counts;
  const rows = await db('deliveries')
    .whereIn('message_id', messageIds)
    .andWhere({ trigger: 'scheduled' })
    .groupBy('message_id')
    .select('message_id')
    .count<{ message_id: string; n: number | string }[]>({ n: '*' });
  for (const row of rows) counts.set(row.message_id, toNumber(row.n));
  return counts;
}

export interface EndpointDeliverySummary {
  endpointId: string;
  /** The status of the latest delivery (a replay supersedes earlier ones). */
  status: DeliveryStatus;
  /** Attempts made to this endpoint for this message, over every delivery (scheduled and replays). */
  attempts: number;
  nextAttemptAt: number | null;
  /** `discarded` when the latest delivery was a discarded held one (CONTRACT §8.7), else the last attempt's error class, or null. */
  lastError: string | null;
}

interface DeliverySummaryRow {
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: number | string;
  next_attempt_at: number | string | null;
  last_error: string | null;
}

/** Per endpoint: the latest delivery's status, next attempt and last error, and the attempts made in all. */
export async function summarizeDeliveries(db: DbOrTx, messageId: string): Promise<EndpointDeliverySummary[]> {
  const [rows, attempts] = await Promise.all([
    db('deliveries')
      .where({ message_id: messageId })
      .whereNotNull('endpoint_id')
      .orderBy('id', 'asc')
      .select<DeliverySummaryRow[]>('endpoint_id', 'status', 'attempts', 'next_attempt_at', 'last_error'),
    db('attempts')
      .where({ message_id: messageId })
      .whereNotNull('endpoint_id')
      .orderBy('id', 'asc')
      .select<{ endpoint_id: string; error: string | null }[]>('endpoint_id', 'error'),
  ]);
  const lastAttemptError = new Map(attempts.map((row) => [row.endpoint_id, row.error]));
  const byEndpoint = new Map<string, EndpointDeliverySummary>();
  for (const row of rows) {
    const previous = byEndpoint.get(row.endpoint_id);
    byEndpoint.set(row.endpoint_id, {
      endpointId: row.endpoint_id,
      status: row.status,
      attempts: (previous?.attempts ?? 0) + toNumber(row.attempts),
      nextAttemptAt: toNumberOrNull(row.next_attempt_at),
      lastError: row.last_error ?? lastAttemptError.get(row.endpoint_id) ?? null,
    });
  }
  return [...byEndpoint.values()];
}
