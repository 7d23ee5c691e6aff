import { createHash } from 'node:crypto';
import { newToken } from '../../db/ids.js';

export const PORTAL_TOKEN_PREFIX = 'ps_';

/** A new portal token: `ps_` + 32 random bytes in base62 (~256 bits, so one SHA-256 suffices to store it). */
export function generatePortalToken(): string {
  return PORTAL_TOKEN_PREFIX + newToken(32);
}

/** Portal tokens are stored only as this hash. */
export function hashPortalToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The URL a recipient opens: the portal page with the token in the query (moved out of the URL by the page). */
export function portalUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/portal?token=${encodeURIComponent(token)}`;
}
