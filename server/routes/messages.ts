import type { Db } from '../../db/index.js';
import { findEndpoint } from '../../db/queries/endpoints.js';
import { countScheduledDeliveries, findMessage, listMessages, summarizeDeliveries, type Message } from '../../db/queries/messages.js';
import { filterReplayTargets, findMessageEndpointIds, insertExtraDeliveries, type ReplayPair } from '../../db/queries/replay-targets.js';
import { findRecipientByRef } from '../../db/queries/recipients.js';
import { acceptMessage } from '../delivery/accept.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { isoTimestamp, paginationQuery } from '../schemas/common.js';
import { messageDetailSchema, messageReplaySchema, messageWithCountSchema, type MessageData } from '../schemas/responses/messages.js';
import { defineRoute } from './define-route.js';
import { requireApp } from './apps.js';
import { fromIso, iso } from './serialize.js';

/** The Message object of CONTRACT §4, without its deliveries part (detail and lists add theirs). */
export function serializeMessage(message: Message, payload: unknown = parsePayload(message)): MessageData {
  return {
    id: message.id,
    app_id: message.appId,
    event_type: message.eventType,
    recipient_id: message.recipientId,
    event_id: message.eventId,
    payload: payloadObject(payload),
    created_at: iso(message.createdAt),
  };
}

function parsePayload(message: Message): unknown {
  return message.payload === null ? null : JSON.parse(message.payload);
}

/** A payload as the send schema admits it (a JSON object), or null once retention purged it. */
function payloadObject(value: unknown): MessageData['payload'] {
  if (value === null || isJsonObject(value)) return value;
  throw new Error('a message payload is always a JSON object');
}

function isJsonObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The app's message `{msg}`; 404 `message_not_found` (also for another app's or workspace's). */
export async function requireMessage(db: Db, appId: string, id: string): Promise<Message> {
  const message = await findMessage(db, appId, id);
  if (!message) throw new AppError('message_not_found', `No message "${id}" in this app.`);
  return message;
}

/** Queues new single-attempt deliveries (replay/recover) and wakes the dispatcher; returns how many. */
export async function queueExtraDeliveries(deps: AppDeps, rows: ReplayPair[], trigger: 'replay' | 'recover'): Promise<number> {
  const created = await insertExtraDeliveries(deps.db, rows, trigger, deps.clock.now());
  if (created > 0) deps.emit('work');
  return created;
}

const messageExample = {
  id: 'msg_0ujsswThIGTUYm2K8FjOOfXtY1K',
  app_id: 'app_0ujsszwN8NRY24YaXiTIE2VWDTS',
  event_type: 'invoice.paid',
  recipient_id: null,
  event_id: 'evt-2026-0001',
  payload: { invoice: 'in_42', amount: 1200 },
  created_at: '2026-11-26T10:00:00.000Z',
} as const;

const params = { app: 'The app id (`app_…`) or uid.' } as const;
const messageParams = { ...params, msg: 'The message id (`msg_…`).' } as const;

/**
 * Replays a message; the portal runs this same operation for its recipient (server/portal/routes/messages.ts).
 */
export const replayMessageRoute = defineRoute({
  method: 'post',
  path: '/apps/:app/messages/:msg/replay',
  scope: 'message:write',
  tag: 'Messages',
  summary: 'Replay a message',
  description:
    'A new attempt now (trigger `replay`, not retried) to every endpoint the message was sent to, or to `endpoint_id` only. `endpoint_id` must be an endpoint of this app that the message was sent to, or of the recipient it targeted, or any endpoint of the app when the message was broadcast; any other answers 404 `endpoint_not_found`.',
  params: messageParams,
  body: { type: 'object', additionalProperties: false, properties: { endpoint_id: { type: 'string', minLength: 1, maxLength: 64 } } },
  response: messageReplaySchema,
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
      // an endpoint the message was never for is as absent as a missing one: a replay must not
      // carry one recipient's payload to another (CONTRACT §8.4)
      endpointIds = endpoint ? await filterReplayTargets(deps.db, message.id, [endpoint.id]) : [];
      if (endpointIds.length === 0)
        throw new AppError('endpoint_not_found', `No endpoint "${body.endpoint_id}" this message can be replayed to.`);
    } else {
      // the fan-out targets already obey the rule; filtering again keeps a bad old row from widening it
      endpointIds = await filterReplayTargets(deps.db, message.id, await findMessageEndpointIds(deps.db, message.id));
    }
    const replayed = await queueExtraDeliveries(
      deps,
      endpointIds.map((endpointId) => ({ workspaceId: app.workspaceId, messageId: message.id, endpointId })),
      'replay',
    );
    return { message_id: message.id, replayed };
  },
});

export const messageRoutes = [
  defineRoute({
    method: 'post',
    path: '/apps/:app/messages',
    scope: 'message:write',
    tag: 'Messages',
    summary: 'Send a message',
    description:
      'Answers 202 once the message and one pending delivery per matching endpoint are stored. `recipient` (id or uid) targets one recipient; omitted, every recipient of the app. `event_id` or the `Idempotency-Key` header makes the call idempotent for 24 h: the same response and `msg_` id, and no second delivery.',
    params,
    headers: {
      'Idempotency-Key': {
        description:
          'Makes the send idempotent for 24 h (as `event_id` does, which wins when both are given): the same answer and `msg_` id, no second delivery.',
        schema: { type: 'string', minLength: 1, maxLength: 256 },
      },
    },
    body: {
      type: 'object',
      required: ['event_type', 'payload'],
      additionalProperties: false,
      properties: {
        event_type: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,256}$' },
        payload: {
          type: 'object',
          additionalProperties: true,
          description: 'Any JSON object; sent byte-for-byte as serialised at accept time.',
        },
        recipient: { type: 'string', minLength: 1, maxLength: 256 },
        event_id: { type: 'string', minLength: 1, maxLength: 256 },
      },
    },
    response: messageWithCountSchema,
    status: 202,
    example: { ...messageExample, delivery_count: 2 },
    errors: ['app_not_found', 'recipient_not_found', 'event_type_not_found', 'event_type_archived', 'payload_invalid', 'rate_limited'],
    async handler({ params, body, auth, deps, ctx }) {
      const header = ctx.get('idempotency-key');
      if (header.length > 256)
        throw new AppError('invalid_request', 'The Idempotency-Key header is longer than 256 characters.', {
          details: [{ path: '/headers/idempotency-key', message: 'must be at most 256 characters' }],
        });
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
  defineRoute({
    method: 'get',
    path: '/apps/:app/messages',
    scope: 'message:read',
    tag: 'Messages',
    summary: 'List messages',
    description:
      "Newest first. `status` is derived from the deliveries: `pending` while any delivery is pending or held (its endpoint is disabled); `failed` when none is pending and the latest delivery to some endpoint failed; `succeeded` when every endpoint's latest delivery succeeded (a message that matched no endpoint has none of these statuses). `since` is inclusive, `until` exclusive (creation time).",
    params,
    query: {
      ...paginationQuery,
      event_type: { type: 'string', maxLength: 256 },
      recipient: { type: 'string', maxLength: 256, description: 'Recipient id or uid.' },
      status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
      since: isoTimestamp,
      until: isoTimestamp,
    },
    response: messageWithCountSchema,
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
        limit: query.limit,
        cursor: query.cursor,
        eventType: query.event_type,
        recipientId,
        status: query.status,
        since: fromIso(query.since),
        until: fromIso(query.until),
      });
      const counts = await countScheduledDeliveries(
        deps.db,
        page.items.map((m) => m.id),
      );
      return {
        items: page.items.map((m) => ({ ...serializeMessage(m), delivery_count: counts.get(m.id) ?? 0 })),
        next_cursor: page.nextCursor,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/apps/:app/messages/:msg',
    scope: 'message:read',
    tag: 'Messages',
    summary: 'Get a message',
    description: "Includes one entry per endpoint: the latest delivery's status and next attempt, and the attempts made to it in all.",
    params: messageParams,
    response: messageDetailSchema,
    status: 200,
    example: {
      ...messageExample,
      deliveries: [
        {
          endpoint_id: 'ep_0ujsszgFvbiEr7CDgE3z8MAUPFt',
          status: 'pending',
          attempts: 1,
          next_attempt_at: '2026-11-26T10:00:05.000Z',
          last_error: 'timeout',
        },
      ],
    },
    errors: ['app_not_found', 'message_not_found'],
    async handler({ params, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const message = await requireMessage(deps.db, app.id, params.msg);
      const deliveries = await summarizeDeliveries(deps.db, message.id);
      return {
        ...serializeMessage(message),
        deliveries: deliveries.map((d) => ({
          endpoint_id: d.endpointId,
          status: d.status,
          attempts: d.attempts,
          next_attempt_at: iso(d.nextAttemptAt),
          last_error: d.lastError,
        })),
      };
    },
  }),
  replayMessageRoute,
] as const;
