import type { Context } from 'koa';
import type { Db } from '../../db/index.js';
import type { AppDeps, Clock } from '../deps.js';
import { AppError } from '../errors.js';
import { hashApiKey } from '../api-keys.js';
import { findActiveApiKeyByHash } from '../../db/queries/api-keys.js';

export interface ApiKeyAuth {
  workspaceId: string;
  keyId: string;
  scopes: string[];
}

/**
 * How long a key lookup is remembered. A revoked key keeps working on another process for at
 * most this long, which is what "fails within 1 s on every server process" allows.
 */
const CACHE_TTL_MS = 900;
const CACHE_MAX = 10_000;
type CacheEntry = { auth: ApiKeyAuth | null; expiresAt: number };

/** Remembered API-key lookups of one app (see `createApiKeyCache`). */
export interface ApiKeyCache {
  /** The key with this hash (null when unknown or revoked), from memory when looked up < 900 ms ago. */
  lookup(hash: string): Promise<ApiKeyAuth | null>;
  /** Forgets every lookup (after a revoke on this app, so it fails here at once). */
  clear(): void;
}

/**
 * The API-key cache of one app, timed by the app's clock. Each app builds its own, so two apps
 * in one process never answer from each other's lookups.
 */
export function createApiKeyCache(db: Db, clock: Clock): ApiKeyCache {
  const entries = new Map<string, CacheEntry>();
  return {
    async lookup(hash) {
      const now = clock.now();
      let entry = entries.get(hash);
      if (!entry || entry.expiresAt <= now) {
        const key = await findActiveApiKeyByHash(db, hash);
        entry = { auth: key ? { workspaceId: key.workspaceId, keyId: key.id, scopes: key.scopes } : null, expiresAt: now + CACHE_TTL_MS };
        if (entries.size >= CACHE_MAX) entries.clear();
        entries.set(hash, entry);
      }
      return entry.auth;
    },
    clear: () => entries.clear(),
  };
}

/** The bearer token of the request, or null when the header is missing or not `Bearer …`. */
export function bearerToken(ctx: Context): string | null {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Resolves the request's API key to its workspace and scopes; 401 `unauthorized` otherwise. */
export async function authenticateApiKey(deps: AppDeps, ctx: Context): Promise<ApiKeyAuth> {
  const token = bearerToken(ctx);
  if (!token || !token.startsWith('rlk_')) {
    throw new AppError('unauthorized', token ? 'The API key is malformed.' : 'An API key is required: Authorization: Bearer rlk_…');
  }
  const auth = await deps.apiKeys.lookup(hashApiKey(token));
  if (!auth) throw new AppError('unauthorized', 'The API key is unknown or revoked.');
  ctx.state.auth = auth;
  return auth;
}
