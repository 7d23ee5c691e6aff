import { attemptSchema } from './attempts.js';
import { id, nullableString, timestamp, type ResponseOf } from './common.js';

const eventProperties = {
  id: id('evt'),
  source_id: id('src'),
  method: { type: 'string' },
  path: { type: 'string', description: 'Below the ingest URL.' },
  query: { type: 'string' },
  body_encoding: { type: 'string', enum: ['utf8', 'base64'] },
  body_expired: { type: 'boolean' },
  verified: { type: 'boolean' },
  status: { type: 'string', enum: ['pending', 'delivered', 'failed', 'held', 'rejected', 'duplicate', 'filtered'] },
  rejection_reason: nullableString,
  duplicate_of: nullableString,
  created_at: timestamp,
} as const;
const eventRequired = [
  'id',
  'source_id',
  'method',
  'path',
  'query',
  'body_encoding',
  'body_expired',
  'verified',
  'status',
  'rejection_reason',
  'duplicate_of',
  'created_at',
] as const;

/** A received event as lists show it: without headers and body. */
export const eventSummarySchema = {
  type: 'object',
  required: eventRequired,
  additionalProperties: false,
  properties: eventProperties,
} as const;
export type EventSummaryData = ResponseOf<typeof eventSummarySchema>;

/** A forward attempt on an event's detail: an attempt and the destination it went to. */
export const forwardAttemptSchema = {
  ...attemptSchema,
  required: [...attemptSchema.required, 'destination_index'],
  properties: {
    ...attemptSchema.properties,
    destination_index: { type: 'integer', minimum: 0, description: "The destination's index in the source's `destinations`." },
  },
} as const;
export type ForwardAttemptData = ResponseOf<typeof forwardAttemptSchema>;

/** One destination's forwards of an event (CONTRACT §9.4). */
export const eventForwardSchema = {
  type: 'object',
  required: ['destination_index', 'status', 'attempts'],
  additionalProperties: false,
  properties: {
    destination_index: { type: 'integer', minimum: 0 },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'], description: 'Of the latest forward to this destination.' },
    attempts: { type: 'integer', minimum: 0, description: 'Attempts made to this destination for this event (replays included).' },
  },
} as const;

/** GET /events/{id}: the stored request, its forwards per destination and their attempts (oldest first). */
export const eventDetailSchema = {
  type: 'object',
  required: [...eventRequired, 'headers', 'body', 'forwards', 'attempts'],
  additionalProperties: false,
  properties: {
    ...eventProperties,
    headers: {
      type: 'object',
      description: 'Lower-cased names; a repeated header is an array.',
      additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    },
    body: { ...nullableString, description: 'UTF-8 text, or base64 when `body_encoding` is base64; null once purged.' },
    forwards: {
      type: 'array',
      items: eventForwardSchema,
      description: 'One entry per destination the event was forwarded to, by destination index.',
    },
    attempts: { type: 'array', items: forwardAttemptSchema },
  },
} as const;
export type EventDetailData = ResponseOf<typeof eventDetailSchema>;

/** `{event_id, status: 'pending'}` of an event replay. */
export const eventReplaySchema = {
  type: 'object',
  required: ['event_id', 'status'],
  additionalProperties: false,
  properties: { event_id: id('evt'), status: { const: 'pending' } },
} as const;
