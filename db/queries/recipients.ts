import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { isUniqueViolation, UniqueViolation } from '../errors.js';
import { fromJson, toJson, toNumber } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

export interface Recipient {
  id: string;
  workspaceId: string;
  appId: string;
  uid: string | null;
  name: string | null;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

interface RecipientRow {
  id: string;
  workspace_id: string;
  app_id: string;
  uid: string | null;
  name: string | null;
  metadata: string;
  created_at: number | string;
  updated_at: number | string;
}

const toRecipient = (row: RecipientRow): Recipient => ({
  id: row.id,
  workspaceId: row.workspace_id,
  appId: row.app_id,
  uid: row.uid,
  name: row.name,
  metadata: fromJson<Record<string, unknown>>(row.metadata, {}),
  createdAt: toNumber(row.created_at),
  updatedAt: toNumber(row.updated_at),
});

/** The unique index on (app_id, uid) is the only one a caller can hit (ids are random). */
function uidConflict(error: unknown, uid: string | null | undefined): never {
  if (isUniqueViolation(error)) throw new UniqueViolation('recipients', 'uid', uid, error);
  throw error;
}

export async function insertRecipient(
  db: DbOrTx,
  recipient: { workspaceId: string; appId: string; uid?: string | null; name?: string | null; metadata?: Record<string, unknown> },
  now: number,
): Promise<Recipient> {
  const row: RecipientRow = {
    id: newId('rcp', now),
    workspace_id: recipient.workspaceId,
    app_id: recipient.appId,
    uid: recipient.uid ?? null,
    name: recipient.name ?? null,
    metadata: toJson(recipient.metadata ?? {}),
    created_at: now,
    updated_at: now,
  };
  try {
    await db('recipients').insert(row);
  } catch (error) {
    uidConflict(error, recipient.uid);
  }
  return toRecipient(row);
}

/**
 * The app's recipient whose id or uid is `ref` (an id match wins). A recipient of another app —
 * and so of another workspace — is never returned.
 */
export async function findRecipientByRef(db: DbOrTx, appId: string, ref: string): Promise<Recipient | null> {
  const rows = (await db('recipients')
    .where({ app_id: appId })
    .andWhere((q) => q.where('id', ref).orWhere('uid', ref))
    .limit(2)) as RecipientRow[];
  const row = rows.find((r) => r.id === ref) ?? rows[0];
  return row ? toRecipient(row) : null;
}

/** A recipient by id alone (for workers that hold an id taken from a row of the same workspace). */
export async function findRecipientById(db: DbOrTx, id: string): Promise<Recipient | null> {
  const row = (await db('recipients').where({ id }).first()) as RecipientRow | undefined;
  return row ? toRecipient(row) : null;
}

export async function listRecipients(db: DbOrTx, appId: string, page: { limit: number; cursor?: string }): Promise<Page<Recipient>> {
  return pageByIdDesc(db('recipients').where({ app_id: appId }), page, toRecipient);
}

/** Applies the given fields (undefined = unchanged) and returns the updated recipient. */
export async function updateRecipient(
  db: DbOrTx,
  recipient: Recipient,
  patch: { uid?: string | null; name?: string | null; metadata?: Record<string, unknown> },
  now: number,
): Promise<Recipient> {
  const changes: Partial<RecipientRow> = { updated_at: now };
  if (patch.uid !== undefined) changes.uid = patch.uid;
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.metadata !== undefined) changes.metadata = toJson(patch.metadata);
  try {
    await db('recipients').where({ id: recipient.id }).update(changes);
  } catch (error) {
    uidConflict(error, patch.uid);
  }
  return {
    ...recipient,
    uid: patch.uid !== undefined ? patch.uid : recipient.uid,
    name: patch.name !== undefined ? patch.name : recipient.name,
    metadata: patch.metadata ?? recipient.metadata,
    updatedAt: now,
  };
}

/** Deletes the recipient; its endpoints and their deliveries go with it (FK cascade). */
export async function deleteRecipient(db: DbOrTx, id: string): Promise<boolean> {
  return (await db('recipients').where({ id }).delete()) > 0;
}
