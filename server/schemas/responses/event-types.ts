import { freeForm, id, nullableString, nullableTimestamp, timestamp, type ResponseOf } from './common.js';

/** An event type of an app; `schema` is the caller's JSON Schema (free-form). */
export const eventTypeSchema = {
  type: 'object',
  required: ['id', 'app_id', 'name', 'description', 'schema', 'archived', 'archived_at', 'created_at', 'updated_at'],
  additionalProperties: false,
  properties: {
    id: id('et'),
    app_id: id('app'),
    name: { type: 'string' },
    description: nullableString,
    schema: { ...freeForm, type: ['object', 'null'] },
    archived: { type: 'boolean' },
    archived_at: nullableTimestamp,
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const;
export type EventTypeData = ResponseOf<typeof eventTypeSchema>;
