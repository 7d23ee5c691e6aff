import { freeForm, id, nullableInteger, nullableString, nullableTimestamp, timestamp, type ResponseOf } from './common.js';

const deliveryStatus = {
  type: 'string',
  enum: ['pending', 'held', 'succeeded', 'failed'],
  description: '`held`: waiting for the disabled endpoint to be re-enabled (CONTRACT §8.2).',
} as const;

const messageProperties = {
  id: id('msg'),
  app_id: id('app'),
  event_type: { type: 'string' },
  recipient_id: { ...nullableString, description: 'The targeted recipient, or null for a broadcast.' },
  event_id: nullableString,
  payload: { ...freeForm, type: ['object', 'null'], description: 'As sent; null once retention purged it.' },
  created_at: timestamp,
} as const;
const messageRequired = ['id', 'app_id', 'event_type', 'recipient_id', 'event_id', 'payload', 'created_at'] as const;

/** The Message object of CONTRACT §4 without its deliveries part (each route adds its own). */
export const messageSchema = {
  type: 'object',
  required: messageRequired,
  additionalProperties: false,
  properties: messageProperties,
} as const;
export type MessageData = ResponseOf<typeof messageSchema>;

/** A message in a send answer and in lists: with the number of deliveries fan-out scheduled. */
export const messageWithCountSchema = {
  type: 'object',
  required: [...messageRequired, 'delivery_count'],
  additionalProperties: false,
  properties: { ...messageProperties, delivery_count: { type: 'integer', minimum: 0 } },
} as const;

/** One endpoint's deliveries of a message: the latest delivery's status and the attempts in all. */
export const messageDeliverySchema = {
  type: 'object',
  required: ['endpoint_id', 'status', 'attempts', 'next_attempt_at', 'last_error'],
  additionalProperties: false,
  properties: {
    endpoint_id: id('ep'),
    status: deliveryStatus,
    attempts: { type: 'integer', minimum: 0 },
    next_attempt_at: nullableTimestamp,
    last_error: {
      ...nullableString,
      description: "The last attempt's error class; `discarded` for a discarded held delivery; null when none.",
    },
  },
} as const;

/** GET …/messages/{msg}: the message and one entry per endpoint. */
export const messageDetailSchema = {
  type: 'object',
  required: [...messageRequired, 'deliveries'],
  additionalProperties: false,
  properties: { ...messageProperties, deliveries: { type: 'array', items: messageDeliverySchema } },
} as const;

/** The newest attempt of a portal delivery (what the portal shows as the response code). */
const lastAttemptSchema = {
  type: ['object', 'null'],
  required: ['id', 'status', 'response_status', 'error', 'created_at'],
  additionalProperties: false,
  properties: {
    id: id('atm'),
    status: { type: 'string', enum: ['succeeded', 'failed'] },
    response_status: nullableInteger,
    error: nullableString,
    created_at: timestamp,
  },
} as const;

/** A portal delivery: the API's delivery entry plus the last attempt. */
export const portalDeliverySchema = {
  type: 'object',
  required: [...messageDeliverySchema.required, 'last_attempt'],
  additionalProperties: false,
  properties: { ...messageDeliverySchema.properties, last_attempt: lastAttemptSchema },
} as const;
export type PortalDeliveryData = ResponseOf<typeof portalDeliverySchema>;

/** A message as the portal lists it: with its deliveries to the session's recipient's endpoints. */
export const portalMessageSchema = {
  type: 'object',
  required: [...messageRequired, 'deliveries'],
  additionalProperties: false,
  properties: { ...messageProperties, deliveries: { type: 'array', items: portalDeliverySchema } },
} as const;

/** `{message_id, replayed}` of a replay. */
export const messageReplaySchema = {
  type: 'object',
  required: ['message_id', 'replayed'],
  additionalProperties: false,
  properties: { message_id: id('msg'), replayed: { type: 'integer', minimum: 0 } },
} as const;
