import type { DbOrTx } from '../../db/index.js';
import { findSourceByToken, type Source } from '../../db/queries/sources.js';
import { openVerification } from './verifiers/index.js';

/** A source with its verification secrets opened: what the ingest path verifies requests with. */
export type OpenedSource = Source;

/**
 * The source behind a public ingest URL with its verification settings opened (storage keeps
 * them sealed and knows no schemes, so the verifier registry opens the fields it names secret);
 * null for an unknown token. Throws when a secret was sealed with another key.
 */
export async function findOpenedSourceByToken(db: DbOrTx, token: string, encryptionKey: Buffer | null): Promise<OpenedSource | null> {
  const source = await findSourceByToken(db, token);
  return source ? { ...source, verification: openVerification(source.verification, encryptionKey) } : null;
}
