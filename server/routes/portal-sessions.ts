import { insertPortalSession } from '../../db/queries/portal-sessions.js';
import { generatePortalToken, hashPortalToken, portalUrl } from '../portal/tokens.js';
import { portalSessionCreatedSchema } from '../schemas/responses/apps.js';
import { defineRoute } from './define-route.js';
import { requireRecipient } from './recipients.js';
import { iso } from './serialize.js';

/** CONTRACT §6: `expires_in` is 1–604800 seconds (7 days), 3600 when omitted. */
export const PORTAL_SESSION_DEFAULT_TTL_S = 3600;
export const PORTAL_SESSION_MAX_TTL_S = 604_800;

export const portalSessionRoutes = [
  defineRoute({
    method: 'post',
    path: '/apps/:app/recipients/:recipient/portal-sessions',
    scope: 'recipient:write',
    tag: 'Recipients',
    summary: 'Create a portal session',
    description:
      'Returns a link to the self-service portal where this recipient manages its own endpoints, secrets and deliveries. ' +
      'The `token` (`ps_…`) is shown only here (Dispatch stores its hash) and works only on `/api/v1/portal/*`. ' +
      'It expires after `expires_in` seconds; deleting the recipient revokes every session at once.',
    params: { app: 'The app id (`app_…`) or uid.', recipient: 'The recipient id (`rcp_…`) or uid.' },
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        expires_in: {
          type: 'integer',
          minimum: 1,
          maximum: PORTAL_SESSION_MAX_TTL_S,
          default: PORTAL_SESSION_DEFAULT_TTL_S,
          description: 'Lifetime in seconds (1–604800, default 3600).',
        },
      },
    },
    response: portalSessionCreatedSchema,
    status: 201,
    example: {
      token: 'ps_4q0bGk2VwXo9cY1s7ZLmE3uRtN8aJhDpQfKi6vBz5Wy',
      url: 'https://dispatch.example.com/portal?token=ps_4q0bGk2VwXo9cY1s7ZLmE3uRtN8aJhDpQfKi6vBz5Wy',
      expires_at: '2026-11-26T11:00:00.000Z',
    },
    errors: ['app_not_found', 'recipient_not_found'],
    async handler({ params, body, auth, deps }) {
      const { app, recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      const now = deps.clock.now();
      const token = generatePortalToken();
      const expiresAt = now + (body.expires_in ?? PORTAL_SESSION_DEFAULT_TTL_S) * 1000;
      // one INSERT: expired sessions are purged by the retention worker, not here (deleting them in
      // this transaction deadlocked concurrent creates for one recipient on MySQL: next-key locks)
      await insertPortalSession(
        deps.db,
        { workspaceId: auth.workspaceId, appId: app.id, recipientId: recipient.id, tokenHash: hashPortalToken(token), expiresAt },
        now,
      );
      return { token, url: portalUrl(deps.config.publicUrl, token), expires_at: iso(expiresAt) };
    },
  }),
] as const;
