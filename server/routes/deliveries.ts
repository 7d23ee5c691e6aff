import { listWorkspaceDeliveries, type ListedDelivery } from '../../db/queries/delivery-list.js';
import { AppError } from '../errors.js';
import { hasScope } from '../scopes.js';
import { isoTimestamp, paginationQuery } from '../schemas/common.js';
import { deliveryListItemSchema, type DeliveryListItemData } from '../schemas/responses/deliveries.js';
import { requireApp } from './apps.js';
import { defineRoute } from './define-route.js';
import { fromIso, iso } from './serialize.js';

const serializeListedDelivery = (d: ListedDelivery, showUrl: boolean): DeliveryListItemData => ({
  id: d.id,
  message_id: d.messageId,
  app_id: d.appId,
  event_type: d.eventType,
  endpoint_id: d.endpointId,
  recipient_id: d.recipientId,
  endpoint_url: showUrl ? d.endpointUrl : null,
  status: d.status as DeliveryListItemData['status'],
  trigger: d.trigger as DeliveryListItemData['trigger'],
  attempts: d.attempts,
  next_attempt_at: iso(d.nextAttemptAt),
  last_attempt: d.lastAttempt && {
    id: d.lastAttempt.id,
    error: d.lastAttempt.error,
    response_status: d.lastAttempt.responseStatus,
    created_at: iso(d.lastAttempt.createdAt),
  },
  message_created_at: iso(d.messageCreatedAt),
  created_at: iso(d.createdAt),
  updated_at: iso(d.updatedAt),
});

const deliveryExample = {
  id: 'dlv_0ujsswThIGTUYm2K8FjOOfXtY1K',
  message_id: 'msg_0ujsswThIGTUYm2K8FjOOfXtY1K',
  app_id: 'app_0ujsswThIGTUYm2K8FjOOfXtY1K',
  event_type: 'invoice.paid',
  endpoint_id: 'ep_0ujsswThIGTUYm2K8FjOOfXtY1K',
  recipient_id: 'rcp_0ujsswThIGTUYm2K8FjOOfXtY1K',
  endpoint_url: 'https://hooks.example.com/dispatch',
  status: 'failed',
  trigger: 'scheduled',
  attempts: 8,
  next_attempt_at: null,
  last_attempt: {
    id: 'atm_0ujsswThIGTUYm2K8FjOOfXtY1K',
    error: 'http_status',
    response_status: 503,
    created_at: '2026-11-27T17:00:04.000Z',
  },
  message_created_at: '2026-11-26T10:00:00.000Z',
  created_at: '2026-11-26T10:00:00.000Z',
  updated_at: '2026-11-27T17:00:04.000Z',
} as const;

export const deliveryListRoutes = [
  defineRoute({
    method: 'get',
    path: '/deliveries',
    scope: 'message:read',
    tag: 'Messages',
    summary: 'List deliveries across the workspace',
    description:
      'Newest first, over every app of the workspace: the current (latest) delivery of each (message, endpoint) pair ' +
      'in `status` (default `failed`, the dead letters). A failed delivery that a replay or recover has since sent ' +
      'again leaves the list; `endpoint_url` is shown to keys that also hold `endpoint:read`. `since` (inclusive) and `until` (exclusive) bound the message creation time, as in ' +
      '`POST /apps/{app}/messages/replay`, so the same filter replays what this lists.',
    query: {
      status: { type: 'string', enum: ['failed', 'pending', 'held', 'succeeded'], default: 'failed' },
      app: { type: 'string', maxLength: 256, description: 'Only this app (id or uid).' },
      event_type: { type: 'string', maxLength: 256 },
      endpoint_id: { type: 'string', maxLength: 64 },
      since: isoTimestamp,
      until: isoTimestamp,
      ...paginationQuery,
    },
    response: deliveryListItemSchema,
    status: 200,
    list: true,
    example: [deliveryExample],
    errors: ['invalid_request', 'app_not_found'],
    async handler({ query, auth, deps }) {
      const app = query.app === undefined ? null : await requireApp(deps.db, auth.workspaceId, query.app);
      const since = fromIso(query.since);
      const until = fromIso(query.until);
      if (since !== undefined && until !== undefined && until <= since)
        throw new AppError('invalid_request', '`until` must be after `since`.', {
          details: [{ path: '/until', message: 'must be after since' }],
        });
      const page = await listWorkspaceDeliveries(deps.db, auth.workspaceId, {
        status: query.status ?? 'failed',
        appId: app?.id,
        eventType: query.event_type,
        endpointId: query.endpoint_id,
        since,
        until,
        limit: query.limit ?? 50,
        cursor: query.cursor,
      });
      const showUrl = hasScope(auth.scopes, 'endpoint:read');
      return { items: page.items.map((d) => serializeListedDelivery(d, showUrl)), next_cursor: page.nextCursor };
    },
  }),
] as const;
