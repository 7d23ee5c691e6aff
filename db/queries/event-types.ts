import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { isUniqueViolation, UniqueViolation } from '../errors.js';
import { fromJson, toJson, toNumber, toNumberOrNull } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

export interface EventType {
  id: string;
  workspaceId: string;
  appId: string;
  name: string;
  description: string | null;
  /** The JSON Schema every new message of this type must satisfy, or null for none. */
  schema: Record<string, unknown> | null;
  archivedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

interface EventTypeRow {
  id: string;
  workspace_id: string;
  app_id: string;
  name: string;
  description: string | null;
  schema: string | null;
  archived_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

const toEventType = (row: EventTypeRow): EventType => ({
  id: row.id,
  workspaceId: row.workspace_id,
  appId: row.app_id,
  name: row.name,
  description: row.description,
  schema: fromJson<Record<string, unknown> | null>(row.schema, null),
  archivedAt: toNumberOrNull(row.archived_at),
  createdAt: toNumber(row.created_at),
  updatedAt: toNumber(row.updated_at),
});

export async function insertEventType(
  db: DbOrTx,
  eventType: { workspaceId: string; appId: string; name: string; description?: string | null; schema?: Record<string, unknown> | null },
  now: number,
): Promise<EventType> {
  const row: EventTypeRow = {
    id: newId('et', now),
    workspace_id: eventType.workspaceId,
    app_id: eventType.appId,
    name: eventType.name,
    description: eventType.description ?? null,
    schema: eventType.schema ? toJson(eventType.schema) : null,
    archived_at: null,
    created_at: now,
    updated_at: now,
  };
  try {
    await db('event_types').insert(row);
  } catch (error) {
    // the unique index on (app_id, name) is the only one a caller can hit (ids are random)
    if (isUniqueViolation(error)) throw new UniqueViolation('event_types', 'name', eventType.name, error);
    throw error;
  }
  return toEventType(row);
}

/** The app's event type with this exact name (archived or not), or null. */
export async function findEventType(db: DbOrTx, appId: string, name: string): Promise<EventType | null> {
  const row = (await db('event_types').where({ app_id: appId, name }).first()) as EventTypeRow | undefined;
  return row ? toEventType(row) : null;
}

/** Of `names`, those that are event types of the app and not archived. */
export async function findActiveEventTypeNames(db: DbOrTx, appId: string, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db('event_types').where({ app_id: appId }).whereIn('name', names).whereNull('archived_at').select('name');
  return new Set(rows.map((row: { name: string }) => row.name));
}

export async function listEventTypes(
  db: DbOrTx,
  appId: string,
  page: { limit: number; cursor?: string; includeArchived?: boolean },
): Promise<Page<EventType>> {
  const query = db('event_types').where({ app_id: appId });
  if (!page.includeArchived) query.whereNull('archived_at');
  return pageByIdDesc(query, page, toEventType);
}

/** Applies the given fields (undefined = unchanged; null schema removes it). */
export async function updateEventType(
  db: DbOrTx,
  eventType: EventType,
  patch: { description?: string | null; schema?: Record<string, unknown> | null },
  now: number,
): Promise<EventType> {
  const changes: Partial<EventTypeRow> = { updated_at: now };
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.schema !== undefined) changes.schema = patch.schema === null ? null : toJson(patch.schema);
  await db('event_types').where({ id: eventType.id }).update(changes);
  return {
    ...eventType,
    description: patch.description !== undefined ? patch.description : eventType.description,
    schema: patch.schema !== undefined ? patch.schema : eventType.schema,
    updatedAt: now,
  };
}

/** Archives (archivedAt = now) or unarchives (null). Archiving twice keeps the first timestamp. */
export async function setEventTypeArchived(db: DbOrTx, eventType: EventType, archived: boolean, now: number): Promise<EventType> {
  if (archived === (eventType.archivedAt !== null)) return eventType;
  const archivedAt = archived ? now : null;
  await db('event_types').where({ id: eventType.id }).update({ archived_at: archivedAt, updated_at: now });
  return { ...eventType, archivedAt, updatedAt: now };
}
