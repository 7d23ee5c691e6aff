import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { bearerToken } from '../middleware/auth.js';
import { findLivePortalSession, type PortalSession } from '../../db/queries/portal-sessions.js';
import { hashPortalToken, PORTAL_TOKEN_PREFIX } from './tokens.js';

/**
 * Resolves `Authorization: Bearer ps_…` to its live session; 401 `unauthorized` for a missing,
 * malformed, unknown or expired token. An API key (`rlk_…`) is refused here just as a portal token
 * is refused by the API's key check: the two credentials never open each other's routes.
 * Not cached, so deleting the recipient (which cascades to its sessions) revokes at once.
 */
export async function authenticatePortalSession(deps: AppDeps, ctx: Context): Promise<PortalSession> {
  const token = bearerToken(ctx);
  if (!token || !token.startsWith(PORTAL_TOKEN_PREFIX)) {
    throw new AppError(
      'unauthorized',
      token
        ? 'Portal routes take a portal session token (ps_…), not an API key.'
        : 'A portal session token is required: Authorization: Bearer ps_…',
    );
  }
  const session = await findLivePortalSession(deps.db, hashPortalToken(token), deps.clock.now());
  if (!session) throw new AppError('unauthorized', 'The portal session is unknown or has expired; ask for a new link.');
  ctx.state.portalSession = session;
  return session;
}
