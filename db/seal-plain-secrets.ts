import type { Db } from './index.js';
import { listStoredEndpointAuth, replaceStoredEndpointAuth, sealStoredAuth } from './queries/endpoint-auth.js';
import { fromJson, toJson } from './queries/json.js';
import { listPlainEndpointSecrets, listSourceSecrets, replaceEndpointSecrets, replaceSourceSecrets } from './queries/secrets-at-rest.js';
import type { VerificationSettings } from './queries/sources.js';
import { isSealed, openSecret, sealSecret } from './secret-sealing.js';

/** What one sealing run did. */
export interface SealReport {
  /** Endpoints whose secret or previous secret was stored plain and is now sealed. */
  endpoints: number;
  /** Sources whose verification secrets or forward secret were stored plain and are now sealed. */
  sources: number;
  /** Stored secrets that are sealed but do not open with this key (sealed with another key). */
  unreadable: number;
}

export interface SealOptions {
  /** The secret fields of a source's verification settings (storage knows no schemes: the server's registry answers). */
  secretFieldsOf: (settings: VerificationSettings) => readonly string[];
  batchSize?: number;
  /** Checked between batches: true ends the run early (the rest is sealed by the next run). */
  shouldStop?: () => boolean;
}

const seal = (stored: string, key: Buffer) => (isSealed(stored) ? stored : sealSecret(stored, key));

function opens(stored: string, key: Buffer): boolean {
  try {
    openSecret(stored, key);
    return true;
  } catch {
    return false;
  }
}

/**
 * Seals every secret still stored in plain text (endpoint secrets and previous secrets, the
 * password / client_secret of endpoint `auth`, source verification secrets and forward secrets)
 * with `key`, in batches of `batchSize` rows. Each row
 * is written with a compare-and-set on its old value, so a secret rotated meanwhile is kept and
 * several processes may run this at once. Idempotent: sealed secrets are left as they are.
 */
export async function sealPlainSecrets(db: Db, key: Buffer, options: SealOptions): Promise<SealReport> {
  const limit = options.batchSize ?? 500;
  const stop = options.shouldStop ?? (() => false);
  const report: SealReport = { endpoints: 0, sources: 0, unreadable: 0 };

  for (let after = ''; !stop();) {
    const rows = await listPlainEndpointSecrets(db, after, limit);
    for (const row of rows) {
      const next = { secret: seal(row.secret, key), previousSecret: row.previousSecret === null ? null : seal(row.previousSecret, key) };
      for (const stored of [row.secret, row.previousSecret]) if (stored && isSealed(stored) && !opens(stored, key)) report.unreadable++;
      if (await replaceEndpointSecrets(db, row, next)) report.endpoints++;
    }
    if (rows.length < limit) break;
    after = rows[rows.length - 1].id;
  }

  // endpoint `auth` keeps its secrets inside JSON too: every endpoint that has one is checked
  for (let after = ''; !stop();) {
    const rows = await listStoredEndpointAuth(db, after, limit);
    for (const row of rows) {
      const { next, sealedWithOtherKey } = sealStoredAuth(row.auth, key);
      report.unreadable += sealedWithOtherKey;
      if (next !== null && (await replaceStoredEndpointAuth(db, row, next))) report.endpoints++;
    }
    if (rows.length < limit) break;
    after = rows[rows.length - 1].id;
  }

  // sources keep their secrets inside the verification JSON, so every row is read and checked
  for (let after = ''; !stop();) {
    const rows = await listSourceSecrets(db, after, limit);
    for (const row of rows) {
      const verification = fromJson<VerificationSettings>(row.verification, { type: 'none' });
      const sealed = { ...verification };
      let changed = !isSealed(row.forwardSecret);
      for (const field of options.secretFieldsOf(verification)) {
        const stored = verification[field];
        if (typeof stored !== 'string') continue;
        if (isSealed(stored)) {
          if (!opens(stored, key)) report.unreadable++;
          continue;
        }
        sealed[field] = sealSecret(stored, key);
        changed = true;
      }
      if (isSealed(row.forwardSecret) && !opens(row.forwardSecret, key)) report.unreadable++;
      if (!changed) continue;
      const next = { verification: toJson(sealed), forwardSecret: seal(row.forwardSecret, key) };
      if (await replaceSourceSecrets(db, row, next)) report.sources++;
    }
    if (rows.length < limit) break;
    after = rows[rows.length - 1].id;
  }
  return report;
}
