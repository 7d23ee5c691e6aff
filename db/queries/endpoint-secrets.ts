import type { DbOrTx } from '../index.js';
import { openSecret, sealSecret } from '../secret-sealing.js';
import { PREVIOUS_SECRET_TTL_MS } from './endpoints.js';

/** The endpoint's current signing secret, opened. */
export async function readEndpointSecret(db: DbOrTx, id: string, encryptionKey: Buffer | null): Promise<string | null> {
  const row = await db('endpoints').where({ id }).select('secret').first<{ secret: string } | undefined>();
  return row ? openSecret(row.secret, encryptionKey) : null;
}

/**
 * Makes `secret` the endpoint's signing secret. The old one (still sealed as stored) becomes the
 * previous secret and keeps signing for PREVIOUS_SECRET_TTL_MS, so receivers can switch over.
 */
export async function rotateEndpointSecret(
  db: DbOrTx,
  id: string,
  secret: string,
  encryptionKey: Buffer | null,
  now: number,
): Promise<boolean> {
  // one statement, so concurrent rotations never lose a secret. previous_secret is assigned
  // first: MySQL evaluates SET left to right (SQLite uses the old row), both copy the old secret
  const changed = await db('endpoints')
    .where({ id })
    .update({
      previous_secret: db.ref('secret'),
      secret: sealSecret(secret, encryptionKey),
      previous_secret_expires_at: now + PREVIOUS_SECRET_TTL_MS,
      updated_at: now,
    });
  return changed > 0;
}
