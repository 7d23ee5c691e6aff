import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { toNumber } from './json.js';

/**
 * A recipient's portal session. Only the SHA-256 of the `ps_` token is stored; deleting the
 * recipient deletes its sessions (FK cascade), which revokes every link handed out for it.
 */
export interface PortalSession {
  id: string;
  workspaceId: string;
  appId: string;
  recipientId: string;
  expiresAt: number;
  createdAt: number;
}

interface PortalSessionRow {
  id: string;
  workspace_id: string;
  app_id: string;
  recipient_id: string;
  token_hash: string;
  expires_at: number | string;
  created_at: number | string;
}

const toPortalSession = (row: PortalSessionRow): PortalSession => ({
  id: row.id,
  workspaceId: row.workspace_id,
  appId: row.app_id,
  recipientId: row.recipient_id,
  expiresAt: toNumber(row.expires_at),
  createdAt: toNumber(row.created_at),
});

export async function insertPortalSession(
  db: DbOrTx,
  session: { workspaceId: string; appId: string; recipientId: string; tokenHash: string; expiresAt: number },
  now: number,
): Promise<PortalSession> {
  const row: PortalSessionRow = {
    id: newId('ps', now),
    workspace_id: session.workspaceId,
    app_id: session.appId,
    recipient_id: session.recipientId,
    token_hash: session.tokenHash,
    expires_at: session.expiresAt,
    created_at: now,
  };
  await db('portal_sessions').insert(row);
  return toPortalSession(row);
}

/**
 * The session whose token hashes to `tokenHash` and that has not expired at `now`, or null. The
 * join on recipients is belt and braces: the FK cascade already removes a deleted recipient's rows.
 */
export async function findLivePortalSession(db: DbOrTx, tokenHash: string, now: number): Promise<PortalSession | null> {
  const row = (await db('portal_sessions as ps')
    .join('recipients as r', 'r.id', 'ps.recipient_id')
    .where('ps.token_hash', tokenHash)
    .andWhere('ps.expires_at', '>', now)
    .select('ps.*')
    .first()) as PortalSessionRow | undefined;
  return row ? toPortalSession(row) : null;
}
