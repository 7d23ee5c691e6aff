import { HOP_BY_HOP_HEADERS } from '../schemas/headers.js';

/** Incoming signature headers of other schemes the forward replaces with its own Standard Webhooks set. */
const REPLACED_PREFIXES = ['webhook-', 'svix-'] as const;

/** True when an incoming header must not be copied onto the forwarded request. */
export function isDroppedOnForward(name: string): boolean {
  const lower = name.toLowerCase();
  if (HOP_BY_HOP_HEADERS.has(lower) || lower.startsWith('proxy-')) return true;
  return REPLACED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * The stored request headers to forward: hop-by-hop ones, incoming webhook-/svix- signature
 * headers and any header named by the `connection` header itself are removed.
 */
export function forwardableHeaders(stored: Record<string, string | string[]>): Record<string, string | string[]> {
  const named = new Set(
    String(stored.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(stored)) {
    const lower = name.toLowerCase();
    if (isDroppedOnForward(lower) || named.has(lower)) continue;
    kept[lower] = value;
  }
  return kept;
}
