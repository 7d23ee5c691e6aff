import { isoTimestamp } from './common.js';
import { filterSchema } from './filter.js';

/** `POST /apps/{app}/messages/replay` (CONTRACT §8.3). */
export const bulkReplayBody = {
  type: 'object',
  required: ['since'],
  additionalProperties: false,
  properties: {
    since: { ...isoTimestamp, description: 'Messages created at or after this time.' },
    until: { ...isoTimestamp, description: 'Messages created before this time; defaults to now.' },
    event_type: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,256}$', description: 'Only messages of this event type.' },
    recipient: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description: "Recipient id or uid: only pairs whose endpoint is this recipient's (targeted and broadcast messages alike).",
    },
    endpoint_id: { type: 'string', minLength: 1, maxLength: 64, description: 'Only this endpoint of the app.' },
    status: {
      type: 'string',
      enum: ['failed', 'any'],
      default: 'failed',
      description: '`failed` (default): pairs whose latest delivery failed; `any`: every pair the message was delivered to.',
    },
    filter: { ...filterSchema, description: `Only messages whose stored payload matches. ${filterSchema.description}` },
  },
} as const;
