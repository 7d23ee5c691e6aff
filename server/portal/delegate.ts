import type { ApiKeyAuth } from '../middleware/auth.js';
import type { RouteSpec } from '../routes/define-route.js';
import type { PortalSession } from '../../db/queries/portal-sessions.js';

/**
 * The API operation `method path` among `routes`. Portal routes run the API's own handlers with
 * the session's app and recipient pinned in the path, so validation, SSRF checks, plan limits,
 * secret handling and replay behave exactly as on the main API, without a second copy.
 * Throws at start-up (module load) if the operation is renamed, never at request time.
 */
export function apiOperation(routes: readonly RouteSpec[], method: RouteSpec['method'], path: string): RouteSpec {
  const spec = routes.find((route) => route.method === method && route.path === path);
  if (!spec) throw new Error(`portal: the API has no ${method.toUpperCase()} ${path} operation to delegate to`);
  return spec;
}

/**
 * The session as API handlers see a caller: they read only the workspace. No scope is granted —
 * scopes are checked by mountRoutes, which the portal bypasses — and the path pins the recipient.
 */
export function portalCaller(session: PortalSession): ApiKeyAuth {
  return { workspaceId: session.workspaceId, keyId: session.id, scopes: [] };
}
