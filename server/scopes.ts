/** The resources a key can be scoped to; each has a `read` and a `write` scope (write does not imply read). */
export const SCOPE_RESOURCES = ['app', 'recipient', 'event_type', 'endpoint', 'message', 'source', 'event', 'anomaly', 'key'] as const;

export type ScopeResource = (typeof SCOPE_RESOURCES)[number];
export type Scope = `${ScopeResource}:${'read' | 'write'}`;

/** Every scope a key may carry, `*` first. */
export const ALL_SCOPES: readonly string[] = ['*', ...SCOPE_RESOURCES.flatMap((r) => [`${r}:read`, `${r}:write`])];

/** True when a key holding `granted` may use a route that requires `required`. */
export function hasScope(granted: readonly string[], required: Scope): boolean {
  return granted.includes('*') || granted.includes(required);
}

/**
 * The first of `requested` (in the caller's order) that a key holding `granted` lacks, or null
 * when it holds them all. A key may hand out only what it holds itself (CONTRACT §8.4), so
 * `key:write` alone cannot mint a `*` key; only `*` itself may grant `*`.
 */
export function firstScopeNotHeld(granted: readonly string[], requested: readonly string[]): string | null {
  if (granted.includes('*')) return null;
  return requested.find((scope) => !granted.includes(scope)) ?? null;
}
