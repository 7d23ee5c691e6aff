import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { toNumber } from './json.js';

export interface Workspace {
  id: string;
  name: string;
  createdAt: number;
}

interface WorkspaceRow {
  id: string;
  name: string;
  created_at: number | string;
}

const toWorkspace = (row: WorkspaceRow): Workspace => ({ id: row.id, name: row.name, createdAt: toNumber(row.created_at) });

export async function insertWorkspace(db: DbOrTx, name: string, now: number): Promise<Workspace> {
  const row = { id: newId('ws', now), name, created_at: now };
  await db('workspaces').insert(row);
  return toWorkspace(row);
}

/** The first workspace ever created: the one `npm start` bootstraps. */
export async function findDefaultWorkspace(db: DbOrTx): Promise<Workspace | null> {
  const row = (await db('workspaces').orderBy('id', 'asc').first()) as WorkspaceRow | undefined;
  return row ? toWorkspace(row) : null;
}

export async function findWorkspace(db: DbOrTx, id: string): Promise<Workspace | null> {
  const row = (await db('workspaces').where({ id }).first()) as WorkspaceRow | undefined;
  return row ? toWorkspace(row) : null;
}
