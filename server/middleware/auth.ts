import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
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
// one cache per database handle, so two apps in one process (tests) never share lookups
const caches = new WeakMap<object, Map<string, CacheEntry>>();

function cacheFor(db: object): Map<string, CacheEntry> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

/** Forgets every cached lookup of this database (called after a revoke on this process). */
export function clearAuthCache(db: object): void {
  caches.get(db)?.clear();
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
  const hash = hashApiKey(token);
  const now = Date.now();
  const cache = cacheFor(deps.db);
  let entry = cache.get(hash);
  if (!entry || entry.expiresAt <= now) {
    const key = await findActiveApiKeyByHash(deps.db, hash);
    entry = { auth: key ? { workspaceId: key.workspaceId, keyId: key.id, scopes: key.scopes } : null, expiresAt: now + CACHE_TTL_MS };
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, entry);
  }
  if (!entry.auth) throw new AppError('unauthorized', 'The API key is unknown or revoked.');
  ctx.state.auth = entry.auth;
  return entry.auth;
}
