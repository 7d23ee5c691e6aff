import { id, nullableInteger, nullableString, nullableTimestamp, timestamp, type ResponseOf } from './common.js';

/**
 * A delivery as GET /deliveries lists it: one (message, endpoint) pair's current delivery across
 * the workspace, with the message and endpoint it joins and its last attempt (the dead-letter view).
 */
export const deliveryListItemSchema = {
  type: 'object',
  required: [
    'id',
    'message_id',
    'app_id',
    'event_type',
    'endpoint_id',
    'recipient_id',
    'endpoint_url',
    'status',
    'trigger',
    'attempts',
    'next_attempt_at',
    'last_attempt',
    'message_created_at',
    'created_at',
    'updated_at',
  ],
  additionalProperties: false,
  properties: {
    id: id('dlv'),
    message_id: id('msg'),
    app_id: id('app'),
    event_type: { type: 'string' },
    endpoint_id: id('ep'),
    recipient_id: id('rcp'),
    endpoint_url: {
      type: ['string', 'null'],
      description: 'The endpoint URL, when the key also holds `endpoint:read` (a URL may carry a token); else null.',
    },
    status: { type: 'string', enum: ['pending', 'held', 'succeeded', 'failed'] },
    trigger: { type: 'string', enum: ['scheduled', 'replay', 'recover'] },
    attempts: { type: 'integer', minimum: 0 },
    next_attempt_at: nullableTimestamp,
    last_attempt: {
      type: ['object', 'null'],
      required: ['id', 'error', 'response_status', 'created_at'],
      additionalProperties: false,
      properties: { id: id('atm'), error: nullableString, response_status: nullableInteger, created_at: timestamp },
    },
    message_created_at: timestamp,
    created_at: timestamp,
    updated_at: { ...timestamp, description: 'When the delivery last changed (for a failed one: when it failed).' },
  },
} as const;
export type DeliveryListItemData = ResponseOf<typeof deliveryListItemSchema>;
