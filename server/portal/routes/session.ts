import { findAppByRef } from '../../../db/queries/apps.js';
import { listEventTypes } from '../../../db/queries/event-types.js';
import { findRecipientById } from '../../../db/queries/recipients.js';
import { AppError } from '../../errors.js';
import { iso } from '../../routes/serialize.js';
import { paginationQuery } from '../../schemas/common.js';
import { eventTypeSchema } from '../../schemas/responses/event-types.js';
import { portalSessionInfoSchema } from '../../schemas/responses/portal.js';
import { eventTypeExample, serializeEventType } from '../../schemas/event-types.js';
import { definePortalRoute } from '../define-portal-route.js';

export const portalSessionInfoRoutes = [
  definePortalRoute({
    method: 'get',
    path: '/session',
    summary: 'Who this portal session is for and when it expires',
    response: portalSessionInfoSchema,
    status: 200,
    example: {
      app: { id: 'app_0ujsszwN8NRY24YaXiTIE2VWDTS', name: 'Billing' },
      recipient: { id: 'rcp_0ujst0xk2dVKQzY1lS8CUbWsEoF', uid: 'acme', name: 'Acme' },
      expires_at: '2026-11-26T11:00:00.000Z',
    },
    errors: [],
    async handler({ session, deps }) {
      const [app, recipient] = await Promise.all([
        findAppByRef(deps.db, session.workspaceId, session.appId),
        findRecipientById(deps.db, session.recipientId),
      ]);
      // the recipient was deleted after the token was checked: the session is gone with it
      if (!app || !recipient) throw new AppError('unauthorized', 'The portal session is unknown or has expired; ask for a new link.');
      return {
        app: { id: app.id, name: app.name },
        recipient: { id: recipient.id, uid: recipient.uid, name: recipient.name },
        expires_at: iso(session.expiresAt),
      };
    },
  }),
  definePortalRoute({
    method: 'get',
    path: '/event-types',
    summary: "The app's event types (not archived), for the subscription picker",
    query: { ...paginationQuery },
    response: eventTypeSchema,
    status: 200,
    list: true,
    example: [eventTypeExample],
    errors: [],
    async handler({ session, query, deps }) {
      const page = await listEventTypes(deps.db, session.appId, { limit: query.limit, cursor: query.cursor, includeArchived: false });
      return { items: page.items.map(serializeEventType), next_cursor: page.nextCursor };
    },
  }),
] as const;
