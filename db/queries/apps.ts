import { isMysql, type DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { isUniqueViolation, UniqueViolation } from '../errors.js';
import { fromJson, toJson, toNumber } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

export interface App {
  id: string;
  workspaceId: string;
  uid: string | null;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

interface AppRow {
  id: string;
  workspace_id: string;
  uid: string | null;
  name: string;
  metadata: string;
  created_at: number | string;
  updated_at: number | string;
}

const toApp = (row: AppRow): App => ({
  id: row.id,
  workspaceId: row.workspace_id,
  uid: row.uid,
  name: row.name,
  metadata: fromJson<Record<string, unknown>>(row.metadata, {}),
  createdAt: toNumber(row.created_at),
  updatedAt: toNumber(row.updated_at),
});

/** The unique index on (workspace_id, uid) is the only one a caller can hit (ids are random). */
function uidConflict(error: unknown, uid: string | null | undefined): never {
  if (isUniqueViolation(error)) throw new UniqueViolation('apps', 'uid', uid, error);
  throw error;
}

export async function insertApp(
  db: DbOrTx,
  app: { workspaceId: string; name: string; uid?: string | null; metadata?: Record<string, unknown> },
  now: number,
): Promise<App> {
  const row: AppRow = {
    id: newId('app', now),
    workspace_id: app.workspaceId,
    uid: app.uid ?? null,
    name: app.name,
    metadata: toJson(app.metadata ?? {}),
    created_at: now,
    updated_at: now,
  };
  try {
    await db('apps').insert(row);
  } catch (error) {
    uidConflict(error, app.uid);
  }
  return toApp(row);
}

/**
 * The workspace's app whose id or uid is `ref` (an id match wins over a uid that happens to look
 * like another app's id). Another workspace's app is never returned, nor its system app (the one
 * operational webhooks are delivered from, `system_of` set): no /apps route can reach that one.
 */
export async function findAppByRef(db: DbOrTx, workspaceId: string, ref: string): Promise<App | null> {
  const rows = (await db('apps')
    .where({ workspace_id: workspaceId })
    .whereNull('system_of')
    .andWhere((q) => q.where('id', ref).orWhere('uid', ref))
    .limit(2)) as AppRow[];
  const row = rows.find((r) => r.id === ref) ?? rows[0];
  return row ? toApp(row) : null;
}

export async function listApps(db: DbOrTx, workspaceId: string, page: { limit: number; cursor?: string }): Promise<Page<App>> {
  return pageByIdDesc(db('apps').where({ workspace_id: workspaceId }).whereNull('system_of'), page, toApp);
}

/** Applies the given fields (undefined = unchanged) and returns the updated app. */
export async function updateApp(
  db: DbOrTx,
  app: App,
  patch: { name?: string; uid?: string | null; metadata?: Record<string, unknown> },
  now: number,
): Promise<App> {
  const changes: Partial<AppRow> = { updated_at: now };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.uid !== undefined) changes.uid = patch.uid;
  if (patch.metadata !== undefined) changes.metadata = toJson(patch.metadata);
  try {
    await db('apps').where({ id: app.id }).update(changes);
  } catch (error) {
    uidConflict(error, patch.uid);
  }
  return {
    ...app,
    name: patch.name ?? app.name,
    uid: patch.uid !== undefined ? patch.uid : app.uid,
    metadata: patch.metadata ?? app.metadata,
    updatedAt: now,
  };
}

/** Deletes the app; its event types, recipients, endpoints and messages go with it (FK cascade). */
export async function deleteApp(db: DbOrTx, id: string): Promise<boolean> {
  return (await db('apps').where({ id }).delete()) > 0;
}

/**
 * The workspace's app count (its system app is Dispatch's own and never counts). With `lock`
 * (inside a transaction) the workspace row is locked first on MySQL, so concurrent creators count
 * one after another and a plan limit cannot be overshot; SQLite already runs one writer at a time.
 */
export async function countApps(db: DbOrTx, workspaceId: string, options: { lock?: boolean } = {}): Promise<number> {
  if (options.lock && isMysql(db)) await db('workspaces').where({ id: workspaceId }).select('id').forUpdate();
  const row = await db('apps').where({ workspace_id: workspaceId }).whereNull('system_of').count({ n: '*' }).first();
  return toNumber(row?.n ?? 0);
}
