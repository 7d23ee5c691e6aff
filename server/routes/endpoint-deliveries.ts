import { listAttemptsOfEndpoint } from '../../db/queries/attempts.js';
import { findFailedMessageIds } from '../../db/queries/replay-targets.js';
import { isoTimestamp, paginationQuery } from '../schemas/common.js';
import { attemptSchema } from '../schemas/responses/attempts.js';
import { discardHeldResultSchema, recoverResultSchema } from '../schemas/responses/endpoints.js';
import { discardHeld } from '../delivery/held.js';
import { attemptExample, serializeAttempt } from './attempts.js';
import { defineRoute } from './define-route.js';
import { endpointBase, endpointParams, requireEndpoint } from './endpoints.js';
import { queueExtraDeliveries } from './messages.js';
import { fromIso } from './serialize.js';
import { AppError } from '../errors.js';

export const endpointDeliveryRoutes = [
  defineRoute({
    method: 'get',
    path: `${endpointBase}/:endpoint/attempts`,
    scope: 'endpoint:read',
    tag: 'Endpoints',
    summary: "List an endpoint's attempts",
    description: 'Newest first; `status=failed` lists only failed attempts.',
    params: endpointParams,
    query: { ...paginationQuery, status: { type: 'string', enum: ['succeeded', 'failed'] } },
    response: attemptSchema,
    status: 200,
    list: true,
    example: [attemptExample],
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, query, auth, deps }) {
      const { endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      const page = await listAttemptsOfEndpoint(deps.db, endpoint.id, query);
      return { items: page.items.map(serializeAttempt), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${endpointBase}/:endpoint/recover`,
    scope: 'endpoint:write',
    tag: 'Endpoints',
    summary: 'Recover failed messages',
    description:
      'Re-sends (trigger `recover`, not retried) every message created in [`since`, `until`) whose latest delivery to this endpoint failed. `until` defaults to now. Messages whose payload was purged are skipped, and so is any message this endpoint could not be replayed (one targeted at another recipient).',
    params: endpointParams,
    body: { type: 'object', required: ['since'], additionalProperties: false, properties: { since: isoTimestamp, until: isoTimestamp } },
    response: recoverResultSchema,
    status: 202,
    example: { replayed: 3 },
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, body, auth, deps }) {
      const { app, endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      const since = fromIso(body.since) as number;
      const until = fromIso(body.until) ?? deps.clock.now() + 1;
      if (until <= since)
        throw new AppError('invalid_request', '`until` must be after `since`.', {
          details: [{ path: '/until', message: 'must be after since' }],
        });
      const messageIds = await findFailedMessageIds(deps.db, endpoint.id, since, until);
      const replayed = await queueExtraDeliveries(
        deps,
        messageIds.map((messageId) => ({ workspaceId: app.workspaceId, messageId, endpointId: endpoint.id })),
        'recover',
      );
      return { replayed };
    },
  }),
  defineRoute({
    method: 'post',
    path: `${endpointBase}/:endpoint/discard-held`,
    scope: 'endpoint:write',
    tag: 'Endpoints',
    summary: 'Discard held deliveries',
    description:
      "Finishes every delivery held for this (disabled) endpoint as `failed`, with `last_error: discarded` in the message's `deliveries[]`, without an attempt. Re-enabling the endpoint afterwards sends only what arrives from then on.",
    params: endpointParams,
    response: discardHeldResultSchema,
    status: 200,
    example: { discarded: 12 },
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, auth, deps }) {
      const { endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      return { discarded: await discardHeld(deps, endpoint.id) };
    },
  }),
] as const;
