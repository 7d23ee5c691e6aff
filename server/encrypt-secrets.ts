import type { Db } from '../db/index.js';
import { fromJson, toJson } from '../db/queries/json.js';
import {
  listPlainEndpointSecrets, listSourceSecrets, replaceEndpointSecrets, replaceSourceSecrets,
} from '../db/queries/secrets-at-rest.js';
import type { AppDeps } from './deps.js';
import { publicVerification, type VerificationConfig } from './ingest/verifiers/index.js';
import { isSealed, openSecret, sealSecret } from './secrets.js';
import type { Workers } from './workers.js';

/** What one sealing run did. */
export interface SealReport {
  /** Endpoints whose secret or previous secret was stored plain and is now sealed. */
  endpoints: number;
  /** Sources whose verification secrets or forward secret were stored plain and are now sealed. */
  sources: number;
  /** Stored secrets that are sealed but do not open with this key (sealed with another key). */
  unreadable: number;
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

/** The names of the secret fields of a verification config (those the API never shows). */
function secretFieldsOf(config: VerificationConfig): string[] {
  const shown = new Set(Object.keys(publicVerification(config)));
  return Object.keys(config).filter((field) => !shown.has(field) && typeof config[field] === 'string');
}

/**
 * Seals every secret still stored in plain text (endpoint secrets and previous secrets, source
 * verification secrets and forward secrets) with `key`, in batches of `batchSize` rows. Each row
 * is written with a compare-and-set on its old value, so a secret rotated meanwhile is kept and
 * several processes may run this at once. Idempotent: sealed secrets are left as they are.
 */
export async function encryptSecrets(db: Db, key: Buffer, options: { batchSize?: number; shouldStop?: () => boolean } = {}): Promise<SealReport> {
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

  // sources keep their secrets inside the verification JSON, so every row is read and checked
  for (let after = ''; !stop();) {
    const rows = await listSourceSecrets(db, after, limit);
    for (const row of rows) {
      const verification = fromJson<VerificationConfig>(row.verification, { type: 'none' });
      const sealed = { ...verification };
      let changed = !isSealed(row.forwardSecret);
      for (const field of secretFieldsOf(verification)) {
        const stored = verification[field] as string;
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

/**
 * With DISPATCH_ENCRYPTION_KEY set, seals (once, in the background) any secret stored plain
 * before the key was configured, so upgrading an installation needs no manual step. Without a
 * key it does nothing. Reading never depends on it: openSecret reads plain and sealed alike.
 */
export function startSecretSealer(deps: Pick<AppDeps, 'db' | 'config' | 'logger'>): Workers & { done: Promise<SealReport | null> } {
  const key = deps.config.encryptionKey;
  if (!key) return { done: Promise.resolve(null), async stop() {} };
  let stopped = false;
  const done = encryptSecrets(deps.db, key, { shouldStop: () => stopped }).then(
    (report) => {
      if (report.endpoints + report.sources > 0) deps.logger.info({ sealed: report }, 'sealed secrets stored in plain text');
      if (report.unreadable > 0) {
        deps.logger.error({ unreadable: report.unreadable }, 'some stored secrets were sealed with a different DISPATCH_ENCRYPTION_KEY and cannot be opened');
      }
      return report;
    },
    (error: unknown) => {
      deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'sealing plain secrets failed; it runs again at the next start');
      return null;
    },
  );
  return {
    done,
    async stop() {
      // stops between batches: what is left is sealed at the next start
      stopped = true;
      await done;
    },
  };
}
