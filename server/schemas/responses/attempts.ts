import { id, nullableInteger, nullableString, timestamp, type ResponseOf } from './common.js';

/**
 * One HTTP attempt. Outbound attempts name `message_id`/`endpoint_id`, forwards of ingested events
 * `event_id`/`source_id`; the other pair is absent.
 */
export const attemptSchema = {
  type: 'object',
  required: ['id', 'attempt', 'trigger', 'status', 'response_status', 'response_body', 'error', 'duration_ms', 'created_at'],
  additionalProperties: false,
  properties: {
    id: id('atm'),
    message_id: { ...nullableString, description: 'The message (`msg_…`); outbound attempts only.' },
    endpoint_id: { ...nullableString, description: 'The endpoint (`ep_…`); outbound attempts only.' },
    event_id: { ...nullableString, description: 'The event (`evt_…`); forwards only.' },
    source_id: { ...nullableString, description: 'The source (`src_…`); forwards only.' },
    attempt: { type: 'integer', minimum: 1 },
    trigger: { type: 'string', enum: ['scheduled', 'replay', 'recover'] },
    status: { type: 'string', enum: ['succeeded', 'failed'] },
    response_status: nullableInteger,
    response_body: nullableString,
    error: nullableString,
    duration_ms: { type: 'integer', minimum: 0 },
    created_at: timestamp,
  },
} as const;
export type AttemptData = ResponseOf<typeof attemptSchema>;
