/** The resources a key can be scoped to; each has a `read` and a `write` scope (write does not imply read). */
export const SCOPE_RESOURCES = [
  'app', 'recipient', 'event_type', 'endpoint', 'message', 'source', 'event', 'anomaly', 'key',
] as const;

export type ScopeResource = (typeof SCOPE_RESOURCES)[number];
export type Scope = `${ScopeResource}:${'read' | 'write'}`;

/** Every scope a key may carry, `*` first. */
export const ALL_SCOPES: readonly string[] = ['*', ...SCOPE_RESOURCES.flatMap((r) => [`${r}:read`, `${r}:write`])];

/** True when a key holding `granted` may use a route that requires `required`. */
export function hasScope(granted: readonly string[], required: Scope): boolean {
  return granted.includes('*') || granted.includes(required);
}
