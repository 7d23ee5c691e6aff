import { insertDeliveries } from '../../db/queries/deliveries.js';
import {
  listForwardAttemptsOfEvent,
  listForwardsOfEvent,
  type EventForward,
  type ForwardAttempt,
} from '../../db/queries/event-forwards.js';
import { EVENT_STATUSES, findEvent, listEvents, setEventStatus, type EventSummary, type IngestEvent } from '../../db/queries/events.js';
import { findSource } from '../../db/queries/sources.js';
import { AppError } from '../errors.js';
import { matchingDestinations } from '../ingest/destinations.js';
import { replayEventBody } from '../schemas/events.js';
import { isoTimestamp, paginationQuery } from '../schemas/common.js';
import {
  eventDetailSchema,
  eventReplaySchema,
  eventSummarySchema,
  type EventDetailData,
  type EventSummaryData,
} from '../schemas/responses/events.js';
import { serializeAttempt } from './attempts.js';
import { defineRoute } from './define-route.js';
import { fromIso, iso } from './serialize.js';

const serializeSummary = (event: EventSummary): EventSummaryData => ({
  id: event.id,
  source_id: event.sourceId,
  method: event.method,
  path: event.path,
  query: event.query,
  body_encoding: event.bodyEncoding,
  body_expired: event.bodyExpired,
  verified: event.verified,
  status: event.status,
  rejection_reason: event.rejectionReason,
  duplicate_of: event.duplicateOf,
  created_at: iso(event.createdAt),
});

const serializeEvent = (event: IngestEvent, forwards: EventForward[], attempts: ForwardAttempt[]): EventDetailData => ({
  ...serializeSummary(event),
  headers: event.headers,
  body: event.body,
  forwards: forwards.map((forward) => ({
    destination_index: forward.destinationIndex,
    status: forward.status,
    attempts: forward.attempts,
  })),
  attempts: attempts.map((attempt) => ({ ...serializeAttempt(attempt), destination_index: attempt.destinationIndex })),
});

const summaryExample = {
  id: 'evt_0ujsswThIGTUYm2K8FjOOf',
  source_id: 'src_0ujsswThIGTUYm2K8FjOOf',
  method: 'POST',
  path: '/',
  query: '',
  body_encoding: 'utf8',
  body_expired: false,
  verified: true,
  status: 'delivered',
  rejection_reason: null,
  duplicate_of: null,
  created_at: '2026-11-26T10:00:00.000Z',
} as const;

const eventExample = {
  ...summaryExample,
  headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
  body: '{"ref":"refs/heads/main"}',
  forwards: [{ destination_index: 0, status: 'delivered', attempts: 1 }],
  attempts: [
    {
      id: 'atm_0ujsswThIGTUYm2K8FjOOf',
      event_id: summaryExample.id,
      source_id: summaryExample.source_id,
      attempt: 1,
      trigger: 'scheduled',
      status: 'succeeded',
      response_status: 200,
      response_body: 'ok',
      error: null,
      duration_ms: 42,
      created_at: '2026-11-26T10:00:00.100Z',
      destination_index: 0,
    },
  ],
} as const;

/** Attempts shown on an event's detail (newest kept when there are more). */
const DETAIL_ATTEMPTS = 100;

export const eventRoutes = [
  defineRoute({
    method: 'get',
    path: '/events',
    scope: 'event:read',
    tag: 'Events',
    summary: 'List received events',
    description: 'Newest first, without headers and bodies. `since` is inclusive, `until` exclusive.',
    query: {
      source_id: { type: 'string', maxLength: 64, description: 'Only events of this source.' },
      status: { type: 'string', enum: [...EVENT_STATUSES] },
      since: { ...isoTimestamp, description: 'Received at or after (ISO-8601).' },
      until: { ...isoTimestamp, description: 'Received before (ISO-8601).' },
      ...paginationQuery,
    },
    response: eventSummarySchema,
    status: 200,
    list: true,
    example: [summaryExample],
    errors: ['invalid_request'],
    async handler({ query, auth, deps }) {
      const filters = { sourceId: query.source_id, status: query.status, since: fromIso(query.since), until: fromIso(query.until) };
      const page = await listEvents(deps.db, auth.workspaceId, filters, query);
      return { items: page.items.map(serializeSummary), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/events/:id',
    scope: 'event:read',
    tag: 'Events',
    summary: 'Get an event',
    description:
      'The stored request: method, path (below the ingest URL), query string, lower-cased headers and body ' +
      '(UTF-8 text, or base64 with `body_encoding: base64` when the bytes are not UTF-8; null once purged), ' +
      "plus `verified` (true only when the source's scheme checked the request: `none` stores false), `status`, " +
      "`rejection_reason`, `forwards` (per destination: the latest forward's status and the attempts made) and the forward " +
      'attempts (oldest first, each with its `destination_index`). Status: `pending` = stored, forwards not all finished ' +
      "(store-only sources keep their events `pending`), `delivered` = every matching destination's latest forward succeeded, " +
      "`failed` = one exhausted its retries, `filtered` = no destination's filter matched (not forwarded), " +
      '`held` = received while paused, `rejected` = failed verification, `duplicate` = repeat of `duplicate_of`.',
    params: { id: 'The event id (`evt_…`).' },
    response: eventDetailSchema,
    status: 200,
    example: eventExample,
    errors: ['event_not_found'],
    async handler({ params, auth, deps }) {
      const event = await findEvent(deps.db, auth.workspaceId, params.id);
      if (!event) throw new AppError('event_not_found', `No event "${params.id}" in this workspace.`);
      const [forwards, attempts] = await Promise.all([
        listForwardsOfEvent(deps.db, event.id),
        listForwardAttemptsOfEvent(deps.db, event.id, DETAIL_ATTEMPTS),
      ]);
      return serializeEvent(event, forwards, attempts.reverse());
    },
  }),
  defineRoute({
    method: 'post',
    path: '/events/:id/replay',
    scope: 'event:write',
    tag: 'Events',
    summary: 'Forward an event again',
    description:
      'Queues one new forward attempt now (trigger `replay`, not retried when it fails) to every destination whose filter ' +
      'matches the event, or to `destination_index` only; the event is `pending` until they finish. ' +
      'Rejected and duplicate events are never forwarded, and a paused or store-only source has nowhere to send to.',
    params: { id: 'The event id (`evt_…`).' },
    body: replayEventBody,
    response: eventReplaySchema,
    status: 202,
    example: { event_id: summaryExample.id, status: 'pending' },
    errors: ['event_not_found', 'invalid_request', 'payload_expired'],
    async handler({ params, body, auth, deps }) {
      const now = deps.clock.now();
      await deps.db.transaction(async (tx) => {
        const event = await findEvent(tx, auth.workspaceId, params.id);
        if (!event) throw new AppError('event_not_found', `No event "${params.id}" in this workspace.`);
        if (event.status === 'rejected') throw new AppError('invalid_request', 'The event failed verification and is never forwarded.');
        if (event.status === 'duplicate')
          throw new AppError('invalid_request', `The event is a duplicate; replay the original ${event.duplicateOf} instead.`);
        const source = await findSource(tx, auth.workspaceId, event.sourceId);
        if (!source || source.destinations.length === 0)
          throw new AppError('invalid_request', 'The source has no destination to forward to; set one with PATCH /sources/{id} first.');
        if (source.paused) throw new AppError('invalid_request', 'The source is paused; resume it to forward its events.');
        if (event.bodyExpired)
          throw new AppError('payload_expired', 'The event body was purged by the retention policy and cannot be replayed.');
        const targets = replayTargets(
          matchingDestinations(source.destinations, event, deps.sourceCache.filterMatcher),
          body.destination_index,
        );
        await insertDeliveries(
          tx,
          targets.map((destinationIndex) => ({
            workspaceId: auth.workspaceId,
            eventId: event.id,
            sourceId: event.sourceId,
            destinationIndex,
            trigger: 'replay' as const,
            maxAttempts: 1,
            dueAt: now,
          })),
          now,
        );
        await setEventStatus(tx, event.id, 'pending');
      });
      deps.emit('work');
      return { event_id: params.id, status: 'pending' as const };
    },
  }),
] as const;

/** The destinations a replay goes to: every matching one, or the one asked for when it matches. */
function replayTargets(matching: number[], asked: number | undefined): number[] {
  if (asked === undefined) {
    if (matching.length === 0) throw new AppError('invalid_request', "No destination's filter matches this event.");
    return matching;
  }
  if (!matching.includes(asked)) {
    throw new AppError('invalid_request', `Destination ${asked} does not exist or its filter does not match this event.`, {
      details: [{ path: '/destination_index', message: 'must name a destination whose filter matches the event' }],
    });
  }
  return [asked];
}
