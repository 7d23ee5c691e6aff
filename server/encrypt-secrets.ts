import type { Db } from '../db/index.js';
import { sealPlainSecrets, type SealReport } from '../db/seal-plain-secrets.js';
import type { AppDeps } from './deps.js';
import { verificationSecretFields } from './ingest/verifiers/index.js';
import type { Workers } from './workers.js';

export type { SealReport } from '../db/seal-plain-secrets.js';

/**
 * Seals every secret still stored in plain text with `key` (db/seal-plain-secrets.ts does the
 * work; the verifier registry tells it which verification fields are secrets). Idempotent and
 * safe to run from several processes at once.
 */
export async function encryptSecrets(
  db: Db,
  key: Buffer,
  options: { batchSize?: number; shouldStop?: () => boolean } = {},
): Promise<SealReport> {
  return sealPlainSecrets(db, key, { ...options, secretFieldsOf: verificationSecretFields });
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
        deps.logger.error(
          { unreadable: report.unreadable },
          'some stored secrets were sealed with a different DISPATCH_ENCRYPTION_KEY and cannot be opened',
        );
      }
      return report;
    },
    (error: unknown) => {
      deps.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'sealing plain secrets failed; it runs again at the next start',
      );
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
