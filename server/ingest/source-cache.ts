import type { Db } from '../../db/index.js';
import { compileFilter, type FilterMatcher } from '../filters/index.js';
import { findOpenedSourceByToken, type OpenedSource } from './opened-source.js';
import type { Clock } from '../deps.js';

/**
 * Token lookups are remembered for up to 1 s: a busy source costs one query less per request.
 * Only the token's existence, allowed methods and verification settings come from here (a change
 * reaches every process within 1 s, as API-key revocation does); pause, destinations and dedupe are
 * re-read under a row lock in the storing transaction, and a deleted source is caught there too.
 */
const SOURCE_CACHE_TTL_MS = 1000;
const SOURCE_CACHE_MAX = 10_000;
/** Distinct destination filters kept compiled (each at most 4 KiB). */
const FILTER_CACHE_MAX = 10_000;

/** Remembered ingest-token lookups of one app (see `createSourceCache`). */
export interface SourceCache {
  /** The source behind an ingest token (its secrets opened with `encryptionKey`), or null when there is none. */
  lookup(token: string, encryptionKey: Buffer | null): Promise<OpenedSource | null>;
  /**
   * A destination filter compiled once: matchers are kept by the filter's JSON text, so a source's
   * filters are compiled once per version of the source (and shared by identical filters).
   */
  filterMatcher: (filter: Record<string, unknown>) => FilterMatcher;
  /** Forgets every lookup (after a source is changed or deleted on this app). */
  clear(): void;
}

/** The ingest-token cache of one app, timed by its clock. */
export function createSourceCache(db: Db, clock: Clock): SourceCache {
  const entries = new Map<string, { source: OpenedSource; expiresAt: number }>();
  const matchers = new Map<string, FilterMatcher>();
  return {
    async lookup(token, encryptionKey) {
      const now = clock.now();
      const cached = entries.get(token);
      if (cached && cached.expiresAt > now) return cached.source;
      const source = await findOpenedSourceByToken(db, token, encryptionKey);
      // unknown tokens are not remembered: a guessing client must not fill the cache
      if (source) {
        if (entries.size >= SOURCE_CACHE_MAX) entries.clear();
        entries.set(token, { source, expiresAt: now + SOURCE_CACHE_TTL_MS });
      } else entries.delete(token);
      return source;
    },
    filterMatcher: (filter) => {
      const key = JSON.stringify(filter);
      let matcher = matchers.get(key);
      if (!matcher) {
        if (matchers.size >= FILTER_CACHE_MAX) matchers.clear();
        try {
          matcher = compileFilter(filter);
        } catch {
          // a stored filter was validated when written; one that no longer compiles matches nothing (as for endpoints)
          matcher = () => false;
        }
        matchers.set(key, matcher);
      }
      return matcher;
    },
    clear: () => entries.clear(),
  };
}
