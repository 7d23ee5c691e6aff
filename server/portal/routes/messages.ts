import { findEndpoint } from '../../../db/queries/endpoints.js';
import {
  findRecipientMessage,
  listRecipientAttempts,
  listRecipientMessages,
  summarizeRecipientDeliveries,
  type RecipientDeliverySummary,
} from '../../../db/queries/portal-messages.js';
import type { PortalSession } from '../../../db/queries/portal-sessions.js';
import type { DbOrTx } from '../../../db/index.js';
import { AppError } from '../../errors.js';
import { attemptExample, serializeAttempt } from '../../routes/attempts.js';
import { replayMessageRoute, serializeMessage } from '../../routes/messages.js';
import { iso } from '../../routes/serialize.js';
import { paginationQuery } from '../../schemas/common.js';
import { attemptSchema } from '../../schemas/responses/attempts.js';
import { messageReplaySchema, portalMessageSchema, type PortalDeliveryData } from '../../schemas/responses/messages.js';
import { eventTypeName } from '../../schemas/event-types.js';
import { definePortalRoute } from '../define-portal-route.js';
import { portalCaller } from '../delegate.js';

const refOf = (session: PortalSession) => ({ appId: session.appId, recipientId: session.recipientId });

async function requireRecipientMessage(db: DbOrTx, session: PortalSession, id: string) {
  const message = await findRecipientMessage(db, refOf(session), id);
  if (!message) throw new AppError('message_not_found', `No message "${id}" was sent to you.`);
  return message;
}

const serializeDelivery = (d: RecipientDeliverySummary): PortalDeliveryData => ({
  endpoint_id: d.endpointId,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: iso(d.nextAttemptAt),
  last_error: d.lastError ?? d.lastAttempt?.error ?? null,
  last_attempt: d.lastAttempt && {
    id: d.lastAttempt.id,
    status: d.lastAttempt.status,
    response_status: d.lastAttempt.responseStatus,
    error: d.lastAttempt.error,
    created_at: iso(d.lastAttempt.createdAt),
  },
});

/** The API's replay operation: the portal adds the recipient checks in front and runs it as is. */
const replayOperation = replayMessageRoute;

export const portalMessageRoutes = [
  definePortalRoute({
    method: 'get',
    path: '/messages',
    summary: 'Messages sent to this recipient, newest first, with their deliveries to its endpoints',
    query: { ...paginationQuery, event_type: eventTypeName },
    response: portalMessageSchema,
    status: 200,
    list: true,
    example: [
      {
        id: 'msg_0ujsswThIGTUYm2K8FjOOfXtY1K',
        app_id: 'app_0ujsszwN8NRY24YaXiTIE2VWDTS',
        event_type: 'invoice.paid',
        recipient_id: 'rcp_0ujst0xk2dVKQzY1lS8CUbWsEoF',
        event_id: null,
        payload: { invoice: 'in_42' },
        created_at: '2026-11-26T10:00:00.000Z',
        deliveries: [
          {
            endpoint_id: 'ep_0ujsszgFvbiEr7CDgE3z8MAUPFt',
            status: 'succeeded',
            attempts: 1,
            next_attempt_at: null,
            last_error: null,
            last_attempt: {
              id: attemptExample.id,
              status: 'succeeded',
              response_status: 200,
              error: null,
              created_at: '2026-11-26T10:00:00.210Z',
            },
          },
        ],
      },
    ],
    errors: [],
    async handler({ session, query, deps }) {
      const page = await listRecipientMessages(deps.db, refOf(session), {
        limit: query.limit,
        cursor: query.cursor,
        eventType: query.event_type,
      });
      const deliveries = await summarizeRecipientDeliveries(
        deps.db,
        session.recipientId,
        page.items.map((m) => m.id),
      );
      return {
        items: page.items.map((m) => ({ ...serializeMessage(m), deliveries: (deliveries.get(m.id) ?? []).map(serializeDelivery) })),
        next_cursor: page.nextCursor,
      };
    },
  }),
  definePortalRoute({
    method: 'get',
    path: '/messages/:id/attempts',
    summary: "A message's attempts to this recipient's endpoints, newest first",
    query: { ...paginationQuery, endpoint_id: { type: 'string', maxLength: 64 } },
    response: attemptSchema,
    status: 200,
    list: true,
    example: [attemptExample],
    errors: ['message_not_found'],
    async handler({ session, params, query, deps }) {
      const message = await requireRecipientMessage(deps.db, session, params.id);
      const page = await listRecipientAttempts(deps.db, session.recipientId, message.id, {
        limit: query.limit,
        cursor: query.cursor,
        endpointId: query.endpoint_id,
      });
      return { items: page.items.map(serializeAttempt), next_cursor: page.nextCursor };
    },
  }),
  definePortalRoute({
    method: 'post',
    path: '/messages/:id/replay',
    summary: "Send a message again to one of this recipient's endpoints",
    body: {
      type: 'object',
      required: ['endpoint_id'],
      additionalProperties: false,
      properties: { endpoint_id: { type: 'string', minLength: 1, maxLength: 64 } },
    },
    response: messageReplaySchema,
    status: 202,
    example: replayOperation.example,
    errors: ['message_not_found', 'endpoint_not_found', 'payload_expired'],
    async handler({ session, params, body, deps, ctx }) {
      const message = await requireRecipientMessage(deps.db, session, params.id);
      const endpoint = await findEndpoint(deps.db, session.recipientId, body.endpoint_id);
      if (!endpoint) throw new AppError('endpoint_not_found', `No endpoint "${body.endpoint_id}" of yours.`);
      return replayOperation.handler({
        params: { app: session.appId, msg: message.id },
        body: { endpoint_id: endpoint.id },
        query: {},
        auth: portalCaller(session),
        deps,
        ctx,
      });
    },
  }),
] as const;
