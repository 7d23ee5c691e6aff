import type { DbOrTx } from '../index.js';
import { SEALED_LIKE } from '../secret-sealing.js';

/**
 * Reads and compare-and-set writes of the stored secret columns, for sealing secrets that were
 * stored before DISPATCH_ENCRYPTION_KEY was set. Pages go by id (keyset), never OFFSET.
 */

export interface StoredEndpointSecrets {
  id: string;
  secret: string;
  previousSecret: string | null;
}

export interface StoredSourceSecrets {
  id: string;
  /** The `verification` column as stored (JSON text whose secret fields may be sealed or plain). */
  verification: string;
  forwardSecret: string;
}

/** Endpoints after `afterId` (by id) whose current or previous secret is stored unsealed. */
export async function listPlainEndpointSecrets(db: DbOrTx, afterId: string, limit: number): Promise<StoredEndpointSecrets[]> {
  const rows = await db('endpoints')
    .where('id', '>', afterId)
    .andWhere((q) =>
      q
        .whereNot('secret', 'like', SEALED_LIKE)
        .orWhere((p) => p.whereNotNull('previous_secret').andWhereNot('previous_secret', 'like', SEALED_LIKE)),
    )
    .orderBy('id', 'asc')
    .limit(limit)
    .select<{ id: string; secret: string; previous_secret: string | null }[]>('id', 'secret', 'previous_secret');
  return rows.map((row) => ({ id: row.id, secret: row.secret, previousSecret: row.previous_secret }));
}

/**
 * Replaces an endpoint's stored secrets only if they are still exactly `expected`, so a rotation
 * that happened since the read is never overwritten. Returns whether the row was written.
 */
export async function replaceEndpointSecrets(
  db: DbOrTx,
  expected: StoredEndpointSecrets,
  next: { secret: string; previousSecret: string | null },
): Promise<boolean> {
  const query = db('endpoints').where({ id: expected.id, secret: expected.secret });
  if (expected.previousSecret === null) query.whereNull('previous_secret');
  else query.andWhere('previous_secret', expected.previousSecret);
  return (await query.update({ secret: next.secret, previous_secret: next.previousSecret })) > 0;
}

/** Sources after `afterId` (by id), with their stored verification settings and forward secret. */
export async function listSourceSecrets(db: DbOrTx, afterId: string, limit: number): Promise<StoredSourceSecrets[]> {
  const rows = await db('sources')
    .where('id', '>', afterId)
    .orderBy('id', 'asc')
    .limit(limit)
    .select<{ id: string; verification: string; forward_secret: string }[]>('id', 'verification', 'forward_secret');
  return rows.map((row) => ({ id: row.id, verification: row.verification, forwardSecret: row.forward_secret }));
}

/** Replaces a source's stored secrets only if they are still exactly `expected` (see replaceEndpointSecrets). */
export async function replaceSourceSecrets(
  db: DbOrTx,
  expected: StoredSourceSecrets,
  next: { verification: string; forwardSecret: string },
): Promise<boolean> {
  const changed = await db('sources')
    .where({ id: expected.id, verification: expected.verification, forward_secret: expected.forwardSecret })
    .update({ verification: next.verification, forward_secret: next.forwardSecret });
  return changed > 0;
}
