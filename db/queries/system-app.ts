import type { Db, DbOrTx } from '../index.js';
import { isUniqueViolation } from '../errors.js';
import { newId } from '../ids.js';

/**
 * How an operational endpoint wants its events (CONTRACT §8.5): `standard` = the signed
 * `{type, created_at, data}` body, `slack` = `{"text": "<one line>"}`. Each format is one
 * recipient of the system app (its uid), so an event becomes one message per format and each
 * message's stored payload is exactly the bytes its endpoints are sent and signed with.
 */
export const OPERATIONAL_FORMATS = ['standard', 'slack'] as const;
export type OperationalFormat = (typeof OPERATIONAL_FORMATS)[number];

/** A workspace's system-owned app and its one recipient per format. */
export interface SystemApp {
  appId: string;
  workspaceId: string;
  recipients: Record<OperationalFormat, string>;
}

interface SystemAppRow {
  app_id: string;
  workspace_id: string;
  recipient_id: string | null;
  recipient_uid: string | null;
}

const isFormat = (uid: string | null): uid is OperationalFormat => OPERATIONAL_FORMATS.includes(uid as OperationalFormat);

/**
 * The system apps of these workspaces (workspace id → app), in one query. A workspace that never
 * created an operational endpoint has none, and nothing to deliver operational events to.
 */
export async function findSystemApps(db: DbOrTx, workspaceIds: string[]): Promise<Map<string, SystemApp>> {
  const found = new Map<string, SystemApp>();
  if (workspaceIds.length === 0) return found;
  const rows = await db('apps as a')
    .leftJoin('recipients as r', 'r.app_id', 'a.id')
    .whereIn('a.system_of', [...new Set(workspaceIds)])
    .select<SystemAppRow[]>('a.id as app_id', 'a.workspace_id', 'r.id as recipient_id', 'r.uid as recipient_uid');
  const partial = new Map<string, { appId: string; recipients: Partial<Record<OperationalFormat, string>> }>();
  for (const row of rows) {
    const entry = partial.get(row.workspace_id) ?? { appId: row.app_id, recipients: {} };
    if (row.recipient_id !== null && isFormat(row.recipient_uid)) entry.recipients[row.recipient_uid] = row.recipient_id;
    partial.set(row.workspace_id, entry);
  }
  for (const [workspaceId, entry] of partial) {
    const { standard, slack } = entry.recipients;
    if (standard !== undefined && slack !== undefined)
      found.set(workspaceId, { appId: entry.appId, workspaceId, recipients: { standard, slack } });
  }
  return found;
}

/**
 * The workspace's system app, created on first use with its recipients. Every statement commits
 * on its own (no surrounding transaction): concurrent creators race on the unique indexes
 * (`apps.system_of`, recipients `(app_id, uid)`), the loser's insert fails and both then read the
 * winner's rows. The app is hidden from every user-facing app query (`system_of IS NULL` there).
 */
export async function ensureSystemApp(db: Db, workspaceId: string, now: number): Promise<SystemApp> {
  const existing = (await findSystemApps(db, [workspaceId])).get(workspaceId);
  if (existing) return existing;
  await ignoreDuplicate(
    db('apps').insert({
      id: newId('app', now),
      workspace_id: workspaceId,
      uid: null,
      name: 'Dispatch operational events',
      metadata: '{}',
      system_of: workspaceId,
      created_at: now,
      updated_at: now,
    }),
  );
  const app = await db('apps').where({ system_of: workspaceId }).first<{ id: string } | undefined>('id');
  if (!app) throw new Error('the system app vanished while it was being created');
  for (const format of OPERATIONAL_FORMATS) {
    await ignoreDuplicate(
      db('recipients').insert({
        id: newId('rcp', now),
        workspace_id: workspaceId,
        app_id: app.id,
        uid: format,
        name: `Operational endpoints (${format})`,
        metadata: '{}',
        created_at: now,
        updated_at: now,
      }),
    );
  }
  const created = (await findSystemApps(db, [workspaceId])).get(workspaceId);
  if (!created) throw new Error('the system app has no recipients after creating them');
  return created;
}

async function ignoreDuplicate(insert: PromiseLike<unknown>): Promise<void> {
  try {
    await insert;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}
