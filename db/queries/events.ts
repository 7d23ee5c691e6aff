import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { isForeignKeyViolation, MissingReference } from '../errors.js';
import { fromJson, toBool, toJson, toNumber } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

/** `filtered`: the source has destinations and none of their filters matched (never forwarded). */
export type EventStatus = 'pending' | 'delivered' | 'failed' | 'held' | 'rejected' | 'duplicate' | 'filtered';
export const EVENT_STATUSES: readonly EventStatus[] = ['pending', 'delivered', 'failed', 'held', 'rejected', 'duplicate', 'filtered'];

/** A request received on an ingest URL, as stored. */
export interface IngestEvent {
  id: string;
  workspaceId: string;
  sourceId: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[]>;
  /** UTF-8 text, or base64 when `bodyEncoding` is 'base64'; null once purged by retention. */
  body: string | null;
  bodyEncoding: 'utf8' | 'base64';
  bodyExpired: boolean;
  verified: boolean;
  status: EventStatus;
  rejectionReason: string | null;
  duplicateOf: string | null;
  dedupeKey: string | null;
  createdAt: number;
}

/** An event without its headers and body (what lists return). */
export type EventSummary = Omit<IngestEvent, 'headers' | 'body'>;

interface EventRow {
  id: string;
  workspace_id: string;
  source_id: string;
  method: string;
  path: string;
  query: string;
  headers?: string;
  body?: string | null;
  body_encoding: string;
  body_expired: number | boolean;
  verified: number | boolean;
  status: string;
  rejection_reason: string | null;
  duplicate_of: string | null;
  dedupe_key: string | null;
  created_at: number | string;
}

const SUMMARY_COLUMNS = [
  'id',
  'workspace_id',
  'source_id',
  'method',
  'path',
  'query',
  'body_encoding',
  'body_expired',
  'verified',
  'status',
  'rejection_reason',
  'duplicate_of',
  'dedupe_key',
  'created_at',
] as const;

const toSummary = (row: EventRow): EventSummary => ({
  id: row.id,
  workspaceId: row.workspace_id,
  sourceId: row.source_id,
  method: row.method,
  path: row.path,
  query: row.query,
  bodyEncoding: row.body_encoding === 'base64' ? 'base64' : 'utf8',
  bodyExpired: toBool(row.body_expired),
  verified: toBool(row.verified),
  status: row.status as EventStatus,
  rejectionReason: row.rejection_reason,
  duplicateOf: row.duplicate_of,
  dedupeKey: row.dedupe_key,
  createdAt: toNumber(row.created_at),
});

const toEvent = (row: EventRow): IngestEvent => ({
  ...toSummary(row),
  headers: fromJson<Record<string, string | string[]>>(row.headers, {}),
  body: row.body ?? null,
});

export type NewEvent = Omit<IngestEvent, 'id' | 'bodyExpired' | 'createdAt'>;

/** Stores one received request; returns its new `evt_` id. Throws MissingReference when the source is gone. */
export async function insertEvent(db: DbOrTx, event: NewEvent, now: number): Promise<string> {
  const id = newId('evt', now);
  try {
    await insertEventRow(db, id, event, now);
  } catch (error) {
    // the source was deleted since it was looked up
    if (isForeignKeyViolation(error)) throw new MissingReference('events', 'source_id', event.sourceId, error);
    throw error;
  }
  return id;
}

async function insertEventRow(db: DbOrTx, id: string, event: NewEvent, now: number): Promise<void> {
  await db('events').insert({
    id,
    workspace_id: event.workspaceId,
    source_id: event.sourceId,
    method: event.method,
    path: event.path,
    query: event.query,
    headers: toJson(event.headers),
    body: event.body,
    body_encoding: event.bodyEncoding,
    body_expired: false,
    verified: event.verified,
    status: event.status,
    rejection_reason: event.rejectionReason,
    duplicate_of: event.duplicateOf,
    dedupe_key: event.dedupeKey,
    created_at: now,
  });
}

/** The first event of the source with this dedupe key received at or after `since`, if any. */
export async function findDedupeOriginal(db: DbOrTx, sourceId: string, dedupeKey: string, since: number): Promise<string | null> {
  const row = await db('events')
    .where({ source_id: sourceId, dedupe_key: dedupeKey })
    .where('created_at', '>=', since)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .first<Pick<EventRow, 'id'> | undefined>('id');
  return row ? row.id : null;
}

export async function findEvent(db: DbOrTx, workspaceId: string, id: string): Promise<IngestEvent | null> {
  const row = (await db('events').where({ workspace_id: workspaceId, id }).first()) as EventRow | undefined;
  return row ? toEvent(row) : null;
}

export interface EventFilters {
  sourceId?: string;
  status?: EventStatus;
  since?: number;
  until?: number;
}

/** Newest first, without headers and bodies. */
export async function listEvents(
  db: DbOrTx,
  workspaceId: string,
  filters: EventFilters,
  page: { limit: number; cursor?: string },
): Promise<Page<EventSummary>> {
  const query = db('events').select(SUMMARY_COLUMNS).where({ workspace_id: workspaceId });
  if (filters.sourceId) query.where({ source_id: filters.sourceId });
  if (filters.status) query.where({ status: filters.status });
  if (filters.since !== undefined) query.where('created_at', '>=', filters.since);
  if (filters.until !== undefined) query.where('created_at', '<', filters.until);
  return pageByIdDesc(query, page, toSummary);
}

export async function setEventStatus(db: DbOrTx, id: string, status: EventStatus): Promise<void> {
  await db('events').where({ id }).update({ status });
}

/**
 * The oldest `limit` held events of a source (with their bodies when `withBody`: a destination
 * filter needs them), for resume to release in batches.
 */
export async function listHeldEvents(db: DbOrTx, sourceId: string, limit: number, withBody: boolean): Promise<HeldEvent[]> {
  const query = db('events').where({ source_id: sourceId, status: 'held' }).orderBy('id', 'asc').limit(limit);
  const rows = await query.select<EventRow[]>(withBody ? [...SUMMARY_COLUMNS, 'body'] : SUMMARY_COLUMNS);
  return rows.map((row) => ({ ...toSummary(row), body: withBody ? (row.body ?? null) : null }));
}

/** A held event as resume reads it: `body` is null when it was not asked for. */
export type HeldEvent = EventSummary & Pick<IngestEvent, 'body'>;

/** Sets the status of several events at once. */
export async function setEventsStatus(db: DbOrTx, ids: string[], status: EventStatus): Promise<void> {
  for (let i = 0; i < ids.length; i += 500)
    await db('events')
      .whereIn('id', ids.slice(i, i + 500))
      .update({ status });
}

/** Events by id (the forwarder loads a claimed batch's events at once). */
export async function findEventsByIds(db: DbOrTx, ids: string[]): Promise<Map<string, IngestEvent>> {
  const found = new Map<string, IngestEvent>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await db('events').whereIn('id', ids.slice(i, i + 500))) as EventRow[];
    for (const row of rows) found.set(row.id, toEvent(row));
  }
  return found;
}
