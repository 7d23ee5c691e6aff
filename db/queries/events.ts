import { isMysql, type DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { AppError } from '../../server/errors.js';
import { insertDeliveries } from './deliveries.js';
import { fromJson, toBool, toJson, toNumber } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

export type EventStatus = 'pending' | 'delivered' | 'failed' | 'held' | 'rejected' | 'duplicate';
export const EVENT_STATUSES: readonly EventStatus[] = ['pending', 'delivered', 'failed', 'held', 'rejected', 'duplicate'];

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
  'id', 'workspace_id', 'source_id', 'method', 'path', 'query', 'body_encoding', 'body_expired', 'verified', 'status',
  'rejection_reason', 'duplicate_of', 'dedupe_key', 'created_at',
];

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

/** Stores one received request; returns its new `evt_` id. */
export async function insertEvent(db: DbOrTx, event: NewEvent, now: number): Promise<string> {
  const id = newId('evt', now);
  try {
    await insertEventRow(db, id, event, now);
  } catch (error) {
    // the source was deleted since it was looked up
    if (isForeignKeyViolation(error)) throw new AppError('source_not_found', 'No source has this ingest URL.');
    throw error;
  }
  return id;
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW';
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

/** Rows changed by a raw INSERT on either driver. */
function changedRows(result: unknown): number {
  if (Array.isArray(result)) return Number((result[0] as { affectedRows?: number })?.affectedRows ?? 0);
  return Number((result as { changes?: number })?.changes ?? 0);
}

/**
 * Stores a verified request in ONE statement: the status (`held` when the source is paused,
 * `pending` otherwise) and the workspace come from the source row as of this statement, which
 * reads it under a shared lock (so it orders with resume's exclusive update). Returns false when
 * the source no longer exists. The fast path for sources without dedupe.
 */
export async function insertEventFromSource(db: DbOrTx, id: string, event: NewEvent, now: number): Promise<boolean> {
  const result = await db.raw(
    'INSERT INTO events (id, workspace_id, source_id, `method`, `path`, `query`, headers, body, body_encoding, body_expired, verified, `status`, ' +
      'rejection_reason, duplicate_of, dedupe_key, created_at) ' +
      "SELECT ?, workspace_id, id, ?, ?, ?, ?, ?, ?, 0, ?, CASE WHEN paused <> 0 THEN 'held' ELSE 'pending' END, NULL, NULL, NULL, ? " +
      `FROM sources WHERE id = ?${isMysql(db) ? ' LOCK IN SHARE MODE' : ''}`,
    [id, event.method, event.path, event.query, toJson(event.headers), event.body, event.bodyEncoding, event.verified ? 1 : 0, now, event.sourceId],
  );
  return changedRows(result) > 0;
}

/**
 * Queues the forward of a just-stored event when, as of this statement, its source is not paused
 * and has a destination: one pending `scheduled` delivery due now (the same row
 * db/queries/deliveries.ts `insertDeliveries` writes). Returns true when a forward was queued.
 */
export async function queueForwardFromSource(db: DbOrTx, deliveryId: string, eventId: string, sourceId: string, maxAttempts: number, now: number): Promise<boolean> {
  const result = await db.raw(
    'INSERT INTO deliveries (id, workspace_id, message_id, endpoint_id, event_id, source_id, `trigger`, `status`, attempts, max_attempts, ' +
      'next_attempt_at, due_at, locked_by, created_at, updated_at) ' +
      "SELECT ?, workspace_id, NULL, NULL, ?, id, 'scheduled', 'pending', 0, ?, ?, ?, NULL, ?, ? " +
      `FROM sources WHERE id = ? AND paused = 0 AND destination IS NOT NULL${isMysql(db) ? ' LOCK IN SHARE MODE' : ''}`,
    [deliveryId, eventId, maxAttempts, now, now, now, now, sourceId],
  );
  return changedRows(result) > 0;
}

/** The first event of the source with this dedupe key received at or after `since`, if any. */
export async function findDedupeOriginal(db: DbOrTx, sourceId: string, dedupeKey: string, since: number): Promise<string | null> {
  const row = await db('events')
    .where({ source_id: sourceId, dedupe_key: dedupeKey })
    .where('created_at', '>=', since)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .first('id');
  return row ? (row.id as string) : null;
}

export async function findEvent(db: DbOrTx, workspaceId: string, id: string): Promise<IngestEvent | null> {
  const row = await db('events').where({ workspace_id: workspaceId, id }).first();
  return row ? toEvent(row) : null;
}

export interface EventFilters {
  sourceId?: string;
  status?: EventStatus;
  since?: number;
  until?: number;
}

/** Newest first, without headers and bodies. */
export async function listEvents(db: DbOrTx, workspaceId: string, filters: EventFilters, page: { limit: number; cursor?: string }): Promise<Page<EventSummary>> {
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
 * Releases the held events of a resumed source, oldest first, in batches: each becomes
 * `pending`, and when `forward` is given it also gets a scheduled delivery due now.
 * Returns how many events were released.
 */
export async function releaseHeldEvents(
  db: DbOrTx,
  sourceId: string,
  forward: { workspaceId: string; maxAttempts: number } | null,
  now: number,
): Promise<number> {
  let released = 0;
  for (;;) {
    const ids = (await db('events').where({ source_id: sourceId, status: 'held' }).orderBy('id', 'asc').limit(500).pluck('id')) as string[];
    if (ids.length === 0) return released;
    if (forward) {
      const deliveries = ids.map((eventId) => ({ workspaceId: forward.workspaceId, eventId, sourceId, trigger: 'scheduled' as const, maxAttempts: forward.maxAttempts, dueAt: now }));
      await insertDeliveries(db, deliveries, now);
    }
    await db('events').whereIn('id', ids).update({ status: 'pending' });
    released += ids.length;
  }
}

/**
 * After a forward of `eventId` by delivery `deliveryId` finished, sets the event's status to
 * `status` unless a newer delivery of the event exists (the status follows the latest one; a
 * replay that already succeeded is not overwritten by an older retry that finally failed).
 */
export async function settleEventStatus(db: DbOrTx, eventId: string, deliveryId: string, status: 'delivered' | 'failed'): Promise<void> {
  await db('events')
    .where({ id: eventId })
    .whereIn('status', ['pending', 'delivered', 'failed'])
    .whereNotExists(db('deliveries').select('id').where({ event_id: eventId }).where('id', '>', deliveryId))
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
