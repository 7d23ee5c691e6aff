import { orderingAuthResponseProperties } from '../endpoint-auth.js';
import { deliveryOverrideResponseProperties } from '../endpoint-delivery.js';
import { headerMap, id, nullableInteger, nullableString, nullableTimestamp, timestamp, type ResponseOf } from './common.js';

const endpointProperties = {
  id: id('ep'),
  app_id: id('app'),
  recipient_id: id('rcp'),
  url: { type: 'string' },
  description: nullableString,
  event_types: { type: 'array', items: { type: 'string' } },
  headers: headerMap,
  rate_limit: nullableInteger,
  disabled: { type: 'boolean' },
  disabled_at: nullableTimestamp,
  ...deliveryOverrideResponseProperties,
  ...orderingAuthResponseProperties,
  created_at: timestamp,
  updated_at: timestamp,
} as const;
const endpointRequired = [
  'id',
  'app_id',
  'recipient_id',
  'url',
  'description',
  'event_types',
  'headers',
  'rate_limit',
  'disabled',
  'disabled_at',
  'filter',
  'retry_schedule',
  'timeout',
  'held_count',
  'ordering',
  'auth',
  'created_at',
  'updated_at',
] as const;

/** An endpoint as reads return it: never its secret. */
export const endpointSchema = {
  type: 'object',
  required: endpointRequired,
  additionalProperties: false,
  properties: endpointProperties,
} as const;
export type EndpointData = ResponseOf<typeof endpointSchema>;

const signingSecret = { type: 'string', description: '`whsec_` + base64.' } as const;

/** The endpoint a create returns: with its signing secret, shown there and by GET …/secret only. */
export const endpointCreatedSchema = {
  type: 'object',
  required: [...endpointRequired, 'secret'],
  additionalProperties: false,
  properties: { ...endpointProperties, secret: signingSecret },
} as const;

/** `{secret}` of GET …/secret and POST …/rotate-secret. */
export const secretSchema = {
  type: 'object',
  required: ['secret'],
  additionalProperties: false,
  properties: { secret: signingSecret },
} as const;

/** `{replayed}` of a recover: the messages queued again. */
export const recoverResultSchema = {
  type: 'object',
  required: ['replayed'],
  additionalProperties: false,
  properties: { replayed: { type: 'integer', minimum: 0 } },
} as const;

/** `{discarded}` of POST …/discard-held: the held deliveries now failed with `last_error: discarded`. */
export const discardHeldResultSchema = {
  type: 'object',
  required: ['discarded'],
  additionalProperties: false,
  properties: { discarded: { type: 'integer', minimum: 0 } },
} as const;
