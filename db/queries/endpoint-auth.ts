import type { DbOrTx } from '../index.js';
import { isSealed, openFields, openSecret, sealFields, sealSecret } from '../secret-sealing.js';
import { fromJson, toJson } from './json.js';
import type { Ordering } from './fifo-lanes.js';

/**
 * Credentials Dispatch presents to an endpoint's receiver (CONTRACT §8 `auth`), stored as JSON in
 * `endpoints.auth` in the API's own shape. `password` and `client_secret` are sealed like the
 * signing secret (db/secret-sealing.ts); reads that answer the API never open them.
 */
export type EndpointAuth =
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2_client_credentials';
      token_url: string;
      client_id: string;
      client_secret: string;
      scope?: string;
      audience?: string;
    };

/** `auth` as reads return it: the secret replaced by null. */
export type PublicEndpointAuth =
  | { type: 'basic'; username: string; password: null }
  | {
      type: 'oauth2_client_credentials';
      token_url: string;
      client_id: string;
      client_secret: null;
      scope: string | null;
      audience: string | null;
    };

/** The fields of a stored `auth` that are secrets. */
export const AUTH_SECRET_FIELDS = ['password', 'client_secret'] as const;

/** The JSON text to store for `auth` (secrets sealed with `key` when it is set); null clears. */
export function sealAuth(auth: EndpointAuth | null, key: Buffer | null): string | null {
  return auth === null ? null : toJson(sealFields(auth, AUTH_SECRET_FIELDS, key));
}

/** The stored `auth` with its secrets opened. Throws when a secret was sealed with another key. */
export function openAuth(stored: string | null, key: Buffer | null): EndpointAuth | null {
  const auth = fromJson<EndpointAuth | null>(stored, null);
  return auth === null ? null : openFields(auth, AUTH_SECRET_FIELDS, key);
}

/** The stored `auth` as the API shows it (secrets never opened, shown as null). */
export function publicAuth(stored: string | null): PublicEndpointAuth | null {
  const auth = fromJson<EndpointAuth | null>(stored, null);
  if (auth === null) return null;
  if (auth.type === 'basic') return { type: 'basic', username: auth.username, password: null };
  return {
    type: 'oauth2_client_credentials',
    token_url: auth.token_url,
    client_id: auth.client_id,
    client_secret: null,
    scope: auth.scope ?? null,
    audience: auth.audience ?? null,
  };
}

/** Replaces an endpoint's `auth` (null clears it). */
export async function setEndpointAuth(db: DbOrTx, id: string, auth: EndpointAuth | null, key: Buffer | null, now: number): Promise<void> {
  await db('endpoints')
    .where({ id })
    .update({ auth: sealAuth(auth, key), updated_at: now });
}

/** Sets an endpoint's ordering; call settleLanes in the same transaction so its pending deliveries follow. */
export async function setEndpointOrdering(db: DbOrTx, id: string, ordering: Ordering, now: number): Promise<void> {
  await db('endpoints').where({ id }).update({ ordering, updated_at: now });
}

/** An endpoint's `auth` column as stored, for sealing secrets stored plain. */
export interface StoredEndpointAuth {
  id: string;
  auth: string;
}

/** Endpoints after `afterId` (by id) that have `auth` set (its secrets may be sealed or plain). */
export async function listStoredEndpointAuth(db: DbOrTx, afterId: string, limit: number): Promise<StoredEndpointAuth[]> {
  return db('endpoints')
    .where('id', '>', afterId)
    .whereNotNull('auth')
    .orderBy('id', 'asc')
    .limit(limit)
    .select<StoredEndpointAuth[]>('id', 'auth');
}

/** Replaces a stored `auth` only if it is still exactly `expected.auth` (a PATCH meanwhile wins). */
export async function replaceStoredEndpointAuth(db: DbOrTx, expected: StoredEndpointAuth, next: string): Promise<boolean> {
  return (await db('endpoints').where({ id: expected.id, auth: expected.auth }).update({ auth: next })) > 0;
}

/**
 * The stored `auth` with every plain secret sealed with `key` (sealed ones left as they are), or
 * null when nothing was plain; `sealedWithOtherKey` counts secrets that do not open with `key`.
 */
export function sealStoredAuth(stored: string, key: Buffer): { next: string | null; sealedWithOtherKey: number } {
  const auth = fromJson<Record<string, unknown>>(stored, {});
  const next = { ...auth };
  let plain = false;
  let sealedWithOtherKey = 0;
  for (const field of AUTH_SECRET_FIELDS) {
    const value = auth[field];
    if (typeof value !== 'string') continue;
    if (!isSealed(value)) {
      next[field] = sealSecret(value, key);
      plain = true;
      continue;
    }
    try {
      openSecret(value, key);
    } catch {
      sealedWithOtherKey++;
    }
  }
  return { next: plain ? toJson(next) : null, sealedWithOtherKey };
}
