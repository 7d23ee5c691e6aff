import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { fromJson, toJson, toNumber, toNumberOrNull } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

export interface ApiKey {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: number;
  revokedAt: number | null;
}

interface ApiKeyRow {
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  scopes: string;
  created_at: number | string;
  revoked_at: number | string | null;
}

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  prefix: row.prefix,
  scopes: fromJson<string[]>(row.scopes, []),
  createdAt: toNumber(row.created_at),
  revokedAt: toNumberOrNull(row.revoked_at),
});

export async function insertApiKey(
  db: DbOrTx,
  key: { workspaceId: string; name: string; prefix: string; keyHash: string; scopes: string[] },
  now: number,
): Promise<ApiKey> {
  const row = {
    id: newId('key', now),
    workspace_id: key.workspaceId,
    name: key.name,
    prefix: key.prefix,
    key_hash: key.keyHash,
    scopes: toJson(key.scopes),
    created_at: now,
    revoked_at: null,
  };
  await db('api_keys').insert(row);
  return toApiKey(row);
}

/** The live (not revoked) key with this hash, if any. */
export async function findActiveApiKeyByHash(db: DbOrTx, keyHash: string): Promise<ApiKey | null> {
  const row = (await db('api_keys').where({ key_hash: keyHash }).whereNull('revoked_at').first()) as ApiKeyRow | undefined;
  return row ? toApiKey(row) : null;
}

export async function listApiKeys(db: DbOrTx, workspaceId: string, page: { limit: number; cursor?: string }): Promise<Page<ApiKey>> {
  const query = db('api_keys').where({ workspace_id: workspaceId }).whereNull('revoked_at');
  return pageByIdDesc(query, page, toApiKey);
}

export async function findApiKey(db: DbOrTx, workspaceId: string, id: string): Promise<ApiKey | null> {
  const row = (await db('api_keys').where({ workspace_id: workspaceId, id }).whereNull('revoked_at').first()) as ApiKeyRow | undefined;
  return row ? toApiKey(row) : null;
}

/** Marks a key revoked; returns false when no live key of the workspace has that id. */
export async function revokeApiKey(db: DbOrTx, workspaceId: string, id: string, now: number): Promise<boolean> {
  const changed = await db('api_keys').where({ workspace_id: workspaceId, id }).whereNull('revoked_at').update({ revoked_at: now });
  return changed > 0;
}

export async function countApiKeys(db: DbOrTx, workspaceId: string): Promise<number> {
  const row = await db('api_keys').where({ workspace_id: workspaceId }).whereNull('revoked_at').count({ n: '*' }).first();
  return toNumber(row?.n ?? 0);
}
