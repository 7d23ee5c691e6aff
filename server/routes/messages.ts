import type { Db } from '../../db/index.js';
import { insertDeliveries, workTransaction } from '../../db/queries/deliveries.js';
import { findEndpoint } from '../../db/queries/endpoints.js';
import { countScheduledDeliveries, findMessage, findMessageEndpointIds, listMessages, summarizeDeliveries, type Message, type MessageStatus } from '../../db/queries/messages.js';
import { findRecipientByRef } from '../../db/queries/recipients.js';
import { acceptMessage } from '../delivery/accept.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { isoTimestamp, paginationQuery, type PageQuery } from '../schemas/common.js';
import { defineRoute } from './define-route.js';
import { requireApp } from './apps.js';
import { fromIso, iso } from './serialize.js';

/** The Message object of CONTRACT §4, without its deliveries part (detail and lists add theirs). */
export function serializeMessage(message: Message, payload: unknown = parsePayload(message)) {
  return {
    id: message.id,
    app_id: message.appId,
    event_type: message.eventType,
    recipient_id: message.recipientId,
    event_id: message.eventId,
    payload,
    created_at: iso(message.createdAt),
  };
}

function parsePayload(message: Message): unknown {
  return message.payload === null ? null : JSON.parse(message.payload);
}

/** The app's message `{msg}`; 404 `message_not_found` (also for another app's or workspace's). */
export async function requireMessage(db: Db, appId: string, id: string): Promise<Message> {
  const message = await findMessage(db, appId, id);
  if (!message) throw new AppError('message_not_found', `No message "${id}" in this app.`);
  return message;
}

/** Queues new single-attempt deliveries (replay/recover) and wakes the dispatcher. */
export async function queueExtraDeliveries(deps: AppDeps, rows: { workspaceId: string; messageId: string; endpointId: string }[], trigger: 'replay' | 'recover'): Promise<number> {
  if (rows.length === 0) return 0;
  const now = deps.clock.now();
  await deps.db.transaction((tx) => insertDeliveries(tx, rows.map((row) => ({ ...row, trigger, maxAttempts: 1, dueAt: now })), now), workTransaction(deps.db));
  deps.signals.emit('work');
  return rows.length;
}

const messageExample = {
  id: 'msg_0ujsswThIGTUYm2K8FjOOfXtY1K',
  app_id: 'app_0ujsszwN8NRY24YaXiTIE2VWDTS',
  event_type: 'invoice.paid',
  recipient_id: null,
  event_id: 'evt-2026-0001',
  payload: { invoice: 'in_42', amount: 1200 },
  created_at: '2026-11-26T10:00:00.000Z',
};

const params = { app: 'The app id (`app_…`) or uid.' };
const messageParams = { ...params, msg: 'The message id (`msg_…`).' };

interface SendBody {
  event_type: string;
  payload: Record<string, unknown>;
  recipient?: string;
  event_id?: string;
}

interface ListQuery extends PageQuery {
  event_type?: string;
  recipient?: string;
  status?: MessageStatus;
  since?: string;
  until?: string;
}

export const messageRoutes = [
  defineRoute<SendBody>({
    method: 'post',
    path: '/apps/:app/messages',
    scope: 'message:write',
    tag: 'Messages',
    summary: 'Send a message',
    description: 'Answers 202 once the message and one pending delivery per matching endpoint are stored. `recipient` (id or uid) targets one recipient; omitted, every recipient of the app. `event_id` or the `Idempotency-Key` header makes the call idempotent for 24 h: the same response and `msg_` id, and no second delivery.',
    params,
    body: {
      type: 'object',
      required: ['event_type', 'payload'],
      additionalProperties: false,
      properties: {
        event_type: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,256}$' },
        payload: { type: 'object', description: 'Any JSON object; sent byte-for-byte as serialised at accept time.' },
        recipient: { type: 'string', minLength: 1, maxLength: 256 },
        event_id: { type: 'string', minLength: 1, maxLength: 256 },
      },
    },
    status: 202,
    example: { ...messageExample, delivery_count: 2 },
    errors: ['app_not_found', 'recipient_not_found', 'event_type_not_found', 'event_type_archived', 'payload_invalid', 'rate_limited'],
    async handler({ params, body, auth, deps, ctx }) {
      const header = ctx.get('idempotency-key');
      if (header.length > 256) throw new AppError('invalid_request', 'The Idempotency-Key header is longer than 256 characters.', { details: [{ path: '/headers/idempotency-key', message: 'must be at most 256 characters' }] });
      const accepted = await acceptMessage(deps, auth.workspaceId, params.app, {
        eventType: body.event_type,
        payload: body.payload,
        recipient: body.recipient,
        eventId: body.event_id,
        idempotencyKey: body.event_id ?? (header || undefined),
      });
      return { ...serializeMessage(accepted.message, accepted.payload), delivery_count: accepted.deliveryCount };
    },
  }),
  defineRoute<undefined, ListQuery>({
    method: 'get',
    path: '/apps/:app/messages',
    scope: 'message:read',
    tag: 'Messages',
    summary: 'List messages',
    description: 'Newest first. `status` is derived from the deliveries: `pending` while any delivery is pending; `failed` when none is pending and the latest delivery to some endpoint failed; `succeeded` when every endpoint\'s latest delivery succeeded (a message that matched no endpoint has none of these statuses). `since` is inclusive, `until` exclusive (creation time).',
    params,
    query: {
      ...paginationQuery,
      event_type: { type: 'string', maxLength: 256 },
      recipient: { type: 'string', maxLength: 256, description: 'Recipient id or uid.' },
      status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
      since: isoTimestamp,
      until: isoTimestamp,
    },
    status: 200,
    list: true,
    example: [{ ...messageExample, delivery_count: 2 }],
    errors: ['app_not_found', 'recipient_not_found'],
    async handler({ params, query, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      let recipientId: string | undefined;
      if (query.recipient !== undefined) {
        const recipient = await findRecipientByRef(deps.db, app.id, query.recipient);
        if (!recipient) throw new AppError('recipient_not_found', `No recipient "${query.recipient}" in this app.`);
        recipientId = recipient.id;
      }
      const page = await listMessages(deps.db, app.id, {
        limit: query.limit, cursor: query.cursor, eventType: query.event_type, recipientId, status: query.status,
        since: fromIso(query.since), until: fromIso(query.until),
      });
      const counts = await countScheduledDeliveries(deps.db, page.items.map((m) => m.id));
      return { items: page.items.map((m) => ({ ...serializeMessage(m), delivery_count: counts.get(m.id) ?? 0 })), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/apps/:app/messages/:msg',
    scope: 'message:read',
    tag: 'Messages',
    summary: 'Get a message',
    description: 'Includes one entry per endpoint: the latest delivery\'s status and next attempt, and the attempts made to it in all.',
    params: messageParams,
    status: 200,
    example: { ...messageExample, deliveries: [{ endpoint_id: 'ep_0ujsszgFvbiEr7CDgE3z8MAUPFt', status: 'pending', attempts: 1, next_attempt_at: '2026-11-26T10:00:05.000Z' }] },
    errors: ['app_not_found', 'message_not_found'],
    async handler({ params, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const message = await requireMessage(deps.db, app.id, params.msg);
      const deliveries = await summarizeDeliveries(deps.db, message.id);
      return {
        ...serializeMessage(message),
        deliveries: deliveries.map((d) => ({ endpoint_id: d.endpointId, status: d.status, attempts: d.attempts, next_attempt_at: iso(d.nextAttemptAt) })),
      };
    },
  }),
  defineRoute<{ endpoint_id?: string }>({
    method: 'post',
    path: '/apps/:app/messages/:msg/replay',
    scope: 'message:write',
    tag: 'Messages',
    summary: 'Replay a message',
    description: 'A new attempt now (trigger `replay`, not retried) to every endpoint the message was sent to, or to `endpoint_id` only.',
    params: messageParams,
    body: { type: 'object', additionalProperties: false, properties: { endpoint_id: { type: 'string', minLength: 1, maxLength: 64 } } },
    status: 202,
    example: { message_id: messageExample.id, replayed: 2 },
    errors: ['app_not_found', 'message_not_found', 'endpoint_not_found', 'payload_expired'],
    async handler({ params, body, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const message = await requireMessage(deps.db, app.id, params.msg);
      if (message.payloadExpired || message.payload === null) throw new AppError('payload_expired');
      let endpointIds: string[];
      if (body.endpoint_id !== undefined) {
        const endpoint = await findEndpoint(deps.db, { appId: app.id }, body.endpoint_id);
        if (!endpoint) throw new AppError('endpoint_not_found', `No endpoint "${body.endpoint_id}" in this app.`);
        endpointIds = [endpoint.id];
      } else {
        endpointIds = await findMessageEndpointIds(deps.db, message.id);
      }
      const replayed = await queueExtraDeliveries(deps, endpointIds.map((endpointId) => ({ workspaceId: app.workspaceId, messageId: message.id, endpointId })), 'replay');
      return { message_id: message.id, replayed };
    },
  }),
];
