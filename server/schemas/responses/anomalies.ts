import { ANOMALY_STATUSES, ANOMALY_TYPES } from '../../../db/queries/anomalies.js';
import { freeForm, id, nullableTimestamp, timestamp, type ResponseOf } from './common.js';

/** An anomaly (CONTRACT §5 "Anomalies"); `details` depend on the type (free-form). */
export const anomalySchema = {
  type: 'object',
  required: [
    'id',
    'type',
    'status',
    'subject',
    'title',
    'count',
    'first_seen_at',
    'last_seen_at',
    'acknowledged_at',
    'resolved_at',
    'details',
  ],
  additionalProperties: false,
  properties: {
    id: id('anm'),
    type: { type: 'string', enum: ANOMALY_TYPES },
    status: { type: 'string', enum: ANOMALY_STATUSES },
    subject: {
      type: 'object',
      required: ['kind', 'id'],
      additionalProperties: false,
      properties: { kind: { type: 'string', enum: ['endpoint', 'source'] }, id: { type: 'string' } },
    },
    title: { type: 'string' },
    count: { type: 'integer', minimum: 1 },
    first_seen_at: timestamp,
    last_seen_at: timestamp,
    acknowledged_at: nullableTimestamp,
    resolved_at: nullableTimestamp,
    details: freeForm,
  },
} as const;
export type AnomalyData = ResponseOf<typeof anomalySchema>;
