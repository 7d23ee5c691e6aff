import type { ResponseOf } from './common.js';

const buckets = (what: string) =>
  ({
    type: 'array',
    minItems: 30,
    maxItems: 30,
    items: { type: 'number', minimum: 0 },
    description: `${what} per second in each 10 s bucket of the last 5 minutes, oldest first.`,
  }) as const;

/** GET /stats (CONTRACT §11.1): a workspace's live figures, the JSON twin of /metrics. */
export const statsSchema = {
  type: 'object',
  required: [
    'window_s',
    'bucket_s',
    'accepted_per_s',
    'delivered_per_s',
    'success_rate',
    'pending',
    'held',
    'oldest_pending_age_s',
    'attempt_latency_ms',
    'anomalies_open',
    'sources',
  ],
  additionalProperties: false,
  properties: {
    window_s: { const: 300, description: 'Seconds the figures cover.' },
    bucket_s: { const: 10, description: 'Seconds per bucket of the rate series.' },
    accepted_per_s: buckets('Messages accepted'),
    delivered_per_s: buckets('Successful delivery and forward attempts'),
    success_rate: {
      type: ['number', 'null'],
      minimum: 0,
      maximum: 1,
      description: 'Succeeded / all attempts of the window; null when there were none.',
    },
    pending: { type: 'integer', minimum: 0, description: 'Deliveries and forwards not finished yet (waiting or retrying).' },
    held: { type: 'integer', minimum: 0, description: 'Deliveries held for a paused or held endpoint.' },
    oldest_pending_age_s: {
      type: ['integer', 'null'],
      minimum: 0,
      description: 'Seconds since the oldest pending delivery was created; null when none is pending.',
    },
    attempt_latency_ms: {
      type: ['object', 'null'],
      required: ['p50', 'p99'],
      additionalProperties: false,
      properties: { p50: { type: 'integer', minimum: 0 }, p99: { type: 'integer', minimum: 0 } },
      description: 'Attempt durations of the window (nearest rank); null when there were none.',
    },
    anomalies_open: {
      type: 'object',
      additionalProperties: { type: 'integer', minimum: 1 },
      description: 'Anomalies not resolved (open or acknowledged), counted by type; types with none are left out.',
    },
    sources: {
      type: 'array',
      description: 'Every source (at most 100, the busiest first) with its events received per second per bucket.',
      items: {
        type: 'object',
        required: ['id', 'name', 'events_per_s'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', description: '`src_…`' },
          name: { type: 'string' },
          events_per_s: buckets('Events received'),
        },
      },
    },
  },
} as const;
export type StatsData = ResponseOf<typeof statsSchema>;
